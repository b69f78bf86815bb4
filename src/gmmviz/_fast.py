"""The speed behind :mod:`gmmviz.em`: the same numbers as the plain per-type functions of
:mod:`gmmviz._covariance`, computed faster. Nothing here is needed to understand EM.

The two loops over all points and components are

* :func:`squared_mahalanobis` (E-step): ‖P_kᵀ(x_n − μ_k)‖² for every n and k, and
* :func:`scatter` (M-step): S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ (or its diagonal).

Each has the signature and the result of its plain version in :mod:`gmmviz._covariance`
(tests/test_em_fast.py checks them equal to 1e-12). What makes them fast:

* Small problems (the course's data sets: K·d·n up to ``PLAIN_MAX_NUMBERS``) go straight to the
  plain versions: there the fixed costs of anything cleverer (thread control, a Python loop over
  blocks) exceed the arithmetic.
* Large ones walk over Xᵀ (d, n) in cache-sized blocks of points, with one reused buffer for the
  differences xᵀ − μ_k, so every per-component row is contiguous and nothing large is allocated
  per component. P_kᵀ(x − μ_k) is a triangular product (BLAS TRMM: half the flops of a general
  product), S_k is Y Yᵀ with Y = √γ (xᵀ − μ_k) (NumPy uses SYRK: half the flops again).
* Those many small BLAS calls run on one BLAS thread: multithreaded OpenBLAS synchronises its
  threads in every call, which on a busy machine (shared CI runners, Binder) costs up to
  milliseconds per call.
* :func:`squared_mahalanobis` returns (both ways) the transpose of a C-contiguous (K, n) array. The
  E-step updates it in place, so the responsibilities keep that layout: each component's column is
  contiguous for the M-step, and NumPy's reductions over k (max, sum) run along long rows instead of
  rows of length K (several times faster).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from scipy.linalg.blas import dtrmm

from . import _covariance
from ._types import FloatArray

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

__all__ = ["kmeans_centres", "one_blas_thread", "scatter", "squared_mahalanobis", "weighted_sums"]

# Up to this many numbers in the plain versions' (K, d, n) array of differences (512 KiB of
# float64, within the L2 cache) the plain versions are faster; above it, the blocked ones.
PLAIN_MAX_NUMBERS = 1 << 16
# The blocked passes take about this many numbers (d · block) per block: 512 KiB of float64, so the
# work buffer stays in the L2 cache while each BLAS call still gets thousands of columns.
BLOCK_NUMBERS = 1 << 16
MIN_BLOCK = 4096
# n·K above which k-means initialisation may use several OpenMP threads.
KMEANS_PARALLEL_SIZE = 200_000

# None until first asked for; False when threadpoolctl is missing or fails.
_blas_controller: ThreadpoolController | Literal[False] | None = None
# BLAS's thread limit is one per process, not per thread. Two threads each setting it and putting
# back what they found would interleave (A sets 1, B finds 1, A restores, B restores 1: BLAS left at
# one thread); so one thread at a time runs inside one_blas_thread, setting and restoring the limit
# itself (OpenBLAS may ignore a limit set from another thread than the one that set it before).
# Reentrant: a block inside a block of the same thread does not wait for itself.
_blas_lock = threading.RLock()


def _controller() -> ThreadpoolController | Literal[False]:
    global _blas_controller
    if _blas_controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_controller = ThreadpoolController()
        except (ImportError, OSError, RuntimeError):  # pragma: no cover - threadpoolctl missing or failing
            _blas_controller = False
    return _blas_controller


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Context in which BLAS runs on one thread (threadpoolctl, a scikit-learn dependency).

    Safe from several threads: they take turns (a lock), each restoring the limit it found, so the
    limit is as it was once they are all out.
    """
    controller = _controller()
    if not controller:  # pragma: no cover
        yield
        return
    with _blas_lock, controller.limit(limits=1, user_api="blas"):
        yield


def _is_small(X: FloatArray, n_components: int) -> bool:
    numbers: int = X.shape[0] * X.shape[1] * n_components
    return numbers <= PLAIN_MAX_NUMBERS


# ---------------------------------------------------------------------------------------------
# Blocks of centred points
# ---------------------------------------------------------------------------------------------


def centred_blocks(xt: FloatArray, means: FloatArray) -> Iterator[tuple[int, slice, FloatArray]]:
    """Yield (k, points, xᵀ − μ_k) for each block of points and each component.

    ``xt`` is Xᵀ, shape (d, n). The differences of one block, shape (d, m), live in one reused,
    contiguous buffer: the caller may transform them in place, but only until the next item.
    """
    d, n = xt.shape
    block = min(n, max(MIN_BLOCK, BLOCK_NUMBERS // d))
    buf = np.empty(d * block)
    for start in range(0, n, block):
        stop = min(n, start + block)
        xs = xt[:, start:stop]
        diff = buf[: d * (stop - start)].reshape(d, stop - start)  # contiguous, whatever the width
        for k in range(means.shape[0]):
            np.subtract(xs, means[k][:, np.newaxis], out=diff)
            yield k, slice(start, stop), diff


def _upper_times(p_upper_f: FloatArray, diff: FloatArray) -> None:
    """diff ← P_kᵀ diff in place, with BLAS TRMM (P_k is upper triangular).

    ``diff`` is a C-contiguous (d, m) block, i.e. the Fortran-ordered (m, d) matrix diffᵀ, which TRMM
    overwrites with diffᵀ P_k = (P_kᵀ diff)ᵀ.
    """
    res = dtrmm(1.0, p_upper_f, diff.T, side=1, lower=0, overwrite_b=1)
    if not np.may_share_memory(res, diff):  # not in place (never for our contiguous blocks): copy back
        diff[...] = res.T


# ---------------------------------------------------------------------------------------------
# E-step: squared Mahalanobis distances
# ---------------------------------------------------------------------------------------------

# For each type, a function of prec_chol giving the in-place map diff ← P_kᵀ diff for component k.
Whitener = Callable[[int, FloatArray], None]


def _whiten_full(prec_chol: FloatArray) -> Whitener:
    factors = [np.asfortranarray(p) for p in prec_chol]
    return lambda k, diff: _upper_times(factors[k], diff)


def _whiten_tied(prec_chol: FloatArray) -> Whitener:
    factor = np.asfortranarray(prec_chol)
    return lambda k, diff: _upper_times(factor, diff)


def _whiten_diag(prec_chol: FloatArray) -> Whitener:
    scales = prec_chol[:, :, np.newaxis]  # (K, d, 1): 1/σ_kj
    return lambda k, diff: np.multiply(diff, scales[k], out=diff)


def _whiten_spherical(prec_chol: FloatArray) -> Whitener:
    return lambda k, diff: np.multiply(diff, prec_chol[k], out=diff)


_WHITENERS = {
    "full": _whiten_full,
    "tied": _whiten_tied,
    "diag": _whiten_diag,
    "spherical": _whiten_spherical,
}


def blocked_squared_mahalanobis(
    X: FloatArray, means: FloatArray, prec_chol: FloatArray, covariance_type: str
) -> FloatArray:
    """:func:`gmmviz._covariance.squared_mahalanobis` in blocks of points (see the module docstring)."""
    n = X.shape[0]
    xt = np.ascontiguousarray(X.T)
    out = np.empty((means.shape[0], n))
    whiten = _WHITENERS[covariance_type](prec_chol)
    with one_blas_thread():
        for k, points, diff in centred_blocks(xt, means):
            whiten(k, diff)
            np.einsum("ij,ij->j", diff, diff, out=out[k, points])
    return cast(FloatArray, out.T)  # (cast: NumPy's stubs type a.T as Any)


def squared_mahalanobis(
    X: FloatArray, means: FloatArray, prec_chol: FloatArray, covariance_type: str
) -> FloatArray:
    """(x_n − μ_k)ᵀ Σ_k⁻¹ (x_n − μ_k), shape (n, K): :func:`gmmviz._covariance.squared_mahalanobis`."""
    if _is_small(X, means.shape[0]):
        return _covariance.squared_mahalanobis(X, means, prec_chol, covariance_type)
    return blocked_squared_mahalanobis(X, means, prec_chol, covariance_type)


# ---------------------------------------------------------------------------------------------
# M-step: scatter matrices
# ---------------------------------------------------------------------------------------------


def blocked_scatter(X: FloatArray, resp: FloatArray, means: FloatArray, covariance_type: str) -> FloatArray:
    """:func:`gmmviz._covariance.scatter` in blocks of points (see the module docstring)."""
    d = X.shape[1]
    k = means.shape[0]
    xt = np.ascontiguousarray(X.T)
    rt = np.ascontiguousarray(resp.T)  # free for responsibilities from the E-step
    full = _covariance.needs_full_scatter(covariance_type)
    out = np.zeros((k, d, d) if full else (k, d))
    weights = np.sqrt(rt) if full else rt
    with one_blas_thread():
        for j, points, y in centred_blocks(xt, means):
            if full:  # Σ_n γ (x − μ)(x − μ)ᵀ = Y Yᵀ with Y = √γ (xᵀ − μ)
                y *= weights[j, points]
                out[j] += y @ y.T
            else:  # the diagonal only: Σ_n γ (x − μ)²
                y *= y
                out[j] += y @ weights[j, points]
    return out


def scatter(X: FloatArray, resp: FloatArray, means: FloatArray, covariance_type: str) -> FloatArray:
    """S_k = Σ_n γ_nk (x_n − μ_k)(x_n − μ_k)ᵀ (or its diagonal): :func:`gmmviz._covariance.scatter`."""
    if _is_small(X, means.shape[0]):
        return _covariance.scatter(X, resp, means, covariance_type)
    return blocked_scatter(X, resp, means, covariance_type)


def weighted_sums(resp: FloatArray, X: FloatArray) -> FloatArray:
    """Σ_n γ_nk x_n for every k, shape (K, d): ``resp.T @ X``, on one BLAS thread when large."""
    rt: FloatArray = resp.T  # (annotated: NumPy's stubs type a.T as Any)
    if _is_small(X, resp.shape[1]):
        return rt @ X
    with one_blas_thread():
        return rt @ X


# ---------------------------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------------------------


def kmeans_centres(X: FloatArray, n_clusters: int, seed: int | None) -> FloatArray:
    """scikit-learn's KMeans (n_init=4) cluster centres, on one OpenMP thread for small data.

    On the course's small data sets, OpenMP threads cost more than they save, and on a busy
    machine their spin-waiting made a 272-point k-means take a second instead of 15 ms.
    """
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    threads = None if X.shape[0] * n_clusters > KMEANS_PARALLEL_SIZE else 1
    with threadpool_limits(limits=threads, user_api="openmp"):
        centres: FloatArray = (
            KMeans(n_clusters=n_clusters, n_init=4, random_state=seed).fit(X).cluster_centers_
        )
    return centres
