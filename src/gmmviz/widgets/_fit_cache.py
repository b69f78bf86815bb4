"""The EM explorer's fits, kept by the control values they were made with.

EM is deterministic given the controls, so going back to a K (or a seed, a start...) shows the same
fit again, with the pictures already drawn of it. A fit kept is small (its parameters per
iteration and the PNGs of the frames drawn); a fit no longer shown keeps only its first and last
pictures, so memory stays at a few MB per fit.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .. import em
from .. import fit as _fit
from .._history import EMHistory


class FitKey(NamedTuple):
    """What a fit depends on: the explorer's control values, the learner's start and data.

    ``start`` is None for the start the controls choose (``init`` with ``seed``), or the K means
    the learner placed (a tuple of K tuples of d floats: EM starts from them with π_k = 1/K,
    Σ_k = I, as the course's start does). ``data`` numbers the version of the data the fit is of
    (0: the data given to the explorer; each point the learner adds or removes makes a new one).
    """

    n_components: int
    init: str
    covariance_type: str
    reg_covar: float
    seed: int
    start: tuple[tuple[float, ...], ...] | None = None
    data: int = 0


@dataclass(eq=False)
class Fit:
    """One fit of an EM explorer and what has been drawn of it."""

    key: FitKey
    history: EMHistory
    notes: str  # warnings from the fit, shown with it
    serial: int  # names its cached pixels (layers, stamps, backgrounds)
    ll_view: tuple | None = None  # ln p(X) panel: xlim, ylim, title
    pngs: dict[int, bytes] = field(default_factory=dict)  # frame -> PNG, once drawn

    @property
    def n_frames(self) -> int:
        return self.history.n_frames

    def forget_pictures(self) -> None:
        """Keep only the first and last pictures (enough for a fit no longer shown)."""
        for i in [i for i in self.pngs if i not in (0, self.n_frames - 1)]:
            del self.pngs[i]


class FitCache:
    """Fits of ``X`` by :class:`FitKey`, the least recently used forgotten beyond ``capacity``.

    Parameters
    ----------
    X : ndarray
        The data.
    capacity : int
        How many fits to keep.
    max_iter, tol
        Passed to :func:`gmmviz.fit.fit_em`.
    """

    def __init__(self, X: np.ndarray, capacity: int, *, max_iter: int = 100, tol: float = 1e-3) -> None:
        self.X, self.capacity, self.max_iter, self.tol = X, int(capacity), max_iter, tol
        self.data = 0  # the version of X (see FitKey.data)
        self._fits: OrderedDict[FitKey, Fit] = OrderedDict()
        self._serial = 0

    def set_data(self, X: np.ndarray, version: int) -> None:
        """Fit ``X`` from now on (version ``version``): the fits of other data are forgotten."""
        self.X, self.data = X, int(version)
        self._fits.clear()

    def __len__(self) -> int:
        return len(self._fits)

    def __contains__(self, key: object) -> bool:
        return key in self._fits

    def __iter__(self) -> Iterator[FitKey]:
        return iter(self._fits)

    def get(self, key: FitKey) -> Fit | None:
        """The fit kept for ``key``, or None (its place in the order is not changed)."""
        return self._fits.get(key)

    def touch(self, key: FitKey) -> None:
        """``key``'s fit was used: it is the last to be forgotten."""
        self._fits.move_to_end(key)

    def clear(self) -> None:
        """Forget every fit."""
        self._fits.clear()

    def fit(self, key: FitKey) -> Fit:
        """The fit for ``key``: kept, or made now and kept. Errors of the fit are raised.

        Warnings (an emptied component, k-means on duplicates) would land on stderr, out of sight
        in the widget and fatal under strict nbval: they are kept as the fit's ``notes``.
        """
        kept = self._fits.get(key)
        if kept is not None:
            self.touch(key)
            return kept
        if key.data != self.data:
            raise ValueError(
                f"The fit asked for is of data version {key.data}, but the data are version {self.data}."
            )
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            start = (
                None
                if key.start is None
                else em.init_params(
                    self.X, key.n_components, means=np.array(key.start), covariance_type=key.covariance_type
                )
            )
            history = _fit.fit_em(  # (looked up at each call: tests replace it)
                self.X,
                key.n_components,
                init=key.init,
                covariance_type=key.covariance_type,
                reg_covar=key.reg_covar,
                random_state=key.seed,
                max_iter=self.max_iter,
                tol=self.tol,
                params=start,
            )
        if key.start is not None:
            history.init = "placed"  # (the course's start around the learner's means: say so)
        self._serial += 1
        made = Fit(key, history, " ".join(dict.fromkeys(str(w.message) for w in caught)), self._serial)
        self._fits[key] = made
        while len(self._fits) > self.capacity:
            self._fits.popitem(last=False)
        return made

    def ready(self, key: FitKey) -> bool:
        """Whether ``key``'s fit is kept with its first picture (a K press then only shows it)."""
        kept = self._fits.get(key)
        return kept is not None and 0 in kept.pngs
