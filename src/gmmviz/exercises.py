"""Checks for the course's exercises, with precise hints, and the reference solutions.

Every ``check_*`` function **returns** a :class:`CheckResult`; none raises because of a wrong or
missing answer, so a notebook whose exercises are not attempted yet still runs top to bottom.
A result shows itself in a notebook as one line (text and HTML)::

    ✓ e_step: correct on 3 test problems ...
    ✗ e_step: rows of γ must sum to 1; row 3 sums to 1.7 ...
    ○ e_step: not attempted yet ...

and has ``.passed`` (bool), ``.status`` ("passed", "failed" or "not attempted"), ``.message`` and
``.name``; ``bool(result)`` is ``result.passed``. An answer of ``None`` (or a function returning
``None``) counts as *not attempted*. Only the *first* problem found is reported: fix it, run the
check again.

Hand answers and code answers
-----------------------------
A number the learner may compute by hand (:func:`check_responsibilities`, :func:`check_log_likelihood`,
:func:`check_mahalanobis`) is checked at a stated precision, ``decimals=3`` by default, the 3 decimals
the notebooks print: an answer written with at most 8 decimals counts as rounded and passes when it is
within half a unit of the third decimal (1.414 for √2 passes, 1.415 fails); a full-precision answer
from code is checked tightly. Counts (:func:`check_n_parameters`, :func:`check_best_k`,
:func:`check_permutation`) must be whole numbers: an int, a NumPy integer or an exactly integral float.
A message never shows two different numbers alike, and when the learner's function raises it gives the
line that reproduces the call.

Functions the learner writes (notebook 09)
------------------------------------------
* ``e_step(X, params) -> (resp, log_likelihood)``: ``params`` is a :class:`gmmviz.em.GMMParams`
  with full covariances (``params.weights`` (K,), ``params.means`` (K, d), ``params.covariances``
  (K, d, d)); ``resp`` has shape (n, K); ``log_likelihood`` is the total ln p(X) (a sum over points).
  Checked by :func:`check_e_step` against :func:`gmmviz.em.e_step`.
* ``m_step(X, resp, reg_covar=1e-6) -> (weights, means, covariances)`` (or a ``GMMParams``):
  full covariances with ``reg_covar`` added to their diagonal. Checked by :func:`check_m_step`
  against :func:`gmmviz.em.m_step` (called with ``reg_covar=0.001``, so forgetting it shows).

Solutions are reachable but not in the way: :func:`reference_e_step` and :func:`reference_m_step`
are plain NumPy/SciPy versions written to be read (``gmmviz.exercises.reference_e_step??`` in
Jupyter shows the code); :func:`solution` prints the source of any of them.
"""

from __future__ import annotations

import html
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from ._covariance import component_number, covariance_shape, needs_full_scatter
from .em import bic, log_density, log_likelihood, n_parameters
from .em import e_step as _gm_e_step
from .em import m_step as _gm_m_step
from .exercise_cases import CHECK_REG_COVAR  # the test problems are shared with the graded assignment
from .exercise_cases import describe as _describe
from .exercise_cases import far_problem as _far_problem
from .exercise_cases import problems as _problems
from .fit import fit_best
from .palette import CHECK_FAILED, CHECK_NOT_ATTEMPTED, CHECK_PASSED
from .params import GMMParams

__all__ = [
    "CheckResult",
    "check_e_step",
    "check_m_step",
    "check_responsibilities",
    "check_log_likelihood",
    "check_n_parameters",
    "check_mahalanobis",
    "check_elbo",
    "check_permutation",
    "check_converged",
    "check_best_k",
    "check_uncertain",
    "n_parameters",
    "reference_converged",
    "reference_e_step",
    "reference_m_step",
    "solution",
]

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


# ---------------------------------------------------------------------------------------------
# Numbers in messages, the precision of an answer, whole numbers
# ---------------------------------------------------------------------------------------------


def _pair(a: float, b: float, digits: int = 4, style: str = "f") -> tuple[str, str]:
    """``a`` and ``b`` written with ``digits`` decimals (``style="f"``) or significant digits (``"g"``), or
    with as many more as it takes to tell them apart: a message never shows two different numbers alike."""
    a, b = float(a), float(b)
    if style == "f":
        digits = max(digits, _digits_for(abs(a - b)))
    for p in range(digits, 18):
        sa, sb = f"{a:.{p}{style}}", f"{b:.{p}{style}}"
        if sa != sb:
            return sa, sb
    return repr(a), repr(b)


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


#: A number written with at most this many decimals counts as typed (or rounded) by the learner; one that
#: needs more is a full-precision result of code, and is checked tightly.
_MAX_TYPED_DECIMALS = 8


def _decimals_written(arr: Any) -> int | None:
    """The fewest decimals (0 to 8) that write every entry of ``arr`` exactly, or None (full precision)."""
    a = np.abs(np.asarray(arr, dtype=float)).reshape(-1)
    if not np.isfinite(a).all():
        return None
    slack = 4 * np.spacing(np.maximum(a, 1.0))
    for m in range(_MAX_TYPED_DECIMALS + 1):
        if np.all(np.abs(a - np.round(a, m)) <= slack):
            return m
    return None


@dataclass(frozen=True)
class _Precision:
    """How closely an answer must match the reference.

    A full-precision answer (from code) must match to ``atol``/``rtol`` (tight). A rounded answer (by hand,
    at most 8 decimals) checked at a stated precision of ``decimals`` decimals must lie within half a unit of
    that last decimal: the right value rounded to ``decimals`` decimals passes, and so does any answer that
    differs from the right value only beyond them.
    """

    atol: float
    rtol: float = 0.0
    decimals: int | None = None  # the stated precision, when the answer is a rounded one
    written: int = 0  # the decimals the rounded answer is written with

    @property
    def rounded(self) -> bool:
        return self.decimals is not None

    def close(self, a: Any, b: Any) -> bool:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=self.rtol, atol=self.atol))

    def shown(self, got: Any, want: Any, digits: int = 4) -> tuple[str, str]:
        """(got, expected) as a message shows them: a rounded answer as written and the right value at the
        stated precision; a full-precision one with the digits that tell them apart."""
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        if self.rounded:
            if got.size == 1 and want.size == 1:
                return f"{got.item():.{self.written}f}", f"{want.item():.{self.decimals}f}"
            return _fixed(got, self.written), _fixed(want, self.decimals)
        if got.size == 1 and want.size == 1:
            return _pair(got.item(), want.item(), digits)
        return _fmt_pair(got, want, digits - 1)

    def stated(self) -> str:
        """' (to 3 decimals)' after an expected value shown at the stated precision, else ''."""
        return f" (to {self.decimals} decimals)" if self.rounded else ""

    def note(self, got: Any, want: Any) -> str:
        """For a rounded answer that fails: too few decimals, or one unit off in the last decimal."""
        if not self.rounded:
            return ""
        if self.written < self.decimals:
            return f" Give {self.decimals} decimals, as the exercise asks."
        unit = 10.0**-self.decimals
        if np.max(np.abs(np.asarray(got, dtype=float) - np.asarray(want, dtype=float))) <= 1.5 * unit:
            return " Rounding too early? Keep every digit until the end and round only the final answer."
        return ""


def _fixed(a: Any, decimals: int) -> str:
    """An array with every entry written with ``decimals`` decimals."""
    return np.array2string(
        np.asarray(a, dtype=float), separator=", ", formatter={"float_kind": lambda v: f"{v:.{decimals}f}"}
    )


def _precision(answer: Any, decimals: int | None, atol: float, rtol: float = 0.0) -> _Precision:
    """The precision to check ``answer`` at: tight (``atol``, ``rtol``) for a full-precision answer or when
    no precision is stated (``decimals=None``), half a unit of the ``decimals``-th decimal for a rounded one
    (never tighter than ``atol``)."""
    written = None if decimals is None else _decimals_written(answer)
    if written is None:
        return _Precision(atol, rtol)
    return _Precision(max(0.5 * 10.0**-decimals * (1 + 1e-6), atol), 0.0, int(decimals), written)


def _whole(value: Any) -> int | None:
    """``value`` as an int when it is a whole number (an int, a NumPy integer, or a float that is exactly
    integral); None otherwise (a fraction, a string, a bool, an array ...)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def _plain(value: Any) -> str:
    """A short repr of an answer (a NumPy scalar shown as the plain number)."""
    if isinstance(value, (np.generic, np.ndarray)) and np.size(value) == 1:
        value = np.asarray(value).item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------------------------------------
# Test problems: _problems, _far_problem and CHECK_REG_COVAR come from gmmviz.exercise_cases (small,
# seeded, with n != K so a transposed answer is recognisable), shared with the graded assignment.
# ---------------------------------------------------------------------------------------------


_FAR_HINT = (
    "The last point of this problem lies far from every component: every π_k N(x_n | μ_k, Σ_k) is "
    "below e^-1000, far below the smallest float64 (about 1e-308), so exponentiating first gives "
    "0, and normalising gives 0/0. Compute a_nk = ln π_k + ln N(x_n | μ_k, Σ_k) with logpdf and "
    "normalise in logs: γ_nk = exp(a_nk − logsumexp_j a_nj)."
)

_FAR_LL_HINT = (
    "The last point of this problem lies far from every component: its T_n = Σ_k π_k N(x_n | μ_k, Σ_k) "
    "is below e^-1000, far below the smallest float64 (about 1e-308), so T_n becomes 0 and its log −inf. "
    "Take ln T_n = logsumexp_k a_nk, with a_nk = ln π_k + ln N(x_n | μ_k, Σ_k) from logpdf, without "
    "exponentiating first."
)


# ---------------------------------------------------------------------------------------------
# Responsibilities and ln p(X)
# ---------------------------------------------------------------------------------------------


def _cell(r: int, c: int) -> str:
    """Where an entry of γ is: its row and column as NumPy counts, and the component that column is."""
    return f"row {r}, column {c} (component {component_number(c)})"


def _resp_problem(
    resp: Any,
    X: np.ndarray,
    params: GMMParams,
    ref: np.ndarray,
    decimals: int | None = None,
    explain_nan: bool = True,
) -> str | None:
    """The first problem with a responsibility matrix, or None when it matches ``ref``.

    ``decimals``: the stated precision a rounded (hand) answer is checked at (rows of rounded values may
    miss 1 by the rounding); None checks every answer tightly. ``explain_nan=False`` leaves out why a NaN
    appears (the caller explains it).
    """
    n, k = ref.shape
    arr = _as_float_array(resp)
    if arr is None:
        return f"resp must be an array of numbers of shape (n, K) = ({n}, {k}), got {type(resp).__name__}."
    if arr.shape != (n, k):
        if arr.shape == (k, n):
            return (
                f"resp has shape {arr.shape}, expected (n, K) = ({n}, {k}): it looks transposed. "
                f"One row per point, one column per component (use resp.T)."
            )
        return f"resp has shape {arr.shape}, expected (n, K) = ({n}, {k}): one row per point, one column per component."
    bad = ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        found = f"resp contains {'NaN' if np.isnan(arr[r, c]) else 'inf'}, first at {_cell(r, c)}."
        if not explain_nan:
            return found
        return (
            f"{found} 0/0 appears when every π_k N(x_n|μ_k,Σ_k) underflows to 0: work with logs and "
            f"scipy.special.logsumexp."
        )
    if (arr < -1e-12).any():
        r, c = np.argwhere(arr < -1e-12)[0]
        return f"responsibilities are probabilities, so γ_nk ≥ 0; {_cell(r, c)} is {arr[r, c]:.3g}."
    prec = _precision(arr, decimals, atol=1e-8, rtol=1e-8)
    row_tol, col_tol = (k * prec.atol, n * prec.atol) if prec.rounded else (1e-6, 1e-6)
    sums = arr.sum(axis=1)
    wrong = np.flatnonzero(np.abs(sums - 1.0) > row_tol)
    if wrong.size:
        r = wrong[0]
        total = _pair(sums[r], 1.0, 3, "g")[0]
        if np.allclose(arr.sum(axis=0), 1.0, rtol=0.0, atol=col_tol):
            return (
                f"rows of γ must sum to 1; row {r} sums to {total}. Your columns sum to 1: you "
                f"normalised over points instead of over components (divide by the sum along axis=1)."
            )
        return (
            f"rows of γ must sum to 1; row {r} sums to {total}. Divide each row by its sum "
            f"T_n = Σ_k π_k N(x_n | μ_k, Σ_k)."
        )
    if prec.close(arr, ref):
        return None
    # Correctly normalised but different: look for a known slip.
    log_n = np.column_stack(
        [
            multivariate_normal(m, c).logpdf(X).reshape(-1)
            for m, c in zip(params.means, params.full_covariances())
        ]
    )
    no_weights = np.exp(log_n - logsumexp(log_n, axis=1, keepdims=True))
    if prec.close(arr, no_weights):
        return "γ_nk ignores the mixing weights: the numerator is π_k N(x_n | μ_k, Σ_k), not N(x_n | μ_k, Σ_k) alone."
    err = np.abs(arr - ref)
    r, c = np.unravel_index(np.argmax(err), err.shape)
    got, want = prec.shown(arr[r, c], ref[r, c])
    return (
        f"γ differs from the correct responsibilities by up to {err[r, c]:.3g} at {_cell(r, c)}: "
        f"got {got}, expected {want}{prec.stated()}. γ_nk = π_k N(x_n|μ_k,Σ_k) / Σ_j π_j N(x_n|μ_j,Σ_j)."
        f"{prec.note(arr[r, c], ref[r, c])}"
    )


def _ll_problem(
    value: Any, X: np.ndarray, params: GMMParams, decimals: int | None = None, explain_inf: bool = True
) -> str | None:
    """The first problem with a total log-likelihood, or None when it is right.

    ``decimals``: the stated precision a rounded (hand) answer is checked at; None checks every answer
    tightly (to 1e-6 relative). ``explain_inf=False`` leaves out why ln p(X) is not finite.
    """
    per_point = log_density(X, params)
    ref = float(per_point.sum())
    n = X.shape[0]
    arr = _as_float_array(value)
    if arr is None:
        return f"ln p(X) must be a number, got {type(value).__name__}."
    if arr.ndim > 0 and arr.size > 1:
        if arr.size == n and np.allclose(arr.ravel(), per_point, rtol=1e-6, atol=1e-6):
            return (
                f"you returned ln p(x_n) for each of the {n} points; ln p(X) is one number, their sum "
                f"(ln of a product of independent points): use .sum()."
            )
        return f"ln p(X) must be a single number, got an array of shape {arr.shape}."
    v = float(arr.reshape(()))
    if not np.isfinite(v):
        if not explain_inf:
            return f"ln p(X) is {v}."
        return (
            f"ln p(X) is {v}: a density underflowed to 0 or something divided by 0; compute it in log space."
        )
    prec = _precision(v, decimals, atol=1e-6 * max(1.0, abs(ref)))
    tol = prec.atol
    if abs(v - ref) <= tol:
        return None
    if abs(v - ref / n) <= (tol if prec.rounded else tol / n + 1e-9):
        mean = f"{v:.{prec.written}f}" if prec.rounded else f"{v:.4f}"
        return (
            f"you computed the mean ln p(x_n) = {mean}, but ln p(X) is the sum over the {n} points "
            f"(= {n} × the mean). Use .sum(), not .mean()."
        )
    if abs(v - np.exp(per_point).sum()) <= (tol if prec.rounded else 1e-6 * max(1.0, abs(v))):
        return "you summed the densities p(x_n); ln p(X) = Σ_n ln p(x_n): take the log of each point's density first."
    if abs(v - ref / np.log(10)) <= tol:
        return "you used log10; the course's ln is the natural log (np.log)."
    got, want = prec.shown(v, ref)
    if abs(v + ref) <= tol:
        return f"the sign is flipped: ln p(X) = {want} (you gave the negative log-likelihood {got})."
    return (
        f"ln p(X) should be {want}{prec.stated()}, got {got}: ln p(X) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k)."
        f"{prec.note(v, ref)}"
    )


def check_responsibilities(resp: Any, X: Any, params: GMMParams, *, decimals: int | None = 3) -> CheckResult:
    """Check a responsibility matrix γ against ``gmmviz.e_step(X, params)``.

    A hand answer rounded to ``decimals`` decimals (notebook 02's solution prints 3) passes when every entry
    is within half a unit of that last decimal; a full-precision answer (from code) must match to 1e-8.
    ``decimals=None`` checks every answer tightly. Hints name the first problem: shape (or transposed), NaN,
    negative values, rows not summing to 1 (and columns summing to 1 instead), forgotten mixing weights, or
    the largest difference.
    """
    name = "responsibilities"
    if resp is None:
        return _todo(name, "resp is None. Compute γ (shape (n, K)) and run this cell again.")
    ref, _ = _gm_e_step(X, params)
    X = np.asarray(X, dtype=float).reshape(ref.shape[0], -1)
    problem = _resp_problem(resp, X, params, ref, decimals)
    if problem:
        return _fail(name, problem)
    rounded = decimals is not None and _decimals_written(resp) is not None
    return _ok(
        name,
        f"γ matches gmmviz.e_step{f' to {decimals} decimals' if rounded else ''} (shape {ref.shape}, rows sum to 1).",
    )


def check_log_likelihood(value: Any, X: Any, params: GMMParams, *, decimals: int | None = 3) -> CheckResult:
    """Check a total log-likelihood ln p(X) against ``gmmviz.log_likelihood(X, params)``.

    A hand answer rounded to ``decimals`` decimals (notebook 02's solution prints 3) passes when it is within
    half a unit of that last decimal; a full-precision answer (from code) must match to 1e-6 relative.
    ``decimals=None`` checks every answer tightly. Recognised slips: the mean instead of the sum, per-point
    values, summed densities, log10, a flipped sign.
    """
    name = "ln p(X)"
    if value is None:
        return _todo(name, "the value is None. Compute ln p(X) and run this cell again.")
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    problem = _ll_problem(value, X, params, decimals)
    if problem:
        return _fail(name, problem)
    return _ok(name, f"ln p(X) = {float(np.asarray(value, dtype=float).reshape(())):.3f} is right.")


# ---------------------------------------------------------------------------------------------
# E-step and M-step
# ---------------------------------------------------------------------------------------------


def check_e_step(fn: Callable, *, seed: int = 0) -> CheckResult:
    """Check the learner's ``e_step(X, params) -> (resp, log_likelihood)``.

    Runs it on three small seeded problems (2-D K=3, 1-D K=2, 3-D K=4) and a fourth with a
    point far from every component, where a naive E-step (exponentiate, then normalise)
    underflows to 0/0; compares with :func:`gmmviz.em.e_step` (tightly: this is code). The result
    names the first problem found, and on the far point says why only a log-space E-step survives
    it. When the function raises, the message gives the line that rebuilds the problem and calls it.
    """
    name = "e_step"
    if not callable(fn):
        return _fail(
            name, f"pass your function itself, e.g. check_e_step(my_e_step), not a {type(fn).__name__}."
        )
    fname = _fn_name(fn, "my_e_step")
    problems = [(X, params) for X, params, _ in _problems(seed)] + [_far_problem(seed)]
    for i, (X, params) in enumerate(problems):
        far = i == len(problems) - 1
        where = _describe(X, params.n_components) + (" and one point far from every component" if far else "")
        out, exc = _call(fn, X.copy(), params)
        if exc is not None:
            build = (
                f"from gmmviz.exercises import _far_problem; X, params = _far_problem(seed={seed})"
                if far
                else f"from gmmviz.exercises import _problems; X, params, _ = _problems(seed={seed})[{i}]"
            )
            return _raised(name, exc, where, f"{build}; {fname}(X, params)")
        if out is None or (isinstance(out, tuple) and all(o is None for o in out)):
            if i == 0:
                return _todo(name, "your e_step returned None. Fill in the TODO and run the check again.")
            return _fail(name, f"your e_step returned None on {where}.")
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            shape = getattr(out, "shape", None)
            extra = f" (got a {type(out).__name__}{'' if shape is None else f' of shape {shape}'})"
            return _fail(name, f"e_step must return a pair: return resp, log_likelihood{extra}.")
        resp, ll = out
        if resp is None:
            return _fail(name, "resp (the first value returned) is None: compute the responsibilities.")
        ref_resp, _ = _gm_e_step(X, params)
        problem = _resp_problem(resp, X, params, ref_resp, explain_nan=not far)
        if problem:
            return _fail(name, f"{problem}{' ' + _FAR_HINT if far else ''} [{where}]")
        if ll is None:
            return _fail(
                name, "γ is right. log_likelihood (the second value returned) is None: compute ln p(X)."
            )
        problem = _ll_problem(ll, X, params, explain_inf=not far)
        if problem:
            return _fail(
                name, f"γ is right; ln p(X) is not: {problem}{' ' + _FAR_LL_HINT if far else ''} [{where}]"
            )
    return _ok(
        name,
        f"correct on {len(problems)} test problems, one with a point far from every component "
        f"(γ and ln p(X) match gmmviz.e_step).",
    )


def _unpack_params(out: Any) -> tuple[Any, Any, Any] | str:
    if isinstance(out, GMMParams) or all(hasattr(out, a) for a in ("weights", "means", "covariances")):
        return out.weights, out.means, out.covariances
    if isinstance(out, dict) and {"weights", "means", "covariances"} <= set(out):
        return out["weights"], out["means"], out["covariances"]
    if isinstance(out, (tuple, list)) and len(out) == 3:
        return tuple(out)
    n = len(out) if isinstance(out, (tuple, list)) else None
    got = f"{n} values" if n is not None else f"a {type(out).__name__}"
    return f"m_step must return weights, means, covariances (three arrays) or a GMMParams; got {got}."


def _weights_problem(w: Any, ref: np.ndarray, n: int, nk: np.ndarray) -> str | None:
    k = ref.size
    arr = _as_float_array(w)
    if arr is None or arr.shape != (k,):
        return f"weights must have shape (K,) = ({k},), got {getattr(arr, 'shape', type(w).__name__)}."
    if not np.isfinite(arr).all():
        return "the weights contain NaN or inf."
    if _close(arr, nk):
        return f"your weights are N_k (they sum to n = {n}): π_k = N_k / n."
    if abs(arr.sum() - 1.0) > 1e-6:
        total = _pair(arr.sum(), 1.0, 4, "g")[0]
        return f"the weights π_k must sum to 1; yours sum to {total}. π_k = N_k / n with N_k = Σ_n γ_nk."
    if _close(arr, ref):
        return None
    j = int(np.argmax(np.abs(arr - ref)))
    got, want = _pair(arr[j], ref[j], 4)
    return (
        f"π_{component_number(j)} is {got}, expected {want}: π_k = N_k / n with "
        f"N_k = Σ_n γ_nk (a column sum of γ)."
    )


def _means_problem(m: Any, ref: np.ndarray, X: np.ndarray, resp: np.ndarray, nk: np.ndarray) -> str | None:
    k, d = ref.shape
    arr = _as_float_array(m)
    if arr is not None and d == 1 and arr.shape == (k,):
        arr = arr[:, None]
    if arr is None or arr.shape != (k, d):
        if arr is not None and arr.shape == (d, k):
            return f"means have shape {arr.shape}, expected (K, d) = ({k}, {d}): transposed, one row per component."
        return f"means must have shape (K, d) = ({k}, {d}), got {getattr(arr, 'shape', type(m).__name__)}."
    if not np.isfinite(arr).all():
        return "the means contain NaN or inf (a division by N_k = 0?)."
    if _close(arr, ref):
        return None
    weighted = resp.T @ X
    if _close(arr, weighted):
        return "μ_k = Σ_n γ_nk x_n / N_k: you forgot to divide by N_k."
    if _close(arr, weighted / X.shape[0]):
        return "μ_k = Σ_n γ_nk x_n / N_k: divide by N_k = Σ_n γ_nk, not by the number of points n."
    if _close(arr, np.broadcast_to(X.mean(axis=0), ref.shape)):
        return "every μ_k is the plain mean of X: weight each point by its responsibility γ_nk."
    err = np.abs(arr - ref).max(axis=1)
    j = int(np.argmax(err))
    got, want = _fmt_pair(arr[j], ref[j])
    return (
        f"μ_{component_number(j)} is off by {err[j]:.3g}: got {got}, expected {want}. "
        f"μ_k = Σ_n γ_nk x_n / N_k."
    )


def _covs_problem(
    c: Any, ref: np.ndarray, X: np.ndarray, resp: np.ndarray, nk: np.ndarray, reg: float
) -> str | None:
    k, d, _ = ref.shape
    arr = _as_float_array(c)
    if arr is not None and d == 1 and arr.shape == (k,):
        arr = arr[:, None, None]
    if arr is None or arr.shape != (k, d, d):
        if arr is not None and arr.shape == (d, d):
            return f"covariances have shape {arr.shape}: give one (d, d) matrix per component, shape (K, d, d) = ({k}, {d}, {d})."
        return f"covariances must have shape (K, d, d) = ({k}, {d}, {d}), got {getattr(arr, 'shape', type(c).__name__)}."
    if not np.isfinite(arr).all():
        return "the covariances contain NaN or inf."
    if _close(arr, ref):
        return None
    eye = np.eye(d)
    bare = ref - reg * eye  # Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k
    if _close(arr, bare):
        return (
            f"Σ_k is right except for reg_covar: add reg_covar · I to each covariance "
            f"(the check passes reg_covar={reg:g})."
        )
    if _close(arr, bare + 1e-6 * eye):
        return f"you added 1e-6 instead of the reg_covar argument (the check passes reg_covar={reg:g})."
    if not np.allclose(arr, np.swapaxes(arr, 1, 2), rtol=1e-8, atol=1e-10):
        return "covariance matrices must be symmetric: Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k."
    scale = (nk / X.shape[0])[:, None, None]
    for extra in (reg * eye, 0.0):
        if _close(arr, bare * scale + extra):
            return "divide the weighted scatter by N_k = Σ_n γ_nk, not by the number of points n."
        if _close(arr, bare * nk[:, None, None] + extra):
            return "you forgot to divide the weighted scatter by N_k."
    raw = np.einsum("nk,ni,nj->kij", resp, X, X) / nk[:, None, None]
    if _close(arr, raw) or _close(arr, raw + reg * eye):
        return "subtract the mean before the outer product: (x_n − μ_k)(x_n − μ_k)ᵀ with the new μ_k."
    err = np.abs(arr - ref).reshape(k, -1).max(axis=1)
    j = int(np.argmax(err))
    got, want = _fmt_pair(arr[j], ref[j])
    return (
        f"Σ_{component_number(j)} is off by up to {err[j]:.3g}: got {got}, expected {want}. "
        f"Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar · I, with the new μ_k."
    )


def _takes_three(fn: Callable) -> bool:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(None, None, None)
    except TypeError:
        return False
    return True


def check_m_step(fn: Callable, *, seed: int = 0) -> CheckResult:
    """Check the learner's ``m_step(X, resp, reg_covar=1e-6) -> (weights, means, covariances)``.

    Runs it on three small seeded problems with random responsibilities and
    ``reg_covar=0.001`` and compares with :func:`gmmviz.em.m_step` (full covariances). A
    ``GMMParams`` (or any object with ``weights``, ``means``, ``covariances``) is accepted too.
    """
    name = "m_step"
    if not callable(fn):
        return _fail(
            name, f"pass your function itself, e.g. check_m_step(my_m_step), not a {type(fn).__name__}."
        )
    if not _takes_three(fn):
        return _fail(name, "m_step must take three arguments: def m_step(X, resp, reg_covar=1e-6).")
    reg = CHECK_REG_COVAR
    fname = _fn_name(fn, "my_m_step")
    problems = _problems(seed)
    for i, (X, _, resp) in enumerate(problems):
        k = resp.shape[1]
        where = _describe(X, k)
        out, exc = _call(fn, X.copy(), resp.copy(), reg)
        if exc is not None:
            build = f"from gmmviz.exercises import _problems; X, _, resp = _problems(seed={seed})[{i}]"
            return _raised(name, exc, where, f"{build}; {fname}(X, resp, {reg!r})")
        if out is None or (isinstance(out, (tuple, list)) and all(o is None for o in out)):
            if i == 0:
                return _todo(name, "your m_step returned None. Fill in the TODO and run the check again.")
            return _fail(name, f"your m_step returned None on {where}.")
        parts = _unpack_params(out)
        if isinstance(parts, str):
            return _fail(name, parts)
        ref = _gm_m_step(X, resp, "full", reg_covar=reg)
        nk = resp.sum(axis=0)
        for problem in (
            _weights_problem(parts[0], ref.weights, X.shape[0], nk),
            _means_problem(parts[1], ref.means, X, resp, nk),
            _covs_problem(parts[2], ref.covariances, X, resp, nk, reg),
        ):
            if problem:
                return _fail(name, f"{problem} [{where}]")
    return _ok(name, f"correct on {len(problems)} test problems (π, μ, Σ match gmmviz.m_step).")


# ---------------------------------------------------------------------------------------------
# Smaller checks for the other notebooks
# ---------------------------------------------------------------------------------------------


def check_n_parameters(
    value: Any, n_components: int, n_features: int, covariance_type: str = "full"
) -> CheckResult:
    """Check a count of free parameters (as BIC uses it) for K components in d dimensions."""
    name = "number of parameters"
    if value is None:
        return _todo(name, "the value is None. Count the free parameters and run this cell again.")
    k, d = int(n_components), int(n_features)
    ref = n_parameters(k, d, covariance_type)
    v = _whole(value)
    if v is None:
        return _fail(
            name, f"a number of parameters is a count, so give a whole number (an int); got {_plain(value)}."
        )
    if v == ref:
        return _ok(name, f"{ref} free parameters for K={k}, d={d}, covariance_type={covariance_type!r}.")
    if v == ref + 1:
        return _fail(
            name, f"{v} is one too many: the K weights sum to 1, so only K − 1 = {k - 1} of them are free."
        )
    if needs_full_scatter(covariance_type):  # Σ_k are matrices: a d² count forgets the symmetry
        n_matrices = int(np.prod(covariance_shape(covariance_type, k, d)[:-2]))  # K for 'full', 1 for 'tied'
        if v - ref in (n_matrices * d * (d - 1) // 2, 1 + n_matrices * d * (d - 1) // 2):
            return _fail(
                name,
                f"a covariance matrix is symmetric: it has d(d+1)/2 = {d * (d + 1) // 2} free entries, not d² = {d * d}.",
            )
    return _fail(
        name,
        f"expected {ref}, got {v}: count (K − 1) weights + K·d mean coordinates + the covariance entries "
        f"({covariance_type!r}).",
    )


def check_mahalanobis(
    value: Any, x: Any, mean: Any, cov: Any, *, squared: bool = False, decimals: int | None = 3
) -> CheckResult:
    """Check a Mahalanobis distance D = √((x − μ)ᵀ Σ⁻¹ (x − μ)) (or D² with ``squared=True``).

    ``value`` may be one number (one point ``x``) or one per row of ``x``. A hand answer rounded to
    ``decimals`` decimals (notebook 01's solution prints 3) passes when every value is within half a unit
    of that last decimal; a full-precision answer (from code) must match to 1e-8. ``decimals=None``
    checks every answer tightly.
    """
    name = "Mahalanobis distance" + (" squared" if squared else "")
    if value is None:
        return _todo(name, "the value is None. Compute it and run this cell again.")
    mean = np.atleast_1d(np.asarray(mean, dtype=float))
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    xs = np.asarray(x, dtype=float).reshape(-1, mean.size)
    diff = xs - mean
    d2 = np.einsum("ni,ni->n", diff, np.linalg.solve(cov, diff.T).T)
    ref = d2 if squared else np.sqrt(d2)
    arr = _as_float_array(value)
    if arr is None:
        return _fail(name, f"give a number, got {type(value).__name__}.")
    arr = arr.reshape(-1)
    if arr.shape != ref.shape:
        return _fail(name, f"expected {ref.size} value(s), one per point, got {arr.size}.")
    if not np.isfinite(arr).all():
        return _fail(name, "your value contains NaN or inf: a distance is a finite number ≥ 0.")
    prec = _precision(arr, decimals, atol=1e-8, rtol=1e-8)
    if prec.close(arr, ref):
        shown = _fmt(ref) if ref.size > 1 else f"{ref[0]:.3f}"
        return _ok(name, f"{shown} is right{f' (to {decimals} decimals)' if prec.rounded else ''}.")
    if prec.close(arr, np.sqrt(d2)):
        return _fail(name, "that is D; this exercise asks for the squared distance D² (no square root).")
    if prec.close(arr, d2):
        return _fail(name, "that is D², the squared distance: take the square root.")
    with np.errstate(all="ignore"):
        with_cov = np.einsum("ni,ij,nj->n", diff, cov, diff)
    if prec.close(arr, with_cov if squared else np.sqrt(np.abs(with_cov))):
        return _fail(name, "use the inverse covariance Σ⁻¹ (np.linalg.solve(cov, x - mean)), not Σ itself.")
    eucl = np.einsum("ni,ni->n", diff, diff)
    if prec.close(arr, eucl if squared else np.sqrt(eucl)):
        return _fail(name, "that is the Euclidean distance: weigh the difference by Σ⁻¹.")
    got, want = prec.shown(arr if arr.size > 1 else arr[0], ref if ref.size > 1 else ref[0])
    return _fail(
        name,
        f"expected {want}{prec.stated()}, got {got}: D² = (x − μ)ᵀ Σ⁻¹ (x − μ).{prec.note(arr, ref)}",
    )


def check_elbo(value: Any, X: Any, params: GMMParams, q: Any) -> CheckResult:
    """Check an evidence lower bound ELBO(q, θ) = Σ_n Σ_k q_nk [ln π_k + ln N(x_n|μ_k,Σ_k) − ln q_nk].

    A code answer: it must match to 1e-6 relative, so a rounded value fails with a hint to pass the
    unrounded one. Recognised slips: the entropy term left out (that is the expected complete-data
    log-likelihood Q), its sign flipped, a mean instead of a sum.
    """
    from .bound import elbo, entropy, expected_complete_log_likelihood

    name = "ELBO"
    if value is None:
        return _todo(name, "the value is None. Compute the ELBO and run this cell again.")
    arr = _as_float_array(value)
    if arr is None or arr.size != 1:
        return _fail(name, "the ELBO is one number (a sum over points and components).")
    v = float(arr.reshape(()))
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    ref = elbo(X, params, q)
    tol = 1e-6 * max(1.0, abs(ref))
    if abs(v - ref) <= tol:
        return _ok(name, f"ELBO = {ref:.3f} is right.")
    q_term = expected_complete_log_likelihood(X, params, q)
    h = entropy(q)
    if abs(v - q_term) <= tol:
        return _fail(
            name,
            f"that is Σ q_nk [ln π_k + ln N(x_n|μ_k,Σ_k)] alone: add the entropy −Σ q_nk ln q_nk = {h:.3f}.",
        )
    if abs(v - (q_term - h)) <= tol:
        return _fail(
            name,
            "the entropy term has the wrong sign: ELBO = Σ q [ln π N] − Σ q ln q (the entropy is ≥ 0 and is added).",
        )
    if abs(v - ref / X.shape[0]) <= tol:
        return _fail(name, "you averaged over points; the ELBO is a sum over points, like ln p(X).")
    written = _decimals_written(v)
    if written is not None and np.isfinite(v) and abs(v - ref) <= 0.5 * 10.0**-written * (1 + 1e-6):
        return _fail(
            name,
            f"{v:.{written}f} is the ELBO rounded to {written} decimals: pass the unrounded value your code "
            f"computes (no round()), which must match to 1e-6 relative.",
        )
    got, want = _pair(v, ref, 4)
    return _fail(
        name, f"expected {want}, got {got}: ELBO = Σ_n Σ_k q_nk [ln π_k + ln N(x_n|μ_k,Σ_k) − ln q_nk]."
    )


def check_permutation(perm: Any, means_a: Any, means_b: Any) -> CheckResult:
    """Check a label matching: ``perm[k]`` is the component of run B that matches component k of run A.

    The best matching minimises Σ_k ‖μ^A_k − μ^B_perm[k]‖² (scipy.optimize.linear_sum_assignment).
    """
    from scipy.optimize import linear_sum_assignment

    name = "label matching"
    if perm is None:
        return _todo(name, "perm is None. Find the matching and run this cell again.")
    a = np.asarray(means_a, dtype=float)
    b = np.asarray(means_b, dtype=float)
    k = a.shape[0]
    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    ref = cols[np.argsort(rows)]
    entries = np.asarray(perm, dtype=object).reshape(-1)
    labels = [_whole(e) for e in entries]
    if None in labels:
        j = labels.index(None)
        return _fail(
            name,
            f"labels are whole numbers 0..{k - 1} (as NumPy counts), K={k} of them; perm[{j}] is "
            f"{_plain(entries[j])}.",
        )
    p = np.array(labels, dtype=int)
    if p.size != k:
        return _fail(
            name, f"give one label of run B for each of the K={k} components of run A, got {p.size}."
        )
    if sorted(p.tolist()) != list(range(k)):
        return _fail(
            name, f"a matching uses every label 0..{k - 1} (as NumPy counts) exactly once; got {p.tolist()}."
        )
    if np.array_equal(p, ref):
        return _ok(name, f"perm = {ref.tolist()}: component k of run A is component perm[k] of run B.")
    inv = np.argsort(ref)
    if np.array_equal(p, inv):
        return _fail(
            name, "that is the inverse matching: perm[k] should be the label in run B of run A's component k."
        )
    j = int(np.flatnonzero(p != ref)[0])
    return _fail(
        name,
        f"perm[{j}] should be {ref[j]}, not {p[j]}: run A's component {component_number(j)} (mean "
        f"{_fmt(a[j])}) is closest to run B's component {component_number(ref[j])} (mean {_fmt(b[ref[j]])}), "
        f"not to its component {component_number(p[j])} (mean {_fmt(b[p[j]])}). linear_sum_assignment "
        f"on the squared distances between means finds it.",
    )


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return None


#: (ln p(X) before, ln p(X) after, n points, tol, converged?, hint when the answer is wrong). Together the
#: cases tell every slip of _STOPPING_SLIPS, and any multiple or fraction of tol, apart from the rule and
#: from each other; the hint is for an answer that matches none of them.
_CONVERGENCE_CASES = (
    (
        -1000.0,
        -999.0,
        100,
        1e-3,
        False,
        "a gain of 1.0 over 100 points is 0.01 per point, above tol = 0.001: EM must go on.",
    ),
    (
        -5000.0,
        -4999.6,
        1000,
        1e-3,
        True,
        "a gain of 0.4 over n = 1000 points is 0.0004 per point, below tol = 0.001: compare the gain "
        "PER POINT, |Δ ln p(X)| / n, with tol (the total grows with n; the same tol must mean the same "
        "for 100 and for 100 000 points).",
    ),
    (
        -1000.0,
        -999.97,
        100,
        1e-3,
        True,
        "a gain of 0.03 over 100 points is 0.0003 per point, below tol = 0.001: EM has converged.",
    ),
    (
        -10.0,
        -9.992,
        2,
        1e-3,
        False,
        "a gain of 0.008 over n = 2 points is 0.004 per point, above tol = 0.001: EM must go on. Divide "
        "the change by the number of points n, not by |ln p(X)|.",
    ),
    (
        4.0,
        4.02,
        1000,
        1e-3,
        True,
        "a gain of 0.02 over n = 1000 points is 0.00002 per point, below tol = 0.001: EM has converged "
        "(ln p(X) can be near 0, or positive when densities exceed 1; only the change per point matters).",
    ),
    (
        -3.0,
        -2.9991,
        2,
        1e-3,
        True,
        "a gain of 0.0009 over n = 2 points is 0.00045 per point, below tol = 0.001: EM has converged.",
    ),
    (
        -1000.0,
        -1000.5,
        100,
        1e-3,
        False,
        "ln p(X) FELL by 0.005 per point, more than tol: that is not convergence (EM never lowers "
        "ln p(X); a fall is a bug to look at). Use the size of the change, abs(Δ), not Δ alone.",
    ),
    (
        -1000.0,
        -1000.0,
        100,
        0.0,
        False,
        "with tol = 0 the test must never pass (fit_em's tol=0 runs all max_iter iterations): use a "
        "strict comparison, |Δ| / n < tol.",
    ),
    (
        -1000.0,
        -1000.0000001,
        100,
        1e-3,
        True,
        "a change of 1e-7 (a rounding error, here a tiny fall) is below tol: EM has converged.",
    ),
    (
        -1000.0,
        -999.5,
        500,
        1e-3,
        False,
        "a gain of 0.5 over 500 points is 0.001 per point, exactly tol and so not below it: EM goes on "
        "(a strict comparison, |Δ| / n < tol).",
    ),
    (
        -20000.0,
        -19989.8,
        10000,
        1e-3,
        False,
        "a gain of 10.2 over 10 000 points is 0.00102 per point, just above tol = 0.001: EM must go on.",
    ),
    (
        -20000.0,
        -19990.2,
        10000,
        1e-3,
        True,
        "a gain of 9.8 over 10 000 points is 0.00098 per point, just below tol = 0.001: EM has converged.",
    ),
    (
        -100.0,
        -99.896,
        10,
        1e-2,
        False,
        "a gain of 0.104 over n = 10 points is 0.0104 per point, above tol = 0.01: EM must go on.",
    ),
    (
        -100.0,
        -99.904,
        10,
        1e-2,
        True,
        "a gain of 0.096 over n = 10 points is 0.0096 per point, below tol = 0.01: EM has converged.",
    ),
)


#: Wrong stopping rules, each with the ways of writing it: (slip, rules of (ll_previous, ll_current, n, tol)).
#: A multiple or a fraction of tol (any factor) is recognised apart, by :func:`_tol_factor_slip`.
_STOPPING_SLIPS: tuple[tuple[str, tuple[Callable[[float, float, int, float], bool], ...]], ...] = (
    ("no division by n", (lambda b, a, n, t: abs(a - b) < t, lambda b, a, n, t: abs(a - b) <= t)),
    ("n + 1", (lambda b, a, n, t: abs(a - b) / (n + 1) < t,)),
    ("n − 1", (lambda b, a, n, t: abs(a - b) / (n - 1) < t,)),
    ("<=", (lambda b, a, n, t: abs(a - b) / n <= t,)),
    (
        "relative",
        (
            lambda b, a, n, t: abs(a - b) / abs(b) < t,
            lambda b, a, n, t: abs(a - b) / abs(a) < t,
            lambda b, a, n, t: abs(a - b) / max(abs(a), abs(b)) < t,
            lambda b, a, n, t: abs(a - b) <= t * max(abs(a), abs(b)),  # math.isclose(a, b, rel_tol=t)
            lambda b, a, n, t: abs(a - b) / abs(b) <= t,
            lambda b, a, n, t: abs(a - b) / abs(a) <= t,
        ),
    ),
    ("signed, a fall counts", (lambda b, a, n, t: (a - b) / n < t,)),
    ("signed, a rise counts", (lambda b, a, n, t: (b - a) / n < t,)),
    ("flipped", (lambda b, a, n, t: abs(a - b) / n > t, lambda b, a, n, t: abs(a - b) / n >= t)),
    ("always True", (lambda b, a, n, t: True,)),
    ("always False", (lambda b, a, n, t: False,)),
)


def _tol_factor_slip(answers: list[bool]) -> str | None:
    """'multiple' or 'fraction' when the answers are those of |Δ| / n < c · tol for some c above or below 1."""
    trues, falses = [], []
    for (before, after, n, tol, _, _), got in zip(_CONVERGENCE_CASES, answers):
        if tol == 0:
            if got:  # c · 0 = 0: no factor makes 0 < 0 true
                return None
            continue
        (trues if got else falses).append(abs(after - before) / n / tol)
    lowest_false, highest_true = min(falses, default=np.inf), max(trues, default=0.0)
    if highest_true >= lowest_false:  # no single threshold gives these answers
        return None
    if highest_true >= 1.0:
        return "multiple"
    if lowest_false < 1.0:
        return "fraction"
    return None


def _stopping_slip(answers: list[bool]) -> str | None:
    """The slip whose answers on _CONVERGENCE_CASES are exactly ``answers``, or None."""
    for slip, rules in _STOPPING_SLIPS:
        for rule in rules:
            with np.errstate(all="ignore"):
                if all(
                    bool(rule(b, a, n, t)) == got
                    for (b, a, n, t, _, _), got in zip(_CONVERGENCE_CASES, answers)
                ):
                    return slip
    return _tol_factor_slip(answers)


def _telling_case(slip: str | None, wrong: list[int]) -> int:
    """Of the cases answered wrongly, the one that shows ``slip`` best: the change per point furthest above
    tol for a multiple of it, furthest below for a fraction, the fewest points for n ± 1; else the first."""

    def ratio(i: int) -> float:
        before, after, n, tol = _CONVERGENCE_CASES[i][:4]
        return abs(after - before) / n / tol if tol > 0 else np.inf

    if slip == "multiple":
        return max(wrong, key=ratio)
    if slip == "fraction":
        return min(wrong, key=ratio)
    if slip in ("n + 1", "n − 1"):
        return min(wrong, key=lambda i: _CONVERGENCE_CASES[i][2])
    return wrong[0]


def _slip_explanation(slip: str, before: float, after: float, n: int, tol: float, got: bool) -> str:
    """What is wrong with the stopping rule ``slip``, told on the case (before, after, n, tol)."""
    change = abs(after - before)
    per = change / n
    below = "below" if per < tol else "not below"
    if slip == "no division by n":
        return (
            f"you compared the whole change |Δ ln p(X)| = {change:g} with tol; compare the change PER POINT, "
            f"|Δ ln p(X)| / n = {per:g} (the total grows with n; the same tol must mean the same for 100 and "
            f"for 100 000 points)."
        )
    if slip in ("n + 1", "n − 1"):
        variance = " (this is not a sample variance)" if slip == "n − 1" else ""
        return (
            f"divide the change by n, not by {slip}{variance}: the change per point is {change:g} / {n} = "
            f"{per:g}, {below} tol = {tol:g}."
        )
    if slip == "multiple":
        times = "exactly tol" if per == tol else f"{per / tol:.3g} × tol"
        return (
            f"the change per point, {change:g} / {n} = {per:g}, is {times}, not below tol, yet your rule "
            f"says converged: compare it with tol itself, not a multiple of it."
        )
    if slip == "fraction":
        return (
            f"the change per point, {change:g} / {n} = {per:g}, is {per / tol:.3g} × tol, below tol, yet your "
            f"rule goes on: compare it with tol itself, not a fraction of it."
        )
    if slip == "<=":
        return (
            "use a strict comparison, |Δ ln p(X)| / n < tol, not <=: with tol = 0 the test must never pass "
            "(fit_em's tol=0 runs all max_iter iterations), and a change of exactly tol per point is not "
            "below tol."
        )
    if slip == "relative":
        return (
            "divide the change by the number of points n, not by |ln p(X)|: a relative change depends on "
            "where ln p(X) happens to be (near 0, or positive when densities exceed 1), while the change per "
            "point says how much the fit still moves."
        )
    if slip == "signed, a fall counts":
        return (
            f"ln p(X) FELL here, by {change:g}, and your rule counted the fall as convergence: use the size "
            f"of the change, abs(Δ), not Δ alone (EM never lowers ln p(X); a fall is a bug to look at)."
        )
    if slip == "signed, a rise counts":
        return (
            "you compared ll_previous − ll_current, which is negative whenever ln p(X) rises, so every rise "
            "counts as converged: use the size of the change, abs(ll_current − ll_previous)."
        )
    if slip == "flipped":
        return (
            f"your comparison is the wrong way round: True means converged (stop), which is when the change "
            f"per point, here {per:g}, is BELOW tol = {tol:g}."
        )
    # "always True", "always False"
    return f"your function returns {got} for every case: compare the change per point, |Δ ln p(X)| / n, with tol."


def check_converged(fn: Callable) -> CheckResult:
    """Check the learner's convergence test ``converged(ll_previous, ll_current, n, tol) -> bool``.

    The rule is fit_em's and scikit-learn's: EM has converged when the change in ln p(X) per point,
    ``abs(ll_current - ll_previous) / n``, is strictly below ``tol``. The cases tell apart every
    plausible slip (no division by n, n + 1 or n − 1, a multiple or a fraction of tol, ``<=``, a change
    relative to |ln p(X)|, a signed change either way, the comparison flipped, a constant answer), and
    the message names the slip. When the function raises, the message gives the call that reproduces it.
    """
    name = "convergence test"
    if not callable(fn):
        return _fail(
            name, f"pass your function itself, e.g. check_converged(my_converged), not a {type(fn).__name__}."
        )
    fname = _fn_name(fn, "my_converged")
    answers = []
    for i, (before, after, n, tol, _, _) in enumerate(_CONVERGENCE_CASES):
        out, exc = _call(fn, before, after, n, tol)
        where = f"ll_previous={before}, ll_current={after}, n={n}, tol={tol}"
        if exc is not None:
            return _raised(name, exc, None, f"{fname}({before!r}, {after!r}, {n!r}, {tol!r})")
        if out is None:
            if i == 0:
                return _todo(name, "your function returned None. Fill in the TODO and run the check again.")
            return _fail(name, f"your function returned None for {where}.")
        got = _as_bool(out)
        if got is None:
            return _fail(
                name, f"return True or False (a comparison), got {type(out).__name__} {out!r} for {where}."
            )
        answers.append(got)
    wrong = [i for i, (case, got) in enumerate(zip(_CONVERGENCE_CASES, answers)) if got != case[4]]
    if not wrong:
        return _ok(name, f"right on all {len(_CONVERGENCE_CASES)} cases: |Δ ln p(X)| / n < tol.")
    slip = _stopping_slip(answers)
    i = _telling_case(slip, wrong)
    before, after, n, tol, want, hint = _CONVERGENCE_CASES[i]
    why = hint if slip is None else _slip_explanation(slip, before, after, n, tol, answers[i])
    where = f"ll_previous={before}, ll_current={after}, n={n}, tol={tol}"
    return _fail(name, f"for {where} you returned {answers[i]}, expected {want}: {why}")


def reference_converged(ll_previous: float, ll_current: float, n: int, tol: float) -> bool:
    """fit_em's convergence test: the change in ln p(X) per point is strictly below ``tol``."""
    return abs(ll_current - ll_previous) / n < tol


def _bic_table(
    X: np.ndarray, covariance_type: str, candidates: tuple[int, ...]
) -> tuple[dict[int, float], dict[int, float]]:
    """ln p(X) and BIC of the best of ten starts, ``fit_best(X, K)``, for every K in ``candidates``."""
    finals = {k: fit_best(X, k, covariance_type=covariance_type).final for k in candidates}
    return {k: log_likelihood(X, p) for k, p in finals.items()}, {k: bic(X, p) for k, p in finals.items()}


def check_best_k(
    value: Any, X: Any, covariance_type: str = "full", candidates: Any = range(1, 9)
) -> CheckResult:
    """Check which K BIC chooses on ``X``: the K in ``candidates`` with the smallest BIC.

    BIC = p ln N − 2 ln p(X), with p from :func:`n_parameters` and ln p(X) of
    ``fit_best(X, K, covariance_type=...)`` (ten starts), the fits the exercise asks for. The
    answer is computed here, so the notebook does not give it away.
    """
    name = f"BIC's choice of K ({covariance_type})"
    if value is None:
        return _todo(name, "the value is None. Compute BIC for every K and run this cell again.")
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    candidates = tuple(int(k) for k in candidates)
    v = _whole(value)
    if v is None:
        return _fail(
            name, f"K counts components, so give it as a whole number (an int); got {_plain(value)}."
        )
    if v not in candidates:
        return _fail(name, f"K = {v} is not among the candidates {candidates[0]}..{candidates[-1]}.")
    ll, bics = _bic_table(X, covariance_type, candidates)
    best = min(bics, key=bics.get)
    if v == best:
        return _ok(name, f"K = {best} has the smallest BIC, {bics[best]:.1f}.")
    if v == max(ll, key=ll.get):
        return _fail(
            name,
            f"K = {v} has the highest ln p(X), not the smallest BIC = p ln N − 2 ln p(X): "
            f"add the penalty p ln N.",
        )
    return _fail(
        name,
        f"K = {v} has BIC {bics[v]:.1f}, but another K has a smaller one: print BIC for every "
        f"K in {candidates[0]}..{candidates[-1]} and take the smallest.",
    )


def check_uncertain(mask: Any, resp: Any, threshold: float = 0.99) -> CheckResult:
    """Check a boolean mask of the points EM is unsure about: largest γ_nk below ``threshold``.

    Recognised slips: the confident points instead (comparison flipped), the smallest γ_nk or
    one column instead of the largest, indices or a count instead of a mask.
    """
    name = "uncertain points"
    if mask is None:
        return _todo(name, "unsure is None. Build the mask and run this cell again.")
    resp = np.asarray(resp, dtype=float)
    n = resp.shape[0]
    ref = resp.max(axis=1) < threshold
    arr = np.asarray(mask)
    if arr.ndim == 0:
        return _fail(
            name,
            f"give one True/False per point (a mask of length {n}), not a single number; "
            f"the count is unsure.sum().",
        )
    if arr.dtype != bool:
        return _fail(
            name,
            f"give a boolean mask (one True/False per point, e.g. a comparison), not "
            f"{arr.dtype} values such as indices.",
        )
    if arr.shape != (n,):
        if arr.shape == resp.shape:
            return _fail(
                name,
                f"the mask has shape {arr.shape}, one value per point AND component: take the "
                f"largest γ_nk of each point first, resp.max(axis=1).",
            )
        return _fail(name, f"the mask must have one value per point, shape ({n},), got {arr.shape}.")
    if np.array_equal(arr, ref):
        return _ok(name, f"{int(ref.sum())} of {n} points have their largest γ_nk below {threshold:g}.")
    if np.array_equal(arr, ~ref):
        return _fail(
            name, f"that is the confident points (largest γ_nk ≥ {threshold:g}): flip the comparison."
        )
    if np.array_equal(arr, resp.min(axis=1) < threshold):
        return _fail(
            name,
            "you used the smallest γ_nk of each point; EM is unsure when even the LARGEST is small: resp.max(axis=1).",
        )
    if any(np.array_equal(arr, resp[:, k] < threshold) for k in range(resp.shape[1])):
        return _fail(
            name,
            "you looked at one component's column only; use each point's largest γ_nk, resp.max(axis=1).",
        )
    wrong = int(np.sum(arr != ref))
    return _fail(name, f"{wrong} points are classified wrongly: unsure = resp.max(axis=1) < {threshold:g}.")


# ---------------------------------------------------------------------------------------------
# Reference solutions (written to be read, not to be fast)
# ---------------------------------------------------------------------------------------------


def reference_e_step(X, params):
    """E-step, the way notebook 09 asks for it: returns (resp, log_likelihood).

    Works in log space: ln π_k + ln N(x_n | μ_k, Σ_k) for every point and component, then
    log-sum-exp over k gives ln T_n = ln p(x_n), and γ_nk = exp(ln π_k N_k − ln T_n).
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    K = len(params.weights)
    log_pi_n = np.empty((X.shape[0], K))  # ln π_k + ln N(x_n | μ_k, Σ_k)
    for k in range(K):
        log_pi_n[:, k] = np.log(params.weights[k]) + multivariate_normal(
            params.means[k], params.covariances[k]
        ).logpdf(X).reshape(-1)
    log_T = logsumexp(log_pi_n, axis=1, keepdims=True)  # ln T_n = ln p(x_n), shape (n, 1)
    resp = np.exp(log_pi_n - log_T)  # rows sum to 1
    log_likelihood = float(log_T.sum())  # ln p(X): a sum over points
    return resp, log_likelihood


def reference_m_step(X, resp, reg_covar=1e-6):
    """M-step, the way notebook 09 asks for it: returns (weights, means, covariances), full Σ_k."""
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    n, d = X.shape
    N_k = resp.sum(axis=0)  # effective number of points, (K,)
    weights = N_k / n  # π_k
    means = (resp.T @ X) / N_k[:, None]  # μ_k, (K, d)
    covariances = np.empty((len(N_k), d, d))
    for k in range(len(N_k)):
        diff = X - means[k]  # (n, d), around the NEW mean
        covariances[k] = (resp[:, k, None] * diff).T @ diff / N_k[k] + reg_covar * np.eye(d)
    return weights, means, covariances


def solution(name: str) -> None:
    """Print the source of a reference solution, e.g. ``solution("e_step")``."""
    fns = {"e_step": reference_e_step, "m_step": reference_m_step, "converged": reference_converged}
    key = name.replace("reference_", "")
    if key not in fns:
        print(f"No solution called {name!r}; available: {', '.join(fns)}.")
        return
    print(inspect.getsource(fns[key]))
