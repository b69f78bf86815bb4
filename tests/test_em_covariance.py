"""gmmviz._covariance: each covariance type's rules, checked against dense linear algebra and
scikit-learn's own per-type estimators (independent implementations)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.mixture import _gaussian_mixture as skgm

from gmmviz import GMMParams
from gmmviz import _covariance as cov

K, D = 3, 4
rng = np.random.default_rng(0)


def random_covariances(covariance_type: str, k: int = K, d: int = D, seed: int = 1) -> np.ndarray:
    r = np.random.default_rng(seed)
    a = r.normal(size=(k, d, d))
    full = a @ np.swapaxes(a, 1, 2) + d * np.eye(d)
    return {
        "full": full,
        "tied": full[0],
        "diag": r.uniform(0.5, 3.0, (k, d)),
        "spherical": r.uniform(0.5, 3.0, k),
    }[covariance_type]


def dense(covariances: np.ndarray, covariance_type: str, k: int = K, d: int = D) -> np.ndarray:
    """Σ_k as (K, d, d), written out by hand for the test."""
    out = np.zeros((k, d, d))
    for j in range(k):
        if covariance_type == "full":
            out[j] = covariances[j]
        elif covariance_type == "tied":
            out[j] = covariances
        elif covariance_type == "diag":
            out[j] = np.diag(covariances[j])
        else:
            out[j] = covariances[j] * np.eye(d)
    return out


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_shape_and_conversion_to_full(covariance_type):
    c = random_covariances(covariance_type)
    assert c.shape == cov.covariance_shape(covariance_type, K, D)
    full = cov.to_full(c, covariance_type, K, D)
    np.testing.assert_array_equal(full, dense(c, covariance_type))
    full[0, 0, 0] = 99.0  # a new array, never a view of the input
    assert not np.any(c == 99.0)
    np.testing.assert_array_equal(
        cov.to_full(cov.identity(covariance_type, K, D), covariance_type, K, D),
        np.broadcast_to(np.eye(D), (K, D, D)),
    )


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_add_reg_covar_adds_to_the_diagonal_only(covariance_type):
    c = random_covariances(covariance_type)
    before = c.copy()
    out = cov.add_reg_covar(c, covariance_type, 0.25)
    np.testing.assert_array_equal(c, before)  # input untouched
    np.testing.assert_allclose(
        dense(out, covariance_type), dense(c, covariance_type) + 0.25 * np.eye(D), rtol=1e-15
    )


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_precision_cholesky_and_log_det(covariance_type):
    c = random_covariances(covariance_type)
    p = cov.precision_cholesky(c, covariance_type)
    sigma = dense(c, covariance_type)
    prec = dense(p, covariance_type) if covariance_type in ("full", "tied") else dense(p**2, covariance_type)
    if covariance_type in ("full", "tied"):
        prec = np.einsum("kij,klj->kil", prec, prec)  # P Pᵀ
    np.testing.assert_allclose(prec, np.linalg.inv(sigma), rtol=1e-12, atol=1e-14)
    log_det = np.broadcast_to(cov.log_det_cholesky(p, covariance_type, D), (K,))
    np.testing.assert_allclose(log_det, -0.5 * np.linalg.slogdet(sigma)[1], rtol=1e-13)
    # scikit-learn's Cholesky factors and log-determinants agree.
    np.testing.assert_allclose(p, skgm._compute_precision_cholesky(c, covariance_type), rtol=1e-12)
    np.testing.assert_allclose(
        cov.log_det_cholesky(p, covariance_type, D),
        skgm._compute_log_det_cholesky(p, covariance_type, D),
        rtol=1e-13,
    )


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_squared_mahalanobis_matches_a_linear_solve(covariance_type):
    X = rng.normal(size=(50, D)) + 1e3  # far from the origin: the difference must come first
    means = X[:K] + rng.normal(size=(K, D))
    c = random_covariances(covariance_type)
    p = cov.precision_cholesky(c, covariance_type)
    got = cov.squared_mahalanobis(X, means, p, covariance_type)
    sigma = dense(c, covariance_type)
    expected = np.column_stack(
        [np.einsum("nd,nd->n", X - means[j], np.linalg.solve(sigma[j], (X - means[j]).T).T) for j in range(K)]
    )
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
@pytest.mark.parametrize("reg_covar", [0.0, 1e-3])
def test_covariances_from_scatter_match_sklearn(covariance_type, reg_covar):
    X = rng.normal(size=(80, D)) * [1, 2, 3, 4]
    resp = rng.dirichlet(np.ones(K), size=80)
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, np.newaxis]
    s = cov.scatter(X, resp, means, covariance_type)
    assert s.shape == ((K, D, D) if cov.needs_full_scatter(covariance_type) else (K, D))
    got = cov.covariances_from_scatter(s, nk, covariance_type, reg_covar)
    estimate = {
        "full": skgm._estimate_gaussian_covariances_full,
        "tied": skgm._estimate_gaussian_covariances_tied,
        "diag": skgm._estimate_gaussian_covariances_diag,
        "spherical": skgm._estimate_gaussian_covariances_spherical,
    }[covariance_type]
    np.testing.assert_allclose(got, estimate(resp, X, nk, means, reg_covar), rtol=1e-12)
    if covariance_type in ("full", "tied"):
        np.testing.assert_array_equal(got, np.swapaxes(got, -1, -2))  # exactly symmetric


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_the_scatter_needs_full_scatter_picks_gives_sklearns_m_step(covariance_type):
    # needs_full_scatter decides whether the M-step sums full matrices S_k (full, tied) or only their
    # diagonals (diag, spherical). Correlated features: the off-diagonal sums matter for full and tied;
    # K != D: a scatter of the wrong form gives covariances of the wrong shape or values.
    from gmmviz import m_step  # the public M-step, as a learner calls it

    X = rng.normal(size=(120, D)) @ random_covariances("tied", seed=3) + [0, 10, -5, 2]
    resp = rng.dirichlet(np.ones(K), size=120)
    full = cov.needs_full_scatter(covariance_type)
    assert cov.scatter(X, resp, X[:K], covariance_type).shape == ((K, D, D) if full else (K, D))
    got = m_step(X, resp, covariance_type, reg_covar=1e-3)
    nk, means, covariances = skgm._estimate_gaussian_parameters(X, resp, 1e-3, covariance_type)
    np.testing.assert_allclose(got.weights, nk / nk.sum(), rtol=1e-12)
    np.testing.assert_allclose(got.means, means, rtol=1e-12)
    assert got.covariances.shape == covariances.shape
    np.testing.assert_allclose(got.covariances, covariances, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", cov.COVARIANCE_TYPES)
def test_fill_empty_parks_on_the_data_covariance(covariance_type):
    c = random_covariances(covariance_type)
    data_cov = random_covariances("tied", seed=5)
    empty = np.array([False, True, False])
    out = cov.fill_empty(c, empty, covariance_type, data_cov)
    if covariance_type == "tied":  # pooled: nothing to fill
        np.testing.assert_array_equal(out, c)
        return
    full = dense(out, covariance_type)
    np.testing.assert_array_equal(out[~empty], c[~empty])
    expected = {
        "full": data_cov,
        "diag": np.diag(np.diag(data_cov)),
        "spherical": np.trace(data_cov) / D * np.eye(D),
    }[covariance_type]
    np.testing.assert_allclose(full[1], expected, rtol=1e-15)
    # reg_covar goes on the diagonal of the parked Σ_k too, as on every other Σ_k.
    reg = cov.fill_empty(c, empty, covariance_type, data_cov, 0.25)
    np.testing.assert_allclose(dense(reg, covariance_type)[1], expected + 0.25 * np.eye(D), rtol=1e-14)
    np.testing.assert_array_equal(reg[~empty], c[~empty])


@pytest.mark.parametrize(
    "covariance_type, expected",
    [
        ("full", 0.5 * np.eye(2)),
        ("diag", np.array([0.5, 0.5])),
        ("spherical", np.array(0.5)),
    ],
)
def test_component_covariance_from_a_variance(covariance_type, expected):
    np.testing.assert_array_equal(cov.component_covariance(0.5, covariance_type, 2), expected)


@pytest.mark.parametrize(
    "covariance_type, value, match",
    [
        ("tied", 0.5, "tied"),
        ("full", np.eye(3), r"\(2, 2\) matrix"),
        ("full", [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
        ("full", [[1.0, 0.5], [0.0, 1.0]], "symmetric"),
        ("diag", [1.0, 0.0], "variances must be positive"),
        ("diag", [1.0, 1.0, 1.0], "2 variances"),
        ("spherical", -1.0, "must be positive"),
        ("spherical", np.nan, "finite"),
    ],
)
def test_component_covariance_errors(covariance_type, value, match):
    with pytest.raises(ValueError, match=match):
        cov.component_covariance(value, covariance_type, 2)


def test_gmm_params_uses_the_same_rules():
    c = random_covariances("diag")
    p = GMMParams(np.full(K, 1 / K), rng.normal(size=(K, D)), c, "diag")
    np.testing.assert_array_equal(p.full_covariances(), dense(c, "diag"))
    np.testing.assert_array_equal(p.precisions_cholesky, cov.precision_cholesky(c, "diag"))
