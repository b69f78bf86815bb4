"""gmmviz._validation: one rule per kind of input, the same kinds of exception everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from gmmviz import _validation as v
from gmmviz import datasets, fit_em, init_params

X = np.random.default_rng(0).normal(size=(20, 2))


# ---------------------------------------------------------------------------------------------
# random_state: None, an int >= 0 or a Generator, the same everywhere
# ---------------------------------------------------------------------------------------------


def test_random_state_kinds():
    assert isinstance(v.check_random_state(None), np.random.Generator)
    g = np.random.default_rng(5)
    assert v.check_random_state(g) is g  # used as is: successive calls continue its stream
    np.testing.assert_array_equal(v.check_random_state(7).random(3), np.random.default_rng(7).random(3))
    np.testing.assert_array_equal(
        v.check_random_state(np.int64(7)).random(3), np.random.default_rng(7).random(3)
    )
    assert v.as_seed(None) is None and v.as_seed(7) == 7 and type(v.as_seed(np.int32(7))) is int
    assert v.as_seed(np.random.default_rng(1)) == np.random.default_rng(1).integers(2**31 - 1)


@pytest.mark.parametrize(
    "bad, exc, match",
    [
        ("x", TypeError, r"random_state must be None, an int or a numpy Generator, got 'x'"),
        (1.5, TypeError, r"got 1.5"),
        (True, TypeError, r"got True"),
        (np.random.RandomState(0), TypeError, r"numpy Generator"),
        (-1, ValueError, r"random_state must be a non-negative integer, got -1"),
    ],
)
def test_random_state_one_rule_everywhere(bad, exc, match):
    for fn in (v.check_random_state, v.as_seed):
        with pytest.raises(exc, match=match):
            fn(bad)
    # Every public entry point follows it.
    calls = [
        lambda: fit_em(X, 2, random_state=bad),
        lambda: init_params(X, 2, init="random", random_state=bad),
        lambda: datasets.well_separated_blobs(10, random_state=bad),
        lambda: datasets.make_dataset("overlapping", n_samples=10, random_state=bad),
    ]
    for call in calls:
        with pytest.raises(exc, match=match):
            call()


# ---------------------------------------------------------------------------------------------
# Numbers: TypeError for the wrong type, ValueError for out of range
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, exc",
    [
        ("3", TypeError),
        (3.0, TypeError),
        (None, TypeError),
        (True, TypeError),
        (-1, ValueError),
    ],
)
def test_check_int(value, exc):
    with pytest.raises(exc, match="max_iter"):
        v.check_int(value, "max_iter", minimum=0)


def test_check_int_accepts_numpy_integers():
    assert v.check_int(np.int64(3), "n", minimum=1) == 3 and type(v.check_int(np.int64(3), "n")) is int


@pytest.mark.parametrize(
    "value, kwargs, exc, match",
    [
        ("0.1", {"minimum": 0}, TypeError, r"tol must be a number \(non-negative\), got '0.1'"),
        (None, {}, TypeError, r"tol must be a number, got None"),
        (False, {"minimum": 0}, TypeError, r"tol must be a number"),
        (-0.5, {"minimum": 0}, ValueError, r"tol must be non-negative, got -0.5"),
        (float("inf"), {}, ValueError, r"tol must be a finite number, got inf"),
        (float("nan"), {"minimum": 0}, ValueError, r"tol must be finite and non-negative, got nan"),
        (
            0.0,
            {"minimum": 0, "maximum": 1, "strict": True},
            ValueError,
            r"tol must be strictly between 0 and 1, got 0.0",
        ),
        (2.0, {"maximum": 1}, ValueError, r"tol must be at most 1, got 2.0"),
        (0.0, {"minimum": 0, "strict": True}, ValueError, r"tol must be positive, got 0.0"),
    ],
)
def test_check_number(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        v.check_number(value, "tol", **kwargs)


def test_check_number_returns_a_float_at_the_bounds():
    assert v.check_number(0, "tol", minimum=0) == 0.0 and type(v.check_number(np.float32(1), "x")) is float
    assert v.check_number(1, "x", minimum=0, maximum=1) == 1.0


# ---------------------------------------------------------------------------------------------
# dims
# ---------------------------------------------------------------------------------------------


def test_check_dims():
    assert v.check_dims((2, 0), 3) == (2, 0) and v.check_dims(np.array([0, 1]), 2) == (0, 1)
    with pytest.raises(ValueError, match=r"dims must be two different feature indices, got \(1, 1\)"):
        v.check_dims((1, 1), 3)
    with pytest.raises(
        ValueError, match=r"dims \(0, 3\) out of range for 3 features; choose two indices in 0..2"
    ):
        v.check_dims((0, 3), 3)
    with pytest.raises(ValueError, match="use plot_1d"):
        v.check_dims((0, 1), 1)
    with pytest.raises(TypeError, match="dims must be a pair of feature indices"):
        v.check_dims(0, 3)


def test_check_array_reads_1d_as_points():
    out = v.check_array([1, 2, 3])
    assert out.shape == (3, 1) and out.dtype == np.float64
