"""The check for notebook 13's exercise: Bayes' rule by hand, p(c | x) from printed densities and priors.

:func:`check_class_posterior` returns a :class:`gmmviz.exercises.CheckResult` (✓ passed, ✗ failed with a
hint, ○ not attempted), never raises for a wrong or missing answer, so the notebook runs top to bottom
before the exercise is done. The right answer is computed from the model itself, in log space
(:func:`gmmviz.classify.class_log_posterior`); the usual slips are recognised: the priors left out,
the division by p(x) forgotten, too few decimals, the classes in another order, percentages.
"""

from __future__ import annotations

from itertools import permutations
from typing import Any

import numpy as np
import numpy.typing as npt

from ._checking import CheckResult
from .classify import ClassMixtures, class_log_densities, class_log_posterior

__all__ = ["check_class_posterior"]

_NAME = "p(c | x)"
# A hand answer is written to 3 decimals: it passes within half a unit of the third decimal.
_HALF_UNIT = 0.5e-3 * (1 + 1e-6)


def _fmt(values: np.ndarray) -> str:
    return "(" + ", ".join(f"{v:.3f}" for v in values) + ")"


def _close(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return bool(np.all(np.abs(a - b) <= atol))


def check_class_posterior(answer: Any, x: npt.ArrayLike, model: ClassMixtures) -> CheckResult:
    """Check a hand-computed posterior p(c | x) of one point, for every class of ``model``.

    Parameters
    ----------
    answer : sequence of C numbers, or None
        p(c | x) in the order of ``model.classes``, to 3 decimals (more is fine). None: not attempted.
    x : array-like of shape (d,)
        The point.
    model : ClassMixtures
        The classifier, with the priors the exercise uses.

    Returns
    -------
    CheckResult
        Passed when every entry is within half a unit of the third decimal of the true posterior.
    """
    if not isinstance(model, ClassMixtures):
        raise TypeError(f"model must be a ClassMixtures, got {type(model).__name__}.")
    point = np.asarray(x, dtype=float).reshape(1, -1)
    if answer is None:
        return CheckResult(
            _NAME,
            "not attempted",
            f"not attempted yet: give {model.n_classes} numbers, p(c | x) for each class.",
        )
    truth = np.exp(class_log_posterior(point, model))[0]
    c = model.n_classes
    try:
        got = np.asarray(answer, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return CheckResult(_NAME, "failed", f"give {c} numbers (one per class), got {answer!r}.")
    if got.size != c:
        return CheckResult(
            _NAME,
            "failed",
            f"give one probability per class: {c} numbers in the order {model.classes.tolist()}, got {got.size}.",
        )
    if not np.all(np.isfinite(got)):
        return CheckResult(_NAME, "failed", "your answer holds NaN or infinite values.")
    if _close(got, truth, _HALF_UNIT):
        return CheckResult(
            _NAME, "passed", f"p(c | x) = {_fmt(truth)} is right: π_c p(x | c), divided by their sum."
        )
    dens = np.exp(class_log_densities(point, model))[0]
    joint = model.priors * dens
    no_priors = dens / dens.sum()
    loose = 10 * _HALF_UNIT
    if _close(got, no_priors, loose) and not _close(no_priors, truth, loose):
        priors = ", ".join(f"{v:g}" for v in model.priors)
        return CheckResult(
            _NAME,
            "failed",
            "that is the posterior with equal priors (the densities p(x | c) normalised alone): multiply each "
            f"density by its prior π_c = ({priors}) first, p(c | x) = π_c p(x | c) / Σ_c' π_c' p(x | c').",
        )
    if _close(got, joint, _HALF_UNIT):
        return CheckResult(
            _NAME,
            "failed",
            "those are π_c p(x | c), the joint p(x, c): divide each by their sum p(x) = Σ_c' π_c' p(x | c'), "
            "so that the posteriors sum to 1.",
        )
    if c <= 6 and any(
        _close(got[list(order)], truth, _HALF_UNIT)
        for order in permutations(range(c))
        if list(order) != list(range(c))
    ):
        return CheckResult(
            _NAME,
            "failed",
            f"right numbers, wrong order: give them in the order of the classes, {model.classes.tolist()}.",
        )
    if _close(got / 100.0, truth, _HALF_UNIT):
        return CheckResult(
            _NAME,
            "failed",
            "those look like percentages: give probabilities between 0 and 1 (divide by 100).",
        )
    if abs(got.sum() - 1.0) > c * _HALF_UNIT:
        return CheckResult(
            _NAME, "failed", f"posteriors over the classes sum to 1; yours sum to {got.sum():.3f}."
        )
    if (got < 0).any() or (got > 1).any():
        return CheckResult(_NAME, "failed", "each p(c | x) is a probability, between 0 and 1.")
    if _close(got, truth, loose) and np.allclose(got, np.round(got, 2), rtol=0, atol=1e-12):
        return CheckResult(
            _NAME, "failed", "close: give 3 decimals, not 2 (round at the end, not on the way)."
        )
    if _close(got, truth, loose):
        return CheckResult(
            _NAME,
            "failed",
            "close, but not within half a unit of the third decimal: keep every digit of the densities "
            "on the way and round only the final p(c | x) to 3 decimals.",
        )
    worst = int(np.argmax(np.abs(got - truth)))
    return CheckResult(
        _NAME,
        "failed",
        f"p(c | x) for class {model.classes.tolist()[worst]!r} is off by {abs(got[worst] - truth[worst]):.3f}: "
        "compute π_c p(x | c) for every class, then divide each by their sum.",
    )
