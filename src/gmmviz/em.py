"""Expectation-Maximization for Gaussian mixtures, one half-step at a time (PRML §9.2).

Read top to bottom, this module is the algorithm:

1. :class:`~gmmviz.params.GMMParams` (in :mod:`gmmviz.params`): π_k, μ_k, Σ_k in scikit-learn's
   shapes, with the Cholesky factors of the precisions that every density below uses.
2. E-step (PRML 9.23): :func:`e_step` gives γ_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j):
   the weighted log-probabilities ln π_k + ln N(x_n | μ_k, Σ_k) (:func:`weighted_log_prob`),
   normalised by log-sum-exp, which also gives ln p(X) (PRML 9.28).
3. M-step (PRML 9.24-9.27): :func:`m_step` gives N_k = Σ_n γ_nk, μ_k = Σ_n γ_nk x_n / N_k,
   Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar · I and π_k = N_k / N.
4. A start (:func:`init_params`). The loop that alternates 2 and 3 and keeps every state in an
   :class:`EMHistory` of :class:`Frame` s is :func:`gmmviz.fit.fit_em`, one loop for arrays in
   memory and Dask arrays alike.
5. Choosing K: :func:`n_parameters`, :func:`bic`, :func:`aic` (as scikit-learn's).

What depends on the covariance type ('full', 'tied', 'diag', 'spherical': one small function per
type, chosen from a table, as in scikit-learn) is in :mod:`gmmviz._covariance`; the input checks in
:mod:`gmmviz._validation`; the blocked, single-BLAS-thread versions of the two loops over all points
(Mahalanobis distances, scatter matrices) in :mod:`gmmviz._fast`, which computes the same numbers.

Conventions: ``X`` has shape (n_samples, n_features), and a 1-D array is read as n one-dimensional
points. Input is validated once, at the public entry points; the private ``_`` functions trust their
arguments. An empty component (N_k below ``10 * eps * n_samples``: no point gives it any
responsibility) cannot be estimated: instead of dividing by (almost) zero, the M-step parks it on the
mean and covariance of the whole data set with weight ≈ 0 and an :class:`EmptyComponentWarning`
names it; ln p(X) is unaffected and no NaN appears.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _covariance as cov
from . import _fast
from ._covariance import COVARIANCE_TYPES
from ._history import EMHistory, Frame
from ._types import BoolArray, FloatArray
from ._validation import (
    as_seed,
    check_array,
    check_choice,
    check_covariance_type,
    check_int,
    check_n_components,
    check_number,
    check_reg_covar,
    check_resp,
)
from .params import GMMParams, check_params

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "EMHistory",
    "EmptyComponentWarning",
    "Frame",
    "GMMParams",
    "add_component",
    "aic",
    "bic",
    "e_step",
    "init_params",
    "log_density",
    "log_likelihood",
    "m_step",
    "n_parameters",
    "weighted_log_prob",
]

INIT_METHODS = ("kmeans", "kmeans++", "random")

_LOG_2PI = np.log(2.0 * np.pi)
# The empty-component rule (N_k + ε, EmptyComponentWarning) is each engine's, so it lives with the
# covariance types' rules; re-exported here as part of the M-step's public face.
EmptyComponentWarning = cov.EmptyComponentWarning


# ---------------------------------------------------------------------------------------------
# E-step (PRML 9.23): γ_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j)
# ---------------------------------------------------------------------------------------------


def _weighted_log_prob(X: FloatArray, params: GMMParams) -> FloatArray:
    """ln π_k + ln N(x_n | μ_k, Σ_k) for every point and component, shape (n, K).

    ln N(x | μ, Σ) = −½ d ln 2π − ½ ln det Σ − ½ (x − μ)ᵀ Σ⁻¹ (x − μ). With the Cholesky factor P of
    the precision (Σ⁻¹ = P Pᵀ), −½ ln det Σ = ln det P (the sum of the logs of P's diagonal) and the
    Mahalanobis term is ‖Pᵀ(x − μ)‖²: no inverse and no determinant is ever formed.
    """
    d = params.n_features
    with np.errstate(divide="ignore"):  # a weight of exactly 0 gives ln π_k = −inf, which is right
        log_weights = np.log(params.weights)
    log_det = cov.log_det_cholesky(params.precisions_cholesky, params.covariance_type, d)  # ln det P_k
    log_prob = _fast.squared_mahalanobis(X, params.means, params.precisions_cholesky, params.covariance_type)
    log_prob *= -0.5  # (a new array: updated in place, as the next lines)
    log_prob += log_weights - 0.5 * d * _LOG_2PI + log_det
    return log_prob


def _e_step(X: FloatArray, params: GMMParams) -> tuple[FloatArray, FloatArray]:
    """γ, shape (n, K), and ln p(x_n) = ln Σ_k π_k N(x_n | μ_k, Σ_k), shape (n,), by log-sum-exp.

    Subtracting each row's largest term before the exponential keeps it in range (no overflow, and
    at least one term is exp(0) = 1, so no underflow to 0/0); one exponential serves both results.
    """
    log_prob = _weighted_log_prob(X, params)
    top = log_prob.max(axis=1, keepdims=True)
    log_prob -= top
    resp = np.exp(log_prob, out=log_prob)  # π_k N(x_n | …) / max_j π_j N(x_n | …)
    total = resp.sum(axis=1, keepdims=True)
    resp /= total  # γ_nk: each row sums to 1
    return resp, (np.log(total) + top)[:, 0]


def e_step(X: npt.ArrayLike, params: GMMParams) -> tuple[FloatArray, float]:
    """E-step: responsibilities γ_nk = π_k N(x_n|μ_k,Σ_k) / Σ_j π_j N(x_n|μ_j,Σ_j).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    params : GMMParams

    Returns
    -------
    resp : ndarray of shape (n_samples, K)
        γ_nk; each row sums to 1.
    log_likelihood : float
        ln p(X) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k) under ``params`` (a sum over points, not a mean).
    """
    X = check_array(X)
    params = check_params(params, X.shape[1])
    resp, log_dens = _e_step(X, params)
    return resp, float(log_dens.sum())


def weighted_log_prob(X: npt.ArrayLike, params: GMMParams) -> FloatArray:
    """ln π_k + ln N(x_n | μ_k, Σ_k) for every point and component, shape (n_samples, K).

    The terms the E-step normalises: γ_nk is their softmax over k, ln p(x_n) their log-sum-exp.
    """
    X = check_array(X)
    return _weighted_log_prob(X, check_params(params, X.shape[1]))


def log_density(X: npt.ArrayLike, params: GMMParams) -> FloatArray:
    """ln p(x_n) = ln Σ_k π_k N(x_n | μ_k, Σ_k) for each point, shape (n_samples,)."""
    X = check_array(X)
    return _e_step(X, check_params(params, X.shape[1]))[1]


def log_likelihood(X: npt.ArrayLike, params: GMMParams) -> float:
    """Total ln p(X) = Σ_n ln p(x_n) (PRML 9.28; a sum, not a mean)."""
    return float(log_density(X, params).sum())


# ---------------------------------------------------------------------------------------------
# M-step (PRML 9.24-9.27): N_k, μ_k, Σ_k, π_k from the responsibilities
# ---------------------------------------------------------------------------------------------


def _component_statistics(
    X: FloatArray, resp: FloatArray, covariance_type: str
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """N_k, μ_k, the scatter S_k about μ_k, and which components are empty: what every M-step starts from.

    S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ has the form the covariance type needs: (K, d, d) for 'full'
    and 'tied', its diagonal (K, d) for 'diag' and 'spherical'. An empty component's mean is parked on
    the data's mean (an :class:`EmptyComponentWarning` names it). :func:`_m_step` turns S_k into
    Σ_k = S_k / N_k + reg_covar · I; :mod:`gmmviz.map_em` into the MAP estimate (S_k + Ψ) / (N_k + ν + d + 1).
    """
    nk = resp.sum(axis=0) + cov.NK_EPS  # N_k = Σ_n γ_nk (+ a tiny ε, as scikit-learn: never 0/0)
    means = _fast.weighted_sums(resp, X) / nk[:, np.newaxis]  # μ_k = Σ_n γ_nk x_n / N_k
    empty = cov.empty_components(nk, X.shape[0])  # warns, naming them
    if empty.any():
        means[empty] = X.mean(axis=0)
    scatter = _fast.scatter(X, resp, means, covariance_type)  # S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ
    return nk, means, scatter, empty


def _m_step(X: FloatArray, resp: FloatArray, covariance_type: str, reg_covar: float) -> GMMParams:
    nk, means, scatter, empty = _component_statistics(X, resp, covariance_type)
    # Σ_k = S_k / N_k + reg_covar · I, in the covariance type's form
    covariances = cov.covariances_from_scatter(scatter, nk, covariance_type, reg_covar)
    if empty.any():
        data_covariance = np.cov(X, rowvar=False, bias=True)
        covariances = cov.fill_empty(covariances, empty, covariance_type, data_covariance, reg_covar)
    weights = nk / nk.sum()  # π_k = N_k / N
    return GMMParams._trusted(weights, means, covariances, covariance_type)


def m_step(
    X: npt.ArrayLike, resp: npt.ArrayLike, covariance_type: str = "full", reg_covar: float = 1e-6
) -> GMMParams:
    """M-step: the parameters that maximise the expected complete-data log-likelihood.

    N_k = Σ_n γ_nk,  π_k = N_k / N,  μ_k = Σ_n γ_nk x_n / N_k,
    Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar · I
    ('tied' pools the scatter of all components and divides by N; 'diag' keeps the diagonal;
    'spherical' the mean of the diagonal).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    resp : array-like of shape (n_samples, K)
        Responsibilities γ_nk, rows summing to 1.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance so it stays positive definite (as in scikit-learn).

    Returns
    -------
    GMMParams
    """
    X = check_array(X)
    resp = check_resp(resp, X.shape[0])
    return _m_step(X, resp, check_covariance_type(covariance_type), check_reg_covar(reg_covar))


# ---------------------------------------------------------------------------------------------
# Starting points: init_params, and one more component for notebook 07
# ---------------------------------------------------------------------------------------------


def _identity_params(means: FloatArray, covariance_type: str) -> GMMParams:
    """Equal weights 1/K and identity covariances around the given means (the course's start)."""
    k, d = means.shape
    return GMMParams(np.full(k, 1.0 / k), means, cov.identity(covariance_type, k, d), covariance_type)


def init_params(
    X: npt.ArrayLike,
    n_components: int,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    random_state: int | np.random.Generator | None = None,
    means: npt.ArrayLike | None = None,
) -> GMMParams:
    """Starting parameters for EM: equal weights π_k = 1/K, identity covariances Σ_k = I.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    n_components : int
        K.
    init : {'kmeans', 'kmeans++', 'random'}, default='kmeans'
        How the means μ_k are chosen: 'kmeans' runs k-means and takes its cluster centres (the
        course's initialisation); 'kmeans++' takes the k-means++ seeding alone (spread-out data
        points); 'random' picks K distinct data points uniformly. Ignored when ``means`` is given.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    random_state : int, numpy Generator or None
        Seed for the random choices.
    means : array-like of shape (K, n_features), optional
        The learner's own means (for 1-D data a shape (K,) is accepted).

    Returns
    -------
    GMMParams
    """
    X = check_array(X)
    k = check_n_components(n_components, X)
    covariance_type = check_covariance_type(covariance_type)
    if means is not None:
        means = check_array(means, "means")
        if means.shape != (k, X.shape[1]):
            raise ValueError(
                f"means must have shape (K, d) = ({k}, {X.shape[1]}), got {means.shape}: "
                f"give one mean per component, each with {X.shape[1]} coordinate(s)."
            )
        return _identity_params(means, covariance_type)
    init = check_choice(init, "init method", INIT_METHODS, " or pass means=")
    return _identity_params(_initial_means(X, k, init, as_seed(random_state)), covariance_type)


def _initial_means(X: FloatArray, k: int, init: str, seed: int | None) -> FloatArray:
    if init == "kmeans":  # k-means' cluster centres
        return _fast.kmeans_centres(X, k, seed)
    if init == "kmeans++":  # k-means++ seeding alone: spread-out data points
        from sklearn.cluster import kmeans_plusplus

        centres: FloatArray = kmeans_plusplus(X, k, random_state=seed)[0]  # (scikit-learn has no types)
        return centres
    distinct = np.unique(X, axis=0)  # "random": K distinct data points
    rng = np.random.default_rng(seed)
    return distinct[rng.choice(distinct.shape[0], size=k, replace=False)]


def add_component(
    params: GMMParams, mean: npt.ArrayLike, covariance: npt.ArrayLike, weight: float
) -> GMMParams:
    """The mixture ``params`` with one more component, of weight ``weight``, appended as the last.

    The existing weights are scaled by (1 − weight), so all K + 1 weights still sum to 1:
    π_k ← (1 − w) π_k for k ≤ K and π_{K+1} = w. Notebook 07 uses it to put a narrow component on
    one data point, ``add_component(good, mean=X[0], covariance=sigma**2, weight=0.05)``, and
    watch ln p(X) grow without bound as σ → 0.

    Parameters
    ----------
    params : GMMParams
        The K existing components (not changed: a new GMMParams is returned).
    mean : array-like of shape (d,)
        μ of the new component.
    covariance : float or array-like
        Σ of the new component in ``params.covariance_type``'s shape: 'full' a (d, d) matrix,
        'diag' d variances, 'spherical' one variance. A single number σ² means σ² I for every
        type. 'tied' mixtures share one covariance, so a component of its own cannot be added:
        convert to 'full' first.
    weight : float
        π of the new component, strictly between 0 and 1.

    Returns
    -------
    GMMParams
        K + 1 components, the same covariance type.
    """
    if not isinstance(params, GMMParams):
        raise TypeError(f"params must be a GMMParams, got {type(params).__name__}.")
    weight = check_number(weight, "weight", minimum=0.0, maximum=1.0, strict=True)
    d = params.n_features
    new_cov = cov.component_covariance(covariance, params.covariance_type, d)
    if np.shape(mean) not in ((d,), (1, d)):
        raise ValueError(f"mean must have shape ({d},) like the mixture's means, got {np.shape(mean)}.")
    mean = check_array(mean, "mean")
    weights = np.append((1.0 - float(weight)) * params.weights, float(weight))
    means = np.vstack([params.means, mean.reshape(1, d)])
    covs = np.concatenate([params.covariances, new_cov[np.newaxis]])
    try:
        return GMMParams(weights, means, covs, params.covariance_type)
    except ValueError as exc:  # the new covariance is not symmetric positive definite
        raise ValueError(f"The new component's covariance is not valid: {exc}") from None


# ---------------------------------------------------------------------------------------------
# Choosing K: how many numbers a mixture has, and the criteria that charge for them
# ---------------------------------------------------------------------------------------------


def n_parameters(n_components: int, n_features: int, covariance_type: str = "full") -> int:
    """p, the free parameters of a K-component mixture in d dimensions (as scikit-learn counts them).

    p = (K − 1) weights (they sum to 1) + K d means + the covariances' free numbers ('full': K d(d+1)/2,
    'tied': d(d+1)/2, 'diag': K d, 'spherical': K).
    """
    k = check_int(n_components, "K (n_components)", minimum=1)
    d = check_int(n_features, "n_features", minimum=1)
    covariance_type = check_covariance_type(covariance_type)
    return (k - 1) + k * d + cov.n_free_parameters(covariance_type, k, d)


def _n_parameters_of(params: GMMParams) -> int:
    return n_parameters(params.n_components, params.n_features, params.covariance_type)


def bic(X: npt.ArrayLike, params: GMMParams) -> float:
    """Bayesian information criterion, BIC = p ln N − 2 ln p(X): smaller is better.

    As :meth:`sklearn.mixture.GaussianMixture.bic`, with p from :func:`n_parameters`.
    """
    X = check_array(X)
    params = check_params(params, X.shape[1])
    ll = float(_e_step(X, params)[1].sum())
    return _n_parameters_of(params) * float(np.log(X.shape[0])) - 2.0 * ll


def aic(X: npt.ArrayLike, params: GMMParams) -> float:
    """Akaike information criterion, AIC = 2 p − 2 ln p(X): smaller is better (as scikit-learn's ``aic``)."""
    X = check_array(X)
    params = check_params(params, X.shape[1])
    ll = float(_e_step(X, params)[1].sum())
    return 2.0 * _n_parameters_of(params) - 2.0 * ll
