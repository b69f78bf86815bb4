"""A mixture of Bernoulli distributions, fitted by EM (PRML §9.3.3): EM beyond Gaussians.

Each point is a vector of D binary values x_n ∈ {0, 1}^D (a binarised 8 × 8 digit: D = 64 pixels on or
off). Component k switches pixel i on with probability μ_ki, independently of the other pixels:

    p(x | μ_k) = Π_i μ_ki^{x_i} (1 − μ_ki)^{1 − x_i},   p(x) = Σ_k π_k p(x | μ_k).

EM has the Gaussian mixture's shape, with other densities:

* E-step (:func:`bernoulli_e_step`): γ_nk ∝ π_k p(x_n | μ_k), in log space (a product of 64 numbers
  below 1 underflows): ln p(x_n | μ_k) = Σ_i x_ni ln μ_ki + (1 − x_ni) ln(1 − μ_ki)
  (:func:`bernoulli_log_prob`), normalised by log-sum-exp, which also gives ln p(X).
* M-step (:func:`bernoulli_m_step`): N_k = Σ_n γ_nk, π_k = N_k / N and, with a Beta(a, b) prior on
  every μ_ki (MAP-EM again), μ_ki = (Σ_n γ_nk x_ni + a − 1) / (N_k + a + b − 2): a − 1 extra "on" and
  b − 1 extra "off" pseudo-counts keep μ_ki off 0 and 1. a = b = 1 is a flat prior: the
  maximum-likelihood μ_k = Σ_n γ_nk x_n / N_k, which can reach exactly 0 or 1.

:func:`fit_bernoulli_mixture` runs the loop (:func:`gmmviz.map_em.run_em`, the same loop as MAP-EM for
Gaussians) and keeps every θ with ln p(X | θ) and ln p(θ) = Σ_k Σ_i ln Beta(μ_ki | a, b)
(:func:`bernoulli_log_prior`); their sum never decreases (ln p(X) alone never decreases when a = b = 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import betaln, logsumexp, xlog1py, xlogy

from ._covariance import NK_EPS
from ._types import FloatArray
from ._validation import (
    as_seed,
    check_array,
    check_choice,
    check_n_components,
    check_number,
    check_resp,
    finite_arrays,
)
from .em import INIT_METHODS, _initial_means
from .map_em import MAPHistory, run_em

__all__ = [
    "DEFAULT_PRIOR",
    "BernoulliParams",
    "bernoulli_e_step",
    "bernoulli_log_prior",
    "bernoulli_log_prob",
    "bernoulli_m_step",
    "check_binary",
    "fit_bernoulli_mixture",
]

#: Beta(2, 2) on every μ_ki: one pseudo-count "on" and one "off" per pixel and component (Laplace's rule).
DEFAULT_PRIOR = (2.0, 2.0)


@dataclass(frozen=True, eq=False)
class BernoulliParams:
    """Parameters of a Bernoulli mixture (as :class:`gmmviz.params.GMMParams` for Gaussians).

    Parameters
    ----------
    weights : array-like of shape (K,)
        π_k, non-negative, summing to 1.
    means : array-like of shape (K, D)
        μ_ki = p(x_i = 1 | component k), each in [0, 1].

    The arrays are copied and made read-only.
    """

    weights: FloatArray
    means: FloatArray

    def __post_init__(self) -> None:
        weights, means = finite_arrays("BernoulliParams", (("weights", self.weights), ("means", self.means)))
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(f"weights must have shape (K,), got {weights.shape}.")
        k = weights.size
        if means.ndim != 2 or means.shape[0] != k:
            raise ValueError(
                f"means must have shape (K, D) = ({k}, D), one row of pixel probabilities per component, "
                f"got {means.shape}."
            )
        if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"weights must be non-negative and sum to 1, got sum {weights.sum():.6g}: divide them by their sum."
            )
        if (means < 0).any() or (means > 1).any():
            raise ValueError(
                f"means are probabilities μ_ki = p(x_i = 1 | k) and must lie in [0, 1], got values from "
                f"{means.min():.3g} to {means.max():.3g}."
            )
        self._set(weights, means)

    def _set(self, weights: FloatArray, means: FloatArray) -> None:
        for name, arr in (("weights", weights), ("means", means)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @classmethod
    def _trusted(cls, weights: FloatArray, means: FloatArray) -> BernoulliParams:
        """Parameters computed by the M-step from valid input: new arrays, not checked or copied."""
        self = object.__new__(cls)
        self._set(weights, means)
        return self

    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        """D, the number of binary values per point."""
        return int(self.means.shape[1])

    def __repr__(self) -> str:
        return (
            f"BernoulliParams(K={self.n_components}, D={self.n_features}, "
            f"weights={np.array2string(self.weights, precision=3)})"
        )


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def check_binary(X: Any, name: str = "X") -> FloatArray:
    """``X`` as a float64 array of shape (n_samples, D) holding only 0 and 1 (booleans accepted)."""
    arr = check_array(X, name)
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        value = arr[row][bad[row]][0]
        raise ValueError(
            f"{name} must hold only 0 and 1: binarise it first, e.g. {name} > 7 for load_digits' grey levels "
            f"0-16 (row {row} holds {value:g})."
        )
    return arr


def _check_params(params: Any, n_features: int) -> BernoulliParams:
    if not isinstance(params, BernoulliParams):
        raise TypeError(
            f"params must be a BernoulliParams, got {type(params).__name__}: "
            f"build one with BernoulliParams(weights, means)."
        )
    if params.n_features != n_features:
        raise ValueError(
            f"X has {n_features} binary value(s) per point but the parameters have {params.n_features}: "
            f"use parameters for data of the same length."
        )
    return params


def _check_prior(prior: Any) -> tuple[float, float]:
    """A Beta(a, b) prior as a pair of floats, each at least 1 (the mode exists and lies in [0, 1])."""
    if isinstance(prior, (str, bytes)) or not hasattr(prior, "__len__") or len(prior) != 2:
        raise TypeError(
            f"prior must be a pair (a, b) of Beta parameters, got {prior!r}: e.g. prior=(2, 2), or (1, 1) for none."
        )
    hint = ": a, b ≥ 1 (a = b = 1 is a flat prior, maximum likelihood; (2, 2) adds one pseudo-count each way)"
    a, b = (check_number(v, f"prior {which}", minimum=1.0, hint=hint) for v, which in zip(prior, "ab"))
    return a, b


# ---------------------------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------------------------


def _log_prob(X: FloatArray, means: FloatArray) -> FloatArray:
    """ln p(x_n | μ_k) = Σ_i x_ni ln μ_ki + (1 − x_ni) ln(1 − μ_ki), shape (n, K), with 0 · ln 0 = 0.

    Two matrix products; a μ_ki of exactly 0 (or 1) gives −inf where x_ni = 1 (or 0) and nothing elsewhere.
    """
    with np.errstate(divide="ignore"):
        log_on, log_off = np.log(means), np.log1p(-means)
    log_prob: FloatArray = (
        X @ np.where(means > 0, log_on, 0.0).T + (1.0 - X) @ np.where(means < 1, log_off, 0.0).T
    )
    impossible = (X @ (means == 0).T + (1.0 - X) @ (means == 1).T) > 0
    log_prob[impossible] = -np.inf
    return log_prob


def bernoulli_log_prob(X: npt.ArrayLike, params: BernoulliParams) -> FloatArray:
    """ln p(x_n | μ_k) = Σ_i x_ni ln μ_ki + (1 − x_ni) ln(1 − μ_ki) for every point and component, (n, K).

    Without the weights: the E-step adds ln π_k. A μ_ki of exactly 0 (or 1) gives −inf where x_ni = 1
    (or 0) and nothing elsewhere (0 · ln 0 = 0).

    Parameters
    ----------
    X : array-like of shape (n_samples, D), only 0 and 1
    params : BernoulliParams
    """
    X = check_binary(X)
    return _log_prob(X, _check_params(params, X.shape[1]).means)


def _e_step(X: FloatArray, params: BernoulliParams) -> tuple[FloatArray, FloatArray]:
    """γ (n, K) and ln p(x_n) (n,) by log-sum-exp."""
    with np.errstate(divide="ignore"):  # a weight of exactly 0 gives ln π_k = −inf: γ_nk = 0, which is right
        log_prob = _log_prob(X, params.means) + np.log(params.weights)
    log_density: FloatArray = logsumexp(log_prob, axis=1)
    if not np.all(np.isfinite(log_density)):
        n = int(np.flatnonzero(~np.isfinite(log_density))[0])
        raise ValueError(
            f"point {n} has probability 0 under every component (a pixel is 1 where every μ_ki is 0, or 0 where "
            f"every μ_ki is 1): keep μ off 0 and 1, e.g. with the prior (2, 2)."
        )
    return np.exp(log_prob - log_density[:, np.newaxis]), log_density


def bernoulli_e_step(X: npt.ArrayLike, params: BernoulliParams) -> tuple[FloatArray, float]:
    """E-step: γ_nk = π_k p(x_n | μ_k) / Σ_j π_j p(x_n | μ_j), computed in log space.

    Returns
    -------
    resp : ndarray of shape (n_samples, K)
        γ_nk; each row sums to 1.
    log_likelihood : float
        ln p(X) = Σ_n ln Σ_k π_k p(x_n | μ_k) (a sum over points).
    """
    X = check_binary(X)
    resp, log_density = _e_step(X, _check_params(params, X.shape[1]))
    return resp, float(log_density.sum())


# ---------------------------------------------------------------------------------------------
# M-step and prior
# ---------------------------------------------------------------------------------------------


def _m_step(X: FloatArray, resp: FloatArray, a: float, b: float) -> BernoulliParams:
    nk = resp.sum(axis=0) + NK_EPS  # (+ gmmviz's tiny ε: an empty component under a = b = 1 gives 0, not 0/0)
    means = (resp.T @ X + (a - 1.0)) / (nk + (a + b - 2.0))[:, np.newaxis]
    np.clip(means, 0.0, 1.0, out=means)  # rounding can put Σ_n γ_nk x_ni / N_k a hair above 1
    return BernoulliParams._trusted(nk / nk.sum(), means)


def bernoulli_m_step(
    X: npt.ArrayLike, resp: npt.ArrayLike, prior: tuple[float, float] = DEFAULT_PRIOR
) -> BernoulliParams:
    """M-step: N_k = Σ_n γ_nk, π_k = N_k / N, μ_ki = (Σ_n γ_nk x_ni + a − 1) / (N_k + a + b − 2).

    The μ step maximises Q(θ, θ_old) + Σ_k Σ_i ln Beta(μ_ki | a, b): MAP-EM with a Beta(a, b) prior,
    ``prior = (a, b)``; (1, 1) is maximum likelihood, μ_k = Σ_n γ_nk x_n / N_k.
    """
    X = check_binary(X)
    resp = check_resp(resp, X.shape[0])
    return _m_step(X, resp, *_check_prior(prior))


def _log_prior(params: BernoulliParams, a: float, b: float) -> float:
    # (a − 1) ln μ + (b − 1) ln(1 − μ) with 0 · ln 0 = 0: with a = 1 (or b = 1) the M-step can put μ_ki on
    # 0 (or 1), where Beta(1, b)'s density is b (finite), not NaN; Beta(1, 1) is the uniform density, ln 1 = 0
    mu = params.means
    with np.errstate(divide="ignore"):  # a μ of 0 with a > 1 (or 1 with b > 1): density 0, ln p(θ) = −inf
        terms = xlogy(a - 1.0, mu) + xlog1py(b - 1.0, -mu)
    return float(np.sum(terms) - mu.size * betaln(a, b))


def bernoulli_log_prior(params: BernoulliParams, prior: tuple[float, float] = DEFAULT_PRIOR) -> float:
    """ln p(θ) = Σ_k Σ_i ln Beta(μ_ki | a, b) (the flat prior on π adds only a constant, left out)."""
    if not isinstance(params, BernoulliParams):
        raise TypeError(f"params must be a BernoulliParams, got {type(params).__name__}.")
    return _log_prior(params, *_check_prior(prior))


# ---------------------------------------------------------------------------------------------
# The fit
# ---------------------------------------------------------------------------------------------


def fit_bernoulli_mixture(
    X: npt.ArrayLike,
    n_components: int,
    *,
    prior: tuple[float, float] = DEFAULT_PRIOR,
    init: str = "random",
    max_iter: int = 100,
    tol: float = 1e-3,
    random_state: int | np.random.Generator | None = None,
    params: BernoulliParams | None = None,
) -> MAPHistory[BernoulliParams]:
    """EM (MAP-EM with a Beta prior) for a mixture of K Bernoulli distributions.

    Parameters
    ----------
    X : array-like of shape (n_samples, D), only 0 and 1
    n_components : int
        K.
    prior : (a, b), default=(2, 2)
        Beta(a, b) on every μ_ki, a, b ≥ 1; (1, 1) is maximum likelihood.
    init : {'random', 'kmeans', 'kmeans++'}, default='random'
        The starting μ_k, as :func:`gmmviz.init_params` picks Gaussian means (K distinct data points,
        k-means centres or k-means++ seeds), then pulled half-way to ½ so that no start is 0 or 1:
        μ_k = ¼ + ½ m_k; π_k = 1/K. Ignored when ``params`` is given. Not 'kmeans' by default, as
        :func:`gmmviz.fit_em`: on binary data k-means meets many ties, and the centres it returns can
        differ between BLAS kernels (machines); K random data points are the same everywhere.
    max_iter, tol
        As :func:`gmmviz.map_em.run_em`: stop when ln p(X) + ln p(θ) gains less than ``tol`` per point.
    random_state : int, numpy Generator or None
        Seed for the start.
    params : BernoulliParams, optional
        Start from these instead.

    Returns
    -------
    MAPHistory
        θ_t (BernoulliParams), ln p(X | θ_t), ln p(θ_t); ``objectives`` never decreases.
    """
    X = check_binary(X)
    k = check_n_components(n_components, X)
    a, b = _check_prior(prior)
    if params is None:
        init = check_choice(init, "init method", INIT_METHODS, " or pass params=")
        start = BernoulliParams._trusted(
            np.full(k, 1.0 / k), 0.25 + 0.5 * _initial_means(X, k, init, as_seed(random_state))
        )
    else:
        start = _check_params(params, X.shape[1])
        if start.n_components != k:
            raise ValueError(f"params has K={start.n_components} but n_components={k}: make them agree.")

    def e_step(theta: BernoulliParams) -> tuple[FloatArray, float]:
        resp, log_density = _e_step(X, theta)
        return resp, float(log_density.sum())

    return run_em(
        start,
        e_step,
        lambda resp: _m_step(X, resp, a, b),
        lambda theta: _log_prior(theta, a, b),
        n_samples=X.shape[0],
        max_iter=max_iter,
        tol=tol,
    )
