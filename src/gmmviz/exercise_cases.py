"""The cases notebook 09's exercises are checked on: one source for the self-paced checkers and the graded
assignment.

Notebook 09 asks for three functions: an E-step ``my_e_step(X, params) -> (resp, log_likelihood)``, an
M-step ``my_m_step(X, resp, reg_covar=1e-6) -> (weights, means, covariances)`` and a stopping rule
``my_converged(ll_previous, ll_current, n, tol) -> bool``. Two paths check them, on the cases of this
module:

* **self-paced** (notebook 09): :func:`gmmviz.exercises.check_e_step` and ``check_m_step`` run on
  :func:`problems` and :func:`far_problem` (seed 0) with :data:`CHECK_REG_COVAR`, and answer with a hint
  (``check_converged`` on its own cases, in :mod:`gmmviz.exercises`);
* **graded** (``assignments/em_assignment.ipynb``, built by ``make assignments`` with otter-grader): its
  public tests are those same checkers; its hidden tests call the ``assert_*`` functions below, on the same
  problem generators with a seed that only the autograder holds. Each ``assert_*`` aims at one
  misconception of :data:`MISCONCEPTIONS`, and its message names the misconception and the fix.

Each misconception comes with a seeded wrong submission (``Misconception.wrong``): a plausible function
that has exactly that slip and is otherwise right. ``tests/test_teach.py`` grades them to show that each
hidden test catches its misconception and that the reference solutions pass.

This module does not import otter: the course imports it, and a learner's ``make lab`` needs no grader.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from . import GMMParams
from . import e_step as _gm_e_step
from . import m_step as _gm_m_step

#: reg_covar passed to the learner's m_step by the checks (large enough to see when it is forgotten).
CHECK_REG_COVAR = 1e-3


# ---------------------------------------------------------------------------------------------
# Test problems (small, seeded, with n != K so a transposed answer is recognisable)
# ---------------------------------------------------------------------------------------------


def random_params(rng: np.random.Generator, k: int, d: int, spread: float = 2.0) -> GMMParams:
    """Random full-covariance parameters: Dirichlet(3) weights, means N(0, spread²), Σ_k ≥ 0.4 I."""
    weights = rng.dirichlet(np.full(k, 3.0))
    means = rng.normal(0.0, spread, size=(k, d))
    covs = np.empty((k, d, d))
    for j in range(k):
        a = rng.normal(size=(d, d))
        covs[j] = 0.5 * (a @ a.T) / d + 0.4 * np.eye(d)
    return GMMParams(weights, means, covs, "full")


def problems(seed: int) -> list[tuple[np.ndarray, GMMParams, np.ndarray]]:
    """(X, params, resp) triples: 2-D with K=3, 1-D with K=2, 3-D with K=4."""
    out = []
    rng = np.random.default_rng(seed)
    for n, d, k in ((10, 2, 3), (7, 1, 2), (20, 3, 4)):
        params = random_params(rng, k, d)
        labels = rng.choice(k, size=n, p=params.weights)
        labels[:k] = np.arange(k)  # every component owns at least one point
        X = params.means[labels] + rng.normal(size=(n, d)) @ np.linalg.cholesky(params.covariances[0]).T
        resp = rng.dirichlet(np.full(k, 0.7), size=n)
        out.append((X, params, resp))
    return out


def far_problem(seed: int) -> tuple[np.ndarray, GMMParams]:
    """A 2-D, K=3 problem whose last point lies far from every component.

    Its every π_k N(x_n | μ_k, Σ_k) is below 1e-1000, far under the smallest float64 (about
    1e-308): exponentiating first underflows to 0 and γ becomes 0/0. Only a log-space E-step
    (log-sum-exp) gets it right.
    """
    rng = np.random.default_rng(seed + 1000)
    params = random_params(rng, 3, 2)
    X = params.means[rng.choice(3, size=8)] + rng.normal(size=(8, 2))
    far = params.means.mean(axis=0) + np.array([80.0, -60.0])
    return np.vstack([X, far]), params


def describe(X: np.ndarray, k: int) -> str:
    """How a message names a test problem: its n, d and K."""
    n, d = X.shape
    return f"a test problem with n={n} points, d={d}, K={k}"


def soft_responsibilities(seed: int, n: int, k: int) -> np.ndarray:
    """Responsibilities that are clearly soft, yet whose row-wise largest entry gives every component points.

    γ = 0.6 · (one-hot of a balanced labelling) + 0.4 · Dirichlet(1): the largest γ of a row is between
    0.6 and 1.0 and sits in the labelled column, so hard labels (``argmax``) leave no component empty.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % k)
    return 0.6 * np.eye(k)[labels] + 0.4 * rng.dirichlet(np.ones(k), size=n)


def hard_responsibilities(seed: int, n: int, k: int) -> np.ndarray:
    """One-hot responsibilities of a balanced labelling: every component owns at least n // K ≥ 2 points."""
    rng = np.random.default_rng(seed)
    return np.eye(k)[rng.permutation(np.arange(n) % k)]


def scale_cases(seed: int) -> list[tuple[float, float, int, float, bool]]:
    """(ll_previous, ll_current, n, tol, converged?) cases where only the per-point scale gives the answer.

    Large n with a small gain per point (converged, though the total gain is far above tol); n = 1 with a
    gain above tol that is tiny next to |ln p(X)| (not converged, though the relative change is below
    tol); a medium n with a gain per point just below tol (converged).
    """
    rng = np.random.default_rng(seed)
    tol = 1e-3
    out = []
    n = int(rng.integers(20_000, 200_000))
    ll = -n * float(rng.uniform(1.0, 3.0))
    out.append((ll, ll + tol * float(rng.uniform(0.2, 0.8)) * n, n, tol, True))
    ll = -float(rng.uniform(200.0, 800.0))
    out.append((ll, ll + tol * float(rng.uniform(2.0, 5.0)), 1, tol, False))
    n = int(rng.integers(500, 5_000))
    ll = -n * float(rng.uniform(1.0, 3.0))
    out.append((ll, ll + tol * float(rng.uniform(0.5, 0.9)) * n, n, tol, True))
    return [(round(a, 6), round(b, 6), m, t, w) for a, b, m, t, w in out]


# ---------------------------------------------------------------------------------------------
# Calling the learner's function: every problem becomes an AssertionError with a message
# ---------------------------------------------------------------------------------------------


def _close(a: np.ndarray, b: np.ndarray, tol: float = 1e-8) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol, atol=tol))


def _fmt(a: Any) -> str:
    return np.array2string(np.asarray(a, dtype=float), precision=3, suppress_small=True, separator=", ")


def _call(fn: Any, name: str, args: tuple, where: str) -> Any:
    """``fn(*args)``, its numerical warnings quiet; a missing function, an exception or None fails."""
    if fn is None:
        raise AssertionError(
            f"{name} is not defined: keep the name the notebook gives the function, and run its cell."
        )
    if not callable(fn):
        raise AssertionError(f"{name} should be a function, not a {type(fn).__name__}.")
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            out = fn(*args)
        except NotImplementedError as exc:
            raise AssertionError(f"{name} raises NotImplementedError: {exc}") from None
        except Exception as exc:  # the learner's bug becomes a message, not a traceback
            raise AssertionError(
                f"{name} raised {type(exc).__name__}: {exc} (on {where}). Run it on such an input "
                f"yourself to see the traceback."
            ) from None
    if out is None:
        raise AssertionError(f"{name} returned None on {where}: return the answer (see the question).")
    return out


def _float_array(value: Any, what: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} must be numbers, got {type(value).__name__}.") from None


def _run_e_step(e_step: Any, X: np.ndarray, params: GMMParams, where: str) -> tuple[np.ndarray, Any]:
    """The learner's (resp, log_likelihood), resp checked for shape only (it may hold NaN)."""
    out = _call(e_step, "my_e_step", (X.copy(), params), where)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise AssertionError(
            f"my_e_step must return a pair, `return resp, log_likelihood`; got a {type(out).__name__}."
        )
    resp = _float_array(out[0], "resp (the first value returned)")
    n, k = X.shape[0], params.n_components
    if resp.shape != (n, k):
        hint = " It looks transposed: one row per point (use resp.T)." if resp.shape == (k, n) else ""
        raise AssertionError(f"resp has shape {resp.shape}, expected (n, K) = ({n}, {k}) on {where}.{hint}")
    return resp, out[1]


def _scalar(value: Any, where: str) -> float:
    arr = _float_array(value, "log_likelihood (the second value returned)")
    if arr.size != 1:
        raise AssertionError(
            f"log_likelihood must be one number, got an array of shape {arr.shape} on {where}: "
            f"ln p(X) = Σ_n ln p(x_n) adds the points up."
        )
    return float(arr.reshape(()))


def _run_m_step(
    m_step: Any, X: np.ndarray, resp: np.ndarray, reg_covar: float, where: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The learner's (weights, means, covariances) as float arrays of shapes (K,), (K, d), (K, d, d)."""
    out = _call(m_step, "my_m_step", (X.copy(), resp.copy(), reg_covar), where)
    if all(hasattr(out, a) for a in ("weights", "means", "covariances")):
        out = (out.weights, out.means, out.covariances)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        raise AssertionError(
            "my_m_step must return three arrays, `return weights, means, covariances` (or a GMMParams)."
        )
    d, k = X.shape[1], resp.shape[1]
    shapes = {"weights": (k,), "means": (k, d), "covariances": (k, d, d)}
    arrays = []
    for (what, shape), value in zip(shapes.items(), out):
        arr = _float_array(value, what)
        if arr.shape != shape and arr.size == int(np.prod(shape)) and d == 1:
            arr = arr.reshape(shape)  # 1-D data: (K,) means or covariances are fine
        if arr.shape != shape:
            raise AssertionError(f"{what} has shape {arr.shape}, expected {shape} on {where}.")
        arrays.append(arr)
    return arrays[0], arrays[1], arrays[2]


# ---------------------------------------------------------------------------------------------
# The hidden tests: one per misconception
# ---------------------------------------------------------------------------------------------

UNDERFLOW = (
    "your E-step underflows on a point far from every component: there every π_k N(x_n | μ_k, Σ_k) is "
    "below e^-1000, far under the smallest float64 (about 1e-308), so computing the densities first gives "
    "0 and γ = 0/0 (NaN); adding a small ε instead only hides it (γ comes out uniform, and wrong). Fix: "
    "stay in logs, a_nk = ln π_k + multivariate_normal(μ_k, Σ_k).logpdf(X), ln T_n = logsumexp(a, axis=1), "
    "γ_nk = exp(a_nk − ln T_n), ln p(X) = Σ_n ln T_n."
)
AVERAGED = (
    "ln p(X) is averaged instead of summed: you returned the mean of ln p(x_n) over the points, but "
    "ln p(X) = Σ_n ln p(x_n), the log of a product of independent points, is their sum (N times the mean). "
    "Fix: log_T.sum(), not log_T.mean()."
)
WRONG_AXIS = (
    "the responsibilities are normalised over the wrong axis: each COLUMN of γ sums to 1 (you divided by a "
    "sum over points), but each point shares itself among the components, so each ROW must sum to 1. "
    "Fix: ln T_n = logsumexp(a, axis=1) (one value per point), γ = exp(a − ln T_n[:, None])."
)
DIVIDED_BY_N = (
    "Σ_k is divided by the number of points N instead of N_k = Σ_n γ_nk: each covariance comes out "
    "N_k / N times too small (N belongs in π_k = N_k / N only). Fix: Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ "
    "/ N_k + reg_covar · I."
)
NO_REG_COVAR = (
    "reg_covar is not used: the covariances come out the same whatever reg_covar the M-step is given "
    "(forgotten, or a number written in its place). reg_covar · I keeps every Σ_k invertible when a "
    "component collapses onto a few points (notebook 07). Fix: add reg_covar * np.eye(d) to every Σ_k, "
    "with the argument, not a constant."
)
HARD_LABELS = (
    "the M-step uses hard labels (each point given wholly to its most likely component, resp.argmax): "
    "EM's M-step weighs every point by its responsibilities, so a point shared 60/40 counts 0.6 in one "
    "component and 0.4 in the other. Fix: N_k = resp.sum(axis=0), π_k = N_k / N, μ_k = resp.T @ X / N_k, "
    "Σ_k weighted by resp[:, k], with the responsibilities as they are."
)
WRONG_SCALE = (
    "the stopping rule is on the wrong scale: EM stops when the change of ln p(X) PER POINT, "
    "|ln p(X)_t − ln p(X)_(t−1)| / N, is below tol. The total change grows with N (the same tol would mean "
    "something else for 100 and for 100 000 points), and a change relative to |ln p(X)| depends on where "
    "ln p(X) happens to be. Fix: return abs(ll_current - ll_previous) / n < tol."
)


def assert_e_step_far_point(my_e_step: Callable, seed: int) -> None:
    """γ right and ln p(X) finite on a problem with one point far from every component (an E-step that underflows)."""
    X, params = far_problem(seed)
    where = describe(X, params.n_components) + " and one point far from every component (the last)"
    resp, ll = _run_e_step(my_e_step, X, params, where)
    ref_resp, _ = _gm_e_step(X, params)
    # ln p(X) must be finite here; its value is test_log_likelihood_is_a_sum's business
    ll_finite = bool(np.isfinite(_float_array(ll, "log_likelihood")).all())
    if _close(resp, ref_resp) and ll_finite:
        return
    far = X.shape[0] - 1
    if bool(np.isfinite(resp[:far]).all()) and _close(resp[:far], ref_resp[:far]):
        raise AssertionError(
            f"{UNDERFLOW} [on {where}: your γ of the far point is {_fmt(resp[far])}, expected "
            f"{_fmt(ref_resp[far])}; your ln p(X) is {_fmt(ll)}]"
        )
    raise AssertionError(
        f"γ is wrong on the ordinary points of {where} already, so this test cannot tell whether your E-step "
        f"survives the far point: fix what q1's other tests report first."
    )


def assert_e_step_sums(my_e_step: Callable, seed: int) -> None:
    """ln p(X) is the sum of ln p(x_n) over the points (not their mean)."""
    for X, params, _ in problems(seed):
        where = describe(X, params.n_components)
        _, ll = _run_e_step(my_e_step, X, params, where)
        per_point = np.atleast_1d(_float_array(ll, "log_likelihood"))
        ref_ll = float(_gm_e_step(X, params)[1])
        n = X.shape[0]
        if per_point.size == n and per_point.size > 1:
            raise AssertionError(
                f"you returned one ln p(x_n) per point (shape {per_point.shape}); ln p(X) is one number, "
                f"their sum: use .sum(). [on {where}]"
            )
        v = _scalar(ll, where)
        tol = 1e-6 * max(1.0, abs(ref_ll))
        if abs(v - ref_ll) <= tol:
            continue
        if abs(v - ref_ll / n) <= tol / n + 1e-9:
            raise AssertionError(f"{AVERAGED} [on {where}: you returned {v:.4f}, expected {ref_ll:.4f}]")
        raise AssertionError(
            f"ln p(X) should be {ref_ll:.4f}, got {v:.4f} [on {where}]: ln p(X) = Σ_n ln Σ_k π_k "
            f"N(x_n | μ_k, Σ_k), computed as logsumexp(a, axis=1).sum()."
        )


def assert_e_step_axis(my_e_step: Callable, seed: int) -> None:
    """γ right on ordinary problems: each row (point) sums to 1 over the components."""
    for X, params, _ in problems(seed):
        where = describe(X, params.n_components)
        resp, _ = _run_e_step(my_e_step, X, params, where)
        ref, _ = _gm_e_step(X, params)
        if _close(resp, ref):
            continue
        if not np.isfinite(resp).all():
            raise AssertionError(
                f"γ contains NaN or inf on {where}, a problem with no far point: look for a division by "
                f"0 or a log of 0. γ_nk = exp(a_nk − logsumexp_j a_nj)."
            )
        rows, cols = resp.sum(axis=1), resp.sum(axis=0)
        if np.allclose(cols, 1.0, atol=1e-6) and not np.allclose(rows, 1.0, atol=1e-6):
            raise AssertionError(f"{WRONG_AXIS} [on {where}: your row sums are {_fmt(rows)}]")
        if not np.allclose(rows, 1.0, atol=1e-6):
            r = int(np.argmax(np.abs(rows - 1.0)))
            raise AssertionError(
                f"rows of γ must sum to 1; row {r} sums to {rows[r]:.4g} [on {where}]. Divide each row by "
                f"T_n = Σ_k π_k N(x_n | μ_k, Σ_k) (in logs: subtract logsumexp(a, axis=1))."
            )
        err = np.abs(resp - ref)
        r, c = np.unravel_index(np.argmax(err), err.shape)
        raise AssertionError(
            f"γ differs from the right responsibilities by up to {err[r, c]:.3g} (row {r}, column {c}: got "
            f"{resp[r, c]:.4f}, expected {ref[r, c]:.4f}) [on {where}]. γ_nk = π_k N(x_n | μ_k, Σ_k) / "
            f"Σ_j π_j N(x_n | μ_j, Σ_j): the weights π_k belong in the numerator."
        )


def assert_m_step_divides_by_nk(my_m_step: Callable, seed: int) -> None:
    """Σ_k is the weighted scatter divided by N_k, not by N (hard responsibilities, the default reg_covar)."""
    for i, (X, _, resp) in enumerate(problems(seed)):
        n, k = resp.shape
        hard = hard_responsibilities(seed + i, n, k)
        where = describe(X, k) + " and one-hot responsibilities"
        _, _, covs = _run_m_step(my_m_step, X, hard, 1e-6, where)
        ref = _gm_m_step(X, hard, "full", reg_covar=1e-6).covariances
        # 1e-5: a constant 1e-6 written for reg_covar is another test's business
        if np.allclose(covs, ref, rtol=1e-6, atol=1e-5):
            continue
        nk = hard.sum(axis=0)
        scaled = (ref - 1e-6 * np.eye(X.shape[1])) * (nk / n)[:, None, None]
        if np.allclose(covs, scaled, rtol=1e-6, atol=1e-5):
            raise AssertionError(f"{DIVIDED_BY_N} [on {where}: N = {n}, N_k = {_fmt(nk)}]")
        if np.allclose(covs, scaled * n, rtol=1e-6, atol=1e-5):
            raise AssertionError(
                f"Σ_k is not divided by N_k at all [on {where}]: Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k."
            )
        j = int(np.argmax(np.abs(covs - ref).reshape(k, -1).max(axis=1)))
        raise AssertionError(
            f"Σ_{j + 1} is {_fmt(covs[j])}, expected {_fmt(ref[j])} [on {where}]: Σ_k = Σ_n γ_nk (x_n − μ_k)"
            f"(x_n − μ_k)ᵀ / N_k + reg_covar · I, around the NEW mean μ_k."
        )


def assert_m_step_reg_covar(my_m_step: Callable, seed: int) -> None:
    """Σ_k grows by exactly (b − a) · I when reg_covar goes from a to b (reg_covar forgotten or hard-coded)."""
    a, b = CHECK_REG_COVAR, 0.05
    for i, (X, _, resp) in enumerate(problems(seed)):
        (n, k), d = resp.shape, X.shape[1]
        resp = soft_responsibilities(seed + 10 + i, n, k)  # argmax leaves no component empty
        where = describe(X, k)
        covs_a = _run_m_step(my_m_step, X, resp, a, where)[2]
        covs_b = _run_m_step(my_m_step, X, resp, b, where)[2]
        diff = covs_b - covs_a
        want = np.broadcast_to((b - a) * np.eye(d), diff.shape)
        if np.allclose(diff, want, rtol=1e-6, atol=1e-9):
            continue
        if np.allclose(diff, 0.0, atol=1e-9):
            raise AssertionError(
                f"{NO_REG_COVAR} [on {where}: Σ_k did not change from reg_covar={a:g} to reg_covar={b:g}]"
            )
        if np.allclose(diff, b - a, rtol=1e-6, atol=1e-9):
            raise AssertionError(
                f"reg_covar is added to every entry of Σ_k; add it to the diagonal only: reg_covar * "
                f"np.eye(d) [on {where}]."
            )
        raise AssertionError(
            f"from reg_covar={a:g} to reg_covar={b:g}, Σ_k should grow by {b - a:g} · I, but grew by "
            f"{_fmt(diff[0])} (component 1) [on {where}]: add reg_covar * np.eye(d) to each Σ_k, once."
        )


def assert_m_step_soft(my_m_step: Callable, seed: int) -> None:
    """π_k and μ_k weigh every point by γ_nk (an M-step on hard labels fails)."""
    for i, (X, _, resp) in enumerate(problems(seed)):
        n, k = resp.shape
        soft = soft_responsibilities(seed + i, n, k)
        where = describe(X, k) + " and soft responsibilities"
        weights, means, _ = _run_m_step(my_m_step, X, soft, CHECK_REG_COVAR, where)
        ref = _gm_m_step(X, soft, "full", reg_covar=CHECK_REG_COVAR)
        if _close(weights, ref.weights, 1e-6) and _close(means, ref.means, 1e-6):
            continue
        hard = _gm_m_step(X, np.eye(k)[soft.argmax(axis=1)], "full", reg_covar=CHECK_REG_COVAR)
        if _close(weights, hard.weights, 1e-6) or _close(means, hard.means, 1e-6):
            raise AssertionError(
                f"{HARD_LABELS} [on {where}: your π = {_fmt(weights)}, the soft M-step's π = "
                f"{_fmt(ref.weights)}]"
            )
        nk = soft.sum(axis=0)
        if not _close(weights, ref.weights, 1e-6):
            raise AssertionError(
                f"π = {_fmt(weights)}, expected {_fmt(ref.weights)} [on {where}]: π_k = N_k / N with N_k = "
                f"Σ_n γ_nk = {_fmt(nk)}."
            )
        raise AssertionError(
            f"μ = {_fmt(means)}, expected {_fmt(ref.means)} [on {where}]: μ_k = Σ_n γ_nk x_n / N_k "
            f"(resp.T @ X / N_k[:, None])."
        )


def assert_converged_scale(my_converged: Callable, seed: int) -> None:
    """The stopping rule compares the change PER POINT with tol (not the total, not a relative change)."""
    cases = scale_cases(seed)
    answers = []
    for before, after, n, tol, _ in cases:
        where = f"ll_previous={before}, ll_current={after}, n={n}, tol={tol}"
        out = _call(my_converged, "my_converged", (before, after, n, tol), where)
        if not isinstance(out, (bool, np.bool_)):
            raise AssertionError(
                f"my_converged must return True or False (a comparison), got {out!r} for {where}."
            )
        answers.append(bool(out))
    wrong = [(case, got) for case, got in zip(cases, answers) if got != case[4]]
    if not wrong:
        return
    (before, after, n, tol, want), got = wrong[0]
    per_point = abs(after - before) / n
    detail = (
        f"for ll_previous={before}, ll_current={after}, n={n}, tol={tol} you returned {got}; the change per "
        f"point is {per_point:.2g}, {'below' if want else 'above'} tol, so the answer is {want}"
    )
    total = [abs(a - b) < t for b, a, _, t, _ in cases]
    relative = [abs(a - b) / abs(b) < t for b, a, _, t, _ in cases]
    if answers == total:
        detail += " (you compared the TOTAL change with tol)"
    elif answers == relative:
        detail += " (you compared the change RELATIVE to |ln p(X)| with tol)"
    raise AssertionError(f"{WRONG_SCALE} [{detail}]")


# ---------------------------------------------------------------------------------------------
# The seeded wrong submissions: each has one misconception and is otherwise right
# ---------------------------------------------------------------------------------------------


def e_step_underflows(X, params):
    """Densities first, then normalised: right on ordinary points, 0/0 on a far one."""
    dens = np.column_stack(
        [
            w * multivariate_normal(m, c).pdf(X).reshape(-1)
            for w, m, c in zip(params.weights, params.means, params.covariances)
        ]
    )
    total = dens.sum(axis=1)
    return dens / total[:, None], np.log(total).sum()


def e_step_averages(X, params):
    """Log space, γ right, but ln p(X) averaged over the points."""
    a = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X).reshape(-1)
            for w, m, c in zip(params.weights, params.means, params.covariances)
        ]
    )
    log_T = logsumexp(a, axis=1)
    return np.exp(a - log_T[:, None]), log_T.mean()


def e_step_wrong_axis(X, params):
    """Log space, ln p(X) right, but γ normalised over the points (axis=0) instead of the components."""
    a = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X).reshape(-1)
            for w, m, c in zip(params.weights, params.means, params.covariances)
        ]
    )
    resp = np.exp(a - logsumexp(a, axis=0, keepdims=True))
    return resp, logsumexp(a, axis=1).sum()


def m_step_divides_by_n(X, resp, reg_covar=1e-6):
    """π and μ right, Σ_k divided by the number of points n instead of N_k."""
    n, d = X.shape
    N_k = resp.sum(axis=0)
    weights = N_k / n
    means = (resp.T @ X) / N_k[:, None]
    covariances = np.empty((len(N_k), d, d))
    for k in range(len(N_k)):
        diff = X - means[k]
        covariances[k] = (resp[:, k, None] * diff).T @ diff / n + reg_covar * np.eye(d)
    return weights, means, covariances


def m_step_forgets_reg_covar(X, resp, reg_covar=1e-6):
    """Right, except that reg_covar is never added."""
    n, d = X.shape
    N_k = resp.sum(axis=0)
    weights = N_k / n
    means = (resp.T @ X) / N_k[:, None]
    covariances = np.empty((len(N_k), d, d))
    for k in range(len(N_k)):
        diff = X - means[k]
        covariances[k] = (resp[:, k, None] * diff).T @ diff / N_k[k]
    return weights, means, covariances


def m_step_hard_labels(X, resp, reg_covar=1e-6):
    """The right formulas, on hard labels: each point wholly to its most likely component."""
    n, d = X.shape
    hard = np.eye(resp.shape[1])[resp.argmax(axis=1)]
    N_k = hard.sum(axis=0)
    weights = N_k / n
    means = (hard.T @ X) / N_k[:, None]
    covariances = np.empty((len(N_k), d, d))
    for k in range(len(N_k)):
        diff = X - means[k]
        covariances[k] = (hard[:, k, None] * diff).T @ diff / N_k[k] + reg_covar * np.eye(d)
    return weights, means, covariances


def converged_total_change(ll_previous, ll_current, n, tol):
    """The size of the change and a strict comparison, but of the total change, not per point."""
    return abs(ll_current - ll_previous) < tol


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Misconception:
    """One misconception: where it is graded, the hidden test that catches it, and a submission that has it.

    Attributes
    ----------
    key : str
        Short name, e.g. ``"e_step_underflow"``.
    question : str
        The assignment's question (``"q1"`` the E-step, ``"q2"`` the M-step, ``"q3"`` the stopping rule).
    function : str
        The learner's function the question asks for (``"my_e_step"``, ...).
    test : str
        The name of the hidden test in ``assignments/em_assignment.ipynb`` that catches it.
    summary : str
        One line: what goes wrong.
    message : str
        The start of the test's failure message: the misconception and the fix.
    check : callable
        ``check(fn, seed)`` returns None, or raises AssertionError with the message.
    wrong : callable
        A seeded wrong submission with this misconception (and no other).
    """

    key: str
    question: str
    function: str
    test: str
    summary: str
    message: str
    check: Callable[[Callable, int], None]
    wrong: Callable


MISCONCEPTIONS = (
    Misconception(
        "e_step_underflow",
        "q1",
        "my_e_step",
        "test_far_point",
        "an E-step that underflows on a far point (densities first, then normalised)",
        UNDERFLOW,
        assert_e_step_far_point,
        e_step_underflows,
    ),
    Misconception(
        "log_likelihood_averaged",
        "q1",
        "my_e_step",
        "test_log_likelihood_is_a_sum",
        "ln p(X) averaged over the points instead of summed",
        AVERAGED,
        assert_e_step_sums,
        e_step_averages,
    ),
    Misconception(
        "responsibilities_wrong_axis",
        "q1",
        "my_e_step",
        "test_rows_sum_to_one",
        "responsibilities normalised over the points (columns) instead of the components (rows)",
        WRONG_AXIS,
        assert_e_step_axis,
        e_step_wrong_axis,
    ),
    Misconception(
        "covariance_divided_by_n",
        "q2",
        "my_m_step",
        "test_covariance_divided_by_nk",
        "the M-step's Σ_k divided by N (the number of points) instead of N_k",
        DIVIDED_BY_N,
        assert_m_step_divides_by_nk,
        m_step_divides_by_n,
    ),
    Misconception(
        "reg_covar_forgotten",
        "q2",
        "my_m_step",
        "test_reg_covar_added",
        "reg_covar forgotten (or a constant written in its place)",
        NO_REG_COVAR,
        assert_m_step_reg_covar,
        m_step_forgets_reg_covar,
    ),
    Misconception(
        "m_step_hard_labels",
        "q2",
        "my_m_step",
        "test_soft_responsibilities",
        "hard labels (argmax) in the M-step instead of the responsibilities",
        HARD_LABELS,
        assert_m_step_soft,
        m_step_hard_labels,
    ),
    Misconception(
        "stopping_rule_wrong_scale",
        "q3",
        "my_converged",
        "test_change_per_point",
        "a stopping rule on the wrong scale (the total or a relative change instead of the change per point)",
        WRONG_SCALE,
        assert_converged_scale,
        converged_total_change,
    ),
)
