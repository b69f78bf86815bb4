"""A Dirichlet-process mixture's weights, for several concentration priors (scikit-learn's variational fit).

scikit-learn's :class:`~sklearn.mixture.BayesianGaussianMixture` with
``weight_concentration_prior_type="dirichlet_process"`` puts a stick-breaking prior on the weights:
v_k ~ Beta(1, α) and π_k = v_k Π_{j<k} (1 − v_j), with α the concentration (``weight_concentration_prior``,
which scikit-learn's documentation calls γ), truncated at ``n_components`` pieces. It fits the posterior
of all the parameters by variational inference (PRML §10.2; Blei & Jordan 2006 for the stick), not by EM.
The posterior of each stick fraction is v_k ~ Beta(1 + N_k, α + Σ_{j>k} N_j), with N_k = Σ_n γ_nk the
effective number of points of component k, and scikit-learn reports π_k as
E[v_k] Π_{j<k} (1 − E[v_j]), rescaled so that the K truncated pieces sum to 1 (``weights_``). A component
that holds no points (N_k ≈ 0) keeps the prior's 1 in Beta(1 + N_k, ·), so its weight is small but never 0:
after the last used component each piece is α/(1 + α) times the one before (α decides), but an empty
component *in front of* used ones has E[v_k] = 1/(1 + α + Σ_{j>k} N_j), about one point's share of what is
left whatever α (the fit does not move empty components to the end).

- :func:`fit_dp_weights` fits one such mixture per α on the same data, from the same start, and keeps
  the weights and the N_k (in scikit-learn's component order, which is the order of the sticks).
- :func:`n_above` counts the components whose weight exceeds a threshold.
- :func:`stick_breaking_mean` gives the prior's mean weights E[π_k], before any data.

No matplotlib here (the bar charts are :func:`gmmviz.plot_classify.plot_weight_bars`).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._types import FloatArray
from ._validation import as_seed, check_array, check_choice, check_int, check_k_for_points, check_number

__all__ = ["DPWeights", "fit_dp_weights", "n_above", "stick_breaking_mean"]

#: scikit-learn's starts for BayesianGaussianMixture (``init_params``).
_INIT_PARAMS = ("kmeans", "k-means++", "random", "random_from_data")


@dataclass(frozen=True, eq=False)
class DPWeights:
    """The fitted weights of one Dirichlet-process mixture per concentration α.

    Attributes
    ----------
    concentrations : ndarray of shape (P,)
        The α's, in the order given.
    weights : ndarray of shape (P, K)
        Row p: the weights π_k fitted with α = ``concentrations[p]``, in scikit-learn's component
        (stick) order; each row sums to 1.
    converged : ndarray of shape (P,), bool
        Whether each variational fit met its tolerance within ``max_iter``.
    n_iter : ndarray of shape (P,), int
        Iterations of the best of its ``n_init`` starts.
    n_k : ndarray of shape (P, K)
        Row p: N_k = Σ_n γ_nk, the effective number of points of each component, as the fit's last
        update used them (``weight_concentration_[0] − 1``: the posterior of v_k is Beta(1 + N_k, ...));
        each row sums to the number of points. A weight above a threshold with N_k far below 1 is the
        prior's, not the data's.
    stick_held : ndarray of shape (P,)
        Σ_k E[v_k] Π_{j<k} (1 − E[v_j]) over the K pieces, *before* scikit-learn rescales them to sum
        to 1: the share of the expected stick the K pieces hold (the rest, Π_k (1 − E[v_k]), lies beyond
        the truncation). ``weights * stick_held[:, None]`` are the expected pieces themselves; a
        ``stick_held`` well below 1 (a large α) means ``weights_`` inflates every piece by 1 / stick_held.
    """

    concentrations: FloatArray
    weights: FloatArray
    converged: np.ndarray
    n_iter: np.ndarray
    n_k: FloatArray
    stick_held: FloatArray

    def __post_init__(self) -> None:
        for name in ("concentrations", "weights", "converged", "n_iter", "n_k", "stick_held"):
            arr = np.array(getattr(self, name))
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def of(self, concentration: float) -> FloatArray:
        """The weights fitted with this α (one of :attr:`concentrations`)."""
        hits = np.flatnonzero(self.concentrations == concentration)
        if hits.size == 0:
            raise KeyError(
                f"no fit with concentration {concentration!r}; the fitted ones are {self.concentrations.tolist()}."
            )
        row: FloatArray = self.weights[hits[0]]
        return row


def _check_concentrations(concentrations: npt.ArrayLike) -> FloatArray:
    if isinstance(concentrations, numbers.Real):
        concentrations = [concentrations]
    if isinstance(concentrations, (str, bytes)) or not isinstance(concentrations, (Sequence, np.ndarray)):
        raise TypeError(
            f"concentrations must be a sequence of positive numbers such as (0.01, 1, 100), got {concentrations!r}."
        )
    values = [check_number(g, "each concentration α", minimum=0.0, strict=True) for g in concentrations]
    if not values:
        raise ValueError("concentrations must hold at least one α, e.g. (0.01, 1, 100).")
    return np.array(values)


def fit_dp_weights(
    X: npt.ArrayLike,
    concentrations: Sequence[float] | npt.ArrayLike,
    *,
    n_components: int = 10,
    max_iter: int = 500,
    n_init: int = 1,
    init_params: str = "k-means++",
    tol: float = 1e-3,
    random_state: int | np.random.Generator | None = 0,
) -> DPWeights:
    """Fit a Dirichlet-process Gaussian mixture (variational inference) once per concentration α.

    Each fit is ``BayesianGaussianMixture(n_components, weight_concentration_prior_type="dirichlet_process",
    weight_concentration_prior=α, ...)`` with full covariances and scikit-learn's default priors on the
    means and covariances; only α changes from fit to fit (same start, same seed).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    concentrations : sequence of float
        The α's to try, each > 0 (e.g. (0.01, 1, 100)).
    n_components : int, default=10
        The truncation: the most components the fit can use (at most the number of points).
    max_iter : int, default=500
        Variational iterations per start; check ``converged`` (scikit-learn warns when a fit did not).
    n_init : int, default=1
        Starts per α (the best lower bound is kept).
    init_params : {'k-means++', 'kmeans', 'random', 'random_from_data'}, default='k-means++'
        scikit-learn's start for the responsibilities.
    tol : float, default=1e-3
        scikit-learn's tolerance on the change of the lower bound.
    random_state : int, numpy Generator or None, default=0
        One seed for every fit (a Generator gives one seed drawn from it).

    Returns
    -------
    DPWeights
        The weights π_k, the effective numbers of points N_k and the share of the stick the K pieces
        held before rescaling, for every fit.
    """
    from sklearn.mixture import BayesianGaussianMixture  # scikit-learn is imported only when fitting

    X = check_array(X)
    alphas = _check_concentrations(concentrations)
    k = check_k_for_points(n_components, X.shape[0])
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    n_init = check_int(n_init, "n_init", minimum=1)
    init_params = check_choice(init_params, "init_params", _INIT_PARAMS)
    tol = check_number(tol, "tol", minimum=0.0)
    seed = as_seed(random_state)
    weights, converged, n_iter, n_k, held = [], [], [], [], []
    for alpha in alphas:
        bgm = BayesianGaussianMixture(
            n_components=k,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=float(alpha),
            max_iter=max_iter,
            n_init=n_init,
            init_params=init_params,
            tol=tol,
            random_state=seed,
        ).fit(X)
        weights.append(np.asarray(bgm.weights_, dtype=float))
        converged.append(bool(bgm.converged_))
        n_iter.append(int(bgm.n_iter_))
        # the first Beta parameter of each stick fraction is 1 + N_k (scikit-learn adds 10 eps to N_k)
        n_k.append(np.asarray(bgm.weight_concentration_[0], dtype=float) - 1.0)
        # E[v_k] = a_k / (a_k + b_k); the K expected pieces before scikit-learn's rescaling hold
        # 1 − Π_k (1 − E[v_k]) of the stick (the pieces telescope)
        a, b = (np.asarray(c, dtype=float) for c in bgm.weight_concentration_)
        held.append(-np.expm1(np.sum(np.log(b) - np.log(a + b))))
    return DPWeights(
        alphas, np.array(weights), np.array(converged), np.array(n_iter), np.array(n_k), np.array(held)
    )


def n_above(weights: npt.ArrayLike, threshold: float = 0.01) -> int | np.ndarray:
    """How many weights exceed ``threshold``: an int for one set of weights (K,), one per row for (P, K).

    Parameters
    ----------
    weights : array-like of shape (K,) or (P, K)
        Mixing weights π_k (each row non-negative, summing to 1).
    threshold : float, default=0.01
        Strictly between 0 and 1 (0.01: "a component keeps more than 1 % of the points").
    """
    threshold = check_number(threshold, "threshold", minimum=0.0, maximum=1.0, strict=True)
    arr = np.asarray(weights, dtype=float)
    if arr.ndim not in (1, 2) or arr.size == 0:
        raise ValueError(f"weights must have shape (K,) or (P, K), got {arr.shape}.")
    if not np.all(np.isfinite(arr)) or (arr < 0).any():
        raise ValueError("weights must be finite and non-negative.")
    sums = arr.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > 1e-6):
        raise ValueError(
            f"each set of weights must sum to 1, got sums {np.round(np.atleast_1d(sums), 6).tolist()}: "
            "pass mixing weights, such as weights_ of a fitted mixture."
        )
    counts = (arr > threshold).sum(axis=-1)
    return int(counts) if arr.ndim == 1 else counts


def stick_breaking_mean(concentration: float, n_components: int) -> FloatArray:
    """The prior mean weights E[π_k] of a stick-breaking prior truncated at K pieces, shape (K,).

    v_k ~ Beta(1, α) independently for k < K and v_K = 1 (the last piece takes what is left), with
    π_k = v_k Π_{j<k} (1 − v_j). As E[v_k] = 1/(1 + α) and the v's are independent,

        E[π_k] = (1/(1 + α)) · (α/(1 + α))^(k−1) for k < K,   E[π_K] = (α/(1 + α))^(K−1):

    each piece is on average α/(1 + α) times the one before. A small α puts almost everything on the
    first piece; a large α spreads it over many.

    Parameters
    ----------
    concentration : float
        α > 0.
    n_components : int
        K ≥ 1, the truncation.

    Returns
    -------
    ndarray of shape (K,)
        Sums to 1.
    """
    alpha = check_number(concentration, "concentration α", minimum=0.0, strict=True)
    k = check_int(n_components, "n_components", minimum=1)
    shrink = alpha / (1.0 + alpha)
    means = shrink ** np.arange(k, dtype=float) / (1.0 + alpha)
    means[-1] = shrink ** (k - 1)
    return means
