"""Pictures of the likelihood landscape and of EM's speed (notebook 12).

Each function takes the ``ax`` first, draws values already computed by :mod:`gmmviz.landscape`
(a surface on a grid, EM paths, step lengths, rates), labels what it draws, and returns its
artists, as :mod:`gmmviz.plot` and :mod:`gmmviz.figures` do. Nothing here computes a likelihood or
runs EM. Colours come from :mod:`gmmviz.palette`: path i has colour i and marker i, so paths differ
in shape as well as colour; the surface is drawn in greys, so the coloured paths stand out on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.contour import QuadContourSet
from matplotlib.lines import Line2D
from matplotlib.text import Text

from .palette import component_colors, component_markers

__all__ = [
    "EMPathArtists",
    "RateCurve",
    "RateLines",
    "StationaryMarkers",
    "SurfaceArtists",
    "default_levels",
    "plot_convergence_rate",
    "plot_em_paths",
    "plot_likelihood_surface",
    "plot_rate_vs_separation",
    "plot_stationary_points",
]


_NO_PROGRESS = "r = 1: no progress"


class SurfaceArtists(NamedTuple):
    """Artists of :func:`plot_likelihood_surface`."""

    #: The filled bands between levels (greys: darker is lower).
    filled: QuadContourSet
    #: The contour lines at the levels.
    lines: QuadContourSet
    #: The value written on the contour lines.
    labels: list[Text]
    #: The colour bar naming the levels; None with ``colorbar=False``.
    colorbar: Colorbar | None
    #: The dashed diagonal μ_1 = μ_2, across which the labels swap.
    diagonal: Line2D


class StationaryMarkers(NamedTuple):
    """Artists of :func:`plot_stationary_points`; None for a kind not drawn."""

    #: White stars on the maxima.
    maxima: Line2D | None
    #: Black crosses on the saddles.
    saddles: Line2D | None


class EMPathArtists(NamedTuple):
    """One path of :func:`plot_em_paths`."""

    #: The iterates joined in order, a dot on each.
    line: Line2D
    #: The start: a large marker of the path's shape.
    start: Line2D


class RateLines(NamedTuple):
    """One sequence of :func:`plot_convergence_rate`."""

    #: The measured errors (or step lengths) against t.
    measured: Line2D
    #: The straight line ∝ r^t with the measured r (dashed), through the sequence's middle point.
    fitted: Line2D


class RateCurve(NamedTuple):
    """Artists of :func:`plot_rate_vs_separation`."""

    #: r against the separation Δ.
    line: Line2D
    #: The notes written beside the points (empty without ``notes``).
    notes: list[Text]


def _as_1d(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name} must be a flat array of at least 2 numbers, got shape {arr.shape}.")
    return arr


def default_levels(surface: Any) -> np.ndarray:
    """Contour levels that crowd near the top: the maximum minus drops of 0.5, 1, 2, 5, 10, 20, 50, ...

    A log-likelihood falls quadratically away from its peaks, so evenly spaced levels would spend
    almost all lines on the far, steep flanks. The drops follow the 1-2-5 steps from 0.5 up to the
    first one beyond the whole range of ``surface``, so the lowest band reaches its minimum.

    Returns
    -------
    ndarray
        Increasing; the last level is the maximum.
    """
    z = np.asarray(surface, dtype=float)
    if z.size == 0 or not np.all(np.isfinite(z)):
        raise ValueError("surface must be a non-empty array of finite values (a log_likelihood_grid result).")
    top, span = float(z.max()), float(np.ptp(z))
    steps = [m * 10.0**e for e in range(-1, 20) for m in (1.0, 2.0, 5.0)]  # 0.1, 0.2, 0.5, 1, 2, 5, ...
    drops = [d for d in steps if d >= 0.5]
    drops = drops[: next(i for i, d in enumerate(drops) if d >= span) + 1]
    return np.append(top - np.array(drops[::-1]), top)


def plot_likelihood_surface(
    ax: Axes,
    mu1: Any,
    mu2: Any,
    surface: Any,
    *,
    levels: Any = None,
    colorbar: bool = True,
    title: str = "ln p(X | μ₁, μ₂)",
) -> SurfaceArtists:
    """ln p(X) over a grid of (μ_1, μ_2): filled grey bands, labelled contour lines, a colour bar.

    Four contour lines carry their value: those just outside the three innermost rings (with the
    default levels, the maximum minus 5, 10, 20 and 50), where a number fits and does not sit under
    the markers of the maxima; the colour bar names every level. The colour bar has an arrow at an
    end only when some values lie beyond that end's level.

    Parameters
    ----------
    ax : Axes
    mu1, mu2 : array-like of shape (G1,) and (G2,)
        The grid (horizontal μ_1, vertical μ_2).
    surface : array-like of shape (G2, G1)
        :func:`gmmviz.landscape.log_likelihood_grid`'s result on that grid.
    levels : array-like, optional
        Increasing contour levels; default :func:`default_levels` (crowded near the top).
    colorbar : bool, default True
        Add a colour bar whose ticks are the levels.
    title : str

    Returns
    -------
    SurfaceArtists
        ``filled``, ``lines``, ``labels``, ``colorbar``, ``diagonal``.
    """
    m1, m2 = _as_1d(mu1, "mu1"), _as_1d(mu2, "mu2")
    z = np.asarray(surface, dtype=float)
    if z.shape != (m2.size, m1.size):
        raise ValueError(
            f"surface must have shape (len(mu2), len(mu1)) = ({m2.size}, {m1.size}), got {z.shape}: "
            "pass log_likelihood_grid(x, mu1, mu2) with the same grids."
        )
    lv = default_levels(z) if levels is None else np.asarray(levels, dtype=float)
    if lv.ndim != 1 or lv.size < 2 or np.any(np.diff(lv) <= 0):
        raise ValueError("levels must be at least two increasing numbers.")
    # One grey per band (a BoundaryNorm), from mid grey (lowest) to white (the top band): the bands
    # near the top are thin in value but each still gets its own shade.
    greys = ListedColormap(colormaps["Greys_r"](np.linspace(0.35, 1.0, lv.size - 1))).with_extremes(
        under=colormaps["Greys_r"](0.3), over="white"
    )
    norm = BoundaryNorm(lv, greys.N)
    # An arrow at an end of the colour bar only for values beyond that end level (the default
    # levels reach below the minimum, so they need none).
    below, above = bool(z.min() < lv[0]), bool(z.max() > lv[-1])
    extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get((below, above), "neither")
    filled = ax.contourf(m1, m2, z, levels=lv, cmap=greys, norm=norm, extend=extend)
    lines = ax.contour(m1, m2, z, levels=lv[:-1], colors="0.3", linewidths=0.6, linestyles="solid")
    # Values on four lines, skipping the three innermost rings: around a peak they are too small for
    # a legible number, and maxima and EM's paths are drawn there. The colour bar names every level.
    drawn = np.asarray(lines.levels, dtype=float)
    n = drawn.size
    labelled = drawn[max(0, n - 7) : n - 3] if n > 3 else drawn
    labels = ax.clabel(lines, labelled, fmt="%.1f", fontsize=8, inline=True)
    lo, hi = max(m1.min(), m2.min()), min(m1.max(), m2.max())
    (diagonal,) = ax.plot(
        [lo, hi], [lo, hi], ls="--", lw=1, color="0.2", label="μ₁ = μ₂ (labels swap across it)"
    )
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(filled, ax=ax, ticks=lv, spacing="uniform")
        bar.ax.yaxis.set_major_formatter("{x:.1f}")
        bar.set_label("ln p(X)")
    ax.set(xlabel="μ₁", ylabel="μ₂", title=title, aspect="equal")
    ax.set_xlim(m1.min(), m1.max())
    ax.set_ylim(m2.min(), m2.max())
    return SurfaceArtists(filled, lines, list(labels), bar, diagonal)


def _points(values: Any, name: str) -> np.ndarray | None:
    if values is None:
        return None
    arr = np.asarray(values, dtype=float).reshape(-1, 2) if np.size(values) else np.empty((0, 2))
    if arr.shape[0] == 0:
        return None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (μ_1, μ_2) pairs.")
    return arr


def plot_stationary_points(
    ax: Axes,
    *,
    maxima: Any = None,
    saddles: Any = None,
    maxima_label: str = "maximum",
    saddle_label: str = "saddle",
) -> StationaryMarkers:
    """Mark maxima (white stars, black edge) and saddles (black crosses) of the surface.

    Parameters
    ----------
    ax : Axes
    maxima, saddles : array-like of shape (m, 2) or (2,), optional
        (μ_1, μ_2) of each point.
    maxima_label, saddle_label : str
        Their names in the legend.

    Returns
    -------
    StationaryMarkers
    """
    top = _points(maxima, "maxima")
    mid = _points(saddles, "saddles")
    star = cross = None
    if top is not None:
        (star,) = ax.plot(
            top[:, 0],
            top[:, 1],
            "*",
            ms=17,
            mfc="white",
            mec="black",
            mew=1.2,
            ls="none",
            label=maxima_label,
            zorder=5,
        )
    if mid is not None:
        (cross,) = ax.plot(
            mid[:, 0],
            mid[:, 1],
            "X",
            ms=11,
            mfc="black",
            mec="white",
            mew=1.0,
            ls="none",
            label=saddle_label,
            zorder=5,
        )
    return StationaryMarkers(star, cross)


def plot_em_paths(ax: Axes, paths: Sequence[Any], labels: Sequence[str]) -> list[EMPathArtists]:
    """EM's paths on the surface: path i in colour i with marker i at its start, a dot per iterate.

    Parameters
    ----------
    ax : Axes
    paths : sequence of array-like of shape (T + 1, 2)
        The iterates (μ_1, μ_2) of each run, e.g. ``restricted_em_path(...).means``.
    labels : sequence of str
        One legend entry per path (e.g. "start (−3, 0.5)").

    Returns
    -------
    list of EMPathArtists
        One per path: ``line`` and ``start``.
    """
    if len(paths) == 0 or len(labels) != len(paths):
        raise ValueError(f"give one label per path: {len(paths)} path(s), {len(labels)} label(s).")
    colours = component_colors(len(paths))
    markers = component_markers(len(paths))
    out = []
    for i, (path, label) in enumerate(zip(paths, labels)):
        p = np.asarray(path, dtype=float)
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 1:
            raise ValueError(
                f"path {i} must have shape (T + 1, 2) (one (μ_1, μ_2) per iterate), got {p.shape}."
            )
        (line,) = ax.plot(p[:, 0], p[:, 1], "-", marker=".", ms=5, lw=1.6, color=colours[i], zorder=3)
        (start,) = ax.plot(
            p[0, 0],
            p[0, 1],
            markers[i],
            ms=9,
            color=colours[i],
            mec="white",
            mew=0.8,
            ls="-",
            lw=1.6,
            label=label,
            zorder=4,
        )
        out.append(EMPathArtists(line, start))
    return out


def plot_convergence_rate(
    ax: Axes,
    errors: Sequence[Any],
    rates: Sequence[float],
    labels: Sequence[str],
    *,
    ylabel: str = "step length ‖θₜ₊₁ − θₜ‖",
    title: str = "EM converges linearly: a straight line on a log scale",
) -> list[RateLines]:
    """Errors (or step lengths) against the iteration t on a log scale, each with a dashed line ∝ r^t.

    A linearly converging sequence, e_{t+1} ≈ r e_t, is a straight line of slope ln r on a log scale;
    the dashed line has the measured r and passes through the sequence's middle point.

    Parameters
    ----------
    ax : Axes
    errors : sequence of array-like of shape (T,)
        Positive numbers per iteration, e.g. the step lengths ‖θ_{t+1} − θ_t‖ (zeros and values at
        rounding level are left out of the picture).
    rates : sequence of float
        The r of each sequence (:func:`gmmviz.landscape.linear_rate`).
    labels : sequence of str
        One name per sequence; the legend adds its r.

    Returns
    -------
    list of RateLines
        ``measured`` and ``fitted`` per sequence.
    """
    if not (len(errors) == len(rates) == len(labels)) or len(errors) == 0:
        raise ValueError("give as many rates and labels as error sequences (at least one).")
    colours = component_colors(len(errors))
    markers = component_markers(len(errors))
    out = []
    for i, (err, r, label) in enumerate(zip(errors, rates, labels)):
        e = np.asarray(err, dtype=float).ravel()
        if not 0 < float(r) < 1:
            raise ValueError(f"rate {i} is {r}: a linear rate of convergence lies strictly between 0 and 1.")
        t = np.arange(e.size)
        keep = e > 1e-13 * max(1.0, float(np.nanmax(np.abs(e)))) if e.size else np.zeros(0, dtype=bool)
        (measured,) = ax.semilogy(
            t[keep],
            e[keep],
            marker=markers[i],
            markevery=max(
                1, int(keep.sum()) // 12
            ),  # a few markers: the shape names the line, not every point
            ms=4,
            lw=1.4,
            color=colours[i],
            label=f"{label}: r = {r:.3f}",
        )
        kept = np.flatnonzero(keep)
        mid = int(kept[kept.size // 2]) if kept.size else 0
        anchor = e[mid] if kept.size else 1.0
        fitted_t = t[keep] if kept.size else t
        (fitted,) = ax.semilogy(
            fitted_t, anchor * float(r) ** (fitted_t - mid), "--", lw=1, color="0.2", zorder=3
        )
        out.append(RateLines(measured, fitted))
    out[0].fitted.set_label("∝ rᵗ with the measured r (slope ln r)")
    ax.set(xlabel="iteration t", ylabel=ylabel, title=title)
    ax.legend(fontsize=8)
    return out


def plot_rate_vs_separation(
    ax: Axes,
    separations: Any,
    rates: Any,
    *,
    label: str,
    notes: Sequence[str] | None = None,
    index: int = 0,
    title: str = "More overlap, slower EM",
    loc: str = "best",
) -> RateCurve:
    """r against the separation Δ of the clusters, with r = 1 (no progress at all) dotted.

    Parameters
    ----------
    ax : Axes
    separations, rates : array-like of shape (m,)
        Δ and the measured (or predicted) r at each.
    label : str
        The curve's legend entry.
    notes : sequence of str, optional
        A short note written beside each point (e.g. the iterations a fit needed).
    index : int, default 0
        Colour and marker number of the curve (several curves on one axes: 0, 1, ...).
    title : str
    loc : str, default "best"
        Where the legend goes (matplotlib's ``loc``).

    Returns
    -------
    RateCurve
        ``line`` and ``notes``.
    """
    d, r = _as_1d(separations, "separations"), _as_1d(rates, "rates")
    if d.size != r.size:
        raise ValueError(f"give one rate per separation: {d.size} separations, {r.size} rates.")
    if notes is not None and len(notes) != d.size:
        raise ValueError(f"give one note per separation: {d.size} separations, {len(notes)} notes.")
    colour = component_colors(index + 1)[index]
    marker = component_markers(index + 1)[index]
    (line,) = ax.plot(d, r, marker=marker, ms=6, lw=1.6, color=colour, label=label)
    texts = [
        ax.annotate(note, (di, ri), xytext=(6, -12), textcoords="offset points", fontsize=8, color="0.2")
        for di, ri, note in zip(d, r, notes or [])
    ]
    if not any(a.get_label() == _NO_PROGRESS for a in ax.lines):  # once per axes, however many curves
        ax.axhline(1.0, ls=":", lw=1, color="0.3", label=_NO_PROGRESS)
    ax.set(
        xlabel="separation Δ of the two clusters (in standard deviations)",
        ylabel="linear rate r",
        title=title,
    )
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc=loc)
    return RateCurve(line, texts)
