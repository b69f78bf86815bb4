"""The EM loop: E, M, E, M, ... until ln p(X) stops rising, every state kept (:func:`fit_em`).

There is one loop, whatever holds the data, as scikit-learn's ``BaseMixture.fit`` drives the
``_e_step`` and ``_m_step`` of its subclasses. An *engine* knows how to read the data:

- :class:`ArrayEngine`, an array in memory: the E- and M-steps of :mod:`gmmviz.em` on all the points;
- :class:`gmmviz.chunked.ChunkedEngine`, a Dask array (anything with ``__dask_graph__``): the same
  steps chunk by chunk, summed (map and reduce), for data larger than memory.

The loop owns what is common: the checks of the settings, the start (the course's: k-means means,
π_k = 1/K, Σ_k = I), the stopping rule and the :class:`~gmmviz.em.EMHistory`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from . import em
from ._history import EMHistory
from ._types import FloatArray
from ._validation import (
    as_seed,
    check_array,
    check_choice,
    check_covariance_type,
    check_int,
    check_n_components,
    check_number,
    check_reg_covar,
)
from .params import GMMParams, check_params

if TYPE_CHECKING:
    import dask.array as da

__all__ = ["ArrayEngine", "Engine", "engine_for", "fit_best", "fit_em"]

#: What an engine's E-step hands its M-step: γ for an array in memory, summed statistics for chunks.
Stats = TypeVar("Stats")


class Engine(Protocol[Stats]):
    """How the loop reads the data: the interface :class:`ArrayEngine` and the chunked engine share."""

    n_samples: int
    n_features: int

    @property
    def X(self) -> FloatArray | da.Array:
        """The data as the history keeps it (in memory, or the Dask array itself)."""
        ...

    @property
    def history_type(self) -> type[EMHistory]:
        """The history's class (for an engine's own kind of history)."""
        ...

    def check_n_components(self, n_components: Any) -> int:
        """K as an int that this data can support (else a ValueError naming the fix)."""
        ...

    def start_means(self, n_components: int, init: str, seed: int | None) -> FloatArray:
        """The K starting means by ``init`` (from all of X, or from a seeded sample)."""
        ...

    def e_step(self, params: GMMParams) -> tuple[Stats, float]:
        """What the M-step needs under ``params``, and ln p(X) under them."""
        ...

    def m_step(self, stats: Stats, covariance_type: str, reg_covar: float) -> GMMParams:
        """New parameters from the E-step's ``stats``."""
        ...

    def responsibilities(self, params: GMMParams) -> FloatArray:
        """γ of all the points under ``params``, shape (n_samples, K), for the history's frames."""
        ...


class ArrayEngine:
    """EM on an array in memory: :func:`gmmviz.em.e_step` and :func:`gmmviz.em.m_step` on all points.

    The engine keeps its own read-only C-ordered copy of ``X``: the history's frames recompute γ
    from it, so later edits to the caller's array (``X += noise`` in a notebook) must not change them.
    """

    history_type = EMHistory

    def __init__(self, X: npt.ArrayLike) -> None:
        X = np.array(check_array(X), order="C")
        X.setflags(write=False)
        self.X: FloatArray = X
        self.n_samples, self.n_features = (int(s) for s in X.shape)

    def check_n_components(self, n_components: Any) -> int:
        return check_n_components(n_components, self.X)

    def start_means(self, n_components: int, init: str, seed: int | None) -> FloatArray:
        return em._initial_means(self.X, n_components, init, seed)

    def e_step(self, params: GMMParams) -> tuple[FloatArray, float]:
        resp, log_density = em._e_step(self.X, params)
        return resp, float(log_density.sum())

    def m_step(self, stats: FloatArray, covariance_type: str, reg_covar: float) -> GMMParams:
        return em._m_step(self.X, stats, covariance_type, reg_covar)

    def responsibilities(self, params: GMMParams) -> FloatArray:
        """γ of all the points under ``params``, shape (n_samples, K)."""
        return em._e_step(self.X, params)[0]


def engine_for(X: npt.ArrayLike) -> Engine[Any]:
    """The engine for ``X``: chunked for a Dask collection (it has ``__dask_graph__``), else in memory."""
    # Engine[Any]: the two engines' statistics differ (γ, SufficientStatistics) and typing has no "some
    # type"; _run's type variable checks that the loop only hands each engine's own back to it.
    if hasattr(X, "__dask_graph__"):
        from .chunked import ChunkedEngine  # Dask is an optional extra: imported only for Dask data

        return ChunkedEngine(X)
    return ArrayEngine(X)


def _run(
    engine: Engine[Stats],
    params: GMMParams,
    covariance_type: str,
    reg_covar: float,
    max_iter: int,
    tol: float,
) -> tuple[list[GMMParams], list[float], bool]:
    """Alternate E and M from ``params``; stop when |Δ ln p(X)| / N < tol or after ``max_iter``."""
    states = [params]
    stats, log_likelihood = engine.e_step(params)  # ln p(X) under the start, and its M-step's input
    log_likelihoods = [log_likelihood]
    for _ in range(max_iter):
        params = engine.m_step(stats, covariance_type, reg_covar)
        stats, log_likelihood = engine.e_step(params)
        states.append(params)
        log_likelihoods.append(log_likelihood)
        if abs(log_likelihoods[-1] - log_likelihoods[-2]) / engine.n_samples < tol:
            return states, log_likelihoods, True
    return states, log_likelihoods, False


def fit_em(
    X: npt.ArrayLike,
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
    X : array-like of shape (n_samples, n_features) or (n_samples,), or a Dask array
        A 1-D array is read as n one-dimensional points. A Dask array (chunked along the points,
        e.g. :func:`gmmviz.chunked.from_npy`) is fitted chunk by chunk, never loaded whole: each
        iteration reads every chunk once, and the result is the in-memory fit's to 1e-10 relative
        (see :mod:`gmmviz.chunked`).
    n_components : int
        K.
    init : {'kmeans', 'kmeans++', 'random'}, default='kmeans'
        Start from :func:`gmmviz.init_params` with this method (ignored when ``params`` is given).
        For a Dask array the means are chosen from a seeded sample of at most 20,000 points.
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
        For a Dask array, a :class:`gmmviz.chunked.ChunkedEMHistory` (its responsibilities are lazy).
    """
    engine = engine_for(X)
    k = engine.check_n_components(n_components)
    covariance_type = check_covariance_type(covariance_type)
    reg_covar = check_reg_covar(reg_covar)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_number(tol, "tol", minimum=0.0)
    if params is None:
        init = check_choice(init, "init method", em.INIT_METHODS, " or pass params=")
        seed = as_seed(random_state)
        params = em._identity_params(engine.start_means(k, init, seed), covariance_type)
    else:
        params = check_params(params, engine.n_features)
        if params.n_components != k or params.covariance_type != covariance_type:
            raise ValueError(
                f"params has K={params.n_components}, covariance_type={params.covariance_type!r} but fit_em was "
                f"asked for K={k}, covariance_type={covariance_type!r}: make them agree."
            )
        init = "given"
    states, log_likelihoods, converged = _run(engine, params, covariance_type, reg_covar, max_iter, tol)
    return engine.history_type(
        engine.X,
        states,
        log_likelihoods,
        converged,
        responsibilities_of=engine.responsibilities,
        init=init,
        reg_covar=reg_covar,
    )


def fit_best(
    X: npt.ArrayLike,
    n_components: int,
    *,
    inits: Sequence[str] = ("kmeans++", "random"),
    seeds: Iterable[int] = range(5),
    covariance_type: str = "full",
    max_iter: int = 100,
    tol: float = 1e-3,
    reg_covar: float = 1e-6,
    min_points: float | None = None,
) -> EMHistory:
    """EM from several starts; the run with the highest ln p(X) among the non-degenerate ones.

    EM finds a local maximum that depends on its start (notebook 07), so before comparing fits
    (across K, or by a criterion such as BIC) run several starts and keep the best, as
    scikit-learn's ``n_init`` does. With ``reg_covar`` as the only floor, a component can also
    shrink onto a few points and push ln p(X) up without describing the data (a *degenerate*
    fit): runs in which some component has fewer than ``min_points`` effective points
    (N_k = π_k N) are left out.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    n_components : int
        K.
    inits : sequence of {'kmeans', 'kmeans++', 'random'}, default=('kmeans++', 'random')
    seeds : iterable of int, default=range(5)
        Every pair (init, seed) is one start: 10 starts by default, in the order inits × seeds
        (the first of equally good runs is kept).
    covariance_type, max_iter, tol, reg_covar
        As in :func:`fit_em`.
    min_points : float, optional
        The fewest effective points N_k a component may have; default d + 1 (fewer cannot
        determine a full d × d covariance).

    Returns
    -------
    EMHistory
        The best run's history.

    Raises
    ------
    ValueError
        If every start ends degenerate (then lower K, or raise ``reg_covar``).
    """
    starts = [(init, seed) for init in inits for seed in seeds]
    if not starts:
        raise ValueError("fit_best needs at least one start: give at least one init and one seed.")
    runs = [
        fit_em(
            X,
            n_components,
            init=init,
            covariance_type=covariance_type,
            max_iter=max_iter,
            tol=tol,
            reg_covar=reg_covar,
            random_state=seed,
        )
        for init, seed in starts
    ]
    n, d = runs[0].X.shape
    floor = d + 1 if min_points is None else check_number(min_points, "min_points", minimum=0.0)
    kept = [h for h in runs if float(h.final.weights.min()) * n >= floor]
    if not kept:
        raise ValueError(
            f"Every one of the {len(runs)} starts ended degenerate: some component has fewer than {floor:g} "
            f"effective points N_k. Lower K (now {n_components}) or raise reg_covar."
        )
    return max(kept, key=lambda h: float(h.log_likelihoods[-1]))
