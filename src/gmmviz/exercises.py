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

import inspect
import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from ._checking import (  # CheckResult is public here, as gmmviz.exercises.CheckResult
    CheckResult,
    _as_float_array,
    _call,
    _close,
    _digits_for,
    _fail,
    _fmt,
    _fmt_pair,
    _fn_name,
    _ok,
    _raised,
    _todo,
)
from ._covariance import component_number, covariance_shape, needs_full_scatter
from .em import bic, log_density, log_likelihood, n_parameters
from .em import e_step as _gm_e_step
from .em import m_step as _gm_m_step
from .exercise_cases import CHECK_REG_COVAR  # the test problems are shared with the graded assignment
from .exercise_cases import describe as _describe
from .exercise_cases import far_problem as _far_problem
from .exercise_cases import problems as _problems
from .fit import fit_best
from .params import GMMParams

__all__ = [
    "CheckResult",
    "check_e_step",
    "check_m_step",
    "check_responsibilities",
    "check_log_likelihood",
    "check_n_parameters",
    "check_mahalanobis",
    "check_ellipse_match",
    "check_elbo",
    "check_permutation",
    "check_converged",
    "check_best_k",
    "check_uncertain",
    "check_em_by_hand",
    "HAND_QUANTITIES",
    "check_spherical_variances",
    "check_collapse",
    "check_bad_start",
    "check_bic_fooled",
    "n_parameters",
    "reference_converged",
    "reference_e_step",
    "reference_m_step",
    "solution",
]

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
    "below e^-1000, far below the smallest positive float64 (about 1e-324; normal numbers stop at "
    "about 1e-308), so exponentiating first gives 0, and normalising gives 0/0. Compute "
    "a_nk = ln π_k + ln N(x_n | μ_k, Σ_k) with logpdf and normalise in logs: γ_nk = exp(a_nk − logsumexp_j a_nj)."
)

_FAR_LL_HINT = (
    "The last point of this problem lies far from every component: its T_n = Σ_k π_k N(x_n | μ_k, Σ_k) "
    "is below e^-1000, far below the smallest positive float64 (about 1e-324), so T_n becomes 0 and its log −inf. "
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
    # Correctly normalised but different: look for a known slip. First the right numbers in the wrong columns.
    for order in itertools.permutations(range(k)) if 1 < k <= 5 else ():
        if order != tuple(range(k)) and prec.close(arr, ref[:, list(order)]):
            which = ", ".join(
                f"column {j} holds component {component_number(o)}'s γ" for j, o in enumerate(order) if o != j
            )
            return (
                f"your columns are in {'the other' if k == 2 else 'another'} order: column k must be component k "
                f"(the order of params: column 0 is component 1, with π_1, μ_1, Σ_1). Your {which}."
            )
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
    negative values, rows not summing to 1 (and columns summing to 1 instead), the right columns in another
    order (column k must be component k), forgotten mixing weights, or the largest difference.
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
        resp_arr, ll_arr = _as_float_array(resp), _as_float_array(ll)
        if (
            resp_arr is not None
            and resp_arr.ndim == 0
            and ll_arr is not None
            and ll_arr.shape == ref_resp.shape
        ):
            return _fail(
                name,
                f"the first value returned is one number and the second an array of shape {ref_resp.shape}: "
                f"you returned (log_likelihood, resp). Return them in the order the EM loop unpacks them: "
                f"return resp, log_likelihood. [{where}]",
            )
        problem = _resp_problem(resp, X, params, ref_resp, explain_nan=not far)
        arr = _as_float_array(resp)
        if problem and arr is not None and arr.shape == ref_resp.shape and np.isfinite(arr).all():
            if (arr <= 1e-12).all() and np.allclose(np.exp(arr), ref_resp, rtol=1e-6, atol=1e-8):
                problem = (
                    "these look like ln γ_nk (all ≤ 0, and their exp is the right γ): you normalised in logs, "
                    "a_nk − ln T_n; take np.exp of it to get the responsibilities."
                )
            elif np.asarray(resp).dtype == np.float32 and np.allclose(arr, ref_resp, rtol=1e-5, atol=1e-6):
                problem = "γ is right only to float32 precision (about 7 digits): compute in float64, NumPy's default."
        if problem:
            return _fail(name, f"{problem}{' ' + _FAR_HINT if far else ''} [{where}]")
        if ll is None:
            return _fail(
                name, "γ is right. log_likelihood (the second value returned) is None: compute ln p(X)."
            )
        problem = _ll_problem(ll, X, params, explain_inf=not far)
        if not problem and np.ndim(ll) > 0:
            problem = (
                f"ln p(X) must be one number, not an array of shape {np.shape(ll)} (the EM loop prints it "
                f"with :.3f): use log_T.sum() without keepdims, or float(...)."
            )
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
    if isinstance(out, (tuple, list)) and len(out) == 3:
        return tuple(out)
    use = "return weights, means, covariances (the EM loop builds GMMParams(*my_m_step(X, resp)) from them)"
    if isinstance(out, GMMParams) or all(hasattr(out, a) for a in ("weights", "means", "covariances")):
        return f"m_step must return the three arrays, not a {type(out).__name__}: {use}."
    if isinstance(out, dict):
        return f"m_step must return the three arrays, not a dict: {use}."
    n = len(out) if isinstance(out, (tuple, list)) else None
    got = f"{n} values" if n is not None else f"a {type(out).__name__}"
    return f"m_step must return weights, means, covariances (three arrays); got {got}: {use}."


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
    # np.cov(X.T, aweights=γ_k) without bias=True: divided by N_k − Σ_n γ_nk² / N_k instead of N_k
    unbiased = bare * (nk / (nk - (resp**2).sum(axis=0) / nk))[:, None, None]
    if _close(arr, unbiased + reg * eye) or _close(arr, unbiased):
        return (
            "np.cov(X.T, aweights=resp[:, k]) divides by N_k − Σ_n γ_nk² / N_k, an 'unbiased' weighted count; "
            "the M-step divides by N_k: pass bias=True (and add reg_covar · I)."
        )
    if _close(arr, bare + reg * eye / nk[:, None, None]):
        return (
            "you added reg_covar · I before dividing by N_k: Σ_k = (Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ) / N_k "
            "+ reg_covar · I, with reg_covar added after the division."
        )
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


def _hard_labels_problem(
    parts: tuple[Any, Any, Any], X: np.ndarray, resp: np.ndarray, ref: GMMParams, reg: float
) -> str | None:
    """The hard-labels slip: π or μ as the M-step computes them from one-hot resp.argmax, not from γ."""
    k = resp.shape[1]
    with np.errstate(all="ignore"):
        hard = _gm_m_step(X, np.eye(k)[resp.argmax(axis=1)], "full", reg_covar=reg)
    w, m = _as_float_array(parts[0]), _as_float_array(parts[1])
    if (
        w is not None
        and w.shape == ref.weights.shape
        and not _close(w, ref.weights)
        and _close(w, hard.weights)
    ):
        return (
            "you used hard labels (each point given wholly to its most likely component, resp.argmax): the M-step "
            "weighs every point by its responsibilities, so a point shared 60/40 counts 0.6 in one component and "
            "0.4 in the other. Use N_k = Σ_n γ_nk and γ-weighted sums with resp as it is."
        )
    if m is not None and m.shape == ref.means.shape and not _close(m, ref.means) and _close(m, hard.means):
        return (
            "your means are those of hard labels (resp.argmax): μ_k = Σ_n γ_nk x_n / N_k weighs every point by "
            "its responsibility γ_nk, not 1 for its most likely component and 0 elsewhere."
        )
    return None


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
    ``reg_covar=0.001`` and compares with :func:`gmmviz.em.m_step` (full covariances). The function
    must return the three arrays (a tuple or list), which is what the EM loop ``GMMParams(*m_step(X, resp))``
    uses; a ``GMMParams`` or a dict is rejected with that hint. Recognised slips include hard labels
    (resp.argmax), ``np.cov`` without ``bias=True`` and ``reg_covar`` inside the division by N_k.
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
        wanted = [ref.weights.shape, ref.means.shape, ref.covariances.shape]
        shapes = [getattr(_as_float_array(p), "shape", None) for p in parts]
        if None not in shapes and shapes != wanted and sorted(shapes) == sorted(wanted):
            return _fail(
                name,
                f"you returned arrays of shapes {', '.join(map(str, shapes))}: the same three, in another order. "
                f"Return weights (K,), means (K, d), covariances (K, d, d), in that order (the EM loop builds "
                f"GMMParams(*my_m_step(X, resp)) from them). [{where}]",
            )
        nk = resp.sum(axis=0)
        hard_problem = _hard_labels_problem(parts, X, resp, ref, reg)
        if hard_problem:
            return _fail(name, f"{hard_problem} [{where}]")
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
    entries = {  # what each covariance type has, for a count that belongs to another type
        "full": f"a symmetric d × d Σ_k per component, K·d(d+1)/2 = {k * d * (d + 1) // 2} entries",
        "tied": f"one symmetric d × d Σ shared by all components, d(d+1)/2 = {d * (d + 1) // 2} entries",
        "diag": f"d variances per component, K·d = {k * d} entries",
        "spherical": f"one variance σ_k² per component, K = {k} entries",
    }
    kind = str(covariance_type)  # valid: n_parameters above checked it
    for other in entries:
        if other != kind and n_parameters(k, d, other) == v:
            return _fail(
                name,
                f"{v} is the count for covariance_type={other!r}; {kind!r} has {entries[kind]}.",
            )
    if k > 1 and v == ref - (k - 1):
        return _fail(name, f"you left out the weights: K − 1 = {k - 1} of them are free (they sum to 1).")
    if v == ref - k * d:
        return _fail(name, f"you left out the means: K·d = {k * d} coordinates.")
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
    if (arr < 0).any():
        return _fail(name, "a distance is never negative: D² = (x − μ)ᵀ Σ⁻¹ (x − μ) ≥ 0 and D = √D² ≥ 0.")
    if arr.size > 1 and prec.close(np.sort(arr), np.sort(ref)):
        return _fail(
            name,
            "the right numbers in the wrong order: give one value per point, in the order of the points.",
        )
    near = 1.5 * 10.0**-prec.decimals if prec.rounded else 1e-3
    if np.max(np.abs(arr - ref)) <= near:  # a rounding slip, or a code answer almost right: show both
        got, want = prec.shown(arr if arr.size > 1 else arr[0], ref if ref.size > 1 else ref[0])
        return _fail(
            name,
            f"expected {want}{prec.stated()}, got {got}: D² = (x − μ)ᵀ Σ⁻¹ (x − μ).{prec.note(arr, ref)}",
        )
    off = [i for i in range(arr.size) if not prec.close(arr[i], ref[i])]
    points = [f"value {i + 1} (the point ({', '.join(f'{v:g}' for v in xs[i])}))" for i in off]
    which = "your value is" if arr.size == 1 else " and ".join(points) + (" is" if len(off) == 1 else " are")
    return _fail(
        name,
        f"{which} off: compute D² = (x − μ)ᵀ Σ⁻¹ (x − μ) again, then take the square root.{prec.note(arr, ref)}",
    )


def check_ellipse_match(matches: Any, shown: Any) -> CheckResult:
    """Check notebook 01's Exercise 1: which covariance matrix (1, 2 or 3) belongs to which panel.

    ``matches`` maps a panel letter to a matrix number; letters in either case and numbers written as
    strings (``"2"``) are accepted. ``shown`` is the panels' true matching. A wrong answer names the panels
    to look at again, never the right numbers.
    """
    name = "match the ellipses"
    if not isinstance(matches, dict):
        return _fail(name, 'give a dict from panel letter to matrix number, e.g. {"A": 1, "B": 2, "C": 3}.')
    panels = list(shown)
    given = {str(p).strip().upper(): v for p, v in matches.items()}
    unknown = sorted(set(given) - set(panels))
    if unknown:
        return _fail(name, f"there is no panel {', '.join(unknown)}: the panels are {', '.join(panels)}.")
    if all(given.get(p) is None for p in panels):
        return _todo(name, "put 1, 2 or 3 for each panel in `matches` and run this cell again.")
    empty = [p for p in panels if given.get(p) is None]
    if empty:
        return _fail(name, f"panel(s) {', '.join(empty)} still empty: give a matrix number for every panel.")
    numbers = {}
    for p in panels:
        v = given[p]
        k = _whole(v) if not isinstance(v, str) else (int(v.strip()) if v.strip().isdigit() else None)
        if k not in (1, 2, 3):
            return _fail(name, f"panel {p}: give a matrix number, 1, 2 or 3, got {_plain(v)}.")
        numbers[p] = k
    if len(set(numbers.values())) < len(panels):
        return _fail(name, "each matrix belongs to exactly one panel: use each of 1, 2 and 3 once.")
    wrong = [p for p in panels if numbers[p] != shown[p]]
    if not wrong:
        return _ok(name, "all three right.")
    return _fail(
        name,
        f"look again at panel(s) {', '.join(wrong)}. Hint: a negative off-diagonal entry tilts the ellipse down to "
        "the right; the larger diagonal entry says which axis the ellipse is longer along.",
    )


def check_elbo(value: Any, X: Any, params: GMMParams, q: Any) -> CheckResult:
    """Check an evidence lower bound ELBO(q, θ) = Σ_n Σ_k q_nk [ln π_k + ln N(x_n|μ_k,Σ_k) − ln q_nk].

    A code answer: it must match to 1e-6 relative, and a value rounded to 6 or fewer decimals fails
    (even when within that tolerance) with a hint to pass the unrounded one. Recognised slips: the
    entropy term left out (that is the expected complete-data log-likelihood Q), its sign flipped, a
    mean instead of a sum, and γ summed instead of q (that gives ELBO(γ, θ) = ln p(X)).
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
    written = _decimals_written(v)
    rounded = written is not None and written <= 6 and abs(v - ref) > 8 * np.spacing(max(1.0, abs(ref)))
    if abs(v - ref) <= tol and not rounded:
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
    ll = log_likelihood(X, params)
    if abs(v - ll) <= tol:
        return _fail(
            name,
            f"{v:.4f} is ln p(X), the ELBO at q = γ (the posterior), where the gap is 0: sum with the q "
            "passed to the check, not with γ.",
        )
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

    def label(i: int, means: np.ndarray) -> str:  # one convention: 0-based labels, the plots' number beside
        return f"label {i} (component {component_number(i)} in the plots, mean {_fmt(means[i])})"

    return _fail(
        name,
        f"perm[{j}] should be {ref[j]}, not {p[j]} (labels count from 0, as NumPy does; the plots number "
        f"components from 1): run A's {label(j, a)} is closest to run B's {label(int(ref[j]), b)}, not to its "
        f"{label(int(p[j]), b)}. linear_sum_assignment on the squared distances between means finds it.",
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
        "ln p(X) FELL by 0.005 per point, more than tol: that is not convergence (with the exact M-step EM "
        "never lowers ln p(X), and reg_covar's tiny term cannot explain a fall this big: a bug to look at). "
        "Use the size of the change, abs(Δ), not Δ alone.",
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
    (  # every number here is exact in binary, so every way of writing the rule computes exactly tol
        -1000.0,
        -999.5,
        512,
        2.0**-10,
        False,
        "a gain of 0.5 over 512 points is 2⁻¹⁰ per point, exactly tol = 2⁻¹⁰ and so not below it: EM goes "
        "on (a strict comparison, |Δ| / n < tol).",
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
            f"of the change, abs(Δ), not Δ alone: it is the absolute value that keeps a big fall (a bug) from "
            f"looking like convergence."
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
    if v == max(bics, key=bics.get):
        return _fail(
            name,
            f"K = {v} has the LARGEST BIC, {bics[v]:.1f}, and every other K a smaller one: BIC = p ln N − 2 ln p(X) "
            f"is a cost, smaller is better.",
        )
    aics = {c: 2 * n_parameters(c, X.shape[1], covariance_type) - 2 * ll[c] for c in candidates}
    if v == min(aics, key=aics.get):
        return _fail(
            name,
            f"K = {v} has the smallest AIC = 2p − 2 ln p(X); BIC charges ln N = {np.log(X.shape[0]):.1f} per "
            f"parameter instead of 2: BIC = p ln N − 2 ln p(X).",
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
        if arr.shape == (n,) and arr.dtype.kind in "iuf" and np.isin(arr, (0, 1)).all():
            return _fail(
                name,
                "that is 0s and 1s, one per point: give True/False instead (a comparison gives them; "
                "unsure.astype(bool) converts), so that it can pick points out: X[unsure].",
            )
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
    largest = resp.max(axis=1)
    if arr.any() and (~arr).any() and largest[arr].max() < largest[~arr].min():  # a cut, at another height
        return _fail(
            name,
            f"your mask flags the {int(arr.sum())} points whose largest γ_nk is below some threshold, but not "
            f"{threshold:g}: the points below {threshold:g} are {int(ref.sum())}. Compare with {threshold:g}.",
        )
    wrong = int(np.sum(arr != ref))
    j = int(np.flatnonzero(arr != ref)[0])
    side = "below" if ref[j] else "not below"
    return _fail(
        name,
        f"{wrong} points are classified wrongly. For example point {j} (counting from 0): its largest γ_nk is "
        f"{largest[j]:.3f}, {side} {threshold:g}, but your mask says {bool(arr[j])}. A point is unsure when its "
        f"largest responsibility is below {threshold:g}.",
    )


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


# ---------------------------------------------------------------------------------------------
# One EM iteration by hand (notebook 03): a few 1-D points, every number checked on its own line
# ---------------------------------------------------------------------------------------------

#: What :func:`check_em_by_hand` checks: the quantity's name -> how a message writes it.
HAND_QUANTITIES = {
    "gamma": "γ_nk",
    "N_k": "N_k",
    "pi": "π_k (new)",
    "mu": "μ_k (new)",
    "var": "σ_k² (new)",
    "ll_before": "ln p(X) before",
    "ll_after": "ln p(X) after",
}


@dataclass(frozen=True)
class _HandIteration:
    """One EM iteration on 1-D points, every intermediate number, computed the plain way."""

    x: np.ndarray  # (n,)
    weights: np.ndarray  # the start: π_k, μ_k, σ_k² (K,)
    means: np.ndarray
    variances: np.ndarray
    resp: np.ndarray  # (n, K)
    nk: np.ndarray
    new_weights: np.ndarray
    new_means: np.ndarray
    new_variances: np.ndarray
    ll_before: float
    ll_after: float

    @property
    def n(self) -> int:
        return self.x.size


def _hand_iteration(x: Any, params: GMMParams) -> _HandIteration:
    """E-step with gmmviz, then the M-step's formulas without reg_covar (a hand M-step has none)."""
    x = np.asarray(x, dtype=float).reshape(-1)
    k = params.n_components
    resp, ll_before = _gm_e_step(x[:, None], params)
    nk = resp.sum(axis=0)
    new_means = resp.T @ x / nk
    new_variances = (resp * (x[:, None] - new_means) ** 2).sum(axis=0) / nk
    new = GMMParams(nk / x.size, new_means[:, None], new_variances[:, None, None])
    return _HandIteration(
        x,
        np.asarray(params.weights, dtype=float),
        np.asarray(params.means, dtype=float).reshape(k),
        params.full_covariances().reshape(k),
        resp,
        nk,
        nk / x.size,
        new_means,
        new_variances,
        float(ll_before),
        log_likelihood(x[:, None], new),
    )


def _weighted_resp(x: np.ndarray, weights: np.ndarray, dens: np.ndarray) -> np.ndarray:
    """Rows of weights · dens, normalised to sum to 1 (a slip's γ)."""
    num = weights * dens
    return num / num.sum(axis=1, keepdims=True)


def _gamma_slips(it: _HandIteration) -> list[tuple[np.ndarray, str]]:
    """γ as the usual slips compute it, each with what went wrong."""
    d2 = (it.x[:, None] - it.means) ** 2
    var, sd = it.variances, np.sqrt(it.variances)
    with np.errstate(all="ignore"):
        bell = np.exp(-d2 / (2 * var)) / np.sqrt(2 * np.pi * var)
        return [
            (
                _weighted_resp(it.x, np.ones_like(it.weights), bell),
                "you left out the weights: the numerator is π_k N(x_n | μ_k, σ_k²), not N(x_n | μ_k, σ_k²) alone.",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / (2 * var))),
                "you left out the factor 1/√(2π σ_k²) of the bell: with different variances it does not cancel "
                "between the components (a wider bell is a lower bell).",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / (2 * sd)) / np.sqrt(2 * np.pi * var)),
                "in the exponent divide (x_n − μ_k)² by 2σ_k², the variance, not by 2σ_k.",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / (2 * var)) / (np.sqrt(2 * np.pi) * var)),
                "the bell's factor is 1/√(2π σ_k²) = 1/(√(2π) σ_k): you divided by σ_k² instead of σ_k.",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / var) / np.sqrt(2 * np.pi * var)),
                "the exponent is −(x_n − μ_k)² / (2σ_k²): you left out the ½.",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / (2 * var**2)) / np.sqrt(2 * np.pi * var**2)),
                "you used the variance σ_k² as the standard deviation (scipy's norm.pdf(x, loc, scale) takes "
                "scale = σ_k = √σ_k²): a bell of variance σ_k² has standard deviation √σ_k².",
            ),
            (
                _weighted_resp(it.x, it.weights, np.exp(-d2 / (2 * var)) / np.sqrt(2 * it.weights * var)),
                "inside 1/√(2π σ_k²) the π is the number 3.14159…, not the weight π_k: the weight multiplies "
                "the bell once, outside it.",
            ),
        ]


def _slip_precision(prec: _Precision) -> _Precision:
    """How close an answer must be to a slip's value to be told it: a rounded answer may carry the slip's
    own rounding errors (3 units of the last decimal); a full-precision one is held to ``prec``."""
    if not prec.rounded:
        return prec
    return _Precision(3.0 * 10.0**-prec.decimals, 0.0, prec.decimals, prec.written)


def _vector_problem(
    value: Any,
    ref: np.ndarray,
    decimals: int | None,
    symbol: str,
    formula: str,
    slips: list[tuple[np.ndarray, str]],
    shape_hints: dict[int, str] | None = None,
    swapped: bool = True,
) -> str | None:
    """The first problem with K numbers ``value`` (one per component), or None when they match ``ref``.

    A slip is told when the answer matches its value (within :func:`_slip_precision`) and is nearer to it
    than to the right one; otherwise the message names the component whose number is off most.
    """
    k = ref.size
    arr = _as_float_array(value)
    if arr is None or arr.dtype == object:
        return f"give {symbol} as {k} numbers, one per component (a list or an array), got {type(value).__name__}."
    if arr.size != k:
        if shape_hints and arr.size in shape_hints:
            return shape_hints[arr.size]
        return f"give one {symbol} per component: {k} numbers, got {arr.size}."
    arr = arr.reshape(k)
    if not np.isfinite(arr).all():
        return f"{symbol} contains NaN or inf: look for a division by 0."
    prec = _precision(arr, decimals, atol=1e-8, rtol=1e-8)
    if prec.close(arr, ref):
        return None
    near = _slip_precision(prec)
    off = float(np.max(np.abs(arr - ref)))
    for candidate, message in slips:
        candidate = np.asarray(candidate, dtype=float).reshape(-1)
        if candidate.size != k or near.close(candidate, ref):  # a slip this precision cannot tell apart
            continue
        if near.close(arr, candidate) and np.max(np.abs(arr - candidate)) < off:
            return message
    if swapped and k > 1 and prec.close(arr, ref[::-1]):
        return (
            f"your {symbol} are right but in the wrong order: component 1 is the one that started at the first "
            f"mean of the start."
        )
    j = int(np.argmax(np.abs(arr - ref)))
    got, want = prec.shown(arr[j], ref[j])
    sub = symbol.replace("_k", f"_{component_number(j)}", 1)
    return f"{sub} is {got}, expected {want}{prec.stated()}: {formula}.{_hand_note(prec, arr[j], ref[j])}"


def _hand_note(prec: _Precision, got: Any, want: Any) -> str:
    """``prec.note``, except that "give more decimals" is said only when the answer is the right value
    rounded to the decimals it is written with: otherwise the value itself is off (0.500 for 0.493 is
    typed as 0.5, and more decimals would not help)."""
    if prec.rounded and prec.written < prec.decimals:
        rounded = np.round(np.asarray(want, dtype=float), prec.written)
        if not np.allclose(rounded, np.asarray(got, dtype=float), rtol=0.0, atol=1e-9):
            return ""
    return prec.note(got, want)


def _gamma_at(it: _HandIteration, r: int, c: int) -> str:
    """Where an entry of γ is, counted from 1 as the maths does: γ_42, point n = 4 (x = 5), component 2."""
    n, k = it.resp.shape
    sub = f"{r + 1}{c + 1}" if n < 10 and k < 10 else f"{r + 1},{c + 1}"
    return f"γ_{sub} (point n = {r + 1}, x = {it.x[r]:g}; component {component_number(c)})"


def _hand_gamma_problem(value: Any, it: _HandIteration, decimals: int | None) -> str | None:
    ref = it.resp
    n, k = ref.shape
    arr = _as_float_array(value)
    if arr is not None and arr.dtype != object and arr.shape == ref.shape and np.isfinite(arr).all():
        prec = _precision(arr, decimals, atol=1e-8, rtol=1e-8)
        if prec.close(arr, ref):
            return None
        near = _slip_precision(prec)
        off = float(np.max(np.abs(arr - ref)))
        if (arr < -1e-12).any():
            r, c = np.argwhere(arr < -1e-12)[0]
            return f"responsibilities are probabilities, so γ_nk ≥ 0; {_gamma_at(it, r, c)} is {arr[r, c]:g}."
        for candidate, message in _gamma_slips(it):
            if near.close(candidate, ref):  # a slip this precision cannot tell apart
                continue
            if near.close(arr, candidate) and np.max(np.abs(arr - candidate)) < off:
                return message
        if k > 1 and prec.close(arr[:, ::-1], ref):
            return (
                "your γ_nk are right but the columns are in the wrong order: column k is component k, and "
                f"component 1 is the one that starts at μ_1 = {it.means[0]:g}."
            )
        sums = arr.sum(axis=1)
        rows_off = np.flatnonzero(np.abs(sums - 1.0) > (k * prec.atol if prec.rounded else 1e-6))
        if rows_off.size:
            r = rows_off[0]
            where = f"the row of point n = {r + 1} (x = {it.x[r]:g}) sums to {_pair(sums[r], 1.0, 3, 'g')[0]}"
            if np.allclose(arr.sum(axis=0), 1.0, rtol=0.0, atol=n * prec.atol if prec.rounded else 1e-6):
                return (
                    f"each row of γ must sum to 1; {where}. Your columns sum to 1: you normalised over the "
                    f"points instead of over the components (divide each row by its sum T_n)."
                )
            return f"each row of γ must sum to 1; {where}. Divide each row by its sum T_n = Σ_k π_k N(x_n | μ_k, σ_k²)."
        err = np.abs(arr - ref)
        r, c = np.unravel_index(np.argmax(err), err.shape)
        got, want = prec.shown(arr[r, c], ref[r, c])
        return (
            f"{_gamma_at(it, r, c)} is {got}, expected "
            f"{want}{prec.stated()}: γ_nk = π_k N(x_n | μ_k, σ_k²) / Σ_j π_j N(x_n | μ_j, σ_j²), with "
            f"N(x | μ, σ²) = exp(−(x − μ)² / (2σ²)) / √(2π σ²).{_hand_note(prec, arr[r, c], ref[r, c])}"
        )
    start = GMMParams(it.weights, it.means[:, None], it.variances[:, None, None])
    return _resp_problem(value, it.x[:, None], start, ref, decimals)


def _hand_ll_problem(value: Any, it: _HandIteration, after: bool, decimals: int | None) -> str | None:
    """ln p(X) before (under the start) or after (under the new parameters) the iteration."""
    if after:
        params = GMMParams(it.new_weights, it.new_means[:, None], it.new_variances[:, None, None])
        other, this_one, other_one = it.ll_before, "after", "before"
    else:
        params = GMMParams(it.weights, it.means[:, None], it.variances[:, None, None])
        other, this_one, other_one = it.ll_after, "before", "after"
    X = it.x[:, None]
    ref = log_likelihood(X, params)
    arr = _as_float_array(value)
    if arr is not None and arr.dtype != object and arr.size == 1 and np.isfinite(arr).all():
        v = float(arr.reshape(()))
        prec = _precision(v, decimals, atol=1e-6 * max(1.0, abs(ref)))
        if abs(v - ref) <= prec.atol:
            return None
        near = _slip_precision(prec).atol
        if abs(v - other) <= near and abs(v - other) < abs(v - ref):
            where = "the new parameters" if after else "the start"
            return (
                f"that is ln p(X) {other_one} the iteration; ln p(X) {this_one} it is computed under {where} "
                f"(the {'new' if after else 'old'} π_k, μ_k, σ_k²)."
            )
        no_weights = float(np.sum(logsumexp(_log_terms(X, params, weighted=False), axis=1)))
        if abs(v - no_weights) <= near and abs(v - no_weights) < abs(v - ref):
            return "you left out the weights: ln p(X) = Σ_n ln Σ_k π_k N(x_n | μ_k, σ_k²), each bell times its π_k."
        if after:
            mixed = GMMParams(it.new_weights, it.new_means[:, None], it.variances[:, None, None])
            stale = log_likelihood(X, mixed)
            if abs(v - stale) <= near and abs(v - stale) < abs(v - ref):
                return "you used the new π_k and μ_k but the start's σ_k²: ln p(X) after the iteration uses every new parameter."
        problem = _ll_problem(value, X, params, decimals)
        if problem and prec.rounded and not _hand_note(prec, v, ref):  # off by more than the rounding
            problem = problem.replace(f" Give {prec.decimals} decimals, as the exercise asks.", "")
        return problem
    return _ll_problem(value, X, params, decimals)


def _log_terms(X: np.ndarray, params: GMMParams, weighted: bool = True) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k) (or ln N alone with ``weighted=False``), shape (n, K)."""
    terms = np.column_stack(
        [
            multivariate_normal(m, c).logpdf(X).reshape(-1)
            for m, c in zip(params.means, params.full_covariances())
        ]
    )
    return terms + np.log(params.weights) if weighted else terms


def check_em_by_hand(
    quantity: str, value: Any, X: Any, params: GMMParams, *, decimals: int | None = 3
) -> CheckResult:
    """Check one number (or row of numbers) of one EM iteration done by hand on 1-D points.

    ``quantity`` says which: ``"gamma"`` (γ, shape (n, K)), ``"N_k"``, ``"pi"``, ``"mu"``, ``"var"`` (the new
    π_k, μ_k, σ_k², K numbers each), ``"ll_before"``, ``"ll_after"`` (ln p(X) under the start and under the
    new parameters). ``X`` holds the n points, ``params`` the start (1-D, K components). The right values
    are one E-step (:func:`gmmviz.em.e_step`) and the M-step's formulas without ``reg_covar``.

    A hand answer rounded to ``decimals`` decimals passes within half a unit of that last decimal; a
    full-precision one must match to 1e-8. The message names the number that is off (the point and the
    component) and the likely slip: for γ, the weights π_k, the factor 1/√(2πσ_k²), σ_k for σ_k² or the ½
    left out of the exponent; for N_k, row sums or N_k / N; for π_k, N_k itself or N_k / K; for μ_k,
    dividing by N or not at all, the plain mean; for σ_k², dividing by N or N_k − 1 or not at all,
    forgetting to square, the old μ_k, no centring, σ_k instead of σ_k²; the start's value given again; for
    ln p(X), the other one (before for after), the weights left out, the old σ_k² after, and the slips of
    :func:`check_log_likelihood`.

    Parameters
    ----------
    quantity : {"gamma", "N_k", "pi", "mu", "var", "ll_before", "ll_after"}
    value : array-like or float
        The learner's answer; None means not attempted yet.
    X : array-like of shape (n,) or (n, 1)
    params : GMMParams
        The start (d = 1).
    decimals : int or None, default=3
        The stated precision of a hand answer; None checks every answer tightly.

    Returns
    -------
    CheckResult
    """
    symbol = HAND_QUANTITIES.get(quantity)
    if symbol is None:
        return _fail(
            "EM by hand", f"unknown quantity {quantity!r}: one of {', '.join(map(repr, HAND_QUANTITIES))}."
        )
    name = f"{symbol}"
    if value is None:
        return _todo(name, "still None. Compute it on paper, type it in and run this cell again.")
    it = _hand_iteration(X, params)
    n, k = it.n, it.weights.size
    x = it.x[:, None]
    if quantity == "gamma":
        problem = _hand_gamma_problem(value, it, decimals)
    elif quantity == "N_k":
        share = (
            f"that is N_k / N = π_k; N_k itself is the sum Σ_n γ_nk, an effective number of points (they add up "
            f"to N = {n})."
        )
        problem = _vector_problem(
            value,
            it.nk,
            decimals,
            "N_k",
            "N_k = Σ_n γ_nk, the sum of column k of γ (over the points)",
            [
                (it.new_weights, share),
            ],
            {
                n: f"that is {n} numbers, one per point: sum γ down each COLUMN (over the points), one N_k per component."
            },
        )
    elif quantity == "pi":
        problem = _vector_problem(
            value,
            it.new_weights,
            decimals,
            "π_k",
            f"π_k = N_k / N with N = {n} points",
            [
                (it.nk, f"that is N_k; divide it by the number of points N = {n}: π_k = N_k / N."),
                (
                    it.nk / k,
                    f"divide N_k by the number of points N = {n}, not by the number of components K = {k}.",
                ),
                (
                    it.weights,
                    "that is the start's π_k; the new π_k = N_k / N comes from the responsibilities.",
                ),
                (
                    np.full(k, 1.0 / k),
                    f"that is 1/K = {1.0 / k:g} for every component, equal weights; the new π_k = N_k / N comes "
                    f"from the responsibilities.",
                ),
            ],
        )
    elif quantity == "mu":
        hard = np.eye(k)[it.resp.argmax(axis=1)]
        with np.errstate(all="ignore"):
            hard_means = hard.T @ it.x / hard.sum(axis=0)
        weighted = it.resp.T @ it.x
        problem = _vector_problem(
            value,
            it.new_means,
            decimals,
            "μ_k",
            "μ_k = Σ_n γ_nk x_n / N_k",
            [
                (weighted / n, f"divide Σ_n γ_nk x_n by N_k, not by the number of points N = {n}."),
                (weighted, "you forgot to divide Σ_n γ_nk x_n by N_k."),
                (
                    np.full(k, it.x.mean()),
                    "that is the plain mean of the points: weight each point by its γ_nk.",
                ),
                (
                    hard_means,
                    "you gave each point wholly to its most likely component: weight it by γ_nk instead (soft, not hard).",
                ),
                (it.means, "that is the start's μ_k; the new μ_k = Σ_n γ_nk x_n / N_k."),
            ],
        )
    elif quantity == "var":
        diff = x - it.new_means
        scatter = (it.resp * diff**2).sum(axis=0)
        old = (it.resp * (x - it.means) ** 2).sum(axis=0)
        problem = _vector_problem(
            value,
            it.new_variances,
            decimals,
            "σ_k²",
            "σ_k² = Σ_n γ_nk (x_n − μ_k)² / N_k, around the new μ_k",
            [
                (scatter / n, f"divide by N_k, not by the number of points N = {n}."),
                (
                    scatter / (it.nk - 1),
                    "divide by N_k, not N_k − 1 (the weighted M-step has no such correction).",
                ),
                (scatter, "you forgot to divide the weighted sum of squares by N_k."),
                (
                    old / it.nk,
                    "you used the start's μ_k; compute the new μ_k first and measure the spread around it.",
                ),
                (
                    (it.resp * np.abs(diff)).sum(axis=0) / it.nk,
                    "you forgot to square: Σ_n γ_nk (x_n − μ_k)² / N_k, with (x_n − μ_k)².",
                ),
                (
                    (it.resp * diff).sum(axis=0) / it.nk,
                    "you forgot to square: Σ_n γ_nk (x_n − μ_k) is always 0 around the new mean; square each difference.",
                ),
                ((it.resp * x**2).sum(axis=0) / it.nk, "subtract the mean first: (x_n − μ_k)², not x_n²."),
                (
                    np.sqrt(it.new_variances),
                    "that is σ_k, the standard deviation: give the variance σ_k² (no square root).",
                ),
                (
                    it.variances,
                    "that is the start's σ_k²; the new one comes from the responsibilities and the new μ_k.",
                ),
            ],
        )
    else:
        problem = _hand_ll_problem(value, it, quantity == "ll_after", decimals)
    if problem:
        return _fail(name, problem)
    shown = _fixed(it.resp, 3) if quantity == "gamma" else None
    rounded = decimals is not None and _decimals_written(value) is not None
    at = f" (to {decimals} decimals)" if rounded else ""
    if quantity in ("ll_before", "ll_after"):
        ref = it.ll_after if quantity == "ll_after" else it.ll_before
        return _ok(name, f"{ref:.3f} is right{at}.")
    if shown is not None:
        return _ok(name, f"all {n * k} responsibilities are right{at}.")
    ref = {"N_k": it.nk, "pi": it.new_weights, "mu": it.new_means, "var": it.new_variances}[quantity]
    return _ok(name, f"{_fixed(ref, 3)} is right{at}.")


# ---------------------------------------------------------------------------------------------
# The M-step for spherical covariances, derived (notebook 09)
# ---------------------------------------------------------------------------------------------


def _spherical_slips(
    X: np.ndarray, resp: np.ndarray, old_means: np.ndarray | None
) -> list[tuple[np.ndarray, str]]:
    """σ_k² as the usual slips compute it, each with what went wrong."""
    n, d = X.shape
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    scatter = np.einsum("nk,nk->k", resp, ((X[:, None, :] - means[None]) ** 2).sum(axis=2))
    right = scatter / (d * nk)
    slips = []
    if d > 1:
        slips += [
            (
                scatter / nk,
                f"you left out 1/d: Σ_n γ_nk ‖x_n − μ_k‖² adds up the squares of all d = {d} coordinates, and σ_k² "
                f"is the variance of ONE coordinate (your number is the trace of Σ_k, d times too large).",
            ),
            (
                scatter / n,
                f"two slips: divide by d N_k, not by N = {n} (the number of points), and keep the 1/d.",
            ),
        ]
    slips.append(
        (
            scatter / (d * n),
            f"divide by d N_k (N_k = Σ_n γ_nk), not by d N with N = {n} the number of points.",
        )
    )
    if old_means is not None:
        old = np.einsum(
            "nk,nk->k", resp, ((X[:, None, :] - np.asarray(old_means, dtype=float)[None]) ** 2).sum(axis=2)
        )
        slips.append(
            (
                old / (d * nk),
                "you measured the spread around the OLD means (the ones the E-step used): the M-step finds the new "
                "μ_k first, and σ_k² is the spread around it (the old mean always gives a larger sum).",
            )
        )
        if d > 1:
            slips.append((old / nk, "two slips: the spread around the OLD means, and no 1/d."))
    slips += [
        (np.sqrt(right), "that is σ_k, the standard deviation: give the variance σ_k² (no square root)."),
        (
            right + 1e-6,
            "that is σ_k² + 1e-6, the default reg_covar of gmmviz.m_step: the derivation has none (reg_covar=0).",
        ),
        (scatter, "divide the weighted sum of squared distances by d N_k."),
    ]
    return slips


def _spherical_problem(
    value: Any,
    X: np.ndarray,
    resp: np.ndarray,
    old_means: np.ndarray | None,
    decimals: int | None,
    old_variances: np.ndarray | None = None,
) -> str | None:
    ref = _gm_m_step(X, resp, "spherical", reg_covar=0.0).covariances
    k, d = ref.size, X.shape[1]
    hints = {
        k * d: f"that is {k * d} numbers: one σ_k² per component, the average over the d = {d} coordinates."
    }
    arr = _as_float_array(value)
    if old_variances is not None and arr is not None and arr.size == k:
        old = np.asarray(old_variances, dtype=float).reshape(-1)
        if (
            old.size == k
            and np.allclose(arr.reshape(k), old, rtol=1e-8, atol=1e-8)
            and not np.allclose(old, ref)
        ):
            return (
                f"you returned the start's variances {_fixed(old, 3)}, the ones the E-step used: the M-step "
                f"computes new ones from the responsibilities, around the new μ_k."
            )
    problem = _vector_problem(
        value,
        ref,
        decimals,
        "σ_k²",
        "σ_k² = Σ_n γ_nk ‖x_n − μ_k‖² / (d N_k), around the new μ_k",
        _spherical_slips(X, resp, old_means),
        hints,
        swapped=False,
    )
    written = _decimals_written(value) if arr is not None else None
    if problem and decimals is not None:
        # "give more decimals" only for the right value rounded (to at least 1 decimal): not for a wrong value
        right_rounded = (
            written is not None
            and 1 <= written < decimals
            and arr.size == k
            and np.allclose(np.round(ref, written), arr.reshape(k), rtol=0.0, atol=1e-9)
        )
        if not right_rounded:
            problem = problem.replace(f" Give {decimals} decimals, as the exercise asks.", "")
    return problem


def check_spherical_variances(
    answer: Any,
    X: Any = None,
    resp: Any = None,
    old_means: Any = None,
    *,
    old_variances: Any = None,
    seed: int = 0,
    decimals: int | None = 3,
) -> CheckResult:
    """Check the M-step's variances for spherical covariances, Σ_k = σ_k² I.

    The right answer, derived by setting the derivative of the expected complete-data log-likelihood with
    respect to σ_k² to 0, is σ_k² = Σ_n γ_nk ‖x_n − μ_k‖² / (d N_k) with the new μ_k; it is compared with
    ``gmmviz.m_step(X, resp, covariance_type="spherical", reg_covar=0).covariances``.

    ``answer`` is either K numbers for the problem (``X``, ``resp``), or a function ``f(X, resp) -> (K,)``,
    which is run on (``X``, ``resp``) when given and on three seeded problems (d = 2, 1, 3). Recognised
    slips: no 1/d (the trace of Σ_k), dividing by N instead of N_k, the spread around the old means
    (``old_means``, the means the E-step used, when given), σ_k instead of σ_k², m_step's default
    ``reg_covar``, one variance per coordinate instead of one per component, and the start's own variances
    (``old_variances``, the σ_k² the E-step used, when given). A number written with at most 8 decimals
    passes within half a unit of its ``decimals``-th decimal; "give more decimals" is said only when the
    answer is the right value rounded.
    """
    name = "spherical σ_k²"
    if answer is None:
        return _todo(name, "the answer is None. Derive σ_k², compute it and run this cell again.")
    given = []
    if X is not None and resp is not None:
        Xa = np.asarray(X, dtype=float)
        Xa = Xa[:, None] if Xa.ndim == 1 else Xa
        given.append(
            (
                Xa,
                np.asarray(resp, dtype=float),
                None if old_means is None else np.asarray(old_means, dtype=float),
            )
        )
    if not callable(answer):
        if not given:
            return _fail(name, "pass the problem too: check_spherical_variances(sigma2, X, resp, old_means).")
        problem = _spherical_problem(answer, *given[0], decimals, old_variances)
        if problem:
            return _fail(name, problem)
        ref = _gm_m_step(given[0][0], given[0][1], "spherical", reg_covar=0.0).covariances
        rounded = decimals is not None and _decimals_written(answer) is not None
        return _ok(
            name,
            f"{_fixed(ref, 3)} matches m_step(..., covariance_type='spherical'){f' to {decimals} decimals' if rounded else ''}.",
        )
    fname = _fn_name(answer, "my_spherical_variances")
    problems = given + [(Xp, rp, None) for Xp, _, rp in _problems(seed)]
    for i, (Xp, rp, old) in enumerate(problems):
        where = _describe(Xp, rp.shape[1])
        out, exc = _call(answer, Xp.copy(), rp.copy())
        if exc is not None:
            build = (
                "X, resp = <the notebook's problem>"
                if i < len(given)
                else f"from gmmviz.exercises import _problems; X, _, resp = _problems(seed={seed})[{i - len(given)}]"
            )
            return _raised(name, exc, where, f"{build}; {fname}(X, resp)")
        if out is None:
            if i == 0:
                return _todo(name, "your function returned None. Fill in the TODO and run the check again.")
            return _fail(name, f"your function returned None on {where}.")
        problem = _spherical_problem(out, Xp, rp, old, None)  # code: checked tightly
        if problem:
            return _fail(name, f"{problem} [{where}]")
    return _ok(
        name, f"correct on {len(problems)} problems (matches m_step(..., covariance_type='spherical'))."
    )


# ---------------------------------------------------------------------------------------------
# "Now break it" (notebook 07): a collapse, a bad start, data that fool BIC
# ---------------------------------------------------------------------------------------------


def _quiet_fit(*args: Any, **kwargs: Any) -> tuple[Any, BaseException | None]:
    """fit_em(*args, **kwargs) with its warnings (empty components, 0/0) kept out of the notebook."""
    from .fit import fit_em

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fit_em(*args, **kwargs), None
        except ValueError as exc:
            return None, exc


def check_collapse(
    added: Any, X: Any, start: GMMParams, *, max_added: int = 3, threshold: float = 1e-4, max_iter: int = 200
) -> CheckResult:
    """Challenge: make a component collapse by adding at most ``max_added`` points to ``X``.

    EM runs from ``start`` with ``reg_covar=0`` and ``tol=0`` for ``max_iter`` iterations on ``X`` plus the
    learner's points. The target is met when a covariance becomes singular (EM stops with the error
    notebook 07 explains) or some component's smallest variance (eigenvalue of Σ_k) falls below
    ``threshold``. When missed, the message gives the smallest variance reached, where and when.
    """
    name = "collapse challenge"
    if added is None:
        return _todo(name, f"added is None. Give at most {max_added} points and run this cell again.")
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    d = X.shape[1]
    arr = _as_float_array(added)
    if arr is None or arr.dtype == object:
        return _fail(
            name, f"give the points as numbers, an array of shape (m, {d}), got {type(added).__name__}."
        )
    if arr.ndim == 1 and arr.size == d:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        return _fail(
            name, f"give the points as an array of shape (m, {d}): one row per point, got shape {arr.shape}."
        )
    m = arr.shape[0]
    if m == 0:
        return _fail(name, "add at least one point.")
    if m > max_added:
        return _fail(name, f"that is {m} points; the challenge allows at most {max_added}.")
    if not np.isfinite(arr).all():
        return _fail(name, "your points contain NaN or inf.")
    data = np.vstack([X, arr])
    k = start.n_components
    history, exc = _quiet_fit(
        data,
        k,
        params=start,
        covariance_type=start.covariance_type,
        reg_covar=0.0,
        tol=0.0,
        max_iter=max_iter,
    )
    if exc is not None:
        if "positive definite" in str(exc) or "singular" in str(exc):
            return _ok(
                name,
                f"with your {m} point{'s' if m > 1 else ''}, EM (reg_covar = 0) stopped: {exc} A component shrank onto "
                f"your points until its covariance was singular: ln p(X) → ∞ (notebook 07, section 3).",
            )
        return _fail(name, f"EM stopped with an error that is not a collapse: {exc}")
    smallest = np.array(
        [np.linalg.eigvalsh(p.full_covariances()).min(axis=1) for p in history.params]
    )  # (T+1, K)
    t, j = np.unravel_index(np.argmin(smallest), smallest.shape)
    value = smallest[t, j]
    nk = history.params[t].weights[j] * data.shape[0]
    if value < threshold:
        return _ok(
            name,
            f"component {component_number(j)} collapsed: its smallest variance fell to {value:.1e} (below "
            f"{threshold:g}) at iteration {t}, with N_k = {nk:.1f} points, and ln p(X) rose to "
            f"{history.log_likelihoods[t]:.1f}.",
        )
    return _fail(
        name,
        f"no collapse: in {max_iter} iterations the smallest variance of any component was {value:.3g} "
        f"(component {component_number(j)}, iteration {t}, N_k = {nk:.1f} points), not below {threshold:g}. "
        f"A component collapses when it can keep a few points to itself: put your points exactly on top of "
        f"each other, where one component can own them alone (near a starting mean, away from the other points).",
    )


#: ln p(X) of fit_best(X, K) by (shape, hash of the data, K), so that repeated checks on one data set fit it once.
_BEST_OF_STARTS: dict[tuple[Any, int, int], float] = {}

#: check_bad_start: iterations EM goes on without a stopping rule after tol=1e-6 stopped it, and the rise in
#: ln p(X) over them that marks a plateau (notebook 07: seed 54 of the stripes jumps by 3.6 after ~740 of them).
_SETTLE_ITER = 1000
_SETTLE_RISE = 0.1
#: check_bad_start: means closer than this many standard deviations of the data count as equal.
_EQUAL_MEANS = 0.05
#: check_bad_start: a component with fewer points than this after the first E-step (N_k) is refused as empty.
_MIN_START_NK = 1.0


def _fit_showing_empty(*args: Any, **kwargs: Any) -> tuple[Any, BaseException | None, str]:
    """fit_em(*args, **kwargs) as :func:`_quiet_fit`, but the text of an EmptyComponentWarning, if one
    was raised, is returned (third value, "" if none) to be shown, not hidden."""
    from .em import EmptyComponentWarning
    from .fit import fit_em

    history, exc = None, None
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
        warnings.simplefilter("always")  # (recorded here, none printed in the notebook)
        try:
            history = fit_em(*args, **kwargs)
        except ValueError as err:
            exc = err
    empty = [str(w.message) for w in caught if issubclass(w.category, EmptyComponentWarning)]
    return history, exc, (empty[0] if empty else "")


def check_bad_start(means: Any, X: Any, *, n_components: int | None = None, gap: float = 20.0) -> CheckResult:
    """Challenge: starting means from which EM ends at least ``gap`` below the best of several starts.

    EM runs from ``init_params(X, K, means=means)`` (π_k = 1/K, Σ_k = I) with ``tol=1e-6`` and at most 1000
    iterations; the best is that of :func:`gmmviz.fit.fit_best` (ten starts) or the learner's run, whichever
    is higher. A small ``tol`` alone does not rule out a plateau (notebook 07, seed 54), so a run that ends
    ``gap`` below the best then goes on for 1000 iterations without a stopping rule (``tol=0``), and fails if
    ln p(X) still rises by more than 0.1. Means that are equal, or closer than 0.05 standard deviations of
    the data, pass only with a note: identical components stay identical (a saddle point, not a trap). A
    start that leaves a component with less than one point after the first E-step (a mean far from every
    point), or a run that empties a component on the way (its EmptyComponentWarning is shown in the
    message), fails: that is a fit of fewer components, not a trap. When missed, the message gives both
    ln p(X) and the shortfall.
    """
    from .em import init_params

    name = "bad-start challenge"
    if means is None:
        return _todo(name, "means is None. Choose the starting means and run this cell again.")
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    d = X.shape[1]
    arr = _as_float_array(means)
    if arr is None or arr.dtype == object:
        return _fail(
            name, f"give the means as numbers, an array of shape (K, {d}), got {type(means).__name__}."
        )
    if d == 1 and arr.ndim == 1:
        arr = arr[:, None]
    k = arr.shape[0] if arr.ndim == 2 else None
    if arr.ndim != 2 or arr.shape[1] != d or (n_components is not None and k != n_components):
        want = f"({n_components}, {d})" if n_components is not None else f"(K, {d})"
        return _fail(name, f"give one mean per component, an array of shape {want}, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        return _fail(name, "your means contain NaN or inf.")
    start = init_params(X, k, means=arr)
    # A mean far from every point gets no share of them: its component is empty from the first E-step,
    # and EM fits K - 1 components. That ends below the best for the wrong reason: refuse it, and say why.
    nk_start = _gm_e_step(X, start)[0].sum(axis=0)  # N_k after the first E-step
    if k > 1 and nk_start.min() < _MIN_START_NK:
        j = int(np.argmin(nk_start))
        return _fail(
            name,
            f"component {component_number(j)} has no points at the start: move its mean near the data. "
            f"(Its first E-step gives it N_k = {nk_start[j]:.2g}, less than one point: EM then fits fewer "
            f"components than your {k} and ends below the best for that reason, not because of a trap.)",
        )
    run, exc, emptied = _fit_showing_empty(X, k, params=start, tol=1e-6, max_iter=1000)
    if exc is not None:
        return _fail(name, f"EM failed from your start: {exc}")
    if emptied:  # (shown, not hidden: a component emptied on the way makes a fit of fewer components)
        return _fail(
            name,
            f"EM from your means lost a component on the way: {emptied} A fit with fewer than {k} "
            f"components is not a trap of EM: start every mean near the data.",
        )
    key = (X.shape, hash(X.tobytes()), k)
    if key not in _BEST_OF_STARTS:  # a learner tries several starts on the same data: fit the best once
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            _BEST_OF_STARTS[key] = float(fit_best(X, k).log_likelihoods[-1])
    best = _BEST_OF_STARTS[key]
    mine = float(run.log_likelihoods[-1])
    best = max(float(best), mine)
    short = best - mine
    where = f"EM from your means ended at ln p(X) = {mine:.1f} after {run.n_iter} iterations"
    if not run.converged:
        return _fail(
            name,
            f"{where} but was still climbing (it had not converged): a slow stretch is not an end. Try another start.",
        )
    if short >= gap:
        identical = bool(np.all(arr == arr[0]))  # exactly equal components stay equal: nothing to continue
        if not identical:
            more, exc = _quiet_fit(X, k, params=run.final, tol=0.0, max_iter=_SETTLE_ITER)
            if exc is None and more.log_likelihoods[-1] - mine > _SETTLE_RISE:
                return _fail(
                    name,
                    f"{where} (tol = 1e-6), but that was a plateau, not an end: {_SETTLE_ITER} iterations "
                    f"more without a stopping rule took it to {more.log_likelihoods[-1]:.1f}. Try another start.",
                )
        scale = float(np.sqrt(np.mean(np.var(X, axis=0))))
        gaps = np.linalg.norm(arr[:, None, :] - arr[None, :, :], axis=2)[np.triu_indices(k, 1)]
        note = ""
        if k > 1 and gaps.min() < _EQUAL_MEANS * scale:
            why = (
                "all equal: identical components stay identical, so EM sits on a saddle point for ever"
                if identical
                else f"nearly equal (two are {gaps.min():.2g} apart): nearly identical components start next to "
                "a saddle point and separate only very slowly"
            )
            note = f" (Your means are {why}. Can you do it with clearly different means?)"
        return _ok(name, f"{where}, {short:.1f} below the best of several starts ({best:.1f}).{note}")
    return _fail(
        name,
        f"{where}, only {short:.1f} below the best of several starts ({best:.1f}); the target is at least "
        f"{gap:g} below. EM only climbs: start it so that reaching the best would take a component across a gap "
        f"between groups, e.g. all the means spread along one outer group, so that the one nearest the other "
        f"groups has to cover all of them.",
    )


def check_bic_fooled(
    weights: Any,
    means: Any,
    covariances: Any,
    n_points: Any,
    seed: Any,
    *,
    covariance_type: str = "full",
    candidates: Any = range(1, 7),
) -> CheckResult:
    """Challenge: a 2-D Gaussian mixture whose sample makes BIC pick a K other than the mixture's own.

    The learner gives the generating mixture (``weights`` π_k, ``means`` μ_k of shape (K, 2), ``covariances``
    Σ_k of shape (K, 2, 2)), ``n_points`` (10 to 3000) and a ``seed``; the check draws the data itself, as
    :func:`gmmviz.datasets.make_dataset` does: ``rng = np.random.default_rng(seed)``, labels
    ``rng.choice(K, n_points, p=weights)``, then x = μ_k + L_k z with L_k L_kᵀ = Σ_k and z standard normal.
    So K is the number of components given, not a claim. Two identical components, or a component that
    draws no point, are refused (the data would then come from fewer components). BIC is computed as in
    :func:`check_best_k`, from ``fit_best(X, K)`` for every K in ``candidates``; a K whose every start ends
    degenerate is skipped, and the mixture's own K must be fitted. When missed, the message gives BIC for
    that K and for the runner-up.
    """
    name = "BIC challenge"
    given = {
        "weights": weights,
        "means": means,
        "covariances": covariances,
        "n_points": n_points,
        "seed": seed,
    }
    for what, value in given.items():
        if value is None:
            return _todo(
                name,
                f"{what} is None. Give the mixture, the number of points and a seed, and run this cell again.",
            )
    candidates = tuple(int(k) for k in candidates)
    w, m, c = (_as_float_array(v) for v in (weights, means, covariances))
    if any(a is None or a.dtype == object for a in (w, m, c)):
        return _fail(name, "weights, means and covariances must be numbers (lists or arrays).")
    w = w.reshape(-1)
    k = w.size
    if k not in candidates:
        return _fail(
            name, f"give between {candidates[0]} and {candidates[-1]} components; your weights have {k}."
        )
    if m.shape != (k, 2):
        return _fail(
            name, f"means must have shape (K, 2) = ({k}, 2), one 2-D mean per weight; got shape {m.shape}."
        )
    if c.shape != (k, 2, 2):
        return _fail(name, f"covariances must have shape (K, 2, 2) = ({k}, 2, 2); got shape {c.shape}.")
    if not (np.isfinite(w).all() and np.isfinite(m).all() and np.isfinite(c).all()):
        return _fail(name, "the mixture contains NaN or inf.")
    if (w <= 0).any() or abs(w.sum() - 1.0) > 1e-6:
        return _fail(
            name,
            f"the weights must be positive and sum to 1; they sum to {w.sum():.6g} (smallest {w.min():.3g}).",
        )
    for j in range(k):
        if not np.allclose(c[j], c[j].T) or np.linalg.eigvalsh(c[j]).min() <= 0:
            return _fail(
                name, f"Σ_{component_number(j)} must be symmetric and positive definite, got {_fmt(c[j])}."
            )
    for j in range(k):
        for i in range(j + 1, k):
            if np.allclose(m[j], m[i]) and np.allclose(c[j], c[i]):
                return _fail(
                    name,
                    f"components {component_number(j)} and {component_number(i)} are the same Gaussian, so your "
                    f"mixture has only {k - 1} different components: BIC would be right to see fewer.",
                )
    n = _whole(n_points)
    if n is None or not 10 <= n <= 3000:
        return _fail(
            name,
            f"n_points must be a whole number between 10 and 3000 (to keep the check quick), got {_plain(n_points)}.",
        )
    s = _whole(seed)
    if s is None or s < 0:
        return _fail(name, f"seed must be a whole number, 0 or more, got {_plain(seed)}.")
    rng = np.random.default_rng(s)
    labels = rng.choice(k, size=n, p=w / w.sum())
    z = rng.standard_normal((n, 2))
    arr = m[labels] + np.einsum("nij,nj->ni", np.linalg.cholesky(c)[labels], z)
    counts = np.bincount(labels, minlength=k)
    drawn = ", ".join(str(int(v)) for v in counts)
    if (counts == 0).any():
        j = int(np.argmin(counts))
        return _fail(
            name,
            f"with seed {s}, component {component_number(j)} drew no point of the {n} (points per component: "
            f"{drawn}): the data come from fewer than {k} components. Raise its weight or n_points.",
        )
    bics = {}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for kk in candidates:
            try:
                bics[kk] = bic(arr, fit_best(arr, kk, covariance_type=covariance_type).final)
            except ValueError:  # every start degenerate, or K above the number of distinct points
                continue
    table = ", ".join(f"K={kk}: {v:.1f}" for kk, v in bics.items())
    if k not in bics:
        return _fail(
            name,
            f"K = {k}, your mixture's, could not be fitted on the {n} points drawn (every start ended degenerate), "
            f"so BIC cannot judge it: use more points. [{table}]",
        )
    chosen = min(bics, key=bics.get)
    if chosen != k:
        why = (
            "the extra components' penalty p ln N outweighed what they gain in 2 ln p(X)"
            if chosen < k
            else "by chance this sample's own structure gained more in 2 ln p(X) than the extra components' penalty "
            "p ln N"
        )
        return _ok(
            name,
            f"from your {k}-component mixture ({n} points, per component {drawn}), BIC picks K = {chosen} "
            f"(BIC {bics[chosen]:.1f}), not K = {k} (BIC {bics[k]:.1f}, {bics[k] - bics[chosen]:.1f} higher): "
            f"{why}. [{table}]",
        )
    runner = min((kk for kk in bics if kk != chosen), key=bics.get, default=None)
    margin = (
        ""
        if runner is None
        else f"; the runner-up, K = {runner}, has BIC {bics[runner]:.1f} ({bics[runner] - bics[chosen]:.1f} higher)"
    )
    return _fail(
        name,
        f"BIC picks K = {k}, your mixture's K (BIC {bics[k]:.1f}{margin}; {n} points, per component {drawn}). To "
        f"fool it: fewer points, or components that overlap more or carry little weight (the penalty p ln N then "
        f"outweighs the gain in 2 ln p(X)). [{table}]",
    )
