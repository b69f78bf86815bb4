"""What every exercise check shares: :class:`CheckResult` and the small helpers that build one.

:mod:`gmmviz.exercises` (notebooks 01-09) and the checks of notebooks 11-13 (:mod:`gmmviz.exercises_general`,
:mod:`gmmviz.exercises_landscape`, :mod:`gmmviz.exercises_classify`) import them from here. ``CheckResult`` is
public as :class:`gmmviz.exercises.CheckResult`; the ``_`` helpers are private to those modules:

* ``_ok``, ``_fail``, ``_todo``: a passed, failed or not-attempted result;
* ``_call``, ``_fn_name``, ``_raised``: call the learner's function, and when it raises, a failed result with
  the line of code that reproduces the call;
* ``_as_float_array``, ``_close``: read an answer as floats, compare it with the reference;
* ``_fmt``, ``_fmt_pair``, ``_digits_for``: numbers in messages, never two different numbers shown alike.
"""

from __future__ import annotations

import html
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .palette import CHECK_FAILED, CHECK_NOT_ATTEMPTED, CHECK_PASSED

_SYMBOL = {"passed": "✓", "failed": "✗", "not attempted": "○"}
_COLOUR = {"passed": CHECK_PASSED, "failed": CHECK_FAILED, "not attempted": CHECK_NOT_ATTEMPTED}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one check.

    Attributes
    ----------
    name : str
        What was checked (e.g. ``"e_step"``).
    status : {"passed", "failed", "not attempted"}
    message : str
        Confirmation, or the first problem found with a hint how to fix it.
    """

    name: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        """True only when the answer is correct."""
        return self.status == "passed"

    @property
    def attempted(self) -> bool:
        return self.status != "not attempted"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        return f"{_SYMBOL[self.status]} {self.name}: {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour = _COLOUR[self.status]
        return (
            f'<div class="gmmviz-check gmmviz-check-{self.status.replace(" ", "-")}" '
            f'style="border-left: 4px solid {colour}; padding: 2px 8px;">'
            f'<span style="color: {colour}; font-weight: bold;">{_SYMBOL[self.status]} '
            f"{html.escape(self.name)}</span>: {html.escape(self.message)}</div>"
        )


def _ok(name: str, message: str) -> CheckResult:
    return CheckResult(name, "passed", message)


def _fail(name: str, message: str) -> CheckResult:
    return CheckResult(name, "failed", message)


def _todo(name: str, what: str) -> CheckResult:
    return CheckResult(name, "not attempted", f"not attempted yet: {what}")


def _fmt(a: Any, precision: int = 3) -> str:
    return np.array2string(
        np.asarray(a, dtype=float), precision=precision, suppress_small=True, separator=", "
    )


def _close(a: np.ndarray, b: np.ndarray, tol: float = 1e-8) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def _as_float_array(value: Any) -> np.ndarray | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr


def _call(fn: Callable, *args: Any) -> tuple[Any, BaseException | None]:
    """Call the learner's function; numerical warnings stay quiet (the check names the problem)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return fn(*args), None
        except Exception as exc:  # the learner's bug becomes a hint, not a traceback
            return None, exc


def _fn_name(fn: Callable, default: str) -> str:
    """The name to call the learner's function by in a code line (``default`` for a lambda)."""
    name = getattr(fn, "__name__", "")
    return name if name.isidentifier() else default


def _raised(name: str, exc: BaseException, problem: str | None, code: str) -> CheckResult:
    """The learner's function raised: name the exception and give the code line that reproduces it."""
    on = f" (on {problem})" if problem else ""
    return _fail(
        name,
        f"your function raised {type(exc).__name__}: {exc}{on}. To see the traceback, run this line in a "
        f"cell: `{code}`",
    )


def _digits_for(difference: float) -> int:
    """Decimals that show a difference of ``difference`` by its first two digits (0 for no difference)."""
    if not np.isfinite(difference) or difference <= 0:
        return 0
    return min(17, max(0, 1 - int(np.floor(np.log10(difference)))))


def _fmt_pair(a: Any, b: Any, precision: int = 3) -> tuple[str, str]:
    """Two arrays written with ``precision`` decimals, or with as many more as it takes to tell them apart."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape == b.shape and a.size and np.isfinite(a).all() and np.isfinite(b).all():
        precision = max(precision, _digits_for(float(np.max(np.abs(a - b)))))
    for p in range(precision, 18):
        sa, sb = _fmt(a, p), _fmt(b, p)
        if sa != sb:
            return sa, sb
    return repr(np.asarray(a, dtype=float).tolist()), repr(np.asarray(b, dtype=float).tolist())
