"""Composed lesson figures for the course notebooks.

Each function draws one figure the notebooks show, on axes the caller made (``ax`` or an array
of axes first), from parameters or histories that are already fitted: none of them fits a
model. Each returns its artists, so tests (and learners) can look at what was drawn.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .em import GMMParams, e_step, log_likelihood
from .plot import plot_density, plot_ellipses, plot_means, plot_points

__all__ = [
    "plot_fit",
    "plot_covariance_types",
    "plot_criterion",
    "plot_samples",
    "plot_image_grid",
    "plot_weights",
    "plot_bound_trace",
    "plot_gap_bars",
    "plot_bound_slice",
    "plot_slice_line",
    "plot_segmentation",
    "plot_anomalies",
]

# --- notebooks 00-04 ---


# --- notebooks 05-09 ---

#: Line colours for the ELBO and its gap (blue and orange of the course palette).
_ELBO_COLOR = "#0072B2"
_GAP_COLOR = "#D55E00"


def plot_fit(ax: Axes, X: Any, params: GMMParams, *, title: str | None = None,
             n_std: Sequence[float] = (1, 2), xlabel: str = "$x_1$", ylabel: str = "$x_2$",
             resp: Any = None) -> dict[str, Any]:
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
    dict with keys ``"points"`` (PathCollection), ``"ellipses"`` (list of Ellipse), ``"means"``.
    """
    if resp is None:
        resp, ll = e_step(X, params)
    else:
        ll = log_likelihood(X, params)
    points = plot_points(ax, X, resp)
    ellipses = plot_ellipses(ax, params, n_std=n_std)
    means = plot_means(ax, params)
    ax.set(xlabel=xlabel, ylabel=ylabel, aspect="equal",
           title=title if title is not None else f"K = {params.n_components}: ln p(X) = {ll:.1f}")
    return {"points": points, "ellipses": ellipses, "means": means}


def plot_covariance_types(axes: Sequence[Axes], X: Any, fits: Mapping[str, GMMParams], *,
                          xlabel: str = "$x_1$", ylabel: str = "$x_2$") -> dict[str, dict[str, Any]]:
    """One panel per covariance type, same data: the fitted ellipses and p, ln p(X) and BIC in the title.

    Parameters
    ----------
    axes : sequence of Axes, one per entry of ``fits``
    X : array of shape (N, 2)
    fits : mapping covariance type -> GMMParams
        Fitted on ``X``; the title counts each fit's free parameters p
        (:func:`gmmviz.exercises.n_parameters`) and gives BIC = p ln N − 2 ln p(X).

    Returns
    -------
    dict covariance type -> the artists of :func:`plot_fit`.
    """
    from .exercises import n_parameters

    axes = list(np.ravel(axes))
    if len(axes) != len(fits):
        raise ValueError(f"got {len(axes)} axes for {len(fits)} fits: give one axes per covariance type.")
    X = np.asarray(X, dtype=float)
    out = {}
    for ax, (cov, params) in zip(axes, fits.items()):
        p = n_parameters(params.n_components, params.n_features, params.covariance_type)
        ll = log_likelihood(X, params)
        bic = p * np.log(len(X)) - 2 * ll
        out[cov] = plot_fit(ax, X, params, xlabel=xlabel, ylabel=ylabel,
                            title=f"{cov}: p = {p}, ln p(X) = {ll:.0f}\nBIC = {bic:.0f}")
    return out


def plot_criterion(ax: Axes, Ks: Sequence[int], curves: Mapping[str, Sequence[float]], *,
                   best: str | None = None, true_k: int | None = None, ylabel: str = "",
                   title: str = "", colors: Sequence[Any] | None = None) -> dict[str, Any]:
    """One curve per model against K, with the best K of each starred (``best="min"`` or ``"max"``).

    Parameters
    ----------
    Ks : sequence of int
    curves : mapping label -> values, one per K
    best : {"min", "max"} or None
        Mark each curve's smallest (BIC, AIC) or largest (held-out ln p(X)) value with a star.
    true_k : int, optional
        Draw a dashed vertical line at the true K.

    Returns
    -------
    dict label -> {"line": Line2D, "best": Line2D or None}; ``"true_k"`` -> the vertical line or None.
    """
    if best not in (None, "min", "max"):
        raise ValueError(f"best must be 'min', 'max' or None, got {best!r}.")
    Ks = np.asarray(Ks)
    out: dict[str, Any] = {}
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        if values.shape != Ks.shape:
            raise ValueError(f"curve {label!r} has {values.size} values for {Ks.size} values of K: give one per K.")
        color = colors[i] if colors is not None else f"C{i}"
        (line,) = ax.plot(Ks, values, "o-", color=color, label=label)
        star = None
        if best is not None:
            j = int(np.argmin(values) if best == "min" else np.argmax(values))
            (star,) = ax.plot(Ks[j], values[j], "*", color=color, ms=16, mec="k")
        out[label] = {"line": line, "best": star}
    out["true_k"] = ax.axvline(true_k, color="0.6", ls="--", lw=1, label="true K") if true_k is not None else None
    ax.set(xlabel="K", ylabel=ylabel, title=title, xticks=Ks)
    ax.legend(fontsize="small")
    return out


def plot_samples(ax: Axes, X: Any, samples: Any, *, params: GMMParams | None = None,
                 title: str = "Data and new points sampled from the mixture",
                 xlabel: str = "$x_1$", ylabel: str = "$x_2$") -> dict[str, Any]:
    """Training data (grey) and points sampled from a fitted mixture (orange), optionally its density.

    Returns
    -------
    dict with keys ``"data"``, ``"samples"`` (PathCollections) and ``"density"`` (a contour set or None).
    """
    X = np.asarray(X, dtype=float)
    samples = np.asarray(samples, dtype=float)
    density = None
    if params is not None:
        lo = np.minimum(X.min(axis=0), samples.min(axis=0))
        hi = np.maximum(X.max(axis=0), samples.max(axis=0))
        pad = 0.1 * (hi - lo)
        density = plot_density(ax, params, extent=(lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]),
                               levels=8, cmap="Greys", linewidths=0.8)
    data = ax.scatter(*X[:, :2].T, s=8, color="0.55", label=f"data ({len(X)} points)")
    new = ax.scatter(*samples[:, :2].T, s=8, color="#D55E00", marker="^", label=f"sampled ({len(samples)} points)")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel, aspect="equal")
    ax.legend(loc="upper right", fontsize="small")
    return {"data": data, "samples": new, "density": density}


def plot_image_grid(axes: Any, images: Any, *, shape: tuple[int, int] = (8, 8),
                    title: str | None = None) -> list[Any]:
    """Show flattened grey images (e.g. 8×8 digits), one per axes, without ticks.

    Returns
    -------
    list of AxesImage, one per image shown.
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


def plot_weights(ax: Axes, weights: Mapping[str, Any], *, threshold: float | None = None,
                 title: str = "Mixing weights π_k, largest first") -> dict[str, Any]:
    """Bar chart of mixing weights (sorted, largest first), one group of bars per model.

    Parameters
    ----------
    weights : mapping model name -> array of shape (K,)
    threshold : float, optional
        Draw a dashed line at this weight (e.g. the "switched off" level).

    Returns
    -------
    dict model name -> BarContainer.
    """
    items = list(weights.items())
    width = 0.8 / len(items)
    colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#882255"]
    out = {}
    k_max = 0
    for i, (name, w) in enumerate(items):
        w = np.sort(np.asarray(w, dtype=float))[::-1]
        k_max = max(k_max, w.size)
        out[name] = ax.bar(np.arange(1, w.size + 1) + (i - (len(items) - 1) / 2) * width, w, width,
                           color=colors[i % len(colors)], label=name)
    if threshold is not None:
        ax.axhline(threshold, color="0.4", ls="--", lw=1, label=f"π = {threshold:g}")
    ax.set(xlabel="component, by weight", ylabel="weight π_k", title=title, xticks=np.arange(1, k_max + 1))
    ax.legend()
    return out


def plot_bound_trace(ax: Axes, trace: Any, *, start: int = 0, tick_every: int = 4,
                     title: str = "ln p(X) and its lower bound") -> dict[str, Any]:
    """ln p(X) (solid) and the ELBO (dashed) after every half-step, with the KL gap shaded.

    Parameters
    ----------
    trace : the result of :func:`gmmviz.bound.em_bound_trace`
    start : int
        First half-step shown (skip the first big jump so the rest stays readable).

    Returns
    -------
    dict with keys ``"log_likelihood"``, ``"elbo"`` (Line2D) and ``"gap"`` (PolyCollection).
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
    return {"log_likelihood": ll_line, "elbo": elbo_line, "gap": gap}


def plot_gap_bars(ax: Axes, trace: Any, *,
                  title: str = "The gap after each M-step (after each E-step: 0)") -> Any:
    """Bar chart of the KL gap after each M-step of an :func:`~gmmviz.bound.em_bound_trace`.

    Returns
    -------
    BarContainer, one bar per iteration.
    """
    after_m = np.array([kind == "M" for kind in trace.kinds])
    gaps = np.asarray(trace.kl)[after_m]
    bars = ax.bar(np.arange(1, gaps.size + 1), gaps, color=_GAP_COLOR)
    ax.set(xlabel="iteration t", ylabel="KL(q ‖ p(z | X, θ))", title=title)
    return bars


def plot_bound_slice(ax: Axes, s: Any, ll_line: Any, elbo_line: Any, *,
                     title: str = "A 1-D slice through θ") -> dict[str, Any]:
    """ln p(X) and the frozen-q ELBO along a line of parameters θ(s), the touch point and the bound's top.

    Returns
    -------
    dict with keys ``"log_likelihood"``, ``"elbo"``, ``"touch"`` (Line2D), ``"top"`` (the vertical line).
    """
    s, ll_line, elbo_line = (np.asarray(a, dtype=float) for a in (s, ll_line, elbo_line))
    i0 = int(np.argmin(np.abs(s)))
    i_top = int(np.argmax(elbo_line))
    (ll_art,) = ax.plot(s, ll_line, color="0.15", lw=2, label="ln p(X)")
    (elbo_art,) = ax.plot(s, elbo_line, "--", color=_ELBO_COLOR, lw=2, label="ELBO(q frozen, θ)")
    (touch,) = ax.plot([s[i0]], [ll_line[i0]], "o", color=_GAP_COLOR, ms=8, label="current θ: the bound touches")
    top = ax.axvline(s[i_top], color=_ELBO_COLOR, lw=1, ls=":")
    ax.annotate("M-step: top of the bound", xy=(s[i_top], elbo_line[i_top]),
                xytext=(s[i_top] + 0.3, elbo_line[i_top] - 0.15 * np.ptp(ll_line)), arrowprops={"arrowstyle": "->"})
    span = np.ptp(ll_line)
    ax.set_ylim(ll_line.min() - 0.3 * span, ll_line.max() + 0.1 * span)
    ax.set(xlabel="s (position along the line)", ylabel="log-likelihood", title=title)
    ax.legend(loc="lower center")
    return {"log_likelihood": ll_art, "elbo": elbo_art, "touch": touch, "top": top}


def plot_slice_line(ax: Axes, X: Any, params: GMMParams, q: Any, component: int, direction: Any,
                    s: Any, *, xlabel: str = "$x_1$", ylabel: str = "$x_2$") -> dict[str, Any]:
    """The data with the line along which :func:`plot_bound_slice` moves mean ``component`` (0-based).

    Returns
    -------
    the artists of :func:`plot_fit` plus ``"line"`` and ``"target"`` (the M-step's mean, a cross).
    """
    s = np.asarray(s, dtype=float)
    direction = np.asarray(direction, dtype=float)
    mean = params.means[component]
    out = plot_fit(ax, X, params, resp=q, xlabel=xlabel, ylabel=ylabel,
                   title=f"the line through μ_{component + 1} (×: the M-step's μ_{component + 1})")
    ends = mean + np.outer([s.min(), s.max()], direction)
    (out["line"],) = ax.plot(*ends.T, color="0.2", lw=1)
    (out["target"],) = ax.plot(*(mean + direction), "x", color="0.1", ms=10, mew=2)
    return out


def plot_segmentation(axes: Sequence[Axes], scene: Any, params: GMMParams, resp: Any, *,
                      every: int = 5) -> dict[str, Any]:
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
    dict with keys ``"scene"``, ``"segmented"``, ``"uncertainty"`` (AxesImage), ``"colorbar"``,
    ``"points"`` and ``"ellipses"``.
    """
    axes = list(np.ravel(axes))
    if len(axes) != 4:
        raise ValueError(f"plot_segmentation needs 4 axes, got {len(axes)}.")
    scene = np.asarray(scene, dtype=float)
    resp = np.asarray(resp, dtype=float)
    height, width, _ = scene.shape
    pixels = scene.reshape(-1, 3)
    labels = resp.argmax(axis=1)
    palette = params.means.clip(0, 1)                 # each component in its own mean colour
    out = {"scene": axes[0].imshow(scene)}
    axes[0].set_title("the scene")
    out["segmented"] = axes[1].imshow(palette[labels].reshape(scene.shape))
    axes[1].set_title("pixel → its component's mean colour")
    out["uncertainty"] = axes[2].imshow((1 - resp.max(axis=1)).reshape(height, width), cmap="magma", vmin=0, vmax=0.5)
    axes[2].set_title("uncertainty: 1 − (largest γ_nk of the pixel)")
    out["colorbar"] = axes[2].figure.colorbar(out["uncertainty"], ax=axes[2], shrink=0.8)
    for ax in axes[:3]:
        ax.set_axis_off()
    out["points"] = plot_points(axes[3], pixels[::every], resp[::every], dims=(0, 2), palette=palette, size=4)
    out["ellipses"] = plot_ellipses(axes[3], params, dims=(0, 2), n_std=(2,))
    for ellipse, colour in zip(out["ellipses"], palette):      # one 2-σ outline per component, in its mean colour
        ellipse.set_edgecolor(colour)
    axes[3].set(xlabel="red", ylabel="blue", title="pixels in colour space (red, blue)")
    return out


def plot_anomalies(ax: Axes, X: Any, params: GMMParams, threshold: float, new: Any, *,
                   extent: Sequence[float] | None = None, xlabel: str = "$x_1$",
                   ylabel: str = "$x_2$", title: str | None = None) -> dict[str, Any]:
    """Density contours, the points coloured by γ, the points with ln p(x) < ``threshold`` circled,
    and new points as stars (filled dark orange when flagged, grey when not).

    Returns
    -------
    dict with keys ``"density"``, ``"points"``, ``"flagged"``, ``"new"``; ``"n_flagged"`` counts
    the circled data points.
    """
    from .em import log_density

    X = np.asarray(X, dtype=float)
    new = np.atleast_2d(np.asarray(new, dtype=float))
    resp, _ = e_step(X, params)
    flagged = log_density(X, params) < threshold
    new_flagged = log_density(new, params) < threshold
    out = {"density": plot_density(ax, params, extent=extent, levels=12, cmap="Greys")}
    out["points"] = plot_points(ax, X[~flagged], resp[~flagged])
    out["flagged"] = ax.scatter(*X[flagged].T, s=60, facecolors="none", edgecolors=_GAP_COLOR, linewidths=1.5,
                                label=f"flagged: ln p(x) < {threshold:.2f}")
    out["new"] = ax.scatter(*new.T, marker="*", s=250, c=np.where(new_flagged, _GAP_COLOR, "0.2"),
                            edgecolors="white", linewidths=1, zorder=3, label="new points (orange: flagged)")
    out["n_flagged"] = int(flagged.sum())
    ax.set(xlabel=xlabel, ylabel=ylabel, aspect="equal",
           title=title if title is not None else "Anomalies: ln p(x) below the threshold")
    ax.legend(loc="lower right")
    return out
