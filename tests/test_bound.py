"""gmmviz.bound: ln p(X) = ELBO + KL, the bound touches at q = posterior, EM climbs it."""

import numpy as np
import pytest

import gmmviz
from gmmviz import bound
from gmmviz.datasets import load_faithful, make_dataset


@pytest.fixture(scope="module")
def problem():
    X, _ = make_dataset("overlapping", n_samples=150, random_state=1)
    params = gmmviz.init_params(X, 3, init="random", random_state=2)
    return X, params


def _random_q(n, k, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(k), size=n)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decomposition_holds_for_any_q(problem, seed):
    X, params = problem
    q = _random_q(len(X), 3, seed)
    terms = bound.bound_terms(X, params, q)
    assert terms.log_likelihood == pytest.approx(gmmviz.log_likelihood(X, params), rel=1e-12)
    assert terms.elbo + terms.kl == pytest.approx(terms.log_likelihood, rel=1e-10)
    assert terms.kl > 0
    assert terms.elbo < terms.log_likelihood


def test_equality_at_the_posterior(problem):
    X, params = problem
    gamma, ll = gmmviz.e_step(X, params)
    assert bound.kl_gap(X, params, gamma) == pytest.approx(0.0, abs=1e-9)
    assert bound.elbo(X, params, gamma) == pytest.approx(ll, rel=1e-10)


def test_elbo_is_q_plus_entropy(problem):
    X, params = problem
    q = _random_q(len(X), 3)
    assert bound.elbo(X, params, q) == pytest.approx(
        bound.expected_complete_log_likelihood(X, params, q) + bound.entropy(q)
    )
    assert bound.entropy(np.eye(3)) == 0.0  # 0 ln 0 = 0
    assert bound.entropy(np.full((2, 4), 0.25)) == pytest.approx(2 * np.log(4))


def test_hard_q_with_zero_entries_is_finite(problem):
    X, params = problem
    q = np.eye(3)[np.arange(len(X)) % 3]
    terms = bound.bound_terms(X, params, q)
    assert np.isfinite([terms.elbo, terms.kl]).all()
    assert terms.elbo + terms.kl == pytest.approx(terms.log_likelihood)


def test_weighted_log_prob_matches_log_density(problem):
    from scipy.special import logsumexp

    X, params = problem
    wlp = bound.weighted_log_prob(X, params)
    assert wlp.shape == (len(X), 3)
    assert np.allclose(logsumexp(wlp, axis=1), gmmviz.log_density(X, params))


def test_bad_q_rejected(problem):
    X, params = problem
    with pytest.raises(ValueError, match="row 0 sums to"):
        bound.elbo(X, params, np.full((len(X), 3), 0.5))
    with pytest.raises(ValueError, match="shape"):
        bound.kl_gap(X, params, np.full((3, len(X)), 1 / len(X)))


def test_em_trace_monotone_and_gap_closes():
    X = load_faithful(standardize=True)
    history = gmmviz.fit_em(X, 2, init="random", random_state=0)
    trace = bound.em_bound_trace(history)
    assert len(trace.labels) == 1 + 2 * history.n_iter
    assert trace.labels[:3] == ("start", "E1", "M1")
    assert np.allclose(trace.elbo + trace.kl, trace.log_likelihood)
    e = np.array([k == "E" for k in trace.kinds])
    assert np.allclose(trace.kl[e], 0.0, atol=1e-9)
    assert np.all(trace.kl >= -1e-9)
    assert np.all(np.diff(trace.elbo) >= -1e-8)
    assert np.all(np.diff(trace.log_likelihood) >= -1e-8)
    m = np.flatnonzero([k == "M" for k in trace.kinds])
    # the M-step raises ln p(X) at least as much as the ELBO
    assert np.all(np.diff(trace.log_likelihood)[m - 1] >= np.diff(trace.elbo)[m - 1] - 1e-9)
    assert np.allclose(trace.log_likelihood[m], history.log_likelihoods[1:])


def test_mean_slice_touches_at_zero(problem):
    X, params = problem
    gamma, ll = gmmviz.e_step(X, params)
    s = np.linspace(-1, 1, 21)
    lls, elbos = bound.mean_slice(X, params, gamma, 0, [1.0, 0.0], s)
    assert lls.shape == elbos.shape == (21,)
    assert lls[10] == pytest.approx(ll) and elbos[10] == pytest.approx(ll)
    assert np.all(elbos <= lls + 1e-9)
