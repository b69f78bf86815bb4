"""The parameters θ = (π, μ, Σ) of a Gaussian mixture: :class:`GMMParams`, in scikit-learn's shapes.

One frozen dataclass carries them everywhere (the E- and M-steps, the pictures, the explorers), with
the Cholesky factors of the precisions that every density uses, and converts to and from a fitted
:class:`sklearn.mixture.GaussianMixture`. :func:`check_params` is the one check that a value is such
parameters for data of a given dimension.

It sits below :mod:`gmmviz.em` (which computes with it) and above the covariance types' rules
(:mod:`gmmviz._covariance`) and the input checks (:mod:`gmmviz._validation`), which it uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _covariance as cov
from ._types import FloatArray
from ._validation import check_mixture

if TYPE_CHECKING:
    from sklearn.mixture import GaussianMixture

__all__ = ["GMMParams", "check_params"]


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

    weights: FloatArray
    means: FloatArray
    covariances: FloatArray
    covariance_type: str = "full"
    precisions_cholesky: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        weights, means, covs, covariance_type = check_mixture(
            self.weights, self.means, self.covariances, self.covariance_type
        )
        object.__setattr__(self, "covariance_type", covariance_type)
        self._set(weights, means, covs, cov.precision_cholesky(covs, covariance_type))

    def _set(
        self, weights: FloatArray, means: FloatArray, covariances: FloatArray, prec_chol: FloatArray
    ) -> None:
        for name, arr in (
            ("weights", weights),
            ("means", means),
            ("covariances", covariances),
            ("precisions_cholesky", prec_chol),
        ):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @classmethod
    def _trusted(
        cls, weights: FloatArray, means: FloatArray, covariances: FloatArray, covariance_type: str
    ) -> GMMParams:
        """Parameters computed by the M-step from valid input: no checks except the Cholesky
        factorisation (which still names a component that is not positive definite). The arrays
        are new float64 arrays owned by the caller, so they are not copied."""
        self = object.__new__(cls)
        object.__setattr__(self, "covariance_type", covariance_type)
        self._set(weights, means, covariances, cov.precision_cholesky(covariances, covariance_type))
        return self

    @property
    def n_components(self) -> int:
        """K, the number of components."""
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        """d, the dimension of the data."""
        return int(self.means.shape[1])

    def full_covariances(self) -> FloatArray:
        """Σ_k as an array of shape (K, d, d), whatever the covariance type."""
        return cov.to_full(self.covariances, self.covariance_type, self.n_components, self.n_features)

    def __repr__(self) -> str:
        return (
            f"GMMParams(K={self.n_components}, d={self.n_features}, covariance_type={self.covariance_type!r}, "
            f"weights={np.array2string(self.weights, precision=3)})"
        )

    @classmethod
    def from_sklearn(cls, gm: GaussianMixture) -> GMMParams:
        """Parameters of a fitted :class:`sklearn.mixture.GaussianMixture`."""
        if not hasattr(gm, "means_"):
            raise ValueError("The GaussianMixture is not fitted yet: call gm.fit(X) first.")
        return cls(gm.weights_, gm.means_, gm.covariances_, gm.covariance_type)

    def to_sklearn(self) -> GaussianMixture:
        """A fitted-looking :class:`sklearn.mixture.GaussianMixture` with these parameters.

        Its ``score``, ``predict``, ``predict_proba`` and ``sample`` work as after ``fit``.
        """
        from sklearn.mixture import GaussianMixture

        gm = GaussianMixture(n_components=self.n_components, covariance_type=self.covariance_type)
        gm.weights_ = np.array(self.weights)
        gm.means_ = np.array(self.means)
        gm.covariances_ = np.array(self.covariances)
        gm.precisions_cholesky_ = np.array(self.precisions_cholesky)
        gm.precisions_ = cov.precisions(self.precisions_cholesky, self.covariance_type)
        gm.converged_ = True
        gm.n_iter_ = 0
        gm.lower_bound_ = -np.inf
        gm.n_features_in_ = self.n_features
        return gm


def check_params(params: Any, n_features: int) -> GMMParams:
    """``params`` is a :class:`GMMParams` for data with ``n_features`` features (TypeError or ValueError)."""
    if not isinstance(params, GMMParams):
        raise TypeError(
            f"params must be a GMMParams, got {type(params).__name__}: build one with init_params(X, K)."
        )
    if params.n_features != n_features:
        raise ValueError(
            f"X has {n_features} feature(s) but the parameters have {params.n_features}: "
            f"use parameters fitted on data of the same dimension."
        )
    return params
