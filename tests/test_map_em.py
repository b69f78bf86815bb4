"""gmmviz.map_em: the MAP M-step against brute force and a numerical maximiser, reg_covar as the same formula
(against gmmviz.em.m_step), the log-prior against SciPy, the objective that never decreases and never exceeds
its bound, the collapse a proper prior prevents, the general loop against fit_em, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import invwishart, multivariate_normal

from gmmviz import EmptyComponentWarning, GMMParams, e_step, fit_em, init_params, m_step
from gmmviz.datasets import load_faithful, make_dataset
from gmmviz.map_em import (
    InverseWishartPrior,
    MAPHistory,
    component_statistics,
    fit_map_em,
    log_prior,
    map_covariances,
    map_m_step,
    objective_upper_bound,
    run_em,
)


def problem(seed=0, n=40, d=2, k=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + rng.integers(0, 4, size=(n, 1)) * 3.0
    return X, rng.dirichlet(np.ones(k), size=n)


def stuck_data():
    """Notebook 07's overlapping clusters with five identical readings: EM with reg_covar = 0 collapses."""
    X, _ = make_dataset("overlapping", random_state=0)
    return np.vstack([X, np.tile([[6.0, -5.0]], (5, 1))])


def q_plus_log_prior(X, resp, params, prior):
    """Σ_n Σ_k γ_nk [ln π_k + ln N(x_n | μ_k, Σ_k)] + Σ_k ln IW(Σ_k | Ψ, ν), with SciPy's densities."""
    q = sum(
        resp[:, k] @ (np.log(w) + multivariate_normal(m, c).logpdf(X))
        for k, (w, m, c) in enumerate(zip(params.weights, params.means, params.covariances))
    )
    return q + sum(invwishart(df=prior.dof, scale=prior.scale).logpdf(c) for c in params.covariances)


# ---------------------------------------------------------------------------------------------
# The MAP M-step
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3])
def test_map_covariances_by_brute_force(d):
    X, resp = problem(seed=d, d=d)
    prior = InverseWishartPrior(0.3 * np.eye(d) + 0.1, d + 2)
    got = map_m_step(X, resp, prior)
    ml = m_step(X, resp, reg_covar=0.0)  # π and μ are unchanged by a prior on Σ alone
    assert np.allclose(got.weights, ml.weights) and np.allclose(got.means, ml.means)
    for k in range(3):
        nk = resp[:, k].sum()
        mu = resp[:, k] @ X / nk
        S = sum(g * np.outer(x - mu, x - mu) for g, x in zip(resp[:, k], X))
        assert np.allclose(got.covariances[k], (S + prior.scale) / (nk + prior.dof + d + 1), rtol=1e-12)


def test_map_m_step_maximises_Q_plus_the_log_prior():
    X, resp = problem(seed=4)
    prior = InverseWishartPrior(np.array([[0.5, 0.1], [0.1, 0.3]]), 5.0)
    best = map_m_step(X, resp, prior)
    top = q_plus_log_prior(X, resp, best, prior)
    rng = np.random.default_rng(0)
    for _ in range(100):
        bend = 0.05 * rng.normal(size=(3, 2, 2))
        covs = (
            best.covariances
            + np.einsum("kij,klj->kil", bend, bend)
            - 0.01 * rng.random((3, 1, 1)) * np.eye(2)
        )
        if np.linalg.eigvalsh(covs).min() <= 0:
            continue
        other = GMMParams(
            rng.dirichlet(200 * best.weights), best.means + 0.05 * rng.normal(size=(3, 2)), covs
        )
        assert q_plus_log_prior(X, resp, other, prior) < top


@pytest.mark.parametrize("reg_covar", [1e-6, 1e-2, 0.5])
@pytest.mark.parametrize("d", [1, 2, 4])
def test_reg_covar_is_the_map_formula_with_an_n_k_scaled_improper_prior(reg_covar, d):
    """S_k / N_k + r I = (S_k + Ψ_k) / (N_k + ν + d + 1) with Ψ_k = N_k r I, ν = −d − 1."""
    X, resp = problem(seed=10 + d, d=d, n=60, k=4)
    nk, means, scatter = component_statistics(X, resp)
    ours = map_covariances(scatter, nk, nk[:, None, None] * reg_covar * np.eye(d), -d - 1)
    theirs = m_step(X, resp, reg_covar=reg_covar)
    assert np.allclose(ours, theirs.covariances, rtol=1e-12, atol=1e-15)
    assert np.allclose(means, theirs.means, rtol=1e-13) and np.allclose(
        nk / nk.sum(), theirs.weights, rtol=1e-13
    )


def test_reg_covar_equivalence_on_course_data():
    X = load_faithful(standardize=True)
    resp, _ = e_step(X, init_params(X, 2, init="random", random_state=3))
    nk, _, scatter = component_statistics(X, resp)
    for r in (1e-6, 1e-3, 1e-1):
        ours = map_covariances(scatter, nk, nk[:, None, None] * r * np.eye(2), -3)
        assert np.allclose(ours, m_step(X, resp, reg_covar=r).covariances, rtol=1e-12, atol=1e-15)


def test_reg_covar_maximises_Q_minus_the_n_k_scaled_penalty_which_is_jitter():
    """Notebook 11's readings of reg_covar: its M-step maximises Q − ½ r Σ_k N_k tr Σ_k⁻¹, and that penalty is
    the average change of Σ_n γ_nk ln N(x_n | μ_k, Σ_k) under jitter of covariance r I."""
    X, resp = problem(seed=8)
    r = 0.3
    nk = resp.sum(axis=0)

    def objective(params):
        q = sum(
            resp[:, k] @ (np.log(w) + multivariate_normal(m, c).logpdf(X))
            for k, (w, m, c) in enumerate(zip(params.weights, params.means, params.covariances))
        )
        return q - 0.5 * r * sum(n * np.trace(np.linalg.inv(c)) for n, c in zip(nk, params.covariances))

    best = m_step(X, resp, reg_covar=r)
    top = objective(best)
    rng = np.random.default_rng(1)
    for _ in range(60):
        bend = 0.05 * rng.normal(size=(3, 2, 2))
        other = GMMParams(best.weights, best.means, best.covariances + np.einsum("kij,klj->kil", bend, bend))
        assert objective(other) < top
    # the jitter: E_ε ln N(x + ε | μ, Σ) = ln N(x | μ, Σ) − ½ r tr Σ⁻¹ for ε ~ N(0, r I), by Monte Carlo
    x, mu, cov = X[0], best.means[0], best.covariances[0]
    eps = np.random.default_rng(2).multivariate_normal(np.zeros(2), r * np.eye(2), size=400_000)
    averaged = multivariate_normal(mu, cov).logpdf(x + eps).mean()
    exact = multivariate_normal(mu, cov).logpdf(x) - 0.5 * r * np.trace(np.linalg.inv(cov))
    penalty = 0.5 * r * np.trace(np.linalg.inv(cov))
    assert penalty > 0.1 and abs(averaged - exact) < 0.005  # Monte Carlo error about 3e-4


def test_an_empty_component_gets_the_prior_mode():
    X, resp = problem(seed=5)
    resp = np.column_stack([resp[:, :2] / resp[:, :2].sum(axis=1, keepdims=True), np.zeros(len(X))])
    prior = InverseWishartPrior(0.6 * np.eye(2), 4)
    with pytest.warns(EmptyComponentWarning, match="Component 3"):
        params = map_m_step(X, resp, prior)
    assert np.allclose(params.covariances[2], prior.mode) and np.allclose(params.means[2], X.mean(axis=0))
    assert params.weights[2] < 1e-12


# ---------------------------------------------------------------------------------------------
# The prior and the objective
# ---------------------------------------------------------------------------------------------


def test_log_prior_is_scipys_inverse_wishart():
    X, resp = problem(seed=6, d=3)
    params = m_step(X, resp, reg_covar=0.01)
    for scale, dof in ((0.5 * np.eye(3), 5.0), (np.array([[1, 0.2, 0], [0.2, 2, 0.1], [0, 0.1, 0.5]]), 2.5)):
        prior = InverseWishartPrior(scale, dof)
        expected = sum(invwishart(df=dof, scale=scale).logpdf(c) for c in params.covariances)
        assert np.isclose(log_prior(params, prior), expected, rtol=1e-12)
    diag = GMMParams(params.weights, params.means, np.array([np.diag(c) for c in params.covariances]), "diag")
    assert np.isclose(
        log_prior(diag, prior),
        sum(invwishart(df=2.5, scale=scale).logpdf(c) for c in diag.full_covariances()),
    )


def test_prior_mode_and_pseudo_points():
    prior = InverseWishartPrior(np.diag([0.7, 1.4]), 4)
    assert prior.pseudo_points == 7 and np.allclose(prior.mode, np.diag([0.1, 0.2]))
    # the mode is where SciPy's density peaks
    density = invwishart(df=4, scale=prior.scale)
    assert all(density.logpdf(prior.mode) > density.logpdf(prior.mode * s) for s in (0.9, 1.1))


def test_the_objective_bound_is_reached_by_one_component_on_identical_points():
    """K = 1, N identical points, μ on them, Σ = Ψ / (N + ν + d + 1): every inequality of the bound is tight."""
    prior = InverseWishartPrior(np.array([[0.5, 0.1], [0.1, 0.3]]), 4.0)
    n = 7
    X = np.tile([[1.0, -2.0]], (n, 1))
    params = GMMParams(np.ones(1), X[:1], (prior.scale / (n + prior.pseudo_points))[None])
    objective = e_step(X, params)[1] + log_prior(params, prior)
    assert np.isclose(objective, objective_upper_bound(n, 1, prior), rtol=1e-12)
    # any other covariance or mean is lower
    for factor in (0.5, 0.9, 1.1, 3.0):
        other = GMMParams(np.ones(1), X[:1], params.covariances * factor)
        assert e_step(X, other)[1] + log_prior(other, prior) < objective
    bound = objective_upper_bound(40, 3, prior)
    X, resp = problem(seed=7)
    for r in (1e-8, 1e-4, 1.0):  # however narrow the components, the bound holds
        params = m_step(X, resp, reg_covar=r)
        assert e_step(X, params)[1] + log_prior(params, prior) < bound


def test_map_em_never_lowers_its_objective_and_stays_below_the_bound():
    X = stuck_data()
    prior = InverseWishartPrior(0.7 * np.eye(2), 4)
    bound = objective_upper_bound(len(X), 4, prior)
    for seed in range(6):
        history = fit_map_em(X, 4, prior, init="random", random_state=seed, tol=0, max_iter=60)
        objective = history.objectives
        assert np.all(np.diff(objective) >= -1e-12 * np.abs(objective[1:])) and objective.max() < bound
        for theta, ll, lp in zip(history.params, history.log_likelihoods, history.log_priors):
            assert np.isclose(ll, e_step(X, theta)[1]) and np.isclose(lp, log_prior(theta, prior))


def test_a_proper_prior_prevents_the_collapse_that_reg_covar_0_falls_into():
    X = stuck_data()
    n = len(X)
    prior = InverseWishartPrior(0.7 * np.eye(2), 4)
    collapsed = 0
    for seed in range(10):
        start = init_params(X, 4, init="random", random_state=seed)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                fit = fit_em(X, 4, params=start, reg_covar=0.0, tol=0, max_iter=200)
                collapsed += np.linalg.eigvalsh(fit.final.covariances).min() < 1e-4
            except ValueError:  # a covariance that is no longer invertible
                collapsed += 1
        history = fit_map_em(X, 4, prior, params=start, tol=0, max_iter=200)
        smallest = min(np.linalg.eigvalsh(p.covariances).min() for p in history.params[1:])
        assert smallest >= 0.7 / (n + prior.pseudo_points)  # S_k ⪰ 0 and N_k ≤ N
        assert smallest > 0.02
    assert collapsed >= 6


# ---------------------------------------------------------------------------------------------
# The general loop
# ---------------------------------------------------------------------------------------------


def test_run_em_with_a_flat_prior_is_fit_em():
    X = load_faithful(standardize=True)
    start = init_params(X, 2, init="random", random_state=0)
    ours = run_em(
        start, lambda p: e_step(X, p), lambda resp: m_step(X, resp), n_samples=len(X), max_iter=100, tol=1e-3
    )
    theirs = fit_em(X, 2, params=start)
    assert isinstance(ours, MAPHistory) and ours.n_iter == theirs.n_iter and ours.converged
    assert np.allclose(ours.log_likelihoods, theirs.log_likelihoods, rtol=1e-12)
    assert np.all(ours.log_priors == 0) and np.array_equal(ours.objectives, ours.log_likelihoods)
    assert np.allclose(ours.final.covariances, theirs.final.covariances, rtol=1e-12)


def test_run_em_is_fit_ems_loop_watching_the_objective(monkeypatch):
    """One EM loop in gmmviz: run_em (and so fit_map_em and the Bernoulli fit) goes through fit_em's loop, which
    stops on the gain in ln p(X | θ) + ln p(θ) and sees exactly the states that the history keeps."""
    from gmmviz import fit as fit_module

    calls = []
    real_run = fit_module._run

    def spy(engine, params, *args):
        states, watched, converged = real_run(engine, params, *args)
        calls.append((states, watched, converged))
        return states, watched, converged

    monkeypatch.setattr(fit_module, "_run", spy)
    X = stuck_data()
    prior = InverseWishartPrior(0.7 * np.eye(2), 4)
    history = fit_map_em(X, 4, prior, init="random", random_state=5)
    assert len(calls) == 1
    states, watched, converged = calls[0]
    assert [s is p for s, p in zip(states, history.params)] == [True] * len(history.params)
    assert np.array_equal(watched, history.objectives) and converged == history.converged
    gains = np.abs(np.diff(history.objectives)) / len(X)
    assert gains[-1] < 1e-3 and np.all(gains[:-1] >= 1e-3)  # fit_em's rule, on the objective


def test_fit_map_em_starts_as_fit_em_and_runs_no_iteration_when_asked():
    X = load_faithful(standardize=True)
    prior = InverseWishartPrior(0.1 * np.eye(2), 4)
    history = fit_map_em(X, 2, prior, random_state=0, max_iter=0)
    start = init_params(X, 2, random_state=0)
    assert history.n_iter == 0 and np.allclose(history.final.means, start.means)
    assert not history.converged
    full = fit_map_em(X, 2, prior, random_state=0)
    assert full.converged and abs(np.diff(full.objectives)[-1]) / len(X) < 1e-3


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_improper_or_malformed_priors_are_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"proper only for ν > d − 1 = 1"):
        InverseWishartPrior(np.eye(2), -3)  # reg_covar's ν = −d − 1
    with pytest.raises(ValueError, match="square"):
        InverseWishartPrior(np.ones(2), 4)
    with pytest.raises(ValueError, match="symmetric"):
        InverseWishartPrior([[1.0, 0.5], [0.0, 1.0]], 4)
    with pytest.raises(ValueError, match="positive definite"):
        InverseWishartPrior([[1.0, 2.0], [2.0, 1.0]], 4)
    with pytest.raises(TypeError, match="dof"):
        InverseWishartPrior(np.eye(2), "4")
    scale = np.eye(2)
    prior = InverseWishartPrior(scale, 4)
    scale[0, 0] = 9.0
    assert prior.scale[0, 0] == 1.0 and not prior.scale.flags.writeable
    X, resp = problem()
    with pytest.raises(TypeError, match="prior must be an InverseWishartPrior"):
        map_m_step(X, resp, (np.eye(2), 4))
    with pytest.raises(ValueError, match=r"X has 2 feature\(s\) but the prior's scale Ψ is 3 × 3"):
        fit_map_em(X, 3, InverseWishartPrior(np.eye(3), 5))
    with pytest.raises(ValueError, match="'full' covariances"):
        fit_map_em(X, 2, prior, params=GMMParams([0.5, 0.5], [[0, 0], [1, 1]], [1.0, 1.0], "spherical"))
    with pytest.raises(ValueError, match="must be positive, raise ν"):
        map_covariances(np.zeros((2, 2, 2)), [1.0, 0.5], np.eye(2), -4)
    with pytest.raises(ValueError, match=r"nk must have shape \(K,\) = \(2,\)"):
        map_covariances(np.zeros((2, 2, 2)), [1.0], np.eye(2), 4)
    with pytest.raises(TypeError, match="params must be a GMMParams"):
        log_prior("theta", prior)
