"""gmmviz.em: hand calculations, the half-step history, the convergence rule, initialisation,
1-D data, degenerate data and empty components.

scikit-learn equivalence is in test_em_sklearn.py, hypothesis properties and precision far from the
origin in test_em_properties.py, bad input in test_em_errors.py.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.special import logsumexp
from scipy.stats import multivariate_normal, norm

import gmmviz
from gmmviz import (
    COVARIANCE_TYPES,
    EMHistory,
    EmptyComponentWarning,
    Frame,
    GMMParams,
    e_step,
    em,
    fit_em,
    init_params,
    log_density,
    log_likelihood,
    m_step,
)


def blobs(n_per=60, seed=0, d=2, spread=8.0, k=3):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, spread, (k, d))
    return np.concatenate([c + rng.normal(size=(n_per, d)) for c in centres]), centres


def cov_in_shape(full_list, covariance_type):
    """(K,d,d) list of SPD matrices -> the covariance array of `covariance_type` (test-side)."""
    full = np.asarray(full_list)
    return {
        "full": full,
        "tied": full[0],
        "diag": np.array([np.diag(c) for c in full]),
        "spherical": np.array([np.trace(c) / c.shape[0] for c in full]),
    }[covariance_type]


def full_matrices(params_cov, covariance_type, k, d):
    """The covariance matrix of each component, built independently of GMMParams.full_covariances."""
    c = np.asarray(params_cov)
    if covariance_type == "full":
        return list(c)
    if covariance_type == "tied":
        return [c] * k
    if covariance_type == "diag":
        return [np.diag(v) for v in c]
    return [v * np.eye(d) for v in c]


# ---------------------------------------------------------------------------------------------
# Hand calculations
# ---------------------------------------------------------------------------------------------


def test_two_points_two_components_closed_form():
    """X = {-1, +1}, μ = (-1, +1), σ² = 1, π = ½: every quantity has a closed form."""
    X = np.array([-1.0, 1.0])
    params = GMMParams([0.5, 0.5], [[-1.0], [1.0]], [1.0, 1.0], "spherical")
    g = 1.0 / (1.0 + np.exp(-2.0))  # N(-1|-1,1) / (N(-1|-1,1) + N(-1|1,1))
    resp, ll = e_step(X, params)
    np.testing.assert_allclose(resp, [[g, 1 - g], [1 - g, g]], rtol=1e-14)
    # ln p(x) = ln(½ (φ(0) + φ(2))) for both points
    expected_ll = 2 * np.log(0.5 * (np.exp(0.0) + np.exp(-2.0)) / np.sqrt(2 * np.pi))
    assert ll == pytest.approx(expected_ll, rel=1e-14)

    new = m_step(X, resp, "spherical", reg_covar=0.0)
    nk = g + (1 - g)  # = 1
    mu1 = (-g + (1 - g)) / nk  # = 1 - 2γ
    var1 = (g * (-1 - mu1) ** 2 + (1 - g) * (1 - mu1) ** 2) / nk
    np.testing.assert_allclose(new.weights, [0.5, 0.5], rtol=1e-14)
    np.testing.assert_allclose(new.means[:, 0], [mu1, -mu1], rtol=1e-14)
    np.testing.assert_allclose(new.covariances, [var1, var1], rtol=1e-13)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_one_dimensional_step_by_hand(covariance_type):
    """γ, N_k, π, μ, σ² for three 1-D points and two components, from scipy.stats.norm."""
    X = np.array([0.0, 1.0, 4.0])
    w, mu, var = np.array([0.3, 0.7]), np.array([0.5, 3.0]), np.array([1.0, 2.0])
    if covariance_type == "tied":
        var = np.array([1.5, 1.5])
    covs = {"full": var[:, None, None], "tied": var[:1, None], "diag": var[:, None], "spherical": var}
    params = GMMParams(w, mu[:, None], covs[covariance_type], covariance_type)

    joint = w * norm.pdf(X[:, None], loc=mu, scale=np.sqrt(var))  # (3, 2): π_k N(x_n | μ_k, σ_k²)
    gamma = joint / joint.sum(axis=1, keepdims=True)
    resp, ll = e_step(X, params)
    np.testing.assert_allclose(resp, gamma, rtol=1e-13)
    assert ll == pytest.approx(np.log(joint.sum(axis=1)).sum(), rel=1e-13)

    nk = gamma.sum(axis=0)
    pi = nk / 3
    mu_new = (gamma * X[:, None]).sum(axis=0) / nk
    sq = gamma * (X[:, None] - mu_new) ** 2
    var_new = sq.sum(axis=0) / nk
    reg = 0.01
    new = m_step(X, resp, covariance_type, reg_covar=reg)
    np.testing.assert_allclose(new.weights, pi, rtol=1e-13)
    np.testing.assert_allclose(new.means[:, 0], mu_new, rtol=1e-13)
    if covariance_type == "tied":
        np.testing.assert_allclose(new.covariances, [[sq.sum() / 3 + reg]], rtol=1e-13)
    else:
        np.testing.assert_allclose(new.covariances.reshape(2), var_new + reg, rtol=1e-13)

    # fit_em with one iteration does exactly this E-step followed by this M-step.
    history = fit_em(X, 2, covariance_type=covariance_type, params=params, max_iter=1, tol=0.0, reg_covar=reg)
    np.testing.assert_allclose(history.final.means, new.means, rtol=1e-15)
    np.testing.assert_allclose(history.final.covariances, new.covariances, rtol=1e-15)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_log_likelihood_matches_scipy_multivariate_normal(covariance_type):
    rng = np.random.default_rng(1)
    k, d = 3, 3
    X = rng.normal(size=(50, d)) * 2
    a = rng.normal(size=(k, d, d))
    covs = cov_in_shape(np.einsum("kij,klj->kil", a, a) + 0.3 * np.eye(d), covariance_type)
    weights = np.array([0.2, 0.5, 0.3])
    means = rng.normal(size=(k, d))
    params = GMMParams(weights, means, covs, covariance_type)

    mats = full_matrices(covs, covariance_type, k, d)
    log_joint = np.column_stack(
        [np.log(weights[j]) + multivariate_normal(means[j], mats[j]).logpdf(X) for j in range(k)]
    )
    expected_dens = logsumexp(log_joint, axis=1)
    np.testing.assert_allclose(log_density(X, params), expected_dens, rtol=1e-12)
    assert log_likelihood(X, params) == pytest.approx(expected_dens.sum(), rel=1e-12)
    resp, ll = e_step(X, params)
    assert ll == pytest.approx(expected_dens.sum(), rel=1e-12)
    np.testing.assert_allclose(resp, np.exp(log_joint - expected_dens[:, None]), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(params.full_covariances(), np.array(mats), rtol=1e-15)


def test_weighted_mean_and_scatter_by_hand_2d():
    """m_step on given responsibilities equals the textbook formulas written out with loops."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20, 2))
    resp = rng.dirichlet([1.0, 1.0, 1.0], size=20)
    new = m_step(X, resp, "full", reg_covar=0.0)
    for j in range(3):
        nk = sum(resp[i, j] for i in range(20))
        mu = sum(resp[i, j] * X[i] for i in range(20)) / nk
        cov = sum(resp[i, j] * np.outer(X[i] - mu, X[i] - mu) for i in range(20)) / nk
        assert new.weights[j] == pytest.approx(nk / 20, rel=1e-13)
        np.testing.assert_allclose(new.means[j], mu, rtol=1e-13)
        np.testing.assert_allclose(new.covariances[j], cov, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# The half-step history
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run():
    X, _ = blobs(n_per=40, seed=4)
    return X, fit_em(X, 3, init="random", random_state=3, max_iter=6, tol=0.0)


def test_frames_order_params_and_responsibilities(run):
    X, history = run
    assert isinstance(history, EMHistory)
    assert history.n_iter == 6 and len(history.params) == 7 and history.log_likelihoods.shape == (7,)
    assert history.n_frames == len(history) == 13
    frames = list(history)
    assert all(isinstance(f, Frame) for f in frames)
    assert [(f.kind, f.iteration) for f in frames] == [("init", 0)] + [
        (kind, t) for t in range(1, 7) for kind in ("E", "M")
    ]
    assert [f.index for f in frames] == list(range(13))
    assert frames[0].params is history.params[0] and frames[0].resp is None
    assert frames[0].previous_params is None and frames[0].params_index == 0
    for f in frames[1:]:
        t = f.iteration
        shown = t - 1 if f.kind == "E" else t
        assert f.params_index == shown
        assert f.params is history.params[shown]
        assert f.previous_params is (history.params[t - 1] if f.kind == "M" else None)
        assert f.log_likelihood == history.log_likelihoods[shown]
        expected_resp, _ = e_step(X, history.params[t - 1])  # what the M-step of iteration t used
        np.testing.assert_allclose(f.resp, expected_resp, rtol=1e-13, atol=1e-300)
        assert f.log_likelihood == pytest.approx(log_likelihood(X, f.params), rel=1e-12)
        assert f.description and "\n" not in f.description
    assert history.frame(-1).kind == "M" and history.final is history.params[-1]
    with pytest.raises(IndexError):
        history.frame(13)
    # Each M frame's parameters are what m_step makes of its responsibilities.
    for f in frames[2::2]:
        again = m_step(X, f.resp, history.covariance_type, history.reg_covar)
        np.testing.assert_allclose(again.means, f.params.means, rtol=1e-12)
    for t in range(7):
        ll = e_step(X, history.params[t])[1]
        assert history.log_likelihoods[t] == pytest.approx(ll, rel=1e-13)


def _arrays_in(obj, seen=None):
    """Every ndarray reachable from an object through attributes, dicts, lists and tuples."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        items = list(obj.values())
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = list(obj)
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        items = list(vars(obj).values())
    else:
        return []
    return [a for item in items for a in _arrays_in(item, seen)]


def test_history_keeps_no_per_iteration_responsibilities():
    """Memory O(iterations · K · d²): only X and a small cache are of size n."""
    X, _ = blobs(n_per=100, seed=5, d=2, k=3)
    k = 4  # K != d so that (n, K) arrays are told apart from X
    history = fit_em(X, k, init="random", random_state=0, max_iter=25, tol=0.0)
    assert history.n_iter == 25
    for f in history:  # touch every frame: the cache must stay small
        assert f.resp is None or f.resp.shape == (X.shape[0], k)
    n = X.shape[0]
    big = [a for a in _arrays_in(history) if a.size >= n]
    per_point = [a for a in big if a.shape == (n, k) or a.shape == (k, n)]
    assert len(per_point) <= 4, f"{len(per_point)} responsibility arrays kept for {history.n_iter} iterations"
    assert all(a.shape in {(n, k), (k, n), X.shape} for a in big)
    # Parameters and log-likelihoods: a few numbers per iteration.
    small = sum(a.nbytes for a in _arrays_in(history) if a.size < n)
    assert small < 26 * 8 * (k + k * 2 + 2 * k * 4 + 10)


def test_responsibilities_recomputed_and_read_only(run):
    X, history = run
    r = history.responsibilities(2)
    np.testing.assert_allclose(r, e_step(X, history.params[2])[0], rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(r.sum(axis=1), 1.0, rtol=1e-13)
    assert history.responsibilities(-1).shape == (X.shape[0], 3)
    with pytest.raises(ValueError):
        r[0, 0] = 0.5
    with pytest.raises(IndexError):
        history.responsibilities(7)


# ---------------------------------------------------------------------------------------------
# Convergence rule
# ---------------------------------------------------------------------------------------------


def manual_em(X, start, tol, max_iter, covariance_type="full", reg_covar=1e-6):
    """EM written out with the public e_step / m_step and the documented stopping rule."""
    n = len(X)
    params = start
    resp, ll = e_step(X, params)
    lls = [ll]
    for _ in range(max_iter):
        params = m_step(X, resp, covariance_type, reg_covar)
        resp, ll = e_step(X, params)
        lls.append(ll)
        if abs(lls[-1] - lls[-2]) / n < tol:
            return lls, True
    return lls, False


@pytest.mark.parametrize("tol", [2.7e-3, 1e-4, 1e-7])
def test_stops_when_mean_gain_falls_below_tol(tol):
    rng = np.random.default_rng(6)
    X = np.concatenate([rng.normal(0, 1, (150, 2)), rng.normal(2.5, 1, (150, 2))])  # overlapping: slow EM
    start = init_params(X, 2, init="random", random_state=1)
    lls, converged = manual_em(X, start, tol, max_iter=500)
    assert converged and len(lls) > 3  # a real test: several iterations before stopping
    gains = np.abs(np.diff(lls)) / len(X)
    assert gains[-1] < tol <= gains[-2]
    history = fit_em(X, 2, params=start, tol=tol, max_iter=500)
    assert history.converged
    assert history.n_iter == len(lls) - 1
    np.testing.assert_allclose(history.log_likelihoods, lls, rtol=1e-12)


def test_tol_zero_runs_max_iter_and_max_iter_zero_returns_start():
    X, _ = blobs(n_per=30, seed=7)
    start = init_params(X, 3, init="random", random_state=0)
    h = fit_em(X, 3, params=start, tol=0.0, max_iter=40)
    assert h.n_iter == 40 and not h.converged
    h = fit_em(X, 3, params=start, max_iter=3, tol=1e-12)
    assert h.n_iter == 3 and not h.converged
    h0 = fit_em(X, 3, params=start, max_iter=0)
    assert h0.n_iter == 0 and h0.params == (start,) and h0.final is start
    assert h0.n_frames == 1 and [f.kind for f in h0] == ["init"]
    assert h0.log_likelihoods.shape == (1,)
    assert h0.log_likelihoods[0] == pytest.approx(log_likelihood(X, start), rel=1e-13)
    assert h0.frame(0).log_likelihood == h0.log_likelihoods[0]


# ---------------------------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------------------------


def assert_identity_start(params, k, d, covariance_type):
    assert params.covariance_type == covariance_type
    np.testing.assert_array_equal(params.weights, np.full(k, 1.0 / k))
    expected = {
        "full": np.broadcast_to(np.eye(d), (k, d, d)),
        "tied": np.eye(d),
        "diag": np.ones((k, d)),
        "spherical": np.ones(k),
    }[covariance_type]
    np.testing.assert_array_equal(params.covariances, expected)


def match_rows(a, b):
    """Reorder the rows of `a` to best match those of `b`."""
    cost = np.linalg.norm(a[:, None] - b[None], axis=2)
    rows, cols = linear_sum_assignment(cost)
    out = np.empty_like(a)
    out[cols] = a[rows]
    return out


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_kmeans_init_is_sklearn_kmeans(covariance_type):
    from sklearn.cluster import KMeans

    X, _ = blobs(n_per=50, seed=8, d=2, k=3)
    params = init_params(X, 3, init="kmeans", covariance_type=covariance_type, random_state=0)
    ref = KMeans(n_clusters=3, n_init=4, random_state=0).fit(X).cluster_centers_
    np.testing.assert_allclose(match_rows(params.means, ref), ref, rtol=1e-10)
    assert_identity_start(params, 3, 2, covariance_type)
    # A k-means fixed point: each centre is the mean of the points nearest to it.
    nearest = np.argmin(((X[:, None] - params.means[None]) ** 2).sum(axis=2), axis=1)
    for j in range(3):
        np.testing.assert_allclose(params.means[j], X[nearest == j].mean(axis=0), rtol=1e-10)
    # Same seed, same start; fit_em's default init is k-means.
    again = init_params(X, 3, covariance_type=covariance_type, random_state=0)
    np.testing.assert_array_equal(again.means, params.means)
    h = fit_em(X, 3, covariance_type=covariance_type, random_state=0, max_iter=0)
    np.testing.assert_array_equal(h.params[0].means, params.means)
    assert h.init == "kmeans"


def _rows_of(X, means):
    return all(np.any(np.all(X == m, axis=1)) for m in means)


@pytest.mark.parametrize("method", ["kmeans++", "random"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_kmeanspp_and_random_pick_distinct_data_points(method, covariance_type):
    X, _ = blobs(n_per=20, seed=9, d=3, k=4)
    X = np.concatenate([X, X[:30]])  # duplicates must not make two means coincide
    params = init_params(X, 5, init=method, covariance_type=covariance_type, random_state=11)
    assert params.means.shape == (5, 3)
    assert _rows_of(X, params.means)
    assert np.unique(params.means, axis=0).shape[0] == 5
    assert_identity_start(params, 5, 3, covariance_type)
    again = init_params(X, 5, init=method, covariance_type=covariance_type, random_state=11)
    np.testing.assert_array_equal(again.means, params.means)
    gen = init_params(
        X, 5, init=method, covariance_type=covariance_type, random_state=np.random.default_rng(3)
    )
    assert _rows_of(X, gen.means)


def test_random_init_with_exactly_k_distinct_points():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 5, axis=0)
    for seed in range(5):
        params = init_params(X, 3, init="random", random_state=seed)
        assert np.unique(params.means, axis=0).shape[0] == 3


def test_given_means():
    X, _ = blobs(n_per=20, seed=10)
    means = [[0.0, 1.0], [2.0, 3.0], [-1.0, 5.0]]
    params = init_params(X, 3, means=means, covariance_type="diag")
    np.testing.assert_array_equal(params.means, means)
    assert_identity_start(params, 3, 2, "diag")
    h = fit_em(X, 3, params=params, covariance_type="diag", max_iter=2)
    assert h.params[0] is params and h.init == "given"
    assert h.frame(0).description == "Start, before iteration 1: given parameters; points grey: no γ yet"


def test_frame_titles_come_from_the_frame_fields(run):
    _, history = run
    assert history.frame(0).init == "random"
    assert history.frame(0).description.startswith(
        "Start, before iteration 1: random means, π_k = 1/K, Σ_k = I"
    )
    assert history.frame(5).description.startswith("E-step, iteration 3: γ recomputed")
    assert history.frame(6).description.startswith("M-step, iteration 3: π, μ, Σ re-estimated")
    # Built from the fields, not stored: a frame with other fields says something else.
    moved = dataclasses.replace(history.frame(6), iteration=4)
    assert moved.description.startswith("M-step, iteration 4")


def test_init_is_a_keyword_like_in_fit_em():
    X, _ = blobs(n_per=20, seed=10)
    with pytest.raises(TypeError):
        init_params(X, 3, "random")  # positional, as the old method= was: refused
    with pytest.raises(TypeError):
        init_params(X, 3, method="random")
    assert init_params(X, 3, init="random", random_state=0).n_components == 3


def test_one_dimensional_data():
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.normal(-3, 1, 80), rng.normal(2, 0.5, 60)])
    params = init_params(x, 2, means=[-1.0, 1.0])  # means of shape (K,) for 1-D data
    np.testing.assert_array_equal(params.means, [[-1.0], [1.0]])
    assert params.n_features == 1
    h1 = fit_em(x, 2, params=params, max_iter=20, tol=0.0)
    h2 = fit_em(x[:, None], 2, params=params, max_iter=20, tol=0.0)
    assert h1.X.shape == (140, 1)
    np.testing.assert_array_equal(h1.final.means, h2.final.means)
    np.testing.assert_array_equal(h1.log_likelihoods, h2.log_likelihoods)
    np.testing.assert_allclose(np.sort(h1.final.means[:, 0]), [-3, 2], atol=0.3)
    resp, ll = e_step(x, h1.final)
    assert resp.shape == (140, 2) and ll == pytest.approx(h1.log_likelihoods[-1], rel=1e-13)
    assert log_density(x, h1.final).shape == (140,)
    for method in ("kmeans", "kmeans++", "random"):
        assert init_params(x, 2, init=method, random_state=0).means.shape == (2, 1)
    # The docstring's own example.
    h = fit_em(np.array([1.0, 1.2, 5.0]), 2, init="random", random_state=0)
    assert h.final.means.shape == (2, 1) and np.isfinite(h.log_likelihoods).all()


def test_public_names_are_re_exported():
    for name in em.__all__:
        assert getattr(gmmviz, name) is getattr(em, name)
    assert em.COVARIANCE_TYPES == ("full", "tied", "diag", "spherical")
    assert em.INIT_METHODS == ("kmeans", "kmeans++", "random")


def test_params_are_read_only_copies():
    w = np.array([0.5, 0.5])
    params = GMMParams(w, [[0.0], [1.0]], [1.0, 1.0], "spherical")
    w[0] = 0.9
    assert params.weights[0] == 0.5
    with pytest.raises(ValueError):
        params.means[0, 0] = 3.0
    assert params.n_components == 2 and params.n_features == 1
    assert "K=2" in repr(params)


# ---------------------------------------------------------------------------------------------
# Degenerate data and empty components
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("init", ["kmeans", "kmeans++", "random"])
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_identical_points(covariance_type, init):
    X = np.full((6, 2), 3.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either
        h = fit_em(X, 1, init=init, covariance_type=covariance_type, reg_covar=1e-6, random_state=0)
    p = h.final
    np.testing.assert_allclose(p.means, [[3.5, 3.5]], rtol=1e-14)
    full = p.full_covariances()
    np.testing.assert_allclose(full, 1e-6 * np.eye(2)[None], rtol=1e-9, atol=1e-20)
    assert np.all(np.linalg.eigvalsh(full) > 0)
    assert np.isfinite(h.log_likelihoods).all()
    assert h.converged


def test_an_empty_component_is_a_user_warning_the_learner_can_filter():
    """A learner who turns UserWarnings into errors (or silences them) gets the empty component too."""
    X, _ = blobs(n_per=40, seed=13, d=2, k=2, spread=3.0)
    start = init_params(X, 3, means=[X[0], X[50], [1e4, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        with pytest.raises(EmptyComponentWarning, match="Component 3"):
            fit_em(X, 3, params=start, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)  # and nothing else warns (no 0/0)
        assert np.isfinite(fit_em(X, 3, params=start, max_iter=2).log_likelihoods).all()


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_empty_component_warns_and_stays_finite(covariance_type):
    X, _ = blobs(n_per=40, seed=13, d=2, k=2, spread=3.0)
    means = [[X[0, 0], X[0, 1]], [X[50, 0], X[50, 1]], [1e4, -1e4]]  # the third is far from every point
    start = init_params(X, 3, means=means, covariance_type=covariance_type)
    resp, _ = e_step(X, start)
    assert resp[:, 2].max() == 0.0  # N_k is exactly ~0
    with pytest.warns(EmptyComponentWarning, match=r"^Component 3 received no responsibility"):  # the third
        h = fit_em(X, 3, params=start, covariance_type=covariance_type, max_iter=10, tol=0.0)
    for p in h.params:
        for arr in (p.weights, p.means, p.covariances, p.precisions_cholesky):
            assert np.isfinite(arr).all()
        np.testing.assert_allclose(p.weights.sum(), 1.0, rtol=1e-12)
        assert np.all(np.linalg.eigvalsh(p.full_covariances()) > 0)
    assert np.isfinite(h.log_likelihoods).all()
    assert h.params[1].weights[2] < 1e-12
    np.testing.assert_allclose(h.params[1].means[2], X.mean(axis=0), rtol=1e-12)
    for f in h:
        assert f.resp is None or np.isfinite(f.resp).all()
    # The public m_step warns as well.
    with pytest.warns(EmptyComponentWarning, match="Lower K or try another start"):
        m_step(X, resp, covariance_type)


def test_several_empty_components_are_named_from_1():
    X, _ = blobs(n_per=20, seed=13, d=2, k=2)
    resp = np.zeros((len(X), 4))
    resp[:, 0] = 1.0  # the second and the fourth components get nothing
    resp[::2, [0, 2]] = 0.5
    with pytest.warns(EmptyComponentWarning, match=r"^Components 2, 4 received no responsibility"):
        m_step(X, resp)


def test_weight_zero_component_is_fine():
    X, _ = blobs(n_per=20, seed=14, d=2, k=2)
    params = GMMParams([0.0, 1.0], [[0.0, 0.0], [1.0, 1.0]], [1.0, 1.0], "spherical")
    resp, ll = e_step(X, params)
    assert np.isfinite(ll) and np.all(resp[:, 0] == 0.0)
    assert np.isfinite(log_density(X, params)).all()


def test_history_keeps_its_own_copy_of_X():
    X, _ = blobs(n_per=20, seed=15)
    h = fit_em(X, 3, init="random", random_state=0, max_iter=3)
    resp = h.frame(1).resp.copy()
    X += 100.0  # the learner edits their array afterwards
    h._resp_cache.clear()
    np.testing.assert_array_equal(h.frame(1).resp, resp)
    assert not h.X.flags.writeable
