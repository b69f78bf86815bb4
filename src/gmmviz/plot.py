"""Pictures of Gaussian mixtures: points, ellipses, means, densities, ln p(X), one EM half-step.

Every drawing function takes a matplotlib ``ax`` first, then the data, then the parameters
(``plot_points(ax, X, resp)``, ``plot_frame(ax, X, frame)``), and returns the artists it made:
one artist, a list of like artists, or a NamedTuple of artists for a group. Callers (the
notebooks, :mod:`gmmviz.widgets`, :mod:`gmmviz.animate`) keep them and move them with the
matching ``update_*`` function instead of drawing anew. Nothing here fits a model or touches the
global ``plt`` state.

One vocabulary throughout: ``palette=`` is one colour per component (default
:func:`gmmviz.palette.component_colors`), ``n_std=`` is a sequence of Mahalanobis radii, one ring
each, ``dims=`` the two features shown. Component k has colour k, marker k and the number k
(1-based, as in the maths) in every picture. Axes left unlabelled by the caller get ``$x_1$``,
``$x_2$``, ... (1-based feature numbers).

Parameters are anything shaped like :class:`gmmviz.em.GMMParams`: ``weights`` (K,), ``means``
(K, d), ``covariances`` in one of scikit-learn's four layouts and ``covariance_type``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.container import BarContainer
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Ellipse
from matplotlib.path import Path
from matplotlib.text import Annotation, Text
from matplotlib.ticker import MaxNLocator

from ._covariance import to_full
from ._history import frame_text
from ._validation import (
    check_array,
    check_covariance_type,
    check_dims,
    check_int,
    check_n_std,
    check_resp,
)
from .em import log_density, weighted_log_prob
from .palette import component_colors, component_markers
from .params import GMMParams

__all__ = [
    "GREY",
    "CERTAINTY_LEVELS",
    "soft_colors",
    "certainty_opacity",
    "plot_certainty_legend",
    "ellipse_geometry",
    "plot_points",
    "update_points",
    "plot_ellipses",
    "update_ellipses",
    "Means",
    "plot_means",
    "update_means",
    "Shift",
    "plot_shift",
    "update_shift",
    "plot_density",
    "weighted_component_pdfs",
    "View1D",
    "plot_1d",
    "update_1d",
    "LogLikelihoodCurve",
    "plot_log_likelihood",
    "update_log_likelihood",
    "FrameArtists",
    "plot_frame",
    "update_frame",
]

#: Colour of points before any E-step has assigned them (the start frame).
GREY = np.array([0.55, 0.55, 0.55, 1.0])

#: The certainties max_k γ_nk a certainty legend shows by default (:func:`plot_certainty_legend`).
CERTAINTY_LEVELS = (1.0, 0.95, 0.85, 0.5)

# How a point shows its certainty c = max_k γ_nk (see soft_colors): "opacity" (the default) fills
# the marker with opacity certainty_opacity(c) inside an opaque outline; "size" scales its area;
# "blend" is the old look (the γ-weighted mix of the colours, opaque), which has no certainty channel.
_CERTAINTY_MODES = ("opacity", "size", "blend")
# The faintest fill (c <= 1/2) and the smallest area (as a fraction of size=).
_MIN_OPACITY = 0.12
_MIN_AREA = 0.3
# Width of the opaque outline that keeps a faint (uncertain) point visible, in points.
_OUTLINE = 0.7


# --------------------------------------------------------------------------------------------
# Input checks shared by the drawing functions
# --------------------------------------------------------------------------------------------
def _n_components(params: Any) -> int:
    return int(np.atleast_1d(np.asarray(params.weights)).shape[0])


def _check_palette(palette: Any, n_components: int) -> np.ndarray:
    if palette is None:
        return component_colors(n_components)
    try:
        pal = to_rgba_array(palette)
    except (TypeError, ValueError):
        raise ValueError(
            f"palette must be one matplotlib colour per component, got {palette!r}; "
            f"e.g. gmmviz.palette.component_colors({n_components})."
        ) from None
    if pal.shape[0] != n_components:
        raise ValueError(
            f"palette has {pal.shape[0]} colours but there are {n_components} components; "
            f"pass one colour per component (e.g. gmmviz.palette.component_colors({n_components}))."
        )
    return pal


def _check_resp(resp: Any) -> np.ndarray:
    """Responsibilities of shape (n, K), rows summing to 1, for any number of points n."""
    r = np.asarray(resp, dtype=float)
    return check_resp(r, len(r) if r.ndim else 0)


def _full_covariances(params: Any) -> np.ndarray:
    """(K, d, d) covariances of any GMMParams-like ``params`` (scikit-learn layouts)."""
    means = np.atleast_2d(np.asarray(params.means, dtype=float))
    k, d = means.shape
    kind = check_covariance_type(getattr(params, "covariance_type", "full"))
    return to_full(params.covariances, kind, k, d)


def _label_axes(ax: Axes, dims: Sequence[int]) -> None:
    # Only where the caller has not labelled: feature numbers are 1-based, as in the maths.
    if not ax.get_xlabel():
        ax.set_xlabel(f"$x_{{{dims[0] + 1}}}$")
    if not ax.get_ylabel():
        ax.set_ylabel(f"$x_{{{dims[1] + 1}}}$")


# --------------------------------------------------------------------------------------------
# Colours and markers
# --------------------------------------------------------------------------------------------
def _check_certainty(certainty: Any) -> str:
    if certainty not in _CERTAINTY_MODES:
        raise ValueError(f"certainty must be one of {_CERTAINTY_MODES}, got {certainty!r}.")
    return certainty


def _certainty_weight(certainty: Any) -> np.ndarray:
    """0 for a tie between two components (or worse), 1 for certain; quadratic in between, so
    that the range a fit mostly shows (0.8 - 1) is spread out: 0.85 is visibly less than 1."""
    t = np.clip((np.asarray(certainty, dtype=float) - 0.5) / 0.5, 0.0, 1.0)
    return t * t


def certainty_opacity(certainty: Any) -> np.ndarray:
    """The fill opacity of a point whose largest responsibility is ``certainty`` = max_k γ_nk.

    ``_MIN_OPACITY`` (0.12) up to a tie (c ≤ 0.5), 1 for c = 1, quadratic in between: 0.85 gives
    about 0.55, 0.95 about 0.83, 0.99 about 0.97.

    Parameters
    ----------
    certainty : float or array_like
        Values of max_k γ_nk, in [0, 1].

    Returns
    -------
    ndarray
        Opacities in [0.12, 1], same shape.
    """
    return _MIN_OPACITY + (1.0 - _MIN_OPACITY) * _certainty_weight(certainty)


def _certainty_area(certainty: Any, size: float) -> np.ndarray:
    return size * (_MIN_AREA + (1.0 - _MIN_AREA) * _certainty_weight(certainty))


def soft_colors(resp: Any, palette: Any = None, *, certainty: str = "opacity") -> np.ndarray:
    """Colour each point by its responsibilities γ_n: the colour it is drawn with.

    Hue and certainty are two channels. With ``certainty="opacity"`` (the default) a point takes
    the colour of its most responsible component and an opacity that grows with its certainty
    max_k γ_nk (:func:`certainty_opacity`): a point shared 50/50 is a faint fill of a component
    colour (inside an opaque outline, see :func:`plot_points`), never the grey of an unassigned
    point, and γ = 0.85 is visibly fainter than γ = 1. ``"size"`` gives the same opaque colours
    (the certainty is then the marker's area). ``"blend"`` is the γ-weighted mix
    ``γ_n · palette``; it has no certainty channel, and a 50/50 blue–orange point comes out grey.

    Parameters
    ----------
    resp : array_like, shape (n, K)
        Responsibilities γ; rows sum to 1.
    palette : K colours, optional
        Defaults to :func:`gmmviz.palette.component_colors` (K).
    certainty : {"opacity", "size", "blend"}

    Returns
    -------
    ndarray, shape (n, 4)
        RGBA rows in [0, 1].
    """
    mode = _check_certainty(certainty)
    r = _check_resp(resp)
    pal = _check_palette(palette, r.shape[1])
    if mode == "blend":
        return np.clip(r @ pal, 0.0, 1.0)
    colors = pal[np.argmax(r, axis=1)]
    if mode == "opacity":
        colors[:, 3] = certainty_opacity(r.max(axis=1))
    return colors


def _point_colors(
    resp: np.ndarray | None, palette: Any, hard: bool, n_points: int, certainty: str = "opacity"
) -> np.ndarray:
    """Face colours of one frame's points: grey without γ, else soft (or arg-max) colours."""
    if resp is None:
        return np.tile(GREY, (n_points, 1))
    resp = check_resp(resp, n_points)
    if hard and certainty == "blend":
        return _check_palette(palette, resp.shape[1])[np.argmax(resp, axis=1)]
    return soft_colors(resp, palette, certainty=certainty)


def _marker_path(marker: Any) -> Path:
    # What ax.scatter does with marker=: the marker's unit path in its own transform.
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


def _component_paths(n_components: int) -> list[Path]:
    return [_marker_path(m) for m in component_markers(n_components)]


_CIRCLE = _marker_path("o")


# --------------------------------------------------------------------------------------------
# Covariance geometry
# --------------------------------------------------------------------------------------------
def _marginal(params: Any, dims: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Means (K, 2) and covariances (K, 2, 2) of the 2-D marginals on ``dims``.

    The marginal of a Gaussian on some coordinates keeps exactly the matching rows and columns
    of its covariance; this is what an ellipse of a d > 2 model must show, not a slice of an
    eigen-decomposition of the full matrix.
    """
    full = _full_covariances(params)
    dims = check_dims(dims, full.shape[-1])
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dims]
    return means, full[:, dims][:, :, dims]


def _marginal_params(params: Any, dims: Sequence[int]) -> GMMParams:
    """The mixture of the marginals on ``dims`` (one or two features), as full-covariance params.

    Marginals of Gaussians are Gaussians with the matching entries of μ_k and Σ_k, so em's own
    density functions evaluate the pictures' densities.
    """
    dims = list(dims)
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dims]
    return GMMParams(params.weights, means, _full_covariances(params)[:, dims][:, :, dims], "full")


def ellipse_geometry(cov2: Any, radius: float = 1.0) -> tuple[float, float, float]:
    """Size and orientation of one ellipse of a 2-D Gaussian: the points at Mahalanobis distance
    ``radius`` from its mean.

    The drawing functions call this once per ring of their ``n_std`` sequence.

    Parameters
    ----------
    cov2 : array_like, shape (2, 2)
        Symmetric positive semi-definite covariance.
    radius : float, default 1.0
        Mahalanobis radius r of the ellipse {x : (x - μ)ᵀ Σ⁻¹ (x - μ) = r²}.

    Returns
    -------
    width, height : float
        Full axis lengths ``2 r sqrt(λ)`` along the major and the minor eigenvector.
    angle : float
        Angle of the major axis in degrees, counter-clockwise from +x, in [0, 180): pass it to
        ``Ellipse(..., angle=angle)`` by keyword (positional use broke in matplotlib 3.8).
    """
    c = np.asarray(cov2, dtype=float)
    if c.shape != (2, 2):
        raise ValueError(f"cov2 must have shape (2, 2), got {c.shape}.")
    if not np.all(np.isfinite(c)):
        raise ValueError("cov2 contains NaN or infinite values.")
    vals, vecs = np.linalg.eigh((c + c.T) / 2)  # ascending eigenvalues
    # Tiny negative eigenvalues are round-off of a singular matrix: treat them as zero width.
    vals = np.clip(vals, 0.0, None)
    major = vecs[:, 1]
    angle = float(np.degrees(np.arctan2(major[1], major[0])) % 180.0)
    scale = 2.0 * float(radius)
    return scale * float(np.sqrt(vals[1])), scale * float(np.sqrt(vals[0])), angle


def _ellipse_alphas(weights: Any, *, lo: float = 0.25, hi: float = 0.95) -> np.ndarray:
    """Opacity per component in [lo, hi], growing with its mixing weight (heaviest: ``hi``)."""
    w = np.clip(np.asarray(weights, dtype=float).ravel(), 0.0, None)
    top = w.max() if w.size and w.max() > 0 else 1.0
    return lo + (hi - lo) * (w / top)


_EDGE_DARKEN = 0.6


def _edge_color(color: Any, alpha: float) -> np.ndarray:
    # Darker than the points' colour: a ring the same colour as its points vanishes into them.
    rgba = np.array(to_rgba_array(color)[0], dtype=float)
    rgba[:3] *= _EDGE_DARKEN
    rgba[3] = alpha
    return rgba


def _ring_widths(n_rings: int) -> list[float]:
    # Outer rings thinner: the 1-sd ellipse is the one learners should read first.
    return [max(0.6, 2.0 - 0.5 * i) for i in range(n_rings)]


def _place_rings(
    rings: Sequence[Ellipse], means: np.ndarray, covs: np.ndarray, n_std: tuple[float, ...]
) -> None:
    """Move rings (component-major: all radii of component 1, then component 2, ...) in place."""
    n = len(n_std)
    for j, (m, c) in enumerate(zip(means, covs)):
        for i, s in enumerate(n_std):
            w, h, a = ellipse_geometry(c, s)
            e = rings[j * n + i]
            e.set_center(tuple(m))
            e.set_width(w)
            e.set_height(h)
            e.set_angle(a)


def _add_rings(
    ax: Axes,
    rings: Sequence[Ellipse],
    means: np.ndarray,
    covs: np.ndarray,
    n_std: tuple[float, ...],
    autolim: bool,
) -> None:
    # Shaped before they are added: add_patch widens the data limits to a patch's extent as it is
    # then (a ring added empty at the origin would count the origin and miss the ring).
    _place_rings(rings, means, covs, n_std)
    for e in rings:
        if autolim:
            ax.add_patch(e)
        else:
            ax.add_artist(e)  # clipped to the axes like a patch, but not in the data limits
    if autolim and rings:
        ax.autoscale_view()  # add_patch alone does not rescale; limits set by hand stay


def _check_ring_count(rings: Sequence[Any], k: int, n_std: tuple[float, ...], again: str) -> None:
    if len(rings) != k * len(n_std):
        raise ValueError(
            f"got {len(rings)} ellipses for {k} components x {len(n_std)} radii (n_std={n_std}); "
            f"pass the n_std used to draw them, or when the number of components changes remove "
            f"the old ones and call {again} again."
        )


def plot_ellipses(
    ax: Axes,
    params: Any,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1, 2, 3),
    palette: Any = None,
    linewidth: float | None = None,
    autolim: bool = True,
) -> list[Ellipse]:
    """Draw each component's ``n_std`` ellipses (outlines), opacity by mixing weight.

    The ellipses count for the axes' autoscaling (``autolim=True``), so limits set from the
    data include the outermost ring instead of cutting it off; limits set by hand (or autoscaling
    switched off, as in the explorers) are left alone.

    Parameters
    ----------
    ax : Axes
    params : GMMParams-like
        Any covariance type; for d > 2 the ellipses of the marginals on ``dims``.
    dims : pair of int
        Which two features to show.
    n_std : sequence of float
        Mahalanobis radii, one ellipse each.
    palette : K colours, optional
        Defaults to :func:`gmmviz.palette.component_colors`; outlines are drawn a shade darker
        so a ring stays visible on top of points of its own colour.
    linewidth : float, optional
        Same width for all rings; default thinner for outer rings.
    autolim : bool
        Widen the axes' data limits to every ring (their exact extent). False: the rings do not
        change the limits (e.g. early EM steps with huge ellipses).

    Returns
    -------
    list of Ellipse, length K * len(n_std)
        Component-major order (all rings of component 1, then component 2, ...), the order
        :func:`update_ellipses` expects.
    """
    radii = check_n_std(n_std)
    means, covs = _marginal(params, dims)
    k = means.shape[0]
    pal = _check_palette(palette, k)
    alphas = _ellipse_alphas(params.weights)
    widths = _ring_widths(len(radii)) if linewidth is None else [linewidth] * len(radii)
    rings = []
    for j in range(k):
        edge = _edge_color(pal[j], alphas[j])
        for lw in widths:
            rings.append(
                Ellipse(
                    xy=(0.0, 0.0),
                    width=0.0,
                    height=0.0,
                    facecolor="none",
                    edgecolor=edge,
                    linewidth=lw,
                    zorder=3,
                )
            )
    _add_rings(ax, rings, means, covs, radii, autolim)
    _label_axes(ax, dims)
    return rings


def update_ellipses(
    ellipses: Sequence[Ellipse],
    params: Any,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1, 2, 3),
) -> list[Ellipse]:
    """Move and reshape ellipses made by :func:`plot_ellipses` to show ``params``.

    Only geometry and opacity change; no artist is created, so a widget or an animation can call
    this on every frame. ``n_std`` and the number of components must be those drawn.

    Returns
    -------
    list of Ellipse
        The same ellipses (handy for ``FuncAnimation(blit=True)``).
    """
    radii = check_n_std(n_std)
    means, covs = _marginal(params, dims)
    k = means.shape[0]
    _check_ring_count(ellipses, k, radii, "plot_ellipses")
    _place_rings(ellipses, means, covs, radii)
    alphas = _ellipse_alphas(params.weights)
    for j, e in enumerate(ellipses):
        # Keep the ring's own colour (set by plot_ellipses); only the opacity follows π_k.
        edge = np.array(e.get_edgecolor(), dtype=float)
        edge[3] = alphas[j // len(radii)]
        e.set_edgecolor(edge)
    return list(ellipses)


# --------------------------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------------------------
def _check_points(X: Any, dims: Sequence[int]) -> tuple[np.ndarray, tuple[int, int]]:
    x = check_array(X)
    return x, check_dims(dims, x.shape[1])


def _set_shapes(points: PathCollection, resp: np.ndarray | None, hard: bool) -> None:
    if hard and resp is not None:
        # One path per point: PathCollection draws path i for offset i.
        shapes = _component_paths(resp.shape[1])
        points.set_paths([shapes[j] for j in np.argmax(resp, axis=1)])
    elif len(points.get_paths()) > 1:
        # Was a hard scatter: soft colours (or grey) are drawn as circles.
        points.set_paths([_CIRCLE])


# What plot_points chose for a scatter, so that update_points (every frame of an explorer or an
# animation) draws it the same way: certainty mode, base area, whether it owns the outlines.
_STYLE = "_gmmviz_points"


def _apply_certainty(points: PathCollection, resp: np.ndarray | None, colors: np.ndarray) -> None:
    """Outlines and areas of the certainty channel; only arrays, never new artists."""
    style = getattr(points, _STYLE, None)
    if style is None:
        return
    mode, size, outline = style
    if outline:
        # The opaque outline in the fill's own colour: a faint (uncertain) point stays a visible ring.
        edges = colors.copy()
        edges[:, 3] = 1.0
        points.set_edgecolors(edges)
    if mode == "size":
        points.set_sizes([size] if resp is None else _certainty_area(resp.max(axis=1), size))


def plot_points(
    ax: Axes,
    X: Any,
    resp: Any = None,
    *,
    dims: Sequence[int] = (0, 1),
    palette: Any = None,
    hard: bool = False,
    size: float = 12.0,
    certainty: str = "opacity",
    **scatter_kwargs: Any,
) -> PathCollection:
    """Scatter the data, coloured by responsibilities (grey when ``resp`` is None).

    Two channels: the hue says *which* component is most responsible for a point, the certainty
    max_k γ_nk says *how sure* that is (see :func:`soft_colors`). By default (``"opacity"``) the
    certainty is the fill's opacity inside an opaque outline of the same hue: a certain point is
    a filled dot, a 50/50 point a ring with a faint fill, never the grey of an unassigned point.
    Name the channel with :func:`plot_certainty_legend`.

    Parameters
    ----------
    ax : Axes
    X : array_like, shape (n, d), d >= 2
    resp : array_like, shape (n, K), optional
        Responsibilities γ.
    dims : pair of int
        Which two features to show.
    palette : K colours, optional
    hard : bool
        Show hard labels: colour *and marker shape* of the arg-max component
        (:func:`gmmviz.palette.component_markers`), so labels differ without colour too.
    size : float
        Marker area in points² (of a certain point, with ``certainty="size"``).
    certainty : {"opacity", "size", "blend"}
        How certainty is shown: fill opacity (default), marker area (opaque colours, no
        outline), or ``"blend"``: the γ-weighted mix of the colours (no certainty channel; the
        look before gmmviz 3). Passing ``alpha=`` overrides the opacity channel.
    **scatter_kwargs
        Passed to ``ax.scatter`` (``marker=`` only without ``hard``); ``linewidths=`` or
        ``edgecolors=`` replace the outline.

    Returns
    -------
    PathCollection
        Update it with :func:`update_points` (which keeps ``certainty`` and ``size``).
    """
    mode = _check_certainty(certainty)
    x, dims = _check_points(X, dims)
    r = None if resp is None else _check_resp(resp)
    if hard and r is not None and "marker" in scatter_kwargs:
        raise ValueError("hard=True draws each component with its own marker; leave out marker=.")
    colors = _point_colors(r, palette, hard, x.shape[0], mode)
    outline = mode == "opacity" and not (
        {"linewidths", "linewidth", "lw", "edgecolors", "edgecolor", "ec"} & set(scatter_kwargs)
    )
    scatter_kwargs.setdefault("linewidths", _OUTLINE if outline else 0)
    scatter_kwargs.setdefault("zorder", 2)
    points = ax.scatter(x[:, dims[0]], x[:, dims[1]], s=size, c=colors, **scatter_kwargs)
    setattr(points, _STYLE, (mode, float(size), outline))
    _apply_certainty(points, r, colors)
    _set_shapes(points, r, hard)
    _label_axes(ax, dims)
    return points


def update_points(
    points: PathCollection,
    resp: Any = None,
    *,
    palette: Any = None,
    hard: bool = False,
    X: Any = None,
    dims: Sequence[int] = (0, 1),
    certainty: str | None = None,
) -> PathCollection:
    """Recolour (and optionally move) a scatter made by :func:`plot_points`, in place.

    Only the collection's arrays change (colours, outlines, areas, offsets): no artist is
    made, so an explorer can call this on every frame.

    Parameters
    ----------
    points : PathCollection
    resp : array_like, shape (n, K), optional
        None gives grey points.
    palette : K colours, optional
    hard : bool
        As in :func:`plot_points`: colours and marker shapes follow the arg-max component.
        Switching a hard scatter back to soft colours draws circles.
    X : array_like, shape (n, d), optional
        New positions; omit to keep the points where they are.
    dims : pair of int
        Features of ``X`` to show.
    certainty : {"opacity", "size", "blend"}, optional
        Default: what :func:`plot_points` was given.

    Returns
    -------
    PathCollection
        The same artist.
    """
    style = getattr(points, _STYLE, ("opacity", 12.0, False))
    mode = style[0] if certainty is None else _check_certainty(certainty)
    if mode != style[0]:
        setattr(points, _STYLE, (mode, style[1], style[2] and mode == "opacity"))
    n = len(points.get_offsets())
    if X is not None:
        x, dims = _check_points(X, dims)
        points.set_offsets(x[:, dims])
        n = x.shape[0]
    r = None if resp is None else _check_resp(resp)
    colors = _point_colors(r, palette, hard, n, mode)
    points.set_facecolors(colors)
    _apply_certainty(points, r, colors)
    _set_shapes(points, r, hard)
    return points


def _legend_marker_size(size: float) -> float:
    # Legend swatches a little larger than the points: a 12 pt² dot is too small to read a fill.
    return float(np.sqrt(max(size, 40.0)))


def _certainty_handles(
    certainty: str, levels: Sequence[float], color: Any, size: float
) -> tuple[list[Line2D], list[str]]:
    rgba = np.array(to_rgba_array(color)[0], dtype=float)
    base = _legend_marker_size(size)
    handles, labels = [], []
    for c in levels:
        face = rgba.copy()
        ms = base
        if certainty == "opacity":
            face[3] = float(certainty_opacity(c))
        elif certainty == "size":
            ms = base * float(np.sqrt(_certainty_area(c, 1.0)))
        edge = rgba.copy() if certainty == "opacity" else face
        handles.append(
            Line2D(
                [], [], ls="none", marker="o", ms=ms, mfc=face, mec=edge, mew=_OUTLINE * base / np.sqrt(size)
            )
        )
        note = " (certain)" if c >= 1 else " (a tie)" if c <= 0.5 else ""
        labels.append(f"{c:g}{note}")
    return handles, labels


def _unassigned_handle(size: float) -> Line2D:
    return Line2D([], [], ls="none", marker="o", ms=_legend_marker_size(size), mfc=GREY, mec=GREY)


def plot_certainty_legend(
    ax: Axes,
    *,
    certainty: str = "opacity",
    levels: Sequence[float] = CERTAINTY_LEVELS,
    color: Any = None,
    size: float = 12.0,
    unassigned: bool = False,
    loc: str = "upper left",
    title: str = r"largest $\gamma_{nk}$",
    **legend_kwargs: Any,
) -> Legend:
    """A small legend saying what a point's fill (or size) means: its certainty max_k γ_nk.

    It is added beside any legend the axes already has (it does not replace it).

    Parameters
    ----------
    ax : Axes
    certainty : {"opacity", "size"}
        The channel :func:`plot_points` was drawn with.
    levels : sequence of float
        The certainties shown, e.g. ``(1.0, 0.95, 0.85, 0.5)``.
    color : colour, optional
        Swatch colour; default component 1's. Every component colour fades the same way.
    size : float
        The points' ``size`` (the swatches are drawn at least a little larger).
    unassigned : bool
        Add a grey swatch: "no γ yet" (the start frame).
    loc : str
        Legend location.
    title : str
    **legend_kwargs
        Passed to ``matplotlib.legend.Legend``.

    Returns
    -------
    Legend
    """
    mode = _check_certainty(certainty)
    if mode == "blend":
        raise ValueError('certainty="blend" has no certainty channel to explain; use "opacity" or "size".')
    color = component_colors(1)[0] if color is None else color
    handles, labels = _certainty_handles(mode, levels, color, size)
    if unassigned:
        handles.append(_unassigned_handle(size))
        labels.append("grey: no γ yet")
    legend_kwargs.setdefault("fontsize", "small")
    legend_kwargs.setdefault("title_fontsize", "small")
    legend_kwargs.setdefault("framealpha", 0.9)
    legend = Legend(ax, handles, labels, loc=loc, title=title, **legend_kwargs)
    ax.add_artist(legend)
    # Not clipped to the axes: placed outside them (bbox_to_anchor), it still counts in a tight bounding box, so a
    # notebook's picture (saved with bbox_inches="tight") keeps it instead of cutting it off.
    legend.set_clip_on(False)
    return legend


# --------------------------------------------------------------------------------------------
# Means and what an M-step moved
# --------------------------------------------------------------------------------------------
def _number_label(
    ax: Axes, j: int, xy: tuple[float, float], xytext: tuple[float, float] = (6, 6), **kwargs: Any
) -> Annotation:
    # Component j's number (1-based, as in the maths), dark on a white halo: readable on any
    # background, and it names the component without relying on colour.
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    return ax.annotate(
        str(j + 1),
        xy=xy,
        xytext=xytext,
        textcoords="offset points",
        fontsize=10,
        fontweight="bold",
        color="0.1",
        zorder=6,
        path_effects=halo,
        **kwargs,
    )


class Means(NamedTuple):
    """Artists of :func:`plot_means`."""

    #: One marker per μ_k, in the component's colour and marker shape.
    markers: PathCollection
    #: The component numbers 1..K written beside the means.
    numbers: list[Annotation]


def plot_means(
    ax: Axes, params: Any, *, dims: Sequence[int] = (0, 1), palette: Any = None, size: float = 60.0
) -> Means:
    """Mark each component's mean μ_k with its marker in its colour, and its number k.

    Numbers are 1-based like the maths (μ_1, ..., μ_K) and dark on a white halo, so they are
    readable on any background and tell components apart without colour.

    Parameters
    ----------
    ax : Axes
    params : GMMParams-like
    dims : pair of int
    palette : K colours, optional
    size : float
        Marker area in points².

    Returns
    -------
    Means
        ``markers`` and ``numbers``; move them with :func:`update_means`.
    """
    means, _ = _marginal(params, dims)
    k = means.shape[0]
    pal = _check_palette(palette, k)
    markers = ax.scatter(
        means[:, 0], means[:, 1], s=size, c=pal, edgecolors="white", linewidths=1.3, zorder=5
    )
    markers.set_paths(_component_paths(k))
    numbers = [_number_label(ax, j, tuple(m)) for j, m in enumerate(means)]
    _label_axes(ax, dims)
    return Means(markers, numbers)


def update_means(means: Means, params: Any, *, dims: Sequence[int] = (0, 1)) -> list[Artist]:
    """Move what :func:`plot_means` drew to the means of ``params`` (same K).

    Returns
    -------
    list of Artist
        The markers and the numbers.
    """
    mu, _ = _marginal(params, dims)
    if len(means.numbers) != mu.shape[0]:
        raise ValueError(
            f"the markers show {len(means.numbers)} means but params has "
            f"{mu.shape[0]} components; call plot_means again when K changes."
        )
    means.markers.set_offsets(mu)
    for text, m in zip(means.numbers, mu):
        text.xy = tuple(m)
    return [means.markers, *means.numbers]


class Shift(NamedTuple):
    """Artists of :func:`plot_shift`."""

    #: Dashed ellipses where the components were, component-major like :func:`plot_ellipses`.
    rings: list[Ellipse]
    #: One segment per component, from its old mean to its new one.
    trails: LineCollection


def plot_shift(
    ax: Axes,
    before: Any,
    after: Any = None,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1,),
    palette: Any = None,
    autolim: bool = True,
) -> Shift:
    """Show where an M-step moved the components from: ``before``'s ``n_std`` rings, dashed,
    and a line from each old mean to the new one (the mean of ``after``).

    Parameters
    ----------
    ax : Axes
    before : GMMParams-like
        The parameters before the M-step (``frame.previous_params``).
    after : GMMParams-like, optional
        The parameters after it (``frame.params``); None draws no lines.
    dims : pair of int
    n_std : sequence of float, default (1,)
        Radii of the dashed rings (one ring per component by default: more would clutter).
    palette : K colours, optional
    autolim : bool
        The dashed rings of ``before`` count for the axes' autoscaling (as in :func:`plot_ellipses`).

    Returns
    -------
    Shift
        ``rings`` and ``trails``; :func:`update_shift` moves them, or hides them
        (``before=None``) on frames without a move.
    """
    radii = check_n_std(n_std)
    k = _n_components(before)
    pal = _check_palette(palette, k)
    rings = []
    for j in range(k):
        for _ in radii:
            e = Ellipse(
                xy=(0.0, 0.0),
                width=0.0,
                height=0.0,
                facecolor="none",
                edgecolor=_edge_color(pal[j], 0.9),
                linewidth=1.5,
                linestyle=(0, (3, 2)),
                zorder=3,
            )
            rings.append(e)
    means, covs = _marginal(before, dims)
    _add_rings(ax, rings, means, covs, radii, autolim)
    trails = LineCollection([], colors=[_edge_color(c, 1.0) for c in pal], linewidths=1.8, zorder=4)
    ax.add_collection(trails, autolim=False)
    shift = Shift(rings, trails)
    update_shift(shift, before, after, dims=dims, n_std=radii)
    _label_axes(ax, dims)
    return shift


def update_shift(
    shift: Shift,
    before: Any,
    after: Any = None,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1,),
) -> list[Artist]:
    """Point what :func:`plot_shift` drew at a new move; ``before=None`` hides it.

    Returns
    -------
    list of Artist
        The rings and the trails.
    """
    radii = check_n_std(n_std)
    changed = [*shift.rings, shift.trails]
    if before is None:
        for a in changed:
            a.set_visible(False)
        return changed
    means, covs = _marginal(before, dims)
    _check_ring_count(shift.rings, means.shape[0], radii, "plot_shift")
    _place_rings(shift.rings, means, covs, radii)
    if after is None:
        shift.trails.set_segments([])
    else:
        new, _ = _marginal(after, dims)
        shift.trails.set_segments([np.array([m0, m1]) for m0, m1 in zip(means, new)])
    for a in changed:
        a.set_visible(True)
    return changed


# --------------------------------------------------------------------------------------------
# What a frame shows
# --------------------------------------------------------------------------------------------
def _frame_title(frame: Any) -> str:
    # Two lines: an axes is narrower than the sentence.
    text = frame_text(frame, mathtext=True)
    return f"{text.label}, {text.when}\n{text.what}"


# --------------------------------------------------------------------------------------------
# Log-likelihood curve
# --------------------------------------------------------------------------------------------
def _check_ll(log_likelihoods: Any) -> np.ndarray:
    ll = np.asarray(log_likelihoods, dtype=float).ravel()
    if ll.size == 0:
        raise ValueError("log_likelihoods is empty; pass history.log_likelihoods of a fit.")
    if not np.all(np.isfinite(ll)):
        raise ValueError("log_likelihoods contains NaN or infinite values.")
    return ll


def _padded(lo: float, hi: float, frac: float = 0.08) -> tuple[float, float]:
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    return lo - frac * span, hi + frac * span


# The start is left off the scale when showing it would squeeze every later value into less
# than a third of the panel's height.
_OFF_SCALE = 2.0


def _ll_limits(ll: np.ndarray) -> tuple[float, float]:
    """y-limits of the ln p(X) panel.

    EM's first step often gains far more than all later ones together; on a scale that shows
    the start, the rest of the curve is a flat line. Then the limits cover iterations 1..T and
    the start is drawn as an arrow at the bottom edge with its value written out.
    """
    if ll.size >= 3:
        rest_lo, rest_hi = float(ll[1:].min()), float(ll[1:].max())
        span = rest_hi - rest_lo
        if span > 0 and rest_lo - ll[0] > _OFF_SCALE * span:
            return _padded(rest_lo, rest_hi)
    return _padded(float(ll.min()), float(ll.max()))


class LogLikelihoodCurve(NamedTuple):
    """Artists of :func:`plot_log_likelihood`."""

    #: ln p(X) against the iteration.
    curve: Line2D
    #: Ring around the current iteration's value.
    marker: Line2D
    #: "start ↓" arrow at the bottom edge with the start's value, visible only when the start is
    #: below the panel's y-limits.
    start: Annotation


def plot_log_likelihood(
    ax: Axes, log_likelihoods: Any, current: int | None = None, *, color: Any = "0.2"
) -> LogLikelihoodCurve:
    """Plot ln p(X) against the iteration, with a ring at the current one.

    The y-limits keep the curve readable after EM's first big jump: when the start lies far
    below every later value (more than twice their range), the panel shows iterations 1..T and
    the start becomes an arrow at the bottom edge labelled with its value; the line from it
    leaves the panel downwards. Otherwise every value is in view. A second curve drawn on the
    same axes widens the limits to show both. Axes are labelled "iteration" and "ln p(X)".

    Parameters
    ----------
    ax : Axes
    log_likelihoods : array_like, shape (n_iter + 1,)
        ``history.log_likelihoods``: entry t is ln p(X) under ``params[t]`` (t = 0 is the
        start), one point per iteration.
    current : int, optional
        Iteration to mark (an E-frame of iteration t shows ``params[t - 1]``, an M-frame
        ``params[t]``); None hides the ring.
    color : colour
        Of the curve.

    Returns
    -------
    LogLikelihoodCurve
        ``curve``, ``marker`` (move it with :func:`update_log_likelihood`) and ``start``.
    """
    ll = _check_ll(log_likelihoods)
    # A second curve on the same axes (e.g. two starts compared) widens the limits, never cuts
    # the first one off.
    others = bool(ax.lines)
    it = np.arange(ll.size)
    (curve,) = ax.plot(it, ll, "-o", color=color, markersize=3, linewidth=1.2)
    (marker,) = ax.plot(
        [], [], "o", color="0.05", markersize=9, zorder=5, markerfacecolor="none", markeredgewidth=2
    )
    update_log_likelihood(marker, ll, current)
    lo, hi = _ll_limits(ll)
    x_hi = max(ll.size - 1, 1) + 0.5
    if others:
        (lo0, hi0), (_, x_hi0) = ax.get_ylim(), ax.get_xlim()
        lo, hi, x_hi = min(lo, lo0), max(hi, hi0), max(x_hi, x_hi0)
    ax.set_ylim(lo, hi)
    ax.set_xlim(-0.5, x_hi)
    off_scale = bool(ll[0] < lo)
    # x in data, y in axes coordinates: the arrow ends on the bottom edge above iteration 0.
    start = ax.annotate(
        f"start: {ll[0]:.4g}",
        xy=(0, 0),
        xycoords=ax.get_xaxis_transform(),
        xytext=(6, 22),
        textcoords="offset points",
        fontsize="small",
        color="0.25",
        arrowprops={"arrowstyle": "-|>", "color": "0.25", "shrinkA": 0, "shrinkB": 0},
        annotation_clip=False,
        visible=off_scale,
        # On white paper above the curve: the curve's first steps run right through here.
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        zorder=6,
    )
    ax.set_xlabel("iteration")
    ax.set_ylabel("ln p(X)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return LogLikelihoodCurve(curve, marker, start)


def update_log_likelihood(
    marker: Line2D, log_likelihoods: Any, current: int | None, curve: Line2D | None = None
) -> Line2D:
    """Move the current-iteration ring (and, if given, replace the curve's data).

    Parameters
    ----------
    marker : Line2D
        ``LogLikelihoodCurve.marker``.
    log_likelihoods : array_like
        The values to show (e.g. only those "so far" in an animation).
    current : int or None
        Index into ``log_likelihoods``; None hides the ring.
    curve : Line2D, optional
        ``LogLikelihoodCurve.curve``, given the new values too.

    Returns
    -------
    Line2D
        The marker.
    """
    ll = _check_ll(log_likelihoods)
    if curve is not None:
        curve.set_data(np.arange(ll.size), ll)
    if current is None:
        marker.set_data([], [])
    else:
        t = int(current)
        if not 0 <= t < ll.size:
            raise ValueError(f"current={t} is outside the curve's iterations 0..{ll.size - 1}.")
        marker.set_data([t], [ll[t]])
    return marker


# --------------------------------------------------------------------------------------------
# Densities
# --------------------------------------------------------------------------------------------
def _mixture_density(points: np.ndarray, params: Any, dims: Sequence[int]) -> np.ndarray:
    """Density of the mixture's 2-D marginal on ``dims`` at ``points`` (m, 2), by em's maths."""
    return np.exp(log_density(points, _marginal_params(params, dims)))


def _density_extent(
    means: np.ndarray, covs: np.ndarray, pad: float = 3.5
) -> tuple[float, float, float, float]:
    sd = np.sqrt(np.stack([covs[:, 0, 0], covs[:, 1, 1]], axis=1))
    lo = (means - pad * sd).min(axis=0)
    hi = (means + pad * sd).max(axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def plot_density(
    ax: Axes,
    params: Any,
    *,
    dims: Sequence[int] = (0, 1),
    extent: Sequence[float] | None = None,
    n_grid: int = 120,
    levels: Any = 8,
    filled: bool = False,
    labels: bool | None = None,
    colorbar: bool | str = False,
    **contour_kwargs: Any,
):
    """Contours of the mixture density (its marginal on ``dims`` for d > 2).

    A contour plot says which values its lines are: line contours are labelled with their
    density values by default, filled ones get a colour bar when asked (``colorbar=True``).

    Parameters
    ----------
    ax : Axes
    params : GMMParams-like
    dims : pair of int
    extent : (xmin, xmax, ymin, ymax), optional
        Grid limits; default 3.5 standard deviations around every component.
    n_grid : int
        Grid points per axis.
    levels : int or sequence
        Passed to ``contour``.
    filled : bool
        ``contourf`` instead of ``contour``.
    labels : bool, optional
        Write each line's density value on it (``clabel``); default True for line contours,
        False for filled ones. The texts are ``contours.labelTexts``.
    colorbar : bool or str
        Add a colour bar beside the axes (a string is its label; True: "density p(x)"). It is
        ``contours.colorbar``.

    Returns
    -------
    QuadContourSet
    """
    means, covs = _marginal(params, dims)
    x0, x1, y0, y1 = extent if extent is not None else _density_extent(means, covs)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n_grid), np.linspace(y0, y1, n_grid))
    z = _mixture_density(np.column_stack([gx.ravel(), gy.ravel()]), params, dims).reshape(gx.shape)
    contour_kwargs.setdefault("cmap", "viridis")
    draw = ax.contourf if filled else ax.contour
    contours = draw(gx, gy, z, levels=levels, **contour_kwargs)
    if labels if labels is not None else not filled:
        ax.clabel(contours, fmt=_density_label, fontsize="x-small", inline=True, inline_spacing=2)
    if colorbar:
        bar = ax.figure.colorbar(contours, ax=ax, shrink=0.85)
        bar.set_label(colorbar if isinstance(colorbar, str) else "density p(x)")
    _label_axes(ax, dims)
    return contours


def _density_label(value: float) -> str:
    return f"{value:.2g}"


# --------------------------------------------------------------------------------------------
# One-dimensional data
# --------------------------------------------------------------------------------------------
def weighted_component_pdfs(grid: Any, params: Any, dim: int = 0) -> np.ndarray:
    """π_k N(x | μ_k, σ_k²) on a 1-D grid, for the marginal on feature ``dim``.

    Parameters
    ----------
    grid : array_like, shape (m,)
    params : GMMParams-like, any covariance type
    dim : int
        Feature whose marginal is shown.

    Returns
    -------
    ndarray, shape (K, m)
        One row per component; the rows sum to the mixture pdf.
    """
    grid = np.asarray(grid, dtype=float).ravel()
    return np.exp(weighted_log_prob(grid[:, np.newaxis], _marginal_params(params, (dim,)))).T


class View1D(NamedTuple):
    """Artists of :func:`plot_1d`."""

    #: Density-normalised histogram of the data.
    hist: BarContainer
    #: π_k N(x | μ_k, σ_k²), one line per component in its colour.
    components: list[Line2D]
    #: The mixture pdf, the sum of the component lines.
    mixture: Line2D
    #: The component numbers 1..K above each component's peak π_k N(μ_k | μ_k, σ_k²) (empty when
    #: not written: by default for K = 1).
    numbers: list[Annotation]
    #: Ticks under the zero line coloured by γ (grey without); None when ``strip=False``.
    strip: PathCollection | None


def _place_peak_numbers(numbers: Sequence[Annotation], params: Any, dim: int) -> None:
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dim]
    peaks = weighted_component_pdfs(means, params, dim)[np.arange(means.size), np.arange(means.size)]
    for text, m, top in zip(numbers, means, peaks):
        text.xy = (float(m), float(top))


def plot_1d(
    ax: Axes,
    X: Any,
    params: Any,
    resp: Any = None,
    *,
    dim: int = 0,
    bins: Any = 30,
    palette: Any = None,
    grid: Any = None,
    n_grid: int = 400,
    strip: bool = True,
    numbers: bool | None = None,
) -> View1D:
    """The 1-D view: histogram, each weighted component pdf, the mixture pdf, a responsibility strip.

    Parameters
    ----------
    ax : Axes
    X : array_like, shape (n,) or (n, d)
    params : GMMParams-like
        Any covariance type; for d > 1 the marginal on feature ``dim``.
    resp : array_like, shape (n, K), optional
        Shown as a strip of ticks under the zero line, coloured as in :func:`soft_colors`
        (grey when None).
    dim : int
        Feature to show.
    bins : int or sequence
        Histogram bins (density-normalised, so it is comparable with the pdfs).
    palette : K colours, optional
    grid : array_like, shape (m,), optional
        Where the pdfs are evaluated, kept by :func:`update_1d` (an animation passes one grid
        wide enough for every frame); default ``n_grid`` points over the data and 3.5 standard
        deviations around every component.
    n_grid : int
    strip : bool
        Draw the responsibility strip (hue: the most responsible component, opacity: how sure,
        as in :func:`plot_points`).
    numbers : bool, optional
        Write the component numbers 1..K above the peaks; default only when K > 1 (a single
        Gaussian needs no name).

    Returns
    -------
    View1D
        ``hist``, ``components``, ``mixture``, ``numbers`` (1..K above each component's peak),
        ``strip``; move them with :func:`update_1d`.
    """
    x = check_array(X)
    dim = check_int(dim, "dim", minimum=0)
    if dim >= x.shape[1]:
        raise ValueError(f"dim={dim} but X has {x.shape[1]} feature(s): choose dim in 0..{x.shape[1] - 1}.")
    xs = x[:, dim]
    k = _n_components(params)
    pal = _check_palette(palette, k)
    if grid is None:
        means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dim]
        sd = np.sqrt(_full_covariances(params)[:, dim, dim])
        grid = np.linspace(
            min(xs.min(), (means - 3.5 * sd).min()), max(xs.max(), (means + 3.5 * sd).max()), n_grid
        )
    grid = np.asarray(grid, dtype=float)
    comps = weighted_component_pdfs(grid, params, dim)

    _, _, hist = ax.hist(xs, bins=bins, density=True, color="0.85", edgecolor="0.65", zorder=1)
    comp_lines = [ax.plot(grid, c, color=pal[j], linewidth=1.5, zorder=3)[0] for j, c in enumerate(comps)]
    (mix_line,) = ax.plot(grid, np.sum(comps, axis=0), color="0.1", linewidth=2.2, zorder=4, label="mixture")
    show_numbers = k > 1 if numbers is None else bool(numbers)
    labels = [
        _number_label(ax, j, (0.0, 0.0), xytext=(0, 3), ha="center", va="bottom")
        for j in range(k if show_numbers else 0)
    ]
    _place_peak_numbers(labels, params, dim)
    strip_art = None
    if strip:
        top = ax.get_ylim()[1]
        # Strip sits below y = 0 so it never hides the histogram.
        r = None if resp is None else _check_resp(resp)
        colors = _point_colors(r, pal, False, xs.size)
        strip_art = ax.scatter(
            xs, np.full(xs.size, -0.06 * top), c=colors, marker="|", s=120, linewidths=1.0, zorder=2
        )
        ax.set_ylim(-0.12 * top, top)
        ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=2)
    if not ax.get_xlabel():
        ax.set_xlabel(f"$x_{{{dim + 1}}}$" if x.shape[1] > 1 else "$x$")
    ax.set_ylabel("density")
    return View1D(hist, comp_lines, mix_line, labels, strip_art)


def update_1d(
    view: View1D, params: Any, resp: Any = None, *, dim: int = 0, palette: Any = None
) -> list[Artist]:
    """Move the curves of :func:`plot_1d` onto new parameters and recolour its strip, in place.

    Parameters
    ----------
    view : View1D
        What :func:`plot_1d` returned; the curves keep their grid.
    params : GMMParams-like
        Same K.
    resp : array_like, shape (n, K), optional
        New responsibilities for the strip (grey when None).
    dim : int
        The feature given to :func:`plot_1d`.
    palette : K colours, optional

    Returns
    -------
    list of Artist
        The artists changed.
    """
    grid = np.asarray(view.mixture.get_xdata(), dtype=float)
    comps = weighted_component_pdfs(grid, params, dim)
    if comps.shape[0] != len(view.components):
        raise ValueError(
            f"the view shows {len(view.components)} components but params has "
            f"{comps.shape[0]}; call plot_1d again when K changes."
        )
    for line, c in zip(view.components, comps):
        line.set_data(grid, c)
    view.mixture.set_data(grid, comps.sum(axis=0))
    _place_peak_numbers(view.numbers, params, dim)
    changed: list[Artist] = [*view.components, view.mixture, *view.numbers]
    if view.strip is not None:
        r = None if resp is None else _check_resp(resp)
        colors = _point_colors(
            r, _check_palette(palette, comps.shape[0]), False, len(view.strip.get_offsets())
        )
        # '|' markers are drawn by their edges, so set both.
        view.strip.set_facecolors(colors)
        view.strip.set_edgecolors(colors)
        changed.append(view.strip)
    return changed


# --------------------------------------------------------------------------------------------
# One EM half-step
# --------------------------------------------------------------------------------------------
class FrameArtists(NamedTuple):
    """Artists of :func:`plot_frame`."""

    #: The data, coloured by the frame's γ (grey at the start).
    points: PathCollection
    #: The frame's ``n_std`` ellipses, component-major.
    ellipses: list[Ellipse]
    #: Marker and number of every μ_k.
    means: Means
    #: Where an M-step moved the components from (hidden on other frames).
    shift: Shift
    #: The axes title naming the half-step, or None when ``title=False``.
    title: Text | None
    #: The legend naming what the frame's glyphs mean, or None when ``legend=False``.
    legend: Legend | None = None


def _frame_legend(ax: Axes, frame: Any, pal: np.ndarray, certainty: str, size: float, loc: str) -> Legend:
    """Name every glyph of the frame that is not self-explanatory: the dashed rings and the
    trails of an M-step, the certainty channel of the points (or the grey of the start)."""
    handles: list[Artist] = []
    labels: list[str] = []
    if frame.previous_params is not None:
        edge = _edge_color(pal[0], 0.9)
        handles += [
            Line2D([], [], color=edge, lw=1.5, ls=(0, (3, 2))),
            Line2D([], [], color=_edge_color(pal[0], 1.0), lw=1.8),
        ]
        labels += ["dashed: before this M-step", "line: the mean's move"]
    if frame.resp is None:
        handles.append(_unassigned_handle(size))
        labels.append("grey: no γ yet")
    elif certainty != "blend":
        levels = (1.0, 0.85, 0.5)
        h, lab = _certainty_handles(certainty, levels, pal[0], size)
        handles += h
        labels += [rf"largest $\gamma_{{nk}}$ = {t}" for t in lab]
    return ax.legend(handles, labels, loc=loc, fontsize="small", framealpha=0.9)


def plot_frame(
    ax: Axes,
    X: Any,
    frame: Any,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1, 2, 3),
    palette: Any = None,
    hard: bool = False,
    title: bool = True,
    size: float = 12.0,
    certainty: str = "opacity",
    legend: bool | str = False,
    autolim: bool = True,
    **scatter_kwargs: Any,
) -> FrameArtists:
    """Draw one half-step :class:`gmmviz.em.Frame`: points, ellipses, numbered means, the move.

    The start frame has grey points (nothing assigned yet); E- and M-frames colour points by
    ``frame.resp`` (hue: the most responsible component; fill: how sure, see
    :func:`plot_points`). An M-frame also shows its ``previous_params`` as dashed first-radius
    rings and a line from each old mean to the new one. Reuse the artists with
    :func:`update_frame`.

    Parameters
    ----------
    ax : Axes
    X : array_like, shape (n, d)
        The data of the fit (``history.X``).
    frame : Frame
    dims, n_std, palette, hard, size, certainty
        As in :func:`plot_points` and :func:`plot_ellipses`.
    title : bool
        Title the axes with what the frame shows (from :func:`gmmviz.frame_text`).
    legend : bool or str
        Add a legend naming this frame's glyphs: on an M-frame "dashed: before this M-step" and
        "line: the mean's move"; the points' certainty fills (or "grey: no γ yet" at the start).
        A string is the legend's ``loc`` (True: "best"). Draw it where the glyphs first appear.
    autolim : bool
        The ellipses (and an M-frame's dashed rings) count for the axes' autoscaling, so the
        outer ring is not cut off.
    **scatter_kwargs
        Passed to :func:`plot_points` (e.g. ``marker=``).

    Returns
    -------
    FrameArtists
        ``points``, ``ellipses``, ``means``, ``shift``, ``title``, ``legend``.
    """
    radii = check_n_std(n_std)
    pal = _check_palette(palette, _n_components(frame.params))
    points = plot_points(
        ax, X, frame.resp, dims=dims, palette=pal, hard=hard, size=size, certainty=certainty, **scatter_kwargs
    )
    before = frame.params if frame.previous_params is None else frame.previous_params
    shift = plot_shift(ax, before, dims=dims, n_std=radii[:1], palette=pal, autolim=autolim)
    update_shift(shift, frame.previous_params, frame.params, dims=dims, n_std=radii[:1])
    ellipses = plot_ellipses(ax, frame.params, dims=dims, n_std=radii, palette=pal, autolim=autolim)
    means = plot_means(ax, frame.params, dims=dims, palette=pal)
    text = ax.set_title(_frame_title(frame), fontsize="medium") if title else None
    key = None
    if legend:
        loc = legend if isinstance(legend, str) else "best"
        key = _frame_legend(ax, frame, pal, certainty, size, loc)
    return FrameArtists(points, ellipses, means, shift, text, key)


def update_frame(
    artists: FrameArtists,
    frame: Any,
    *,
    dims: Sequence[int] = (0, 1),
    n_std: Sequence[float] = (1, 2, 3),
    palette: Any = None,
    hard: bool = False,
) -> list[Artist]:
    """Show ``frame`` on artists made by :func:`plot_frame` (same data, same K), in place.

    Returns
    -------
    list of Artist
        Every artist changed (points, ellipses, means, shift, title), e.g. for blitting.
    """
    radii = check_n_std(n_std)
    pal = _check_palette(palette, _n_components(frame.params))
    changed: list[Artist] = [update_points(artists.points, frame.resp, palette=pal, hard=hard)]
    changed += update_ellipses(artists.ellipses, frame.params, dims=dims, n_std=radii)
    changed += update_means(artists.means, frame.params, dims=dims)
    changed += update_shift(artists.shift, frame.previous_params, frame.params, dims=dims, n_std=radii[:1])
    if artists.title is not None:
        artists.title.set_text(_frame_title(frame))
        changed.append(artists.title)
    return changed
