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
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
from scipy import linalg
from scipy.linalg.blas import dtrmm as _dtrmm

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
    "log_density",
    "log_likelihood",
    "fit_em",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
INIT_METHODS = ("kmeans", "kmeans++", "random")

_LOG_2PI = np.log(2.0 * np.pi)
_KMEANS_PARALLEL_SIZE = 200_000  # n·K above which k-means initialisation may use several threads
# scikit-learn adds this to every N_k so that no division is by exactly zero; we do the same so that
# both implementations produce the same numbers from the same start.
_NK_EPS = 10.0 * np.finfo(np.float64).eps


class EmptyComponentWarning(UserWarning):
    """A component received (almost) no responsibility in an M-step."""


# ---------------------------------------------------------------------------------------------
# Validation (public entry points only)
# ---------------------------------------------------------------------------------------------


def _check_X(X, name: str = "X") -> np.ndarray:
    """Return X as a finite float64 array of shape (n_samples, n_features)."""
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string.")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers with rows of equal length ({exc}).") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}: convert it with "
            f"np.asarray({name}, dtype=float) after removing text or missing entries."
        )
    if arr.ndim == 1:
        arr = arr[:, np.newaxis]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features) or 1-D (n points in 1-D), got {arr.ndim}-D "
            f"with shape {arr.shape}: reshape it, e.g. {name}.reshape(-1, {name}.shape[-1])."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): EM needs at least one point with one feature.")
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"{name} contains NaN or infinite values in {rows.size} row(s) (first: row {rows[0]}): "
            f"drop or impute those rows before fitting."
        )
    return arr


def _check_n_components(n_components, X: np.ndarray) -> int:
    if isinstance(n_components, bool) or not isinstance(n_components, numbers.Integral):
        raise TypeError(f"K (n_components) must be an integer, got {n_components!r}.")
    k = int(n_components)
    if k < 1:
        raise ValueError(f"K (n_components) must be at least 1, got {k}.")
    n = X.shape[0]
    if k > n:
        raise ValueError(f"X has {n} points but K={k} components: lower K or add points.")
    n_distinct = np.unique(X, axis=0).shape[0]
    if k > n_distinct:
        raise ValueError(
            f"X has only {n_distinct} distinct point(s) but K={k} components: lower K to at most "
            f"{n_distinct} or add different points."
        )
    return k


def _check_covariance_type(covariance_type) -> str:
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"Unknown covariance_type {covariance_type!r}: use one of {', '.join(map(repr, COVARIANCE_TYPES))}."
        )
    return covariance_type


def _check_reg_covar(reg_covar) -> float:
    if isinstance(reg_covar, bool) or not isinstance(reg_covar, numbers.Real) or not np.isfinite(reg_covar):
        raise TypeError(f"reg_covar must be a finite number, got {reg_covar!r}.")
    if reg_covar < 0:
        raise ValueError(f"reg_covar must be non-negative, got {reg_covar}: use 0 or a small positive value like 1e-6.")
    return float(reg_covar)


def _check_resp(resp, n_samples: int, n_components: int | None = None, name: str = "resp") -> np.ndarray:
    """Responsibilities (or any distribution q over components) of shape (n_samples, K), rows summing to 1."""
    resp = np.asarray(resp, dtype=np.float64)
    k = "K" if n_components is None else n_components
    if resp.ndim != 2 or resp.shape[0] != n_samples or n_components not in (None, resp.shape[1]):
        raise ValueError(
            f"{name} must have shape (n_samples, K) = ({n_samples}, {k}), got {resp.shape}: "
            f"pass the responsibilities returned by e_step(X, params)."
        )
    if not np.all(np.isfinite(resp)) or (resp < 0).any():
        raise ValueError(f"{name} must hold finite, non-negative responsibilities.")
    sums = resp.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if bad.size:
        raise ValueError(
            f"Rows of {name} must sum to 1; row {bad[0]} sums to {sums[bad[0]]:.6g}. "
            f"Normalise each row: {name} / {name}.sum(axis=1, keepdims=True)."
        )
    return resp


def _as_seed(random_state) -> int | None:
    """An int seed for scikit-learn from None, an int or a NumPy Generator."""
    if random_state is None:
        return None
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    raise TypeError(f"random_state must be None, an int or a numpy Generator, got {random_state!r}.")


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------


def _compute_precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    """Cholesky factor P of each precision matrix, as scikit-learn stores it (Σ⁻¹ = P Pᵀ).

    Raises ValueError naming the component when a covariance is not positive definite.
    """
    if covariance_type in ("full", "tied"):
        covs = covariances[np.newaxis] if covariance_type == "tied" else covariances
        prec = np.empty_like(covs)
        for k, cov in enumerate(covs):
            try:
                cov_chol = linalg.cholesky(cov, lower=True)
            except linalg.LinAlgError:
                which = "tied covariance" if covariance_type == "tied" else f"covariance of component {k}"
                raise ValueError(
                    f"The {which} is not positive definite (singular or collapsed): "
                    f"increase reg_covar or lower K."
                ) from None
            # P = (L⁻¹)ᵀ by LAPACK's triangular inverse. Not solve_triangular(L, I) as scikit-learn does:
            # that goes through OpenBLAS's threaded TRSM, which wakes its worker threads even for a
            # 2×2 matrix and costs 0.1-10 ms per call on a busy machine (more than a whole E-step).
            inv, _ = linalg.lapack.dtrtri(cov_chol, lower=1)
            prec[k] = inv.T
        return prec[0] if covariance_type == "tied" else prec
    if np.any(covariances <= 0.0):
        raise ValueError(
            f"{covariance_type} variances must be positive, got min {covariances.min():.3g}: "
            f"increase reg_covar or lower K."
        )
    return 1.0 / np.sqrt(covariances)


def _log_det_precision_cholesky(prec_chol: np.ndarray, covariance_type: str, n_features: int) -> np.ndarray:
    """ln det(P_k) for each component, from the diagonal of the Cholesky factor (no determinant)."""
    if covariance_type == "full":
        return np.sum(np.log(np.diagonal(prec_chol, axis1=1, axis2=2)), axis=1)
    if covariance_type == "tied":
        return np.sum(np.log(np.diag(prec_chol)))
    if covariance_type == "diag":
        return np.sum(np.log(prec_chol), axis=1)
    return n_features * np.log(prec_chol)


def _full_from(covariances: np.ndarray, covariance_type: str, n_components: int, n_features: int) -> np.ndarray:
    if covariance_type == "full":
        return covariances.copy()
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features)).copy()
    if covariance_type == "diag":
        return np.einsum("kd,de->kde", covariances, np.eye(n_features))
    return covariances[:, np.newaxis, np.newaxis] * np.eye(n_features)


def _expected_cov_shape(covariance_type: str, k: int, d: int) -> tuple[int, ...]:
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]


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
        covariance_type = _check_covariance_type(self.covariance_type)
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
        expected = _expected_cov_shape(covariance_type, k, d)
        if covs.shape != expected:
            raise ValueError(
                f"covariances for covariance_type={covariance_type!r} must have shape {expected}, got {covs.shape}."
            )
        if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"weights must be non-negative and sum to 1, got sum {weights.sum():.6g}: "
                f"divide them by their sum."
            )
        if covariance_type in ("full", "tied"):
            scale = max(np.abs(covs).max(), np.finfo(float).tiny)
            if not np.allclose(covs, np.swapaxes(covs, -1, -2), rtol=0, atol=1e-10 * scale):
                raise ValueError("covariances must be symmetric: use (S + S.T) / 2.")
        prec_chol = _compute_precision_cholesky(covs, covariance_type)
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
        return _full_from(self.covariances, self.covariance_type, self.n_components, self.n_features)

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
    if isinstance(weight, bool) or not isinstance(weight, numbers.Real) or not 0 < weight < 1:
        raise ValueError(f"weight must be a number strictly between 0 and 1, got {weight!r}.")
    cov_type, d = params.covariance_type, params.n_features
    if cov_type == "tied":
        raise ValueError(
            "A 'tied' mixture shares one covariance between all components, so a new component "
            "cannot have its own: use GMMParams(params.weights, params.means, "
            "params.full_covariances(), 'full') first."
        )
    try:
        mean = np.asarray(mean, dtype=np.float64)
        cov = np.asarray(covariance, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError("mean and covariance must be numbers or arrays of numbers.") from None
    if mean.shape not in ((d,), (1, d)):
        raise ValueError(f"mean must have shape ({d},) like the mixture's means, got {mean.shape}.")
    if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(cov)):
        raise ValueError("mean and covariance must be finite (no NaN or infinity).")
    if cov.ndim == 0:
        if not cov > 0:
            raise ValueError(f"the variance σ² must be positive, got {float(cov):g}.")
        cov = {"full": cov * np.eye(d), "diag": np.full(d, float(cov)), "spherical": cov}[cov_type]
    expected = _expected_cov_shape(cov_type, 1, d)[1:]
    if cov.shape != expected:
        what = {"full": f"a ({d}, {d}) matrix", "diag": f"{d} variances",
                "spherical": "one variance"}[cov_type]
        raise ValueError(
            f"covariance for covariance_type={cov_type!r} must be {what} (shape {expected}) or a "
            f"single number σ² for σ² I, got shape {cov.shape}."
        )
    if cov_type == "full":
        if not np.allclose(cov, cov.T, rtol=0, atol=1e-10 * max(np.abs(cov).max(), np.finfo(float).tiny)):
            raise ValueError("the new component's covariance must be symmetric: use (S + S.T) / 2.")
        smallest = float(np.linalg.eigvalsh(cov).min())
        if not smallest > 0:
            raise ValueError(
                f"the new component's covariance must be positive definite (every eigenvalue > 0), "
                f"its smallest eigenvalue is {smallest:.3g}."
            )
    elif not np.all(cov > 0):
        raise ValueError(f"the new component's variances must be positive, got min {float(cov.min()):.3g}.")
    weights = np.append((1.0 - float(weight)) * params.weights, float(weight))
    means = np.vstack([params.means, mean.reshape(1, d)])
    covs = np.concatenate([params.covariances, cov[np.newaxis]])
    try:
        return GMMParams(weights, means, covs, cov_type)
    except ValueError as exc:  # the new covariance is not symmetric positive definite
        raise ValueError(f"The new component's covariance is not valid: {exc}") from None


def _identity_params(means: np.ndarray, covariance_type: str) -> GMMParams:
    """Equal weights 1/K and identity covariances around the given means (the course's start)."""
    k, d = means.shape
    covs = {
        "full": np.broadcast_to(np.eye(d), (k, d, d)),
        "tied": np.eye(d),
        "diag": np.ones((k, d)),
        "spherical": np.ones(k),
    }[covariance_type]
    return GMMParams(np.full(k, 1.0 / k), means, covs, covariance_type)


def init_params(
    X,
    n_components: int,
    method: str = "kmeans",
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
    method : {'kmeans', 'kmeans++', 'random'}, default='kmeans'
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
    X = _check_X(X)
    k = _check_n_components(n_components, X)
    covariance_type = _check_covariance_type(covariance_type)
    if means is not None:
        means = _check_X(means, "means")
        if means.shape != (k, X.shape[1]):
            raise ValueError(
                f"means must have shape (K, d) = ({k}, {X.shape[1]}), got {means.shape}: "
                f"give one mean per component, each with {X.shape[1]} coordinate(s)."
            )
        return _identity_params(means, covariance_type)
    if method not in INIT_METHODS:
        raise ValueError(f"Unknown init method {method!r}: use one of {', '.join(map(repr, INIT_METHODS))} or pass means=.")
    return _identity_params(_initial_means(X, k, method, _as_seed(random_state)), covariance_type)


def _initial_means(X: np.ndarray, k: int, method: str, seed: int | None) -> np.ndarray:
    if method == "kmeans":
        from sklearn.cluster import KMeans
        from threadpoolctl import threadpool_limits

        # On the course's small data sets, OpenMP threads cost more than they save, and on a busy
        # machine their spin-waiting made a 272-point k-means take a second instead of 15 ms.
        threads = None if X.shape[0] * k > _KMEANS_PARALLEL_SIZE else 1
        with threadpool_limits(limits=threads, user_api="openmp"):
            return KMeans(n_clusters=k, n_init=4, random_state=seed).fit(X).cluster_centers_
    if method == "kmeans++":
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
    log_det = _log_det_precision_cholesky(prec, cov_type, d)
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


def _check_params_for(X: np.ndarray, params) -> GMMParams:
    if not isinstance(params, GMMParams):
        raise TypeError(f"params must be a GMMParams, got {type(params).__name__}: build one with init_params(X, K).")
    if params.n_features != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} feature(s) but the parameters have {params.n_features}: "
            f"use parameters fitted on data of the same dimension."
        )
    return params


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
    X = _check_X(X)
    params = _check_params_for(X, params)
    resp, log_dens = _e_step(X, params)
    return resp, float(log_dens.sum())


def log_density(X, params: GMMParams) -> np.ndarray:
    """ln p(x_n) = ln Σ_k π_k N(x_n | μ_k, Σ_k) for each point, shape (n_samples,)."""
    X = _check_X(X)
    params = _check_params_for(X, params)
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
    full = covariance_type in ("full", "tied")
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
    if covariance_type == "full":
        covs = scatter / nk[:, np.newaxis, np.newaxis]
    elif covariance_type == "tied":
        covs = scatter.sum(axis=0) / nk.sum()
    else:
        covs = scatter / nk[:, np.newaxis]
        if covariance_type == "spherical":
            covs = covs.mean(axis=1)
    if empty.any() and covariance_type != "tied":
        data_cov = np.atleast_2d(np.cov(X, rowvar=False, bias=True))
        fill = {"full": data_cov, "diag": np.diag(data_cov), "spherical": np.diag(data_cov).mean()}
        covs[empty] = fill[covariance_type]
    if covariance_type in ("full", "tied"):
        covs = (covs + np.swapaxes(covs, -1, -2)) / 2  # exact symmetry, lost to rounding in Y Yᵀ
        covs[..., np.arange(d), np.arange(d)] += reg_covar
    else:
        covs = covs + reg_covar
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
    X = _check_X(X)
    resp = _check_resp(resp, X.shape[0])
    return _m_step(X, resp, _check_covariance_type(covariance_type), _check_reg_covar(reg_covar))


# ---------------------------------------------------------------------------------------------
# The fit loop and its history
# ---------------------------------------------------------------------------------------------


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
    resp : ndarray of shape (n_samples, K) or None
        The responsibilities computed by this iteration's E-step (the ones its M-step used);
        None for the initialisation, where no point has been assigned yet.
    log_likelihood : float
        ln p(X) under ``params``.
    description : str
        One line for a title.
    """

    index: int
    kind: str
    iteration: int
    params: GMMParams
    resp: np.ndarray | None
    log_likelihood: float
    description: str


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
    """

    def __init__(self, X, params, log_likelihoods, converged, *, init="given", tol=1e-3, reg_covar=1e-6):
        self.X = X
        self.params = tuple(params)
        self.log_likelihoods = np.asarray(log_likelihoods, dtype=float)
        self.log_likelihoods.setflags(write=False)
        self.converged = bool(converged)
        self.init = init
        self.tol = tol
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

    def frame_kinds(self) -> list[tuple[str, int]]:
        """(kind, iteration) of every frame, without computing any responsibilities."""
        return [("init", 0)] + [(kind, t) for t in range(1, self.n_iter + 1) for kind in ("E", "M")]

    def frame_log_likelihoods(self) -> np.ndarray:
        """ln p(X) shown at each frame, shape (n_frames,): ll[0], then ll[t-1] (E) and ll[t] (M) for each t."""
        ll = self.log_likelihoods
        return np.concatenate([ll[:1], np.column_stack([ll[:-1], ll[1:]]).ravel()])

    def frame(self, i: int) -> Frame:
        """The i-th frame: 0 is the start, then E and M of iteration 1, E and M of iteration 2, ..."""
        i = range(self.n_frames)[i]
        if i == 0:
            start = {"given": "the given start"}.get(self.init, f"{self.init} means")
            return Frame(0, "init", 0, self.params[0], None, float(self.log_likelihoods[0]),
                         f"Start: {start}, π_k = 1/K, Σ_k = I" if self.init != "given" else "Start: given parameters")
        t = (i + 1) // 2
        resp = self.responsibilities(t - 1)
        if i % 2 == 1:
            return Frame(i, "E", t, self.params[t - 1], resp, float(self.log_likelihoods[t - 1]),
                         f"Iteration {t}, E-step: responsibilities γ recomputed (colours change)")
        return Frame(i, "M", t, self.params[t], resp, float(self.log_likelihoods[t]),
                     f"Iteration {t}, M-step: π, μ, Σ re-estimated (ellipses move)")

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
    X = np.array(_check_X(X), order="C")
    X.setflags(write=False)
    k = _check_n_components(n_components, X)
    covariance_type = _check_covariance_type(covariance_type)
    reg_covar = _check_reg_covar(reg_covar)
    if isinstance(max_iter, bool) or not isinstance(max_iter, numbers.Integral):
        raise TypeError(f"max_iter must be an integer, got {max_iter!r}.")
    if max_iter < 0:
        raise ValueError(f"max_iter must be 0 or more, got {max_iter}.")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}.")
    if params is None:
        if init not in INIT_METHODS:
            raise ValueError(f"Unknown init method {init!r}: use one of {', '.join(map(repr, INIT_METHODS))} or pass params=.")
        params = _identity_params(_initial_means(X, k, init, _as_seed(random_state)), covariance_type)
        init_name = init
    else:
        params = _check_params_for(X, params)
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
    return EMHistory(X, history, lls, converged, init=init_name, tol=tol, reg_covar=reg_covar)
