"""Draw the course's hand-made figures in contents/: pictures the notebooks show but do not compute.

Both are original drawings made with matplotlib (no copied artwork):

* ``contents/mixture_of_three.png``: three weighted 1-D Gaussians π_k N(x | μ_k, σ_k²) and their sum,
  the mixture density p(x) (shown in 02_mixture_models where T_n is defined).
* ``contents/generative_story.png``: the generative story of a Gaussian mixture: roll a K-sided die
  with probabilities π_k to pick the hidden label z_n, then draw x_n from the chosen Gaussian; the
  latent z_n is shaded differently from the observed x_n, inside a plate "n = 1 … N".

The colours are gmmviz's component palette, so the figures match the notebooks' plots. The output is
deterministic (no timestamps in the PNG metadata): re-running the script rewrites the same files.

Usage: python scripts/make_contents.py [OUTPUT_DIR]     (default: contents/ at the repo root)
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, Rectangle

from gmmviz.palette import component_colors
from gmmviz.plot import ellipse_geometry

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_DIR = ROOT / "contents"
DPI = 110
# PNG metadata without "Software"/dates, so the bytes depend only on the drawing.
METADATA = {"Software": None}

COLORS = component_colors(3)
# Colour words of components 1-3 in the course palette (the notebooks' alt text uses them).
NAMES = ("blue", "orange", "green")

# The 1-D mixture of the first figure: weights, means, standard deviations.
WEIGHTS_1D = np.array([0.5, 0.3, 0.2])
MEANS_1D = np.array([-2.0, 1.0, 3.5])
SDS_1D = np.array([1.0, 0.6, 0.9])


def normal_pdf(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * np.sqrt(2.0 * np.pi))


def mixture_of_three() -> plt.Figure:
    """Three weighted Gaussians (coloured, shaded) and their sum (black)."""
    x = np.linspace(-5.5, 8.5, 900)
    parts = [w * normal_pdf(x, m, s) for w, m, s in zip(WEIGHTS_1D, MEANS_1D, SDS_1D)]
    total = np.sum(parts, axis=0)

    fig, ax = plt.subplots(figsize=(8.4, 3.9))
    # (text position, horizontal alignment) of each component's label
    label_at = (((-5.3, 0.29), "left"), ((1.55, 0.30), "left"), ((4.4, 0.175), "left"))
    for k, (part, color) in enumerate(zip(parts, COLORS)):
        ax.fill_between(x, part, color=color, alpha=0.18, linewidth=0)
        ax.plot(x, part, color=color, linewidth=1.8, linestyle="--")
        dark = color * np.array([0.7, 0.7, 0.7, 1.0])
        xy_text, ha = label_at[k]
        ax.annotate(
            f"$\\pi_{k + 1}\\,\\mathcal{{N}}(x\\mid\\mu_{k + 1},\\sigma_{k + 1}^2)$\n"
            f"$\\pi_{k + 1}={WEIGHTS_1D[k]:.1f},\\ \\mu_{k + 1}={MEANS_1D[k]:g},\\ \\sigma_{k + 1}={SDS_1D[k]:g}$",
            xy=(MEANS_1D[k], part.max()),
            xytext=xy_text,
            fontsize=8.5,
            color=dark,
            ha=ha,
            va="bottom",
            arrowprops={"arrowstyle": "-", "color": color, "linewidth": 0.8, "shrinkA": 2},
        )
    ax.plot(x, total, color="0.1", linewidth=2.6)
    i = np.searchsorted(x, 2.3)
    ax.annotate(
        "mixture density (black)\n$p(x)=\\sum_k \\pi_k\\,\\mathcal{N}(x\\mid\\mu_k,\\sigma_k^2)$",
        xy=(x[i], total[i]),
        xytext=(5.0, 0.085),
        fontsize=9.5,
        ha="left",
        va="bottom",
        arrowprops={"arrowstyle": "->", "color": "0.1", "linewidth": 1.0, "shrinkA": 2},
    )
    ax.text(
        8.4,
        0.385,
        "each coloured area equals its $\\pi_k$, and the $\\pi_k$ add up to 1,\n"
        "so the black curve is again a density (area 1)",
        fontsize=8.5,
        color="0.3",
        va="top",
        ha="right",
    )
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(0, 0.39)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    ax.set_title("Three weighted Gaussians add up to one mixture density", fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    return fig


def _arrow(ax, start, end, text=None, offset=(0.0, 0.04)):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16, linewidth=1.6, color="0.2"))
    if text:
        mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        ax.text(*mid, text, ha="center", va="bottom", fontsize=8.5, color="0.25")


def generative_story() -> plt.Figure:
    """π → z_n (latent, a die roll) → x_n (observed, a draw from the chosen Gaussian), in a plate."""
    fig = plt.figure(figsize=(9.0, 3.9))
    ax = fig.add_axes([0, 0, 1, 1])
    top = 3.9 / 9.0  # data units equal in x and y, so circles stay round
    ax.set_xlim(0, 1)
    ax.set_ylim(0, top)
    ax.axis("off")
    mid = 0.2
    radius = 0.052

    ax.text(
        0.5,
        top - 0.022,
        "The generative story of a Gaussian mixture: first the hidden label, then the point",
        ha="center",
        va="center",
        fontsize=11.5,
    )

    # Plate: everything inside is repeated for n = 1 ... N.
    ax.add_patch(
        Rectangle(
            (0.275, 0.025),
            0.71,
            0.355,
            facecolor="none",
            edgecolor="0.45",
            linewidth=1.2,
            linestyle=(0, (5, 3)),
        )
    )
    ax.text(0.978, 0.033, "repeat for $n = 1, \\dots, N$", ha="right", va="bottom", fontsize=9, color="0.35")

    # 1. The weights π as a bar chart: a loaded K-sided die.
    bar_ax = fig.add_axes([0.045, 0.33, 0.15, 0.38])
    bar_ax.bar(range(3), WEIGHTS_1D, color=COLORS, width=0.7)
    bar_ax.set_xticks(range(3), ["$k$=1", "$k$=2", "$k$=3"], fontsize=8)
    bar_ax.set_yticks([0, 0.25, 0.5], ["0", "0.25", "0.5"], fontsize=7)
    bar_ax.set_ylim(0, 0.6)
    for side in ("top", "right"):
        bar_ax.spines[side].set_visible(False)
    bar_ax.set_title("mixing weights $\\pi_k$", fontsize=10)
    ax.text(
        0.12,
        0.085,
        "a loaded die with K faces,\n$\\pi_1 + \\pi_2 + \\pi_3 = 1$",
        ha="center",
        va="center",
        fontsize=9,
        color="0.3",
    )

    # 2. The latent label z_n: white circle with a dashed outline = hidden, never observed.
    zc = (0.40, mid)
    ax.add_patch(Circle(zc, radius, facecolor="white", edgecolor="0.2", linewidth=1.6, linestyle=(0, (4, 2))))
    ax.text(*zc, "$z_n$", ha="center", va="center", fontsize=15)
    ax.text(zc[0], 0.31, "latent (hidden) label", ha="center", va="center", fontsize=9, color="0.3")
    ax.text(zc[0], 0.095, "$p(z_n = k) = \\pi_k$", ha="center", va="center", fontsize=10)
    _arrow(ax, (0.215, mid), (zc[0] - radius - 0.005, mid), "roll the die")

    # 3. The three component Gaussians as ellipses; the chosen one (k = 2 here) is highlighted.
    comp_ax = fig.add_axes([0.535, 0.17, 0.19, 0.62])
    means = np.array([[-1.6, -0.6], [1.2, 1.3], [1.4, -1.4]])
    covs = np.array([[[0.55, 0.25], [0.25, 0.35]], [[0.30, -0.12], [-0.12, 0.45]], [[0.6, 0.0], [0.0, 0.12]]])
    chosen = 1
    for k in range(3):
        emphasis = k == chosen
        for s in (1.0, 2.0):
            w, h, a = ellipse_geometry(covs[k], s)
            if s == 1.0:
                comp_ax.add_patch(
                    Ellipse(
                        means[k],
                        w,
                        h,
                        angle=a,
                        facecolor=COLORS[k],
                        alpha=0.35 if emphasis else 0.12,
                        linewidth=0,
                    )
                )
            comp_ax.add_patch(
                Ellipse(
                    means[k],
                    w,
                    h,
                    angle=a,
                    facecolor="none",
                    edgecolor=COLORS[k],
                    linewidth=2.2 if emphasis else 0.9,
                    linestyle="-" if emphasis else ":",
                )
            )
        comp_ax.text(
            means[k][0],
            means[k][1] - (0.0 if k != chosen else 0.35),
            f"$k$={k + 1}",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold" if emphasis else "normal",
        )
    x_new = means[chosen] + np.array([0.3, 0.35])  # one draw from the chosen Gaussian
    comp_ax.plot(*x_new, marker="*", markersize=14, color="0.1", zorder=5)
    comp_ax.set_xlim(-3.3, 3.0)
    comp_ax.set_ylim(-2.6, 3.0)
    comp_ax.set_aspect("equal")
    comp_ax.set_xticks([])
    comp_ax.set_yticks([])
    comp_ax.set_title("say $z_n = 2$: use Gaussian 2", fontsize=9.5)
    _arrow(ax, (zc[0] + radius + 0.005, mid), (0.53, mid), "pick $k$")

    # 4. The observed point x_n: grey circle = seen in the data.
    xc = (0.875, mid)
    ax.add_patch(Circle(xc, radius, facecolor="0.82", edgecolor="0.2", linewidth=1.6))
    ax.text(*xc, "$x_n$", ha="center", va="center", fontsize=15)
    ax.text(xc[0], 0.31, "observed point ($\\bigstar$)", ha="center", va="center", fontsize=9, color="0.3")
    ax.text(
        xc[0] - 0.02,
        0.095,
        "$x_n \\mid z_n{=}k \\;\\sim\\; \\mathcal{N}(\\mu_k, \\Sigma_k)$",
        ha="center",
        va="center",
        fontsize=10,
    )
    _arrow(ax, (0.735, mid), (xc[0] - radius - 0.005, mid), "draw $x_n$")
    return fig


FIGURES = {
    "mixture_of_three.png": mixture_of_three,
    "generative_story.png": generative_story,
}


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else OUTPUT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, draw in FIGURES.items():
        fig = draw()
        path = out_dir / name
        fig.savefig(path, dpi=DPI, metadata=METADATA, facecolor="white")
        plt.close(fig)
        print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
