"""Composed lesson figures for the course notebooks.

Each function draws one picture a notebook teaches with, from values the notebook has already
computed (parameters, a fitted :class:`gmmviz.em.EMHistory`, k-means labels): nothing here fits a
model. Every function takes the ``ax`` (or a sequence of axes) first, labels the axes it draws on,
and returns the artists it made, as :mod:`gmmviz.plot` does: one artist, a list of like artists, or
a NamedTuple of artists for a group (the types below). Only artists: a number the picture shows
(a peak, a probability, eigenvalues) is the notebook's to compute, as an independent check of the
picture. The building blocks (points, ellipses, 1-D view, ln p(X) curve) are :mod:`gmmviz.plot`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colorbar import Colorbar
from matplotlib.colors import to_rgba_array
from matplotlib.container import BarContainer
from matplotlib.contour import QuadContourSet
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse
from matplotlib.text import Annotation, Text
from scipy.optimize import linear_sum_assignment
from scipy.stats import norm

from . import plot as gplot
from .em import bic, e_step, log_density, log_likelihood, n_parameters
from .palette import ELBO_COLOR, FLAGGED_COLOR, GAP_COLOR, SAMPLED_COLOR, component_colors, component_markers
from .params import GMMParams
from .plot import Means, plot_density, plot_ellipses, plot_means, plot_points

if TYPE_CHECKING:
    from matplotlib.axes._secondary_axes import SecondaryAxis

__all__ = [
    "ShadedDensity",
    "LevelSets",
    "EigenAxes",
    "KMeansVsGMM",
    "StandardisedFit",
    "FitArtists",
    "CriterionCurve",
    "CriterionPlot",
    "SampledPoints",
    "WeightBars",
    "BoundTraceLines",
    "BoundSlice",
    "SliceLine",
    "Segmentation",
    "Anomalies",
    "match_labels",
    "plot_anomalies",
    "plot_bound_slice",
    "plot_bound_trace",
    "plot_covariance_types",
    "plot_criterion",
    "plot_density_vs_probability",
    "plot_eigen_axes",
    "plot_em_1d",
    "plot_fit",
    "plot_gap_bars",
    "plot_image_grid",
    "plot_kmeans_vs_gmm",
    "plot_level_sets",
    "plot_samples",
    "plot_segmentation",
    "plot_slice_line",
    "plot_standardised_fit",
    "plot_weights",
]


# --------------------------------------------------------------------------------------------
# What the figures return: their artists, one NamedTuple per picture made of several
# --------------------------------------------------------------------------------------------
class ShadedDensity(NamedTuple):
    """Artists of :func:`plot_density_vs_probability`."""

    #: The density N(x | μ, σ²), labelled with its peak.
    curve: Line2D
    #: The shaded area under the curve over the interval, labelled with its probability.
    area: PolyCollection
    #: The dashed horizontal line at density 1.
    one: Line2D


class LevelSets(NamedTuple):
    """Artists of :func:`plot_level_sets`."""

    #: The curves xᵀ Σ⁻¹ x = c², one per level.
    contours: QuadContourSet
    #: The shaded region where xᵀ Σ⁻¹ x < 0; None when the matrix is positive definite.
    negative: QuadContourSet | None


class EigenAxes(NamedTuple):
    """Artists of :func:`plot_eigen_axes`, largest eigenvalue first."""

    #: Arrows from μ to μ + √λ_i v_i (``arrow.xy`` is the tip, ``arrow.xyann`` the tail μ).
    arrows: list[Annotation]
    #: The names written beside each arrow.
    labels: list[Text]


class KMeansVsGMM(NamedTuple):
    """Artists of :func:`plot_kmeans_vs_gmm`."""

    #: Left: the points in the colour and marker of their (renumbered) k-means cluster.
    kmeans_points: PathCollection
    #: Right: the points coloured by the responsibilities.
    gmm_points: PathCollection
    #: Left: one cross per k-means centre, centre k in colour k.
    centers: PathCollection
    #: Left: the centres' numbers 1..K.
    center_labels: list[Annotation]
    #: Right: the mixture's ellipses, component-major.
    ellipses: list[Ellipse]
    #: Right: marker and number of every μ_k.
    means: Means


class StandardisedFit(NamedTuple):
    """Artists of :func:`plot_standardised_fit`."""

    #: The standardised points coloured by the responsibilities.
    points: PathCollection
    #: Each component's ellipses, component-major.
    ellipses: list[Ellipse]
    #: Marker and number of every μ_k.
    means: Means
    #: The top axis, in the original unit of the first column.
    top: SecondaryAxis
    #: The right axis, in the original unit of the second column.
    right: SecondaryAxis


class FitArtists(NamedTuple):
    """Artists of :func:`plot_fit`."""

    #: The data coloured by the responsibilities (or the colours given).
    points: PathCollection
    #: Each component's ellipses, component-major.
    ellipses: list[Ellipse]
    #: Marker and number of every μ_k.
    means: Means


class CriterionCurve(NamedTuple):
    """One curve of :func:`plot_criterion`."""

    #: The values against K.
    line: Line2D
    #: The star on the best K; None when ``best=None``.
    best: Line2D | None


class CriterionPlot(NamedTuple):
    """Artists of :func:`plot_criterion`."""

    #: Curve label -> its :class:`CriterionCurve`, in the order given.
    curves: dict[str, CriterionCurve]
    #: The dashed vertical line at the true K; None when ``true_k=None``.
    true_k: Line2D | None


class SampledPoints(NamedTuple):
    """Artists of :func:`plot_samples`."""

    #: The training data (grey).
    data: PathCollection
    #: The points sampled from the mixture (orange triangles).
    samples: PathCollection
    #: The mixture's density contours; None when no ``params`` were given.
    density: QuadContourSet | None


class WeightBars(NamedTuple):
    """Artists of :func:`plot_weights`."""

    #: Model name -> its bars, largest weight first.
    bars: dict[str, BarContainer]
    #: The dashed line at the threshold weight; None when ``threshold=None``.
    threshold: Line2D | None


class BoundTraceLines(NamedTuple):
    """Artists of :func:`plot_bound_trace`."""

    #: ln p(X) after every half-step (solid).
    log_likelihood: Line2D
    #: The ELBO after every half-step (dashed).
    elbo: Line2D
    #: The KL gap between them (shaded).
    gap: PolyCollection


class BoundSlice(NamedTuple):
    """Artists of :func:`plot_bound_slice`."""

    #: ln p(X) along the line of parameters.
    log_likelihood: Line2D
    #: The frozen-q ELBO along the same line (dashed).
    elbo: Line2D
    #: The current θ (s = 0), where the bound touches ln p(X).
    touch: Line2D
    #: The vertical line at the top of the bound (the M-step's θ).
    top: Line2D
    #: "M-step: top of the bound", with its arrow.
    top_label: Annotation


class SliceLine(NamedTuple):
    """Artists of :func:`plot_slice_line`."""

    #: The fit the line goes through (:func:`plot_fit`'s artists).
    fit: FitArtists
    #: The segment of means μ + s · direction over the range of s.
    line: Line2D
    #: A cross at the M-step's mean μ + direction.
    target: Line2D


class Segmentation(NamedTuple):
    """Artists of :func:`plot_segmentation`."""

    #: Panel 1: the image.
    scene: AxesImage
    #: Panel 2: each pixel in its component's mean colour.
    segmented: AxesImage
    #: Panel 3: the uncertainty 1 − max_k γ_nk of each pixel.
    uncertainty: AxesImage
    #: The colour bar of panel 3.
    colorbar: Colorbar
    #: Panel 4: the pixels in (red, blue) colour space.
    points: PathCollection
    #: Panel 4: one 2-σ ellipse per component, in its mean colour.
    ellipses: list[Ellipse]


class Anomalies(NamedTuple):
    """Artists of :func:`plot_anomalies`."""

    #: The mixture's density contours.
    density: QuadContourSet
    #: The points not flagged, coloured by the responsibilities.
    points: PathCollection
    #: Circles around the points with ln p(x) below the threshold.
    flagged: PathCollection
    #: The new points as stars (filled :data:`gmmviz.palette.FLAGGED_COLOR` when flagged, white
    #: with that outline when not).
    new: PathCollection


# --- notebooks 00-04 ---
def plot_density_vs_probability(
    ax: Axes, mu: float, sigma: float, interval: tuple[float, float], *, n_grid: int = 801
) -> ShadedDensity:
    """A narrow bell whose peak exceeds 1, with the probability of an interval shaded as an area.

    Teaches that a density is not a probability: the curve's height can be above 1, while the
    probability of landing in ``interval`` is the (shaded) area under it, and one single point
    (an interval of width 0) has area, so probability, 0.

    Parameters
    ----------
    ax : Axes
    mu, sigma : float
        Mean and standard deviation of the 1-D Gaussian (sigma > 0).
    interval : (float, float)
        ``(a, b)`` with a < b: the shaded interval.
    n_grid : int
        Points on which the density is drawn.

    Returns
    -------
    ShadedDensity
        ``curve`` (its legend states the peak), ``area`` (its legend states the probability) and
        ``one`` (the line at density 1). The numbers themselves are the caller's to compute
        (``norm.pdf(mu, mu, sigma)``, ``norm.cdf(b, mu, sigma) - norm.cdf(a, mu, sigma)``).
    """
    sigma = float(sigma)
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma}.")
    a, b = (float(v) for v in interval)
    if not a < b:
        raise ValueError(f"interval must be (a, b) with a < b, got {interval}.")
    x = np.linspace(mu - 4.5 * sigma, mu + 4.5 * sigma, n_grid)
    pdf = norm.pdf(x, mu, sigma)
    peak = float(norm.pdf(mu, mu, sigma))
    prob = float(norm.cdf(b, mu, sigma) - norm.cdf(a, mu, sigma))
    (curve,) = ax.plot(
        x,
        pdf,
        color="0.15",
        linewidth=2,
        label=rf"$\mathcal{{N}}(x \mid {mu:g}, {sigma:g}^2)$: peak {peak:.3f}",
    )
    inside = (x >= a) & (x <= b)
    area = ax.fill_between(
        x[inside],
        pdf[inside],
        color=component_colors(1)[0],
        alpha=0.35,
        linewidth=0,
        label=rf"area = $P({a:g} \leq x \leq {b:g})$ = {prob:.3f}",
    )
    one = ax.axhline(1.0, color="0.45", linestyle="--", linewidth=1, label="density = 1")
    ax.set(
        xlabel="$x$",
        ylabel="density $p(x)$",
        ylim=(0, max(1.1, 1.15 * peak)),
        title="A density can exceed 1; a probability is an area under it",
    )
    ax.legend(loc="upper right", fontsize="small")
    return ShadedDensity(curve, area, one)


def plot_level_sets(
    ax: Axes, matrix: Any, *, levels: Sequence[float] = (1, 2, 3), extent: float = 4.0, n_grid: int = 301
) -> LevelSets:
    """The curves ``xᵀ Σ⁻¹ x = c²`` of a symmetric 2x2 matrix: ellipses only if it is positive definite.

    For a positive-definite Σ the curves are the c-standard-deviation ellipses of
    N(0, Σ). For a symmetric matrix with a negative eigenvalue they are hyperbolas, and the
    region where ``xᵀ Σ⁻¹ x < 0`` (shaded) would be a "negative squared distance": no Gaussian
    has that Σ.

    Parameters
    ----------
    ax : Axes
    matrix : array_like, shape (2, 2)
        Symmetric and invertible.
    levels : sequence of float
        The radii c.
    extent : float
        The picture shows [-extent, extent]².
    n_grid : int
        Grid points per axis.

    Returns
    -------
    LevelSets
        ``contours`` (the levels) and ``negative`` (the region ``xᵀ Σ⁻¹ x < 0`` shaded, or None
        when Σ is positive definite, i.e. when all its eigenvalues are positive).
    """
    S = np.asarray(matrix, dtype=float)
    if S.shape != (2, 2):
        raise ValueError(f"matrix must have shape (2, 2), got {S.shape}.")
    if not np.allclose(S, S.T):
        raise ValueError("matrix must be symmetric (a covariance matrix always is): use (S + S.T) / 2.")
    eig = np.linalg.eigvalsh(S)
    if np.any(np.isclose(eig, 0.0)):
        raise ValueError(
            f"matrix is singular (eigenvalues {eig}); its inverse, and so its level sets, do not exist."
        )
    g = np.linspace(-extent, extent, n_grid)
    xx, yy = np.meshgrid(g, g)
    pts = np.stack([xx.ravel(), yy.ravel()], axis=1)
    q = np.einsum("ni,ni->n", pts, np.linalg.solve(S, pts.T).T).reshape(xx.shape)
    pd = bool(np.all(eig > 0))
    c2 = np.square(np.asarray(levels, dtype=float))
    contours = ax.contour(xx, yy, q, levels=np.sort(c2), colors=[component_colors(1)[0]], linewidths=1.6)
    negative = None if pd else ax.contourf(xx, yy, q, levels=[q.min() - 1.0, 0.0], colors=["0.6"], alpha=0.35)
    ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    return LevelSets(contours, negative)


def plot_eigen_axes(
    ax: Axes,
    mean: Any,
    covariance: Any,
    *,
    names: Sequence[str] = (r"$\sqrt{\lambda_1}\,v_1$", r"$\sqrt{\lambda_2}\,v_2$"),
) -> EigenAxes:
    """Arrows along the axes of a 2-D Gaussian: from μ to μ + √λ_i v_i, one standard deviation.

    ``Σ = V Λ Vᵀ``: the eigenvectors v_i are the directions of the ellipse's axes and √λ_i the
    standard deviation along each. Eigenvalues come largest first; each eigenvector's arbitrary
    sign is chosen so that it points up or to the right.

    Parameters
    ----------
    ax : Axes
    mean : array_like, shape (2,)
    covariance : array_like, shape (2, 2)
        Symmetric positive definite.
    names : pair of str
        Labels written beside each arrow.

    Returns
    -------
    EigenAxes
        ``arrows`` and ``labels``, two of each, largest eigenvalue first; arrow i runs from
        ``arrow.xyann`` (μ) to ``arrow.xy`` (μ + √λ_i v_i).
    """
    mu = np.asarray(mean, dtype=float)
    S = np.asarray(covariance, dtype=float)
    if mu.shape != (2,) or S.shape != (2, 2):
        raise ValueError(f"mean must have shape (2,) and covariance (2, 2), got {mu.shape} and {S.shape}.")
    if not np.allclose(S, S.T):
        raise ValueError("covariance must be symmetric: use (S + S.T) / 2.")
    lam, V = np.linalg.eigh(S)
    if lam[0] <= 0:
        raise ValueError(f"covariance must be positive definite, its eigenvalues are {lam}.")
    lam, V = lam[::-1], V[:, ::-1]
    V = V * np.where(V[0] + V[1] < 0, -1.0, 1.0)  # the sign is arbitrary: point up / right
    arrows, labels = [], []
    for i, name in enumerate(names):
        tip = mu + np.sqrt(lam[i]) * V[:, i]
        arrows.append(
            ax.annotate(
                "",
                xy=tip,
                xytext=mu,
                arrowprops=dict(arrowstyle="-|>", color="k", linewidth=2, mutation_scale=12),
            )
        )
        # Beside the arrow, not beyond its tip (where a label would cover the 1-sd ring the arrow ends on):
        # the first below its middle, the second to the side of its tip, away from the first arrow.
        at, side = ((mu + tip) / 2, -V[:, 1]) if i == 0 else (tip, -V[:, 0])
        labels.append(
            ax.annotate(
                name,
                xy=at,
                xytext=tuple(16 * side),
                textcoords="offset points",
                fontsize=12,
                ha="left" if side[0] > 0 else "right",
                va="top" if side[1] < 0 else "bottom",
                bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=0.5),
            )
        )
    return EigenAxes(arrows, labels)


def plot_em_1d(
    axes: Sequence[Axes], X: Any, history: Any, iterations: Sequence[int], *, bins: Any = 30
) -> list[gplot.View1D]:
    """EM in one dimension: one :func:`gmmviz.plot.plot_1d` panel per chosen iteration.

    Panel t shows the histogram of ``X``, each weighted component density π_k N(x | μ_k, σ_k²)
    under ``history.params[t]``, their sum, and a strip of the points coloured by the
    responsibilities under those parameters (grey at t = 0, before any E-step).

    Parameters
    ----------
    axes : sequence of Axes
        One per iteration.
    X : array_like, shape (n,) or (n, 1)
    history : EMHistory
        A 1-D fit of ``X`` (``history.X`` must hold the same points).
    iterations : sequence of int
        Which iterations to show (0 is the start; negative counts from the end).
    bins : int or sequence
        Histogram bins.

    Returns
    -------
    list of View1D
        What :func:`gmmviz.plot.plot_1d` returned, per panel.
    """
    axes = list(np.ravel(axes))
    its = [range(history.n_iter + 1)[t] for t in iterations]  # IndexError names the bad one
    if len(axes) != len(its):
        raise ValueError(f"got {len(axes)} axes for {len(its)} iterations: pass one axis per iteration.")
    x = np.asarray(X, dtype=float).reshape(len(history.X), -1)
    if x.shape[1] != 1:
        raise ValueError(f"plot_em_1d shows 1-D data; X has {x.shape[1]} features.")
    out = []
    for ax, t in zip(axes, its, strict=True):
        resp = None if t == 0 else history.responsibilities(t)
        art = gplot.plot_1d(ax, x, history.params[t], resp, bins=bins)
        label = "start" if t == 0 else f"after iteration {t}"
        ax.set(xlabel="$x$", title=f"{label}: $\\ln p(X)$ = {history.log_likelihoods[t]:.1f}")
        out.append(art)
    return out


def _label_mapping(labels: np.ndarray, resp: np.ndarray) -> np.ndarray:
    """mapping[j] = the component that hard label j overlaps most (one-to-one)."""
    k = resp.shape[1]
    overlap = np.stack([resp[labels == j].sum(axis=0) for j in range(k)])  # (label j, component k)
    rows, cols = linear_sum_assignment(-overlap)
    mapping = np.empty(k, dtype=int)
    mapping[rows] = cols
    return mapping


def _check_labels(labels: Any, resp: Any) -> tuple[np.ndarray, np.ndarray]:
    lab = np.asarray(labels)
    r = np.asarray(resp, dtype=float)
    if r.ndim != 2 or lab.shape != (r.shape[0],):
        raise ValueError(
            f"labels must have shape (n,) and resp (n, K) with the same n; got {lab.shape} and {r.shape}."
        )
    k = r.shape[1]
    if lab.size and (not np.issubdtype(lab.dtype, np.integer) or lab.min() < 0 or lab.max() >= k):
        raise ValueError(f"labels must be integers in 0..{k - 1} for K = {k} components.")
    return lab, r


def match_labels(labels: Any, resp: Any) -> np.ndarray:
    """Renumber hard ``labels`` so that label k overlaps most with mixture component k.

    k-means and EM number their clusters arbitrarily; this finds the one-to-one renumbering
    (Hungarian algorithm on the overlap Σ_n γ_nk [label_n = j]) under which the same cluster
    gets the same number, hence the same colour, in both pictures.

    Parameters
    ----------
    labels : array_like of int, shape (n,)
        Values 0..K-1.
    resp : array_like, shape (n, K)

    Returns
    -------
    ndarray of int, shape (n,)
        The renumbered labels.
    """
    lab, r = _check_labels(labels, resp)
    return _label_mapping(lab, r)[lab]


def plot_kmeans_vs_gmm(
    axes: Sequence[Axes],
    X: Any,
    kmeans_labels: Any,
    kmeans_centers: Any,
    params: Any,
    resp: Any,
    *,
    titles: Sequence[str] | None = None,
    size: float = 10.0,
) -> KMeansVsGMM:
    """k-means (hard labels, round Voronoi cells) and a GMM (soft colours, ellipses) on the same data.

    The k-means labels are first renumbered with :func:`match_labels` so that each cluster has
    the colour and marker of the mixture component it overlaps most; each k-means centre is
    marked with a cross and its (1-based) number, each mixture mean with its marker and number.

    Parameters
    ----------
    axes : pair of Axes
        Left: k-means. Right: the mixture.
    X : array_like, shape (n, 2)
    kmeans_labels : array_like of int, shape (n,)
    kmeans_centers : array_like, shape (K, 2)
    params : GMMParams
        The fitted mixture.
    resp : array_like, shape (n, K)
        Its responsibilities.
    titles : pair of str, optional
    size : float
        Marker area.

    Returns
    -------
    KMeansVsGMM
        ``kmeans_points``, ``gmm_points``, ``centers``, ``center_labels``, ``ellipses`` and
        ``means``. The renumbered labels the left panel shows are
        ``match_labels(kmeans_labels, resp)``.
    """
    ax_km, ax_gmm = list(np.ravel(axes))
    x = np.asarray(X, dtype=float)
    r = np.asarray(resp, dtype=float)
    centers = np.asarray(kmeans_centers, dtype=float)
    k = r.shape[1]
    if centers.shape != (k, x.shape[1]):
        raise ValueError(f"kmeans_centers must have shape (K, d) = ({k}, {x.shape[1]}), got {centers.shape}.")
    old, r = _check_labels(kmeans_labels, r)
    mapping = _label_mapping(old, r)
    labels = mapping[old]
    centers = centers[np.argsort(mapping)]  # centre j moves to position mapping[j]
    km_points = gplot.plot_points(ax_km, x, np.eye(k)[labels], hard=True, size=size)  # colour and marker
    pal = component_colors(k)
    cross = ax_km.scatter(
        centers[:, 0], centers[:, 1], marker="X", s=140, c=pal, edgecolors="white", linewidths=1.5, zorder=5
    )
    texts = [
        ax_km.annotate(
            str(j + 1),
            c,
            xytext=(7, 7),
            textcoords="offset points",
            fontsize=12,
            fontweight="bold",
            zorder=6,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1},
        )
        for j, c in enumerate(centers)
    ]
    gmm_points = gplot.plot_points(ax_gmm, x, r, size=size)
    ellipses = gplot.plot_ellipses(ax_gmm, params)
    means = gplot.plot_means(ax_gmm, params)
    titles = titles or ("k-means: hard labels, nearest centre wins", "GMM: soft responsibilities, ellipses")
    for ax, title in zip((ax_km, ax_gmm), titles, strict=True):
        ax.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal", title=title)
    return KMeansVsGMM(km_points, gmm_points, cross, texts, ellipses, means)


def plot_standardised_fit(
    ax: Axes, X: Any, params: Any, resp: Any, mean: Any, scale: Any, names: Sequence[str], unit: str
) -> StandardisedFit:
    """A fit on standardised data, with standard units on the main axes and the original units on the others.

    Standardised data are ``X = (raw - mean) / scale`` column by column. The bottom and left
    axes show the standard units the model was fitted in; the top and right axes show the same
    positions in the original unit (``raw = mean + scale · X``), so both readings are at hand.

    Parameters
    ----------
    ax : Axes
    X : array_like, shape (n, 2)
        The standardised data.
    params : GMMParams
        The mixture fitted to ``X``.
    resp : array_like, shape (n, K)
        Its responsibilities (soft colours).
    mean, scale : array_like, shape (2,)
        What was subtracted and divided by (scale > 0).
    names : pair of str
        What the two columns measure, e.g. ``("eruption duration", "waiting time")``.
    unit : str
        The original unit, e.g. ``"min"``.

    Returns
    -------
    StandardisedFit
        ``points``, ``ellipses``, ``means`` (each mean μ_k marked with its number k,
        :func:`gmmviz.plot.plot_means`) and the secondary axes ``top`` and ``right`` in the
        original unit.
    """
    m = np.asarray(mean, dtype=float).ravel()
    s = np.asarray(scale, dtype=float).ravel()
    if m.shape != (2,) or s.shape != (2,) or np.any(s <= 0):
        raise ValueError(f"mean and scale must be two numbers each, scale > 0; got {mean!r} and {scale!r}.")
    if len(names) != 2:
        raise ValueError(f"names must name the two columns, got {names!r}.")
    points = gplot.plot_points(ax, X, resp)
    ellipses = gplot.plot_ellipses(ax, params)
    means = gplot.plot_means(ax, params)
    ax.set(xlabel=f"{names[0]} (standard units)", ylabel=f"{names[1]} (standard units)", aspect="equal")
    top = ax.secondary_xaxis("top", functions=(lambda z: m[0] + s[0] * z, lambda r: (r - m[0]) / s[0]))
    right = ax.secondary_yaxis("right", functions=(lambda z: m[1] + s[1] * z, lambda r: (r - m[1]) / s[1]))
    top.set_xlabel(f"{names[0]} ({unit})")
    right.set_ylabel(f"{names[1]} ({unit})")
    return StandardisedFit(points, ellipses, means, top, right)


# --- notebooks 05-09 ---

#: Line colours for the ELBO and its gap (blue and orange of the course palette).
_ELBO_COLOR = ELBO_COLOR
_GAP_COLOR = GAP_COLOR


def plot_fit(
    ax: Axes,
    X: Any,
    params: GMMParams,
    *,
    title: str | None = None,
    n_std: Sequence[float] = (1, 2),
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    resp: Any = None,
) -> FitArtists:
    """A fitted mixture on its data: points coloured by γ_nk, each component's ellipses and mean.

    Parameters
    ----------
    ax : matplotlib Axes
    X : array of shape (N, 2)
    params : GMMParams
        Already fitted (this function only evaluates γ = e_step(X, params) when ``resp`` is None).
    title, xlabel, ylabel : str
        Axis title (default: K and ln p(X)) and axis labels.
    n_std : sequence of float
        Which Mahalanobis radii to outline.
    resp : array of shape (N, K), optional
        Colours for the points (default: the responsibilities under ``params``).

    Returns
    -------
    FitArtists
        ``points``, ``ellipses`` (component-major) and ``means``.
    """
    if resp is None:
        resp, ll = e_step(X, params)
    else:
        ll = log_likelihood(X, params)
    points = plot_points(ax, X, resp)
    ellipses = plot_ellipses(ax, params, n_std=n_std)
    means = plot_means(ax, params)
    ax.set(
        xlabel=xlabel,
        ylabel=ylabel,
        aspect="equal",
        title=title if title is not None else f"K = {params.n_components}: ln p(X) = {ll:.1f}",
    )
    return FitArtists(points, ellipses, means)


def plot_covariance_types(
    axes: Sequence[Axes],
    X: Any,
    fits: Mapping[str, GMMParams],
    *,
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> dict[str, FitArtists]:
    """One panel per covariance type, same data: the fitted ellipses and p, ln p(X) and BIC in the title.

    Parameters
    ----------
    axes : sequence of Axes, one per entry of ``fits``
    X : array of shape (N, 2)
    fits : mapping covariance type -> GMMParams
        Fitted on ``X``; the title counts each fit's free parameters p
        (:func:`gmmviz.em.n_parameters`) and gives BIC = p ln N − 2 ln p(X) (:func:`gmmviz.em.bic`).

    Returns
    -------
    dict of str to FitArtists
        Covariance type -> the artists of :func:`plot_fit` on its panel, in the order of ``fits``.
    """
    axes = list(np.ravel(axes))
    if len(axes) != len(fits):
        raise ValueError(f"got {len(axes)} axes for {len(fits)} fits: give one axes per covariance type.")
    X = np.asarray(X, dtype=float)
    out: dict[str, FitArtists] = {}
    first = next(iter(fits.values()), None)
    for ax, (cov, params) in zip(axes, fits.items()):
        # One cluster, one number and colour in every panel: EM's labels are arbitrary (label
        # switching), so each fit is relabelled to match the first panel's (the ln p(X), p and BIC
        # of a fit do not depend on its labels).
        params = _relabelled_like(params, first)
        p = n_parameters(params.n_components, params.n_features, params.covariance_type)
        ll = log_likelihood(X, params)
        criterion = bic(X, params)
        out[cov] = plot_fit(
            ax,
            X,
            params,
            xlabel=xlabel,
            ylabel=ylabel,
            title=f"{cov}: p = {p}, ln p(X) = {ll:.0f}\nBIC = {criterion:.0f}",
        )
    return out


def _relabelled_like(params: GMMParams, reference: GMMParams | None) -> GMMParams:
    """``params`` with its components reordered so that component k's mean is nearest the
    reference's mean k (the matching of least total squared distance); unchanged if K differs."""
    if reference is None or reference.n_components != params.n_components or params is reference:
        return params
    cost = ((reference.means[:, None, :] - params.means[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    order = cols[np.argsort(rows)]
    covariances = params.covariances if params.covariance_type == "tied" else params.covariances[order]
    return GMMParams(params.weights[order], params.means[order], covariances, params.covariance_type)


def plot_criterion(
    ax: Axes,
    Ks: Sequence[int],
    curves: Mapping[str, Sequence[float]],
    *,
    best: str | None = None,
    true_k: int | None = None,
    ylabel: str = "",
    title: str = "",
    palette: Sequence[Any] | None = None,
) -> CriterionPlot:
    """One curve per model against K, with the best K of each starred (``best="min"`` or ``"max"``).

    Curves are told apart by colour *and* marker: by default the course palette's colours (safe
    under colour-vision deficiency) and its markers (circle, square, triangle, ...), so two curves
    never differ by colour alone.

    Parameters
    ----------
    Ks : sequence of int
    curves : mapping label -> values, one per K
    best : {"min", "max"} or None
        Mark each curve's smallest (BIC, AIC) or largest (held-out ln p(X)) value with a star in
        the curve's colour; the legend entry of each curve names its best K ("full: ★ at K = 3").
    true_k : int, optional
        Draw a dashed vertical line at the true K.
    palette : sequence of colours, optional
        One per curve; default :func:`gmmviz.palette.component_colors`.

    Returns
    -------
    CriterionPlot
        ``curves`` (label -> :class:`CriterionCurve` of ``line`` and its ``best`` star or None)
        and ``true_k`` (the vertical line, or None).
    """
    if best not in (None, "min", "max"):
        raise ValueError(f"best must be 'min', 'max' or None, got {best!r}.")
    Ks = np.asarray(Ks)
    out: dict[str, CriterionCurve] = {}
    if palette is not None and len(palette) < len(curves):
        raise ValueError(f"{len(curves)} curves but {len(palette)} colours: give one colour per curve.")
    default_colors = component_colors(max(len(curves), 1))
    markers = component_markers(max(len(curves), 1))
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != Ks.shape:
            raise ValueError(
                f"curve {label!r} has {values.size} values for {Ks.size} values of K: give one per K."
            )
        color = palette[i] if palette is not None else default_colors[i]
        (line,) = ax.plot(Ks, values, marker=markers[i], ls="-", color=color, label=label)
        star = None
        if best is not None:
            j = int(np.argmin(values) if best == "min" else np.argmax(values))
            # Each star says whose it is: the curve's legend entry names its best K.
            line.set_label(f"{label}: ★ at K = {Ks[j]}")
            (star,) = ax.plot(
                Ks[j], values[j], "*", color=color, ms=17, mec="k", mew=0.8, zorder=line.get_zorder() + 1
            )
        out[label] = CriterionCurve(line, star)
    true_line = ax.axvline(true_k, color="0.6", ls="--", lw=1, label="true K") if true_k is not None else None
    ax.set(xlabel="K", ylabel=ylabel, title=title, xticks=Ks)
    ax.legend()
    return CriterionPlot(out, true_line)


def plot_samples(
    ax: Axes,
    X: Any,
    samples: Any,
    *,
    params: GMMParams | None = None,
    title: str = "Data and new points sampled from the mixture",
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> SampledPoints:
    """Training data (grey) and points sampled from a fitted mixture (orange), optionally its density
    (grey contour lines, each labelled with its density value p(x)).

    Returns
    -------
    SampledPoints
        ``data``, ``samples`` and ``density`` (the contours, or None without ``params``).
    """
    X = np.asarray(X, dtype=float)
    samples = np.asarray(samples, dtype=float)
    density = None
    if params is not None:
        lo = np.minimum(X.min(axis=0), samples.min(axis=0))
        hi = np.maximum(X.max(axis=0), samples.max(axis=0))
        pad = 0.1 * (hi - lo)
        density = plot_density(
            ax,
            params,
            extent=(lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]),
            levels=8,
            cmap="Greys",
            linewidths=0.8,
            labels=True,  # the density value of each line, written on it
        )
    data = ax.scatter(*X[:, :2].T, s=8, color="0.55", label=f"data ({len(X)} points)")
    new = ax.scatter(
        *samples[:, :2].T, s=8, color=SAMPLED_COLOR, marker="^", label=f"sampled ({len(samples)} points)"
    )
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, aspect="equal")
    ax.legend(loc="upper right", fontsize="small")
    return SampledPoints(data, new, density)


def plot_image_grid(
    axes: Any, images: Any, *, shape: tuple[int, int] = (8, 8), title: str | None = None
) -> list[AxesImage]:
    """Show flattened grey images (e.g. 8×8 digits), one per axes, without ticks.

    Returns
    -------
    list of AxesImage
        One per image shown.
    """
    axes = list(np.ravel(axes))
    images = np.asarray(images, dtype=float)
    if len(images) < len(axes):
        raise ValueError(f"got {len(images)} images for {len(axes)} axes: give at least one image per axes.")
    out = []
    for ax, img in zip(axes, images):
        out.append(ax.imshow(img.reshape(shape), cmap="binary", interpolation="nearest"))
        ax.set_axis_off()
    if title is not None:
        axes[0].figure.suptitle(title)
    return out


def plot_weights(
    ax: Axes,
    weights: Mapping[str, Any],
    *,
    threshold: float | None = None,
    title: str = "Mixing weights π_k, largest first",
) -> WeightBars:
    """Bar chart of mixing weights (sorted, largest first), one group of bars per model.

    Parameters
    ----------
    weights : mapping model name -> array of shape (K,)
    threshold : float, optional
        Draw a dashed line at this weight (e.g. the "switched off" level).

    Returns
    -------
    WeightBars
        ``bars`` (model name -> BarContainer, largest weight first) and ``threshold`` (the
        dashed line, or None).
    """
    items = list(weights.items())
    width = 0.8 / len(items)
    colors = component_colors(5)  # one per model, as the curves of plot_criteria
    out: dict[str, BarContainer] = {}
    k_max = 0
    for i, (name, w) in enumerate(items):
        w = np.sort(np.asarray(w, dtype=float))[::-1]
        k_max = max(k_max, w.size)
        out[name] = ax.bar(
            np.arange(1, w.size + 1) + (i - (len(items) - 1) / 2) * width,
            w,
            width,
            color=colors[i % len(colors)],
            label=name,
        )
    line = None
    if threshold is not None:
        line = ax.axhline(threshold, color="0.4", ls="--", lw=1, label=f"π = {threshold:g}")
    ax.set(xlabel="component, by weight", ylabel="weight π_k", title=title, xticks=np.arange(1, k_max + 1))
    ax.legend()
    return WeightBars(out, line)


def plot_bound_trace(
    ax: Axes, trace: Any, *, start: int = 0, tick_every: int = 4, title: str = "ln p(X) and its lower bound"
) -> BoundTraceLines:
    """ln p(X) (solid) and the ELBO (dashed) after every half-step, with the KL gap shaded.

    Parameters
    ----------
    trace : the result of :func:`gmmviz.bound.em_bound_trace`
    start : int
        First half-step shown (skip the first big jump so the rest stays readable).

    Returns
    -------
    BoundTraceLines
        ``log_likelihood``, ``elbo`` and the shaded ``gap``.
    """
    steps = np.arange(start, len(trace.labels))
    ll = np.asarray(trace.log_likelihood)[steps]
    lb = np.asarray(trace.elbo)[steps]
    (ll_line,) = ax.plot(steps, ll, "o-", color="0.15", ms=4, label="ln p(X)")
    (elbo_line,) = ax.plot(steps, lb, "s--", color=_ELBO_COLOR, ms=4, label="ELBO(q, θ)")
    gap = ax.fill_between(steps, lb, ll, color=_GAP_COLOR, alpha=0.3, label="KL gap")
    ax.set_xticks(steps[::tick_every], [trace.labels[i] for i in steps[::tick_every]])
    ax.set(xlabel="half-step", ylabel="log-likelihood", title=title)
    ax.legend(loc="lower right")
    return BoundTraceLines(ll_line, elbo_line, gap)


def plot_gap_bars(
    ax: Axes, trace: Any, *, title: str = "The gap after each M-step (after each E-step: 0)"
) -> BarContainer:
    """Bar chart of the KL gap after each M-step of an :func:`~gmmviz.bound.em_bound_trace`.

    Returns
    -------
    BarContainer
        One bar per iteration.
    """
    after_m = np.array([kind == "M" for kind in trace.kinds])
    gaps = np.asarray(trace.kl)[after_m]
    bars = ax.bar(np.arange(1, gaps.size + 1), gaps, color=_GAP_COLOR)
    ax.set(xlabel="iteration t", ylabel="KL(q ‖ p(Z | X, θ))", title=title)
    return bars


def plot_bound_slice(
    ax: Axes, s: Any, ll_line: Any, elbo_line: Any, *, title: str = "A 1-D slice through θ"
) -> BoundSlice:
    """ln p(X) and the frozen-q ELBO along a line of parameters θ(s), the touch point and the bound's top.

    Returns
    -------
    BoundSlice
        ``log_likelihood``, ``elbo``, ``touch`` (the current θ), ``top`` (the vertical line at the
        bound's maximum) and ``top_label``.
    """
    s, ll_line, elbo_line = (np.asarray(a, dtype=float) for a in (s, ll_line, elbo_line))
    i0 = int(np.argmin(np.abs(s)))
    i_top = int(np.argmax(elbo_line))
    (ll_art,) = ax.plot(s, ll_line, color="0.15", lw=2, label="ln p(X)")
    (elbo_art,) = ax.plot(s, elbo_line, "--", color=_ELBO_COLOR, lw=2, label="ELBO(q frozen, θ)")
    (touch,) = ax.plot(
        [s[i0]], [ll_line[i0]], "o", color=_GAP_COLOR, ms=8, label="current θ: the bound touches"
    )
    top = ax.axvline(s[i_top], color=_ELBO_COLOR, lw=1, ls=":")
    top_label = ax.annotate(
        "M-step: top of the bound",
        xy=(s[i_top], elbo_line[i_top]),
        xytext=(s[i_top] + 0.3, elbo_line[i_top] - 0.15 * np.ptp(ll_line)),
        arrowprops={"arrowstyle": "->"},
    )
    span = np.ptp(ll_line)
    ax.set_ylim(ll_line.min() - 0.3 * span, ll_line.max() + 0.1 * span)
    ax.set(xlabel="s (position along the line)", ylabel="log-likelihood", title=title)
    ax.legend(loc="lower center")
    return BoundSlice(ll_art, elbo_art, touch, top, top_label)


def plot_slice_line(
    ax: Axes,
    X: Any,
    params: GMMParams,
    q: Any,
    component: int,
    direction: Any,
    s: Any,
    *,
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
) -> SliceLine:
    """The data with the line along which :func:`plot_bound_slice` moves mean ``component`` (0-based).

    Returns
    -------
    SliceLine
        ``fit`` (the :class:`FitArtists` of :func:`plot_fit`), ``line`` and ``target`` (the
        M-step's mean, a cross).
    """
    s = np.asarray(s, dtype=float)
    direction = np.asarray(direction, dtype=float)
    mean = params.means[component]
    fit = plot_fit(
        ax,
        X,
        params,
        resp=q,
        xlabel=xlabel,
        ylabel=ylabel,
        title=f"the line through μ_{component + 1} (×: the M-step's μ_{component + 1})",
    )
    ends = mean + np.outer([s.min(), s.max()], direction)
    (line,) = ax.plot(*ends.T, color="0.2", lw=1)
    (target,) = ax.plot(*(mean + direction), "x", color="0.1", ms=10, mew=2)
    return SliceLine(fit, line, target)


def plot_segmentation(
    axes: Sequence[Axes], scene: Any, params: GMMParams, resp: Any, *, every: int = 5
) -> Segmentation:
    """Four panels: the image, each pixel in its component's mean colour, the uncertainty
    1 − max_k γ_nk, and the pixels in (red, blue) colour space with the fitted ellipses.

    Parameters
    ----------
    axes : four Axes
    scene : array of shape (H, W, 3), RGB in [0, 1]
    params : GMMParams fitted on ``scene.reshape(-1, 3)``
    resp : array of shape (H·W, K), the responsibilities of the pixels
    every : int
        Scatter every ``every``-th pixel in the colour-space panel.

    Returns
    -------
    Segmentation
        ``scene``, ``segmented``, ``uncertainty`` (images), ``colorbar``, ``points`` and
        ``ellipses``.
    """
    axes = list(np.ravel(axes))
    if len(axes) != 4:
        raise ValueError(f"plot_segmentation needs 4 axes, got {len(axes)}.")
    scene = np.asarray(scene, dtype=float)
    resp = np.asarray(resp, dtype=float)
    height, width, _ = scene.shape
    pixels = scene.reshape(-1, 3)
    labels = resp.argmax(axis=1)
    palette = params.means.clip(0, 1)  # each component in its own mean colour
    image = axes[0].imshow(scene)
    axes[0].set_title("the scene")
    segmented = axes[1].imshow(palette[labels].reshape(scene.shape))
    axes[1].set_title("pixel → its component's mean colour")
    uncertainty = axes[2].imshow(
        (1 - resp.max(axis=1)).reshape(height, width), cmap="magma", vmin=0, vmax=0.5
    )
    axes[2].set_title("uncertainty: 1 − (largest γ_nk of the pixel)")
    colorbar = axes[2].figure.colorbar(uncertainty, ax=axes[2], shrink=0.8)
    for ax in axes[:3]:
        ax.set_axis_off()
    points = plot_points(axes[3], pixels[::every], resp[::every], dims=(0, 2), palette=palette, size=4)
    ellipses = plot_ellipses(axes[3], params, dims=(0, 2), n_std=(2,))
    for ellipse, colour in zip(ellipses, palette):  # one 2-σ outline per component, in its mean colour
        ellipse.set_edgecolor(colour)
    axes[3].set(xlabel="red", ylabel="blue", title="pixels in colour space (red, blue)")
    return Segmentation(image, segmented, uncertainty, colorbar, points, ellipses)


def plot_anomalies(
    ax: Axes,
    X: Any,
    params: GMMParams,
    threshold: float,
    new: Any,
    *,
    extent: Sequence[float] | None = None,
    xlabel: str = "$x_1$",
    ylabel: str = "$x_2$",
    title: str | None = None,
) -> Anomalies:
    """Density contours, the points coloured by γ, the points with ln p(x) < ``threshold`` circled,
    and new points as stars (filled black when flagged, white when not).

    "Flagged" has its own colour, :data:`gmmviz.palette.FLAGGED_COLOR` (black), which is no
    component's colour: a flagged point is not "of component k". The density contours carry a
    colour bar of their values p(x); the legend names the rings and both kinds of star.

    Returns
    -------
    Anomalies
        ``density``, ``points`` (those not flagged), ``flagged`` (one circle per flagged data
        point) and ``new``.
    """
    X = np.asarray(X, dtype=float)
    new = np.atleast_2d(np.asarray(new, dtype=float))
    resp, _ = e_step(X, params)
    flagged = log_density(X, params) < threshold
    new_flagged = log_density(new, params) < threshold
    density = plot_density(
        ax, params, extent=extent, levels=12, cmap="Greys", labels=False, colorbar="mixture density p(x)"
    )
    points = plot_points(ax, X[~flagged], resp[~flagged])
    circles = ax.scatter(
        *X[flagged].T,
        s=70,
        facecolors="none",
        edgecolors=FLAGGED_COLOR,
        linewidths=1.6,
        zorder=3,
        label=f"flagged: ln p(x) < {threshold:.2f}",
    )
    stars = ax.scatter(
        *new.T,
        marker="*",
        s=260,
        c=np.where(new_flagged[:, None], to_rgba_array(FLAGGED_COLOR), to_rgba_array("white")),
        edgecolors=FLAGGED_COLOR,
        linewidths=1.2,
        zorder=4,
    )
    star = dict(ls="none", marker="*", ms=15, mec=FLAGGED_COLOR, mew=1.2)
    handles = [
        circles,
        Line2D([], [], mfc=FLAGGED_COLOR, **star),
        Line2D([], [], mfc="white", **star),
    ]
    labels = [circles.get_label(), "new point, flagged", "new point, not flagged"]
    ax.set(
        xlabel=xlabel,
        ylabel=ylabel,
        aspect="equal",
        title=title if title is not None else "Anomalies: ln p(x) below the threshold",
    )
    ax.legend(handles, labels, loc="lower right", fontsize="small", framealpha=0.9)
    return Anomalies(density, points, circles, stars)
