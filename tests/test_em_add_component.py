"""gmmviz.em.add_component: one more component on top of a mixture (notebook 07's needle)."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz import GMMParams, add_component, fit_em, log_density, log_likelihood


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.7, (60, 2)) for c in ([0, 0], [3, 1], [1, 3])])
    return X, fit_em(X, 3, random_state=0).final


def test_weights_are_scaled_and_the_component_appended(data):
    X, good = data
    p = add_component(good, X[0], 0.3**2, 0.05)
    assert p.n_components == 4 and p.covariance_type == "full"
    assert p.weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p.weights[:3], 0.95 * good.weights)
    assert p.weights[3] == pytest.approx(0.05)
    np.testing.assert_array_equal(p.means[3], X[0])
    np.testing.assert_allclose(p.covariances[3], 0.09 * np.eye(2))
    np.testing.assert_array_equal(p.covariances[:3], good.covariances)
    assert good.n_components == 3  # the input is not changed


@pytest.mark.parametrize("sigma", [1e-4, 1e-6, 1e-9])
def test_log_likelihood_matches_the_hand_formula_for_small_sigma(data, sigma):
    X, good = data
    w = 0.05
    p = add_component(good, X[0], sigma**2, w)
    # In 2-D the needle gives its point w / (2π σ²) and nothing to the others.
    formula = np.log(w / (2 * np.pi * sigma**2)) + np.sum(np.log(1 - w) + log_density(X[1:], good))
    assert log_likelihood(X, p) == pytest.approx(formula, abs=1e-6)


def test_log_likelihood_grows_without_bound_as_sigma_shrinks(data):
    X, good = data
    lls = [log_likelihood(X, add_component(good, X[0], s**2, 0.05)) for s in (1e-3, 1e-6, 1e-9, 1e-12)]
    assert np.all(np.diff(lls) > 0)
    # Each factor 1000 in σ adds ln(1000²) in 2-D.
    np.testing.assert_allclose(np.diff(lls), 2 * np.log(1000.0), rtol=1e-6)


def test_a_full_matrix_and_other_covariance_types():
    X = np.random.default_rng(0).normal(size=(40, 2))
    cov = np.array([[0.5, 0.1], [0.1, 0.2]])
    full = fit_em(X, 2, random_state=0).final
    np.testing.assert_allclose(add_component(full, [0, 0], cov, 0.2).covariances[2], cov)
    diag = fit_em(X, 2, covariance_type="diag", random_state=0).final
    assert add_component(diag, [0, 0], [0.5, 0.2], 0.2).covariances.shape == (3, 2)
    np.testing.assert_allclose(add_component(diag, [0, 0], 0.25, 0.2).covariances[2], [0.25, 0.25])
    sph = fit_em(X, 2, covariance_type="spherical", random_state=0).final
    assert add_component(sph, [0, 0], 0.25, 0.2).covariances[2] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"weight": 0.0}, "strictly between 0 and 1"),
        ({"weight": 1.0}, "strictly between 0 and 1"),
        ({"mean": [0.0, 0.0, 0.0]}, r"mean must have shape \(2,\)"),
        ({"covariance": 0.0}, "must be positive"),
        ({"covariance": -1.0}, "must be positive"),
        ({"covariance": np.eye(3)}, r"\(2, 2\) matrix"),
        ({"covariance": [[1.0, 2.0], [2.0, 1.0]]}, "positive definite"),
        ({"covariance": [[1.0, 0.5], [0.0, 1.0]]}, "symmetric"),
        ({"mean": [np.nan, 0.0]}, "finite"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs, match):
    good = GMMParams([0.5, 0.5], [[0, 0], [1, 1]], np.stack([np.eye(2)] * 2))
    args = {"mean": [0.0, 0.0], "covariance": 0.1, "weight": 0.1} | kwargs
    with pytest.raises(ValueError, match=match):
        add_component(good, **args)


def test_a_weight_that_is_not_a_number_is_a_type_error():
    good = GMMParams([0.5, 0.5], [[0, 0], [1, 1]], np.stack([np.eye(2)] * 2))
    for bad in (True, "0.1", None):
        with pytest.raises(TypeError, match=r"weight must be a number \(strictly between 0 and 1\)"):
            add_component(good, [0.0, 0.0], 0.1, bad)


def test_tied_and_non_params_are_refused():
    tied = GMMParams([0.5, 0.5], [[0, 0], [1, 1]], np.eye(2), "tied")
    with pytest.raises(ValueError, match="tied"):
        add_component(tied, [0, 0], 0.1, 0.1)
    with pytest.raises(TypeError, match="GMMParams"):
        add_component({"weights": [1.0]}, [0, 0], 0.1, 0.1)
