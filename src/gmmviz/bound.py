"""Why EM works: ln p(X) = ELBO(q, θ) + KL(q ‖ p(z | X, θ)).

For any distribution q over the component labels (an (n, K) matrix ``q`` whose rows sum to 1):

    ELBO(q, θ) = Σ_n Σ_k q_nk [ln π_k + ln N(x_n | μ_k, Σ_k) − ln q_nk]
    KL(q ‖ p)  = Σ_n Σ_k q_nk ln(q_nk / γ_nk),   γ_nk = p(z_nk = 1 | x_n, θ)  (the E-step's posterior)

and their sum is ln p(X) whatever q is. KL ≥ 0, so the ELBO is a lower bound on ln p(X), touching
it when q = γ. The E-step sets q = γ (gap closed), the M-step maximises the ELBO over θ for that q;
ln p(X) rises at least as much as the ELBO did, because the gap re-opens from zero.

Terms with q_nk = 0 contribute 0 (0 ln 0 = 0). All sums are over points, like ln p(X).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import xlogy

from ._history import EMHistory
from ._types import FloatArray
from ._validation import check_array, check_resp
from .em import e_step, log_likelihood, weighted_log_prob
from .params import GMMParams, check_params

__all__ = [
    "BoundTerms",
    "BoundTrace",
    "bound_terms",
    "elbo",
    "em_bound_trace",
    "entropy",
    "expected_complete_log_likelihood",
    "kl_gap",
    "mean_slice",
    "weighted_log_prob",
]


def _prepare(
    X: npt.ArrayLike, params: GMMParams, q: npt.ArrayLike
) -> tuple[FloatArray, GMMParams, FloatArray]:
    X = check_array(X)
    params = check_params(params, X.shape[1])
    return X, params, check_resp(q, X.shape[0], params.n_components, name="q")


def expected_complete_log_likelihood(X: npt.ArrayLike, params: GMMParams, q: npt.ArrayLike) -> float:
    """Q = Σ_n Σ_k q_nk [ln π_k + ln N(x_n | μ_k, Σ_k)], what the M-step maximises over θ."""
    X, params, q = _prepare(X, params, q)
    wlp = weighted_log_prob(X, params)  # ln π_k + ln N(x_n | μ_k, Σ_k), shape (n, K)
    # q_nk = 0 where ln π_k = -inf (a weight of 0) contributes 0, not nan
    return float(np.sum(np.where(q > 0, q * wlp, 0.0)))


def entropy(q: npt.ArrayLike) -> float:
    """H(q) = −Σ_n Σ_k q_nk ln q_nk (≥ 0; 0 ln 0 = 0)."""
    q = np.asarray(q, dtype=float)
    return float(-np.sum(xlogy(q, q)))


def elbo(X: npt.ArrayLike, params: GMMParams, q: npt.ArrayLike) -> float:
    """ELBO(q, θ) = Σ_n Σ_k q_nk [ln π_k + ln N(x_n | μ_k, Σ_k) − ln q_nk] = Q + H(q)."""
    return expected_complete_log_likelihood(X, params, q) + entropy(q)


def kl_gap(X: npt.ArrayLike, params: GMMParams, q: npt.ArrayLike) -> float:
    """KL(q ‖ p(z | X, θ)) = Σ_n Σ_k q_nk ln(q_nk / γ_nk) ≥ 0, zero exactly when q = γ."""
    X, params, q = _prepare(X, params, q)
    gamma, _ = e_step(X, params)
    with np.errstate(divide="ignore"):
        log_gamma = np.log(gamma)
    return float(np.sum(np.where(q > 0, xlogy(q, q) - q * log_gamma, 0.0)))


@dataclass(frozen=True)
class BoundTerms:
    """ln p(X), ELBO(q, θ) and KL(q ‖ posterior) for one (q, θ); ``log_likelihood = elbo + kl``."""

    log_likelihood: float
    elbo: float
    kl: float

    def __repr__(self) -> str:
        return f"BoundTerms(ln p(X)={self.log_likelihood:.3f}, ELBO={self.elbo:.3f}, KL={self.kl:.3f})"


def bound_terms(X: npt.ArrayLike, params: GMMParams, q: npt.ArrayLike) -> BoundTerms:
    """All three terms of the decomposition for one q and θ."""
    X, params, q = _prepare(X, params, q)
    return BoundTerms(log_likelihood(X, params), elbo(X, params, q), kl_gap(X, params, q))


@dataclass(frozen=True)
class BoundTrace:
    """The decomposition along an EM run, one entry per half-step.

    Entry 0 is the start (θ_0 with q uniform, 1/K everywhere: nothing assigned yet), then for each
    iteration t the state after its E-step (θ_{t−1}, q = γ under θ_{t−1}) and after its M-step
    (θ_t, same q).
    """

    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    log_likelihood: FloatArray
    elbo: FloatArray
    kl: FloatArray


def em_bound_trace(history: EMHistory, max_iter: int | None = None) -> BoundTrace:
    """ln p(X), ELBO and KL after every half-step of ``history`` (see :class:`BoundTrace`)."""
    history.frame(0)  # a history of data out of memory (a Dask array) refuses here, saying why
    X = history.X
    k = history.n_components
    n_iter = history.n_iter if max_iter is None else min(int(max_iter), history.n_iter)
    q = np.full((X.shape[0], k), 1.0 / k)
    states = [("start", "init", history.params[0], q)]
    for t in range(1, n_iter + 1):
        q = history.responsibilities(t - 1)
        states.append((f"E{t}", "E", history.params[t - 1], q))
        states.append((f"M{t}", "M", history.params[t], q))
    terms = [bound_terms(X, p, qq) for _, _, p, qq in states]
    return BoundTrace(
        labels=tuple(s[0] for s in states),
        kinds=tuple(s[1] for s in states),
        log_likelihood=np.array([t.log_likelihood for t in terms]),
        elbo=np.array([t.elbo for t in terms]),
        kl=np.array([t.kl for t in terms]),
    )


def mean_slice(
    X: npt.ArrayLike,
    params: GMMParams,
    q: npt.ArrayLike,
    component: int,
    direction: npt.ArrayLike,
    offsets: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray]:
    """ln p(X) and ELBO(q, θ) along a line through θ that moves one mean: μ_k + s · direction.

    Parameters
    ----------
    X : array-like (n, d)
    params : GMMParams
        The current θ (s = 0).
    q : array-like (n, K)
        Held fixed along the line (use γ under ``params`` to see the bound touch at s = 0).
    component : int
        Which μ_k moves.
    direction : array-like (d,)
    offsets : array-like (m,)
        The values of s.

    Returns
    -------
    log_likelihood, elbo : ndarray (m,), ndarray (m,)
    """
    X, params, q = _prepare(X, params, q)
    direction = np.asarray(direction, dtype=float).reshape(params.n_features)
    k = range(params.n_components)[component]
    lls: list[float] = []
    elbos: list[float] = []
    for s in np.asarray(offsets, dtype=float).reshape(-1):
        means = np.array(params.means)
        means[k] = means[k] + s * direction
        p = GMMParams(params.weights, means, params.covariances, params.covariance_type)
        lls.append(log_likelihood(X, p))
        elbos.append(elbo(X, p, q))
    return np.array(lls), np.array(elbos)
