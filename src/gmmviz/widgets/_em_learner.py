"""The EM explorer's methods for the learner's hands: a start of their own, data of their own,
and the code of what is on screen (mixed into :class:`gmmviz.widgets.EMExplorer`).

The page turns a drag, a click or keys into a call of these (see ``EMExplorer.on_page``); notebooks
and tests call them directly. Each refits through the explorer's own path (``refit``, or
``_use_data`` for new data), so a new run is cached, shown, scrubbed and played like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _em_hands as hands

if TYPE_CHECKING:
    from .._history import EMHistory
    from ._fit_cache import Fit


class LearnerHands:
    """The learner's hands on an EM explorer (a mixin: the explorer holds the state it reads:
    ``X``, ``added``, ``data_given``, ``data_version``, ``start``, ``fits``, the renderers)."""

    # (attributes and methods of the explorer these use, for the type checker)
    X: Any
    added: Any
    data_given: Any
    data_version: int
    start: hands.Start | None
    current_fit: Fit | None
    dims: tuple[int, int]
    max_iter: int
    tol: float
    k_slider: Any
    fits: Any
    renderer: Any
    _renderer_ahead: Any
    _unfittable: set[Any]
    _versions: Any
    _limits: Any

    step: Any
    refit: Any
    _fit_for: Any
    _key: Any
    _show_fit: Any

    def move_mean(self, component: int, xy: Sequence[float]) -> EMHistory | None:
        """Start EM again with mean ``component`` (its number in the picture, 1 … K) at ``xy`` on the
        two features shown, and the other means where the picture shows them (at half-step 0, their
        start; at a later half-step, where EM had taken them), with π_k = 1/K, Σ_k = I. What the
        learner sees is what EM starts from: nothing jumps. The new run is shown from its start;
        its readout says the start is the learner's.

        Returns the new history (None when the fit failed: the message says why).
        """
        fit = self._require_fit()
        k = hands.check_component(component, fit.history.n_components)
        xy = hands.check_xy(xy)
        shown = fit.history.frame(min(self.step, fit.n_frames - 1)).params.means
        return self.set_start(hands.placed_start(shown, k, xy, self.dims))

    def set_start(self, means: Any) -> EMHistory | None:
        """Start EM from ``means`` (shape (K, d), K as the K slider's), π_k = 1/K, Σ_k = I.

        What a drag does, for code: a notebook (or a test) can place a whole start at once.
        """
        self._require_data()
        start = hands.check_start(means, int(self.k_slider.value), self.X.shape[1])
        self.start = tuple(tuple(float(v) for v in row) for row in start)
        return self.refit()

    def reset_start(self) -> EMHistory | None:
        """Start EM again from the start the controls choose (forget the means placed)."""
        self.start = None
        return self.refit()

    def add_point(self, xy: Sequence[float]) -> EMHistory | None:
        """Add the point ``xy`` (2-D data) and fit again; the learner's points wear a ring."""
        self._require_data()
        X, added = hands.with_point(self.X, self.added, hands.check_xy(xy))
        return self._use_data(X, added, next(self._versions))

    def remove_point(self, xy: Sequence[float]) -> EMHistory | None:
        """Remove the point nearest to ``xy`` (as the picture shows them) and fit again."""
        self._require_data()
        i = hands.nearest_point(self.X, hands.check_xy(xy), self.dims, self._limits)
        X, added = hands.without_point(self.X, self.added, i)
        return self._use_data(X, added, next(self._versions))

    def set_data(self, X: Any, added: Any = None) -> EMHistory | None:
        """Fit ``X`` (the same features as the data given) from now on; ``added`` (a boolean per
        row) marks the learner's own points, which wear a ring. What clicks do, for code."""
        self._require_data()
        X, added = hands.check_data(X, added, self.data_given.shape[1])
        return self._use_data(X, added, next(self._versions))

    def reset_data(self) -> EMHistory | None:
        """Back to the data given to the explorer, and fit again."""
        self._require_data()
        return self._use_data(self.data_given, np.zeros(self.data_given.shape[0], dtype=bool), 0)

    def code(self) -> str:
        """The Python that reproduces what is on screen: the data, K, the start (the controls' or
        the means placed), the covariance type, reg_covar, the seed, and the half-step shown."""
        fit = self._require_fit()
        n_added = int(self.added.sum())
        n_removed = self.data_given.shape[0] - (self.X.shape[0] - n_added)
        return hands.explorer_code(
            self.X,
            fit.key,
            max_iter=self.max_iter,
            tol=self.tol,
            step=self.step,
            dims=self.dims,
            data_note=hands.data_note(self.X.shape[0], n_added, n_removed),
        )

    def _require_data(self) -> None:
        if self.X is None:
            raise ValueError("This explorer has no data; fix the problem shown in the widget first.")

    def _require_fit(self) -> Fit:
        if self.current_fit is None:
            raise ValueError("There is no fit to show yet; fix the problem shown in the widget first.")
        return self.current_fit

    def _use_data(self, X: np.ndarray, added: np.ndarray, version: int) -> EMHistory | None:
        """Fit ``X`` (version ``version``) and show it; if the fit fails, the data stay as they were."""
        before = (self.X, self.data_version)
        self.fits.set_data(X, version)
        self.data_version = version
        fit = self._fit_for(self._key())
        if fit is None:  # (the message says why; the picture keeps the fit of the data before)
            self.fits.set_data(*before)
            self.data_version = before[1]
            return None
        self.X, self.added = X, added
        for renderer in (self.renderer, self._renderer_ahead):
            if renderer is not None:
                renderer.set_data(X, added, version)
        self._unfittable.clear()
        self._show_fit(fit)
        return fit.history
