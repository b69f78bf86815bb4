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
    assert check_m_step(lambda X, resp, reg_covar=1e-6: gmmviz.m_step(X, resp, reg_covar=reg_covar)).passed


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


def test_m_step_accepts_gmmparams():
    def as_params(X, resp, reg_covar=1e-6):
        return gmmviz.GMMParams(*reference_m_step(X, resp, reg_covar))

    assert check_m_step(as_params).passed


def test_m_step_wrong_return():
    _assert_fails(check_m_step(lambda X, resp, reg_covar=1e-6: (1, 2)), "three arrays")


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
    # wrong from perm[1] on: perm stays 0-based, the components it names are numbered 1..K
    _assert_fails(
        ex.check_permutation([1, 0, 2], a, b),
        "perm[1] should be 2, not 0",
        "run A's component 2 (mean",
        "run B's component 3 (mean",
        "not to its component 1 (mean",
    )
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
