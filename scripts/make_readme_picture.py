"""Render contents/explorer.png, the README's picture of the course: EM mid-fit on Old Faithful.

The EM explorer's two panels as a static figure: the points coloured by γ_nk with the ellipses of one
half-step (left), and ln p(X) climbing, the current step marked (right). Re-run after a change that
alters the picture:  .venv/bin/python scripts/make_readme_picture.py
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # a file, no screen
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from gmmviz import fit_em  # noqa: E402
from gmmviz.datasets import load_faithful  # noqa: E402
from gmmviz.plot import plot_frame, plot_log_likelihood  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "contents" / "explorer.png"
# A random start that needs several iterations, so that the middle of the fit shows EM at work.
SEED, K = 0, 2


def main() -> Path:
    X = load_faithful(standardize=True)
    history = fit_em(X, K, init="random", random_state=SEED)
    # The right panel's title is a claim: check it on this run.
    assert np.all(np.diff(history.log_likelihoods) >= -1e-9), "ln p(X) decreased"
    frame = history.frame(min(15, history.n_frames - 1))  # the E-step of iteration 8 (or the last frame)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), gridspec_kw={"width_ratios": [1.3, 1]})
    plot_frame(left, X, frame)
    left.set_xlabel("eruption duration (standardised)")
    left.set_ylabel("waiting time (standardised)")
    plot_log_likelihood(right, history.log_likelihoods, current=frame.params_index)
    right.set_title("ln p(X) never decreases")
    fig.tight_layout()
    fig.savefig(OUT, dpi=80)
    plt.close(fig)
    return OUT


if __name__ == "__main__":
    print(main())
