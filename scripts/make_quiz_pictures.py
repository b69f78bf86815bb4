#!/usr/bin/env python3
"""Draw the pictures of the quick checks' picture questions into contents/quiz/ (seeded, reproducible).

Each picture question of ``notebooks/quizzes/NN_name.json`` offers three small pictures, drawn here with
gmmviz (its data sets, ``fit_em``, ``plot_points``, ``plot_ellipses``, ``plot_means``, ``weighted_component_pdfs``,
``plot_log_likelihood``, ``gmmviz.bound.mean_slice``) and saved as 256-colour PNGs. Every number a question
states about a picture is computed and checked here (the run stops with an AssertionError otherwise), and
printed.

Usage: ``.venv/bin/python scripts/make_quiz_pictures.py [--out DIR]`` (default ``contents/quiz``).
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import gmmviz  # noqa: E402
from gmmviz import GMMParams  # noqa: E402
from gmmviz.datasets import load_faithful, make_dataset  # noqa: E402
from gmmviz.palette import ELBO_COLOR, component_colors  # noqa: E402
from gmmviz.plot import (  # noqa: E402
    plot_ellipses,
    plot_log_likelihood,
    plot_means,
    plot_points,
    weighted_component_pdfs,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "contents" / "quiz"
FIGSIZE = (2.7, 2.3)
DPI = 80
FONT_SIZE = 7.0
# Pictures with tick labels to read: drawn at twice the pixels, with a larger font. A quick check shows a
# picture at most about 15 em wide, so the font is what stays readable once the browser scales it down.
READABLE = {"figsize": (2.9, 2.2), "dpi": 160, "font_size": 9.0}
# Pictures drawn with other options than the defaults, by the start of their file name.
SAVE_OPTIONS = {"00_bell_": READABLE, "08_bound_": READABLE}

Draw = Callable[[plt.Axes], None]


def save(
    draw: Draw,
    path: Path,
    *,
    figsize: tuple[float, float] = FIGSIZE,
    dpi: float = DPI,
    font_size: float = FONT_SIZE,
) -> None:
    """Draw on a small figure and save it as a 256-colour PNG with no metadata (same bytes every run)."""
    with plt.rc_context({"font.size": font_size, "axes.titlesize": font_size, "axes.labelsize": font_size}):
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        draw(ax)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
        plt.close(fig)
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        small = im.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.save(path, "PNG", optimize=True)


def bare(ax: plt.Axes, lim: float | tuple[float, float, float, float] | None = None) -> None:
    """No ticks: the pictures are compared by shape."""
    if lim is not None:
        x0, x1, y0, y1 = (-lim, lim, -lim, lim) if isinstance(lim, (int, float)) else lim
        ax.set(xlim=(x0, x1), ylim=(y0, y1))
    ax.set(xticks=[], yticks=[])
    ax.set_aspect("equal")


# --------------------------------------------------------------------------------------------------
def bells() -> dict[str, Draw]:
    """00: the bell N(x | 0, σ²) for σ = 0.2 (right), 1 and 2, drawn as BellCurveExplorer draws it.

    The curve in component 1's colour with the area under it shaded, and the dashed line at density 1;
    no component number (one bell needs no name) and the curve across the whole x range.
    """
    grid = np.linspace(-5.0, 5.0, 1001)  # holds x = 0, the peak

    def bell(sigma: float) -> Draw:
        density = weighted_component_pdfs(grid, GMMParams([1.0], [[0.0]], [[[sigma**2]]]))[0]
        color = component_colors(1)[0]

        def draw(ax: plt.Axes) -> None:
            ax.fill_between(grid, density, color=color, alpha=0.22, linewidth=0)
            ax.plot(grid, density, color=color, lw=2.0)
            ax.axhline(1.0, color="0.35", ls="--", lw=1.0)
            ax.set(xlim=(-5, 5), ylim=(0, 2.2), xticks=[-4, -2, 0, 2, 4], yticks=[0, 1, 2])
            ax.set(xlabel="x", ylabel="density")

        return draw

    peaks = {
        s: float(weighted_component_pdfs([0.0], GMMParams([1.0], [[0.0]], [[[s**2]]]))[0, 0])
        for s in (0.2, 1, 2)
    }
    # The questions' numbers: 1.995 above the line at 1, about 0.4 (0.399) and about 0.2 (0.199) below it.
    assert round(peaks[0.2], 3) == 1.995 and 1 < peaks[0.2] < 2.2, peaks  # above the line, under the top
    assert round(peaks[1], 3) == 0.399 and round(peaks[2], 3) == 0.199, peaks
    print(f"00: bell peaks: σ = 0.2: {peaks[0.2]:.3f}, σ = 1: {peaks[1]:.3f}, σ = 2: {peaks[2]:.3f}")
    return {"00_bell_a.png": bell(1.0), "00_bell_b.png": bell(0.2), "00_bell_c.png": bell(2.0)}


def ellipses_01() -> dict[str, Draw]:
    """01: the 1/2/3-sd ellipses of three covariances; Σ = [[1, -0.7], [-0.7, 1]] is the question's."""

    def draw_cov(cov: list[list[float]]) -> Draw:
        def draw(ax: plt.Axes) -> None:
            plot_ellipses(ax, GMMParams([1.0], [[0.0, 0.0]], [cov]))
            ax.axhline(0, color="0.8", lw=0.6, zorder=0)
            ax.axvline(0, color="0.8", lw=0.6, zorder=0)
            bare(ax, 4.5)
            ax.set(xlabel="$x_1$", ylabel="$x_2$")

        return draw

    return {
        "01_cov_a.png": draw_cov([[1.0, 0.7], [0.7, 1.0]]),
        "01_cov_b.png": draw_cov([[2.0, 0.0], [0.0, 0.3]]),
        "01_cov_c.png": draw_cov([[1.0, -0.7], [-0.7, 1.0]]),
    }


def samples_02() -> dict[str, Draw]:
    """02: 300 points from a 3-component mixture for three weight vectors, labelled by z_n."""
    means = np.array([[-2.0, 0.0], [2.0, 1.5], [1.5, -2.0]])
    covs = np.array([0.35 * np.eye(2)] * 3)

    def draw_weights(weights: tuple[float, ...], seed: int) -> Draw:
        rng = np.random.default_rng(seed)
        z = rng.choice(3, size=300, p=weights)
        X = np.array([rng.multivariate_normal(means[k], covs[k]) for k in z])
        counts = np.bincount(z, minlength=3)
        print(f"02: π = {weights}: points per component {counts.tolist()}")

        def draw(ax: plt.Axes) -> None:
            plot_points(ax, X, np.eye(3)[z], hard=True, size=9)
            plot_means(ax, GMMParams(np.full(3, 1 / 3), means, covs))
            bare(ax, (-4.2, 4.2, -4, 3.8))

        return draw

    return {
        "02_pi_a.png": draw_weights((1 / 3, 1 / 3, 1 / 3), 1),
        "02_pi_b.png": draw_weights((0.1, 0.2, 0.7), 2),
        "02_pi_c.png": draw_weights((0.7, 0.2, 0.1), 3),
    }


def faithful_steps_03() -> dict[str, Draw]:
    """03: Old Faithful (standardised), K = 2, k-means start: the start, after E-step 1, after M-step 1."""
    X = load_faithful(standardize=True)
    h = gmmviz.fit_em(X, 2, random_state=0)
    lim = (-2.3, 2.3, -2.6, 2.3)

    def draw_state(params: GMMParams, resp: np.ndarray | None) -> Draw:
        def draw(ax: plt.Axes) -> None:
            plot_points(ax, X, resp, size=7)
            plot_ellipses(ax, params)
            plot_means(ax, params)
            bare(ax, lim)

        return draw

    gamma0 = h.responsibilities(0)  # the first E-step: γ under the start's parameters
    assert np.allclose(h.params[0].covariances, np.eye(2)) and h.n_iter >= 1
    return {
        "03_step_a.png": draw_state(h.params[1], gamma0),  # after the first M-step
        "03_step_b.png": draw_state(h.params[0], None),  # the start
        "03_step_c.png": draw_state(h.params[0], gamma0),  # after the first E-step
    }


def curves_04() -> dict[str, Draw]:
    """04: ln p(X) over iterations: the blobs explorer's run (right) and two curves that go down."""
    X, _ = make_dataset("blobs", n_samples=300, random_state=0)
    h = gmmviz.fit_em(X, 3, init="random", random_state=0)
    ll = np.asarray(h.log_likelihoods, dtype=float)
    assert np.all(np.diff(ll) >= -1e-9) and h.n_iter == 11, (h.n_iter, ll)
    dip = ll.copy()
    dip[6] = ll[5] - 0.6 * (ll[-1] - ll[1])  # iteration 6 drops below iteration 5
    zigzag = ll.copy()
    zigzag[2::2] = ll[1:-1:2] - 0.35 * (ll[-1] - ll[1])  # down after every other iteration
    print(f"04: blobs, random start, seed 0: {h.n_iter} iterations, ln p(X) {ll[0]:.1f} -> {ll[-1]:.1f}")

    def draw_curve(values: np.ndarray) -> Draw:
        def draw(ax: plt.Axes) -> None:
            plot_log_likelihood(ax, values)
            ax.set_yticks([])

        return draw

    return {"04_ll_a.png": draw_curve(dip), "04_ll_b.png": draw_curve(ll), "04_ll_c.png": draw_curve(zigzag)}


def drawings_05() -> dict[str, Draw]:
    """05: three 'drawings' labelled by pen: separate blobs (easy), overlapping pens, a ring round a blob."""
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(5)
    blobs = np.vstack([rng.normal(c, 0.55, size=(100, 2)) for c in ([2.0, 2.5], [7.5, 3.0], [5.0, 7.5])])
    blob_labels = np.repeat([0, 1, 2], 100)
    overlap = np.vstack(
        [rng.normal([4.2, 5.0], 1.1, size=(150, 2)), rng.normal([5.8, 5.0], 1.1, size=(150, 2))]
    )
    overlap_labels = np.repeat([0, 1], 150)
    angle = rng.uniform(0, 2 * np.pi, 200)
    ring = np.column_stack([5 + 3.4 * np.cos(angle), 5 + 3.4 * np.sin(angle)]) + rng.normal(0, 0.25, (200, 2))
    ring_data = np.vstack([ring, rng.normal([5.0, 5.0], 0.6, size=(100, 2))])
    ring_labels = np.repeat([0, 1], [200, 100])

    sets = {
        "05_draw_a.png": (overlap, overlap_labels),
        "05_draw_b.png": (ring_data, ring_labels),
        "05_draw_c.png": (blobs, blob_labels),
    }
    ari = {}
    for name, (X, labels) in sets.items():
        k = int(labels.max()) + 1
        h = gmmviz.fit_em(X, k, random_state=0)
        ari[name] = adjusted_rand_score(labels, h.responsibilities(-1).argmax(axis=1))
    print(
        "05: adjusted Rand index, one component per pen: " + ", ".join(f"{n} {a:.2f}" for n, a in ari.items())
    )
    assert ari["05_draw_c.png"] > 0.95 and max(ari["05_draw_a.png"], ari["05_draw_b.png"]) < 0.7, ari

    def draw_set(X: np.ndarray, labels: np.ndarray) -> Draw:
        def draw(ax: plt.Axes) -> None:
            plot_points(ax, X, np.eye(int(labels.max()) + 1)[labels], hard=True, size=7)
            bare(ax, (0, 10, 0, 10))

        return draw

    return {name: draw_set(X, labels) for name, (X, labels) in sets.items()}


def covariance_types_06() -> dict[str, Draw]:
    """06: K = 3 fits of the unequal data with three covariance types; 'tied' is the question's."""
    X, _ = make_dataset("unequal", random_state=0)
    out = {}
    for name, cov in (("06_type_a.png", "spherical"), ("06_type_b.png", "tied"), ("06_type_c.png", "diag")):
        h = gmmviz.fit_em(X, 3, covariance_type=cov, random_state=0)
        params = h.final

        def draw(ax: plt.Axes, params: GMMParams = params, h: gmmviz.EMHistory = h) -> None:
            plot_points(ax, X, h.responsibilities(-1), size=6)
            plot_ellipses(ax, params)
            bare(ax)
            ax.autoscale()
            ax.set(xticks=[], yticks=[])

        out[name] = draw
    return out


def runs_07() -> dict[str, Draw]:
    """07: three runs on the stripes: the best fit, a worse local maximum (seed 0), the best relabelled."""
    X, _ = make_dataset("elongated", random_state=0)
    best = gmmviz.fit_em(X, 3, init="random", random_state=1, tol=1e-6, max_iter=1000)
    stuck = gmmviz.fit_em(X, 3, init="random", random_state=0, tol=1e-6, max_iter=1000)
    ll_best, ll_stuck = best.log_likelihoods[-1], stuck.log_likelihoods[-1]
    print(f"07: best run ln p(X) = {ll_best:.1f}, seed 0 stops at {ll_stuck:.1f}")
    assert round(ll_best, 1) == -1140.5 and round(ll_stuck, 1) == -1230.3, (ll_best, ll_stuck)
    perm = [2, 0, 1]
    p = best.final
    relabelled = GMMParams(p.weights[perm], p.means[perm], p.covariances[perm])
    assert np.isclose(gmmviz.log_likelihood(X, relabelled), ll_best)

    def draw_fit(params: GMMParams) -> Draw:
        resp, _ = gmmviz.e_step(X, params)

        def draw(ax: plt.Axes) -> None:
            plot_points(ax, X, resp, size=6)
            plot_ellipses(ax, params)
            plot_means(ax, params)
            bare(ax)
            ax.autoscale()
            ax.set(xticks=[], yticks=[])

        return draw

    return {
        "07_run_a.png": draw_fit(best.final),
        "07_run_b.png": draw_fit(relabelled),
        "07_run_c.png": draw_fit(stuck.final),
    }


def bounds_08() -> dict[str, Draw]:
    """08: ln p(X) and the frozen-q ELBO along a line that moves μ_2 (Old Faithful, random start, seed 0)."""
    from gmmviz.bound import mean_slice

    X = load_faithful(standardize=True)
    h = gmmviz.fit_em(X, 2, init="random", random_state=0)
    params = h.params[0]
    q = h.responsibilities(0)
    target = (q[:, 1] @ X) / q[:, 1].sum()
    s = np.linspace(-0.5, 1.6, 43)
    ll, bound = mean_slice(X, params, q, 1, target - params.means[1], s)
    assert np.all(bound <= ll + 1e-9) and abs(bound[np.argmin(np.abs(s))] - ll[np.argmin(np.abs(s))]) < 1e-6
    span = np.ptp(ll)
    above = bound + 0.25 * span  # crosses above ln p(X): not a lower bound
    below = bound - 0.12 * span  # never touches: as if KL were not 0 after the E-step
    print(
        f"08: the ELBO touches ln p(X) at s = 0 ({ll[np.argmin(np.abs(s))]:.2f}), is largest at s = {s[np.argmax(bound)]:.2f}"
    )

    def draw_pair(elbo_line: np.ndarray) -> Draw:
        def draw(ax: plt.Axes) -> None:
            ax.plot(s, ll, color="0.15", lw=2, label="ln p(X)")
            ax.plot(s, elbo_line, "--", color=ELBO_COLOR, lw=2, label="ELBO")  # (08's own colour for it)
            ax.axvline(0, color="0.6", lw=0.8, ls=":")
            ax.set(xlabel="s (moving μ₂; s = 0: now)", yticks=[])
            ax.legend(loc="lower right", frameon=False)
            ax.set_ylim(ll.min() - 0.45 * span, ll.max() + 0.35 * span)

        return draw

    return {
        "08_bound_a.png": draw_pair(above),
        "08_bound_b.png": draw_pair(below),
        "08_bound_c.png": draw_pair(bound),
    }


def anomalies_09() -> dict[str, Draw]:
    """09: Old Faithful, K = 2; circled: the 2 % lowest ln p(x) (right), the 2 % highest, or one cluster."""
    X = load_faithful(standardize=True)
    h = gmmviz.fit_em(X, 2, random_state=0)
    params = h.final
    resp = h.responsibilities(-1)
    logp = gmmviz.log_density(X, params)
    tau = np.quantile(logp, 0.02)
    low = logp < tau
    high = logp > np.quantile(logp, 0.98)
    small = int(np.argmin(params.weights))
    cluster = resp.argmax(axis=1) == small
    print(
        f"09: τ = {tau:.3f}; {low.sum()} of {len(X)} flagged; the smaller component has {cluster.sum()} points"
    )
    assert round(tau, 3) == -4.566 and low.sum() == 6

    def draw_flags(mask: np.ndarray) -> Draw:
        def draw(ax: plt.Axes) -> None:
            plot_points(ax, X, resp, size=6)
            plot_ellipses(ax, params)
            ax.scatter(
                X[mask, 0], X[mask, 1], s=60, facecolors="none", edgecolors="k", linewidths=1.2, zorder=5
            )
            bare(ax, (-2.3, 2.3, -2.6, 2.3))

        return draw

    return {
        "09_flag_a.png": draw_flags(high),
        "09_flag_b.png": draw_flags(cluster),
        "09_flag_c.png": draw_flags(low),
    }


ALL = (
    bells,
    ellipses_01,
    samples_02,
    faithful_steps_03,
    curves_04,
    drawings_05,
    covariance_types_06,
    runs_07,
    bounds_08,
    anomalies_09,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (default contents/quiz)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    n = 0
    for make in ALL:
        for name, draw in make().items():
            options = next((o for start, o in SAVE_OPTIONS.items() if name.startswith(start)), {})
            save(draw, args.out / name, **options)
            n += 1
    print(f"{n} pictures in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
