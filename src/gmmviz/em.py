"""Expectation-Maximization for Gaussian mixtures, one half-step at a time.

The functions follow scikit-learn's ``sklearn/mixture/_gaussian_mixture.py``: the same array shapes
and vocabulary (``X``, ``resp``, ``nk``, ``reg_covar``), small functions per covariance type, and all
densities in log space through Cholesky factors of the precision matrices. Unlike scikit-learn, every
intermediate state is kept, so the course can show each E- and M-step.

Symbols used in docstrings: π_k (weights), μ_k (means), Σ_k (covariances), γ_nk (responsibilities,
``resp``), N_k = Σ_n γ_nk (the effective number of points in component k, ``nk``) and the total
log-likelihood ln p(X) = Σ_n ln Σ_k π_k N(x_n | μ_k, Σ_k).

Conventions
-----------
* ``X`` has shape (n_samples, n_features). A 1-D array is read as ``n`` one-dimensional points,
  so ``fit_em(np.array([1.0, 1.2, 5.0]), 2)`` fits a 1-D mixture.
* Input is validated once, at the public entry points; the private ``_`` functions trust their
  arguments.
* Empty components: when a component's N_k falls below ``10 * eps * n_samples`` (no point gives it
  any responsibility), the M-step cannot estimate its mean or covariance. Rather than dividing by
  (almost) zero, such a component keeps a weight of (almost) zero and is parked on the mean and
  covariance of the whole data set, and an :class:`EmptyComponentWarning` names it. ln p(X) is
  unaffected (its weight is ~0) and no NaN appears.
"""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from scipy.linalg.blas import dtrmm as _dtrmm

from . import _covariance as cov
from ._covariance import COVARIANCE_TYPES
from ._validation import (
    as_seed,
    check_array,
    check_covariance_type,
    check_int,
    check_n_components,
    check_number,
    check_params,
    check_reg_covar,
    check_resp,
)

__all__ = [
    "COVARIANCE_TYPES",
    "INIT_METHODS",
    "EmptyComponentWarning",
    "GMMParams",
    "add_component",
    "Frame",
    "EMHistory",
    "init_params",
    "e_step",
    "m_step",
    "weighted_log_prob",
    "log_density",
    "log_likelihood",
    "fit_em",
]

INIT_METHODS = ("kmeans", "kmeans++", "random")

_LOG_2PI = np.log(2.0 * np.pi)
_KMEANS_PARALLEL_SIZE = 200_000  # n·K above which k-means initialisation may use several threads
# scikit-learn adds this to every N_k so that no division is by exactly zero; we do the same so that
# both implementations produce the same numbers from the same start.
_NK_EPS = 10.0 * np.finfo(np.float64).eps


# Transitional: gmmviz.widgets still imports this private name; it should import
# gmmviz._validation.check_array instead, after which this alias goes.
_check_X = check_array


class EmptyComponentWarning(UserWarning):
    """A component received (almost) no responsibility in an M-step."""


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GMMParams:
    """Parameters of a Gaussian mixture in scikit-learn's array shapes.

    Parameters
    ----------
    weights : array-like of shape (K,)
        Mixing weights π_k, non-negative, summing to 1.
    means : array-like of shape (K, d)
        Component means μ_k.
    covariances : array-like
        Σ_k with the shape scikit-learn uses for ``covariance_type``: 'full' (K, d, d),
        'tied' (d, d) shared by all components, 'diag' (K, d) variances, 'spherical' (K,) one
        variance per component.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'

    Notes
    -----
    The arrays are copied and made read-only. Construction checks shapes, that the weights sum to 1
    and that every covariance is positive definite, and caches the Cholesky factors of the
    precisions (``precisions_cholesky``) used by :func:`e_step`.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    covariance_type: str = "full"
    precisions_cholesky: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        covariance_type = check_covariance_type(self.covariance_type)
        arrays = {}
        for name in ("weights", "means", "covariances"):
            try:
                arr = np.array(getattr(self, name), dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(f"GMMParams.{name} must be an array of numbers.") from None
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"GMMParams.{name} contains NaN or infinite values.")
            arrays[name] = arr
        weights, means, covs = arrays["weights"], arrays["means"], arrays["covariances"]
        if weights.ndim != 1 or weights.size == 0:
            raise ValueError(f"weights must have shape (K,), got {weights.shape}.")
        k = weights.size
        if means.ndim == 1 and k == 1:
            means = means[np.newaxis]
        if means.ndim != 2 or means.shape[0] != k:
            raise ValueError(f"means must have shape (K, d) = ({k}, d), got {means.shape}.")
        d = means.shape[1]
        expected = cov.covariance_shape(covariance_type, k, d)
        if covs.shape != expected:
            raise ValueError(
                f"covariances for covariance_type={covariance_type!r} must have shape {expected}, got {covs.shape}."
            )
        if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"weights must be non-negative and sum to 1, got sum {weights.sum():.6g}: "
                f"divide them by their sum."
            )
        if cov.needs_full_scatter(covariance_type):  # matrices, not variances
            scale = max(np.abs(covs).max(), np.finfo(float).tiny)
            if not np.allclose(covs, np.swapaxes(covs, -1, -2), rtol=0, atol=1e-10 * scale):
                raise ValueError("covariances must be symmetric: use (S + S.T) / 2.")
        prec_chol = cov.precision_cholesky(covs, covariance_type)
        for name, arr in (("weights", weights), ("means", means), ("covariances", covs),
                          ("precisions_cholesky", prec_chol)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return self.weights.shape[0]

    @property
    def n_features(self) -> int:
        """d, the dimension of the data."""
        return self.means.shape[1]

    def full_covariances(self) -> np.ndarray:
        """Σ_k as an array of shape (K, d, d), whatever the covariance type."""
        return cov.to_full(self.covariances, self.covariance_type, self.n_components, self.n_features)

    def __repr__(self) -> str:
        return (
            f"GMMParams(K={self.n_components}, d={self.n_features}, covariance_type={self.covariance_type!r}, "
            f"weights={np.array2string(self.weights, precision=3)})"
        )

    @classmethod
    def from_sklearn(cls, gm) -> "GMMParams":
        """Parameters of a fitted :class:`sklearn.mixture.GaussianMixture`."""
        if not hasattr(gm, "means_"):
            raise ValueError("The GaussianMixture is not fitted yet: call gm.fit(X) first.")
        return cls(gm.weights_, gm.means_, gm.covariances_, gm.covariance_type)

    def to_sklearn(self):
        """A fitted-looking :class:`sklearn.mixture.GaussianMixture` with these parameters.

        Its ``score``, ``predict``, ``predict_proba`` and ``sample`` work as after ``fit``.
        """
        from sklearn.mixture import GaussianMixture

        gm = GaussianMixture(n_components=self.n_components, covariance_type=self.covariance_type)
        gm.weights_ = np.array(self.weights)
        gm.means_ = np.array(self.means)
        gm.covariances_ = np.array(self.covariances)
        gm.precisions_cholesky_ = np.array(self.precisions_cholesky)
        p = gm.precisions_cholesky_
        if self.covariance_type == "full":
            gm.precisions_ = np.einsum("kij,klj->kil", p, p)
        elif self.covariance_type == "tied":
            gm.precisions_ = p @ p.T
        else:
            gm.precisions_ = p**2
        gm.converged_ = True
        gm.n_iter_ = 0
        gm.lower_bound_ = -np.inf
        gm.n_features_in_ = self.n_features
        return gm


def add_component(params: GMMParams, mean, covariance, weight: float) -> GMMParams:
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


def _identity_params(means: np.ndarray, covariance_type: str) -> GMMParams:
    """Equal weights 1/K and identity covariances around the given means (the course's start)."""
    k, d = means.shape
    return GMMParams(np.full(k, 1.0 / k), means, cov.identity(covariance_type, k, d), covariance_type)


def init_params(
    X,
    n_components: int,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    random_state: int | np.random.Generator | None = None,
    means=None,
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
    seed = as_seed(random_state)
    return _identity_params(_initial_means(X, k, _check_init(init, "means="), seed), covariance_type)


def _check_init(init, alternative: str) -> str:
    if init not in INIT_METHODS:
        raise ValueError(
            f"Unknown init method {init!r}: use one of {', '.join(map(repr, INIT_METHODS))} or pass {alternative}."
        )
    return init


def _initial_means(X: np.ndarray, k: int, init: str, seed: int | None) -> np.ndarray:
    if init == "kmeans":
        from sklearn.cluster import KMeans
        from threadpoolctl import threadpool_limits

        # On the course's small data sets, OpenMP threads cost more than they save, and on a busy
        # machine their spin-waiting made a 272-point k-means take a second instead of 15 ms.
        threads = None if X.shape[0] * k > _KMEANS_PARALLEL_SIZE else 1
        with threadpool_limits(limits=threads, user_api="openmp"):
            return KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X).cluster_centers_
    if init == "kmeans++":
        from sklearn.cluster import kmeans_plusplus

        return kmeans_plusplus(X, k, random_state=seed)[0]
    distinct = np.unique(X, axis=0)
    rng = np.random.default_rng(seed)
    return distinct[rng.choice(distinct.shape[0], size=k, replace=False)]


# ---------------------------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------------------------


# The E- and M-steps walk over the points in blocks of about this many numbers (d · block): 512 KiB
# of float64, so the work buffers stay in the L2 cache and are reused instead of being allocated
# (and page-faulted in) per component, while each BLAS call still gets thousands of columns.
_BLOCK_NUMBERS = 1 << 16
_MIN_BLOCK = 4096


_blas_controller = None


def _one_blas_thread():
    """Context in which BLAS runs on one thread (threadpoolctl, a scikit-learn dependency).

    The blocked E- and M-steps make many small BLAS calls. Multithreaded OpenBLAS synchronises its
    threads in every call, which costs little on an idle machine but up to milliseconds per call on
    a busy one (shared CI runners, Binder): one thread is then 10-100× faster, and on an idle
    machine it loses little, since the triangular products already halve the work.
    """
    global _blas_controller
    if _blas_controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_controller = ThreadpoolController()
        except Exception:  # pragma: no cover - threadpoolctl missing or unable to inspect the process
            _blas_controller = False
    if not _blas_controller:  # pragma: no cover
        return contextlib.nullcontext()
    return _blas_controller.limit(limits=1, user_api="blas")


def _centred_blocks(xt: np.ndarray, means: np.ndarray) -> Iterator[tuple[int, slice, np.ndarray]]:
    """Yield (k, points, xᵀ − μ_k) for each block of points and each component.

    ``xt`` is Xᵀ, shape (d, n). The differences of one block, shape (d, m), live in one reused,
    contiguous buffer: the caller may transform them in place, but only until the next item.
    """
    d, n = xt.shape
    block = min(n, max(_MIN_BLOCK, _BLOCK_NUMBERS // d))
    buf = np.empty(d * block)
    for start in range(0, n, block):
        stop = min(n, start + block)
        xs = xt[:, start:stop]
        diff = buf[: d * (stop - start)].reshape(d, stop - start)  # contiguous, whatever the width
        for k in range(means.shape[0]):
            np.subtract(xs, means[k][:, np.newaxis], out=diff)
            yield k, slice(start, stop), diff


def _upper_times(p_upper_f: np.ndarray, diff: np.ndarray) -> None:
    """diff ← P_kᵀ diff in place, with BLAS TRMM: P_k is upper triangular, so half the flops of a GEMM.

    ``diff`` is a C-contiguous (d, m) block, i.e. the Fortran-ordered (m, d) matrix diffᵀ, which TRMM
    overwrites with diffᵀ P_k = (P_kᵀ diff)ᵀ.
    """
    res = _dtrmm(1.0, p_upper_f, diff.T, side=1, lower=0, overwrite_b=1)
    if not np.may_share_memory(res, diff):  # not in place (never for our contiguous blocks): copy back
        diff[...] = res.T


def _weighted_log_prob_t(X: np.ndarray, params: GMMParams) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k), transposed: shape (K, n_samples).

    The Mahalanobis term is ‖P_kᵀ(x − μ_k)‖² with the difference taken first: expanding it into
    ‖x‖² − 2x·μ + ‖μ‖² cancels catastrophically when the data sit far from the origin. Working on
    Xᵀ keeps every per-component row contiguous, which is what makes this faster than scikit-learn,
    together with cache-sized blocks of points and a triangular product (TRMM) for P_kᵀ(x − μ_k).
    """
    n, d = X.shape
    k = params.n_components
    prec = params.precisions_cholesky
    cov_type = params.covariance_type
    means = params.means
    xt = np.ascontiguousarray(X.T)
    out = np.empty((k, n))
    if cov_type == "full":
        factors = [np.asfortranarray(prec[j]) for j in range(k)]
    elif cov_type == "tied":
        factors = [np.asfortranarray(prec)] * k
    elif cov_type == "diag":
        scales = prec[:, :, np.newaxis]  # (K, d, 1)
    with _one_blas_thread():
        for j, points, diff in _centred_blocks(xt, means):
            if cov_type in ("full", "tied"):
                _upper_times(factors[j], diff)
            elif cov_type == "diag":
                diff *= scales[j]
            np.einsum("ij,ij->j", diff, diff, out=out[j, points])
    if cov_type == "spherical":
        out *= (prec**2)[:, np.newaxis]  # ‖(x − μ)/σ‖² = ‖x − μ‖² / σ²
    log_det = cov.log_det_cholesky(prec, cov_type, d)
    with np.errstate(divide="ignore"):  # a weight of exactly 0 gives ln π_k = -inf, which is right
        log_w = np.log(params.weights)
    out *= -0.5
    out += (log_w + log_det - 0.5 * d * _LOG_2PI)[:, np.newaxis]
    return out


def _e_step(X: np.ndarray, params: GMMParams) -> tuple[np.ndarray, np.ndarray]:
    """Responsibilities (n_samples, K) and per-point ln p(x_n), by log-sum-exp in one exponential.

    The responsibilities come back as the transpose of a C-contiguous (K, n) array, so that each
    component's column is contiguous for the M-step.
    """
    wlp = _weighted_log_prob_t(X, params)
    top = wlp.max(axis=0)
    wlp -= top
    np.exp(wlp, out=wlp)
    total = wlp.sum(axis=0)
    wlp /= total
    return wlp.T, np.log(total) + top


def e_step(X, params: GMMParams) -> tuple[np.ndarray, float]:
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


def weighted_log_prob(X, params: GMMParams) -> np.ndarray:
    """ln π_k + ln N(x_n | μ_k, Σ_k) for every point and component, shape (n_samples, K).

    The terms the E-step normalises: γ_nk is their softmax over k, ln p(x_n) their log-sum-exp.
    """
    X = check_array(X)
    params = check_params(params, X.shape[1])
    return _weighted_log_prob_t(X, params).T


def log_density(X, params: GMMParams) -> np.ndarray:
    """ln p(x_n) = ln Σ_k π_k N(x_n | μ_k, Σ_k) for each point, shape (n_samples,)."""
    X = check_array(X)
    params = check_params(params, X.shape[1])
    from scipy.special import logsumexp

    return logsumexp(_weighted_log_prob_t(X, params), axis=0)


def log_likelihood(X, params: GMMParams) -> float:
    """Total ln p(X) = Σ_n ln p(x_n) (a sum, not a mean)."""
    return float(log_density(X, params).sum())


# ---------------------------------------------------------------------------------------------
# M-step
# ---------------------------------------------------------------------------------------------


def _scatter(xt: np.ndarray, rt: np.ndarray, means: np.ndarray, covariance_type: str) -> np.ndarray:
    """Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ for every k: (K, d, d) for 'full'/'tied', its diagonal (K, d) else.

    The difference is taken first (no cancellation far from the origin). Full scatters are Y Yᵀ with
    Y = √γ (xᵀ − μ) (NumPy uses SYRK for it, half the flops of a GEMM), diagonals (xᵀ − μ)² γ; both
    accumulated over cache-sized blocks of points with one reused buffer.
    """
    d, n = xt.shape
    k = means.shape[0]
    full = cov.needs_full_scatter(covariance_type)
    out = np.zeros((k, d, d) if full else (k, d))
    weights = np.sqrt(rt) if full else rt
    with _one_blas_thread():
        for j, points, y in _centred_blocks(xt, means):
            if full:
                y *= weights[j, points]
                out[j] += y @ y.T
            else:
                y *= y
                out[j] += y @ weights[j, points]
    return out


def _m_step(X: np.ndarray, resp: np.ndarray, covariance_type: str, reg_covar: float) -> GMMParams:
    n, d = X.shape
    rt = np.ascontiguousarray(resp.T)  # a no-op copy for responsibilities from _e_step
    xt = np.ascontiguousarray(X.T)
    nk = rt.sum(axis=1) + _NK_EPS
    with _one_blas_thread():
        means = (rt @ X) / nk[:, np.newaxis]
    empty = nk < _NK_EPS * (n + 1)
    if empty.any():
        warnings.warn(
            f"Component(s) {np.flatnonzero(empty).tolist()} received no responsibility (N_k ≈ 0): "
            f"parked on the data's mean and covariance with weight ≈ 0. Lower K or try another start.",
            EmptyComponentWarning,
            stacklevel=3,
        )
        means[empty] = X.mean(axis=0)
    scatter = _scatter(xt, rt, means, covariance_type)
    covs = cov.covariances_from_scatter(scatter, nk, covariance_type, reg_covar)
    if empty.any():
        data_cov = cov.add_reg_covar(np.atleast_2d(np.cov(X, rowvar=False, bias=True)), "tied", reg_covar)
        covs = cov.fill_empty(covs, empty, covariance_type, data_cov)
    return GMMParams(nk / nk.sum(), means, covs, covariance_type)


def m_step(X, resp, covariance_type: str = "full", reg_covar: float = 1e-6) -> GMMParams:
    """M-step: the parameters that maximise the expected complete-data log-likelihood.

    N_k = Σ_n γ_nk,  π_k = N_k / n,  μ_k = Σ_n γ_nk x_n / N_k,
    Σ_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ / N_k + reg_covar · I
    ('tied' pools the scatter of all components and divides by n; 'diag' keeps the diagonal;
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
# The fit loop and its history
# ---------------------------------------------------------------------------------------------


_FRAME_TITLES = {
    "init": "Start: {start}",
    "E": "Iteration {iteration}, E-step: responsibilities γ recomputed (colours change)",
    "M": "Iteration {iteration}, M-step: π, μ, Σ re-estimated (ellipses move)",
}


@dataclass(frozen=True, eq=False)
class Frame:
    """One picture of the EM animation: the initialisation, or one half-step of an iteration.

    Attributes
    ----------
    index : int
        Position in the sequence init, E1, M1, E2, M2, ...
    kind : {'init', 'E', 'M'}
    iteration : int
        0 for the initialisation, t for the E and M frames of iteration t.
    params : GMMParams
        The parameters shown: before the M-step for an E frame, after it for an M frame.
    previous_params : GMMParams or None
        For an M frame, the parameters before its step (those of the E frame before it);
        None for the init and E frames.
    resp : ndarray of shape (n_samples, K) or None
        The responsibilities computed by this iteration's E-step (the ones its M-step used);
        None for the initialisation, where no point has been assigned yet.
    log_likelihood : float
        ln p(X) under ``params``.
    params_index : int
        Where ``params`` sits in ``history.params`` and ``history.log_likelihoods``: 0 for the
        init frame, t − 1 for the E frame of iteration t, t for its M frame.
    init : str
        How the run started ('kmeans', 'kmeans++', 'random' or 'given'), as ``EMHistory.init``.
    """

    index: int
    kind: str
    iteration: int
    params: GMMParams
    previous_params: GMMParams | None
    resp: np.ndarray | None
    log_likelihood: float
    params_index: int
    init: str = "given"

    @property
    def description(self) -> str:
        """One line for a title, built from ``kind``, ``iteration`` and ``init``."""
        start = "given parameters" if self.init == "given" else f"{self.init} means, π_k = 1/K, Σ_k = I"
        return _FRAME_TITLES[self.kind].format(start=start, iteration=self.iteration)


class EMHistory:
    """Every state of one EM run: the parameters after initialisation and after each M-step.

    Only parameters and ln p(X) are stored, so memory is O(iterations · K · d²); responsibilities
    are recomputed from ``X`` when a frame or :meth:`responsibilities` asks for them.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
    params : tuple of GMMParams, length n_iter + 1
        ``params[0]`` is the start, ``params[t]`` the parameters after the M-step of iteration t.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        Total ln p(X) under ``params[t]``.
    converged : bool
    n_iter : int
    init : str
        How the start was chosen ('kmeans', 'kmeans++', 'random' or 'given').
    reg_covar : float
        The ``reg_covar`` of the M-steps.
    """

    def __init__(self, X, params, log_likelihoods, converged, *, init="given", reg_covar=1e-6):
        self.X = X
        self.params = tuple(params)
        self.log_likelihoods = np.asarray(log_likelihoods, dtype=float)
        self.log_likelihoods.setflags(write=False)
        self.converged = bool(converged)
        self.init = init
        self.reg_covar = reg_covar
        self._resp_cache: dict[int, np.ndarray] = {}

    @property
    def n_iter(self) -> int:
        return len(self.params) - 1

    @property
    def covariance_type(self) -> str:
        return self.params[0].covariance_type

    @property
    def n_components(self) -> int:
        return self.params[0].n_components

    @property
    def final(self) -> GMMParams:
        return self.params[-1]

    @property
    def n_frames(self) -> int:
        return 1 + 2 * self.n_iter

    def __len__(self) -> int:
        return self.n_frames

    def __repr__(self) -> str:
        return (
            f"EMHistory(K={self.n_components}, covariance_type={self.covariance_type!r}, n_iter={self.n_iter}, "
            f"converged={self.converged}, ln p(X)={self.log_likelihoods[-1]:.4f})"
        )

    def responsibilities(self, t: int) -> np.ndarray:
        """γ under ``params[t]``, shape (n_samples, K) (recomputed; the last few are cached)."""
        t = range(self.n_iter + 1)[t]  # IndexError for out-of-range t, and negative t works
        if t not in self._resp_cache:
            if len(self._resp_cache) >= 4:
                self._resp_cache.pop(next(iter(self._resp_cache)))
            resp = _e_step(self.X, self.params[t])[0]
            resp.setflags(write=False)
            self._resp_cache[t] = resp
        return self._resp_cache[t]

    def frame(self, i: int) -> Frame:
        """The i-th frame: 0 is the start, then E and M of iteration 1, E and M of iteration 2, ..."""
        i = range(self.n_frames)[i]  # IndexError for out-of-range i, and negative i works
        if i == 0:
            return Frame(0, "init", 0, self.params[0], None, None, float(self.log_likelihoods[0]), 0, self.init)
        t = (i + 1) // 2
        resp = self.responsibilities(t - 1)  # γ of iteration t's E-step, computed under params[t − 1]
        if i % 2 == 1:
            return Frame(i, "E", t, self.params[t - 1], None, resp, float(self.log_likelihoods[t - 1]), t - 1,
                         self.init)
        return Frame(i, "M", t, self.params[t], self.params[t - 1], resp, float(self.log_likelihoods[t]), t,
                     self.init)

    def frames(self) -> Iterator[Frame]:
        """All frames in order: init, E1, M1, E2, M2, ..."""
        for i in range(self.n_frames):
            yield self.frame(i)

    __iter__ = frames


def fit_em(
    X,
    n_components: int,
    *,
    init: str = "kmeans",
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    random_state: int | np.random.Generator | None = None,
    params: GMMParams | None = None,
) -> EMHistory:
    """Run EM and keep every step.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        A 1-D array is read as n one-dimensional points.
    n_components : int
        K.
    init : {'kmeans', 'kmeans++', 'random'}, default='kmeans'
        Start from :func:`init_params` with this method (ignored when ``params`` is given).
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
    max_iter : int, default=100
        At most this many EM iterations (each one E-step and one M-step); 0 returns the start.
    tol : float, default=1e-3
        Stop when the gain in the *mean* per-point log-likelihood, |ln p(X)_t − ln p(X)_{t−1}| / n,
        falls below ``tol``: scikit-learn's rule, so the same ``tol`` means the same thing in both.
        ``tol=0`` always runs ``max_iter`` iterations.
    reg_covar : float, default=1e-6
        Added to the diagonal of the covariances at every M-step.
    random_state : int, numpy Generator or None
        Seed for the initialisation.
    params : GMMParams, optional
        Start from these parameters instead (K and covariance type must agree).

    Returns
    -------
    EMHistory
    """
    if type(X).__module__.split(".")[0] == "dask":  # larger than memory: the same EM, chunk by chunk
        from .chunked import fit_em_chunked
        return fit_em_chunked(X, n_components, init=init, covariance_type=covariance_type, max_iter=max_iter,
                              tol=tol, reg_covar=reg_covar, random_state=random_state, params=params)
    # The history keeps its own read-only copy: frames recompute γ from it, so later edits to the
    # caller's array (X += noise in a notebook) must not change them.
    X = np.array(check_array(X), order="C")
    X.setflags(write=False)
    k = check_n_components(n_components, X)
    covariance_type = check_covariance_type(covariance_type)
    reg_covar = check_reg_covar(reg_covar)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_number(tol, "tol", minimum=0.0)
    if params is None:
        seed = as_seed(random_state)
        params = _identity_params(_initial_means(X, k, _check_init(init, "params="), seed), covariance_type)
        init_name = init
    else:
        params = check_params(params, X.shape[1])
        if params.n_components != k or params.covariance_type != covariance_type:
            raise ValueError(
                f"params has K={params.n_components}, covariance_type={params.covariance_type!r} but fit_em was "
                f"asked for K={k}, covariance_type={covariance_type!r}: make them agree."
            )
        init_name = "given"

    n = X.shape[0]
    history = [params]
    resp, log_dens = _e_step(X, params)
    lls = [float(log_dens.sum())]
    converged = False
    for _ in range(max_iter):
        params = _m_step(X, resp, covariance_type, reg_covar)
        resp, log_dens = _e_step(X, params)
        history.append(params)
        lls.append(float(log_dens.sum()))
        if abs(lls[-1] - lls[-2]) / n < tol:
            converged = True
            break
    return EMHistory(X, history, lls, converged, init=init_name, reg_covar=reg_covar)
