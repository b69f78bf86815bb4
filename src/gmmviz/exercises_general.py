"""The check for notebook 11's exercise: the Bernoulli mixture's M-step for μ_k, written by the learner.

Like every check of :mod:`gmmviz.exercises`, :func:`check_bernoulli_means` returns a
:class:`~gmmviz.exercises.CheckResult` (✓, ✗ with a hint, or ○ not attempted yet) and never raises, so
the notebook runs top to bottom before the exercise is done.

The learner writes ``bernoulli_means(X, resp, a, b) -> (K, D)``:

    μ_ki = (Σ_n γ_nk x_ni + a − 1) / (N_k + a + b − 2),   N_k = Σ_n γ_nk,

the MAP estimate under a Beta(a, b) prior on every μ_ki. The reference is
:func:`gmmviz.bernoulli.bernoulli_m_step`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._checking import (
    CheckResult,
    _as_float_array,
    _call,
    _close,
    _fail,
    _fmt_pair,
    _fn_name,
    _ok,
    _raised,
    _todo,
)
from .bernoulli import bernoulli_m_step
from .exercise_cases import soft_responsibilities

__all__ = ["BERNOULLI_CASES", "bernoulli_problems", "check_bernoulli_means"]

#: The test problems' (n points, D pixels, K components, a, b): a ≠ b, so swapping them shows; n ≠ K ≠ D,
#: so a transposed answer shows; the last is maximum likelihood (a = b = 1).
BERNOULLI_CASES: tuple[tuple[int, int, int, float, float], ...] = (
    (12, 5, 3, 3.0, 1.5),
    (20, 9, 4, 2.0, 2.5),
    (9, 4, 2, 1.0, 1.0),
)


def bernoulli_problems(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """(X, resp, a, b) for each of :data:`BERNOULLI_CASES`: seeded binary X and clearly soft γ."""
    rng = np.random.default_rng(seed)
    out = []
    for i, (n, d, k, a, b) in enumerate(BERNOULLI_CASES):
        X = (rng.random((n, d)) < 0.4).astype(float)
        out.append((X, soft_responsibilities(seed + i, n, k), a, b))
    return out


def _slip(arr: np.ndarray, X: np.ndarray, resp: np.ndarray, a: float, b: float) -> str | None:
    """The hint for a recognised wrong answer, or None."""
    nk = resp.sum(axis=0)[:, np.newaxis]
    on = resp.T @ X  # Σ_n γ_nk x_ni
    hard = np.eye(resp.shape[1])[resp.argmax(axis=1)]
    right = (on + a - 1) / (nk + a + b - 2)
    after = (
        "the pseudo-counts join the counts before the division: (Σ_n γ_nk x_ni + a − 1) / (N_k + a + b − 2)."
    )
    with np.errstate(all="ignore"):
        slips = (
            (
                bernoulli_m_step(X, hard, (a, b)).means,
                "you used hard labels (resp.argmax): weigh every point by its responsibility γ_nk, as it is.",
            ),
            (
                on / nk,
                "that is the maximum-likelihood μ_k = Σ_n γ_nk x_n / N_k: add the prior's pseudo-counts, a − 1 "
                "to the 'on' count and a + b − 2 to N_k.",
            ),
            (
                1.0 - right,
                "that is 1 − μ_ki, the probability that pixel i is off: count the pixels that are on, "
                "Σ_n γ_nk x_ni (resp.T @ X), plus a − 1.",
            ),
            (
                on / (nk + a + b - 2),
                "the denominator has the prior's a + b − 2 but the numerator misses its a − 1 'on' pseudo-counts: "
                "add a − 1 to Σ_n γ_nk x_ni.",
            ),
            (
                (on + a - 1) / nk,
                "the numerator has the prior's a − 1 but the denominator misses its pseudo-counts: divide by "
                "N_k + a + b − 2 (a − 1 'on' plus b − 1 'off').",
            ),
            (on / nk + a - 1, after),
            (on / (nk + a + b - 2) + a - 1, after),
            (
                (on + a - 1) / (resp.mean(axis=0)[:, np.newaxis] + a + b - 2),
                "N_k is the sum Σ_n γ_nk (resp.sum(axis=0)), not the mean.",
            ),
            (
                (on + a) / (nk + a + b),
                "a Beta(a, b) prior adds a − 1 pseudo-counts 'on' and b − 1 'off' (its mode is (a − 1)/(a + b − 2)), "
                "not a and b.",
            ),
            (
                (on + b - 1) / (nk + a + b - 2),
                "a and b are swapped: a − 1 counts extra 'on' pixels (x = 1), b − 1 extra 'off' ones.",
            ),
            (
                (on + a - 1) / (X.shape[0] + a + b - 2),
                "divide by N_k = Σ_n γ_nk (plus a + b − 2), the effective number of points of component k, not by N.",
            ),
            (on, "divide the γ-weighted count by N_k + a + b − 2."),
            (
                (on + 1.0) / (nk + 2.0),
                "that is the default Beta(2, 2) (one pseudo-count each way) whatever the prior: use the a and b "
                "your function is given, a − 1 'on' and a + b − 2 in all.",
            ),
        )
    for wrong, hint in slips:
        if _close(arr, wrong):
            return hint
    return None


def check_bernoulli_means(fn: Callable[..., Any], *, seed: int = 0) -> CheckResult:
    """Check the learner's ``bernoulli_means(X, resp, a, b) -> (K, D)`` on three seeded problems.

    Compared with :func:`gmmviz.bernoulli.bernoulli_m_step`'s μ. Recognised slips: hard labels, no
    pseudo-counts (maximum likelihood), 1 − μ (the 'off' pixels counted), pseudo-counts in the numerator
    only or the denominator only, added after the division, a and b instead of a − 1 and b − 1, a and b
    swapped, N or the mean of γ for N_k, no division, the default (2, 2) whatever a and b, a transposed
    (D, K) answer.
    """
    name = "bernoulli_means"
    if not callable(fn):
        return _fail(
            name,
            f"pass your function itself, e.g. check_bernoulli_means(my_means), not a value of type {type(fn).__name__}.",
        )
    problems = bernoulli_problems(seed)
    for i, (X, resp, a, b) in enumerate(problems):
        n, k, d = X.shape[0], resp.shape[1], X.shape[1]
        where = f"a test problem with n={n} points, D={d} pixels, K={k}, a={a:g}, b={b:g}"
        out, exc = _call(fn, X.copy(), resp.copy(), a, b)
        if exc is not None:
            build = f"from gmmviz.exercises_general import bernoulli_problems; X, resp, a, b = bernoulli_problems({seed})[{i}]"
            return _raised(name, exc, where, f"{build}; {_fn_name(fn, 'my_means')}(X, resp, a, b)")
        if out is None:
            if i == 0:
                return _todo(name, "your function returned None. Fill it in and run the check again.")
            return _fail(name, f"your function returned None on {where}.")
        arr = _as_float_array(out)
        if arr is None or arr.shape != (k, d):
            if arr is not None and arr.shape == (d, k):
                return _fail(
                    name, f"shape {arr.shape} is transposed: one row of D = {d} pixels per component, (K, D)."
                )
            shape = getattr(arr, "shape", type(out).__name__)
            return _fail(
                name, f"μ must have shape (K, D) = ({k}, {d}), one row per component; got {shape} [{where}]."
            )
        if not np.isfinite(arr).all():
            return _fail(name, f"your μ contains NaN or inf (a division by zero?) [{where}].")
        ref = bernoulli_m_step(X, resp, (a, b)).means
        if _close(arr, ref):
            continue
        hint = _slip(arr, X, resp, a, b)
        if hint is None and ((arr < 0) | (arr > 1)).any():
            hint = "each μ_ki is a probability, between 0 and 1."
        if hint is None:
            j = int(np.argmax(np.abs(arr - ref).max(axis=1)))
            got, want = _fmt_pair(arr[j], ref[j])
            hint = f"μ_{j + 1} is off: got {got}, expected {want}. μ_ki = (Σ_n γ_nk x_ni + a − 1) / (N_k + a + b − 2)."
        return _fail(name, f"{hint} [{where}]")
    return _ok(
        name, f"correct on {len(problems)} test problems (μ matches gmmviz.bernoulli.bernoulli_m_step)."
    )
