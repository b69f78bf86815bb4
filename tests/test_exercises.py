"""gmmviz.exercises: every hint fires on the slip it names, correct answers pass, None is 'not attempted'."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal

import gmmviz
import gmmviz.datasets
from gmmviz import exercises as ex
from gmmviz.exercises import CheckResult, check_e_step, check_m_step, reference_e_step, reference_m_step


def _assert_fails(result, *fragments):
    assert isinstance(result, CheckResult)
    assert result.status == "failed", str(result)
    assert not result.passed and not bool(result)
    for frag in fragments:
        assert frag in result.message, f"{frag!r} not in {result.message!r}"


# --------------------------------------------------------------------------- the result object


def test_result_reprs():
    ok = CheckResult("e_step", "passed", "fine")
    bad = CheckResult("e_step", "failed", "a < b")
    todo = CheckResult("e_step", "not attempted", "not attempted yet")
    assert repr(ok).startswith("✓ e_step") and ok.passed and ok
    assert repr(bad).startswith("✗ e_step") and not bad.passed
    assert repr(todo).startswith("○ e_step") and not todo.attempted and not todo.passed
    assert "a &lt; b" in bad._repr_html_() and "gmmviz-check-failed" in bad._repr_html_()
    assert "gmmviz-check-not-attempted" in todo._repr_html_()


# --------------------------------------------------------------------------- e_step


def test_reference_e_step_passes():
    res = check_e_step(reference_e_step)
    assert res.passed, str(res)
    assert res.status == "passed" and "✓" in repr(res)


def test_gmmviz_e_step_passes():
    assert check_e_step(gmmviz.e_step).passed


def test_e_step_none_is_not_attempted():
    def skeleton(X, params):
        return None

    res = check_e_step(skeleton)
    assert res.status == "not attempted" and "not attempted yet" in res.message
    assert check_e_step(lambda X, p: (None, None)).status == "not attempted"


def test_e_step_unnormalised_rows():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        return resp * 1.7, ll

    _assert_fails(check_e_step(wrong), "rows of γ must sum to 1; row 0 sums to 1.7")


def test_e_step_unnormalised_numerator_names_the_row():
    def wrong(X, params):  # π_k N(x_n|μ_k,Σ_k) without dividing by T_n
        dens = np.column_stack(
            [
                w * multivariate_normal(m, c).pdf(X).reshape(-1)
                for w, m, c in zip(params.weights, params.means, params.covariances)
            ]
        )
        return dens, float(np.log(dens.sum(axis=1)).sum())

    res = check_e_step(wrong)
    _assert_fails(res, "rows of γ must sum to 1; row ", "T_n")


def test_e_step_normalised_over_points():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        raw = resp * np.exp(np.arange(len(X)))[:, None]
        return raw / raw.sum(axis=0, keepdims=True), ll

    _assert_fails(check_e_step(wrong), "columns sum to 1", "axis=1")


def test_e_step_transposed():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        return resp.T, ll

    _assert_fails(check_e_step(wrong), "transposed", "expected (n, K) = (10, 3)")


def test_e_step_wrong_shape():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        return resp[:, :2], ll

    _assert_fails(check_e_step(wrong), "shape (10, 2)", "expected (n, K) = (10, 3)")


def test_e_step_nan():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        resp = resp.copy()
        resp[2, 1] = np.nan
        return resp, ll

    _assert_fails(check_e_step(wrong), "NaN", "row 2, column 1 (component 2)", "logsumexp")


# Components are numbered 1..K in every message, as in every picture of the course (π_1 .. π_K); array
# positions (rows and columns of γ, perm[k]) stay 0-based, as NumPy counts.


def test_e_step_negative_names_the_component_from_1():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        resp = resp.copy()
        resp[4] = [0.7, 0.5, -0.2]  # sums to 1, negative in the third column
        return resp, ll

    _assert_fails(check_e_step(wrong), "γ_nk ≥ 0; row 4, column 2 (component 3) is -0.2")


def test_e_step_largest_difference_names_the_component_from_1():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        resp = resp.copy()
        resp[3] = 0.5 * resp[3] + 0.5 * np.array(
            [0.0, 0.0, 1.0]
        )  # still sums to 1; the third column is off most
        return resp, ll

    _assert_fails(check_e_step(wrong), "at row 3, column 2 (component 3): got")


def test_e_step_mean_instead_of_sum():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        return resp, ll / len(X)

    _assert_fails(check_e_step(wrong), "γ is right", "mean", "sum over the 10 points")


def test_e_step_per_point_log_likelihood():
    def wrong(X, params):
        resp, _ = reference_e_step(X, params)
        return resp, gmmviz.log_density(X, params)

    _assert_fails(check_e_step(wrong), "for each of the 10 points", ".sum()")


def test_e_step_forgot_weights():
    def wrong(X, params):
        logn = np.column_stack(
            [
                multivariate_normal(m, c).logpdf(X).reshape(-1)
                for m, c in zip(params.means, params.covariances)
            ]
        )
        resp = np.exp(logn - logn.max(axis=1, keepdims=True))
        return resp / resp.sum(axis=1, keepdims=True), gmmviz.log_likelihood(X, params)

    _assert_fails(check_e_step(wrong), "mixing weights", "π_k N(x_n")


def test_e_step_log10():
    def wrong(X, params):
        resp, ll = reference_e_step(X, params)
        return resp, ll / np.log(10)

    _assert_fails(check_e_step(wrong), "log10")


def test_e_step_returns_only_resp():
    def wrong(X, params):
        return reference_e_step(X, params)[0]

    _assert_fails(check_e_step(wrong), "must return a pair")


def test_e_step_pair_in_the_wrong_order_named():
    # notebook 09's loop unpacks resp, ll = my_e_step(X, params): (ll, resp) must be named, not "resp has shape ()"
    def swapped(X, params):
        resp, ll = reference_e_step(X, params)
        return ll, resp

    res = check_e_step(swapped)
    _assert_fails(res, "you returned (log_likelihood, resp)", "return resp, log_likelihood")
    assert "has shape ()" not in res.message


def test_e_step_exception_becomes_hint():
    def wrong(X, params):
        raise KeyError("oops")

    _assert_fails(check_e_step(wrong), "raised KeyError", "n=10 points")


def test_e_step_not_a_function():
    _assert_fails(check_e_step(None), "pass your function itself")


def test_e_step_checks_later_problems():
    def wrong(X, params):  # right in 2-D, wrong in 1-D
        resp, ll = reference_e_step(X, params)
        return resp, (ll if X.shape[1] == 2 else ll + 1.0)

    _assert_fails(check_e_step(wrong), "d=1", "should be")


# --------------------------------------------------------------------------- m_step


def test_reference_m_step_passes():
    res = check_m_step(reference_m_step)
    assert res.passed, str(res)


def test_gmmviz_m_step_passes():
    def via_gmmviz(X, resp, reg_covar=1e-6):
        p = gmmviz.m_step(X, resp, reg_covar=reg_covar)
        return p.weights, p.means, p.covariances

    assert check_m_step(via_gmmviz).passed


def test_m_step_none_is_not_attempted():
    def skeleton(X, resp, reg_covar=1e-6):
        return None

    assert check_m_step(skeleton).status == "not attempted"


def test_m_step_forgot_reg_covar():
    def wrong(X, resp, reg_covar=1e-6):
        return reference_m_step(X, resp, 0.0)

    _assert_fails(check_m_step(wrong), "reg_covar", "add reg_covar · I")


def test_m_step_hard_coded_reg_covar():
    def wrong(X, resp, reg_covar=1e-6):
        return reference_m_step(X, resp, 1e-6)

    _assert_fails(check_m_step(wrong), "1e-6 instead of the reg_covar argument")


def test_m_step_two_arguments():
    _assert_fails(check_m_step(lambda X, resp: None), "three arguments")


def test_m_step_weights_are_nk():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w * len(X), m, c

    _assert_fails(check_m_step(wrong), "N_k", "π_k = N_k / n")


def test_m_step_weights_not_summing_to_one():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w * 1.5, m, c

    _assert_fails(check_m_step(wrong), "must sum to 1", "1.5")


def test_m_step_means_not_divided():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, resp.T @ X, c

    _assert_fails(check_m_step(wrong), "forgot to divide by N_k")


def test_m_step_means_divided_by_n():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, resp.T @ X / len(X), c

    _assert_fails(check_m_step(wrong), "not by the number of points n")


def test_m_step_means_off_names_component():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        m = m.copy()
        m[2] += [0.5, 0.0]  # the third mean: μ_3, numbered as in the pictures
        return w, m, c

    _assert_fails(check_m_step(wrong), "μ_3 is off by 0.5")


def test_m_step_weights_off_names_component_from_1():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w + [-0.02, -0.03, 0.05], m, c  # still sums to 1; the third weight is off most

    _assert_fails(check_m_step(wrong), "π_3 is ")


def test_m_step_covariances_off_names_component_from_1():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        c = c.copy()
        c[2] += 0.5 * np.eye(X.shape[1])  # only the third covariance is wrong
        return w, m, c

    _assert_fails(check_m_step(wrong), "Σ_3 is off by up to 0.5")


def test_m_step_means_transposed():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, m.T, c

    _assert_fails(check_m_step(wrong), "transposed")


def test_m_step_covariances_divided_by_n():
    def wrong(X, resp, reg_covar=1e-6):
        X = np.asarray(X)
        w, m, _ = reference_m_step(X, resp, reg_covar)
        c = np.array(
            [
                (resp[:, k, None] * (X - m[k])).T @ (X - m[k]) / len(X) + reg_covar * np.eye(X.shape[1])
                for k in range(resp.shape[1])
            ]
        )
        return w, m, c

    _assert_fails(check_m_step(wrong), "not by the number of points n")


def test_m_step_covariances_not_centred():
    def wrong(X, resp, reg_covar=1e-6):
        X = np.asarray(X)
        w, m, _ = reference_m_step(X, resp, reg_covar)
        nk = resp.sum(axis=0)
        c = np.array(
            [
                (resp[:, k, None] * X).T @ X / nk[k] + reg_covar * np.eye(X.shape[1])
                for k in range(resp.shape[1])
            ]
        )
        return w, m, c

    _assert_fails(check_m_step(wrong), "subtract the mean")


def test_m_step_one_shared_covariance_shape():
    def wrong(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, m, c[0]

    _assert_fails(check_m_step(wrong), "one (d, d) matrix per component")


def test_m_step_rejects_what_the_em_loop_cannot_unpack():
    # notebook 09's EM loop builds GMMParams(*my_m_step(X, resp)): a GMMParams or a dict would crash it there
    def as_params(X, resp, reg_covar=1e-6):
        return gmmviz.GMMParams(*reference_m_step(X, resp, reg_covar))

    def as_dict(X, resp, reg_covar=1e-6):
        return dict(zip(("weights", "means", "covariances"), reference_m_step(X, resp, reg_covar)))

    _assert_fails(check_m_step(as_params), "not a GMMParams", "return weights, means, covariances")
    _assert_fails(check_m_step(as_dict), "not a dict", "return weights, means, covariances")
    assert check_m_step(lambda X, resp, reg_covar=1e-6: list(reference_m_step(X, resp, reg_covar))).passed
    for fn in (lambda X, resp, reg_covar=1e-6: reference_m_step(X, resp, reg_covar),):  # what the loop does
        X, _, resp = ex._problems(0)[0]
        assert gmmviz.GMMParams(*fn(X, resp)).n_components == resp.shape[1]


def test_m_step_wrong_return():
    _assert_fails(check_m_step(lambda X, resp, reg_covar=1e-6: (1, 2)), "three arrays")


def test_m_step_three_arrays_in_the_wrong_order_named():
    # notebook 09's loop builds GMMParams(*my_m_step(X, resp)): the order matters, and the check names it
    def means_first(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return m, w, c

    def covariances_first(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return c, m, w

    for wrong in (means_first, covariances_first):
        _assert_fails(
            check_m_step(wrong), "in another order", "Return weights (K,), means (K, d), covariances"
        )

    # in 1-D, means of shape (K,) are still accepted, not taken for a reordering
    def flat_means_in_1d(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, (m.ravel() if X.shape[1] == 1 else m), c

    assert any(X.shape[1] == 1 for X, _, _ in ex._problems(0))
    assert check_m_step(flat_means_in_1d).passed


def test_m_step_exception_becomes_hint():
    def wrong(X, resp, reg_covar=1e-6):
        return gmmviz.GMMParams(
            np.ones(resp.shape[1]),
            np.zeros((resp.shape[1], X.shape[1])),
            np.stack([np.eye(X.shape[1])] * resp.shape[1]),
        )

    _assert_fails(check_m_step(wrong), "raised ValueError", "sum to 1")


# --------------------------------------------------------------------------- smaller checks


@pytest.fixture()
def fitted():
    X, _ = gmmviz.datasets.make_dataset("overlapping", n_samples=120, random_state=0)
    return X, gmmviz.fit_em(X, 3, random_state=0).final


def test_check_log_likelihood(fitted):
    X, params = fitted
    ll = gmmviz.log_likelihood(X, params)
    assert ex.check_log_likelihood(ll, X, params).passed
    assert ex.check_log_likelihood(None, X, params).status == "not attempted"
    _assert_fails(ex.check_log_likelihood(ll / len(X), X, params), "mean", "sum")
    _assert_fails(ex.check_log_likelihood(gmmviz.log_density(X, params), X, params), ".sum()")
    _assert_fails(ex.check_log_likelihood(-ll, X, params), "sign")
    _assert_fails(
        ex.check_log_likelihood(np.exp(gmmviz.log_density(X, params)).sum(), X, params), "log of each"
    )
    _assert_fails(ex.check_log_likelihood(ll + 3.0, X, params), "should be")


def test_check_responsibilities(fitted):
    X, params = fitted
    resp, _ = gmmviz.e_step(X, params)
    assert ex.check_responsibilities(resp, X, params).passed
    assert ex.check_responsibilities(None, X, params).status == "not attempted"
    _assert_fails(ex.check_responsibilities(resp.T, X, params), "transposed")
    bad = resp.copy()
    bad[3] *= 1.7
    _assert_fails(ex.check_responsibilities(bad, X, params), "rows of γ must sum to 1; row 3 sums to 1.7")


def test_check_n_parameters():
    assert ex.check_n_parameters(17, 3, 2, "full").passed  # 2 + 6 + 9
    assert ex.n_parameters(3, 2, "spherical") == 2 + 6 + 3
    assert ex.n_parameters(3, 2, "tied") == 2 + 6 + 3
    assert ex.n_parameters(3, 2, "diag") == 2 + 6 + 6
    _assert_fails(ex.check_n_parameters(18, 3, 2), "K − 1")
    _assert_fails(ex.check_n_parameters(20, 3, 2), "symmetric")
    _assert_fails(ex.check_n_parameters(5, 3, 2), "expected 17")
    assert ex.check_n_parameters(None, 3, 2).status == "not attempted"


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_n_parameters_matches_scikit_learn(covariance_type):
    from sklearn.mixture import GaussianMixture

    X = np.random.default_rng(0).normal(size=(40, 3))
    gm = GaussianMixture(4, covariance_type=covariance_type, random_state=0).fit(X)
    assert ex.n_parameters(4, 3, covariance_type) == gm._n_parameters()
    with pytest.raises(ValueError, match="covariance_type"):
        ex.n_parameters(4, 3, "fll")


def test_check_mahalanobis():
    mean, cov, x = np.zeros(2), np.array([[4.0, 0.0], [0.0, 1.0]]), np.array([2.0, 1.0])
    assert ex.check_mahalanobis(np.sqrt(2.0), x, mean, cov).passed
    assert ex.check_mahalanobis(2.0, x, mean, cov, squared=True).passed
    _assert_fails(ex.check_mahalanobis(2.0, x, mean, cov), "square root")
    _assert_fails(ex.check_mahalanobis(np.sqrt(2.0), x, mean, cov, squared=True), "no square root")
    _assert_fails(ex.check_mahalanobis(np.sqrt(17.0), x, mean, cov), "inverse covariance")
    _assert_fails(ex.check_mahalanobis(np.sqrt(5.0), x, mean, cov), "Euclidean")
    assert ex.check_mahalanobis(None, x, mean, cov).status == "not attempted"


def test_check_elbo(fitted):
    from gmmviz import bound

    X, params = fitted
    q = np.full((len(X), 3), 1 / 3)
    value = bound.elbo(X, params, q)
    assert ex.check_elbo(value, X, params, q).passed
    qterm = bound.expected_complete_log_likelihood(X, params, q)
    _assert_fails(ex.check_elbo(qterm, X, params, q), "entropy")
    _assert_fails(ex.check_elbo(qterm - bound.entropy(q), X, params, q), "wrong sign")
    _assert_fails(ex.check_elbo(value / len(X), X, params, q), "averaged")
    assert ex.check_elbo(None, X, params, q).status == "not attempted"


def test_check_permutation():
    a = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    b = a[[2, 0, 1]]  # run B's component 0 is run A's 2, ...
    perm = [1, 2, 0]  # A's k is B's perm[k]
    assert np.allclose(b[perm], a)
    assert ex.check_permutation(perm, a, b).passed
    _assert_fails(ex.check_permutation([2, 0, 1], a, b), "inverse")
    _assert_fails(ex.check_permutation([0, 0, 1], a, b), "exactly once")
    _assert_fails(ex.check_permutation([0, 1], a, b), "K=3")
    # wrong from perm[1] on: one convention in the message, 0-based labels, with the plots' numbers 1..K beside
    _assert_fails(
        ex.check_permutation([1, 0, 2], a, b),
        "perm[1] should be 2, not 0 (labels count from 0",
        "run A's label 1 (component 2 in the plots, mean",
        "run B's label 2 (component 3 in the plots, mean",
        "not to its label 0 (component 1 in the plots, mean",
    )
    # the reviewer's reading of the old message: "should be 1 ... component 2" looked like a contradiction
    first = ex.check_permutation([0, 1, 2], a, b)
    _assert_fails(first, "perm[0] should be 1, not 0", "run B's label 1 (component 2 in the plots")
    assert ex.check_permutation(None, a, b).status == "not attempted"


def test_solution_prints_source(capsys):
    ex.solution("e_step")
    out = capsys.readouterr().out
    assert "def reference_e_step" in out and "logsumexp" in out


# --------------------------------------------------------------------------- the log-space E-step


def _naive_e_step(X, params):
    """Exponentiate, then normalise: right on nearby points, 0/0 on a far one."""
    dens = np.column_stack(
        [
            w * multivariate_normal(m, c).pdf(X)
            for w, m, c in zip(params.weights, params.means, params.covariances)
        ]
    )
    total = dens.sum(axis=1)
    return dens / total[:, None], np.log(total).sum()


def test_naive_e_step_fails_on_the_far_point_and_says_why():
    # The naive version agrees with the reference on the three ordinary problems ...
    for X, params, _ in ex._problems(0):
        resp, ll = _naive_e_step(X, params)
        assert np.allclose(resp, reference_e_step(X, params)[0]) and np.isclose(
            ll, reference_e_step(X, params)[1]
        )
    # ... but the far point underflows: every density is 0 in float64 (checked independently).
    X, params = ex._far_problem(0)
    logs = [multivariate_normal(m, c).logpdf(X[-1]) for m, c in zip(params.means, params.covariances)]
    assert max(logs) < -1000 and all(
        multivariate_normal(m, c).pdf(X[-1]) == 0.0 for m, c in zip(params.means, params.covariances)
    )
    _assert_fails(check_e_step(_naive_e_step), "far from every component", "logsumexp", "NaN")


def test_naive_e_step_with_an_epsilon_still_fails():
    def padded(X, params):
        dens = (
            np.column_stack(
                [
                    w * multivariate_normal(m, c).pdf(X)
                    for w, m, c in zip(params.weights, params.means, params.covariances)
                ]
            )
            + 1e-300
        )
        total = dens.sum(axis=1)
        return dens / total[:, None], np.log(total).sum()

    _assert_fails(check_e_step(padded), "far from every component", "γ differs")


def test_far_point_reference_is_finite_and_hard():
    X, params = ex._far_problem(0)
    resp, ll = gmmviz.e_step(X, params)
    assert np.isfinite(resp).all() and np.isfinite(ll)
    assert np.allclose(resp.sum(axis=1), 1.0) and resp[-1].max() > 0.999  # the nearest component takes it


# --------------------------------------------------------------------------- convergence test


def test_reference_converged_passes():
    assert ex.check_converged(ex.reference_converged).passed


def test_converged_matches_fit_em():
    # The reference test stops fit_em's loop at the same iteration as fit_em itself.
    X, _ = gmmviz.datasets.make_dataset("overlapping", n_samples=200, random_state=0)
    hist = gmmviz.fit_em(X, 3, random_state=0, tol=1e-3)
    lls = hist.log_likelihoods
    stops = [t for t in range(1, len(lls)) if ex.reference_converged(lls[t - 1], lls[t], len(X), 1e-3)]
    assert hist.converged and stops == [hist.n_iter]


def test_converged_slips():
    assert ex.check_converged(lambda a, b, n, tol: None).status == "not attempted"
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) < tol), "PER POINT")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / abs(a) < tol), "not by |ln p(X)|")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: (b - a) / n < tol), "abs(Δ)")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n <= tol), "strict")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n > tol), "expected")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n), "True or False")
    _assert_fails(ex.check_converged(lambda a, b: True), "raised TypeError")
    _assert_fails(ex.check_converged(3), "pass your function")


# --------------------------------------------------------------------------- BIC's choice of K


def test_check_best_k_agrees_with_sklearn_bic():
    from sklearn.mixture import GaussianMixture

    X = gmmviz.datasets.load_faithful()
    Ks = range(1, 5)
    # Independent: scikit-learn's own BIC, fitted from several k-means starts.
    sk_bic = {K: GaussianMixture(K, random_state=0, n_init=3).fit(X).bic(X) for K in Ks}
    best = min(sk_bic, key=sk_bic.get)
    assert best == 2
    assert ex.check_best_k(best, X, "full", Ks).passed
    _assert_fails(ex.check_best_k(4, X, "full", Ks), "highest ln p(X)")
    _assert_fails(ex.check_best_k(1, X, "full", Ks), "smaller one")
    _assert_fails(ex.check_best_k(9, X, "full", Ks), "not among")
    _assert_fails(ex.check_best_k("two", X, "full", Ks), "whole number")
    assert ex.check_best_k(None, X, "full", Ks).status == "not attempted"


# --------------------------------------------------------------------------- uncertain points


def test_check_uncertain():
    resp = np.array(
        [[0.5, 0.3, 0.2], [0.999, 0.0005, 0.0005], [0.2, 0.8, 0.0], [0.995, 0.004, 0.001], [0.0, 0.0, 1.0]]
    )
    want = np.array([True, False, True, False, False])  # by hand: largest γ below 0.99
    assert ex.check_uncertain(want, resp, 0.99).passed
    assert ex.check_uncertain(None, resp).status == "not attempted"
    _assert_fails(ex.check_uncertain(~want, resp, 0.99), "flip")
    _assert_fails(ex.check_uncertain(resp.min(axis=1) < 0.99, resp, 0.99), "LARGEST")
    _assert_fails(ex.check_uncertain(resp[:, 0] < 0.99, resp, 0.99), "one component")
    _assert_fails(ex.check_uncertain(np.flatnonzero(want), resp, 0.99), "boolean mask")
    _assert_fails(ex.check_uncertain(2, resp, 0.99), "single number")
    _assert_fails(ex.check_uncertain(resp < 0.99, resp, 0.99), "resp.max(axis=1)")
    _assert_fails(ex.check_uncertain(np.array([True, True, True, False, False]), resp, 0.99), "1 points")


# --------------------------------------------------------------------------- precision, whole numbers, messages


def _shown_pairs(message):
    """Every (expected, got) pair a message shows, as the strings it shows them with.

    Reads "expected A, got B", "should be A, got B", "got B, expected A" and "… is B, expected A" (A and B a
    number or a bracketed array, possibly nested)."""
    import re

    def token(s, i):
        if s[i] == "[":
            depth = 0
            for j in range(i, len(s)):
                depth += {"[": 1, "]": -1}.get(s[j], 0)
                if depth == 0:
                    return s[i : j + 1]
        return re.match(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", s[i:]).group(0)

    pairs = []
    for m in re.finditer(r"(expected|should be|got| is) (?=[-\d\[])", message):
        first = token(message, m.end())
        rest = message[m.end() + len(first) :]
        other = re.match(r"(?: \(to \d+ decimals\))?, (expected|got) (?=[-\d\[])", rest)
        if other:
            second = token(rest, other.end())
            pairs.append((second, first) if m.group(1) in ("got", " is") else (first, second))
    return pairs


def _assert_shown_apart(result):
    """A failure that shows an expected and a given number shows them differently."""
    pairs = _shown_pairs(result.message)
    assert pairs, f"no 'expected …, got …' in {result.message!r}"
    for want, got in pairs:
        assert want != got, f"{want!r} shown for both in {result.message!r}"


def test_shown_pairs_reads_numbers_and_arrays():
    assert _shown_pairs("expected [0.816, 1.414], got [0.817, 1.414]: D²") == [
        ("[0.816, 1.414]", "[0.817, 1.414]")
    ]
    assert _shown_pairs("got 0.2700, expected 0.2691. γ") == [("0.2691", "0.2700")]
    assert _shown_pairs("should be -7.127 (to 3 decimals), got -7.13: x") == [("-7.127", "-7.13")]
    assert _shown_pairs("got [[1, 2], [3, 4]], expected [[1, 2], [3, 5]].") == [
        ("[[1, 2], [3, 5]]", "[[1, 2], [3, 4]]")
    ]


# The hand-computed exercises of notebooks 01 and 02, with the numbers their solutions print (3 decimals).
MAHALANOBIS_01 = dict(
    x=np.array([[1.0, 1.0], [1.0, -1.0]]), mean=np.zeros(2), cov=np.array([[2.0, 1.0], [1.0, 2.0]])
)
X_02 = np.array([-1.0, 1.5, 4.0])
PARAMS_02 = gmmviz.GMMParams(weights=[0.5, 0.5], means=[[0.0], [2.0]], covariances=[[[1.0]], [[1.0]]])
RESP_02_ROUNDED = [[0.982, 0.018], [0.269, 0.731], [0.002, 0.998]]


def test_mahalanobis_accepts_the_hand_answer_at_three_decimals():
    res = ex.check_mahalanobis([0.816, 1.414], **MAHALANOBIS_01)
    assert res.passed, str(res)
    assert ex.check_mahalanobis([0.8165, 1.4142], **MAHALANOBIS_01).passed  # more decimals, still right
    assert ex.check_mahalanobis(np.sqrt([2 / 3, 2.0]), **MAHALANOBIS_01).passed  # full precision, from code
    assert ex.check_mahalanobis([0.667, 2.0], **MAHALANOBIS_01, squared=True).passed  # D² = 2/3 and 2
    assert ex.check_mahalanobis([0.82, 1.41], **MAHALANOBIS_01, decimals=2).passed  # another stated precision


def test_mahalanobis_rejects_a_hand_answer_wrong_at_the_stated_precision():
    res = ex.check_mahalanobis([0.817, 1.414], **MAHALANOBIS_01)
    _assert_fails(res, "0.817", "0.816")
    _assert_shown_apart(res)
    _assert_fails(ex.check_mahalanobis([0.82, 1.41], **MAHALANOBIS_01), "3 decimals")  # too few decimals
    _assert_fails(ex.check_mahalanobis([0.667, 2.0], **MAHALANOBIS_01), "square root")  # D² at 3 decimals


def test_mahalanobis_checks_a_code_answer_tightly_and_shows_the_difference():
    res = ex.check_mahalanobis(np.sqrt([2 / 3, 2.0]) + [1e-6, 0.0], **MAHALANOBIS_01)  # alike at 3 decimals
    _assert_fails(res)
    _assert_shown_apart(res)


def test_log_likelihood_accepts_the_solution_s_rounded_number():
    ll = gmmviz.log_likelihood(X_02, PARAMS_02)
    assert round(ll, 3) == -7.127
    res = ex.check_log_likelihood(-7.127, X_02, PARAMS_02)
    assert res.passed, str(res)
    assert ex.check_log_likelihood(-7.1274, X_02, PARAMS_02).passed  # more decimals, still right
    assert ex.check_log_likelihood(ll, X_02, PARAMS_02).passed


def test_log_likelihood_rejects_a_hand_answer_wrong_at_the_stated_precision():
    for wrong in (-7.128, -7.126, -7.13):
        res = ex.check_log_likelihood(wrong, X_02, PARAMS_02)
        _assert_fails(res, "-7.127")
        _assert_shown_apart(res)
    ll = gmmviz.log_likelihood(X_02, PARAMS_02)
    _assert_fails(ex.check_log_likelihood(round(ll / 3, 3), X_02, PARAMS_02), "mean")  # a slip, rounded


def test_log_likelihood_checks_a_code_answer_tightly_and_shows_the_difference():
    ll = gmmviz.log_likelihood(X_02, PARAMS_02)
    res = ex.check_log_likelihood(ll + 1e-5, X_02, PARAMS_02)  # alike at 4 decimals
    _assert_fails(res, "should be")
    _assert_shown_apart(res)


def test_responsibilities_accept_the_solution_s_rounded_table():
    res = ex.check_responsibilities(RESP_02_ROUNDED, X_02, PARAMS_02)
    assert res.passed, str(res)


def test_responsibilities_accept_rounded_rows_that_do_not_sum_to_one():
    # three identical components: γ = 1/3 for every point, and 0.333 × 3 = 0.999
    params = gmmviz.GMMParams(np.full(3, 1 / 3), np.zeros((3, 1)), np.ones((3, 1, 1)))
    x = np.array([0.0, 5.0])
    resp, _ = gmmviz.e_step(x, params)
    rounded = resp.round(3)
    assert rounded.sum(axis=1)[0] != 1.0
    assert ex.check_responsibilities(rounded, x, params).passed


def test_responsibilities_reject_a_rounded_table_wrong_at_the_stated_precision():
    wrong = [[0.982, 0.018], [0.270, 0.730], [0.002, 0.998]]
    res = ex.check_responsibilities(wrong, X_02, PARAMS_02)
    _assert_fails(res, "row 1, column 0 (component 1)", "0.270", "0.269")
    _assert_shown_apart(res)


def test_responsibilities_check_a_code_answer_tightly_and_show_the_difference():
    resp, _ = gmmviz.e_step(X_02, PARAMS_02)
    off = resp + np.array([[0.0, 0.0], [3e-6, -3e-6], [0.0, 0.0]])
    res = ex.check_responsibilities(off, X_02, PARAMS_02)
    _assert_fails(res, "row 1")
    _assert_shown_apart(res)
    rows = resp * (1 + 2e-6)  # rows sum to 1.000002: the sum is shown with the digits that differ from 1
    _assert_fails(ex.check_responsibilities(rows, X_02, PARAMS_02), "sums to 1.000002")


def test_count_answers_must_be_whole_numbers():
    _assert_fails(ex.check_n_parameters(39.9, 4, 3), "whole number", "39.9")
    _assert_fails(ex.check_n_parameters(39.5, 4, 3), "whole number")
    _assert_fails(ex.check_n_parameters("39", 4, 3), "whole number")
    _assert_fails(ex.check_n_parameters(True, 4, 3), "whole number")
    assert ex.check_n_parameters(39, 4, 3).passed  # notebook 06: (K − 1) + K·d + K·d(d+1)/2
    assert ex.check_n_parameters(39.0, 4, 3).passed
    assert ex.check_n_parameters(np.int64(27), 4, 3, "diag").passed


def test_permutation_labels_must_be_whole_numbers():
    a = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    b = a[[2, 0, 1]]
    _assert_fails(ex.check_permutation([1.9, 2.2, 0.4], a, b), "whole number", "1.9")
    assert ex.check_permutation([1.0, 2.0, 0.0], a, b).passed
    assert ex.check_permutation(np.array([1, 2, 0], dtype=np.int32), a, b).passed


def test_best_k_must_be_a_whole_number():
    X = gmmviz.datasets.load_faithful()
    _assert_fails(ex.check_best_k(2.5, X, "full", range(1, 4)), "whole number", "2.5")
    assert ex.check_best_k(2.0, X, "full", range(1, 4)).passed


def test_m_step_messages_show_numbers_apart():
    def weights_off(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w + np.array([2e-7, -2e-7, 0.0]), m, c  # still sums to 1

    res = check_m_step(weights_off)
    _assert_fails(res, "π_1 is ")
    _assert_shown_apart(res)

    def weights_sum(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w * (1 + 3e-6), m, c

    _assert_fails(check_m_step(weights_sum), "sum to 1.000003")

    def means_off(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, m + 1e-6, c

    res = check_m_step(means_off)
    _assert_fails(res, "μ_")
    _assert_shown_apart(res)

    def covs_off(X, resp, reg_covar=1e-6):
        w, m, c = reference_m_step(X, resp, reg_covar)
        return w, m, c + 1e-6 * np.eye(X.shape[1])

    res = check_m_step(covs_off)
    _assert_fails(res, "Σ_")
    _assert_shown_apart(res)


def test_elbo_message_shows_numbers_apart_and_asks_for_the_unrounded_value(fitted):
    from gmmviz import bound

    X, params = fitted
    q = np.full((len(X), 3), 1 / 3)
    value = bound.elbo(X, params, q)
    res = ex.check_elbo(value + 2e-5 * abs(value), X, params, q)
    _assert_fails(res, "expected")
    _assert_shown_apart(res)
    _assert_fails(ex.check_elbo(round(value, 2), X, params, q), "rounded", "unrounded")


def test_elbo_fails_values_rounded_within_tolerance_and_names_gamma_instead_of_q(fitted):
    from scipy.special import xlogy

    from gmmviz import bound, e_step

    X, params = fitted
    q = np.full((len(X), 3), 1 / 3)
    value = bound.elbo(X, params, q)
    for decimals in (3, 4, 6):  # within 1e-6 relative, but rounded: fails as the docstring says
        assert abs(round(value, decimals) - value) <= 1e-6 * abs(value)
        _assert_fails(ex.check_elbo(round(value, decimals), X, params, q), "rounded", "unrounded")
    wlp = bound.weighted_log_prob(X, params)
    assert ex.check_elbo(np.sum(q * (wlp - np.log(q))), X, params, q).passed  # the ways of writing it pass
    assert ex.check_elbo(np.sum(q * wlp) - np.sum(xlogy(q, q)), X, params, q).passed
    gamma, _ = e_step(X, params)
    _assert_fails(ex.check_elbo(np.sum(gamma * (wlp - np.log(gamma))), X, params, q), "ln p(X)", "q = γ")
    assert ex.check_elbo(gmmviz.log_likelihood(X, params), X, params, gamma).passed  # at q = γ it is right


def test_e_step_messages_show_numbers_apart():
    def ll_off(X, params):
        resp, ll = reference_e_step(X, params)
        return resp, ll + 1e-4 * np.pi

    res = check_e_step(ll_off)
    _assert_fails(res, "should be")
    _assert_shown_apart(res)

    def resp_off(X, params):
        resp, ll = reference_e_step(X, params)
        resp = resp.copy()
        resp[0, np.argsort(resp[0])[-2:]] += [2e-6, -2e-6]  # the two largest: still ≥ 0, rows still sum to 1
        return resp, ll

    res = check_e_step(resp_off)
    _assert_fails(res, "row 0")
    _assert_shown_apart(res)


def test_naive_e_step_explains_0_over_0_once():
    res = check_e_step(_naive_e_step)
    _assert_fails(res, "NaN", "far from every component", "logsumexp")
    assert res.message.count("0/0") == 1, res.message
    assert res.message.count("logsumexp") == 1, res.message
    assert res.message.count("underflow") + res.message.count("exponentiating first") == 1, res.message


def test_far_point_log_likelihood_explains_once():
    def ll_naive(X, params):  # γ in log space, but ln p(X) = log of a sum of densities
        resp, _ = reference_e_step(X, params)
        dens = np.column_stack(
            [
                w * multivariate_normal(m, c).pdf(X)
                for w, m, c in zip(params.weights, params.means, params.covariances)
            ]
        )
        return resp, np.log(dens.sum(axis=1)).sum()

    res = check_e_step(ll_naive)
    _assert_fails(res, "γ is right", "-inf", "far from every component", "logsumexp")
    assert res.message.count("log space") + res.message.count("logsumexp") == 1, res.message


def _reproduce(message, fn_name, fn):
    """Run the code line a failure message gives (between backticks), with the learner's function as fn_name."""
    import re

    code = re.search(r"`([^`]+)`", message)
    assert code, f"no code line in {message!r}"
    namespace = {fn_name: fn}
    exec(code.group(1), namespace)  # noqa: S102 - the line is the checker's own


def test_e_step_exception_gives_a_reproducible_input():
    def my_e_step(X, params):
        if np.abs(X).max() > 30:  # only the far point
            raise ValueError("too far")
        return reference_e_step(X, params)

    res = check_e_step(my_e_step, seed=3)
    _assert_fails(res, "raised ValueError: too far", "my_e_step(", "seed=3")
    assert "Run it yourself on that input" not in res.message
    with pytest.raises(ValueError, match="too far"):
        _reproduce(res.message, "my_e_step", my_e_step)

    def my_e_step_1d(X, params):
        if X.shape[1] == 1:
            raise IndexError("1-D")
        return reference_e_step(X, params)

    res = check_e_step(my_e_step_1d)
    _assert_fails(res, "raised IndexError", "d=1")
    with pytest.raises(IndexError, match="1-D"):
        _reproduce(res.message, "my_e_step_1d", my_e_step_1d)


def test_m_step_exception_gives_a_reproducible_input():
    def my_m_step(X, resp, reg_covar=1e-6):
        if resp.shape[1] == 4:
            raise RuntimeError("K=4")
        return reference_m_step(X, resp, reg_covar)

    res = check_m_step(my_m_step)
    _assert_fails(res, "raised RuntimeError: K=4", "my_m_step(")
    with pytest.raises(RuntimeError, match="K=4"):
        _reproduce(res.message, "my_m_step", my_m_step)


def test_converged_exception_gives_a_reproducible_input():
    def my_converged(ll_previous, ll_current, n, tol):
        return abs(ll_current - ll_previous) / (n - 2) < tol  # ZeroDivisionError for n = 2

    res = check_converged_result = ex.check_converged(my_converged)
    _assert_fails(res, "raised ZeroDivisionError", "my_converged(")
    with pytest.raises(ZeroDivisionError):
        _reproduce(check_converged_result.message, "my_converged", my_converged)


# Every plausible wrong stopping rule fails, each with its own explanation (rule, fragment of the message).
WRONG_STOPPING_RULES = {
    "no division by n": (lambda a, b, n, tol: abs(b - a) < tol, "PER POINT"),
    "divided by n + 1": (lambda a, b, n, tol: abs(b - a) / (n + 1) < tol, "not by n + 1"),
    "divided by n − 1": (lambda a, b, n, tol: abs(b - a) / (n - 1) < tol, "not by n − 1"),
    "5 × tol": (lambda a, b, n, tol: abs(b - a) / n < 5 * tol, "not a multiple of it"),
    "1.5 × tol": (lambda a, b, n, tol: abs(b - a) / n < 1.5 * tol, "not a multiple of it"),
    "100 × tol": (lambda a, b, n, tol: abs(b - a) / n < 100 * tol, "not a multiple of it"),
    "tol / 2": (lambda a, b, n, tol: abs(b - a) / n < tol / 2, "not a fraction of it"),
    "tol / 10": (lambda a, b, n, tol: abs(b - a) / n < tol / 10, "not a fraction of it"),
    "<= instead of <": (lambda a, b, n, tol: abs(b - a) / n <= tol, "strict"),
    "relative to |ln p(X)| before": (lambda a, b, n, tol: abs(b - a) / abs(a) < tol, "not by |ln p(X)|"),
    "relative to |ln p(X)| after": (lambda a, b, n, tol: abs(b - a) / abs(b) < tol, "not by |ln p(X)|"),
    "math.isclose": (lambda a, b, n, tol: __import__("math").isclose(a, b, rel_tol=tol), "not by |ln p(X)|"),
    "signed Δ, a fall counts": (lambda a, b, n, tol: (b - a) / n < tol, "abs(Δ)"),
    "signed Δ, a rise counts": (lambda a, b, n, tol: (a - b) / n < tol, "every rise"),
    "comparison flipped": (lambda a, b, n, tol: abs(b - a) / n > tol, "wrong way round"),
    "always True": (lambda a, b, n, tol: True, "True for every case"),
    "always False": (lambda a, b, n, tol: False, "False for every case"),
}


@pytest.mark.parametrize("rule", list(WRONG_STOPPING_RULES))
def test_converged_rejects_every_wrong_stopping_rule(rule):
    fn, fragment = WRONG_STOPPING_RULES[rule]
    _assert_fails(ex.check_converged(fn), fragment, "you returned", "expected")


def test_converged_wrong_rules_have_their_own_explanations():
    # each slip's message has its own fragment and no other slip's: the explanation names that slip only
    fragments = {fragment for _, fragment in WRONG_STOPPING_RULES.values()}
    for rule, (fn, fragment) in WRONG_STOPPING_RULES.items():
        message = ex.check_converged(fn).message
        others = [f for f in fragments if f != fragment and f in message]
        assert not others, f"{rule}: {others} in {message!r}"


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b, n, tol: abs(b - a) / n < tol,
        lambda a, b, n, tol: abs(a - b) < tol * n,
        lambda a, b, n, tol: abs((b - a) / n) < tol,
        lambda a, b, n, tol: np.abs(np.float64(b) - a) / n < tol,  # a NumPy bool
        lambda a, b, n, tol: not abs(b - a) / n >= tol,
    ],
)
def test_converged_accepts_every_form_of_the_right_rule(fn):
    res = ex.check_converged(fn)
    assert res.passed, str(res)


def test_converged_cases_tell_every_slip_apart():
    cases = ex._CONVERGENCE_CASES
    wants = [case[4] for case in cases]
    assert [ex.reference_converged(*case[:4]) for case in cases] == wants
    for slip, rules in ex._STOPPING_SLIPS:  # every way of writing a slip is recognised as that slip
        for rule in rules:
            answers = [bool(rule(*case[:4])) for case in cases]
            assert answers != wants, slip
            assert ex._stopping_slip(answers) == slip, slip
    for c in np.geomspace(0.01, 100.0, 401):  # any factor on tol, not only 2, 5, 10 ...
        answers = [bool(abs(after - before) / n < c * tol) for before, after, n, tol, _, _ in cases]
        if answers == wants:
            assert 0.98 < c <= 1.0 + 1e-12, c  # only factors between 0.98 and 1 go unseen
        else:
            assert ex._stopping_slip(answers) == ("multiple" if c > 1 else "fraction"), c


def test_converged_message_shows_the_slip_on_its_telling_case():
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n < 1.5 * tol), "is 1.04 × tol")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n < 1.01 * tol), "is exactly tol")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n < tol / 10), "is 0.3 × tol")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / (n + 1) < tol), "n=10,", "0.104 / 10")


# --------------------------------------------------------------------------- one EM iteration by hand (03)

HAND_X = [1.0, 2.0, 4.0, 5.0]
HAND_START = gmmviz.GMMParams([0.6, 0.4], [[2.0], [4.0]], [[[1.0]], [[2.0]]])
#: the answers rounded to the 3 decimals the exercise asks for
HAND_ANSWERS = {
    "gamma": [[0.924, 0.076], [0.852, 0.148], [0.223, 0.777], [0.029, 0.971]],
    "N_k": [2.029, 1.971],
    "pi": [0.507, 0.493],
    "mu": [1.808, 4.227],
    "var": [0.989, 1.086],
    "ll_before": -7.452,
    "ll_after": -6.964,
}


def _hand(quantity, value):
    return ex.check_em_by_hand(quantity, value, HAND_X, HAND_START)


def test_hand_iteration_matches_gmmviz():
    it = ex._hand_iteration(HAND_X, HAND_START)
    X = np.array(HAND_X)[:, None]
    resp, ll = gmmviz.e_step(X, HAND_START)
    new = gmmviz.m_step(X, resp, reg_covar=0.0)
    assert np.allclose(it.resp, resp) and np.isclose(it.ll_before, ll)
    assert np.allclose(it.new_weights, new.weights) and np.allclose(it.new_means, new.means.ravel())
    assert np.allclose(it.new_variances, new.covariances.ravel())
    assert np.isclose(it.ll_after, gmmviz.log_likelihood(X, new))
    for q, v in HAND_ANSWERS.items():  # the stated answers are the right values rounded to 3 decimals
        ref = {
            "gamma": it.resp,
            "N_k": it.nk,
            "pi": it.new_weights,
            "mu": it.new_means,
            "var": it.new_variances,
            "ll_before": it.ll_before,
            "ll_after": it.ll_after,
        }[q]
        assert np.array_equal(np.round(ref, 3), np.asarray(v)), q


@pytest.mark.parametrize("quantity", list(ex.HAND_QUANTITIES))
def test_hand_answers_pass_and_none_is_not_attempted(quantity):
    res = _hand(quantity, HAND_ANSWERS[quantity])
    assert res.passed, str(res)
    assert "to 3 decimals" in res.message
    assert _hand(quantity, None).status == "not attempted"


@pytest.mark.parametrize("quantity", list(ex.HAND_QUANTITIES))
def test_hand_answers_full_precision_pass(quantity):
    it = ex._hand_iteration(HAND_X, HAND_START)
    ref = {
        "gamma": it.resp,
        "N_k": it.nk,
        "pi": it.new_weights,
        "mu": it.new_means,
        "var": it.new_variances,
        "ll_before": it.ll_before,
        "ll_after": it.ll_after,
    }[quantity]
    assert _hand(quantity, ref).passed


@pytest.mark.parametrize(
    "quantity, wrong, fragment",
    [
        ("N_k", [2.029, 1.972], "N_2 is 1.972, expected 1.971 (to 3 decimals)"),
        ("pi", [0.508, 0.493], "π_1 is 0.508, expected 0.507"),
        ("mu", [1.808, 4.228], "μ_2 is 4.228, expected 4.227"),
        ("var", [0.988, 1.086], "σ_1² is 0.988, expected 0.989"),
        ("ll_before", -7.451, "should be -7.452"),
        ("ll_after", -6.965, "should be -6.964"),
        (
            "gamma",
            [[0.924, 0.076], [0.851, 0.149], [0.223, 0.777], [0.029, 0.971]],
            "(point n = 2, x = 2;",
        ),
    ],
)
def test_hand_answers_one_unit_off_fail_and_name_the_number(quantity, wrong, fragment):
    _assert_fails(_hand(quantity, wrong), fragment)


def test_hand_too_few_decimals_asks_for_three():
    _assert_fails(_hand("mu", [1.8, 4.2]), "Give 3 decimals")


def _hand_slip(quantity):
    """Each recognised slip, computed at full precision and rounded to 3 decimals as a learner would."""
    it = ex._hand_iteration(HAND_X, HAND_START)
    x = it.x[:, None]
    n = len(HAND_X)
    d2 = (x - it.means) ** 2
    var = it.variances

    def resp(dens):
        num = dens
        return num / num.sum(axis=1, keepdims=True)

    scatter = (it.resp * (x - it.new_means) ** 2).sum(axis=0)
    return {
        "gamma": [
            (resp(np.exp(-d2 / (2 * var)) / np.sqrt(2 * np.pi * var)), "left out the weights"),
            (resp(it.weights * np.exp(-d2 / (2 * var))), "1/√(2π σ_k²)"),
            (resp(it.weights * np.exp(-d2 / (2 * np.sqrt(var))) / np.sqrt(2 * np.pi * var)), "not by 2σ_k"),
            (resp(it.weights * np.exp(-d2 / var) / np.sqrt(2 * np.pi * var)), "left out the ½"),
            (
                resp(it.weights * np.exp(-d2 / (2 * var)) / np.sqrt(2 * it.weights * var)),
                "the number 3.14159",
            ),
            ((it.resp / it.resp.sum(axis=0)), "columns sum to 1"),
        ],
        "N_k": [(it.nk / n, "that is N_k / N = π_k")],
        "pi": [
            (it.nk, "that is N_k; divide"),
            (it.nk / 2, "not by the number of components K = 2"),
            (it.weights, "start's π_k"),
            (np.full(2, 0.5), "1/K = 0.5"),
        ],
        "mu": [
            ((it.resp.T @ it.x) / n, "not by the number of points N = 4"),
            (it.resp.T @ it.x, "forgot to divide"),
            (np.full(2, it.x.mean()), "plain mean"),
            (it.means, "start's μ_k"),
        ],
        "var": [
            (scatter / n, "divide by N_k, not by the number of points N = 4"),
            (scatter / (it.nk - 1), "N_k − 1"),
            (scatter, "forgot to divide"),
            ((it.resp * (x - it.means) ** 2).sum(axis=0) / it.nk, "start's μ_k"),
            ((it.resp * np.abs(x - it.new_means)).sum(axis=0) / it.nk, "forgot to square"),
            ((it.resp * x**2).sum(axis=0) / it.nk, "subtract the mean first"),
            (np.sqrt(it.new_variances), "that is σ_k"),
            (var, "start's σ_k²"),
        ],
        "ll_before": [
            (it.ll_after, "that is ln p(X) after"),
            (it.ll_before / n, "mean ln p(x_n)"),
            (-it.ll_before, "sign is flipped"),
        ],
        "ll_after": [
            (it.ll_before, "that is ln p(X) before"),
            (
                float(
                    np.log(
                        (
                            np.exp(-((x - it.new_means) ** 2) / (2 * it.new_variances))
                            / np.sqrt(2 * np.pi * it.new_variances)
                        ).sum(axis=1)
                    ).sum()
                ),
                "left out the weights",
            ),
            (
                gmmviz.log_likelihood(
                    x, gmmviz.GMMParams(it.new_weights, it.new_means[:, None], var[:, None, None])
                ),
                "start's σ_k²",
            ),
        ],
    }[quantity]


@pytest.mark.parametrize("quantity", list(ex.HAND_QUANTITIES))
def test_hand_slips_have_their_own_messages(quantity):
    messages = set()
    for value, fragment in _hand_slip(quantity):
        for v in (np.round(value, 3), value):  # by hand (3 decimals) and at full precision
            res = _hand(quantity, v)
            _assert_fails(res, fragment)
        messages.add(res.message)
    assert len(messages) == len(_hand_slip(quantity))  # each slip its own message


def test_hand_messages_count_points_and_components_from_1():
    # the 4th point (x = 5), 2nd component: γ_42, never "row 3"
    wrong = [[0.924, 0.076], [0.852, 0.148], [0.223, 0.777], [0.029, 0.970]]
    res = _hand("gamma", wrong)
    _assert_fails(res, "γ_42 (point n = 4, x = 5; component 2) is 0.970, expected 0.971")
    assert "row 3" not in res.message
    rows = [[0.924, 0.076], [0.852, 0.148], [0.223, 0.777], [0.029, 0.871]]
    _assert_fails(_hand("gamma", rows), "the row of point n = 4 (x = 5) sums to 0.9")
    negative = [[0.924, 0.076], [0.852, 0.148], [1.223, -0.223], [0.029, 0.971]]
    _assert_fails(_hand("gamma", negative), "γ_32 (point n = 3, x = 4; component 2) is -0.223")


def test_hand_swapped_gamma_columns_are_named():
    swapped = np.array(HAND_ANSWERS["gamma"])[:, ::-1]
    for v in (swapped, ex._hand_iteration(HAND_X, HAND_START).resp[:, ::-1]):
        _assert_fails(_hand("gamma", v), "columns are in the wrong order")


@pytest.mark.parametrize("value", [[0.5, 0.5], [0.500, 0.500], np.array([0.5, 0.5])])
def test_hand_equal_weights_are_named_not_asked_for_more_decimals(value):
    res = _hand("pi", value)
    _assert_fails(res, "1/K = 0.5")
    assert "decimals" not in res.message


def test_hand_more_decimals_asked_only_when_they_would_help():
    _assert_fails(_hand("pi", [0.51, 0.49]), "Give 3 decimals")  # 0.507 and 0.493 to 2 decimals
    _assert_fails(_hand("ll_before", -7.45), "Give 3 decimals")  # -7.452 to 2 decimals
    for quantity, value in [("mu", [1.808, 4.3]), ("var", [0.9, 1.086]), ("ll_before", -7.46)]:
        res = _hand(quantity, value)
        assert not res.passed and "decimals, as the exercise asks" not in res.message, res.message


def test_hand_unknown_quantity_and_wrong_shapes_do_not_raise():
    _assert_fails(_hand("sigma", 1.0), "unknown quantity")
    _assert_fails(_hand("N_k", [1.0, 1.0, 1.0, 1.0]), "one per point")
    _assert_fails(_hand("mu", "abc"), "")
    _assert_fails(_hand("gamma", np.array(HAND_ANSWERS["gamma"]).T), "transposed")


# --------------------------------------------------------------------------- spherical M-step (09)


@pytest.fixture(scope="module")
def spherical():
    X, _ = gmmviz.datasets.make_dataset("overlapping", random_state=0)
    X = X[:40]
    start = gmmviz.init_params(X, 3, init="random", random_state=0)
    resp, _ = gmmviz.e_step(X, start)
    return X, resp, start.means


def _sph_reference(X, resp):
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    return np.array([resp[:, k] @ ((X - means[k]) ** 2).sum(axis=1) for k in range(len(nk))]) / (
        X.shape[1] * nk
    )


def test_spherical_reference_passes(spherical):
    X, resp, old = spherical
    ref = _sph_reference(X, resp)
    assert np.allclose(ref, gmmviz.m_step(X, resp, "spherical", reg_covar=0.0).covariances)
    assert ex.check_spherical_variances(ref, X, resp, old).passed
    assert ex.check_spherical_variances(np.round(ref, 3), X, resp, old).passed
    assert ex.check_spherical_variances(_sph_reference).passed
    assert ex.check_spherical_variances(_sph_reference, X, resp).passed
    assert ex.check_spherical_variances(None, X, resp).status == "not attempted"
    assert ex.check_spherical_variances(lambda X, r: None).status == "not attempted"


def test_spherical_hand_answer_one_unit_off_fails(spherical):
    X, resp, old = spherical
    wrong = np.round(_sph_reference(X, resp), 3)
    wrong[1] += 0.001
    _assert_fails(ex.check_spherical_variances(wrong, X, resp, old), "σ_2² is", "(to 3 decimals)")


def test_spherical_slips(spherical):
    X, resp, old = spherical
    n, d = X.shape
    nk = resp.sum(axis=0)
    means = resp.T @ X / nk[:, None]
    scatter = np.array([resp[:, k] @ ((X - means[k]) ** 2).sum(axis=1) for k in range(3)])
    scatter_old = np.array([resp[:, k] @ ((X - old[k]) ** 2).sum(axis=1) for k in range(3)])
    right = scatter / (d * nk)
    slips = [
        (scatter / nk, "you left out 1/d"),
        (scatter / (d * n), "not by d N"),
        (scatter_old / (d * nk), "OLD means"),
        (np.sqrt(right), "that is σ_k"),
        (right + 1e-6, "reg_covar"),
        (np.tile(right[:, None], (1, d)), "one σ_k² per component"),
    ]
    for value, fragment in slips:
        _assert_fails(ex.check_spherical_variances(value, X, resp, old), fragment)

    def no_d(X, resp):
        return _sph_reference(X, resp) * X.shape[1]

    def by_n(X, resp):
        return _sph_reference(X, resp) * resp.sum(axis=0) / len(X)

    _assert_fails(ex.check_spherical_variances(no_d), "you left out 1/d", "d=2")
    _assert_fails(ex.check_spherical_variances(by_n), "not by d N")
    _assert_fails(ex.check_spherical_variances(lambda X, r: 1 / 0), "raised ZeroDivisionError")


# --------------------------------------------------------------------------- "Now break it" (07)


@pytest.fixture(scope="module")
def two_clusters():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([-2, 0], 0.7, (30, 2)), rng.normal([2, 0], 0.7, (30, 2))])
    start = gmmviz.GMMParams(
        np.full(3, 1 / 3), [[-2.0, 0.0], [2.0, 0.0], [2.5, 0.0]], np.tile(np.eye(2), (3, 1, 1))
    )
    return X, start


def test_collapse_challenge(two_clusters):
    X, start = two_clusters
    assert ex.check_collapse(None, X, start).status == "not attempted"
    res = ex.check_collapse([[0.0, 3.0]] * 3, X, start)
    assert res.passed and "not positive definite" in res.message
    near = ex.check_collapse([[0.0, 3.0], [0.01, 3.0]], X, start)
    assert near.passed and "smallest variance fell to" in near.message
    _assert_fails(ex.check_collapse([[-2.0, 0.0]], X, start), "no collapse", "smallest variance", "0.0989")
    _assert_fails(ex.check_collapse([[0.0, 3.0]] * 4, X, start), "at most 3")
    _assert_fails(ex.check_collapse([[0.0, 3.0, 1.0]], X, start), "shape (m, 2)")
    _assert_fails(ex.check_collapse([[np.nan, 3.0]], X, start), "NaN")


@pytest.fixture(scope="module")
def stripes():
    X, _ = gmmviz.datasets.make_dataset("elongated", random_state=0)
    return X


def test_bad_start_challenge(stripes):
    X = stripes
    assert ex.check_bad_start(None, X).status == "not attempted"
    bad = gmmviz.fit_em(X, 3, init="random", random_state=0).params[0].means
    res = ex.check_bad_start(bad, X, n_components=3)
    assert res.passed and "below the best" in res.message
    saddle = ex.check_bad_start(np.zeros((3, 2)), X, n_components=3)
    assert saddle.passed and "saddle" in saddle.message
    good = gmmviz.init_params(X, 3, random_state=0).means
    _assert_fails(ex.check_bad_start(good, X, n_components=3), "only 0.0 below", "at least 20")
    _assert_fails(ex.check_bad_start(np.zeros((2, 2)), X, n_components=3), "shape (3, 2)")


def test_bad_start_challenge_refuses_plateaus_and_near_equal_means(stripes):
    """The reviewer's non-answers (07, finding 18) fail or are flagged; the recipe of the solution passes."""
    X = stripes
    # seed 54's random start: tol = 1e-6 stops it on a plateau at -1257.3; EM without a stopping rule climbs on
    plateau = gmmviz.fit_em(X, 3, init="random", random_state=54).params[0].means
    _assert_fails(ex.check_bad_start(plateau, X, n_components=3), "-1257.3", "plateau, not an end", "-1253.7")
    # three means 1e-6 apart: the saddle trick with "different" means; they separate when EM goes on
    near = [[0.0, 0.0], [1e-6, 0.0], [0.0, 1e-6]]
    _assert_fails(ex.check_bad_start(near, X, n_components=3), "plateau, not an end", "-1140.5")
    # closer still (1e-15 separates too), they never separate within the budget: a pass, but flagged
    _assert_fails(ex.check_bad_start([[0.0, 0.0], [1e-15, 0.0], [0.0, 1e-15]], X, n_components=3), "plateau")
    nearer = ex.check_bad_start([[0.0, 0.0], [1e-16, 0.0], [0.0, 1e-16]], X, n_components=3)
    assert nearer.passed and "nearly equal" in nearer.message and "saddle" in nearer.message
    # the solution's recipe: all three means spread along an outer stripe
    spread = ex.check_bad_start([[-2.0, 2.0], [1.4, 3.7], [4.5, 5.5]], X, n_components=3)
    assert spread.passed and "-1230.3" in spread.message and "equal" not in spread.message
    # the old hint's recipe (two means in one stripe, the third between the other two) is not what the hint says now
    _assert_fails(
        ex.check_bad_start([[1.0, 3.5], [2.5, 4.5], [-0.8, -1.9]], X, n_components=3),
        "spread along one outer group",
    )


I2 = np.eye(2)


def test_bic_challenge():
    close = ([0.5, 0.5], [[0.0, 0.0], [1.5, 0.0]], [I2, I2])
    assert ex.check_bic_fooled(None, *close[1:], 40, 1).status == "not attempted"
    assert ex.check_bic_fooled(*close, None, 1).status == "not attempted"
    assert ex.check_bic_fooled(*close, 40, None).status == "not attempted"
    res = ex.check_bic_fooled(*close, 40, 1)
    assert res.passed and "BIC picks K = 1" in res.message and "per component 20, 20" in res.message
    apart = ([0.5, 0.5], [[0.0, 0.0], [8.0, 0.0]], [I2, I2])
    _assert_fails(ex.check_bic_fooled(*apart, 200, 0), "BIC picks K = 2, your mixture's K", "runner-up")
    _assert_fails(ex.check_bic_fooled(*apart, 200.5, 0), "whole number")
    _assert_fails(ex.check_bic_fooled(*apart, 5, 0), "between 10 and 3000")
    _assert_fails(ex.check_bic_fooled(*apart, 200, -1), "seed")


def test_bic_challenge_draws_the_data_so_k_cannot_be_misstated():
    """The reviewer's wrong answers (07, finding 20) are impossible or refused now: K is the mixture's own."""
    # three well-separated clusters: K = 3 is what the check sees, and BIC finds it
    three = ([1 / 3] * 3, [[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]], [0.25 * I2] * 3)
    _assert_fails(ex.check_bic_fooled(*three, 300, 0), "BIC picks K = 3, your mixture's K")
    # one Gaussian written as six identical components
    _assert_fails(
        ex.check_bic_fooled([1 / 6] * 6, [[0.0, 0.0]] * 6, [I2] * 6, 10, 0), "same Gaussian", "only 5"
    )
    # 1-D data, although the challenge is 2-D
    _assert_fails(ex.check_bic_fooled([0.5, 0.5], [[0.0], [1.5]], [[[1.0]], [[1.0]]], 40, 1), "shape (K, 2)")
    # a component so light that it draws no point
    _assert_fails(
        ex.check_bic_fooled([0.999, 0.001], [[0.0, 0.0], [5.0, 5.0]], [I2, I2], 20, 0), "drew no point", "0"
    )
    # a K that cannot be fitted on the points drawn
    six = ([1 / 6] * 6, [[3.0 * j, 0.0] for j in range(6)], [I2] * 6)
    _assert_fails(ex.check_bic_fooled(*six, 12, 1), "could not be fitted", "K = 6, your mixture's")
    # malformed mixtures
    _assert_fails(ex.check_bic_fooled([0.5, 0.6], *close_mixture()[1:], 40, 1), "sum to 1")
    _assert_fails(
        ex.check_bic_fooled([0.5, 0.5], [[0.0, 0.0], [1.5, 0.0]], [I2, -I2], 40, 1), "positive definite"
    )
    _assert_fails(ex.check_bic_fooled([0.5, 0.5], [[0.0, 0.0], [1.5, 0.0]], [I2], 40, 1), "(2, 2, 2)")
    _assert_fails(ex.check_bic_fooled([1 / 7] * 7, [[0.0, 0.0]] * 7, [I2] * 7, 40, 1), "between 1 and 6")


def close_mixture():
    return [0.5, 0.5], [[0.0, 0.0], [1.5, 0.0]], [I2, I2]


# --------------------------------------------------------------------------- 01: matching ellipses


def test_check_ellipse_match_accepts_the_answer_however_it_is_written_and_never_reveals_it():
    shown = {"A": 2, "B": 3, "C": 1}
    assert ex.check_ellipse_match({"A": 2, "B": 3, "C": 1}, shown).passed
    assert ex.check_ellipse_match({"a": "2", "b": " 3", "c": 1.0}, shown).passed
    assert ex.check_ellipse_match({"A": None, "B": None, "C": None}, shown).status == "not attempted"
    wrong = ex.check_ellipse_match({"A": 3, "B": 2, "C": 1}, shown)
    _assert_fails(wrong, "look again at panel(s) A, B")
    assert "2" not in wrong.message.split("Hint")[0].replace("panel(s)", "")  # names panels, not numbers
    _assert_fails(ex.check_ellipse_match({"A": 2, "B": None, "C": 1}, shown), "panel(s) B still empty")
    _assert_fails(ex.check_ellipse_match({"A": 1, "B": 1, "C": 2}, shown), "use each of 1, 2 and 3 once")
    _assert_fails(ex.check_ellipse_match({"A": 2, "B": 3, "D": 1}, shown), "there is no panel D")
    _assert_fails(ex.check_ellipse_match({"A": 2.5, "B": 3, "C": 1}, shown), "panel A: give a matrix number")
    _assert_fails(ex.check_ellipse_match([2, 3, 1], shown), "give a dict")


def test_check_mahalanobis_names_the_slip_without_giving_the_answer():
    x = np.array([[1.0, 1.0], [1.0, -1.0]])
    mean, cov = np.zeros(2), np.array([[2.0, 1.0], [1.0, 2.0]])
    right = [0.816, 1.414]
    assert ex.check_mahalanobis(right, x, mean, cov).passed
    _assert_fails(ex.check_mahalanobis([-0.816, -1.414], x, mean, cov), "never negative")
    _assert_fails(ex.check_mahalanobis([1.414, 0.816], x, mean, cov), "wrong order")
    far = ex.check_mahalanobis([0.5, 1.414], x, mean, cov)
    _assert_fails(far, "value 1 (the point (1, 1)) is off")
    assert "0.816" not in far.message  # a slip that is not a rounding slip does not print the answer


# --------------------------------------------------------------------------- review of notebook 09


def test_converged_accepts_the_per_point_difference_on_the_exactly_tol_case():
    # scikit-learn's form: the difference of the per-point means; the "exactly tol" case must not hinge on rounding
    for fn in (
        lambda a, b, n, tol: abs(b / n - a / n) < tol,
        lambda a, b, n, tol: abs(np.float64(b) / n - np.float64(a) / n) < tol,
        lambda a, b, n, tol: abs(b - a) * (1 / n) < tol,
    ):
        res = ex.check_converged(fn)
        assert res.passed, str(res)
    exact = [c for c in ex._CONVERGENCE_CASES if c[2] > 0 and c[3] > 0 and abs(c[1] - c[0]) / c[2] == c[3]]
    assert len(exact) == 1
    before, after, n, tol = exact[0][:4]
    # exact in binary, every way round
    assert after / n - before / n == tol and abs(after - before) == tol * n
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b / n - a / n) <= tol), "strict")
    _assert_fails(ex.check_converged(lambda a, b, n, tol: abs(b - a) / n < 1.01 * tol), "exactly tol")


def test_converged_fall_hints_do_not_say_em_never_falls():
    message = ex.check_converged(lambda a, b, n, tol: (b - a) / n < tol).message
    assert "abs(Δ)" in message and "never lowers" not in message


def _keepdims_ll(X, params):
    resp, ll = reference_e_step(X, params)
    return resp, np.atleast_1d(ll)  # logsumexp(a, axis=1, keepdims=True).sum(axis=0): shape (1,)


def test_e_step_log_likelihood_must_be_one_number():
    _assert_fails(check_e_step(_keepdims_ll), "must be one number", "(1,)", "float(")

    def zero_d(X, params):
        resp, ll = reference_e_step(X, params)
        return resp, np.asarray(ll)  # 0-d: formats with :.3f like a float

    assert check_e_step(zero_d).passed
    assert f"{zero_d(*ex._problems(0)[0][:2])[1]:.3f}"


def test_e_step_log_responsibilities_named():
    def log_resp(X, params):
        a = np.column_stack(
            [
                np.log(w) + multivariate_normal(m, c).logpdf(X)
                for w, m, c in zip(params.weights, params.means, params.full_covariances())
            ]
        )
        from scipy.special import logsumexp

        log_T = logsumexp(a, axis=1)
        return a - log_T[:, None], log_T.sum()

    _assert_fails(check_e_step(log_resp), "look like ln γ_nk", "np.exp")


def test_e_step_float32_named():
    def single(X, params):
        resp, ll = reference_e_step(X, params)
        return resp.astype(np.float32), ll

    res = check_e_step(single)
    if not res.passed:  # float32 is about 7 digits: the check says so when it matters
        _assert_fails(res, "float32")


def _cov_m_step(bias):
    def m(X, resp, reg_covar=1e-6):
        w, mu, _ = reference_m_step(X, resp, reg_covar)
        d = X.shape[1]
        covs = np.stack(
            [
                np.cov(X.T, aweights=resp[:, k], bias=bias).reshape(d, d) + reg_covar * np.eye(d)
                for k in range(resp.shape[1])
            ]
        )
        return w, mu, covs

    return m


def test_m_step_np_cov_without_bias_named():
    assert check_m_step(_cov_m_step(True)).passed
    _assert_fails(check_m_step(_cov_m_step(False)), "bias=True")


def test_m_step_hard_labels_named():
    def hard(X, resp, reg_covar=1e-6):
        onehot = np.eye(resp.shape[1])[resp.argmax(axis=1)]
        return reference_m_step(X, onehot, reg_covar)

    _assert_fails(check_m_step(hard), "hard labels", "resp.argmax")

    def hard_means_only(X, resp, reg_covar=1e-6):
        w, _, c = reference_m_step(X, resp, reg_covar)
        onehot = np.eye(resp.shape[1])[resp.argmax(axis=1)]
        return w, reference_m_step(X, onehot, reg_covar)[1], c

    _assert_fails(check_m_step(hard_means_only), "hard labels", "γ_nk")


def test_m_step_reg_covar_inside_the_division_named():
    def inside(X, resp, reg_covar=1e-6):
        w, mu, c = reference_m_step(X, resp, reg_covar)
        d, nk = X.shape[1], resp.sum(axis=0)
        return w, mu, c - reg_covar * np.eye(d) + reg_covar * np.eye(d) / nk[:, None, None]

    _assert_fails(check_m_step(inside), "before dividing by N_k")


def test_spherical_start_variances_named_and_decimals_hint_only_for_rounded_right_value():
    X = gmmviz.datasets.load_faithful(standardize=True)[:40]
    start = gmmviz.init_params(X, 2, random_state=0, covariance_type="spherical")
    resp, _ = gmmviz.e_step(X, start)
    right = gmmviz.m_step(X, resp, covariance_type="spherical", reg_covar=0).covariances
    kw = dict(old_variances=start.covariances)
    assert ex.check_spherical_variances(right, X, resp, start.means, **kw).passed
    assert ex.check_spherical_variances(np.round(right, 3), X, resp, start.means, **kw).passed
    _assert_fails(
        ex.check_spherical_variances(start.covariances, X, resp, start.means, **kw), "start's variances"
    )
    two = np.round(right, 2)
    if not np.allclose(two, np.round(right, 3)):
        _assert_fails(ex.check_spherical_variances(two, X, resp, start.means, **kw), "Give 3 decimals")
    wrong = np.round(right, 2) + 0.05  # a wrong value with 2 decimals: more decimals would not help
    res = ex.check_spherical_variances(wrong, X, resp, start.means, **kw)
    assert not res.passed and "Give 3 decimals" not in res.message, res.message
    res = ex.check_spherical_variances([1, 1], X, resp, start.means)  # whole numbers: no "give decimals"
    assert not res.passed and "Give 3 decimals" not in res.message, res.message


def test_responsibilities_name_columns_in_the_other_order():
    # Notebook 02's Exercise 1 (π = (0.7, 0.3), μ = (0, 2), σ² = 1), γ by Bayes' rule by hand: the 1-D bells'
    # common factor cancels, so γ_n1 = 0.7 e^{-x²/2} / (0.7 e^{-x²/2} + 0.3 e^{-(x-2)²/2}).
    x = np.array([-1.0, 1.5, 4.0])
    params = gmmviz.GMMParams(weights=[0.7, 0.3], means=[[0.0], [2.0]], covariances=[[[1.0]], [[1.0]]])
    a, b = 0.7 * np.exp(-(x**2) / 2), 0.3 * np.exp(-((x - 2) ** 2) / 2)
    by_hand = np.column_stack([a, b]) / (a + b)[:, None]
    assert ex.check_responsibilities(by_hand.round(3), x, params).passed
    for swapped in (by_hand[:, ::-1].round(3), by_hand[:, ::-1]):  # by hand (3 decimals) and from code
        _assert_fails(
            ex.check_responsibilities(swapped, x, params),
            "your columns are in the other order: column k must be component k",
            "column 0 holds component 2's γ",
        )
    # K = 3 (three separated 1-D components, one point at each mean): columns rotated, each one named
    params3 = gmmviz.GMMParams(np.full(3, 1 / 3), [[0.0], [3.0], [6.0]], np.ones((3, 1, 1)))
    x3 = np.array([0.0, 3.0, 6.0, 1.0])
    resp3, _ = gmmviz.e_step(x3, params3)
    res = ex.check_responsibilities(resp3[:, [1, 2, 0]], x3, params3)
    _assert_fails(res, "another order", "column 0 holds component 2's γ", "column 2 holds component 1's γ")
    # a table that is wrong in another way is not called swapped
    res = ex.check_responsibilities([[0.5, 0.5]] * 3, x, params)
    assert not res.passed and "order" not in res.message, res.message


def test_bad_start_challenge_refuses_an_empty_component_and_says_why(stripes):
    """07, second review: a mean far from every point leaves its component empty, EM then fits K - 1
    components and ends far below the best, which the check used to accept with the warning hidden."""
    import warnings

    from scipy.special import logsumexp

    X = stripes
    far = gmmviz.init_params(X, 3, random_state=0).means.copy()
    far[2] = [100.0, 100.0]
    # N_k after the first E-step, by hand (scipy): π_k = 1/3, Σ_k = I around the means
    log_terms = np.column_stack([np.log(1 / 3) + multivariate_normal(m, np.eye(2)).logpdf(X) for m in far])
    nk = np.exp(log_terms - logsumexp(log_terms, axis=1, keepdims=True)).sum(axis=0)
    assert nk[2] < 1e-100 and nk[:2].min() > 50
    # the premise: without the refusal the start "strands" EM, by fitting two components instead of three
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        two = gmmviz.fit_em(X, 3, params=gmmviz.init_params(X, 3, means=far), tol=1e-6, max_iter=1000)
    assert two.final.weights[2] < 1e-10
    assert gmmviz.fit_best(X, 3).log_likelihoods[-1] - two.log_likelihoods[-1] > 20
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed in the notebook: the reason is in the message
        res = ex.check_bad_start(far, X, n_components=3)
    _assert_fails(res, "component 3 has no points at the start", "move its mean near the data", "N_k")
    # a mean just far enough to get less than one point is refused too; the solution's start still passes
    near_edge = far.copy()
    near_edge[2] = [13.0, 13.0]
    log_terms[:, 2] = np.log(1 / 3) + multivariate_normal(near_edge[2], np.eye(2)).logpdf(X)
    nk = np.exp(log_terms - logsumexp(log_terms, axis=1, keepdims=True)).sum(axis=0)
    assert 0.1 < nk[2] < 1  # a quarter of a point
    _assert_fails(ex.check_bad_start(near_edge, X, n_components=3), "component 3 has no points at the start")
    assert ex.check_bad_start([[-2.0, 2.0], [1.4, 3.7], [4.5, 5.5]], X, n_components=3).passed
