"""Pictures of Gaussian mixtures: ellipses, soft colours, log-likelihood curves, densities.

Every drawing function takes a matplotlib ``ax`` first and returns the artists it made, so
callers (the notebooks, :mod:`gmmviz.widgets`, :mod:`gmmviz.animate`) can keep them and later
update them in place with the ``update_*`` helpers instead of re-plotting. Nothing here fits a
model or touches the global ``plt`` state.

Parameters are anything shaped like :class:`gmmviz.em.GMMParams`: ``weights`` (K,), ``means``
(K, d), ``covariances`` in one of scikit-learn's four layouts and ``covariance_type``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse
from matplotlib.ticker import MaxNLocator

__all__ = [
    "GREY",
    "component_colors",
    "soft_colors",
    "point_colors",
    "weighted_component_pdfs",
    "update_1d",
    "ellipse_geometry",
    "marginal_covariances",
    "ellipse_alphas",
    "plot_ellipses",
    "update_ellipses",
    "plot_points",
    "update_points",
    "plot_means",
    "update_means",
    "plot_shift",
    "update_shift",
    "frame_headline",
    "plot_log_likelihood",
    "update_log_likelihood",
    "frame_param_index",
    "mixture_density",
    "plot_density",
    "plot_1d",
    "plot_frame",
    "update_frame",
]

#: Colour of points before any E-step has assigned them (the "init" frame).
GREY = np.array([0.55, 0.55, 0.55, 1.0])

# The categorical palette: distinguishable, and red/blue mix to purple as the course promises.
_PALETTE_10 = (
    "#1f77b4",  # blue
    "#d62728",  # red
    "#2ca02c",  # green
    "#ff7f0e",  # orange
    "#9467bd",  # purple
    "#8c564b",  # brown
    "#e377c2",  # pink
    "#17becf",  # cyan
    "#bcbd22",  # olive
    "#7f7f7f",  # grey
)


# --------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------
def component_colors(n_components: int) -> np.ndarray:
    """One opaque colour per mixture component.

    Parameters
    ----------
    n_components : int
        Number of components K (>= 1).

    Returns
    -------
    ndarray, shape (K, 4)
        RGBA rows in [0, 1]. The first ten are a fixed categorical palette (blue, red, green,
        ...); beyond ten, evenly spaced hues.
    """
    k = int(n_components)
    if k < 1:
        raise ValueError(f"n_components must be at least 1, got {n_components}.")
    if k <= len(_PALETTE_10):
        return to_rgba_array(_PALETTE_10[:k])
    import matplotlib as mpl

    # Avoid the last hue: hsv wraps around to red again.
    return mpl.colormaps["hsv"](np.linspace(0.0, 1.0, k, endpoint=False))


def _check_palette(palette: Any, n_components: int) -> np.ndarray:
    if palette is None:
        return component_colors(n_components)
    pal = to_rgba_array(palette)
    if pal.shape[0] != n_components:
        raise ValueError(
            f"palette has {pal.shape[0]} colours but there are {n_components} components; "
            f"pass one colour per component (e.g. component_colors({n_components}))."
        )
    return pal


def _check_resp(resp: Any) -> np.ndarray:
    r = np.asarray(resp, dtype=float)
    if r.ndim != 2:
        raise ValueError(
            f"resp must be a 2-D array of responsibilities with shape (n, K), got shape {r.shape}."
        )
    return r


def soft_colors(resp: Any, palette: Any = None) -> np.ndarray:
    """Colour each point by its responsibilities: ``colour_n = γ_n · palette``.

    A point shared 50/50 between a red and a blue component comes out purple.

    Parameters
    ----------
    resp : array_like, shape (n, K)
        Responsibilities γ; rows sum to 1.
    palette : array_like of K colours, optional
        Defaults to :func:`component_colors` (K).

    Returns
    -------
    ndarray, shape (n, 4)
        RGBA rows, ``resp @ palette`` clipped to [0, 1] (clipping only removes round-off).
    """
    r = _check_resp(resp)
    pal = _check_palette(palette, r.shape[1])
    return np.clip(r @ pal, 0.0, 1.0)


def point_colors(resp: Any | None, palette: Any = None, *, hard: bool = False,
                 n_points: int | None = None) -> np.ndarray:
    """Face colours for the points of one frame.

    Parameters
    ----------
    resp : array_like, shape (n, K), or None
        Responsibilities; ``None`` means "not assigned yet" and gives grey points.
    palette : array_like of K colours, optional
    hard : bool
        Colour each point by its most responsible component instead of mixing colours.
    n_points : int, optional
        Number of points, needed only when ``resp`` is None.

    Returns
    -------
    ndarray, shape (n, 4), or (1, 4) grey when ``resp`` is None and ``n_points`` is not given.
    """
    if resp is None:
        return np.tile(GREY, (1 if n_points is None else int(n_points), 1))
    r = _check_resp(resp)
    if hard:
        pal = _check_palette(palette, r.shape[1])
        return pal[np.argmax(r, axis=1)]
    return soft_colors(r, palette)


# --------------------------------------------------------------------------------------------
# Covariance geometry
# --------------------------------------------------------------------------------------------
def _full_covariances(params: Any) -> np.ndarray:
    """(K, d, d) covariances of ``params`` whatever its covariance type."""
    method = getattr(params, "full_covariances", None)
    if callable(method):
        return np.asarray(method(), dtype=float)
    # Fallback for GMMParams-like objects without the method (scikit-learn layouts).
    means = np.atleast_2d(np.asarray(params.means, dtype=float))
    k, d = means.shape
    cov = np.asarray(params.covariances, dtype=float)
    kind = getattr(params, "covariance_type", "full")
    if kind == "full":
        return cov.reshape(k, d, d)
    if kind == "tied":
        return np.broadcast_to(cov.reshape(d, d), (k, d, d)).copy()
    if kind == "diag":
        return np.einsum("ki,ij->kij", cov.reshape(k, d), np.eye(d))
    if kind == "spherical":
        return cov.reshape(k, 1, 1) * np.eye(d)
    raise ValueError(
        f"unknown covariance_type {kind!r}; use one of 'full', 'tied', 'diag', 'spherical'."
    )


def _check_dims(dims: Sequence[int], n_features: int) -> tuple[int, int]:
    dims = tuple(int(i) for i in dims)
    if len(dims) != 2 or dims[0] == dims[1]:
        raise ValueError(f"dims must be two different feature indices, got {dims}.")
    if n_features < 2:
        raise ValueError(
            "these pictures need 2-D data but the model has 1 feature; "
            "use plot_1d for one-dimensional data."
        )
    if not all(0 <= i < n_features for i in dims):
        raise ValueError(
            f"dims {dims} out of range for {n_features} features; "
            f"choose two indices in 0..{n_features - 1}."
        )
    return dims  # type: ignore[return-value]


def marginal_covariances(params: Any, dims: Sequence[int] = (0, 1)) -> tuple[np.ndarray, np.ndarray]:
    """Means and covariances of the 2-D marginals on ``dims``.

    The marginal of a Gaussian on some coordinates keeps exactly the matching rows and columns
    of its covariance (``cov[np.ix_(dims, dims)]``); this is what an ellipse of a d > 2 model
    must show, not a slice of an eigen-decomposition of the full matrix.

    Returns
    -------
    means : ndarray, shape (K, 2)
    covs : ndarray, shape (K, 2, 2)
    """
    full = _full_covariances(params)
    dims = _check_dims(dims, full.shape[-1])
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dims]
    return means, full[:, dims][:, :, dims]


def ellipse_geometry(cov2: Any, n_std: float = 1.0) -> tuple[float, float, float]:
    """Size and orientation of the ``n_std``-standard-deviation ellipse of a 2-D Gaussian.

    Parameters
    ----------
    cov2 : array_like, shape (2, 2)
        Symmetric positive semi-definite covariance.
    n_std : float
        Mahalanobis radius of the ellipse.

    Returns
    -------
    width, height : float
        Full axis lengths ``2 n_std sqrt(λ)`` along the major and the minor eigenvector.
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
    scale = 2.0 * float(n_std)
    return scale * float(np.sqrt(vals[1])), scale * float(np.sqrt(vals[0])), angle


def ellipse_alphas(weights: Any, *, lo: float = 0.25, hi: float = 0.95) -> np.ndarray:
    """Opacity per component, growing with its mixing weight.

    Scaled by the largest weight so the heaviest component is always clearly visible.

    Returns
    -------
    ndarray, shape (K,)
        Values in ``[lo, hi]``.
    """
    w = np.clip(np.asarray(weights, dtype=float).ravel(), 0.0, None)
    top = w.max() if w.size and w.max() > 0 else 1.0
    return lo + (hi - lo) * (w / top)


def _edge_color(color: Any, alpha: float) -> np.ndarray:
    # Darker than the points' colour: a ring the same colour as its points vanishes into them.
    rgba = np.array(to_rgba_array(color)[0], dtype=float)
    rgba[:3] *= _EDGE_DARKEN
    rgba[3] = alpha
    return rgba


_EDGE_DARKEN = 0.6


def _ring_widths(n_std: Sequence[float]) -> list[float]:
    # Outer rings thinner: the 1-sd ellipse is the one learners should read first.
    return [max(0.6, 2.0 - 0.5 * i) for i in range(len(n_std))]


def plot_ellipses(ax: Axes, params: Any, *, dims: Sequence[int] = (0, 1),
                  n_std: Sequence[float] = (1, 2, 3), colors: Any = None,
                  linewidth: float | None = None) -> list[Ellipse]:
    """Draw each component's ``n_std`` ellipses (outlines), opacity by mixing weight.

    Parameters
    ----------
    ax : Axes
    params : GMMParams-like
        Any covariance type; for d > 2 the ellipses of the marginals on ``dims``.
    dims : pair of int
        Which two features to show.
    n_std : sequence of float
        Mahalanobis radii, one ellipse each.
    colors : K colours, optional
        Defaults to :func:`component_colors`; outlines are drawn a shade darker so a ring stays
        visible on top of points of its own colour.
    linewidth : float, optional
        Same width for all rings; default thinner for outer rings.

    Returns
    -------
    list of Ellipse, length K * len(n_std)
        Component-major order (all rings of component 0, then component 1, ...), the order
        :func:`update_ellipses` expects.
    """
    means, covs = marginal_covariances(params, dims)
    k = means.shape[0]
    pal = _check_palette(colors, k)
    alphas = ellipse_alphas(params.weights)
    widths = _ring_widths(n_std) if linewidth is None else [linewidth] * len(n_std)
    artists = []
    for j in range(k):
        edge = _edge_color(pal[j], alphas[j])
        for s, lw in zip(n_std, widths):
            w, h, a = ellipse_geometry(covs[j], s)
            e = Ellipse(xy=tuple(means[j]), width=w, height=h, angle=a, facecolor="none",
                        edgecolor=edge, linewidth=lw, zorder=3)
            ax.add_patch(e)
            artists.append(e)
    return artists


def update_ellipses(ellipses: Sequence[Ellipse], params: Any, *, dims: Sequence[int] = (0, 1),
                    n_std: Sequence[float] = (1, 2, 3)) -> list[Ellipse]:
    """Move and reshape ellipses made by :func:`plot_ellipses` to show ``params``.

    Only geometry and opacity change; no artist is created, so a widget or an animation can call
    this on every frame. The number of components must be unchanged.

    Returns
    -------
    list of Ellipse
        The same ellipses (handy for ``FuncAnimation(blit=True)``).
    """
    means, covs = marginal_covariances(params, dims)
    k = means.shape[0]
    n_rings = len(n_std)
    if len(ellipses) != k * n_rings:
        raise ValueError(
            f"got {len(ellipses)} ellipses for {k} components x {n_rings} rings; when the number "
            "of components changes, remove the old ellipses and call plot_ellipses again."
        )
    alphas = ellipse_alphas(params.weights)
    for j in range(k):
        for i, s in enumerate(n_std):
            e = ellipses[j * n_rings + i]
            w, h, a = ellipse_geometry(covs[j], s)
            e.set_center(tuple(means[j]))
            e.set_width(w)
            e.set_height(h)
            e.set_angle(a)
            # Keep the ring's own colour (set by plot_ellipses); only the opacity follows π_k.
            edge = np.array(e.get_edgecolor(), dtype=float)
            edge[3] = alphas[j]
            e.set_edgecolor(edge)
    return list(ellipses)


# --------------------------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------------------------
def _check_points(X: Any, dims: Sequence[int]) -> tuple[np.ndarray, tuple[int, int]]:
    x = np.asarray(X, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"X must have shape (n, d), got shape {x.shape}.")
    return x, _check_dims(dims, x.shape[1])


def plot_points(ax: Axes, X: Any, resp: Any = None, *, dims: Sequence[int] = (0, 1),
                palette: Any = None, hard: bool = False, size: float = 12.0,
                **scatter_kwargs: Any) -> PathCollection:
    """Scatter the data, coloured softly by responsibilities (grey when ``resp`` is None).

    Parameters
    ----------
    ax : Axes
    X : array_like, shape (n, d), d >= 2
    resp : array_like, shape (n, K), optional
        Each point's colour is ``resp[n] @ palette`` (see :func:`soft_colors`).
    dims : pair of int
        Which two features to show.
    palette : K colours, optional
    hard : bool
        Colour by the arg-max component instead.
    size : float
        Marker area in points².
    **scatter_kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    PathCollection
        Update it with :func:`update_points`.
    """
    x, dims = _check_points(X, dims)
    colors = point_colors(resp, palette, hard=hard, n_points=x.shape[0])
    scatter_kwargs.setdefault("linewidths", 0)
    scatter_kwargs.setdefault("zorder", 2)
    return ax.scatter(x[:, dims[0]], x[:, dims[1]], s=size, c=colors, **scatter_kwargs)


def update_points(points: PathCollection, resp: Any = None, *, palette: Any = None,
                  hard: bool = False, X: Any = None,
                  dims: Sequence[int] = (0, 1)) -> PathCollection:
    """Recolour (and optionally move) a scatter made by :func:`plot_points`.

    Parameters
    ----------
    points : PathCollection
    resp : array_like, shape (n, K), optional
        None gives grey points.
    X : array_like, shape (n, d), optional
        New positions; omit to keep the points where they are.

    Returns
    -------
    PathCollection
        The same artist.
    """
    n = len(points.get_offsets())
    if X is not None:
        x, dims = _check_points(X, dims)
        points.set_offsets(x[:, dims])
        n = x.shape[0]
    colors = point_colors(resp, palette, hard=hard, n_points=n)
    if colors.shape[0] != n:
        raise ValueError(f"resp has {colors.shape[0]} rows but the scatter has {n} points.")
    points.set_facecolors(colors)
    return points


# --------------------------------------------------------------------------------------------
# Means and what an M-step moved
# --------------------------------------------------------------------------------------------
def plot_means(ax: Axes, params: Any, *, dims: Sequence[int] = (0, 1), colors: Any = None,
               size: float = 42.0) -> PathCollection:
    """Mark each component's mean μ_k: a dot in the component's colour with a white rim.

    Returns
    -------
    PathCollection
        Move it with :func:`update_means`.
    """
    means, _ = marginal_covariances(params, dims)
    pal = _check_palette(colors, means.shape[0])
    return ax.scatter(means[:, 0], means[:, 1], s=size, c=pal, marker="o", edgecolors="white",
                      linewidths=1.3, zorder=5)


def update_means(markers: PathCollection, params: Any, *, dims: Sequence[int] = (0, 1)) -> PathCollection:
    """Move markers made by :func:`plot_means` to the means of ``params`` (same K)."""
    means, _ = marginal_covariances(params, dims)
    if len(markers.get_offsets()) != means.shape[0]:
        raise ValueError(f"the markers show {len(markers.get_offsets())} means but params has "
                         f"{means.shape[0]} components; call plot_means again when K changes.")
    markers.set_offsets(means)
    return markers


def plot_shift(ax: Axes, before: Any, after: Any = None, *, dims: Sequence[int] = (0, 1),
               n_std: float = 1.0, colors: Any = None) -> dict[str, Any]:
    """Show where an M-step moved the components from: ``before``'s ``n_std`` rings, dashed,
    and a line from each old mean to the new one (the mean of ``after``).

    Parameters
    ----------
    ax : Axes
    before : GMMParams-like
        The parameters before the M-step (``history.params[t - 1]``).
    after : GMMParams-like, optional
        The parameters after it (``history.params[t]``); None draws no lines.
    n_std : float
        Radius of the dashed ring.
    colors : K colours, optional

    Returns
    -------
    dict
        ``"rings"`` (list of K Ellipse) and ``"trails"`` (LineCollection); update them with
        :func:`update_shift`, which also hides them (``before=None``) on frames without a move.
    """
    means, covs = marginal_covariances(before, dims)
    k = means.shape[0]
    pal = _check_palette(colors, k)
    rings = []
    for j in range(k):
        w, h, a = ellipse_geometry(covs[j], n_std)
        edge = _edge_color(pal[j], 0.9)
        e = Ellipse(xy=tuple(means[j]), width=w, height=h, angle=a, facecolor="none", edgecolor=edge,
                    linewidth=1.5, linestyle=(0, (3, 2)), zorder=3)
        ax.add_patch(e)
        rings.append(e)
    trails = LineCollection([], colors=[_edge_color(c, 1.0) for c in pal], linewidths=1.8, zorder=4)
    ax.add_collection(trails, autolim=False)
    artists = {"rings": rings, "trails": trails, "n_std": float(n_std)}
    update_shift(artists, before, after, dims=dims)
    return artists


def update_shift(artists: dict[str, Any], before: Any, after: Any = None, *,
                 dims: Sequence[int] = (0, 1)) -> list[Any]:
    """Point artists made by :func:`plot_shift` at a new move; ``before=None`` hides them.

    Returns
    -------
    list
        The rings and the trails.
    """
    rings, trails = artists["rings"], artists["trails"]
    changed = [*rings, trails]
    if before is None:
        for a in changed:
            a.set_visible(False)
        return changed
    means, covs = marginal_covariances(before, dims)
    if means.shape[0] != len(rings):
        raise ValueError(f"got {len(rings)} rings for {means.shape[0]} components; call plot_shift "
                         "again when K changes.")
    for e, m, c in zip(rings, means, covs):
        w, h, a = ellipse_geometry(c, artists["n_std"])
        e.set_center(tuple(m))
        e.set_width(w)
        e.set_height(h)
        e.set_angle(a)
        e.set_visible(True)
    if after is None:
        trails.set_segments([])
    else:
        new, _ = marginal_covariances(after, dims)
        trails.set_segments([np.array([m0, m1]) for m0, m1 in zip(means, new)])
    trails.set_visible(True)
    return changed


def frame_headline(frame: Any, n_iter: int | None = None) -> tuple[str, str, str]:
    """A label, a one-line explanation and the "when" of a frame, for a picture's title.

    Returns
    -------
    label : str
        "start", "E-step" or "M-step".
    what : str
        What the half-step did and what changed in the picture, e.g.
        "γ recomputed: the colours change, the ellipses stay". The same for every frame of a
        kind (for a start frame it names the initialisation).
    when : str
        "iteration 3 of 11" ("before iteration 1" for the start; "of n_iter" only when given).
    """
    of = f" of {n_iter}" if n_iter is not None else ""
    if frame.kind == "init":
        start = frame.description.replace("Start: ", "", 1)
        return "start", f"{start}; points grey: no γ yet", "before iteration 1"
    when = f"iteration {frame.iteration}{of}"
    if frame.kind == "E":
        return "E-step", "γ recomputed: the colours change, the ellipses stay", when
    if frame.kind == "M":
        return "M-step", "π, μ, Σ re-estimated: the ellipses move (dashed: where they were)", when
    raise ValueError(f"unknown frame kind {frame.kind!r}; expected 'init', 'E' or 'M'.")


# --------------------------------------------------------------------------------------------
# Log-likelihood curve
# --------------------------------------------------------------------------------------------
def frame_param_index(frame: Any) -> int:
    """Index into ``history.params`` / ``history.log_likelihoods`` of the parameters a frame shows.

    The init frame and the E-frame of iteration t show the parameters before that iteration's
    M-step (``t - 1``); the M-frame of iteration t shows ``params[t]``.
    """
    if frame.kind == "init":
        return 0
    if frame.kind == "E":
        return int(frame.iteration) - 1
    if frame.kind == "M":
        return int(frame.iteration)
    raise ValueError(f"unknown frame kind {frame.kind!r}; expected 'init', 'E' or 'M'.")


def _check_ll(log_likelihoods: Any) -> np.ndarray:
    ll = np.asarray(log_likelihoods, dtype=float).ravel()
    if ll.size == 0:
        raise ValueError("log_likelihoods is empty; pass history.log_likelihoods of a fit.")
    return ll


def plot_log_likelihood(ax: Axes, log_likelihoods: Any, current: int | None = None,
                        *, color: str = "0.2", marker_color: str = "#d62728") -> tuple[Line2D, Line2D]:
    """Plot ln p(X) against the iteration, with a marker at the current one.

    Parameters
    ----------
    ax : Axes
    log_likelihoods : array_like, shape (n_iter + 1,)
        ``history.log_likelihoods``: entry t is ln p(X) under ``params[t]`` (t = 0 is the
        initialisation), one point per iteration.
    current : int, optional
        Iteration to mark (see :func:`frame_param_index`); None hides the marker.

    Returns
    -------
    curve : Line2D
    marker : Line2D
        Move it with :func:`update_log_likelihood`.
    """
    ll = _check_ll(log_likelihoods)
    it = np.arange(ll.size)
    (curve,) = ax.plot(it, ll, "-o", color=color, markersize=3, linewidth=1.2)
    (marker,) = ax.plot([], [], "o", color=marker_color, markersize=9, zorder=5,
                        markerfacecolor="none", markeredgewidth=2)
    update_log_likelihood(marker, ll, current)
    ax.set_xlabel("iteration")
    ax.set_ylabel("ln p(X)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return curve, marker


def update_log_likelihood(marker: Line2D, log_likelihoods: Any, current: int | None,
                          curve: Line2D | None = None) -> Line2D:
    """Move the current-iteration marker (and, if given, replace the curve's data).

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
def mixture_density(points: Any, params: Any, dims: Sequence[int] = (0, 1)) -> np.ndarray:
    """Density of the mixture's 2-D marginal on ``dims`` at ``points``.

    Parameters
    ----------
    points : array_like, shape (m, 2)
    params : GMMParams-like

    Returns
    -------
    ndarray, shape (m,)
    """
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    means, covs = marginal_covariances(params, dims)
    weights = np.asarray(params.weights, dtype=float)
    out = np.zeros(p.shape[0])
    for w, m, c in zip(weights, means, covs):
        diff = p - m
        # solve rather than invert: the same answer, better conditioned for thin components.
        maha = np.einsum("ni,ni->n", diff, np.linalg.solve(c, diff.T).T)
        out += w * np.exp(-0.5 * maha) / (2 * np.pi * np.sqrt(np.linalg.det(c)))
    return out


def _density_extent(means: np.ndarray, covs: np.ndarray, pad: float = 3.5) -> tuple[float, float, float, float]:
    sd = np.sqrt(np.stack([covs[:, 0, 0], covs[:, 1, 1]], axis=1))
    lo = (means - pad * sd).min(axis=0)
    hi = (means + pad * sd).max(axis=0)
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def plot_density(ax: Axes, params: Any, *, dims: Sequence[int] = (0, 1),
                 extent: Sequence[float] | None = None, n_grid: int = 120, levels: Any = 8,
                 filled: bool = False, **contour_kwargs: Any):
    """Contours of the mixture density (its marginal on ``dims`` for d > 2).

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

    Returns
    -------
    QuadContourSet
    """
    means, covs = marginal_covariances(params, dims)
    x0, x1, y0, y1 = extent if extent is not None else _density_extent(means, covs)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n_grid), np.linspace(y0, y1, n_grid))
    z = mixture_density(np.column_stack([gx.ravel(), gy.ravel()]), params, dims).reshape(gx.shape)
    contour_kwargs.setdefault("cmap", "viridis")
    draw = ax.contourf if filled else ax.contour
    return draw(gx, gy, z, levels=levels, **contour_kwargs)


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
    grid = np.asarray(grid, dtype=float)
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dim]
    var = _full_covariances(params)[:, dim, dim]
    weights = np.asarray(params.weights, dtype=float)
    z = (grid[np.newaxis, :] - means[:, np.newaxis]) ** 2 / var[:, np.newaxis]
    return weights[:, np.newaxis] * np.exp(-0.5 * z) / np.sqrt(2.0 * np.pi * var[:, np.newaxis])


def plot_1d(ax: Axes, X: Any, params: Any, resp: Any = None, *, dim: int = 0, bins: Any = 30,
            palette: Any = None, n_grid: int = 400, strip: bool = True) -> dict[str, Any]:
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
    n_grid : int
        Points on which the pdfs are evaluated.
    strip : bool
        Draw the responsibility strip.

    Returns
    -------
    dict
        ``"hist"`` (BarContainer), ``"components"`` (list of Line2D, π_k N(x | μ_k, σ_k²)),
        ``"mixture"`` (Line2D), ``"strip"`` (PathCollection or None).
    """
    x = np.asarray(X, dtype=float)
    x = x[:, None] if x.ndim == 1 else x
    if x.ndim != 2 or not 0 <= dim < x.shape[1]:
        raise ValueError(f"X must have shape (n,) or (n, d) with dim < d; got {np.shape(X)}, dim={dim}.")
    xs = x[:, dim]
    means = np.atleast_2d(np.asarray(params.means, dtype=float))[:, dim]
    sd = np.sqrt(_full_covariances(params)[:, dim, dim])
    pal = _check_palette(palette, means.size)

    lo = min(xs.min(), (means - 3.5 * sd).min())
    hi = max(xs.max(), (means + 3.5 * sd).max())
    grid = np.linspace(lo, hi, n_grid)
    comps = weighted_component_pdfs(grid, params, dim)

    _, _, hist = ax.hist(xs, bins=bins, density=True, color="0.85", edgecolor="0.65", zorder=1)
    comp_lines = [ax.plot(grid, c, color=pal[j], linewidth=1.5, zorder=3)[0]
                  for j, c in enumerate(comps)]
    (mix_line,) = ax.plot(grid, np.sum(comps, axis=0), color="0.1", linewidth=2.2, zorder=4,
                          label="mixture")
    strip_art = None
    if strip:
        top = ax.get_ylim()[1]
        # Strip sits below y = 0 so it never hides the histogram.
        colors = point_colors(resp, pal, n_points=xs.size)
        strip_art = ax.scatter(xs, np.full(xs.size, -0.06 * top), c=colors, marker="|", s=120,
                               linewidths=1.0, zorder=2)
        ax.set_ylim(-0.12 * top, top)
        ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=2)
    ax.set_ylabel("density")
    return {"hist": hist, "components": comp_lines, "mixture": mix_line, "strip": strip_art,
            "grid": grid, "dim": dim}


def update_1d(artists: dict[str, Any], params: Any, resp: Any = None, *, palette: Any = None) -> list[Artist]:
    """Move the curves of :func:`plot_1d` onto new parameters and recolour its strip, in place.

    Parameters
    ----------
    artists : dict
        What :func:`plot_1d` returned; its ``"grid"`` may be replaced by a wider one first, so
        that one grid serves every frame of an animation.
    params : GMMParams-like
    resp : array_like, shape (n, K), optional
        New responsibilities for the strip (grey when None).
    palette : K colours, optional

    Returns
    -------
    list of Artist
        The artists changed.
    """
    grid = artists["grid"]
    comps = weighted_component_pdfs(grid, params, artists.get("dim", 0))
    for line, c in zip(artists["components"], comps):
        line.set_data(grid, c)
    artists["mixture"].set_data(grid, comps.sum(axis=0))
    changed = [*artists["components"], artists["mixture"]]
    strip = artists["strip"]
    if strip is not None:
        colors = point_colors(resp, _check_palette(palette, comps.shape[0]),
                              n_points=len(strip.get_offsets()))
        # '|' markers are drawn by their edges, so set both.
        strip.set_facecolors(colors)
        strip.set_edgecolors(colors)
        changed.append(strip)
    return changed


# --------------------------------------------------------------------------------------------
# One EM half-step
# --------------------------------------------------------------------------------------------
def plot_frame(ax: Axes, frame: Any, X: Any, *, dims: Sequence[int] = (0, 1),
               n_std: Sequence[float] = (1, 2, 3), palette: Any = None, hard: bool = False,
               title: bool = True, size: float = 12.0, **scatter_kwargs: Any) -> dict[str, Any]:
    """Draw one half-step :class:`gmmviz.em.Frame`: points, ellipses and a title.

    The init frame has grey points (nothing assigned yet); E- and M-frames colour points by
    ``frame.resp``. Reuse the returned artists with :func:`update_frame` for later frames.

    Parameters
    ----------
    ax : Axes
    frame : Frame
    X : array_like, shape (n, d)
    dims, n_std, palette, hard, size
        As in :func:`plot_points` and :func:`plot_ellipses`.
    title : bool
        Set ``frame.description`` as the axes title.
    **scatter_kwargs
        Passed to :func:`plot_points` (e.g. ``marker=``).

    Returns
    -------
    dict
        ``"points"`` (PathCollection), ``"ellipses"`` (list of Ellipse), ``"title"`` (Text or
        None).
    """
    k = frame.params.n_components if hasattr(frame.params, "n_components") else len(frame.params.weights)
    pal = _check_palette(palette, k)
    points = plot_points(ax, X, frame.resp, dims=dims, palette=pal, hard=hard, size=size,
                         **scatter_kwargs)
    ellipses = plot_ellipses(ax, frame.params, dims=dims, n_std=n_std, colors=pal)
    text = ax.set_title(frame.description, fontsize="medium") if title else None
    return {"points": points, "ellipses": ellipses, "title": text}


def update_frame(artists: dict[str, Any], frame: Any, *, dims: Sequence[int] = (0, 1),
                 n_std: Sequence[float] = (1, 2, 3), palette: Any = None,
                 hard: bool = False) -> list[Any]:
    """Show ``frame`` on artists made by :func:`plot_frame` (same data, same K), in place.

    Returns
    -------
    list
        Every artist changed (points, ellipses, title), e.g. for blitting.
    """
    pal = _check_palette(palette, len(frame.params.weights))
    update_points(artists["points"], frame.resp, palette=pal, hard=hard)
    changed = [artists["points"], *update_ellipses(artists["ellipses"], frame.params, dims=dims,
                                                   n_std=n_std)]
    if artists.get("title") is not None:
        artists["title"].set_text(frame.description)
        changed.append(artists["title"])
    return changed
