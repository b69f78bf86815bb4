"""gmmviz.em against scikit-learn's GaussianMixture: same start, same iterations, same numbers.

Issue 2: started from the same parameters, n EM iterations of ``fit_em`` match scikit-learn to 1e-8
relative in weights, means, covariances and ln p(X), for every covariance type and d = 1, 2, 5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from gmmviz import COVARIANCE_TYPES, GMMParams, e_step, fit_em, log_density, log_likelihood

RTOL = 1e-8
N_ITER = 8
K = 3


def mixture_data(n: int, d: int, k: int, seed: int) -> np.ndarray:
    """Overlapping Gaussian clusters with random shapes, so EM has real work to do for 8 iterations."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 3.0, (k, d))
    shapes = rng.normal(size=(k, d, d)) * 0.6 + np.eye(d)
    labels = rng.integers(k, size=n)
    return centres[labels] + np.einsum("nij,nj->ni", shapes[labels], rng.normal(size=(n, d)))


def random_start(X: np.ndarray, k: int, covariance_type: str, seed: int) -> GMMParams:
    """Unequal weights, means on data points, random SPD covariances in the type's shape."""
    rng = np.random.default_rng(seed)
    n, d = X.shape
    weights = rng.uniform(0.5, 1.5, k)
    weights /= weights.sum()
    means = X[rng.choice(n, k, replace=False)]
    a = rng.normal(size=(k, d, d))
    full = np.einsum("kij,klj->kil", a, a) / d + 0.5 * np.eye(d)
    covs = {
        "full": full,
        "tied": full[0],
        "diag": rng.uniform(0.5, 2.0, (k, d)),
        "spherical": rng.uniform(0.5, 2.0, k),
    }[covariance_type]
    return GMMParams(weights, means, covs, covariance_type)


def precisions(params: GMMParams) -> np.ndarray:
    """Σ⁻¹ in scikit-learn's ``precisions_init`` shape."""
    if params.covariance_type == "full":
        return np.linalg.inv(params.covariances)
    if params.covariance_type == "tied":
        return np.linalg.inv(params.covariances)
    return 1.0 / params.covariances


def sklearn_fit(X, start: GMMParams, n_iter: int, reg_covar: float) -> GaussianMixture:
    gm = GaussianMixture(
        n_components=start.n_components,
        covariance_type=start.covariance_type,
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=precisions(start),
        max_iter=n_iter,
        tol=0.0,
        reg_covar=reg_covar,
        n_init=1,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # tol=0 never "converges": that is the point
        gm.fit(X)
    return gm


def assert_rel_close(actual, expected, rtol=RTOL, what=""):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, what
    scale = np.maximum(np.abs(expected), np.abs(expected).max() * 1e-3)  # off-diagonals near 0
    rel = np.max(np.abs(actual - expected) / scale)
    assert rel <= rtol, f"{what}: max relative difference {rel:.2e} > {rtol:.0e}"


@pytest.mark.parametrize("d", [1, 2, 5])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_n_iterations_match_sklearn(covariance_type, d):
    X = mixture_data(400, d, K, seed=d)
    start = random_start(X, K, covariance_type, seed=10 + d)
    reg_covar = 1e-4
    history = fit_em(
        X, K, covariance_type=covariance_type, params=start, max_iter=N_ITER, tol=0.0, reg_covar=reg_covar
    )
    gm = sklearn_fit(X, start, N_ITER, reg_covar)

    assert history.n_iter == gm.n_iter_ == N_ITER
    ours = history.final
    assert_rel_close(ours.weights, gm.weights_, what="weights")
    assert_rel_close(ours.means, gm.means_, what="means")
    assert_rel_close(ours.covariances, gm.covariances_, what="covariances")
    assert_rel_close(history.log_likelihoods[-1], gm.score(X) * X.shape[0], what="ln p(X)")
    assert_rel_close(log_likelihood(X, ours), gm.score(X) * X.shape[0], what="log_likelihood()")
    # Something happened: the parameters moved away from the start.
    assert np.abs(ours.means - start.means).max() > 1e-3


@pytest.mark.parametrize("n_iter", [1, 2])
def test_first_iterations_match_sklearn(n_iter):
    """The very first M-steps (where a start far from the data matters most) agree too."""
    X = mixture_data(300, 2, K, seed=5)
    start = random_start(X, K, "full", seed=6)
    history = fit_em(X, K, params=start, max_iter=n_iter, tol=0.0, reg_covar=1e-6)
    gm = sklearn_fit(X, start, n_iter, 1e-6)
    assert_rel_close(history.final.means, gm.means_, what="means")
    assert_rel_close(history.final.covariances, gm.covariances_, what="covariances")


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_sklearn_round_trip(covariance_type):
    X = mixture_data(300, 2, K, seed=3)
    gm = GaussianMixture(K, covariance_type=covariance_type, random_state=0).fit(X)
    params = GMMParams.from_sklearn(gm)
    assert params.covariance_type == covariance_type
    np.testing.assert_array_equal(params.weights, gm.weights_)
    np.testing.assert_array_equal(params.means, gm.means_)
    np.testing.assert_array_equal(params.covariances, gm.covariances_)

    gm2 = params.to_sklearn()
    n = X.shape[0]
    resp, ll = e_step(X, params)
    assert gm2.score(X) * n == pytest.approx(ll, rel=1e-12)
    np.testing.assert_allclose(gm2.score_samples(X), log_density(X, params), rtol=1e-12)
    np.testing.assert_allclose(gm2.predict_proba(X), resp, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(gm2.predict(X), resp.argmax(axis=1))
    # ... and the original fitted model agrees as well.
    np.testing.assert_allclose(gm.predict_proba(X), resp, rtol=1e-9, atol=1e-12)
    samples, labels = gm2.sample(50)
    assert samples.shape == (50, 2) and np.isfinite(samples).all()
    assert set(labels) <= set(range(K))

    back = GMMParams.from_sklearn(gm2)
    for name in ("weights", "means", "covariances", "precisions_cholesky"):
        np.testing.assert_allclose(getattr(back, name), getattr(params, name), rtol=1e-12)


def test_from_sklearn_needs_a_fitted_model():
    with pytest.raises(ValueError, match="not fitted yet: call gm.fit"):
        GMMParams.from_sklearn(GaussianMixture(2))


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_blocked_passes_over_the_points_match_sklearn(covariance_type, monkeypatch):
    """Large problems walk over the points in blocks (gmmviz._fast); force the blocked passes on a
    small problem, with many blocks, the last one partial."""
    from gmmviz import _fast

    X = mixture_data(503, 3, K, seed=7)
    start = random_start(X, K, covariance_type, seed=8)
    whole = fit_em(X, K, covariance_type=covariance_type, params=start, max_iter=5, tol=0.0)
    monkeypatch.setattr(_fast, "PLAIN_MAX_NUMBERS", 0)
    monkeypatch.setattr(_fast, "MIN_BLOCK", 10)
    monkeypatch.setattr(_fast, "BLOCK_NUMBERS", 64)  # blocks of 21 points: 23 full ones and one of 20
    blocks = [points for _, points, _ in _fast.centred_blocks(X.T.copy(), start.means[:1])]
    assert [(b.start, b.stop) for b in blocks[-2:]] == [(462, 483), (483, 503)]
    assert len(blocks) == 24
    blocked = fit_em(X, K, covariance_type=covariance_type, params=start, max_iter=5, tol=0.0)
    gm = sklearn_fit(X, start, 5, 1e-6)
    for ours in (whole, blocked):
        assert_rel_close(ours.final.means, gm.means_, what="means")
        assert_rel_close(ours.final.covariances, gm.covariances_, what="covariances")
        assert_rel_close(ours.log_likelihoods[-1], gm.score(X) * X.shape[0], what="ln p(X)")
    np.testing.assert_allclose(blocked.log_likelihoods, whole.log_likelihoods, rtol=1e-13)


def test_blas_threads_are_restored():
    import threadpoolctl  # a declared dependency: missing is a failure, not a skip

    before = [lib["num_threads"] for lib in threadpoolctl.threadpool_info()]
    X = mixture_data(20_000, 2, K, seed=9)  # large enough for the blocked passes on one BLAS thread
    fit_em(X, K, init="random", random_state=0, max_iter=3)
    assert [lib["num_threads"] for lib in threadpoolctl.threadpool_info()] == before
