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

from .. import fit as _fit
from .._history import EMHistory


class FitKey(NamedTuple):
    """What a fit depends on besides the data: the explorer's control values."""

    n_components: int
    init: str
    covariance_type: str
    reg_covar: float
    seed: int


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
        self._fits: OrderedDict[FitKey, Fit] = OrderedDict()
        self._serial = 0

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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = _fit.fit_em(  # (looked up at each call: tests replace it)
                self.X,
                key.n_components,
                init=key.init,
                covariance_type=key.covariance_type,
                reg_covar=key.reg_covar,
                random_state=key.seed,
                max_iter=self.max_iter,
                tol=self.tol,
            )
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
