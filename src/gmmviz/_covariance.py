"""Everything that depends on the covariance type, in one place.

scikit-learn's four covariance types, with its array shapes (K components, d features):

=============  ===========  ==============================================================
type           shape        Σ_k
=============  ===========  ==============================================================
'full'         (K, d, d)    any symmetric positive definite matrix per component
'tied'         (d, d)       one matrix shared by all components
'diag'         (K, d)       a diagonal matrix per component (the d variances are stored)
'spherical'    (K,)         σ_k² I per component (the variance σ_k² is stored)
=============  ===========  ==============================================================

Each type-dependent piece is one small function per type, chosen from a table (as in
``sklearn/mixture/_gaussian_mixture.py``):

* the Cholesky factor P_k of the precision Σ_k⁻¹ = P_k P_kᵀ (:func:`precision_cholesky`),
* ln det P_k = −½ ln det Σ_k from its diagonal (:func:`log_det_cholesky`),
* the squared Mahalanobis distance ‖P_kᵀ(x_n − μ_k)‖² (:func:`squared_mahalanobis`),
* the M-step estimate of Σ_k from the weighted scatter S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ
  (:func:`scatter`, :func:`covariances_from_scatter`),

plus shapes and counts (:func:`covariance_shape`, :func:`n_free_parameters`), conversions
(:func:`to_full`, :func:`add_reg_covar`), the parking of an empty component (:func:`fill_empty`),
the check of one new component's covariance (:func:`component_covariance`) and the number every
message gives a component, 1..K as in the pictures (:func:`component_number`).

The Mahalanobis and scatter functions here are the plain NumPy versions, written to be read. The E-
and M-steps call them through :mod:`gmmviz._fast`, which uses them as they are for small problems and
computes the same numbers in cache-sized blocks for large ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, SupportsIndex, cast

import numpy as np
from scipy import linalg

from ._types import BoolArray, FloatArray

__all__ = [
    "COVARIANCE_TYPES",
    "NK_EPS",
    "EmptyComponentWarning",
    "add_reg_covar",
    "component_covariance",
    "component_number",
    "covariance_shape",
    "covariances_from_scatter",
    "empty_components",
    "fill_empty",
    "identity",
    "log_det_cholesky",
    "n_free_parameters",
    "needs_full_scatter",
    "precision_cholesky",
    "precisions",
    "scatter",
    "squared_mahalanobis",
    "to_full",
]

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def component_number(k: SupportsIndex) -> int:
    """The number a message gives the component at 0-based index ``k``: ``k + 1``.

    Every picture of the course numbers the components 1..K (π_1 .. π_K, component 1 blue), so
    every message does too: ``covariances[2]`` is "component 3" and "Σ_3". Array positions
    (``resp[n, k]``, ``perm[k]``) stay 0-based, as NumPy counts. It lives here, in the module
    every other one imports, so that all messages share the rule.
    """
    return int(k) + 1


# ---------------------------------------------------------------------------------------------
# Shapes and conversions
# ---------------------------------------------------------------------------------------------


def covariance_shape(covariance_type: str, n_components: int, n_features: int) -> tuple[int, ...]:
    """The shape of ``covariances`` for this type, K components and d features."""
    k, d = n_components, n_features
    return {"full": (k, d, d), "tied": (d, d), "diag": (k, d), "spherical": (k,)}[covariance_type]


def n_free_parameters(covariance_type: str, n_components: int, n_features: int) -> int:
    """How many free numbers the covariances hold (a symmetric d×d matrix has d(d+1)/2)."""
    k, d = n_components, n_features
    return {"full": k * d * (d + 1) // 2, "tied": d * (d + 1) // 2, "diag": k * d, "spherical": k}[
        covariance_type
    ]


def identity(covariance_type: str, n_components: int, n_features: int) -> FloatArray:
    """Σ_k = I for every component, in the type's shape."""
    k, d = n_components, n_features
    make: dict[str, Callable[[], FloatArray]] = {
        "full": lambda: np.broadcast_to(np.eye(d), (k, d, d)).copy(),
        "tied": lambda: np.eye(d),
        "diag": lambda: np.ones((k, d)),
        "spherical": lambda: np.ones(k),
    }
    return make[covariance_type]()


def to_full(covariances: FloatArray, covariance_type: str, n_components: int, n_features: int) -> FloatArray:
    """Σ_k as a new (K, d, d) array, whatever the covariance type."""
    covariances = np.asarray(covariances, dtype=np.float64)
    eye = np.eye(n_features)
    convert: dict[str, Callable[[FloatArray], FloatArray]] = {
        "full": lambda c: c.reshape(n_components, n_features, n_features).copy(),
        "tied": lambda c: np.repeat(c.reshape(1, n_features, n_features), n_components, axis=0),
        "diag": lambda c: c.reshape(n_components, n_features)[:, :, np.newaxis] * eye,
        "spherical": lambda c: c.reshape(n_components, 1, 1) * eye,
    }
    return convert[covariance_type](covariances)


def add_reg_covar(covariances: FloatArray, covariance_type: str, reg_covar: float) -> FloatArray:
    """A new array: ``covariances`` with ``reg_covar`` added to every variance (the diagonal of Σ_k)."""
    return _add_reg_covar_in_place(np.array(covariances, dtype=np.float64), covariance_type, reg_covar)


def _add_reg_covar_in_place(covs: FloatArray, covariance_type: str, reg_covar: float) -> FloatArray:
    if needs_full_scatter(covariance_type):  # matrices: add to the diagonal only
        np.einsum("...ii->...i", covs)[...] += reg_covar  # a writable view of every diagonal
    else:  # variances are the diagonal
        covs += reg_covar
    return covs


def needs_full_scatter(covariance_type: str) -> bool:
    """Whether Σ_k is a full matrix ('full', 'tied'), so the M-step needs the full scatter S_k
    rather than only its diagonal ('diag', 'spherical')."""
    return covariance_type in ("full", "tied")


# ---------------------------------------------------------------------------------------------
# Precision Cholesky factors and log-determinants
# ---------------------------------------------------------------------------------------------


def _precision_cholesky_matrices(covs: FloatArray, what: Callable[[int], str]) -> FloatArray:
    """P_k = (L_k⁻¹)ᵀ for each Σ_k = L_k L_kᵀ, so that Σ_k⁻¹ = P_k P_kᵀ (upper triangular P_k)."""
    prec = np.empty_like(covs)
    for k, cov in enumerate(covs):
        # LAPACK directly (potrf: Cholesky, trtri: triangular inverse): scipy.linalg.cholesky's input
        # checks cost more than the factorisation of a small matrix. Not solve_triangular(L, I) as
        # scikit-learn does: that goes through OpenBLAS's threaded TRSM, which wakes its worker
        # threads even for a 2×2 matrix and costs 0.1-10 ms per call on a busy machine.
        cov_chol, info = linalg.lapack.dpotrf(cov, lower=1, clean=1)
        if info != 0:
            raise ValueError(
                f"The {what(k)} is not positive definite (singular or collapsed): increase reg_covar or lower K."
            )
        inv, _ = linalg.lapack.dtrtri(cov_chol, lower=1)
        prec[k] = inv.T
    return prec


def _precision_cholesky_full(covs: FloatArray) -> FloatArray:
    return _precision_cholesky_matrices(covs, lambda k: f"covariance of component {component_number(k)}")


def _precision_cholesky_tied(cov: FloatArray) -> FloatArray:
    # (cast: NumPy's stubs type an integer index as Any)
    return cast(FloatArray, _precision_cholesky_matrices(cov[np.newaxis], lambda k: "tied covariance")[0])


def _precision_cholesky_variances(covariance_type: str) -> Callable[[FloatArray], FloatArray]:
    def precision_cholesky_of_variances(variances: FloatArray) -> FloatArray:
        if np.any(variances <= 0.0):
            raise ValueError(
                f"{covariance_type} variances must be positive, got min {variances.min():.3g}: "
                f"increase reg_covar or lower K."
            )
        return 1.0 / np.sqrt(variances)  # 1/σ: the Cholesky factor of the diagonal precision

    return precision_cholesky_of_variances


_PRECISION_CHOLESKY: dict[str, Callable[[FloatArray], FloatArray]] = {
    "full": _precision_cholesky_full,
    "tied": _precision_cholesky_tied,
    "diag": _precision_cholesky_variances("diag"),
    "spherical": _precision_cholesky_variances("spherical"),
}


def precision_cholesky(covariances: FloatArray, covariance_type: str) -> FloatArray:
    """Cholesky factor P_k of each precision matrix, as scikit-learn stores it (Σ_k⁻¹ = P_k P_kᵀ).

    Same shape as ``covariances``: upper-triangular matrices for 'full'/'tied', 1/σ for
    'diag'/'spherical'. Raises ValueError naming the component when a covariance is not positive
    definite.
    """
    return _PRECISION_CHOLESKY[covariance_type](covariances)


_PRECISIONS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "full": lambda p: np.einsum("kij,klj->kil", p, p),  # P_k P_kᵀ
    "tied": lambda p: p @ p.T,
    "diag": lambda p: p**2,
    "spherical": lambda p: p**2,
}


def precisions(prec_chol: FloatArray, covariance_type: str) -> FloatArray:
    """Σ_k⁻¹ = P_k P_kᵀ from the Cholesky factors, in the type's shape (as scikit-learn's ``precisions_``)."""
    return _PRECISIONS[covariance_type](np.asarray(prec_chol))


_LOG_DET_CHOLESKY: dict[str, Callable[[FloatArray, int], FloatArray | np.float64]] = {
    "full": lambda p, d: np.sum(np.log(np.diagonal(p, axis1=1, axis2=2)), axis=1),
    "tied": lambda p, d: np.sum(np.log(np.diag(p))),
    "diag": lambda p, d: np.sum(np.log(p), axis=1),
    "spherical": lambda p, d: d * np.log(p),
}


def log_det_cholesky(prec_chol: FloatArray, covariance_type: str, n_features: int) -> FloatArray | np.float64:
    """ln det P_k = −½ ln det Σ_k for each component (a scalar for 'tied'), from the diagonal of P_k:
    the determinant of a triangular matrix is the product of its diagonal, so no determinant is formed."""
    return _LOG_DET_CHOLESKY[covariance_type](prec_chol, n_features)


# ---------------------------------------------------------------------------------------------
# Squared Mahalanobis distance (plain versions; gmmviz._fast has the blocked ones)
# ---------------------------------------------------------------------------------------------


def _centred(X: FloatArray, means: FloatArray) -> FloatArray:
    """x_n − μ_k for every component and point, shape (K, d, n): one column per point.

    The difference is taken first: expanding ‖x‖² − 2x·μ + ‖μ‖² instead cancels catastrophically
    far from the origin. Points run along the (contiguous) last axis so that NumPy's loops are long.
    """
    return np.ascontiguousarray(X.T)[np.newaxis] - means[:, :, np.newaxis]


def _squared_norms(y: FloatArray) -> FloatArray:
    """‖y_kn‖² = Σ_j y_kjn² for y of shape (K, d, n), shape (K, n).

    Written as a sum of the d slices: NumPy reduces over a short middle axis about 10× slower.
    """
    out = y[:, 0] ** 2
    for j in range(1, y.shape[1]):
        out += y[:, j] ** 2
    return out


# (The casts below: NumPy's stubs type ``a.T`` as Any.)


def _mahalanobis_full(X: FloatArray, means: FloatArray, prec_chol: FloatArray) -> FloatArray:
    y = np.swapaxes(prec_chol, 1, 2) @ _centred(X, means)  # P_kᵀ(x_n − μ_k)
    return cast(FloatArray, _squared_norms(y).T)


def _mahalanobis_tied(X: FloatArray, means: FloatArray, prec_chol: FloatArray) -> FloatArray:
    y: FloatArray = prec_chol.T @ _centred(X, means)  # the same P for every component
    return cast(FloatArray, _squared_norms(y).T)


def _mahalanobis_diag(X: FloatArray, means: FloatArray, prec_chol: FloatArray) -> FloatArray:
    y = _centred(X, means) * prec_chol[:, :, np.newaxis]  # (x_nj − μ_kj) / σ_kj
    return cast(FloatArray, _squared_norms(y).T)


def _mahalanobis_spherical(X: FloatArray, means: FloatArray, prec_chol: FloatArray) -> FloatArray:
    # ‖x − μ_k‖² / σ_k²
    return cast(FloatArray, (_squared_norms(_centred(X, means)) * (prec_chol**2)[:, np.newaxis]).T)


_MAHALANOBIS: dict[str, Callable[[FloatArray, FloatArray, FloatArray], FloatArray]] = {
    "full": _mahalanobis_full,
    "tied": _mahalanobis_tied,
    "diag": _mahalanobis_diag,
    "spherical": _mahalanobis_spherical,
}


def squared_mahalanobis(
    X: FloatArray, means: FloatArray, prec_chol: FloatArray, covariance_type: str
) -> FloatArray:
    """(x_n − μ_k)ᵀ Σ_k⁻¹ (x_n − μ_k) = ‖P_kᵀ(x_n − μ_k)‖² for every point and component, shape (n, K)."""
    return _MAHALANOBIS[covariance_type](X, means, prec_chol)


# ---------------------------------------------------------------------------------------------
# M-step: covariances from the weighted scatter
# ---------------------------------------------------------------------------------------------


def scatter(X: FloatArray, resp: FloatArray, means: FloatArray, covariance_type: str) -> FloatArray:
    """S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ for every k (plain version).

    Shape (K, d, d) when :func:`needs_full_scatter`, else only its diagonal, (K, d).
    """
    diff = _centred(X, means)  # (K, d, n)
    weighted: FloatArray = diff * resp.T[:, np.newaxis, :]  # γ_nk (x_n − μ_k)
    if needs_full_scatter(covariance_type):
        return weighted @ np.swapaxes(diff, 1, 2)
    return cast(FloatArray, np.sum(weighted * diff, axis=2))  # (cast: NumPy types a sum over an axis as Any)


def _symmetric(a: FloatArray) -> FloatArray:
    return (a + np.swapaxes(a, -1, -2)) / 2  # exact symmetry, lost to rounding in sums of products


def _covariances_full(scatter: FloatArray, nk: FloatArray) -> FloatArray:
    """Σ_k = S_k / N_k."""
    return _symmetric(scatter / nk[:, np.newaxis, np.newaxis])


def _covariances_tied(scatter: FloatArray, nk: FloatArray) -> FloatArray:
    """Σ = Σ_k S_k / N: one covariance pooled over all components."""
    return _symmetric(scatter.sum(axis=0) / nk.sum())


def _covariances_diag(scatter: FloatArray, nk: FloatArray) -> FloatArray:
    """σ²_kj = S_kjj / N_k: the diagonal of the full estimate."""
    return scatter / nk[:, np.newaxis]


def _covariances_spherical(scatter: FloatArray, nk: FloatArray) -> FloatArray:
    """σ²_k = mean over j of S_kjj / N_k: the average variance of the diagonal estimate."""
    return cast(FloatArray, _covariances_diag(scatter, nk).mean(axis=1))  # (NumPy types it as Any)


_COVARIANCES_FROM_SCATTER: dict[str, Callable[[FloatArray, FloatArray], FloatArray]] = {
    "full": _covariances_full,
    "tied": _covariances_tied,
    "diag": _covariances_diag,
    "spherical": _covariances_spherical,
}


def covariances_from_scatter(
    scatter: FloatArray, nk: FloatArray, covariance_type: str, reg_covar: float
) -> FloatArray:
    """The M-step's Σ_k in the type's shape, ``reg_covar`` added to the diagonal.

    Parameters
    ----------
    scatter : ndarray
        S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ: (K, d, d) for 'full'/'tied', its diagonal (K, d)
        for 'diag'/'spherical' (see :func:`needs_full_scatter`).
    nk : ndarray of shape (K,)
        N_k = Σ_n γ_nk.
    covariance_type : str
    reg_covar : float
    """
    covs = _COVARIANCES_FROM_SCATTER[covariance_type](scatter, nk)
    return _add_reg_covar_in_place(covs, covariance_type, reg_covar)


#: scikit-learn adds this to every N_k so that no division is by exactly zero; gmmviz does the same so
#: that both produce the same numbers from the same start.
NK_EPS = 10.0 * np.finfo(np.float64).eps


class EmptyComponentWarning(UserWarning):
    """A component received (almost) no responsibility in an M-step."""


def empty_components(nk: FloatArray, n_points: int) -> BoolArray:
    """Which components are empty: N_k (with ``NK_EPS`` added) below ``NK_EPS · (N + 1)``.

    Such a component's mean and covariance cannot be estimated; it is parked on the data's mean and
    covariance (:func:`fill_empty`) with weight ≈ 0, and an :class:`EmptyComponentWarning` names it
    (the in-memory and the chunked M-step share this rule).
    """
    empty: BoolArray = nk < NK_EPS * (n_points + 1)
    if empty.any():
        numbers = [component_number(k) for k in np.flatnonzero(empty)]
        which = (
            f"Component {numbers[0]}" if len(numbers) == 1 else f"Components {', '.join(map(str, numbers))}"
        )
        warnings.warn(
            f"{which} received no responsibility (N_k ≈ 0): "
            f"parked on the data's mean and covariance with weight ≈ 0. Lower K or try another start.",
            EmptyComponentWarning,
            stacklevel=4,
        )
    return empty


def fill_empty(
    covariances: FloatArray,
    empty: BoolArray,
    covariance_type: str,
    data_covariance: FloatArray,
    reg_covar: float = 0.0,
) -> FloatArray:
    """Park the components flagged in ``empty`` (boolean, shape (K,)) on the data's covariance.

    ``data_covariance`` (the biased (d, d) covariance of the whole data set) plus ``reg_covar`` on
    its diagonal, as every other Σ_k has, converted to the type's shape (its diagonal for
    'diag', the mean of the diagonal for 'spherical'). 'tied' pools all components, so an empty
    one changes nothing there. Returns a new array.
    """
    covs = np.array(covariances, dtype=np.float64)
    if covariance_type == "tied" or not np.any(empty):
        return covs
    data_covariance = add_reg_covar(np.atleast_2d(data_covariance), "tied", reg_covar)
    fill = {
        "full": data_covariance,
        "diag": np.diag(data_covariance),
        "spherical": np.diag(data_covariance).mean(),
    }
    covs[empty] = fill[covariance_type]
    return covs


# ---------------------------------------------------------------------------------------------
# One new component's covariance
# ---------------------------------------------------------------------------------------------


def component_covariance(covariance: Any, covariance_type: str, n_features: int) -> FloatArray:
    """One component's Σ in the type's shape, checked: a number σ² (meaning σ² I) or an array of the
    type's per-component shape, (d, d) for 'full', (d,) for 'diag', () for 'spherical'.

    'tied' mixtures share one covariance, so a component cannot have its own: ValueError.
    """
    d = n_features
    if covariance_type == "tied":
        raise ValueError(
            "A 'tied' mixture shares one covariance between all components, so a new component "
            "cannot have its own: use GMMParams(params.weights, params.means, "
            "params.full_covariances(), 'full') first."
        )
    try:
        cov = np.asarray(covariance, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"the covariance must be a number or an array of numbers, got {covariance!r}."
        ) from None
    if not np.all(np.isfinite(cov)):
        raise ValueError("the covariance must be finite (no NaN or infinity).")
    if cov.ndim == 0:
        if not cov > 0:
            raise ValueError(f"the variance σ² must be positive, got {float(cov):g}.")
        cov = {"full": cov * np.eye(d), "diag": np.full(d, float(cov)), "spherical": cov}[covariance_type]
    expected = covariance_shape(covariance_type, 1, d)[1:]
    if cov.shape != expected:
        what = {"full": f"a ({d}, {d}) matrix", "diag": f"{d} variances", "spherical": "one variance"}[
            covariance_type
        ]
        raise ValueError(
            f"covariance for covariance_type={covariance_type!r} must be {what} (shape {expected}) or a "
            f"single number σ² for σ² I, got shape {cov.shape}."
        )
    if covariance_type == "full":
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
    return cov
