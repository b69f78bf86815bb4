"""Bad input to gmmviz.em gets a clear error that names the problem and the way out.

Every check asserts on the message (``match=``) and that the exception is raised by gmmviz's own
validation (a file of the gmmviz package), not from deep inside NumPy/SciPy/scikit-learn, and never
turns into a NaN. Kinds are consistent: a wrong type raises TypeError, a value out of range ValueError.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import gmmviz
import gmmviz.datasets
from gmmviz import GMMParams, e_step, fit_em, init_params, log_density, log_likelihood, m_step

GMMVIZ_DIR = Path(gmmviz.__file__).resolve().parent
rng = np.random.default_rng(0)
X2 = rng.normal(size=(30, 2))


def raised_by_gmmviz(excinfo) -> None:
    """The innermost frame of the traceback is in gmmviz: a deliberate message, not an accident."""
    where = Path(str(excinfo.traceback[-1].path)).resolve()
    assert where.parent == GMMVIZ_DIR, excinfo.traceback[-1]


def check(exc_type, match, fn, *args, **kwargs):
    with pytest.raises(exc_type, match=match) as excinfo:
        fn(*args, **kwargs)
    raised_by_gmmviz(excinfo)
    return excinfo


ENTRY_POINTS = [
    pytest.param(lambda X: fit_em(X, 1), id="fit_em"),
    pytest.param(lambda X: init_params(X, 1), id="init_params"),
    pytest.param(lambda X: e_step(X, GMMParams([1.0], [[0.0, 0.0]], [np.eye(2)])), id="e_step"),
    pytest.param(
        lambda X: log_density(X, GMMParams([1.0], [[0.0, 0.0]], [1.0], "spherical")), id="log_density"
    ),
    pytest.param(lambda X: m_step(X, np.ones((len(X), 1))), id="m_step"),
]


# ---------------------------------------------------------------------------------------------
# X
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call", ENTRY_POINTS)
@pytest.mark.parametrize(
    "X, exc_type, match",
    [
        pytest.param(
            np.empty((0, 2)),
            ValueError,
            r"X is empty \(shape \(0, 2\)\): EM needs at least one point",
            id="empty",
        ),
        pytest.param(np.array([]), ValueError, r"X is empty", id="empty-1d"),
        pytest.param(np.empty((3, 0)), ValueError, r"X is empty .*one feature", id="no-features"),
        pytest.param(
            np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]]),
            ValueError,
            r"NaN or infinite values in 1 row\(s\) \(first: row 1\): drop or impute",
            id="nan",
        ),
        pytest.param(
            np.array([[0.0, 1.0], [1.0, 2.0], [np.inf, 1.0]]),
            ValueError,
            r"NaN or infinite values .*first: row 2",
            id="inf",
        ),
        pytest.param("1, 2, 3", TypeError, r"X must be an array of numbers, got a string", id="string"),
        pytest.param(
            np.array([["a", "b"], ["c", "d"]]),
            TypeError,
            r"X must hold real numbers, got dtype <U1: convert it with np.asarray\(X, dtype=float\)",
            id="string-array",
        ),
        pytest.param(
            np.array([[1.0, None], [2.0, 3.0]], dtype=object),
            TypeError,
            r"X must hold real numbers, got dtype object",
            id="object-array",
        ),
        pytest.param(
            np.array([[1 + 2j, 0], [1, 1]]),
            TypeError,
            r"X must hold real numbers, got dtype complex",
            id="complex",
        ),
        pytest.param(
            [[1.0, 2.0], [3.0]],
            TypeError,
            r"X must be an array of numbers with rows of equal length",
            id="ragged",
        ),
        pytest.param(
            np.zeros((4, 3, 2)),
            ValueError,
            r"X must be 2-D \(n_samples, n_features\) or 1-D .* got 3-D with shape \(4, 3, 2\): reshape it",
            id="3-D",
        ),
    ],
)
def test_bad_X(call, X, exc_type, match):
    check(exc_type, match, call, X)


def test_pandas_like_and_integer_X_are_fine():
    X = [[0, 1], [1, 2], [5, 5], [6, 5]]
    h = fit_em(X, 2, init="random", random_state=0)
    assert h.X.dtype == np.float64 and np.isfinite(h.log_likelihoods).all()


# ---------------------------------------------------------------------------------------------
# K
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [fit_em, init_params], ids=["fit_em", "init_params"])
@pytest.mark.parametrize(
    "k, exc_type, match",
    [
        (0, ValueError, r"K \(n_components\) must be at least 1, got 0"),
        (-2, ValueError, r"must be at least 1, got -2"),
        (2.5, TypeError, r"K \(n_components\) must be an integer, got 2.5"),
        ("3", TypeError, r"must be an integer, got '3'"),
        (True, TypeError, r"must be an integer, got True"),
        (None, TypeError, r"must be an integer, got None"),
    ],
)
def test_bad_K(fn, k, exc_type, match):
    check(exc_type, match, fn, X2, k)


def test_numpy_integer_K_is_fine():
    assert init_params(X2, np.int64(2), init="random", random_state=0).n_components == 2


@pytest.mark.parametrize("fn", [fit_em, init_params], ids=["fit_em", "init_params"])
def test_K_larger_than_the_data(fn):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    check(ValueError, r"^X has 3 points but K=5 components: lower K or add points\.$", fn, X, 5)
    check(ValueError, r"^X has 3 points but K=5 components: lower K or add points\.$", fn, X[:, 0], 5)
    dup = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    check(
        ValueError, r"X has only 2 distinct point\(s\) but K=3 components: lower K to at most 2", fn, dup, 3
    )


# ---------------------------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------------------------


def test_unknown_covariance_type_and_init():
    msg = r"Unknown covariance_type 'fulll': use one of 'full', 'tied', 'diag', 'spherical'"
    check(ValueError, msg, fit_em, X2, 2, covariance_type="fulll")
    check(ValueError, msg, init_params, X2, 2, covariance_type="fulll")
    check(ValueError, msg, m_step, X2, np.full((30, 2), 0.5), "fulll")
    check(ValueError, r"Unknown covariance_type", GMMParams, [1.0], [[0.0]], [1.0], "Full")
    msg = r"Unknown init method 'kmean': use one of 'kmeans', 'kmeans\+\+', 'random' or pass"
    check(ValueError, msg, fit_em, X2, 2, init="kmean")
    check(ValueError, msg, init_params, X2, 2, init="kmean")


def test_means_of_the_wrong_shape():
    msg = r"means must have shape \(K, d\) = \(2, 2\), got \(3, 2\): give one mean per component"
    check(ValueError, msg, init_params, X2, 2, means=np.zeros((3, 2)))
    check(
        ValueError,
        r"means must have shape \(K, d\) = \(2, 2\), got \(2, 1\)",
        init_params,
        X2,
        2,
        means=[0.0, 1.0],
    )  # shape (K,) is only for 1-D data
    check(ValueError, r"means contains NaN", init_params, X2, 2, means=[[0.0, np.nan], [1.0, 1.0]])
    check(ValueError, r"means must be 2-D", init_params, X2, 2, means=np.zeros((2, 2, 1)))


@pytest.mark.parametrize(
    "reg_covar, exc_type, match",
    [
        (-1e-6, ValueError, r"reg_covar must be non-negative, got -1e-06: use 0 or a small positive value"),
        (np.nan, ValueError, r"reg_covar must be finite and non-negative, got nan"),
        ("1e-6", TypeError, r"reg_covar must be a number \(non-negative\), got '1e-6'"),
    ],
)
def test_bad_reg_covar(reg_covar, exc_type, match):
    check(exc_type, match, fit_em, X2, 2, reg_covar=reg_covar)
    check(exc_type, match, m_step, X2, np.full((30, 2), 0.5), reg_covar=reg_covar)


def test_bad_max_iter_and_tol():
    check(ValueError, r"max_iter must be at least 0, got -1", fit_em, X2, 2, max_iter=-1)
    check(TypeError, r"max_iter must be an integer, got 2.0", fit_em, X2, 2, max_iter=2.0)
    check(ValueError, r"tol must be non-negative, got -0.1", fit_em, X2, 2, tol=-0.1)
    check(ValueError, r"tol must be finite and non-negative, got nan", fit_em, X2, 2, tol=float("nan"))


@pytest.mark.parametrize("name", ["max_iter", "tol"])
def test_max_iter_and_tol_raise_the_same_kinds(name):
    check(TypeError, rf"{name} must be .*got 'x'", fit_em, X2, 2, **{name: "x"})
    check(TypeError, rf"{name} must be .*got True", fit_em, X2, 2, **{name: True})
    check(ValueError, rf"{name} must be .*got -1", fit_em, X2, 2, **{name: -1})


@pytest.mark.parametrize("fn", [fit_em, init_params], ids=["fit_em", "init_params"])
def test_bad_random_state(fn):
    check(TypeError, r"random_state must be None, an int or a numpy Generator", fn, X2, 2, random_state="x")
    check(
        TypeError,
        r"random_state must be None, an int or a numpy Generator, got 1.5",
        fn,
        X2,
        2,
        random_state=1.5,
    )
    check(
        TypeError,
        r"random_state must be None, an int or a numpy Generator, got True",
        fn,
        X2,
        2,
        random_state=True,
    )
    check(ValueError, r"random_state must be a non-negative integer, got -1", fn, X2, 2, random_state=-1)


def test_params_that_do_not_fit_the_call():
    p = init_params(X2, 2, init="random", random_state=0)
    check(
        ValueError,
        r"params has K=2, covariance_type='full' but fit_em was asked for K=3",
        fit_em,
        X2,
        3,
        params=p,
    )
    check(
        ValueError,
        r"covariance_type='diag': make them agree",
        fit_em,
        X2,
        2,
        params=p,
        covariance_type="diag",
    )
    check(ValueError, r"X has 3 feature\(s\) but the parameters have 2", e_step, np.zeros((5, 3)), p)
    check(ValueError, r"X has 3 feature\(s\) but the parameters have 2", log_likelihood, np.zeros((5, 3)), p)
    check(
        TypeError,
        r"params must be a GMMParams, got dict: build one with init_params",
        e_step,
        X2,
        {"weights": [1.0]},
    )


def test_bad_responsibilities():
    check(
        ValueError,
        r"resp must have shape \(n_samples, K\) = \(30, K\), got \(29, 2\)",
        m_step,
        X2,
        np.full((29, 2), 0.5),
    )
    check(
        ValueError,
        r"Rows of resp must sum to 1; row 0 sums to 0.8.*Normalise each row",
        m_step,
        X2,
        np.full((30, 2), 0.4),
    )
    check(ValueError, r"resp must hold finite, non-negative", m_step, X2, np.full((30, 2), np.nan))
    bad = np.full((30, 2), 0.5)
    bad[3] = [1.5, -0.5]
    check(ValueError, r"resp must hold finite, non-negative", m_step, X2, bad)


# ---------------------------------------------------------------------------------------------
# GMMParams
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, exc_type, match",
    [
        (
            ([0.5, 0.5], [[0.0, 0.0]], np.stack([np.eye(2)] * 2)),
            ValueError,
            r"means must have shape \(K, d\) = \(2, d\), got \(1, 2\)",
        ),
        (
            ([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], np.eye(2)),
            ValueError,
            r"covariances for covariance_type='full' must have shape \(2, 2, 2\), got \(2, 2\)",
        ),
        (
            ([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], np.ones(2), "diag"),
            ValueError,
            r"covariance_type='diag' must have shape \(2, 2\), got \(2,\)",
        ),
        (
            ([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], np.ones((2, 2)), "spherical"),
            ValueError,
            r"covariance_type='spherical' must have shape \(2,\)",
        ),
        (
            ([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], np.ones((2, 2, 2)), "tied"),
            ValueError,
            r"covariance_type='tied' must have shape \(2, 2\)",
        ),
        (([[0.5, 0.5]], [[0.0, 0.0]], [1.0], "spherical"), ValueError, r"weights must have shape \(K,\)"),
        (([], np.zeros((0, 2)), np.zeros(0), "spherical"), ValueError, r"weights must have shape \(K,\)"),
        (
            ([0.5, 0.6], [[0.0], [1.0]], [1.0, 1.0], "spherical"),
            ValueError,
            r"weights must be non-negative and sum to 1, got sum 1.1: divide them by their sum",
        ),
        (([1.5, -0.5], [[0.0], [1.0]], [1.0, 1.0], "spherical"), ValueError, r"weights must be non-negative"),
        (
            ([1.0], [[0.0, 0.0]], [[[1.0, 2.0], [2.0, 1.0]]]),
            ValueError,
            r"The covariance of component 1 is not positive definite .*increase reg_covar or lower K",
        ),
        (
            ([1.0], [[0.0, 0.0]], [[1.0, 2.0], [2.0, 1.0]], "tied"),
            ValueError,
            r"The tied covariance is not positive definite",
        ),
        (([1.0], [[0.0, 0.0]], [[[1.0, 0.5], [0.0, 1.0]]]), ValueError, r"covariances must be symmetric"),
        (
            ([0.5, 0.5], [[0.0], [1.0]], [1.0, -1.0], "spherical"),
            ValueError,
            r"spherical variances must be positive, got min -1",
        ),
        (
            ([0.5, 0.5], [[0.0], [1.0]], [[1.0], [0.0]], "diag"),
            ValueError,
            r"diag variances must be positive",
        ),
        (([1.0], [[np.nan]], [1.0], "spherical"), ValueError, r"GMMParams.means contains NaN or infinite"),
        (([1.0], [["a"]], [1.0], "spherical"), TypeError, r"GMMParams.means must be an array of numbers"),
    ],
)
def test_bad_gmm_params(args, exc_type, match):
    check(exc_type, match, GMMParams, *args)


# Components are numbered 1..K in messages, as in every picture of the course (π_1 .. π_K).


def test_singular_covariance_names_its_component_from_1():
    covs = np.stack([np.eye(2), [[1.0, 1.0], [1.0, 1.0]], np.eye(2)])  # the second is singular
    means = [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    check(
        ValueError,
        r"^The covariance of component 2 is not positive definite",
        GMMParams,
        np.full(3, 1 / 3),
        means,
        covs,
    )


def test_collapsed_component_in_m_step_names_it_from_1():
    X = np.vstack([X2, np.tile([[6.0, -5.0]], (5, 1))])  # five identical points at the end
    resp = np.zeros((len(X), 3))
    resp[:15, 0] = resp[15:30, 1] = resp[30:, 2] = 1.0  # the third component owns only the five
    check(
        ValueError, r"^The covariance of component 3 is not positive definite", m_step, X, resp, reg_covar=0.0
    )


def test_notebook_07_needle_is_component_4():
    # notebook 07: five identical readings added to the "overlapping" data, K = 4 and reg_covar = 0;
    # the component that collapses onto them is the fourth in the picture (π_4 ≈ 0.016)
    X, _ = gmmviz.datasets.make_dataset("overlapping", random_state=0)
    X = np.vstack([X, np.tile([[6.0, -5.0]], (5, 1))])
    check(
        ValueError,
        r"^The covariance of component 4 is not positive definite",
        fit_em,
        X,
        4,
        reg_covar=0.0,
        random_state=0,
    )
    assert np.argmin(fit_em(X, 4, reg_covar=1e-6, random_state=0).final.weights) == 3


def test_gmm_params_accepts_close_to_one_weights_and_1d_mean_for_k1():
    p = GMMParams([1 / 3, 1 / 3, 1 / 3], [[0.0], [1.0], [2.0]], [1.0, 1.0, 1.0], "spherical")
    assert p.n_components == 3
    p = GMMParams([1.0], [0.0, 1.0], np.eye(2), "tied")
    assert p.means.shape == (1, 2)
