"""A generative classifier from Gaussian mixtures: one mixture per class, Bayes' rule (PRML §4.2).

Each class c gets its own mixture p(x | c) = Σ_k π_ck N(x | μ_ck, Σ_ck) with K_c components, fitted by
gmmviz's EM on that class's points alone (:func:`gmmviz.fit_em` for K_c = 1, the best of several starts,
:func:`gmmviz.fit_best`, for K_c ≥ 2), and a prior π_c (by default the class's share of the training
points). A new point is classified by Bayes' rule,

    p(c | x) = π_c p(x | c) / Σ_c' π_c' p(x | c'),

computed in log space: ln p(c | x) = a_c − logsumexp_c' a_c' with a_c = ln π_c + ln p(x | c), so a point far
from every class (all p(x | c) underflowing to 0 in floating point) still gets a posterior. ln p(x | c) is
:func:`gmmviz.log_density` of the class's mixture.

With K_c = 1 and full covariances this is quadratic discriminant analysis (QDA: one Gaussian per class,
its covariance by maximum likelihood, divided by N_c, as scikit-learn's ``QuadraticDiscriminantAnalysis``
does with ``reg_param=0``; gmmviz adds ``reg_covar`` to the diagonal); 'diag' is Gaussian naive Bayes.
'tied' ties the components *of one class* to one covariance, so with K_c = 1 it is the same as 'full';
linear discriminant analysis, one covariance shared by *all* classes, is not one of these models.

Everything here is NumPy: no matplotlib (the pictures are :mod:`gmmviz.plot_classify`).
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import logsumexp

from ._types import FloatArray
from ._validation import check_array, check_covariance_type, check_int, check_reg_covar
from .em import log_density
from .fit import fit_best, fit_em
from .params import GMMParams

__all__ = [
    "ClassMixtures",
    "class_log_densities",
    "class_log_posterior",
    "fit_class_mixtures",
    "predict",
    "with_priors",
]


@dataclass(frozen=True, eq=False)
class ClassMixtures:
    """A fitted generative classifier: one Gaussian mixture and one prior per class.

    Parameters
    ----------
    classes : ndarray of shape (C,)
        The class labels, sorted (as ``np.unique(y)``); row c of every result is ``classes[c]``.
    mixtures : tuple of GMMParams, length C
        p(x | c) for each class, all with the same covariance type and dimension d.
    priors : ndarray of shape (C,)
        π_c, positive, summing to 1.

    Notes
    -----
    Build it with :func:`fit_class_mixtures`; change its priors with :func:`with_priors`. The arrays
    are read-only copies.
    """

    classes: np.ndarray
    mixtures: tuple[GMMParams, ...]
    priors: FloatArray
    log_priors: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        classes = np.array(self.classes)
        if classes.ndim != 1 or classes.size < 2:
            raise ValueError(
                f"classes must be a 1-D array of at least two labels, got shape {classes.shape}."
            )
        if np.unique(classes).size != classes.size:
            raise ValueError(f"classes must be distinct labels, got {classes.tolist()}.")
        mixtures = tuple(self.mixtures)
        if len(mixtures) != classes.size or not all(isinstance(m, GMMParams) for m in mixtures):
            raise TypeError(
                f"mixtures must be {classes.size} GMMParams, one per class, in the order of classes."
            )
        dims = {m.n_features for m in mixtures}
        types = {m.covariance_type for m in mixtures}
        if len(dims) != 1 or len(types) != 1:
            raise ValueError(
                f"every class's mixture must have the same dimension and covariance type, got d in {sorted(dims)} "
                f"and types {sorted(types)}: fit them all on the same columns with one covariance_type."
            )
        priors = _check_priors(self.priors, classes)
        classes.setflags(write=False)
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "mixtures", mixtures)
        object.__setattr__(self, "priors", priors)
        log_priors = np.log(priors)  # priors > 0: no −inf
        log_priors.setflags(write=False)
        object.__setattr__(self, "log_priors", log_priors)

    @property
    def n_classes(self) -> int:
        """C, the number of classes."""
        return int(self.classes.size)

    @property
    def n_features(self) -> int:
        """d, the dimension of the points the mixtures were fitted on."""
        return self.mixtures[0].n_features

    @property
    def n_components(self) -> tuple[int, ...]:
        """K_c for each class, in the order of :attr:`classes`."""
        return tuple(m.n_components for m in self.mixtures)

    @property
    def covariance_type(self) -> str:
        """The covariance type every class's mixture uses."""
        return self.mixtures[0].covariance_type

    def __repr__(self) -> str:
        return (
            f"ClassMixtures(classes={self.classes.tolist()}, K_c={list(self.n_components)}, "
            f"covariance_type={self.covariance_type!r}, priors=[{', '.join(f'{v:.3f}' for v in self.priors)}])"
        )


# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def _check_priors(priors: Any, classes: np.ndarray) -> FloatArray:
    """π_c as a read-only float array of shape (C,), each > 0, summing to 1."""
    c = classes.size
    try:
        arr = np.array(priors, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"priors must be {c} numbers, one per class, got {priors!r}.") from None
    if arr.shape != (c,):
        raise ValueError(
            f"priors must have one entry per class, shape ({c},) for classes {classes.tolist()}, got shape {arr.shape}."
        )
    if not np.all(np.isfinite(arr)) or (arr <= 0).any():
        raise ValueError(
            f"priors must be finite and positive, got {arr.tolist()}: a prior of 0 would forbid a class whatever x."
        )
    if abs(arr.sum() - 1.0) > 1e-6:
        raise ValueError(f"priors must sum to 1, got sum {arr.sum():.6g}: divide them by their sum.")
    arr.setflags(write=False)
    return arr


def _check_labels(y: Any, n_samples: int) -> np.ndarray:
    """y as a 1-D array of n_samples labels (ints or strings), no missing values."""
    if isinstance(y, (str, bytes)):
        raise TypeError("y must be an array of class labels, one per row of X, got a string.")
    arr = np.asarray(y)
    if arr.ndim == 2 and 1 in arr.shape:
        raise ValueError(f"y must be 1-D, one label per point, got shape {arr.shape}: pass y.ravel().")
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D, one label per point, got shape {arr.shape}.")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"X has {n_samples} points but y has {arr.shape[0]} labels: give one label per row of X."
        )
    if arr.dtype == object:  # e.g. a pandas column of strings: plain str or int labels are fine
        values = arr.tolist()
        if values and all(isinstance(v, str) for v in values):
            return arr.astype(str)
        if values and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
            return arr.astype(np.int64)
    if arr.dtype == object or arr.dtype.kind not in "biuU":
        if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
            return arr.astype(np.int64)
        raise TypeError(
            f"y must hold class labels (integers or strings), got dtype {arr.dtype}: "
            "convert them, e.g. y.astype(int), after removing missing labels."
        )
    return arr


def _per_class_k(n_components: Any, classes: np.ndarray) -> list[int]:
    """K_c for each class from an int (the same for all), a mapping label -> K_c or a sequence of C ints."""
    c = classes.size
    if isinstance(n_components, Mapping):
        missing = [label for label in classes.tolist() if label not in n_components]
        extra = [label for label in n_components if label not in set(classes.tolist())]
        if missing or extra:
            raise ValueError(
                f"n_components as a mapping needs exactly the classes {classes.tolist()} as keys; "
                f"missing {missing}, unknown {extra}."
            )
        values = [n_components[label] for label in classes.tolist()]
    elif isinstance(n_components, Sequence) and not isinstance(n_components, str):
        if len(n_components) != c:
            raise ValueError(
                f"n_components as a sequence needs one K_c per class ({c}, in the order {classes.tolist()}), "
                f"got {len(n_components)}."
            )
        values = list(n_components)
    elif isinstance(n_components, numbers.Integral) and not isinstance(n_components, bool):
        values = [n_components] * c
    else:
        raise TypeError(
            f"n_components must be an int (the same K_c for every class), a mapping label -> K_c or a "
            f"sequence of {c} ints, got {n_components!r}."
        )
    return [check_int(k, "K_c (n_components)", minimum=1) for k in values]


def _check_model(model: Any) -> ClassMixtures:
    if not isinstance(model, ClassMixtures):
        raise TypeError(
            f"model must be a ClassMixtures, got {type(model).__name__}: build one with fit_class_mixtures(X, y)."
        )
    return model


def _check_points(X: Any, model: ClassMixtures) -> FloatArray:
    X = check_array(X)
    if X.shape[1] != model.n_features:
        raise ValueError(
            f"X has {X.shape[1]} feature(s) but the classifier was fitted on {model.n_features}: "
            "pass the same columns, in the same order, as in fit_class_mixtures."
        )
    checked: FloatArray = X
    return checked


# ---------------------------------------------------------------------------------------------
# Fitting
# ---------------------------------------------------------------------------------------------


def _fit_one(
    Xc: FloatArray,
    k: int,
    covariance_type: str,
    reg_covar: float,
    seeds: Sequence[int],
    max_iter: int,
    tol: float,
) -> GMMParams:
    if k == 1:  # one Gaussian: EM's first M-step is already the maximum-likelihood fit, no start matters
        return fit_em(
            Xc,
            1,
            covariance_type=covariance_type,
            reg_covar=reg_covar,
            max_iter=max_iter,
            tol=tol,
            random_state=0,
        ).final
    return fit_best(
        Xc, k, seeds=seeds, covariance_type=covariance_type, reg_covar=reg_covar, max_iter=max_iter, tol=tol
    ).final


def fit_class_mixtures(
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    n_components: int | Mapping[Any, int] | Sequence[int] = 1,
    covariance_type: str = "full",
    *,
    priors: npt.ArrayLike | None = None,
    reg_covar: float = 1e-6,
    seeds: Sequence[int] = (0, 1, 2),
    max_iter: int = 100,
    tol: float = 1e-3,
) -> ClassMixtures:
    """Fit one Gaussian mixture per class, p(x | c), and the class priors π_c.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        The training points (a 1-D array is read as n one-dimensional points).
    y : array-like of shape (n_samples,)
        Their class labels (integers or strings); at least two classes.
    n_components : int, mapping label -> int, or sequence of int, default=1
        K_c, the components of each class's mixture: one number for every class, or one per class.
    covariance_type : {'full', 'tied', 'diag', 'spherical'}, default='full'
        Of every class's mixture ('tied': the components of one class share a covariance).
    priors : array-like of shape (C,), optional
        π_c in the order of ``np.unique(y)``; default the training shares N_c / N.
    reg_covar : float, default=1e-6
        Added to the diagonal of every covariance (as in :func:`gmmviz.fit_em`).
    seeds : sequence of int, default=(0, 1, 2)
        For K_c ≥ 2, the seeds of :func:`gmmviz.fit_best` (each with a 'kmeans++' and a 'random' start;
        the best non-degenerate run is kept). K_c = 1 needs no start.
    max_iter, tol
        As in :func:`gmmviz.fit_em`.

    Returns
    -------
    ClassMixtures

    Raises
    ------
    ValueError
        A class with fewer points (or distinct points) than its K_c, a class whose every EM start ends
        degenerate, priors that are not positive or do not sum to 1, mismatched shapes.
    """
    X = check_array(X)
    labels = _check_labels(y, X.shape[0])
    classes, counts = np.unique(labels, return_counts=True)
    if classes.size < 2:
        raise ValueError(
            f"y has only one class ({classes.tolist()}): a classifier needs points of at least two classes."
        )
    ks = _per_class_k(n_components, classes)
    covariance_type = check_covariance_type(covariance_type)
    reg_covar = check_reg_covar(reg_covar)
    seeds = tuple(check_int(s, "each seed", minimum=0) for s in seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed, e.g. seeds=(0, 1, 2).")
    prior_values = _check_priors(
        counts / counts.sum() if priors is None else priors, classes
    )  # before any fit
    mixtures = []
    for label, n_c, k in zip(classes.tolist(), counts.tolist(), ks, strict=True):
        Xc = X[labels == label]
        n_distinct = np.unique(Xc, axis=0).shape[0]
        if n_distinct < k:
            points = f"{n_c} points" if n_distinct == n_c else f"{n_c} points ({n_distinct} distinct)"
            raise ValueError(
                f"class {label!r} has {points} but K_c={k}: lower K_c for that class to at most {n_distinct} "
                "(n_components={label: K_c, ...}) or give it more points."
            )
        try:
            mixtures.append(_fit_one(Xc, k, covariance_type, reg_covar, seeds, max_iter, tol))
        except ValueError as exc:
            raise ValueError(f"class {label!r} ({n_c} points, K_c={k}): {exc}") from None
    return ClassMixtures(classes, tuple(mixtures), prior_values)


def with_priors(model: ClassMixtures, priors: npt.ArrayLike) -> ClassMixtures:
    """The same class mixtures with other priors π_c (e.g. the class shares where the classifier is used).

    Parameters
    ----------
    model : ClassMixtures
    priors : array-like of shape (C,)
        Positive, summing to 1, in the order of ``model.classes``.

    Returns
    -------
    ClassMixtures
        A new model; ``model`` is not changed.
    """
    model = _check_model(model)
    return ClassMixtures(model.classes, model.mixtures, _check_priors(priors, model.classes))


# ---------------------------------------------------------------------------------------------
# Bayes' rule, in log space
# ---------------------------------------------------------------------------------------------


def class_log_densities(X: npt.ArrayLike, model: ClassMixtures) -> FloatArray:
    """ln p(x_n | c) for every point and class, shape (n_samples, C): each class's mixture's log-density.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    model : ClassMixtures

    Returns
    -------
    ndarray of shape (n_samples, C)
        Column c is :func:`gmmviz.log_density` of ``model.mixtures[c]``.
    """
    model = _check_model(model)
    X = _check_points(X, model)
    return np.column_stack([log_density(X, mixture) for mixture in model.mixtures])


def class_log_posterior(X: npt.ArrayLike, model: ClassMixtures) -> FloatArray:
    """ln p(c | x_n) by Bayes' rule, shape (n_samples, C); exp of each row sums to 1.

    a_nc = ln π_c + ln p(x_n | c), and ln p(c | x_n) = a_nc − logsumexp_c' a_nc': no density is
    exponentiated before the normalisation, so points far from every class keep a posterior.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
    model : ClassMixtures

    Returns
    -------
    ndarray of shape (n_samples, C)
    """
    model = _check_model(model)
    joint = class_log_densities(X, model) + model.log_priors
    log_post: FloatArray = joint - logsumexp(joint, axis=1, keepdims=True)
    return log_post


def predict(X: npt.ArrayLike, model: ClassMixtures) -> np.ndarray:
    """The most probable class, arg max_c p(c | x_n), for every point: shape (n_samples,), labels of ``model.classes``.

    Ties go to the first class in ``model.classes``.
    """
    model = _check_model(model)
    labels: np.ndarray = model.classes[np.argmax(class_log_posterior(X, model), axis=1)]
    return labels
