"""The check for notebook 12's exercise: measure EM's linear rate r from a run's iterates.

Like every checker of :mod:`gmmviz.exercises`, :func:`check_linear_rate` **returns** a
:class:`gmmviz.exercises.CheckResult` (✓ passed, ✗ failed with a hint, ○ not attempted) and never
raises because of a wrong or missing answer, so the notebook still runs top to bottom.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checking import CheckResult
from .landscape import linear_rate, step_ratios

__all__ = ["RATE_TOLERANCE", "check_linear_rate"]

#: How far an answer may be from the reference r: a ratio read at one late iteration, or r rounded
#: to 2 decimals, is within it; a ratio from before the ratios settle may not be (far from θ* EM's map
#: is not yet linear: each ratio is off r by an amount proportional to the distance still to go, which
#: shrinks only like r^t).
RATE_TOLERANCE = 0.01

#: How close an answer must be to one of the run's unsettled ratios to be named as that ratio (a ratio
#: rounded to 2 decimals is within it; the settling ratios of a run are further apart than this).
_MATCH = 0.005

_NAME = "linear rate r"


def _as_number(value: Any) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return float(arr.reshape(())) if arr.size == 1 else None


def check_linear_rate(value: Any, iterates: Any) -> CheckResult:
    """Check a measured linear rate r of a converging run (‖θ_{t+1} − θ*‖ ≈ r ‖θ_t − θ*‖).

    Parameters
    ----------
    value : float or None
        The learner's r. ``None`` counts as not attempted.
    iterates : array-like of shape (T + 1, p)
        The run's iterates, one row per iteration (e.g. ``path.means``).

    Returns
    -------
    CheckResult
        Passed when ``value`` is within :data:`RATE_TOLERANCE` of :func:`gmmviz.landscape.linear_rate`
        of the iterates. Recognised slips: r² (the ratio of successive ln p(X) gains, which shrink at
        r²), 1/r (the ratio upside down), 1 − r, a settled ratio rounded to 2 decimals too far from r,
        and a ratio taken before the ratios settle (named by its steps, with where they do settle).
        Iterates that cannot give a rate (too few, or none moving) also give a failed result, naming
        the problem, rather than an error.
    """
    if value is None:
        return CheckResult(
            _NAME, "not attempted", "not attempted yet: my_r is None. Compute r and run this cell again."
        )
    v = _as_number(value)
    if v is None:
        return CheckResult(
            _NAME, "failed", f"r is one number (a ratio of two lengths), got {type(value).__name__}."
        )
    if not np.isfinite(v):
        return CheckResult(
            _NAME, "failed", f"r = {v} is not a finite number: did a step length of 0 end up in a ratio?"
        )
    try:
        r = linear_rate(iterates)
        ratios = step_ratios(iterates)
    except (TypeError, ValueError) as exc:
        return CheckResult(
            _NAME,
            "failed",
            f"the iterates cannot give a rate ({exc}) Pass the run's iterates unchanged: re-run the cell "
            "that makes them, e.g. iterates = path.means.",
        )
    tol = RATE_TOLERANCE
    if abs(v - r) <= tol:
        return CheckResult(_NAME, "passed", f"r ≈ {r:.3f}: each iteration leaves about {r:.0%} of the error.")
    settle = _settled_from(ratios, r, tol)
    if abs(v - r * r) <= tol:
        hint = (
            f"{v:.3f} is about r² = {r * r:.3f}. Gains in ln p(X) shrink at r² (ln p(X) is quadratic near its "
            "top); take the ratio of step lengths ‖θ_(t+1) − θ_t‖, or the square root."
        )
    elif r > 0 and abs(v - 1.0 / r) <= tol * max(1.0, 1.0 / r**2):
        hint = f"{v:.3f} is 1/r: put the later step on top, e_(t+1) / e_t, a number below 1."
    elif abs(v - (1.0 - r)) <= tol:
        hint = (
            f"{v:.3f} is 1 − r, the fraction removed per step; r is the fraction of the error that remains."
        )
    elif (late := _rounded_late_ratio(v, ratios, settle)) is not None:
        hint = (
            f"{v:.2f} is steps[{late + 1}] / steps[{late}] = {ratios[late]:.3f} rounded to 2 decimals, and "
            "rounding moved it too far: the ratios still creep towards r in the third decimal. Give a late "
            "ratio (near the end of the run) to 3 decimals."
        )
    elif (early := _matching_ratio(v, ratios[:settle])) is not None:
        hint = (
            f"{v:.3f} is steps[{early + 1}] / steps[{early}], taken before the ratios settle: far from the top "
            "EM's map is not yet linear, and each ratio is off r in proportion to the distance still to go. "
            f"Print all the ratios and take one where they have stopped changing (from steps[{settle + 1}] / "
            f"steps[{settle}] on here)."
        )
    elif not 0.0 < v < 1.0:
        hint = f"{v:.3f} is not between 0 and 1, but a run that converges shrinks its steps: 0 < r < 1."
    else:
        hint = (
            "r is the ratio of two successive step lengths, ‖θ_(t+1) − θ_t‖ / ‖θ_t − θ_(t−1)‖, "
            "taken where the ratios have stopped changing (print them all and look)."
        )
    return CheckResult(_NAME, "failed", f"expected about {r:.3f}, got {v:.3f}: {hint}")


def _settled_from(ratios: np.ndarray, r: float, tol: float) -> int:
    """The first index from which every usable ratio is within ``tol`` of r (their length if none is)."""
    off = np.isfinite(ratios) & (np.abs(ratios - r) > tol)
    return int(np.flatnonzero(off)[-1] + 1) if off.any() else 0


def _rounded_late_ratio(value: float, ratios: np.ndarray, settle: int) -> int | None:
    """The first settled ratio (index ≥ ``settle``) that rounds to ``value`` at 2 decimals.

    None unless ``value`` has at most 2 decimals: it then looks like a ratio read after the ratios
    settled and rounded, which can land more than :data:`RATE_TOLERANCE` from r.
    """
    if abs(value - round(value, 2)) > 1e-9:
        return None
    late = np.flatnonzero(np.isfinite(ratios) & (np.arange(ratios.size) >= settle))
    hits = late[np.round(ratios[late], 2) == round(value, 2)]
    return int(hits[0]) if hits.size else None


def _matching_ratio(value: float, ratios: np.ndarray) -> int | None:
    """The index of the ratio nearest ``value`` if it is within :data:`_MATCH` of it, else None."""
    usable = np.flatnonzero(np.isfinite(ratios))
    if usable.size == 0:
        return None
    nearest = int(usable[np.argmin(np.abs(ratios[usable] - value))])
    return nearest if abs(ratios[nearest] - value) <= _MATCH else None
