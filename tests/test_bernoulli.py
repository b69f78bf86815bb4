"""gmmviz.bernoulli: the Bernoulli mixture's E- and M-steps against brute force and hand computation, the
monotone climb (ln p(X) for maximum likelihood, ln p(X) + ln p(θ) with the Beta prior), the digits, bad input;
gmmviz.plot_bernoulli's picture; gmmviz.exercises_general's check."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import beta as beta_dist
from sklearn.datasets import load_digits

from gmmviz.bernoulli import (
    DEFAULT_PRIOR,
    BernoulliParams,
    bernoulli_e_step,
    bernoulli_log_prior,
    bernoulli_log_prob,
    bernoulli_m_step,
    check_binary,
    fit_bernoulli_mixture,
)
from gmmviz.exercises_general import bernoulli_problems, check_bernoulli_means
from gmmviz.plot_bernoulli import plot_bernoulli_means


def tiny(seed=0, n=6, d=4, k=2):
    rng = np.random.default_rng(seed)
    X = (rng.random((n, d)) < 0.5).astype(float)
    params = BernoulliParams(rng.dirichlet(np.ones(k)), rng.uniform(0.1, 0.9, (k, d)))
    return X, params


def point_prob(x, mu):
    """p(x | μ) as the product over pixels, written out."""
    p = 1.0
    for xi, mi in zip(x, mu):
        p *= mi if xi == 1 else 1.0 - mi
    return p


def digits():
    data = load_digits()
    return data.data > 7, data.target


# ---------------------------------------------------------------------------------------------
# E-step
# ---------------------------------------------------------------------------------------------


def test_log_prob_is_the_product_over_pixels():
    X, params = tiny()
    expected = np.log([[point_prob(x, mu) for mu in params.means] for x in X])
    assert np.allclose(bernoulli_log_prob(X, params), expected, rtol=1e-12, atol=0)


def test_log_prob_with_exact_zeros_and_ones():
    params = BernoulliParams([0.5, 0.5], [[0.0, 1.0, 0.5], [0.3, 0.3, 0.3]])
    X = np.array([[0, 1, 1], [1, 1, 0], [0, 0, 0]])
    lp = bernoulli_log_prob(X, params)
    assert np.isclose(lp[0, 0], np.log(0.5))  # 0 · ln 0 counts 0: the first two pixels are certain
    assert lp[1, 0] == -np.inf and lp[2, 0] == -np.inf  # a pixel on where μ = 0, off where μ = 1
    assert np.all(np.isfinite(lp[:, 1]))


def test_e_step_is_bayes_rule_and_ln_p_X_sums_over_every_labelling():
    X, params = tiny(seed=1, n=5, d=3, k=3)
    resp, ll = bernoulli_e_step(X, params)
    joint = np.array([[w * point_prob(x, mu) for w, mu in zip(params.weights, params.means)] for x in X])
    assert np.allclose(resp, joint / joint.sum(axis=1, keepdims=True), rtol=1e-12)
    # p(X) = Σ_Z p(X, Z): all K^N labellings, the general definition EM starts from
    total = sum(
        np.prod([joint[n, z] for n, z in enumerate(labels)])
        for labels in itertools.product(range(3), repeat=5)
    )
    assert np.isclose(ll, np.log(total), rtol=1e-12)


def test_e_step_survives_underflow():
    """64 pixels of probability 0.01 each: p(x | μ) = 1e-128 per component, far more in 640 pixels."""
    X = np.ones((3, 640))
    params = BernoulliParams([0.5, 0.5], np.full((2, 640), 0.01))
    resp, ll = bernoulli_e_step(X, params)
    assert np.allclose(resp, 0.5) and np.isclose(ll, 3 * 640 * np.log(0.01))


def test_a_point_impossible_under_every_component_is_named():
    params = BernoulliParams([0.5, 0.5], [[0.0, 0.5], [0.0, 0.2]])
    with pytest.raises(ValueError, match="point 1 has probability 0 under every component"):
        bernoulli_e_step([[0, 1], [1, 0]], params)


# ---------------------------------------------------------------------------------------------
# M-step and prior
# ---------------------------------------------------------------------------------------------


def test_m_step_by_hand():
    X = np.array([[1, 0], [1, 1], [0, 0]])
    resp = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    ml = bernoulli_m_step(X, resp, prior=(1, 1))
    # N_1 = 1.5, N_2 = 1.5; Σ γ x: component 1 (1 + 0.5, 0 + 0.5), component 2 (0.5, 0.5)
    assert np.allclose(ml.weights, [0.5, 0.5])
    assert np.allclose(ml.means, [[1.0, 1 / 3], [1 / 3, 1 / 3]])
    smoothed = bernoulli_m_step(X, resp)  # Beta(2, 2): one pseudo-count each way
    assert np.allclose(smoothed.means, [[2.5 / 3.5, 1.5 / 3.5], [1.5 / 3.5, 1.5 / 3.5]])
    skewed = bernoulli_m_step(X, resp, prior=(3, 1.5))  # a − 1 = 2 on, b − 1 = 0.5 off
    assert np.allclose(skewed.means, [[3.5 / 4.0, 2.5 / 4.0], [2.5 / 4.0, 2.5 / 4.0]])


@pytest.mark.parametrize("prior", [(1.0, 1.0), (2.0, 2.0), (3.0, 1.5)])
def test_m_step_maximises_Q_plus_the_log_prior(prior):
    """The closed form against a numerical maximiser of Σ_n γ_nk ln p(x_n | μ_k) + Σ_i ln Beta(μ_ki | a, b)."""
    rng = np.random.default_rng(3)
    X = (rng.random((15, 3)) < 0.4).astype(float)
    X[0] = 1.0  # every pixel on once: the maximum-likelihood μ stays inside (0, 1)
    resp = rng.dirichlet(np.ones(2), size=15)
    a, b = prior
    got = bernoulli_m_step(X, resp, prior).means
    for k in range(2):

        def negative(mu, k=k):
            q = resp[:, k] @ (X @ np.log(mu) + (1 - X) @ np.log1p(-mu))
            return -(q + np.sum((a - 1) * np.log(mu) + (b - 1) * np.log1p(-mu)))

        best = minimize(negative, np.full(3, 0.5), bounds=[(1e-9, 1 - 1e-9)] * 3, method="L-BFGS-B").x
        assert np.allclose(got[k], best, atol=1e-5)


def test_log_prior_is_a_sum_of_beta_log_densities():
    _, params = tiny(seed=2)
    for a, b in [(2.0, 2.0), (3.0, 1.5), (1.0, 1.0)]:
        expected = beta_dist(a, b).logpdf(params.means).sum()
        assert np.isclose(bernoulli_log_prior(params, (a, b)), expected, rtol=1e-12)
    # a flat prior is 0 even where μ is 0 or 1
    assert bernoulli_log_prior(BernoulliParams([1.0], [[0.0, 1.0]]), (1, 1)) == 0.0
    # Beta(1, b) at μ = 0 and Beta(a, 1) at μ = 1 are finite (b and a), not NaN: 0 · ln 0 = 0
    for a, b, mu in [(1.0, 2.0, [0.0, 0.3]), (2.5, 1.0, [1.0, 0.3])]:
        edge = BernoulliParams([1.0], [mu])
        expected = beta_dist(a, b).logpdf(edge.means).sum()
        assert np.isfinite(expected) and np.isclose(bernoulli_log_prior(edge, (a, b)), expected, rtol=1e-12)
    # where the density is 0 (μ = 1 under Beta(1, 2)), ln p(θ) is −inf, not NaN
    assert bernoulli_log_prior(BernoulliParams([1.0], [[1.0, 0.3]]), (1, 2)) == -np.inf


def test_a_prior_with_a_or_b_equal_to_one_keeps_the_objective_finite():
    # with a = 1 < b the M-step puts μ_ki exactly on 0 (as maximum likelihood does); ln p(θ) stays finite there,
    # so the objective is a number that never decreases and the stopping rule can fire
    X, _ = digits()
    history = fit_bernoulli_mixture(X[:600], 6, prior=(1, 2), init="random", random_state=0, max_iter=200)
    assert (history.final.means == 0).any()
    assert np.all(np.isfinite(history.log_priors)) and history.converged
    objectives = history.objectives
    assert np.all(np.diff(objectives) >= -1e-12 * np.abs(objectives[1:]))
    expected = beta_dist(1, 2).logpdf(history.final.means).sum()  # scipy's Beta, independently
    assert np.isclose(history.log_priors[-1], expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# The fit
# ---------------------------------------------------------------------------------------------


def test_maximum_likelihood_never_lowers_ln_p_X():
    X, _ = digits()
    history = fit_bernoulli_mixture(
        X[:600], 6, prior=(1, 1), init="random", random_state=0, tol=0, max_iter=80
    )
    ll = history.log_likelihoods
    assert np.all(np.diff(ll) >= -1e-12 * np.abs(ll[1:]))  # rounding only
    assert np.all(history.log_priors == 0) and np.array_equal(history.objectives, ll)
    assert (history.final.means == 0).any()  # maximum likelihood does reach 0: pixels never on in a cluster


@pytest.mark.parametrize("init", ["kmeans", "kmeans++", "random"])
def test_map_em_never_lowers_the_objective_and_keeps_mu_inside(init):
    X, _ = digits()
    history = fit_bernoulli_mixture(X, 10, init=init, random_state=1, tol=0, max_iter=60)
    objective = history.objectives
    assert np.all(np.diff(objective) >= -1e-12 * np.abs(objective[1:]))
    means = np.array([p.means for p in history.params[1:]])
    assert means.min() > 0 and means.max() < 1  # the pseudo-counts keep μ off 0 and 1
    assert np.allclose(history.log_priors, [bernoulli_log_prior(p, DEFAULT_PRIOR) for p in history.params])


def test_history_and_stopping_rule():
    X, params = tiny(seed=4, n=40, d=6, k=3)
    history = fit_bernoulli_mixture(X, 3, params=params, tol=1e-3)
    assert history.params[0] is params and history.final is history.params[-1]
    assert len(history.log_likelihoods) == len(history.log_priors) == history.n_iter + 1
    assert history.converged and abs(np.diff(history.objectives)[-1]) / 40 < 1e-3
    assert all(abs(g) / 40 >= 1e-3 for g in np.diff(history.objectives)[:-1])
    for t, theta in enumerate(history.params):
        assert np.isclose(history.log_likelihoods[t], bernoulli_e_step(X, theta)[1])
    # each step is the E-step's γ followed by the M-step
    resp, _ = bernoulli_e_step(X, history.params[0])
    assert np.allclose(history.params[1].means, bernoulli_m_step(X, resp).means)
    assert fit_bernoulli_mixture(X, 3, params=params, max_iter=0).n_iter == 0
    again = fit_bernoulli_mixture(X, 3, random_state=7)
    assert np.array_equal(again.final.means, fit_bernoulli_mixture(X, 3, random_state=7).final.means)


def test_the_start_is_pulled_half_way_to_one_half():
    X, _ = tiny(seed=5, n=30, d=5, k=3)
    history = fit_bernoulli_mixture(X, 3, init="random", random_state=0, max_iter=0)
    start = history.params[0]
    assert np.allclose(start.weights, 1 / 3)
    originals = (start.means - 0.25) / 0.5  # K distinct data points
    assert all(any(np.array_equal(m, x) for x in X) for m in originals)
    assert len(np.unique(originals, axis=0)) == 3
    # the default start is "random"
    default = fit_bernoulli_mixture(X, 3, random_state=0, max_iter=0).params[0]
    assert np.array_equal(default.means, start.means)


def test_digits_components_match_labels():
    X, y = digits()
    history = fit_bernoulli_mixture(X, 10, random_state=0)
    labels = bernoulli_e_step(X, history.final)[0].argmax(axis=1)
    table = np.zeros((10, 10), int)
    np.add.at(table, (y, labels), 1)
    purity = table.max(axis=0).sum() / len(y)
    assert 0.65 < purity < 0.85  # far above the 0.10 of a labelling that ignores the digits


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_bad_input_names_the_problem_and_the_fix():
    X, params = tiny()
    grey = load_digits().data[:5]
    with pytest.raises(ValueError, match=r"X must hold only 0 and 1: binarise it first, e\.g\. X > 7"):
        fit_bernoulli_mixture(grey, 2)
    with pytest.raises(ValueError, match="row 1 holds 0.5"):
        check_binary([[0, 1], [0.5, 1]])
    assert check_binary([[True, False]]).dtype == np.float64
    with pytest.raises(ValueError, match="prior a must be at least 1"):
        bernoulli_m_step(X, np.full((6, 2), 0.5), prior=(0.5, 2))
    with pytest.raises(TypeError, match=r"prior must be a pair \(a, b\)"):
        fit_bernoulli_mixture(X, 2, prior=2)
    with pytest.raises(TypeError, match="params must be a BernoulliParams"):
        bernoulli_e_step(X, (params.weights, params.means))
    with pytest.raises(ValueError, match="X has 3 binary value"):
        bernoulli_e_step(X[:, :3], params)
    with pytest.raises(ValueError, match="params has K=2 but n_components=3"):
        fit_bernoulli_mixture(X, 3, params=params)
    with pytest.raises(ValueError, match="K=7 components"):
        fit_bernoulli_mixture(X, 7)
    with pytest.raises(ValueError, match="Unknown init method 'means'"):
        fit_bernoulli_mixture(X, 2, init="means")
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        BernoulliParams([1.0], [[0.5, 1.2]])
    with pytest.raises(ValueError, match="sum to 1"):
        BernoulliParams([0.5, 0.2], [[0.5], [0.5]])
    with pytest.raises(ValueError, match=r"shape \(K, D\) = \(2, D\)"):
        BernoulliParams([0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="Rows of resp must sum to 1"):
        bernoulli_m_step(X, np.ones((6, 2)))


def test_params_are_read_only_copies():
    weights, means = np.array([0.5, 0.5]), np.array([[0.2, 0.4], [0.6, 0.8]])
    params = BernoulliParams(weights, means)
    means[0, 0] = 0.9
    assert params.means[0, 0] == 0.2 and not params.means.flags.writeable
    assert (params.n_components, params.n_features) == (2, 2) and "K=2, D=2" in repr(params)


# ---------------------------------------------------------------------------------------------
# The picture and the exercise's check
# ---------------------------------------------------------------------------------------------


def test_plot_bernoulli_means_draws_each_mu_on_one_scale():
    _, params = tiny(seed=6, d=64, k=4)
    fig, axes = plt.subplots(2, 2)
    images = plot_bernoulli_means(axes, params)
    assert len(images) == 4
    for k, (ax, image) in enumerate(zip(axes.ravel(), images)):
        assert np.array_equal(image.get_array(), params.means[k].reshape(8, 8))
        assert image.get_clim() == (0.0, 1.0)
        assert ax.get_title() == f"{k + 1}: π = {params.weights[k]:.2f}"
    with pytest.raises(ValueError, match="one axes per component: K = 4, got 3"):
        plot_bernoulli_means(axes.ravel()[:3], params)
    with pytest.raises(ValueError, match="rows × columns = 64"):
        plot_bernoulli_means(axes, params, shape=(4, 4))
    plt.close(fig)


def reference_means(X, resp, a, b):
    return (resp.T @ X + a - 1) / (resp.sum(axis=0)[:, None] + a + b - 2)


@pytest.mark.parametrize(
    "answer, expected",
    [
        (lambda X, r, a, b: None, "not attempted yet"),
        (reference_means, "correct on 3 test problems"),
        (lambda X, r, a, b: (r.T @ X) / r.sum(0)[:, None], "maximum-likelihood"),
        (lambda X, r, a, b: (r.T @ X + a) / (r.sum(0)[:, None] + a + b), "not a and b"),
        (lambda X, r, a, b: reference_means(X, r, b, a), "swapped"),
        (lambda X, r, a, b: (r.T @ X + a - 1) / (len(X) + a + b - 2), "not by N"),
        (lambda X, r, a, b: reference_means(X, r, a, b).T, "transposed"),
        (lambda X, r, a, b: reference_means(X, np.eye(r.shape[1])[r.argmax(1)], a, b), "hard labels"),
        (lambda X, r, a, b: reference_means(X, r, a, b) + 0.01, "is off: got"),
        (lambda X, r, a, b: 1 / 0, "raised ZeroDivisionError"),
        # the 'off' pixels counted: with a and b swapped this is exactly 1 − μ
        (lambda X, r, a, b: (r.T @ (1 - X) + b - 1) / (r.sum(0)[:, None] + a + b - 2), "that is 1 − μ_ki"),
        (lambda X, r, a, b: (r.T @ X) / (r.sum(0)[:, None] + a + b - 2), "numerator misses its a − 1"),
        (lambda X, r, a, b: (r.T @ X + a - 1) / r.sum(0)[:, None], "denominator misses its pseudo-counts"),
        (
            lambda X, r, a, b: (r.T @ X) / r.sum(0)[:, None] + a - 1,
            "before the division",
        ),  # the quiz's choice D
        (lambda X, r, a, b: (r.T @ X) / (r.sum(0)[:, None] + a + b - 2) + a - 1, "before the division"),
        (lambda X, r, a, b: (r.T @ X + a - 1) / (r.mean(0)[:, None] + a + b - 2), "not the mean"),
        (lambda X, r, a, b: reference_means(X, r, 2.0, 2.0), "default Beta(2, 2)"),  # a, b ignored
        (3.0, "pass your function itself"),
    ],
)
def test_check_bernoulli_means(answer, expected):
    result = check_bernoulli_means(answer)
    assert expected in result.message, result.message
    assert result.passed == (expected.startswith("correct"))
    assert result.attempted == (expected != "not attempted yet")


def test_check_problems_are_soft_binary_and_tell_a_from_b():
    problems = bernoulli_problems(0)
    for X, resp, _, _ in problems:
        assert set(np.unique(X)) <= {0.0, 1.0} and resp.max(axis=1).max() < 1
        assert X.shape[0] != resp.shape[1] != X.shape[1]
    assert any(a != b for _, _, a, b in problems) and any(a == b == 1 for _, _, a, b in problems)
