"""EM on arrays larger than memory: per-chunk E-steps and sufficient statistics, reduced with Dask.

The M-step needs the data only through sums over points. For component k, with the responsibilities
γ_nk of the E-step and any fixed shift c_k,

    N_k = Σ_n γ_nk,    Σ_n γ_nk x_n,    S_k(c_k) = Σ_n γ_nk (x_n − c_k)(x_n − c_k)ᵀ,

and ln p(X) = Σ_n ln p(x_n). Each is a sum over points, so it is a sum over chunks of points: every
chunk is read, its E-step and its sums computed, and the sums added up (a map and a reduce). The new
parameters then follow from the totals exactly as in :func:`gmmviz.em.m_step`:

    μ_k = Σ_n γ_nk x_n / N_k,   S_k(μ_k) = S_k(c_k) − d_k δ_kᵀ − δ_k d_kᵀ + N_k δ_k δ_kᵀ,
    with δ_k = μ_k − c_k and d_k = Σ_n γ_nk (x_n − c_k) = Σ_n γ_nk x_n − N_k c_k,

and Σ_k from S_k(μ_k), N_k and ``reg_covar`` by the covariance type's rule.

Why one pass about a shift, not two passes: the scatter about the *new* means needs those means,
which are known only after a first pass over all the chunks. A second pass (recomputing γ) would
read the data twice per iteration, and reading the data is what costs when it does not fit in
memory. Accumulating about the *old* means c_k = μ_k^(t) instead needs one pass, and the differences
x_n − c_k are taken first, so data far from the origin lose no digits (the naive Σγ x xᵀ − N μ μᵀ
would). The correction above subtracts N_k δ_k δ_kᵀ, which is small next to S_k: the rounding it adds
is of order ε ‖δ_k‖² / σ², and δ_k, one EM step, shrinks as EM converges. The tests check the result
against the in-memory fit to 1e-10 relative, also for data centred at 10⁴.

Everything else is the in-memory engine's: the per-chunk E-step, the scatter, ``reg_covar``, the
empty-component rule; and the loop is :func:`gmmviz.fit_em`'s (its checks, start, stopping rule and
history), which hands a Dask array to :class:`ChunkedEngine`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from . import _covariance as _cov
from . import _fast, em
from . import _validation as _check
from ._history import EMHistory, Frame
from ._types import BoolArray, FloatArray
from .params import GMMParams, check_params

if TYPE_CHECKING:
    import dask.array as da
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.typing import ColorType

__all__ = [
    "SufficientStatistics",
    "sufficient_statistics",
    "params_from_statistics",
    "ChunkedEngine",
    "ChunkedEMHistory",
    "from_npy",
    "plot_sufficient_statistics",
]

_SAMPLE_SIZE = 20_000  # points drawn (seeded) for the k-means initialisation


# ---------------------------------------------------------------------------------------------
# The in-memory engine's pieces used here, not copies: gmmviz.em's E-step, the sums of gmmviz._fast,
# each covariance type's rules in gmmviz._covariance, the input checks of gmmviz._validation.
# ---------------------------------------------------------------------------------------------

_NK_EPS = _cov.NK_EPS  # the tiny constant the M-step adds to every N_k, as scikit-learn does
# (chunk, params) -> (γ (m, K), ln p(x_n) (m,)): the in-memory E-step, on a chunk already checked here
_e_step = em._e_step
_weighted_sums = _fast.weighted_sums  # (γ, X) -> Σ_n γ_nk x_n, shape (K, d)
# (X, γ, c, type) -> Σ_n γ_nk (x_n − c_k)(x_n − c_k)ᵀ: (K, d, d), or its diagonal (K, d)
_scatter = _fast.scatter

#: () -> (mean (d,), covariance (d, d)) of all the data, asked for only when a component is empty.
MeanCov = Callable[[], tuple[FloatArray, FloatArray]]


def _covariances(
    scatter: FloatArray,
    nk: FloatArray,
    covariance_type: str,
    reg_covar: float,
    empty: BoolArray,
    data_mean_cov: MeanCov,
) -> FloatArray:
    """Σ_k from the scatter about the new means, with the in-memory M-step's type rules and empty rule.

    ``empty`` marks the components with N_k ≈ 0; ``data_mean_cov()`` returns the data's mean and
    covariance, which such components are parked on (computed only when one is empty).
    """
    covs = _cov.covariances_from_scatter(scatter, nk, covariance_type, reg_covar)
    if empty.any():
        covs = _cov.fill_empty(covs, empty, covariance_type, data_mean_cov()[1], reg_covar)
    return covs


# ---------------------------------------------------------------------------------------------
# Map: the sufficient statistics of one chunk
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SufficientStatistics:
    """Sums over a set of points that the M-step needs, under fixed parameters θ = (π, μ, Σ).

    Two sets of points' statistics (same θ, same shift) add up with ``+``: the statistics of their union.

    Attributes
    ----------
    n_points : int
        N, the number of points summed over.
    log_likelihood : float
        Σ_n ln p(x_n | θ).
    nk : ndarray of shape (K,)
        N_k = Σ_n γ_nk (without the tiny constant the M-step adds).
    sum_x : ndarray of shape (K, d)
        Σ_n γ_nk x_n.
    scatter : ndarray of shape (K, d, d) or (K, d)
        Σ_n γ_nk (x_n − c_k)(x_n − c_k)ᵀ about the shifts c_k, only its diagonal for 'diag' and
        'spherical'.
    shift : ndarray of shape (K, d)
        The c_k, the means of θ.
    """

    n_points: int
    log_likelihood: float
    nk: FloatArray
    sum_x: FloatArray
    scatter: FloatArray
    shift: FloatArray

    def __add__(self, other: object) -> SufficientStatistics:
        if not isinstance(other, SufficientStatistics):
            return NotImplemented
        if self.shift.shape != other.shift.shape or not np.array_equal(self.shift, other.shift):
            raise ValueError("Only statistics computed under the same parameters (same shifts c_k) add up.")
        return SufficientStatistics(
            self.n_points + other.n_points,
            self.log_likelihood + other.log_likelihood,
            self.nk + other.nk,
            self.sum_x + other.sum_x,
            self.scatter + other.scatter,
            self.shift,
        )


def _chunk_statistics(chunk: npt.ArrayLike, params: GMMParams, first_row: int = 0) -> SufficientStatistics:
    """E-step and sums on one in-memory chunk; NaN or infinity raises naming the rows."""
    chunk = np.asarray(chunk, dtype=np.float64)
    bad = ~np.isfinite(chunk)
    if bad.any():
        rows = first_row + np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"X contains NaN or infinite values in {rows.size} row(s) of the chunk starting at row "
            f"{first_row} (first bad row: {rows[0]}): drop or impute those rows before fitting, e.g. "
            f"X = X[da.isfinite(X).all(axis=1)] then X.compute_chunk_sizes()."
        )
    resp, log_density = _e_step(chunk, params)
    shift = params.means  # c_k: the scatter is taken about the current means (see the module docstring)
    return SufficientStatistics(
        chunk.shape[0],
        float(log_density.sum()),
        resp.sum(axis=0),
        _weighted_sums(resp, chunk),
        _scatter(chunk, resp, shift, params.covariance_type),
        np.array(shift),
    )


def sufficient_statistics(X: npt.ArrayLike, params: GMMParams) -> SufficientStatistics:
    """E-step on the points X and the sums the M-step needs (the "map" of chunked EM).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        One chunk of points, in memory.
    params : GMMParams
        θ for the E-step; its means are the shifts c_k of the scatter.

    Returns
    -------
    SufficientStatistics
        Add the statistics of several chunks with ``+``, then turn the total into parameters with
        :func:`params_from_statistics`.
    """
    X = _check.check_array(X)
    return _chunk_statistics(X, check_params(params, X.shape[1]))


# ---------------------------------------------------------------------------------------------
# Reduce, then the M-step from the totals
# ---------------------------------------------------------------------------------------------


def _params_from_statistics(
    stats: SufficientStatistics, covariance_type: str, reg_covar: float, data_mean_cov: MeanCov
) -> GMMParams:
    nk = stats.nk + _NK_EPS
    means = stats.sum_x / nk[:, np.newaxis]  # μ_k = Σ_n γ_nk x_n / N_k
    empty = _cov.empty_components(nk, stats.n_points)  # warns, naming them
    if empty.any():
        means[empty] = data_mean_cov()[0]
    shift = stats.shift
    delta = means - shift  # δ_k = μ_k − c_k
    d_sum = stats.sum_x - stats.nk[:, np.newaxis] * shift  # d_k = Σ_n γ_nk (x_n − c_k)
    if _cov.needs_full_scatter(covariance_type):
        cross = np.einsum("ki,kj->kij", d_sum, delta)
        scatter = (
            stats.scatter
            - cross
            - np.swapaxes(cross, 1, 2)
            + stats.nk[:, np.newaxis, np.newaxis] * np.einsum("ki,kj->kij", delta, delta)
        )
    else:
        scatter = stats.scatter - 2 * d_sum * delta + stats.nk[:, np.newaxis] * delta**2
    covs = _covariances(scatter, nk, covariance_type, reg_covar, empty, data_mean_cov)
    return GMMParams(nk / nk.sum(), means, covs, covariance_type)


def params_from_statistics(
    stats: SufficientStatistics,
    covariance_type: str = "full",
    reg_covar: float = 1e-6,
    data_mean_cov: MeanCov | None = None,
) -> GMMParams:
    """M-step from summed statistics: π_k = N_k / N, μ_k = Σ_n γ_nk x_n / N_k, Σ_k from the scatter.

    Gives the same parameters as :func:`gmmviz.em.m_step` on all the points (to rounding).

    Parameters
    ----------
    stats : SufficientStatistics
        The total over all points, e.g. ``sum(per_chunk[1:], per_chunk[0])``.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Must be the type of the parameters the statistics were computed under ('diag' and
        'spherical' statistics hold only the diagonal of the scatter).
    reg_covar : float, default=1e-6
    data_mean_cov : callable, optional
        Returns (mean (d,), covariance (d, d)) of all the data; called only when a component is
        empty (N_k ≈ 0), to park it there as the in-memory M-step does.

    Returns
    -------
    GMMParams
    """
    covariance_type = _check.check_covariance_type(covariance_type)
    full = stats.scatter.ndim == 3
    if full != _cov.needs_full_scatter(covariance_type):
        raise ValueError(
            f"These statistics hold {'full' if full else 'diagonal'} scatter matrices, which cannot give "
            f"covariance_type={covariance_type!r}: compute them under parameters of that type."
        )
    if data_mean_cov is None:
        data_mean_cov = _no_data_mean_cov
    return _params_from_statistics(stats, covariance_type, _check.check_reg_covar(reg_covar), data_mean_cov)


def _no_data_mean_cov() -> tuple[FloatArray, FloatArray]:
    raise ValueError("A component is empty (N_k ≈ 0): pass data_mean_cov= to park it on the data.")


# ---------------------------------------------------------------------------------------------
# The fit on a Dask array
# ---------------------------------------------------------------------------------------------


def _check_dask_X(X: Any) -> da.Array:
    """X as a 2-D float Dask array chunked along the points only, or a clear error."""
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(
            f"X must be a dask.array.Array, got {type(X).__name__}: for arrays in memory use gmmviz.fit_em; "
            f"turn a Dask DataFrame into an array with df.to_dask_array(lengths=True)."
        )
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers, got dtype {X.dtype}: convert it with X.astype(float).")
    if X.ndim == 1:
        X = X[:, np.newaxis]
    elif X.ndim != 2:
        raise ValueError(
            f"X must be 2-D (n_samples, n_features), got {X.ndim}-D with shape {X.shape}: reshape it."
        )
    if any(np.isnan(s) for s in X.shape) or any(np.isnan(c) for c in X.chunks[0]):
        raise ValueError(
            "X has chunks of unknown size (after boolean indexing?): call X.compute_chunk_sizes() first."
        )
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X is empty (shape {X.shape}): EM needs at least one point with one feature.")
    if len(X.chunks[1]) > 1:
        raise ValueError(
            f"X is chunked along the features (column chunks {X.chunks[1]}): each chunk must hold whole "
            f"points. Rechunk along the points only: X = X.rechunk({{1: -1}})."
        )
    return cast("da.Array", X.astype(np.float64) if X.dtype != np.float64 else X)  # (dask is untyped)


def _seeded_sample(X: da.Array, size: int, seed: int | None) -> FloatArray:
    """A seeded random subset of the rows of the Dask array X, in memory (at most ``size`` rows)."""
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(n, size=min(n, size), replace=False))
    sample = np.asarray(X[rows].compute(), dtype=np.float64)
    bad = ~np.isfinite(sample).all(axis=1)
    if bad.any():
        raise ValueError(
            f"X contains NaN or infinite values (row {rows[np.flatnonzero(bad)[0]]}): drop or impute those "
            f"rows before fitting."
        )
    return sample


def _pass(X: da.Array, params: GMMParams) -> SufficientStatistics:
    """One read of all the chunks: per-chunk statistics (map), added up (reduce), by Dask."""
    import dask

    starts = np.concatenate([[0], np.cumsum(X.chunks[0])[:-1]])
    parts = [
        dask.delayed(_chunk_statistics, pure=True)(block, params, int(start))
        for block, start in zip(X.to_delayed().ravel(), starts)
    ]
    total = dask.delayed(sum, pure=True)(parts[1:], parts[0])
    stats: SufficientStatistics = dask.compute(total)[0]  # (annotated: dask.compute is untyped)
    return stats


def _data_mean_cov(X: da.Array) -> tuple[FloatArray, FloatArray]:
    """(mean, covariance) of all the data (two passes; only needed when a component is empty)."""
    import dask

    mean: FloatArray = X.mean(axis=0).compute()
    centred = X - mean
    cov = dask.compute((centred.T @ centred) / X.shape[0])[0]
    return mean, np.atleast_2d(cov)


class ChunkedEMHistory(EMHistory):
    """The :class:`~gmmviz.em.EMHistory` of a fit on a Dask array.

    Parameters and ln p(X) per iteration are stored as in memory; ``X`` is the Dask array itself
    (nothing of it is held in memory). Responsibilities are never computed for all N points at once:

    - :meth:`responsibilities` returns a *lazy* Dask array of shape (N, K), computed chunk by chunk
      only when asked (slice it, or reduce it, before ``.compute()``: all of it is N × K numbers);
    - :meth:`sample` gives a seeded sample of points with their γ, in memory, for pictures;
    - :meth:`frame` (and so ``animate_em``, ``plot_frame``, ``em_bound_trace``, which would need all
      N × K numbers in memory) raises a ValueError that says to use :meth:`sample` instead.
    """

    X: da.Array  # the Dask array itself: nothing of it is held in memory

    # γ of data out of memory is a lazy Dask array, by design (the in-memory history's is an ndarray):
    # an override the base class's type cannot express.
    def responsibilities(self, t: int) -> da.Array:  # type: ignore[override]
        """γ under ``params[t]`` as a lazy Dask array of shape (N, K), computed chunk by chunk on demand."""
        import dask.array as da

        t = range(self.n_iter + 1)[t]
        params = self.params[t]

        def chunk_resp(chunk: FloatArray) -> FloatArray:
            return _e_step(np.asarray(chunk, dtype=np.float64), params)[0]

        # da.map_blocks(f, X) is what X.map_blocks(f) calls; the method's functools.wraps hides its signature
        resp: da.Array = da.map_blocks(
            chunk_resp, self.X, chunks=(self.X.chunks[0], (params.n_components,)), dtype=np.float64
        )
        return resp

    def frame(self, i: int) -> Frame:
        """Refused: a frame holds γ for every point, N × K numbers in memory (see :meth:`sample`)."""
        n, k = self.X.shape[0], self.n_components
        raise ValueError(
            f"This history is of a Dask array of {n:,} points: its frames (and animate_em, plot_frame, "
            f"em_bound_trace) would need all {n:,} × {k} responsibilities in memory. Draw a seeded sample "
            f"instead: X_s, resp = history.sample(t, size=2000), or fit a sample in memory with fit_em."
        )

    def sample(
        self, t: int = -1, size: int = 2_000, random_state: int | np.random.Generator | None = 0
    ) -> tuple[FloatArray, FloatArray]:
        """A seeded sample of points and their responsibilities under ``params[t]``, in memory.

        Returns
        -------
        X_sample : ndarray of shape (size, d)
        resp : ndarray of shape (size, K)
        """
        params = self.params[range(self.n_iter + 1)[t]]
        points = _seeded_sample(
            self.X, _check.check_int(size, "size", minimum=1), _check.as_seed(random_state)
        )
        return points, _e_step(points, params)[0]


class ChunkedEngine:
    """The loop's engine for a Dask array (:func:`gmmviz.fit_em` picks it for Dask data).

    E-step: one read of every chunk, giving its :class:`SufficientStatistics` and ln p(X), added up by
    Dask (on its local scheduler, or a ``dask.distributed`` cluster when a ``Client`` is active).
    M-step: :func:`params_from_statistics` on the totals. The start's means come from a seeded
    sample of at most 20,000 points.

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_features) or (n_samples,)
        Chunked along the points only (``X.rechunk({1: -1})`` otherwise). NaN or infinity is found
        when its chunk is read, and named.
    """

    history_type = ChunkedEMHistory

    def __init__(self, X: npt.ArrayLike) -> None:
        self.X = _check_dask_X(X)
        self.n_samples, self.n_features = (int(s) for s in self.X.shape)
        self._moments: list[tuple[FloatArray, FloatArray]] = []

    def check_n_components(self, n_components: Any) -> int:
        return _check.check_k_for_points(n_components, self.n_samples)

    def start_means(self, n_components: int, init: str, seed: int | None) -> FloatArray:
        sample = _seeded_sample(self.X, _SAMPLE_SIZE, seed)
        return em._initial_means(sample, _check.check_n_components(n_components, sample), init, seed)

    def e_step(self, params: GMMParams) -> tuple[SufficientStatistics, float]:
        stats = _pass(self.X, params)
        return stats, stats.log_likelihood

    def m_step(self, stats: SufficientStatistics, covariance_type: str, reg_covar: float) -> GMMParams:
        return _params_from_statistics(stats, covariance_type, reg_covar, self._data_mean_cov)

    def responsibilities(self, params: GMMParams) -> FloatArray:
        raise ValueError(
            "All N × K responsibilities of a Dask array are not computed in memory: see ChunkedEMHistory."
        )

    def _data_mean_cov(self) -> tuple[FloatArray, FloatArray]:
        """The data's mean and covariance, computed at most once: the first time a component is empty."""
        if not self._moments:
            self._moments.append(_data_mean_cov(self.X))
        return self._moments[0]


# ---------------------------------------------------------------------------------------------
# Data on disk, and a picture
# ---------------------------------------------------------------------------------------------


def _read_rows(path: str, start: int, stop: int) -> npt.NDArray[Any]:  # (the file's dtype)
    rows = np.load(path, mmap_mode="r")
    try:
        return np.array(rows[start:stop])  # a copy: the mapping of the whole file is closed at once
    finally:
        del rows


def from_npy(path: str | os.PathLike[str], rows_per_chunk: int = 250_000) -> da.Array:
    """A ``.npy`` file of shape (n, d) as a Dask array chunked along the points, never loaded whole.

    Each chunk's task opens the file itself and reads only its rows, so it works on a cluster whose
    workers see the same file system (``da.from_array(np.load(path, mmap_mode='r'))`` would send the
    whole array to process-based workers).

    Parameters
    ----------
    path : str or os.PathLike
    rows_per_chunk : int, default=250_000
        Points per chunk (the last chunk holds the rest). Memory per task is a few times
        rows_per_chunk · (d + K) · 8 bytes.

    Returns
    -------
    dask.array.Array of shape (n, d)
    """
    import dask
    import dask.array as da

    path = os.fspath(path)
    rows_per_chunk = _check.check_int(rows_per_chunk, "rows_per_chunk", minimum=1)
    header = np.load(path, mmap_mode="r")
    shape, dtype = header.shape, header.dtype
    del header
    if len(shape) != 2 or shape[0] == 0:
        raise ValueError(f"{path} holds an array of shape {shape}: from_npy needs a non-empty (n, d) array.")
    blocks = [
        da.from_delayed(
            dask.delayed(_read_rows, pure=True)(path, a, min(a + rows_per_chunk, shape[0])),
            shape=(min(a + rows_per_chunk, shape[0]) - a, shape[1]),
            dtype=dtype,
        )
        for a in range(0, shape[0], rows_per_chunk)
    ]
    X: da.Array = da.concatenate(blocks, axis=0)  # (annotated: dask.array.concatenate is untyped)
    return X


def plot_sufficient_statistics(
    ax: Axes, chunk_stats: Sequence[SufficientStatistics], *, palette: Sequence[ColorType] | None = None
) -> list[BarContainer]:
    """N_k per component as stacked bars, one segment per chunk: the reduce step of chunked EM.

    Parameters
    ----------
    ax : matplotlib Axes
    chunk_stats : sequence of SufficientStatistics
        One per chunk, computed under the same parameters.
    palette : sequence of colours, optional
        One per chunk (default: a grey ramp).

    Returns
    -------
    list of BarContainer
        One per chunk; the top of the stack for component k is the total N_k.
    """
    nks = np.array([s.nk for s in chunk_stats])  # (n_chunks, K)
    n_chunks, k = nks.shape
    if palette is None:
        palette = [str(g) for g in np.linspace(0.25, 0.85, n_chunks)]
    bottom = np.zeros(k)
    bars = []
    for c in range(n_chunks):
        bars.append(
            ax.bar(
                np.arange(k),
                nks[c],
                bottom=bottom,
                color=palette[c],
                edgecolor="white",
                label=f"chunk {c + 1}",
            )
        )
        bottom = bottom + nks[c]
    ax.set_xticks(np.arange(k), [f"k={j + 1}" for j in range(k)])
    ax.set_ylabel("N_k = Σ_n γ_nk")
    return bars
