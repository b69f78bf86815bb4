"""Composed lesson figures for the course notebooks.

Each function draws one picture a notebook teaches with, from values the notebook has already
computed (parameters, a fitted :class:`gmmviz.em.EMHistory`, k-means labels): nothing here fits a
model. Every function takes the ``ax`` (or a sequence of axes) first, labels the axes it draws on,
and returns its artists. The building blocks (points, ellipses, 1-D view, ln p(X) curve) are
:mod:`gmmviz.plot`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from scipy.optimize import linear_sum_assignment
from scipy.stats import norm

from . import plot as gplot
from .palette import component_colors

__all__ = [
    "match_labels",
    "plot_density_vs_probability",
    "plot_em_1d",
    "plot_kmeans_vs_gmm",
    "plot_level_sets",
    "plot_standardised_fit",
]


# --- notebooks 00-04 ---
def plot_density_vs_probability(
    ax: Axes, mu: float, sigma: float, interval: tuple[float, float], *, n_grid: int = 801
) -> dict[str, Any]:
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
    dict
        ``"curve"`` (Line2D), ``"area"`` (PolyCollection), ``"one"`` (Line2D at density 1),
        ``"probability"`` (float, the shaded area), ``"peak"`` (float, the curve's maximum).
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
        label=rf"$\mathcal{{N}}(x \mid {mu:g}, {sigma:g}^2)$: peak {peak:.2f}",
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
    return {"curve": curve, "area": area, "one": one, "probability": prob, "peak": peak}


def plot_level_sets(
    ax: Axes, matrix: Any, *, levels: Sequence[float] = (1, 2, 3), extent: float = 4.0, n_grid: int = 301
) -> dict[str, Any]:
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
    dict
        ``"contours"`` (QuadContourSet of the levels), ``"negative"`` (QuadContourSet shading
        ``xᵀ Σ⁻¹ x < 0``, or None when Σ is positive definite), ``"eigenvalues"`` (ndarray,
        ascending), ``"positive_definite"`` (bool).
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
    return {"contours": contours, "negative": negative, "eigenvalues": eig, "positive_definite": pd}


def plot_em_1d(
    axes: Sequence[Axes], X: Any, history: Any, iterations: Sequence[int], *, bins: Any = 30
) -> list[Any]:
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
) -> dict[str, Any]:
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
    dict
        ``"kmeans_points"``, ``"gmm_points"`` (PathCollection), ``"centers"`` (PathCollection),
        ``"center_labels"`` (list of Text), ``"ellipses"`` (list of Ellipse), ``"means"``
        (:class:`gmmviz.plot.Means`), ``"labels"`` (the renumbered k-means labels).
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
    return {
        "kmeans_points": km_points,
        "gmm_points": gmm_points,
        "centers": cross,
        "center_labels": texts,
        "ellipses": ellipses,
        "means": means,
        "labels": labels,
    }


def plot_standardised_fit(
    ax: Axes, X: Any, params: Any, resp: Any, mean: Any, scale: Any, names: Sequence[str], unit: str
) -> dict[str, Any]:
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
    dict
        ``"points"`` (PathCollection), ``"ellipses"`` (list of Ellipse), ``"secondary"`` (the
        top and right axes, SecondaryAxis).
    """
    m = np.asarray(mean, dtype=float).ravel()
    s = np.asarray(scale, dtype=float).ravel()
    if m.shape != (2,) or s.shape != (2,) or np.any(s <= 0):
        raise ValueError(f"mean and scale must be two numbers each, scale > 0; got {mean!r} and {scale!r}.")
    if len(names) != 2:
        raise ValueError(f"names must name the two columns, got {names!r}.")
    points = gplot.plot_points(ax, X, resp)
    ellipses = gplot.plot_ellipses(ax, params)
    ax.set(xlabel=f"{names[0]} (standard units)", ylabel=f"{names[1]} (standard units)", aspect="equal")
    top = ax.secondary_xaxis("top", functions=(lambda z: m[0] + s[0] * z, lambda r: (r - m[0]) / s[0]))
    right = ax.secondary_yaxis("right", functions=(lambda z: m[1] + s[1] * z, lambda r: (r - m[1]) / s[1]))
    top.set_xlabel(f"{names[0]} ({unit})")
    right.set_ylabel(f"{names[1]} ({unit})")
    return {"points": points, "ellipses": ellipses, "secondary": (top, right)}
