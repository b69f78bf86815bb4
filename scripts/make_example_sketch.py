"""Draw src/gmmviz/data/example_sketch.png: the ready-made drawing used when no browser is there.

A notebook run headless (nbval, nbconvert) never receives a drawing from `SketchPad`, so the
course ships one that looks like a learner's: three clusters of short pen scribbles in three
colours on a transparent 400x300 canvas (the size of `SketchPad()`), with anti-aliased edges
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

# (pen colour, centre (x, y) in canvas pixels with y down, covariance in px^2, number of scribbles)
CLUSTERS = (
    ("#e41a1c", (115, 95), ((900.0, 500.0), (500.0, 700.0)), 34),  # red: tilted ellipse
    ("#377eb8", (285, 110), ((450.0, 0.0), (0.0, 450.0)), 26),  # blue: round blob
    ("#4daf4a", (215, 225), ((1600.0, -150.0), (-150.0, 220.0)), 30),  # green: long and flat
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
    for colour, centre, cov, n_strokes in CLUSTERS:
        for _ in range(n_strokes):
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
