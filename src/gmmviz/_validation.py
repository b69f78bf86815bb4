"""Input checks shared by every gmmviz module: one place, one message per problem.

Each check returns the value in the form the rest of the package uses (a float64 array, an int,
a Generator) or raises with a message that names the problem and the fix. The kinds are the same
everywhere: a value of the wrong *type* raises TypeError, a value of the right type but out of
range (or not finite) raises ValueError. So ``tol="x"`` and ``max_iter="x"`` both raise TypeError,
``tol=-1`` and ``max_iter=-1`` both ValueError.

Public entry points call these once; private functions trust their arguments.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._covariance import COVARIANCE_TYPES, covariance_shape, needs_full_scatter
from ._types import FloatArray

__all__ = [
    "as_seed",
    "check_array",
    "check_choice",
    "check_covariance_type",
    "check_dims",
    "check_int",
    "check_k_for_points",
    "check_mixture",
    "check_n_components",
    "check_n_std",
    "check_number",
    "check_random_state",
    "check_reg_covar",
    "check_resp",
]


def check_array(X: Any, name: str = "X") -> FloatArray:
    """``X`` as a finite float64 array of shape (n_samples, n_features).

    A 1-D array is read as n one-dimensional points, shape (n, 1).
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got a string.")
    try:
        arr = np.asarray(X)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise TypeError(f"{name} must be an array of numbers with rows of equal length ({exc}).") from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold real numbers, got dtype {arr.dtype}: convert it with "
            f"np.asarray({name}, dtype=float) after removing text or missing entries."
        )
    if arr.ndim == 1:
        arr = arr[:, np.newaxis]
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_samples, n_features) or 1-D (n points in 1-D), got {arr.ndim}-D "
            f"with shape {arr.shape}: reshape it, e.g. {name}.reshape(-1, {name}.shape[-1])."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}): EM needs at least one point with one feature."
        )
    arr = arr.astype(np.float64, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        raise ValueError(
            f"{name} contains NaN or infinite values in {rows.size} row(s) (first: row {rows[0]}): "
            f"drop or impute those rows before fitting."
        )
    return arr


def check_dims(dims: Sequence[int], n_features: int) -> tuple[int, int]:
    """The two feature indices a 2-D picture shows, checked against the data's dimension."""
    try:
        dims = tuple(int(i) for i in dims)
    except (TypeError, ValueError):
        raise TypeError(f"dims must be a pair of feature indices such as (0, 1), got {dims!r}.") from None
    if len(dims) != 2 or dims[0] == dims[1]:
        raise ValueError(f"dims must be two different feature indices, got {dims}.")
    if n_features < 2:
        raise ValueError(
            "these pictures need 2-D data but the model has 1 feature; use plot_1d for one-dimensional data."
        )
    if not all(0 <= i < n_features for i in dims):
        raise ValueError(
            f"dims {dims} out of range for {n_features} features; choose two indices in 0..{n_features - 1}."
        )
    return dims


def check_int(
    value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None, hint: str = ""
) -> int:
    """``value`` as an int (NumPy integers too, bool not): TypeError if not an integer,
    ValueError if below ``minimum`` or above ``maximum``. ``hint`` is appended to the message
    (e.g. ": lower K")."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}{hint}.")
    integer = int(value)
    if minimum is not None and maximum is not None and not minimum <= integer <= maximum:
        raise ValueError(f"{name} must be from {minimum} to {maximum}, got {integer}{hint}.")
    if minimum is not None and integer < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {integer}{hint}.")
    if maximum is not None and integer > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {integer}{hint}.")
    return integer


def _describe_range(minimum: float | None, maximum: float | None, strict: bool) -> str:
    if minimum is not None and maximum is not None:
        return f"{'strictly ' if strict else ''}between {minimum:g} and {maximum:g}"
    if minimum is not None:
        if minimum == 0:
            return "positive" if strict else "non-negative"
        return f"{'greater than' if strict else 'at least'} {minimum:g}"
    if maximum is not None:
        return f"{'less than' if strict else 'at most'} {maximum:g}"
    return "a finite number"


def check_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict: bool = False,
    hint: str = "",
) -> float:
    """``value`` as a finite float in [minimum, maximum] (the open interval when ``strict``).

    TypeError if it is not a real number (bool included); ValueError if it is NaN, infinite or
    out of range. ``hint`` is appended to the message (e.g. ": use 0 or a small positive value").
    """
    what = _describe_range(minimum, maximum, strict)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        kind = "a number" if what == "a finite number" else f"a number ({what})"
        raise TypeError(f"{name} must be {kind}, got {value!r}{hint}.")
    number = float(value)
    too_low = minimum is not None and (number <= minimum if strict else number < minimum)
    too_high = maximum is not None and (number >= maximum if strict else number > maximum)
    if not np.isfinite(number) or too_low or too_high:
        if what != "a finite number" and not np.isfinite(number):
            what = f"finite and {what}"
        raise ValueError(f"{name} must be {what}, got {number!r}{hint}.")
    return number


def check_random_state(random_state: Any) -> np.random.Generator:
    """A NumPy Generator from ``random_state``: None (fresh entropy), an int ≥ 0 (a seed) or a
    Generator (used as is, so successive calls continue its stream)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(_check_seed(random_state))


def as_seed(random_state: Any) -> int | None:
    """An int seed (or None) for scikit-learn from the same three kinds as :func:`check_random_state`;
    a Generator gives a seed drawn from it."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    return _check_seed(random_state)


def _check_seed(random_state: Any) -> int | None:
    if random_state is None:
        return None
    if isinstance(random_state, (bool, np.bool_)) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"random_state must be None, an int or a numpy Generator, got {random_state!r}: "
            f"pass a seed such as random_state=0."
        )
    if random_state < 0:
        raise ValueError(f"random_state must be a non-negative integer, got {random_state}.")
    return int(random_state)


def check_n_std(n_std: Any) -> tuple[float, ...]:
    """``n_std`` (the Mahalanobis radii of the ellipses drawn) as a non-empty tuple of positive floats."""
    if isinstance(n_std, (str, bytes)) or not isinstance(n_std, Sequence):
        raise TypeError(
            f"n_std must be a sequence of Mahalanobis radii such as (1, 2, 3), got {n_std!r}; "
            "for a single ring pass a one-element tuple like (2,)."
        )
    if len(n_std) == 0:
        raise ValueError("n_std must hold at least one positive radius, got an empty sequence.")
    return tuple(check_number(s, "each n_std radius", minimum=0.0, strict=True) for s in n_std)


def check_k_for_points(n_components: Any, n_samples: int) -> int:
    """K as an int, at least 1 and at most ``n_samples`` (for data whose distinct points cannot be counted
    cheaply, e.g. a Dask array; :func:`check_n_components` adds that check for an array in memory)."""
    k = check_int(n_components, "K (n_components)", minimum=1)
    if k > n_samples:
        raise ValueError(f"X has {n_samples} points but K={k} components: lower K or add points.")
    return k


def check_n_components(n_components: Any, X: FloatArray) -> int:
    """K as an int, at least 1 and at most the number of distinct points of ``X``."""
    k = check_k_for_points(n_components, X.shape[0])
    if k == 1 or np.unique(X[:, 0]).size >= k:  # K distinct values in one column: K distinct points
        return k
    n_distinct = np.unique(X, axis=0).shape[0]  # (rows sorted: several times slower, so only here)
    if k > n_distinct:
        raise ValueError(
            f"X has only {n_distinct} distinct point(s) but K={k} components: lower K to at most "
            f"{n_distinct} or add different points."
        )
    return k


def check_choice(value: Any, name: str, choices: Sequence[str], hint: str = "") -> str:
    """One of ``choices`` (ValueError otherwise, listing them; ``hint`` is appended)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"Unknown {name} {value!r}: use one of {', '.join(map(repr, choices))}{hint}.")
    return value


def check_covariance_type(covariance_type: Any) -> str:
    """One of :data:`COVARIANCE_TYPES`."""
    return check_choice(covariance_type, "covariance_type", COVARIANCE_TYPES)


def check_reg_covar(reg_covar: Any) -> float:
    """reg_covar, a finite number ≥ 0."""
    return check_number(
        reg_covar, "reg_covar", minimum=0.0, hint=": use 0 or a small positive value like 1e-6"
    )


def check_resp(resp: Any, n_samples: int, n_components: int | None = None, name: str = "resp") -> FloatArray:
    """Responsibilities (or any distribution q over components) of shape (n_samples, K), rows summing to 1."""
    arr = np.asarray(resp, dtype=np.float64)
    k = "K" if n_components is None else n_components
    if arr.ndim != 2 or arr.shape[0] != n_samples or n_components not in (None, arr.shape[1]):
        raise ValueError(
            f"{name} must have shape (n_samples, K) = ({n_samples}, {k}), got {arr.shape}: "
            f"pass the responsibilities returned by e_step(X, params)."
        )
    if not np.all(np.isfinite(arr)) or (arr < 0).any():
        raise ValueError(f"{name} must hold finite, non-negative responsibilities.")
    sums = arr.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
    if bad.size:
        raise ValueError(
            f"Rows of {name} must sum to 1; row {bad[0]} sums to {sums[bad[0]]:.6g}. "
            f"Normalise each row: {name} / {name}.sum(axis=1, keepdims=True)."
        )
    return arr


def finite_arrays(owner: str, named: Sequence[tuple[str, Any]]) -> list[FloatArray]:
    """New float64 copies of a parameter set's arrays, each of finite numbers; errors name
    ``owner.name`` (e.g. "GMMParams.weights must be an array of numbers.")."""
    arrays: list[FloatArray] = []
    for name, value in named:
        try:
            arr = np.array(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{owner}.{name} must be an array of numbers.") from None
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{owner}.{name} contains NaN or infinite values.")
        arrays.append(arr)
    return arrays


def check_mixture(
    weights: Any, means: Any, covariances: Any, covariance_type: Any
) -> tuple[FloatArray, FloatArray, FloatArray, str]:
    """New float64 copies of a mixture's arrays, checked: shapes (scikit-learn's, by type), finite
    numbers, weights ≥ 0 summing to 1, symmetric covariance matrices. Positive definiteness is
    checked by the Cholesky factorisation that follows (:func:`gmmviz._covariance.precision_cholesky`).

    Returns (weights, means, covariances, covariance_type); means of shape (d,) are read as K = 1.
    """
    covariance_type = check_covariance_type(covariance_type)
    weights, means, covs = finite_arrays(
        "GMMParams", (("weights", weights), ("means", means), ("covariances", covariances))
    )
    if weights.ndim != 1 or weights.size == 0:
        raise ValueError(f"weights must have shape (K,), got {weights.shape}.")
    k = weights.size
    if means.ndim == 1 and k == 1:
        means = means[np.newaxis]
    if means.ndim != 2 or means.shape[0] != k:
        raise ValueError(f"means must have shape (K, d) = ({k}, d), got {means.shape}.")
    expected = covariance_shape(covariance_type, k, means.shape[1])
    if covs.shape != expected:
        raise ValueError(
            f"covariances for covariance_type={covariance_type!r} must have shape {expected}, got {covs.shape}."
        )
    if (weights < 0).any() or abs(weights.sum() - 1.0) > 1e-6:
        raise ValueError(
            f"weights must be non-negative and sum to 1, got sum {weights.sum():.6g}: divide them by their sum."
        )
    if needs_full_scatter(covariance_type):  # matrices, not variances
        scale = max(np.abs(covs).max(), np.finfo(float).tiny)
        if not np.allclose(covs, np.swapaxes(covs, -1, -2), rtol=0, atol=1e-10 * scale):
            raise ValueError("covariances must be symmetric: use (S + S.T) / 2.")
    return weights, means, covs, covariance_type
