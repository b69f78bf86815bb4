"""Pictures for the mixture classifier and the Dirichlet-process weights (notebook 13).

Every function takes the ``ax`` first and returns the artists it drew (a NamedTuple for a group), as
:mod:`gmmviz.plot` does; none fits a model. The classifier's pictures evaluate Bayes' rule of a fitted
:class:`gmmviz.classify.ClassMixtures` on a grid (:func:`gmmviz.classify.class_log_posterior`): class c
has colour c and marker c of :mod:`gmmviz.palette`, as component c has everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colorbar import Colorbar
from matplotlib.container import BarContainer
from matplotlib.contour import QuadContourSet
from matplotlib.image import AxesImage
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._validation import check_int, check_number
from .classify import ClassMixtures, class_log_posterior
from .palette import component_colors, component_markers
from .plot import GREY

__all__ = [
    "CertaintyMap",
    "DecisionRegions",
    "LogWeightBars",
    "plot_certainty",
    "plot_class_points",
    "plot_decision_regions",
    "plot_weight_bars",
]

# Colour of a weight bar below the threshold ("switched off"): gmmviz.plot's neutral GREY.
_OFF_GREY = tuple(GREY)
# The boundary lines of plot_decision_regions and their legend entry.
_BOUNDARY_COLOUR = "0.15"


class DecisionRegions(NamedTuple):
    """The artists of :func:`plot_decision_regions`."""

    regions: AxesImage
    """Each grid cell in the colour of its most probable class (light)."""
    boundaries: list[QuadContourSet]
    """Per class c, the line where p(c | x) equals the largest other posterior (each boundary is drawn
    by both of its classes, on the same line)."""
    key: Line2D
    """An empty line in the boundaries' style, labelled "decision boundary", so that ``ax.legend()`` names
    the boundaries (contour lines have no legend entry of their own)."""


class CertaintyMap(NamedTuple):
    """The artists of :func:`plot_certainty`."""

    image: AxesImage
    """max_c p(c | x) on the grid, in grey: dark where the classifier is unsure."""
    contours: QuadContourSet
    """Labelled lines at the requested certainty levels."""
    colorbar: Colorbar | None


class LogWeightBars(NamedTuple):
    """The artists of :func:`plot_weight_bars`."""

    bars: BarContainer
    threshold: Line2D
    below_floor: Line2D
    """Small markers just above the floor for the weights too small to draw (empty if there are none)."""
    legend: Legend | None
    """The legend naming the glyphs, if ``legend=True``."""


def _check_model_2d(model: Any) -> ClassMixtures:
    if not isinstance(model, ClassMixtures):
        raise TypeError(
            f"model must be a ClassMixtures, got {type(model).__name__}: fit one with "
            "gmmviz.classify.fit_class_mixtures(X, y)."
        )
    if model.n_features != 2:
        raise ValueError(
            f"these pictures show a plane, so the classifier must use 2 features; it uses {model.n_features}. "
            "Fit one on two columns, e.g. fit_class_mixtures(X[:, [2, 3]], y)."
        )
    return model


def _check_extent(extent: Any) -> tuple[float, float, float, float]:
    try:
        x0, x1, y0, y1 = (float(v) for v in extent)
    except (TypeError, ValueError):
        raise TypeError(f"extent must be four numbers (xmin, xmax, ymin, ymax), got {extent!r}.") from None
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise ValueError(f"extent must be finite with xmin < xmax and ymin < ymax, got {(x0, x1, y0, y1)}.")
    return x0, x1, y0, y1


def _grid_log_posterior(
    model: ClassMixtures, extent: Sequence[float], n_grid: int
) -> tuple[np.ndarray, tuple[float, float, float, float], np.ndarray, np.ndarray]:
    """ln p(c | x) on an n_grid × n_grid grid over ``extent``: shape (n_grid, n_grid, C), and the grid."""
    x0, x1, y0, y1 = _check_extent(extent)
    n = check_int(n_grid, "n_grid", minimum=2)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    log_post = class_log_posterior(np.column_stack([gx.ravel(), gy.ravel()]), model)
    return log_post.reshape(n, n, model.n_classes), (x0, x1, y0, y1), gx, gy


def _pixel_extent(extent: tuple[float, float, float, float], n: int) -> tuple[float, float, float, float]:
    """The imshow extent that centres pixel (i, j) on grid point (x_j, y_i), so the image lines up with
    contour lines drawn on the same grid: half a grid step beyond ``extent`` on every side."""
    x0, x1, y0, y1 = extent
    hx, hy = (x1 - x0) / (2 * (n - 1)), (y1 - y0) / (2 * (n - 1))
    return x0 - hx, x1 + hx, y0 - hy, y1 + hy


def _names(model: ClassMixtures, class_names: Sequence[str] | None) -> list[str]:
    if class_names is None:
        return [str(c) for c in model.classes.tolist()]
    names = [str(n) for n in class_names]
    if len(names) != model.n_classes:
        raise ValueError(f"class_names must name the {model.n_classes} classes, got {len(names)} names.")
    return names


def plot_decision_regions(
    ax: Axes,
    model: ClassMixtures,
    extent: Sequence[float],
    *,
    n_grid: int = 200,
    alpha: float = 0.25,
) -> DecisionRegions:
    """Shade the plane by the most probable class, arg max_c p(c | x), and draw the boundaries.

    Parameters
    ----------
    ax : Axes
    model : ClassMixtures
        Fitted on two features.
    extent : (xmin, xmax, ymin, ymax)
        The part of the plane to shade.
    n_grid : int, default=200
        Grid points per axis.
    alpha : float, default=0.25
        Opacity of the shading (the points drawn on top stay readable).

    Returns
    -------
    DecisionRegions
    """
    model = _check_model_2d(model)
    alpha = check_number(alpha, "alpha", minimum=0.0, maximum=1.0)
    log_post, (x0, x1, y0, y1), gx, gy = _grid_log_posterior(model, extent, n_grid)
    colours = component_colors(model.n_classes)
    rgba = colours[np.argmax(log_post, axis=2)].copy()
    rgba[..., 3] = alpha
    regions = ax.imshow(
        rgba,
        origin="lower",
        extent=_pixel_extent((x0, x1, y0, y1), gx.shape[0]),
        aspect="auto",
        interpolation="nearest",
        zorder=0,
    )
    boundaries = []
    for c in range(model.n_classes):
        others = np.delete(log_post, c, axis=2).max(axis=2)
        margin = log_post[..., c] - others  # > 0 where c wins; 0 on its boundary
        if margin.min() < 0 < margin.max():
            boundaries.append(
                ax.contour(gx, gy, margin, levels=[0.0], colors=_BOUNDARY_COLOUR, linewidths=1.2, zorder=1)
            )
    (key,) = ax.plot([], [], color=_BOUNDARY_COLOUR, lw=1.2, label="decision boundary")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return DecisionRegions(regions, boundaries, key)


def plot_class_points(
    ax: Axes,
    X: Any,
    y: Any,
    model: ClassMixtures,
    *,
    class_names: Sequence[str] | None = None,
    hollow: bool = False,
    size: float = 28.0,
    label_suffix: str = "",
) -> list[PathCollection]:
    """Scatter labelled points, class c in colour c and marker c (one artist per class, for a legend).

    Parameters
    ----------
    ax : Axes
    X : array-like of shape (n, 2)
    y : array-like of shape (n,)
        Labels among ``model.classes``.
    model : ClassMixtures
        Gives the classes and their order (their colours).
    class_names : sequence of str, optional
        Legend names, in the order of ``model.classes``; default the labels themselves.
    hollow : bool, default=False
        Draw outlines only (e.g. the test points, beside filled training points).
    size : float, default=28
        Marker area in points².
    label_suffix : str
        Appended to each legend name (e.g. " (test)").

    Returns
    -------
    list of PathCollection
        One per class, in the order of ``model.classes`` (an empty one for a class with no points).
    """
    model = _check_model_2d(model)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (n, 2) and y shape (n,), got {X.shape} and {y.shape}.")
    unknown = sorted(set(y.tolist()) - set(model.classes.tolist()))
    if unknown:
        raise ValueError(
            f"y has labels {unknown} that are not classes of the model ({model.classes.tolist()})."
        )
    names = _names(model, class_names)
    colours = component_colors(model.n_classes)
    markers = component_markers(model.n_classes)
    out = []
    for c, label in enumerate(model.classes.tolist()):
        pts = X[y == label]
        face = "none" if hollow else colours[c]
        out.append(
            ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=size,
                marker=markers[c],
                facecolors=face,
                edgecolors=colours[c] if hollow else "white",
                linewidths=1.2 if hollow else 0.5,
                label=names[c] + label_suffix,
                zorder=3,
            )
        )
    return out


def plot_certainty(
    ax: Axes,
    model: ClassMixtures,
    extent: Sequence[float],
    *,
    n_grid: int = 200,
    levels: Sequence[float] = (0.9, 0.99),
    colorbar: bool = True,
) -> CertaintyMap:
    """How sure the classifier is, max_c p(c | x), over the plane: white where sure, dark where unsure.

    Parameters
    ----------
    ax : Axes
    model : ClassMixtures
        Fitted on two features.
    extent : (xmin, xmax, ymin, ymax)
    n_grid : int, default=200
    levels : sequence of float, default=(0.9, 0.99)
        Certainties to draw as labelled lines, each strictly between 1/C and 1.
    colorbar : bool, default=True
        Add a colour bar beside the axes.

    Returns
    -------
    CertaintyMap
    """
    model = _check_model_2d(model)
    lowest = 1.0 / model.n_classes
    levels = sorted(
        check_number(v, "each certainty level", minimum=lowest, maximum=1.0, strict=True) for v in levels
    )
    log_post, (x0, x1, y0, y1), gx, gy = _grid_log_posterior(model, extent, n_grid)
    certainty = np.exp(log_post.max(axis=2))
    image = ax.imshow(
        certainty,
        origin="lower",
        extent=_pixel_extent((x0, x1, y0, y1), gx.shape[0]),
        aspect="auto",
        cmap="Greys_r",
        vmin=lowest,
        vmax=1.0,
        interpolation="bilinear",
        zorder=0,
    )
    contours = ax.contour(
        gx, gy, certainty, levels=levels, colors="0.25", linewidths=0.9, linestyles="--", zorder=1
    )
    ax.clabel(contours, fmt=lambda v: f"{v:g}", fontsize="small", inline=True, inline_spacing=3)
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.85)
        bar.set_label(r"certainty $\mathrm{max}_c\, p(c \mid x)$")
        for level in levels:  # the labelled lines, marked on the colour bar too
            bar.ax.axhline(level, color="0.25", ls="--", lw=0.9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    return CertaintyMap(image, contours, bar)


def _power_of_ten(value: float) -> str:
    """``value`` as 10^e in mathtext when it is a power of ten (1e-06 -> $10^{-6}$), else as %g."""
    exponent = np.log10(value)
    if np.isclose(exponent, round(exponent), rtol=0, atol=1e-9):
        return f"$10^{{{round(exponent)}}}$"
    return f"{value:g}"


def plot_weight_bars(
    ax: Axes,
    weights: Any,
    *,
    threshold: float = 0.01,
    floor: float = 1e-6,
    title: str = "Mixing weights π_k",
    legend: bool = False,
    legend_loc: str = "upper right",
) -> LogWeightBars:
    """Bar chart of one mixture's weights π_k in component order, on a log scale, with a threshold.

    Bars above the threshold have their component's colour; those at or below it are grey ("switched
    off"). The log scale shows how small the switched-off weights are; a weight below ``floor``, the
    bottom of the axis, gets no bar but a small grey ▼ just above the floor, so it is not mistaken for a
    missing component.

    Parameters
    ----------
    ax : Axes
    weights : array-like of shape (K,)
        π_k, non-negative, summing to 1, in the model's component order.
    threshold : float, default=0.01
        The dashed line (strictly between ``floor`` and 1).
    floor : float, default=1e-6
        The bottom of the log axis.
    title : str
    legend : bool, default=False
        Add a legend naming the coloured bars, the grey bars, the ▼ and the dashed line (e.g. on the
        first of several panels).
    legend_loc : str, default="upper right"
        Where that legend goes (a matplotlib ``loc``): choose a corner the bars leave empty.

    Returns
    -------
    LogWeightBars
        ``bars`` (one per component, component 1 first), the ``threshold`` line, the ``below_floor``
        markers and the ``legend`` (None unless ``legend=True``).
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)) or (w < 0).any() or abs(w.sum() - 1) > 1e-6:
        raise ValueError("weights must be one mixture's π_k: shape (K,), non-negative, summing to 1.")
    floor = check_number(floor, "floor", minimum=0.0, maximum=1.0, strict=True)
    threshold = check_number(threshold, "threshold", minimum=floor, maximum=1.0, strict=True)
    k = np.arange(1, w.size + 1)
    colours = component_colors(w.size)
    face = [colours[i] if w[i] > threshold else _OFF_GREY for i in range(w.size)]
    heights = np.maximum(w, floor) - floor
    bars = ax.bar(k, heights, bottom=floor, color=face, width=0.75, edgecolor="0.2", linewidth=0.5)
    line = ax.axhline(threshold, color="0.3", ls="--", lw=1)
    tiny = w < floor
    (below,) = ax.plot(
        k[tiny],
        np.full(int(tiny.sum()), floor * 2.0),
        ls="none",
        marker="v",
        ms=5,
        color=_OFF_GREY,
        mec="0.2",
        mew=0.5,
    )
    ax.set_yscale("log")
    ax.set_ylim(floor, 1.5)
    ax.set(xlabel="component k", ylabel="weight π_k", title=title, xticks=k)
    key = None
    if legend:
        handles = [
            Patch(facecolor=colours[0], edgecolor="0.2", lw=0.5, label=f"π_k > {threshold:g} (its colour)"),
            Patch(facecolor=_OFF_GREY, edgecolor="0.2", lw=0.5, label=f"π_k ≤ {threshold:g}"),
            Line2D(
                [],
                [],
                ls="none",
                marker="v",
                ms=5,
                color=_OFF_GREY,
                mec="0.2",
                mew=0.5,
                label=f"π_k < {_power_of_ten(floor)}",
            ),
            Line2D([], [], color="0.3", ls="--", lw=1, label=f"threshold {threshold:g}"),
        ]
        key = ax.legend(handles=handles, loc=legend_loc, fontsize="small", framealpha=0.95)
    return LogWeightBars(bars, line, below, key)
