"""The likelihood landscape of a 1-D mixture with known weights and widths, and how fast EM climbs it.

Notebook 12 looks at the simplest mixture whose ln p(X) is a *surface*: 1-D data, K = 2 components
with the weights π_k and standard deviations σ_k known and fixed, so only θ = (μ_1, μ_2) is unknown
(Murphy, *Probabilistic Machine Learning*, the likelihood surface of a 1-D two-component mixture;
PRML §9.2). Then

    ln p(X | μ) = Σ_n ln Σ_k π_k N(x_n | μ_k, σ_k²)

is a function of two numbers that can be drawn, and EM's path on it can be followed.

What is here (small functions on NumPy arrays; no pictures: those are in :mod:`gmmviz.plot_landscape`):

- :func:`log_likelihood_grid`: ln p(X | μ_1, μ_2) on a grid of (μ_1, μ_2), vectorised, by log-sum-exp.
- :func:`restricted_em_step`, :func:`restricted_em_path`: EM that re-estimates the means only. The
  E-step is gmmviz's own (:func:`gmmviz.em.e_step`'s log-sum-exp); with π_k and σ_k fixed the M-step
  maximises Q(μ | μ_old) = Σ_n Σ_k γ_nk [ln π_k − (x_n − μ_k)² / (2σ_k²)] + const over μ alone, and
  ∂Q/∂μ_k = Σ_n γ_nk (x_n − μ_k) / σ_k² = 0 gives μ_k = Σ_n γ_nk x_n / N_k, N_k = Σ_n γ_nk: the
  usual update of the mean (it does not involve π_k or σ_k).
- :func:`gradient_means`, :func:`hessian_means`: the derivatives of ln p(X) in μ, analytic:
  ∂/∂μ_k = Σ_n γ_nk a_nk with a_nk = (x_n − μ_k)/σ_k², and
  H = Σ_n [diag(γ_n a_n²) − (γ_n a_n)(γ_n a_n)ᵀ] − diag(N_k / σ_k²).
  The last term is minus the *complete-data* information I_c = diag(N_k/σ_k²) (the curvature of Q),
  the sum before it is the *missing* information I_m (the variance, over the unknown labels, of
  the complete-data score), so −H = I_c − I_m is the observed information.
- :func:`em_rate_matrix`, :func:`predicted_rate`: near a fixed point μ* EM moves the error by the
  Jacobian of its map, DM = I_c⁻¹ I_m = I + I_c⁻¹ H (Dempster, Laird & Rubin 1977; McLachlan &
  Krishnan, *The EM Algorithm and Extensions*, §3.9): the *fraction of missing information*. Its
  largest eigenvalue r is EM's linear rate, ‖μ_{t+1} − μ*‖ ≈ r ‖μ_t − μ*‖.
- :func:`step_ratios`, :func:`linear_rate`: r measured from any run's iterates, without the formula.
- :func:`two_cluster_sample`: the course's seeded data, two unit-variance clusters a given
  distance apart; the same seed gives the same noise, so only the separation changes.

Inputs are checked at these public entry points (a ValueError or TypeError that names the problem
and the fix); the private ``_`` functions trust their arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import em
from ._history import EMHistory
from ._types import FloatArray
from ._validation import check_array, check_int, check_number, check_random_state
from .params import GMMParams

__all__ = [
    "EMPath",
    "em_rate_matrix",
    "gradient_means",
    "hessian_means",
    "linear_rate",
    "log_likelihood_grid",
    "parameter_vectors",
    "predicted_rate",
    "restricted_em_path",
    "restricted_em_step",
    "step_ratios",
    "two_cluster_sample",
]

_LOG_2PI = np.log(2.0 * np.pi)


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _check_points(x: Any) -> FloatArray:
    """1-D data as a flat float array of n points."""
    arr = check_array(x, "x")
    if arr.shape[1] != 1:
        raise ValueError(
            f"x must be 1-D data (n points, each one number), got shape {np.shape(x)}: "
            "this landscape is the one of a 1-D mixture; pass one feature, e.g. X[:, 0]."
        )
    return arr[:, 0]


def _check_vector(value: Any, name: str, k: int | None, *, positive: bool = False) -> FloatArray:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be numbers, got a string.")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {value!r}.") from None
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(
            f"{name} must be a flat array with one number per component (at least 2), got shape {arr.shape}."
        )
    if k is not None and arr.size != k:
        raise ValueError(
            f"{name} has {arr.size} entries but there are {k} components: give one per component."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}.")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must be positive (standard deviations σ_k > 0), got {arr}.")
    return arr


def _check_model(means: Any, weights: Any, sigmas: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    mu = _check_vector(means, "means", None)
    k = mu.size
    pi = _check_vector(weights, "weights", k)
    if np.any(pi <= 0) or abs(pi.sum() - 1.0) > 1e-9:
        raise ValueError(
            f"weights must be positive and sum to 1 (the fixed π_k), got {pi} (sum {pi.sum():.6g}): "
            "divide by their sum, e.g. weights / weights.sum()."
        )
    sd = _check_vector(sigmas, "sigmas", k, positive=True)
    return mu, pi, sd


# ---------------------------------------------------------------------------------------------
# The surface ln p(X | μ_1, μ_2)
# ---------------------------------------------------------------------------------------------


def _log_normal(x: FloatArray, mu: FloatArray, sigma: float) -> FloatArray:
    """ln N(x_n | μ_g, σ²) for every grid value μ_g (rows) and point x_n (columns)."""
    z = (x[np.newaxis, :] - mu[:, np.newaxis]) / sigma
    out: FloatArray = -0.5 * _LOG_2PI - np.log(sigma) - 0.5 * z * z
    return out


def log_likelihood_grid(
    x: npt.ArrayLike,
    mu1: npt.ArrayLike,
    mu2: npt.ArrayLike,
    *,
    weights: npt.ArrayLike = (0.5, 0.5),
    sigmas: npt.ArrayLike = (1.0, 1.0),
) -> FloatArray:
    """ln p(X | μ_1, μ_2) = Σ_n ln[π_1 N(x_n | μ_1, σ_1²) + π_2 N(x_n | μ_2, σ_2²)] on a grid.

    Vectorised: the log-terms ln π_k + ln N(x_n | μ_k, σ_k²) are computed once per grid value of
    each mean, and each pair is combined by a two-term log-sum-exp (``np.logaddexp``), so no
    density underflows even far from the data.

    Parameters
    ----------
    x : array-like of shape (n,)
        1-D data.
    mu1, mu2 : array-like of shape (G1,) and (G2,)
        The grid values of μ_1 (the horizontal axis) and μ_2 (the vertical axis).
    weights : array-like of shape (2,), default (0.5, 0.5)
        The fixed π_k (positive, summing to 1).
    sigmas : array-like of shape (2,), default (1, 1)
        The fixed σ_k (positive).

    Returns
    -------
    ndarray of shape (G2, G1)
        Row i, column j is ln p(X | μ_1 = mu1[j], μ_2 = mu2[i]): the layout of
        ``ax.contour(mu1, mu2, surface)``.
    """
    xs = _check_points(x)
    g1 = _check_grid(mu1, "mu1")
    g2 = _check_grid(mu2, "mu2")
    _, pi, sd = _check_model(np.zeros(2), weights, sigmas)
    a = np.log(pi[0]) + _log_normal(xs, g1, sd[0])  # (G1, n)
    b = np.log(pi[1]) + _log_normal(xs, g2, sd[1])  # (G2, n)
    out = np.empty((g2.size, g1.size))
    rows = max(1, 2_000_000 // max(1, g1.size * xs.size))  # blocks of rows: at most ~16 MB at a time
    for start in range(0, g2.size, rows):
        block = b[start : start + rows]
        out[start : start + rows] = np.logaddexp(block[:, np.newaxis, :], a[np.newaxis, :, :]).sum(axis=2)
    return out


def _check_grid(values: Any, name: str) -> FloatArray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be numbers, got a string.")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, got {values!r}.") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(
            f"{name} must be a flat, non-empty array of grid values, got shape {arr.shape}: "
            "e.g. np.linspace(-4, 4, 161)."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite grid values.")
    return arr


# ---------------------------------------------------------------------------------------------
# EM for the means alone
# ---------------------------------------------------------------------------------------------


def _params(mu: FloatArray, pi: FloatArray, sd: FloatArray) -> GMMParams:
    return GMMParams(pi, mu[:, np.newaxis], sd**2, "spherical")


def _e_step(xs: FloatArray, mu: FloatArray, pi: FloatArray, sd: FloatArray) -> tuple[FloatArray, float]:
    """γ (n, K) and ln p(X), by gmmviz's own E-step (log-sum-exp)."""
    resp, log_dens = em._e_step(xs[:, np.newaxis], _params(mu, pi, sd))
    return resp, float(log_dens.sum())


def _m_step(xs: FloatArray, resp: FloatArray, mu: FloatArray) -> FloatArray:
    """μ_k = Σ_n γ_nk x_n / N_k; a component no point gives any responsibility keeps its mean.

    With N_k = 0, Q does not depend on μ_k at all, so every value maximises it: keeping the old one
    is a valid M-step, and avoids 0/0.
    """
    nk = resp.sum(axis=0)
    empty = nk <= 10 * np.finfo(float).eps * xs.size
    new = (resp.T @ xs) / np.where(empty, 1.0, nk)
    return np.where(empty, mu, new)


def restricted_em_step(
    x: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
) -> FloatArray:
    """One EM iteration that re-estimates only the means: E-step, then μ_k = Σ_n γ_nk x_n / N_k.

    Parameters
    ----------
    x : array-like of shape (n,)
        1-D data.
    means : array-like of shape (K,)
        The current μ_k.
    weights : array-like of shape (K,), optional
        The fixed π_k; default 1/K each.
    sigmas : array-like of shape (K,), optional
        The fixed σ_k; default 1 each.

    Returns
    -------
    ndarray of shape (K,)
        The new means. ln p(X) under them is never lower than under ``means`` (an EM step).
    """
    xs, mu, pi, sd = _prepare(x, means, weights, sigmas)
    resp, _ = _e_step(xs, mu, pi, sd)
    return _m_step(xs, resp, mu)


def _prepare(
    x: Any, means: Any, weights: Any, sigmas: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    xs = _check_points(x)
    k = np.size(means)
    weights = np.full(k, 1.0 / max(k, 1)) if weights is None else weights
    sigmas = np.ones(k) if sigmas is None else sigmas
    mu, pi, sd = _check_model(means, weights, sigmas)
    return xs, mu, pi, sd


@dataclass(frozen=True)
class EMPath:
    """The run of :func:`restricted_em_path`.

    Attributes
    ----------
    means : ndarray of shape (T + 1, K)
        μ after each iteration; row 0 is the start.
    log_likelihoods : ndarray of shape (T + 1,)
        ln p(X) under each row of ``means``.
    converged : bool
        Whether the means stopped moving (largest change at most ``tol``) before ``max_iter``.
    """

    means: FloatArray
    log_likelihoods: FloatArray
    converged: bool

    @property
    def n_iter(self) -> int:
        """T, the number of EM iterations run."""
        return int(self.means.shape[0] - 1)

    @property
    def final(self) -> FloatArray:
        """The last means, where the run ended."""
        last: FloatArray = self.means[-1]
        return last


def restricted_em_path(
    x: npt.ArrayLike,
    start: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
    max_iter: int = 200,
    tol: float = 1e-10,
) -> EMPath:
    """EM for the means alone (π_k and σ_k fixed) from ``start``, every iterate kept.

    Parameters
    ----------
    x : array-like of shape (n,)
        1-D data.
    start : array-like of shape (K,)
        The starting means, e.g. (μ_1, μ_2) = (−3, 0.5).
    weights, sigmas : array-like of shape (K,), optional
        The fixed π_k (default 1/K) and σ_k (default 1).
    max_iter : int, default 200
        At most this many iterations.
    tol : float, default 1e-10
        Stop when no mean moves by more than ``tol`` in one iteration; ``tol=0`` runs ``max_iter``
        iterations.

    Returns
    -------
    EMPath
        ``means`` (T + 1, K), ``log_likelihoods`` (T + 1,), ``converged``.
    """
    xs, mu, pi, sd = _prepare(x, start, weights, sigmas)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_number(tol, "tol", minimum=0.0)
    resp, ll = _e_step(xs, mu, pi, sd)
    means, lls = [mu], [ll]
    converged = False
    for _ in range(max_iter):
        new = _m_step(xs, resp, mu)
        resp, ll = _e_step(xs, new, pi, sd)
        means.append(new)
        lls.append(ll)
        step = float(np.max(np.abs(new - mu)))
        mu = new
        if step <= tol:
            converged = True
            break
    return EMPath(np.array(means), np.array(lls), converged)


# ---------------------------------------------------------------------------------------------
# Derivatives, information, and the rate the theory predicts
# ---------------------------------------------------------------------------------------------


def _derivative_terms(
    x: Any, means: Any, weights: Any, sigmas: Any
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """γ (n, K), a_nk = (x_n − μ_k)/σ_k² (n, K), N_k (K,) and σ_k (K,)."""
    xs, mu, pi, sd = _prepare(x, means, weights, sigmas)
    resp, _ = _e_step(xs, mu, pi, sd)
    a = (xs[:, np.newaxis] - mu[np.newaxis, :]) / sd**2
    return resp, a, resp.sum(axis=0), sd


def gradient_means(
    x: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
) -> FloatArray:
    """∂ ln p(X) / ∂μ_k = Σ_n γ_nk (x_n − μ_k) / σ_k², shape (K,): zero where EM stops.

    Parameters as :func:`restricted_em_step`.
    """
    resp, a, _, _ = _derivative_terms(x, means, weights, sigmas)
    grad: FloatArray = (resp * a).sum(axis=0)
    return grad


def _information(x: Any, means: Any, weights: Any, sigmas: Any) -> tuple[FloatArray, FloatArray]:
    """The complete-data information I_c = diag(N_k/σ_k²) and the missing information I_m."""
    resp, a, nk, sd = _derivative_terms(x, means, weights, sigmas)
    ga = resp * a  # γ_nk a_nk
    missing = np.diag((resp * a * a).sum(axis=0)) - ga.T @ ga
    return np.diag(nk / sd**2), missing


def hessian_means(
    x: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
) -> FloatArray:
    """The Hessian of ln p(X) in the means, shape (K, K), analytic.

    H_kj = Σ_n γ_nk (δ_kj − γ_nj) a_nk a_nj − δ_kj N_k / σ_k², with a_nk = (x_n − μ_k) / σ_k²:
    differentiate ∂ ln p(X)/∂μ_k = Σ_n γ_nk a_nk once more, using
    ∂γ_nk/∂μ_j = γ_nk (δ_kj − γ_nj) a_nj and ∂a_nk/∂μ_k = −1/σ_k².
    In matrix form H = I_m − I_c (missing minus complete-data information).

    Parameters as :func:`restricted_em_step`.

    Returns
    -------
    ndarray of shape (K, K)
        Symmetric. At a maximum both eigenvalues are negative; at a saddle they have opposite signs.
    """
    complete, missing = _information(x, means, weights, sigmas)
    hess: FloatArray = missing - complete
    return hess


def em_rate_matrix(
    x: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
) -> FloatArray:
    """The Jacobian of the restricted EM map at ``means``, DM = I_c⁻¹ I_m = I + I_c⁻¹ H, shape (K, K).

    Exact at a fixed point of EM (where the gradient is 0); there the error after one more iteration
    is DM times the error before (to first order). Its eigenvalues are real (DM is similar to the
    symmetric I_c^(−1/2) I_m I_c^(−1/2)); at a maximum they lie in [0, 1).

    Parameters as :func:`restricted_em_step`.
    """
    complete, missing = _information(x, means, weights, sigmas)
    rate: FloatArray = missing / np.diag(complete)[:, np.newaxis]
    return rate


def predicted_rate(
    x: npt.ArrayLike,
    means: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    sigmas: npt.ArrayLike | None = None,
) -> float:
    """r = the largest eigenvalue of DM = I_c⁻¹ I_m at a fixed point ``means``: the fraction of
    missing information, EM's linear rate there (:func:`em_rate_matrix`).

    Parameters as :func:`restricted_em_step`; ``means`` should be where EM ended (a converged
    :func:`restricted_em_path`'s ``final``).
    """
    complete, missing = _information(x, means, weights, sigmas)
    scale = 1.0 / np.sqrt(np.diag(complete))
    symmetric = missing * scale[:, np.newaxis] * scale[np.newaxis, :]  # I_c^(-1/2) I_m I_c^(-1/2)
    return float(np.linalg.eigvalsh(symmetric).max())


# ---------------------------------------------------------------------------------------------
# The rate measured from the iterates
# ---------------------------------------------------------------------------------------------


def _check_sequence(iterates: Any) -> FloatArray:
    if isinstance(iterates, (str, bytes)):
        raise TypeError("iterates must be numbers, got a string.")
    try:
        arr = np.asarray(iterates, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            "iterates must be an array of numbers: one row per iteration (θ_0, θ_1, ...), "
            "e.g. path.means or history.log_likelihoods."
        ) from None
    if arr.ndim == 0:
        raise ValueError("iterates must be a sequence (one row per iteration), got a single number.")
    arr = arr.reshape(arr.shape[0], -1)  # (T + 1,) -> (T + 1, 1); (T + 1, K, d) -> (T + 1, K d)
    if arr.shape[0] < 4:
        raise ValueError(
            f"iterates has {arr.shape[0]} rows: a rate needs at least 4 iterates (3 steps); run more iterations."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            "iterates contains NaN or infinite values: pass the iterates of a run that stayed finite."
        )
    return arr


def step_ratios(iterates: npt.ArrayLike, limit: npt.ArrayLike | None = None) -> FloatArray:
    """The ratios e_{t+1} / e_t of successive errors, NaN where rounding noise decides them.

    Parameters
    ----------
    iterates : array-like of shape (T + 1,) or (T + 1, p)
        θ_0, θ_1, ..., one row per iteration (more dimensions are flattened per row).
    limit : array-like of shape (p,), optional
        θ*. Given: e_t = ‖θ_t − θ*‖. Not given: e_t = ‖θ_{t+1} − θ_t‖, the length of step t, which
        shrinks at the same rate (θ_{t+1} − θ_t = (θ_{t+1} − θ*) − (θ_t − θ*) ≈ (r − 1) r^t v), so no
        limit is needed.

    Returns
    -------
    ndarray
        One ratio per pair of successive errors (length T − 1 without ``limit``, T with it); NaN
        where either error is below 10⁴ · machine epsilon · the iterates' scale, where it is
        rounding noise rather than distance.
    """
    arr = _check_sequence(iterates)
    if limit is None:
        err = np.linalg.norm(np.diff(arr, axis=0), axis=1)
    else:
        lim = np.asarray(limit, dtype=float).reshape(-1)
        if lim.size != arr.shape[1]:
            raise ValueError(
                f"limit has {lim.size} numbers but each iterate has {arr.shape[1]}: give θ* in the iterates' shape."
            )
        err = np.linalg.norm(arr - lim, axis=1)
    floor = 1e4 * np.finfo(float).eps * max(1.0, float(np.abs(arr).max())) * np.sqrt(arr.shape[1])
    above = err > floor
    ratios = np.full(err.size - 1, np.nan)
    ok = above[:-1] & above[1:]
    ratios[ok] = err[1:][ok] / err[:-1][ok]
    return ratios


def linear_rate(iterates: npt.ArrayLike, limit: npt.ArrayLike | None = None, *, tail: float = 0.5) -> float:
    """EM's empirical linear rate r, from ‖θ_{t+1} − θ*‖ ≈ r ‖θ_t − θ*‖.

    The median of the last ``tail`` fraction of the :func:`step_ratios` that rounding noise leaves
    (the early ratios are still off: far from θ* EM's map is not yet linear, so a ratio is off r by an
    amount proportional to the distance still to go, and faster-dying directions of the error may remain; the
    median shrugs off a stray one).

    For a sequence of ln p(X) values the same function measures how fast its *increments* shrink:
    ℓ* − ℓ_t is quadratic in the error, so that ratio is r², and √ of it is r.

    Parameters
    ----------
    iterates : array-like of shape (T + 1,) or (T + 1, p)
        θ_0, θ_1, ... (see :func:`step_ratios`).
    limit : array-like of shape (p,), optional
        θ*; without it the steps' lengths are used.
    tail : float in (0, 1], default 0.5
        The fraction of usable ratios, the last ones, whose median is r.

    Returns
    -------
    float
        r; below 1 for a sequence that converges linearly.
    """
    tail = check_number(tail, "tail", minimum=0.0, maximum=1.0, strict=False)
    if tail == 0.0:
        raise ValueError("tail must be above 0 (a fraction of the ratios, e.g. 0.5 for the last half).")
    ratios = step_ratios(iterates, limit)
    usable = ratios[np.isfinite(ratios)]
    if usable.size < 2:
        raise ValueError(
            f"only {usable.size} step ratio(s) are above rounding noise: the sequence reaches its limit "
            "within a few steps (a rate of about 0) or stops too early; run more iterations, or start further away."
        )
    keep = max(2, int(np.ceil(tail * usable.size)))
    return float(np.median(usable[-keep:]))


def parameter_vectors(history: EMHistory | Sequence[GMMParams]) -> FloatArray:
    """Every iterate of a full EM run as one flat vector θ_t = (π, μ, Σ), shape (T + 1, p).

    What :func:`linear_rate` measures for :func:`gmmviz.fit_em`'s runs: all the parameters at once,
    in one order (weights, then means, then covariances, each flattened).

    Parameters
    ----------
    history : EMHistory or sequence of GMMParams
        A run of :func:`gmmviz.fit_em` (its ``params``), or the parameters themselves, one per iteration.

    Returns
    -------
    ndarray of shape (T + 1, p)
    """
    params = history.params if isinstance(history, EMHistory) else history
    if (
        isinstance(params, (str, bytes))
        or not all(isinstance(p, GMMParams) for p in params)
        or len(params) == 0
    ):
        raise TypeError(
            "history must be an EMHistory (what gmmviz.fit_em returns) or a non-empty sequence of GMMParams."
        )
    return np.array([np.concatenate([p.weights, p.means.ravel(), p.covariances.ravel()]) for p in params])


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def two_cluster_sample(
    n_samples: int = 100,
    separation: float = 3.0,
    *,
    n_features: int = 1,
    random_state: int | np.random.Generator | None = 0,
) -> tuple[FloatArray, npt.NDArray[np.int_]]:
    """Two equal clusters of unit-variance Gaussian points, centred at ∓ separation/2 along the first axis.

    The first half of the points comes from the left cluster, the second half from the right one
    (an odd n puts the extra point on the right). The noise is drawn first and then shifted, so the
    same seed with another ``separation`` gives the same noise: only the distance changes.

    Parameters
    ----------
    n_samples : int, default 100
        N, at least 2.
    separation : float, default 3.0
        Δ ≥ 0, the distance between the two centres (in standard deviations).
    n_features : int, default 1
        d. For d = 1 the points come back flat, shape (n,), like :func:`gmmviz.datasets.mixture_1d`.
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    X : ndarray of shape (n,) for d = 1, else (n, d)
    labels : ndarray of shape (n,)
        0 for the left cluster, 1 for the right one.
    """
    n = check_int(n_samples, "n_samples", minimum=2)
    delta = check_number(separation, "separation", minimum=0.0)
    d = check_int(n_features, "n_features", minimum=1)
    rng = check_random_state(random_state)
    noise = rng.standard_normal((n, d))
    labels = np.repeat([0, 1], [n // 2, n - n // 2])
    X = noise.copy()
    X[:, 0] += np.where(labels == 0, -0.5 * delta, 0.5 * delta)
    return (X[:, 0] if d == 1 else X), labels
