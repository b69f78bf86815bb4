"""EM in general, and MAP-EM for a Gaussian mixture with an inverse-Wishart prior on Σ_k (PRML §9.3-9.4).

General EM for any model p(X, Z | θ) alternates

* E-step: q(Z) = p(Z | X, θ_old), which for a mixture is the responsibilities γ_nk;
* M-step: θ_new = argmax_θ Q(θ, θ_old) + ln p(θ), with Q(θ, θ_old) = E_q[ln p(X, Z | θ)];

and never lowers ln p(X | θ) + ln p(θ) (with a flat prior, ln p(θ) is a constant: plain EM, ln p(X)
never decreases). :func:`run_em` runs that loop for any model, given its E-step, M-step and log-prior: it is
:func:`gmmviz.fit_em`'s own loop (``gmmviz.fit._run``, with its stopping rule), watching ln p(X | θ) + ln p(θ)
instead of ln p(X); :class:`MAPHistory` keeps every θ_t with ln p(X | θ_t) and ln p(θ_t).

For a Gaussian mixture with flat priors on π and μ and an inverse-Wishart prior IW(Σ_k | Ψ, ν) on every
covariance, the M-step keeps π_k = N_k / N and μ_k = Σ_n γ_nk x_n / N_k and changes only Σ_k:

    Σ_k = (S_k + Ψ) / (N_k + ν + d + 1),   S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ,

a weighted average of the maximum-likelihood S_k / N_k (weight N_k) and the prior's mode Ψ / (ν + d + 1)
(weight ν + d + 1, the prior's *pseudo-points*): :func:`map_covariances`, :func:`map_m_step`. With
Ψ_k = N_k · reg_covar · I and ν = −d − 1 the same formula is the M-step of :func:`gmmviz.em.m_step`,
S_k / N_k + reg_covar · I. So reg_covar's M-step is a MAP step, but reg_covar is only approximately a prior:
that "prior" is improper (ν = −d − 1 < d − 1) and its scale grows with N_k, which the E-step changes at
every iteration, so no fixed ln p(X) + ln p(θ) is guaranteed to climb (notebook 11).
:class:`InverseWishartPrior` accepts proper priors only (ν > d − 1).

The statistics N_k, μ_k, S_k (those :func:`gmmviz.em.m_step` starts from, by the same function) and the
E-step are :mod:`gmmviz.em`'s; only the covariance formula is new here. Covariances are 'full'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt
from scipy.special import multigammaln

from . import _covariance as cov
from . import _fast, em, fit
from ._types import FloatArray
from ._validation import check_array, check_int, check_n_components, check_number, check_resp
from .params import GMMParams, check_params

__all__ = [
    "InverseWishartPrior",
    "MAPHistory",
    "component_statistics",
    "fit_map_em",
    "log_prior",
    "map_covariances",
    "map_m_step",
    "objective_upper_bound",
    "run_em",
]

#: The parameters of whatever model :func:`run_em` fits (GMMParams, BernoulliParams, ...).
Params = TypeVar("Params")
#: What a model's E-step hands its M-step (the responsibilities γ for a mixture).
Stats = TypeVar("Stats")


# ---------------------------------------------------------------------------------------------
# General EM: one loop for any model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MAPHistory(Generic[Params]):
    """Every parameter set of one (MAP-)EM run, with ln p(X | θ_t) and ln p(θ_t).

    Attributes
    ----------
    params : tuple
        θ_0 (the start), then θ_t after the M-step of iteration t; length ``n_iter + 1``.
    log_likelihoods : ndarray of shape (n_iter + 1,)
        ln p(X | θ_t), a sum over the points.
    log_priors : ndarray of shape (n_iter + 1,)
        ln p(θ_t) (0 for a flat prior).
    converged : bool
        Whether the stopping rule fired before ``max_iter``.
    """

    params: tuple[Params, ...]
    log_likelihoods: FloatArray
    log_priors: FloatArray
    converged: bool

    @property
    def objectives(self) -> FloatArray:
        """ln p(X | θ_t) + ln p(θ_t): what MAP-EM never lowers (ln p(X) alone when the prior is flat)."""
        return self.log_likelihoods + self.log_priors

    @property
    def n_iter(self) -> int:
        """The number of EM iterations run (each one M-step and one E-step)."""
        return len(self.params) - 1

    @property
    def final(self) -> Params:
        """θ after the last M-step (the start when no iteration ran)."""
        return self.params[-1]


class _ObjectiveEngine(Generic[Params, Stats]):
    """A model's E- and M-step as an engine of :func:`gmmviz.fit_em`'s loop (``gmmviz.fit._run``).

    The loop stops on the gain in what the engine's E-step reports; this one reports ln p(X | θ) + ln p(θ)
    and records the two parts, one pair per state, in the order the loop visits the states.
    """

    def __init__(
        self,
        e_step: Callable[[Params], tuple[Stats, float]],
        m_step: Callable[[Stats], Params],
        log_prior: Callable[[Params], float],
        n_samples: int,
    ) -> None:
        self._e_step, self._m_step, self._log_prior = e_step, m_step, log_prior
        self.n_samples = n_samples
        self.log_likelihoods: list[float] = []
        self.log_priors: list[float] = []

    def e_step(self, params: Params) -> tuple[Stats, float]:
        stats, log_likelihood = self._e_step(params)
        log_prior = float(self._log_prior(params))
        self.log_likelihoods.append(float(log_likelihood))
        self.log_priors.append(log_prior)
        return stats, self.log_likelihoods[-1] + log_prior

    def m_step(self, stats: Stats, covariance_type: str, reg_covar: float) -> Params:
        # covariance_type and reg_covar are the loop's Gaussian settings: this model's M-step has its own
        return self._m_step(stats)


def run_em(
    start: Params,
    e_step: Callable[[Params], tuple[Stats, float]],
    m_step: Callable[[Stats], Params],
    log_prior: Callable[[Params], float] | None = None,
    *,
    n_samples: int,
    max_iter: int = 100,
    tol: float = 1e-3,
) -> MAPHistory[Params]:
    """General (MAP-)EM from ``start``: M-step, E-step, ... until the objective stops rising.

    The loop is :func:`gmmviz.fit_em`'s (``gmmviz.fit._run``), with its stopping rule applied to
    ln p(X | θ) + ln p(θ).

    Parameters
    ----------
    start : parameters
        θ_0, of any model.
    e_step : callable θ -> (stats, ln p(X | θ))
        What the M-step needs under θ (for a mixture: γ = p(Z | X, θ)), and ln p(X | θ).
    m_step : callable stats -> θ
        argmax_θ Q(θ, θ_old) + ln p(θ) given the E-step's stats.
    log_prior : callable θ -> float, optional
        ln p(θ); None is a flat prior (0): plain EM.
    n_samples : int
        N, for the stopping rule.
    max_iter : int, default=100
    tol : float, default=1e-3
        Stop when the objective ln p(X | θ) + ln p(θ) gains less than ``tol`` per point,
        |Δ| / N < tol (as :func:`gmmviz.fit_em`'s rule for ln p(X)); 0 runs ``max_iter`` iterations.
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_number(tol, "tol", minimum=0.0)
    engine = _ObjectiveEngine(e_step, m_step, log_prior if log_prior is not None else (lambda _: 0.0), n)
    # BLAS on one thread: many small products, where a busy machine's threads cost more than they give
    # (measured: 100 iterations of the digits' Bernoulli mixture 0.15 s against 0.7-1.3 s on two busy cores).
    # The loop is typed for Gaussian mixtures but reads nothing of θ: any model's parameters go through it.
    with _fast.one_blas_thread():
        states, _, converged = fit._run(cast(Any, engine), cast(Any, start), "full", 0.0, max_iter, tol)
    lls, lps = np.array(engine.log_likelihoods), np.array(engine.log_priors)
    lls.setflags(write=False)
    lps.setflags(write=False)
    return MAPHistory(tuple(cast(list[Params], states)), lls, lps, converged)


# ---------------------------------------------------------------------------------------------
# The inverse-Wishart prior on a covariance matrix
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class InverseWishartPrior:
    """A proper inverse-Wishart prior IW(Σ | Ψ, ν) on every component's covariance Σ_k.

    ln IW(Σ | Ψ, ν) = ½ν ln det Ψ − ½νd ln 2 − ln Γ_d(ν/2) − ½(ν + d + 1) ln det Σ − ½ tr(Ψ Σ⁻¹)
    (scipy.stats.invwishart(df=ν, scale=Ψ)). Its mode is Ψ / (ν + d + 1).

    Parameters
    ----------
    scale : array-like of shape (d, d)
        Ψ, symmetric positive definite.
    dof : float
        ν, the degrees of freedom: greater than d − 1, or the density does not integrate to 1.
    """

    scale: FloatArray
    dof: float

    def __post_init__(self) -> None:
        try:
            shape = np.shape(self.scale)
        except (TypeError, ValueError):  # ragged lists
            shape = ()
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(
                f"scale (Ψ) must be a square (d, d) matrix, got shape {shape}: e.g. 0.5 * np.eye(d) for d features."
            )
        scale = check_array(self.scale, "scale (Ψ)")  # real, finite numbers
        d = scale.shape[1]
        if not np.allclose(scale, scale.T, rtol=0, atol=1e-10 * np.abs(scale).max()):
            raise ValueError("scale (Ψ) must be symmetric: use (Psi + Psi.T) / 2.")
        smallest = float(np.linalg.eigvalsh(scale).min())
        if not smallest > 0:
            raise ValueError(
                f"scale (Ψ) must be positive definite, its smallest eigenvalue is {smallest:.3g}: "
                f"e.g. a positive multiple of np.eye({d})."
            )
        dof = check_number(
            self.dof,
            "dof (ν)",
            minimum=d - 1.0,
            strict=True,
            hint=f": an inverse-Wishart prior in d = {d} dimensions is proper only for ν > d − 1 = {d - 1} "
            f"(ν = d + 2 = {d + 2} is a common weak choice)",
        )
        scale = np.array(scale)  # a copy of the caller's array, made read-only
        scale.setflags(write=False)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "dof", dof)

    @property
    def n_features(self) -> int:
        """d, the dimension of the covariances."""
        return int(self.scale.shape[0])

    @property
    def pseudo_points(self) -> float:
        """ν + d + 1: how many points the prior counts for in the M-step's average."""
        return self.dof + self.n_features + 1

    @property
    def mode(self) -> FloatArray:
        """Ψ / (ν + d + 1), the most probable covariance under the prior."""
        return self.scale / self.pseudo_points

    def _log_normaliser(self) -> float:
        """½ν ln det Ψ − ½νd ln 2 − ln Γ_d(ν/2)."""
        d, nu = self.n_features, self.dof
        return float(
            0.5 * nu * np.linalg.slogdet(self.scale)[1] - 0.5 * nu * d * np.log(2.0) - multigammaln(nu / 2, d)
        )

    def _peak(self, weight: float) -> float:
        """max over Σ of ln IW's normaliser − ½ weight · ln det Σ − ½ tr(Ψ Σ⁻¹), reached at Σ = Ψ / weight."""
        d = self.n_features
        return float(
            self._log_normaliser()
            - 0.5 * weight * (np.linalg.slogdet(self.scale)[1] - d * np.log(weight))
            - (0.5 * weight * d)
        )


def _check_prior(prior: Any, n_features: int | None = None, what: str = "X has") -> InverseWishartPrior:
    """``prior`` is an :class:`InverseWishartPrior` (TypeError) for ``n_features`` dimensions (ValueError)."""
    if not isinstance(prior, InverseWishartPrior):
        raise TypeError(
            f"prior must be an InverseWishartPrior, got {type(prior).__name__}: "
            f"e.g. InverseWishartPrior(scale=0.5 * np.eye(d), dof=d + 2)."
        )
    if n_features is not None and prior.n_features != n_features:
        raise ValueError(
            f"{what} {n_features} feature(s) but the prior's scale Ψ is {prior.n_features} × {prior.n_features}: "
            f"give Ψ of shape ({n_features}, {n_features})."
        )
    return prior


def log_prior(params: GMMParams, prior: InverseWishartPrior) -> float:
    """ln p(θ) = Σ_k ln IW(Σ_k | Ψ, ν).

    The flat priors on π and μ add only a constant, left out: ln p(θ) is defined up to that constant,
    which changes no M-step and no difference between iterations.
    """
    if not isinstance(params, GMMParams):
        raise TypeError(f"params must be a GMMParams, got {type(params).__name__}.")
    prior = _check_prior(prior, params.n_features, "the parameters have")
    return _log_prior(params.full_covariances(), prior)


def _log_prior(covariances: FloatArray, prior: InverseWishartPrior) -> float:
    d = prior.n_features
    log_det = np.linalg.slogdet(covariances)[1]  # ln det Σ_k, shape (K,)
    trace = np.trace(np.linalg.solve(covariances, prior.scale), axis1=1, axis2=2)  # tr(Σ_k⁻¹ Ψ) = tr(Ψ Σ_k⁻¹)
    per_component = prior._log_normaliser() - 0.5 * (prior.dof + d + 1) * log_det - 0.5 * trace
    return float(per_component.sum())


def objective_upper_bound(n_samples: int, n_components: int, prior: InverseWishartPrior) -> float:
    """A number that ln p(X | θ) + ln p(θ) never exceeds, for any data of ``n_samples`` points and any θ.

    Each density is at most (2π)^(−d/2) det(Σ_j)^(−½) for the component j of smallest det Σ_j, so
    ln p(X) ≤ −½Nd ln 2π − ½N ln det Σ_j. The prior's −½ tr(Ψ Σ_j⁻¹) → −∞ beats that +∞ as Σ_j shrinks:
    −½(N + ν + d + 1) ln det Σ − ½ tr(Ψ Σ⁻¹) is largest at Σ = Ψ / (N + ν + d + 1), and each other
    component's ln IW at most its value at the mode. (Without a prior there is no such bound: notebook 07.)
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    k = check_int(n_components, "K (n_components)", minimum=1)
    prior = _check_prior(prior)
    d = prior.n_features
    return float(
        -0.5 * n * d * np.log(2 * np.pi)
        + prior._peak(n + prior.pseudo_points)
        + (k - 1) * prior._peak(prior.pseudo_points)
    )


# ---------------------------------------------------------------------------------------------
# The MAP M-step
# ---------------------------------------------------------------------------------------------


def component_statistics(X: npt.ArrayLike, resp: npt.ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
    """N_k = Σ_n γ_nk (K,), μ_k = Σ_n γ_nk x_n / N_k (K, d) and S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ (K, d, d).

    The numbers :func:`gmmviz.em.m_step` starts from, computed by the same function (N_k includes the tiny ε
    it adds; an empty component's mean is parked on the data's mean, with an EmptyComponentWarning).
    """
    X = check_array(X)
    nk, means, scatter, _ = em._component_statistics(X, check_resp(resp, X.shape[0]), "full")
    return nk, means, scatter


def map_covariances(
    scatter: npt.ArrayLike, nk: npt.ArrayLike, scale: npt.ArrayLike, dof: float
) -> FloatArray:
    """Σ_k = (S_k + Ψ_k) / (N_k + ν + d + 1) for every component, shape (K, d, d).

    The formula alone, with no check that (Ψ, ν) is a proper prior: ``scale`` may be one (d, d) Ψ for all
    components or one Ψ_k per component, (K, d, d). So ``scale = N_k · reg_covar · I`` (per component)
    and ``dof = −d − 1`` give :func:`gmmviz.em.m_step`'s S_k / N_k + reg_covar · I.
    """
    scatter = np.asarray(scatter, dtype=np.float64)
    nk = np.asarray(nk, dtype=np.float64)
    scale = np.asarray(scale, dtype=np.float64)
    if scatter.ndim != 3 or scatter.shape[1] != scatter.shape[2]:
        raise ValueError(f"scatter must have shape (K, d, d), got {scatter.shape}: one S_k per component.")
    k, d = scatter.shape[:2]
    if nk.shape != (k,):
        raise ValueError(f"nk must have shape (K,) = ({k},), got {nk.shape}: one N_k per component.")
    if scale.shape not in ((d, d), (k, d, d)):
        raise ValueError(f"scale must have shape ({d}, {d}) or ({k}, {d}, {d}), got {scale.shape}.")
    dof = check_number(dof, "dof (ν)")
    return _map_covariances(scatter, nk, scale, dof)


def _map_covariances(scatter: FloatArray, nk: FloatArray, scale: FloatArray, dof: float) -> FloatArray:
    denominator = nk + dof + scatter.shape[1] + 1
    if not np.all(denominator > 0):
        k = int(np.argmin(denominator))
        raise ValueError(
            f"N_k + ν + d + 1 = {denominator[k]:.3g} for component {cov.component_number(k)}: it must be positive, "
            f"raise ν."
        )
    covs = (scatter + scale) / denominator[:, np.newaxis, np.newaxis]
    symmetric: FloatArray = (
        covs + np.swapaxes(covs, 1, 2)
    ) / 2  # exact symmetry, lost to rounding in the sums
    return symmetric


def _map_m_step(X: FloatArray, resp: FloatArray, prior: InverseWishartPrior) -> GMMParams:
    # em's statistics, not its M-step: that adds reg_covar and refuses the singular S_k / N_k handled here
    nk, means, scatter, _ = em._component_statistics(X, resp, "full")
    covariances = _map_covariances(scatter, nk, prior.scale, prior.dof)
    return GMMParams._trusted(nk / nk.sum(), means, covariances, "full")


def map_m_step(X: npt.ArrayLike, resp: npt.ArrayLike, prior: InverseWishartPrior) -> GMMParams:
    """The MAP M-step: π_k = N_k / N, μ_k = Σ_n γ_nk x_n / N_k, Σ_k = (S_k + Ψ) / (N_k + ν + d + 1).

    It maximises Q(θ, θ_old) + ln p(θ) with flat priors on π and μ and IW(Ψ, ν) on each Σ_k. An empty
    component (N_k ≈ 0) gets the prior's mode Ψ / (ν + d + 1): the prior alone decides it.
    """
    X = check_array(X)
    resp = check_resp(resp, X.shape[0])
    return _map_m_step(X, resp, _check_prior(prior, X.shape[1]))


def fit_map_em(
    X: npt.ArrayLike,
    n_components: int,
    prior: InverseWishartPrior,
    *,
    init: str = "kmeans",
    max_iter: int = 100,
    tol: float = 1e-3,
    random_state: int | np.random.Generator | None = None,
    params: GMMParams | None = None,
) -> MAPHistory[GMMParams]:
    """MAP-EM for a Gaussian mixture ('full' covariances, IW(Ψ, ν) on each Σ_k, flat on π and μ).

    The same start as :func:`gmmviz.fit_em` (``init``, ``random_state``, or ``params``), gmmviz's E-step,
    :func:`map_m_step`; stops when ln p(X | θ) + ln p(θ) gains less than ``tol`` per point. No reg_covar:
    the prior keeps every Σ_k positive definite (its smallest eigenvalue at least that of Ψ / (N + ν + d + 1)).

    Returns
    -------
    MAPHistory
        θ_t (GMMParams), ln p(X | θ_t), ln p(θ_t) and their sum ``objectives``, which never decreases.
    """
    X = np.array(check_array(X), order="C")
    k = check_n_components(n_components, X)
    prior = _check_prior(prior, X.shape[1])
    if params is None:
        params = em.init_params(X, k, init=init, random_state=random_state)
    else:
        params = check_params(params, X.shape[1])
        if params.n_components != k or params.covariance_type != "full":
            raise ValueError(
                f"params has K={params.n_components}, covariance_type={params.covariance_type!r} but fit_map_em "
                f"fits K={k} with 'full' covariances: make them agree."
            )

    def e_step(theta: GMMParams) -> tuple[FloatArray, float]:
        resp, log_density = em._e_step(X, theta)
        return resp, float(log_density.sum())

    return run_em(
        params,
        e_step,
        lambda resp: _map_m_step(X, resp, prior),
        lambda theta: _log_prior(theta.full_covariances(), prior),
        n_samples=X.shape[0],
        max_iter=max_iter,
        tol=tol,
    )
