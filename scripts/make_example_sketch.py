"""Draw src/gmmviz/data/example_sketch.png: the ready-made drawing used when no browser is there.

A notebook run headless (nbval, nbconvert) never receives a drawing from `SketchPad`, so the
course ships one that looks like a learner's: three overlapping clusters of short pen scribbles in the first three
palette colours on a transparent 400x300 canvas (the size of `SketchPad()`), with anti-aliased edges
like a browser canvas. The output is deterministic: re-running the script rewrites the same file.

Usage: python scripts/make_example_sketch.py [OUTPUT]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "src" / "gmmviz" / "data" / "example_sketch.png"

WIDTH, HEIGHT = 400, 300
# Drawing at 4x and shrinking gives the soft edge pixels a real canvas produces.
SUPERSAMPLE = 4
BRUSH = 5  # px on the final canvas, like SketchPad's default brush

# (pen colour, centre (x, y) in canvas pixels with y down, covariance in px^2, number of scribbles).
# Pen k is component k's colour in the course palette (1 blue, 2 orange, 3 green). Clusters 1 and 2
# overlap and 3 touches both, so a fit to this drawing has points with genuinely split γ_nk.
CLUSTERS = (
    ("#0072B2", (145, 120), ((1100.0, 450.0), (450.0, 650.0)), 34),  # blue: tilted ellipse
    ("#D55E00", (240, 118), ((520.0, 0.0), (0.0, 520.0)), 26),  # orange: round blob, overlapping blue
    ("#009E73", (205, 215), ((1700.0, -150.0), (-150.0, 240.0)), 30),  # green: long and flat, below both
)


def scribble(rng: np.random.Generator, centre: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """One short pen stroke: 3-6 points wandering from a point drawn from the cluster's Gaussian."""
    start = rng.multivariate_normal(centre, cov)
    steps = rng.normal(0.0, 4.0, size=(int(rng.integers(2, 6)), 2))
    return start + np.vstack([np.zeros(2), np.cumsum(steps, axis=0)])


def draw(seed: int = 7) -> Image.Image:
    """Return the example drawing as an RGBA image (transparent paper, coloured ink)."""
    rng = np.random.default_rng(seed)
    big = Image.new("RGBA", (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(big)
    width = BRUSH * SUPERSAMPLE
    # Strokes of the three pens interleaved, as a learner going back and forth would draw them,
    # so no pen covers all of another's ink in the overlap.
    order = [i for i, (*_, n_strokes) in enumerate(CLUSTERS) for _ in range(n_strokes)]
    for i in rng.permutation(order):
        colour, centre, cov, _ = CLUSTERS[i]
        pts = scribble(rng, np.asarray(centre, float), np.asarray(cov, float))
        pts = np.clip(pts, BRUSH, [WIDTH - BRUSH, HEIGHT - BRUSH]) * SUPERSAMPLE
        xy = [tuple(p) for p in pts]
        pen.line(xy, fill=colour, width=width, joint="curve")
        # Round caps, as a canvas with lineJoin "round" shows them.
        for x, y in (xy[0], xy[-1]):
            r = width / 2
            pen.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    # Pillow resizes RGBA with premultiplied alpha, so edge pixels keep the pen colour.
    return big.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else OUTPUT
    out.parent.mkdir(parents=True, exist_ok=True)
    draw().save(out, optimize=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
