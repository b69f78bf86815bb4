"""Data sets for the course: Old Faithful and seeded synthetic Gaussian mixtures.

Every synthetic generator draws from a Gaussian mixture whose true parameters live in
one place (``_SPECS``), so a notebook can compare what EM found with the truth via
:func:`mixture_spec` (plain arrays) or :func:`true_params` (a ``gmmviz.em.GMMParams``).

Sampling follows the generative story taught in the course: first pick a component
``z ~ Categorical(weights)``, then draw ``x ~ N(means[z], covariances[z])``.  Label
counts therefore vary around ``n_samples * weights`` from seed to seed, and points come
out in random order (not grouped by component).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from ._validation import check_int, check_random_state

if TYPE_CHECKING:  # em.py is imported lazily at run time (see true_params)
    from gmmviz.params import GMMParams

__all__ = [
    "DATASET_NAMES",
    "FAITHFUL_COLUMNS",
    "MixtureSpec",
    "elongated_clusters",
    "load_faithful",
    "make_dataset",
    "mixture_1d",
    "mixture_spec",
    "overlapping_clusters",
    "true_params",
    "unequal_sizes",
    "well_separated_blobs",
]

FAITHFUL_COLUMNS: tuple[str, str] = ("eruptions", "waiting")
_FAITHFUL_SHAPE = (272, 2)

RandomState = int | np.random.Generator | None


# --------------------------------------------------------------------------- Old Faithful


@lru_cache(maxsize=1)
def _read_faithful() -> np.ndarray:
    # importlib.resources rather than a path next to __file__: works from a wheel/zip too.
    text = resources.files("gmmviz").joinpath("data").joinpath("faithful.csv").read_text(encoding="utf-8")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    header = tuple(lines[0].split(","))
    if header != FAITHFUL_COLUMNS:
        raise RuntimeError(
            f"gmmviz/data/faithful.csv has header {header!r}, expected {FAITHFUL_COLUMNS!r}; "
            "the installed package data is damaged, reinstall gmmviz."
        )
    data = np.array([[float(v) for v in ln.split(",")] for ln in lines[1:]], dtype=float)
    if data.shape != _FAITHFUL_SHAPE:
        raise RuntimeError(
            f"gmmviz/data/faithful.csv holds shape {data.shape}, expected {_FAITHFUL_SHAPE}; "
            "the installed package data is damaged, reinstall gmmviz."
        )
    data.setflags(write=False)
    return data


def load_faithful(standardize: bool = False) -> np.ndarray:
    """Load the Old Faithful geyser data (R's ``datasets::faithful``, 272 eruptions).

    Parameters
    ----------
    standardize : bool, default False
        If True, shift and scale each column to mean 0 and variance 1 (population
        variance, ``ddof=0``, as scikit-learn's ``StandardScaler``).  Worth doing before
        EM with spherical/diagonal covariances or k-means: the raw columns differ in
        scale by a factor of about 12.

    Returns
    -------
    X : ndarray of shape (272, 2), float
        Column 0 is the eruption duration in minutes, column 1 the waiting time to the
        next eruption in minutes (see ``FAITHFUL_COLUMNS``).  A fresh, writable copy.

    Notes
    -----
    Source: Härdle (1991), *Smoothing Techniques with Implementation in S*; Azzalini and
    Bowman (1990), *Applied Statistics* 39, 357-365.  See ``gmmviz/data/README.md``.
    """
    if not isinstance(standardize, (bool, np.bool_)):
        raise TypeError(f"standardize must be True or False, got {standardize!r}.")
    X = _read_faithful().copy()  # copy: the cached array is read-only and shared
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X


# --------------------------------------------------------------------------- mixtures


@dataclass(frozen=True)
class MixtureSpec:
    """True parameters of a synthetic data set (always full covariances).

    Attributes
    ----------
    weights : ndarray of shape (K,)
        Mixing proportions, sum to 1.
    means : ndarray of shape (K, d)
    covariances : ndarray of shape (K, d, d)
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    @property
    def n_components(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_features(self) -> int:
        return int(self.means.shape[1])


def _rotated_cov(sd_long: float, sd_short: float, angle_deg: float) -> np.ndarray:
    # Build a covariance from its geometry (axis lengths + angle): that is how learners
    # read the ellipses, so the numbers below stay easy to relate to the pictures.
    t = np.deg2rad(angle_deg)
    R = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return R @ np.diag([sd_long**2, sd_short**2]) @ R.T


def _spec(weights: Any, means: Any, covariances: Any) -> MixtureSpec:
    w, m, c = (np.array(a, dtype=float) for a in (weights, means, covariances))
    for a in (w, m, c):
        a.setflags(write=False)  # shared module constants: nobody may edit the truth
    return MixtureSpec(w, m, c)


def _elongated() -> MixtureSpec:
    # Three parallel stripes, staggered along their long axis.  k-means cuts across the
    # stripes (adjusted Rand index ~0.3-0.5), full-covariance EM from a k-means start
    # recovers them (ARI ~1).  Perfectly side-by-side stripes were rejected: there even
    # EM usually sticks in the k-means local optimum, which is a different lesson.
    angle = 30.0
    along = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))])
    across = np.array([-along[1], along[0]])
    offsets = np.array([-1.0, 0.0, 1.0])[:, None]
    means = offsets * (2.5 * across + 3.0 * along)
    cov = _rotated_cov(2.5, 0.4, angle)
    return _spec(np.full(3, 1 / 3), means, [cov, cov, cov])


_SPECS: dict[str, MixtureSpec] = {
    # Round unit-variance clusters >= 7.6 sd apart: every method agrees, EM converges fast.
    "blobs": _spec([1 / 3, 1 / 3, 1 / 3], [[-4.0, -2.0], [4.0, -2.0], [0.0, 4.5]], [np.eye(2)] * 3),
    "elongated": _elongated(),
    # Means ~1.5-2.5 sd apart: responsibilities stay genuinely soft in the overlap.
    "overlapping": _spec(
        [0.40, 0.35, 0.25],
        [[0.0, 0.0], [2.2, 1.2], [0.6, -2.0]],
        [[[1.0, 0.3], [0.3, 0.8]], [[0.9, -0.2], [-0.2, 1.1]], [[0.7, 0.0], [0.0, 0.6]]],
    ),
    # One broad heavy component, two small tight ones: k-means splits the big one.
    "unequal": _spec(
        [0.70, 0.20, 0.10],
        [[0.0, 0.0], [5.5, 3.5], [4.5, -3.0]],
        [_rotated_cov(2.2, 1.6, 20.0), 0.7**2 * np.eye(2), 0.3**2 * np.eye(2)],
    ),
    # Two bumps of different height and width: the classic first picture of EM.
    "1d": _spec([0.4, 0.6], [[-1.5], [2.0]], [[[0.7**2]], [[1.2**2]]]),
}


def _sample(spec: MixtureSpec, n_samples: Any, random_state: RandomState) -> tuple[np.ndarray, np.ndarray]:
    n = check_int(n_samples, "n_samples", minimum=1, hint="; pass e.g. n_samples=300")
    rng = check_random_state(random_state)
    labels = rng.choice(spec.n_components, size=n, p=spec.weights).astype(np.intp)
    chol = np.linalg.cholesky(spec.covariances)  # (K, d, d): x = mean + L z has covariance L L^T
    z = rng.standard_normal((n, spec.n_features))
    X = spec.means[labels] + np.einsum("nij,nj->ni", chol[labels], z)
    return X, labels


def well_separated_blobs(
    n_samples: int = 300, *, random_state: RandomState = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Three round, equally weighted 2-D clusters far apart: the easy case.

    Parameters
    ----------
    n_samples : int, default 300
    random_state : int, numpy Generator or None, default 0
        Seed; the same int always gives the same data.  None draws fresh randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    labels : ndarray of shape (n_samples,), int
        Component (0, 1 or 2) each point was drawn from.
    """
    return _sample(_SPECS["blobs"], n_samples, random_state)


def elongated_clusters(
    n_samples: int = 300, *, random_state: RandomState = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Three long, thin, parallel clusters tilted by 30 degrees and staggered.

    k-means (round clusters) cuts across them; a GMM with full covariances finds them.

    Parameters
    ----------
    n_samples : int, default 300
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    labels : ndarray of shape (n_samples,), int
    """
    return _sample(_SPECS["elongated"], n_samples, random_state)


def overlapping_clusters(
    n_samples: int = 300, *, random_state: RandomState = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Three 2-D clusters that overlap, so responsibilities are truly soft.

    Weights 0.40 / 0.35 / 0.25; no method can label every point correctly.

    Parameters
    ----------
    n_samples : int, default 300
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    labels : ndarray of shape (n_samples,), int
    """
    return _sample(_SPECS["overlapping"], n_samples, random_state)


def unequal_sizes(n_samples: int = 400, *, random_state: RandomState = 0) -> tuple[np.ndarray, np.ndarray]:
    """One big broad cluster and two small tight ones (weights 0.70 / 0.20 / 0.10).

    Shows why a GMM learns weights and per-component spreads: k-means, which implicitly
    assumes equal sizes, steals points from the big cluster for the small ones.

    Parameters
    ----------
    n_samples : int, default 400
        Larger default so the 10 % component still has about 40 points.
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    labels : ndarray of shape (n_samples,), int
    """
    return _sample(_SPECS["unequal"], n_samples, random_state)


def mixture_1d(n_samples: int = 300, *, random_state: RandomState = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D mixture of two Gaussians: N(-1.5, 0.7^2) w.p. 0.4 and N(2, 1.2^2) w.p. 0.6.

    Parameters
    ----------
    n_samples : int, default 300
    random_state : int, numpy Generator or None, default 0

    Returns
    -------
    X : ndarray of shape (n_samples,)
        Flat on purpose: gmmviz reads a 1-D array as n one-dimensional points, and a flat
        array is what ``plt.hist`` and friends expect.  Use ``X[:, None]`` for (n, 1).
    labels : ndarray of shape (n_samples,), int
    """
    X, labels = _sample(_SPECS["1d"], n_samples, random_state)
    return X[:, 0], labels


# --------------------------------------------------------------------------- by name


def _faithful_dataset(*, standardize: bool = False) -> tuple[np.ndarray, None]:
    return load_faithful(standardize=standardize), None


_GENERATORS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray | None]]] = {
    "blobs": well_separated_blobs,
    "elongated": elongated_clusters,
    "overlapping": overlapping_clusters,
    "unequal": unequal_sizes,
    "1d": mixture_1d,
    "faithful": _faithful_dataset,
}
DATASET_NAMES: tuple[str, ...] = tuple(_GENERATORS)


def _canonical_name(name: Any, valid: tuple[str, ...]) -> str:
    if not isinstance(name, str):
        raise TypeError(f"dataset name must be a string, one of {', '.join(map(repr, valid))}; got {name!r}.")
    key = name.strip().lower()
    if key not in valid:
        raise ValueError(f"unknown dataset {name!r}; valid names are {', '.join(map(repr, valid))}.")
    return key


def make_dataset(name: str, **kwargs: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Build a course data set by name, e.g. from a notebook dropdown.

    Parameters
    ----------
    name : {"blobs", "elongated", "overlapping", "unequal", "1d", "faithful"}
        Case-insensitive.  Listed in ``DATASET_NAMES``.
    **kwargs
        Passed on: ``n_samples`` and ``random_state`` for the synthetic sets,
        ``standardize`` for "faithful".

    Returns
    -------
    X : ndarray of shape (n, 2), or (n,) for "1d"
    labels : ndarray of shape (n,), int, or None for "faithful" (real data has no true labels)

    Raises
    ------
    ValueError
        Unknown name (the message lists the valid ones).
    TypeError
        A keyword the chosen data set does not take.
    """
    key = _canonical_name(name, DATASET_NAMES)
    generator = _GENERATORS[key]
    accepted = tuple(inspect.signature(generator).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        # Checked up front so the message names the data set, not a private helper.
        raise TypeError(
            f"make_dataset({key!r}) does not take {', '.join(unknown)}; "
            f"it accepts only: {', '.join(accepted)}."
        )
    return generator(**kwargs)


def mixture_spec(name: str) -> MixtureSpec:
    """True mixture behind a synthetic data set, as plain read-only arrays.

    Parameters
    ----------
    name : {"blobs", "elongated", "overlapping", "unequal", "1d"}

    Returns
    -------
    MixtureSpec
        weights (K,), means (K, d), full covariances (K, d, d); d = 1 for "1d".
    """
    return _SPECS[_canonical_name(name, tuple(_SPECS))]


def true_params(name: str) -> GMMParams:
    """True mixture behind a synthetic data set as ``gmmviz.em.GMMParams`` (full covariances).

    Handy to draw the true ellipses next to EM's estimate, or to start EM at the truth.

    Parameters
    ----------
    name : {"blobs", "elongated", "overlapping", "unequal", "1d"}

    Returns
    -------
    GMMParams
    """
    from gmmviz.params import GMMParams  # lazy: keeps datasets importable on its own

    spec = mixture_spec(name)
    return GMMParams(spec.weights.copy(), spec.means.copy(), spec.covariances.copy(), covariance_type="full")
