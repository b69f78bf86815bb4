"""gmmviz._fast computes what the plain per-type functions of gmmviz._covariance compute.

The blocked versions are forced (small blocks, several components, a partial last block) and
compared with the plain ones to 1e-12; the plain ones are checked against dense linear algebra
and scikit-learn in test_em_covariance.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from gmmviz import _covariance as cov
from gmmviz import _fast, em, fit_em, init_params


def sum_difference_bound(n_terms: int, magnitude: float) -> float:
    """How far two correct float64 evaluations of a mean of ``n_terms`` terms may differ when they
    add in different orders (plain versus blocked), each term at most ``magnitude``.

    Recursive summation of n terms errs by at most (n − 1)·u·Σ|terms| (u = eps / 2; Higham,
    *Accuracy and Stability of Numerical Algorithms*, §4.2); pairwise and blocked sums, as BLAS
    kernels use, by less. Two such sums differ by at most (n − 1)·eps·Σ|terms|; each term also
    carries a few roundings of its own (a product, a weight), hence the factor 4 on n. Divided by
    the total weight, Σ|terms| becomes ``magnitude``. This bound holds for every kernel and
    summation order: it depends on the data's scale, not on one run (the differences seen are
    below 1e-4 of it).
    """
    return 4 * n_terms * np.finfo(float).eps * magnitude


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(_fast, "MIN_BLOCK", 7)
    monkeypatch.setattr(_fast, "BLOCK_NUMBERS", 30)


def problem(covariance_type: str, n: int = 301, d: int = 3, k: int = 4, offset: float = 0.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.5][:d] + offset
    start = init_params(X, k, init="random", covariance_type=covariance_type, random_state=seed)
    params = fit_em(X, k, params=start, covariance_type=covariance_type, max_iter=3, tol=0.0).final
    resp = em.e_step(X, params)[0]
    return X, params, resp


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
@pytest.mark.parametrize("offset", [0.0, 1e4])
def test_blocked_mahalanobis_equals_plain(covariance_type, offset, small_blocks):
    X, p, _ = problem(covariance_type, offset=offset)
    plain = cov.squared_mahalanobis(X, p.means, p.precisions_cholesky, covariance_type)
    blocked = _fast.blocked_squared_mahalanobis(X, p.means, p.precisions_cholesky, covariance_type)
    assert blocked.shape == plain.shape == (X.shape[0], p.n_components)
    np.testing.assert_allclose(blocked, plain, rtol=1e-12, atol=1e-12)
    # Any memory layout of X gives the same numbers.
    np.testing.assert_allclose(
        _fast.blocked_squared_mahalanobis(
            np.asfortranarray(X), p.means, p.precisions_cholesky, covariance_type
        ),
        plain,
        rtol=1e-12,
        atol=1e-12,
    )


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_blocked_scatter_equals_plain(covariance_type, small_blocks):
    X, p, resp = problem(covariance_type)
    plain = cov.scatter(X, resp, p.means, covariance_type)
    blocked = _fast.blocked_scatter(X, resp, p.means, covariance_type)
    np.testing.assert_allclose(blocked, plain, rtol=1e-12, atol=1e-12 * np.abs(plain).max())
    # C-ordered responsibilities (not the E-step's layout) give the same numbers too.
    np.testing.assert_allclose(
        _fast.blocked_scatter(X, np.ascontiguousarray(resp), p.means, covariance_type),
        plain,
        rtol=1e-12,
        atol=1e-12 * np.abs(plain).max(),
    )


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_small_and_large_problems_take_their_paths(covariance_type, monkeypatch):
    X, p, resp = problem(covariance_type)
    calls = []
    monkeypatch.setattr(
        _fast, "blocked_squared_mahalanobis", lambda *a: calls.append("maha") or cov.squared_mahalanobis(*a)
    )
    monkeypatch.setattr(_fast, "blocked_scatter", lambda *a: calls.append("scatter") or cov.scatter(*a))
    em.m_step(X, resp, covariance_type)
    em.e_step(X, p)
    assert calls == []  # 301 points × 3 features × 4 components: the plain versions
    monkeypatch.setattr(_fast, "PLAIN_MAX_NUMBERS", 100)
    em.m_step(X, resp, covariance_type)
    em.e_step(X, p)
    assert calls == ["scatter", "maha"]


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_e_step_equals_a_plain_log_sum_exp(covariance_type, small_blocks, monkeypatch):
    """The whole E-step on the blocked path against scipy's logsumexp of the plain terms."""
    X, p, _ = problem(covariance_type, offset=50.0)
    monkeypatch.setattr(_fast, "PLAIN_MAX_NUMBERS", 0)
    d = X.shape[1]
    plain = (
        np.log(p.weights)
        + cov.log_det_cholesky(p.precisions_cholesky, covariance_type, d)
        - 0.5 * d * np.log(2 * np.pi)
        - 0.5 * cov.squared_mahalanobis(X, p.means, p.precisions_cholesky, covariance_type)
    )
    resp, ll = em.e_step(X, p)
    np.testing.assert_allclose(em.weighted_log_prob(X, p), plain, rtol=1e-12)
    np.testing.assert_allclose(
        resp, np.exp(plain - logsumexp(plain, axis=1, keepdims=True)), rtol=1e-10, atol=1e-15
    )
    assert ll == pytest.approx(logsumexp(plain, axis=1).sum(), rel=1e-12)


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_m_step_equals_the_plain_formulas(covariance_type, small_blocks, monkeypatch):
    X, _, resp = problem(covariance_type, seed=3)
    monkeypatch.setattr(_fast, "PLAIN_MAX_NUMBERS", 0)
    p = em.m_step(X, resp, covariance_type, reg_covar=1e-4)
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    covs = cov.covariances_from_scatter(
        cov.scatter(X, resp, means, covariance_type), nk, covariance_type, 1e-4
    )
    np.testing.assert_allclose(p.weights, nk / len(X), rtol=1e-12)
    # Each entry of μ_k and Σ_k is a weighted mean over the n points, summed in another order on the
    # blocked path: compare in each one's own scale (an entry near zero is as exact as its largest
    # term allows, not to 1e-12 of itself).
    n = len(X)
    np.testing.assert_allclose(p.means, means, rtol=0, atol=sum_difference_bound(n, np.abs(X).max()))
    # Σ_n γ_nk |d_ni d_nj| / N_k ≤ (Σ_ii + Σ_jj) / 2 with d = x − μ_k: the largest variance bounds
    # the terms of every entry; (x − μ_k) itself is rounded relative to |x| + |μ_k|.
    spread = (np.abs(X).max() + np.abs(means).max()) ** 2
    np.testing.assert_allclose(p.covariances, covs, rtol=0, atol=sum_difference_bound(n, spread))


def test_two_threads_in_one_blas_thread_leave_the_blas_limit_as_it_was():
    """BLAS's thread limit is process-wide: two threads using one_blas_thread at overlapping times
    (two explorers fitting in two threads) leave it as it was, never at one thread."""
    import threading
    import time

    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("no BLAS library that threadpoolctl can control")
    start, errors = threading.Barrier(2), []

    def work(pause):
        try:
            for _ in range(20):
                start.wait(10)  # both threads ask at the same moment, and stay a different time
                with _fast.one_blas_thread():
                    time.sleep(pause)
        except Exception as exc:  # (reported below: an assertion in a thread would be lost)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(pause,)) for pause in (0.001, 0.003)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert blas_threads() == before
