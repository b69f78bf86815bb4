"""EMExplorer: watch EM fit a Gaussian mixture, half-step by half-step.

The explorer wires its parts together: the controls (:mod:`._em_controls`), the fits kept
(:mod:`._fit_cache`), the renderers (:mod:`._em_render`: one for the picture shown, one for the
pictures drawn ahead), the picture in the page (:mod:`._frame_view`) and the idle-time work
(:mod:`._prefetch`). Every change of its state happens on the kernel's main event loop
(:mod:`._scheduling`): a callback arriving in another thread hands its work over.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np

from .._history import EMHistory
from .._validation import check_int, check_n_std
from . import _em_hands as hands
from ._box import EXPECTED_ERRORS, PAPER, TEXT, FigureBox, as_data, callback, data_limits, describe, report
from ._em_controls import EMControls
from ._em_learner import LearnerHands
from ._em_render import EMRenderer, axes_box, frame_handles, frame_readout
from ._fit_cache import Fit, FitCache, FitKey
from ._frame_view import FrameView
from ._prefetch import Prefetcher
from ._scheduling import Scheduler

EXTRA_FITS = 4
"""Fits an EM explorer keeps beyond one per K of its slider (fits of other seeds, starts, Σ types)."""


def _shown_part(name: str) -> property:
    """A read-only attribute of the explorer that is the shown renderer's ``name``."""
    return property(lambda self: getattr(self.renderer, name), doc=f"The picture shown's ``{name}``.")


class EMExplorer(LearnerHands, FigureBox):
    """Watch EM fit a Gaussian mixture, half-step by half-step.

    Controls for K, the initialisation, the seed, the covariance type and ``reg_covar`` refit
    the model; the half-step slider (driven by the Play button) scrubs through the fit's frames:
    start, then E and M of each iteration. The figure's headline names the half-step, what it
    changed and the iteration; the left panel shows the points coloured by the current
    responsibilities (grey before the first E-step), the components' ellipses and means (an
    M-frame adds the ellipses before the M-step, dashed, and each mean's move); the right panel
    shows ln p(X): the whole run faintly, the part so far dark, the frame's value circled (an
    E-frame of iteration t shows θ of iteration t-1, so its ln p(X)) and a note on what the
    half-step did to it. The readout gives iteration, half-step, ln p(X) and the π_k.

    The learner's hands: drag a numbered mean on the picture and EM starts again from the means as
    placed (the others where the picture shows them; :meth:`move_mean`); click an empty place to add a point,
    Shift+click to remove the nearest one (:meth:`add_point`, :meth:`remove_point`; the learner's
    points wear a ring); "Reset start" and "Reset data" go back. From the keyboard: focus the
    picture, press a component's number, move its mean with the arrow keys, Enter; P puts a cursor
    for a point, Enter adds it, Delete removes the nearest; Escape cancels. "Copy as code" shows the
    Python that reproduces what is on screen (:meth:`code`). A new run is scrubbed and played like
    any other.

    Parameters
    ----------
    X : array_like, shape (n, d), d >= 2
        The data. EM runs on all d features; the picture shows the two features ``dims``.
        Bad data (e.g. 1-D) does not raise: the explorer shows what is wrong instead.
    n_components : int
        Starting K.
    init : {'kmeans', 'kmeans++', 'random'}
    covariance_type : {'full', 'tied', 'diag', 'spherical'}
    reg_covar : float
        Added to covariance diagonals at each M-step.
    random_state : int
        Seed for the initialisation.
    dims : pair of int
        Features to show for d > 2 (ellipses are the marginals on them).
    n_std : sequence of float
        Ellipse radii in standard deviations.
    max_iter, tol
        Passed to :func:`gmmviz.em.fit_em`.
    max_components : int
        Upper end of the K slider.
    interval : int
        Milliseconds between two half-steps while playing (Play waits for each picture, then
        ``interval``). The learner changes it with the speed menu beside Play; 250 shows four
        half-steps a second.
    figsize, dpi
        Size of the rendered figure.
    scheduler : optional
        Where the explorer's work runs (see ``gmmviz.widgets._scheduling``): by default the
        kernel's main event loop (callbacks arriving in another thread are handed over to it), or,
        outside a kernel, at once. Tests pass their own to run the idle-time work turn by turn.
    prefetch : bool
        False: nothing is prepared in idle time (no other K fitted, no frame drawn ahead).

    Attributes
    ----------
    history : EMHistory or None
        The current fit (None until a fit succeeds).
    X : ndarray
        The data fitted now (the data given, with the learner's points); ``added`` marks the
        learner's rows; ``data_given`` is the data given.
    start : tuple or None
        The means the learner placed (K tuples of d floats), or None for the controls' start.
    current_fit : Fit or None
        The fit shown with the PNGs drawn of it (``.pngs``, by half-step).
    fits : FitCache
        The fits kept, by control values (``len``, ``in``, ``clear()``).
    prefetcher : Prefetcher
        The idle-time work (``.enabled``, ``.idle``).
    renderer, renderer_ahead : EMRenderer
        Draw the picture shown, and the pictures drawn ahead (each on a figure of its own).
    figure : matplotlib.figure.Figure
    ax_points, ax_ll : Axes
    k_slider, init_dropdown, seed_input, cov_dropdown, reg_slider, step_slider
        The controls (ipywidgets).
    image : the picture and its player
        Play and its speed (``image.playing``, ``image.interval``), the picture, the readout.
    readout : str
        The readout of the half-step shown (HTML: iteration, half-step, ln p(X), π).
    message : HTML
        Errors shown to the learner; :attr:`message_text` gives them as plain text.
    points, ellipses, means, shift, ll_curve, ll_done, ll_marker, ll_note, headline_label,
    headline, headline_when
        The artists, updated in place when the frame changes (``means`` and ``shift`` are the
        NamedTuples of :func:`gmmviz.plot.plot_means` and :func:`gmmviz.plot.plot_shift`).
    """

    def __init__(
        self,
        X: Any,
        n_components: int = 3,
        *,
        init: str = "kmeans",
        covariance_type: str = "full",
        reg_covar: float = 1e-6,
        random_state: int = 0,
        dims: Sequence[int] = (0, 1),
        n_std: Sequence[float] = (1, 2, 3),
        max_iter: int = 100,
        tol: float = 1e-3,
        max_components: int = 10,
        interval: int = 250,
        figsize: tuple[float, float] = (8.0, 3.6),
        dpi: float = 90,
        scheduler: Scheduler | None = None,
        prefetch: bool = True,
    ) -> None:
        super().__init__()
        self.add_class("gmmviz-em-explorer")
        self._init_box("gmmviz-em-explorer", scheduler)
        self.n_std = check_n_std(n_std)
        self.max_iter, self.tol = max_iter, tol
        self.controls = controls = EMControls(n_components, max_components)
        self.k_slider, self.init_dropdown, self.seed_input = (
            controls.k_slider,
            controls.init_dropdown,
            controls.seed_input,
        )
        self.cov_dropdown, self.reg_slider = controls.cov_dropdown, controls.reg_slider
        self.step_slider, self.status = controls.step_slider, controls.status
        self.n_components = self.k_slider  # the name docs/API.md promises
        # The picture keeps the frames in the page (see FrameView): scrubbing and Play swap them
        # there, without a trip to the kernel per half-step.
        self.image = FrameView(
            "gmmviz-em-explorer-figure",
            f"{figsize[0] * dpi:.0f}px",
            alt="EM explorer: the points coloured by responsibility, the components, ln p(X)",
            interval=check_int(interval, "interval", minimum=1),
        )
        # The slider and the picture are linked in the page (no kernel round trip per key press or
        # Play's step); a change made in the kernel (set_step, a refit, tests) reaches the page too.
        self._frame_link = widgets.jslink((self.step_slider, "value"), (self.image, "index"))
        self.children = [*controls.rows(), self.image, self.message, self.keyboard_scope]
        self.start: hands.Start | None = None
        self._versions = itertools.count(1)  # data versions (0: the data given)

        self.current_fit: Fit | None = None
        self._sent: set[int] = set()  # the frames of the fit shown that the page keeps
        self._frames_ahead = False  # the learner moved the half-step in the page: draw the rest
        self._installing = False  # a new fit is being installed (see _install)
        self._reach = 0  # how far from K to prepare fits (see on_page)
        self._unfittable: set[FitKey] = set()
        try:
            self.X, self.dims = as_data(X, dims)
        except (TypeError, ValueError) as exc:
            self.X, self.dims, problem = None, (0, 1), describe(exc)
        self._figure_args = (figsize, dpi)
        self.data_given, self.data_version = self.X, 0
        self.added = None if self.X is None else np.zeros(self.X.shape[0], dtype=bool)
        self._limits = None if self.X is None else data_limits(self.X[:, self.dims])
        self.renderer = EMRenderer(self.X, self.dims, self.n_std, figsize, dpi, limits=self._limits)
        self._renderer_ahead: EMRenderer | None = None
        capacity = len(controls.k_range()) + EXTRA_FITS
        self.fits = FitCache(self.X, capacity, max_iter=max_iter, tol=tol)
        self.prefetcher = Prefetcher(self.scheduler, self._next_work, self._work_failed, enabled=prefetch)
        if self.X is None:
            self._disable(problem)
            return
        self.hands = hands.HandsControls(can_add=self.X.shape[1] == 2)
        self.children = [*self.children[:-2], *self.hands.rows(), *self.children[-2:]]
        self.image.axes = axes_box(self.renderer)
        self.image.editable = {"move": True, "add": self.X.shape[1] == 2, "remove": True}
        self.hands.reset_start_button.on_click(self._on_reset_start)
        self.hands.reset_data_button.on_click(self._on_reset_data)
        self.hands.code_button.observe(self._on_code_button, names="value")
        problems, notes = controls.set_initial(init, covariance_type, random_state, reg_covar)
        # Observed only now, so the constructor fits exactly once.
        for w in controls.fit_controls:
            w.observe(self._on_control, names="value")
        self.step_slider.observe(self._on_step, names="value")
        self.image.on_msg(self._on_page_message)
        if controls.k_problem or problems:
            self.show_message(controls.k_problem or " ".join(problems))
            return
        self.refit()
        if notes and self.history is not None:  # beside any note from the fit
            self.show_message(" ".join([*notes, self.message_text]).strip(), note=True)

    # --- public API ---------------------------------------------------------------------------
    def refit(self) -> EMHistory | None:
        """Fit EM with the current control values and show its first frame.

        Errors (e.g. K larger than the number of distinct points) are shown in the widget and
        the previous fit stays on screen. A fit made before with the same control values (the
        learner went back to a K, or the explorer prepared it ahead) is shown again, not redone:
        EM is deterministic given the controls, so it is the same fit. Every control change comes
        here; so will a new start or new data asked for from the picture.

        Returns
        -------
        EMHistory or None
            The new history, or None when the fit failed.
        """
        if self.X is None:
            return None
        fit = self._fit_for(self._key())
        if fit is None:
            return None
        self._show_fit(fit)
        return fit.history

    def _key(self) -> FitKey:
        """The fit asked for: the controls' values, the learner's start (if it has K means), the data."""
        key = self.controls.key()
        start = self.start if self.start is not None and len(self.start) == key.n_components else None
        return key._replace(start=start, data=self.data_version)

    def _fit_for(self, key: FitKey) -> Fit | None:
        """The fit for ``key``, kept or made now; None (the error shown) when it fails."""
        fit = self.fits.get(key)
        if fit is None:
            # Seen only when the fit outlasts a blink; text only (a layout change would cost the
            # page a reflow before the picture).
            self.status.value = (
                f'<i style="color:{TEXT};background:{PAPER}">fitting K={key.n_components} …</i>'
            )
            try:
                fit = self.fits.fit(key)
            except Exception as exc:  # shown, not raised: this runs from a slider's callback
                kept = (
                    ""
                    if self.history is None
                    else f" The picture still shows the previous fit (K={self.history.n_components})."
                )
                report(self, exc, prefix=f"Could not fit K={key.n_components}. ", suffix=kept)
                return None
            finally:
                self.status.value = ""
        return fit

    def _show_fit(self, fit: Fit) -> None:
        self.fits.touch(fit.key)  # (the least recently shown fits are forgotten first)
        self.show_message(fit.notes, note=True)
        self._install(fit)
        self.hands.reset_start_button.disabled = fit.key.start is None
        self.hands.reset_data_button.disabled = self.data_version == 0
        self.prefetcher.poke()

    def set_step(self, i: int) -> None:
        """Show frame ``i`` (0 = start, then E and M of each iteration); moves the slider.

        Raises
        ------
        TypeError
            If ``i`` is not an integer.
        ValueError
            If ``i`` is not a frame of the current fit.
        """
        if self.history is None:
            raise ValueError("There is no fit to show yet; fix the problem shown in the widget first.")
        n = self.history.n_frames
        i = check_int(i, "step", minimum=0, maximum=n - 1, hint=f": this fit has {n} half-steps")
        if self.step_slider.value != i:
            self.step_slider.value = int(i)  # the observer draws
        else:
            self._show_frame(int(i))

    def picture(self, i: int) -> bytes:
        """Frame ``i`` of the fit shown as PNG bytes, drawn once and kept (drawn by
        :attr:`renderer_ahead`: the picture shown and its artists do not change)."""
        fit = self.current_fit
        if fit is None:
            raise ValueError("There is no fit to show yet; fix the problem shown in the widget first.")
        i = check_int(i, "step", minimum=0, maximum=fit.n_frames - 1)
        png = fit.pngs.get(i)
        if png is None:
            png = fit.pngs[i] = self.renderer_ahead.png(fit, i)
        return png

    @callback
    def on_page(self, content: Any) -> None:
        """What the page says (the picture's view sends it; tests call this instead).

        ``{"event": "shown"}``: a view is on a page: the fits for K ± 1 are prepared in idle time.
        ``{"event": "learner", "control": name}``: the learner uses a control there: the half-step
        (``"step"``) or Play (``"play"``): the frames of the fit shown are drawn ahead and sent to
        the page; another control: the fits for every K of the slider are prepared, nearest first.
        A notebook run without a page (nbval) never pays for either.
        ``{"event": "move_mean", "component": k, "x": x, "y": y}``, ``{"event": "add_point", "x",
        "y"}``, ``{"event": "remove_point", "x", "y"}``: the learner's hands on the picture (a drag,
        a click, a Shift+click, or the same from the keyboard).
        """
        if not isinstance(content, dict):
            return
        event, control = content.get("event"), content.get("control")
        if event in ("move_mean", "add_point", "remove_point"):
            xy = (content.get("x"), content.get("y"))
            if event == "move_mean":
                self.move_mean(content.get("component"), xy)
            elif event == "add_point":
                self.add_point(xy)
            else:
                self.remove_point(xy)
            self._reach = max(self._reach, 1)
            self.prefetcher.poke()
            return
        if event == "shown":
            self._reach = max(self._reach, 1)
        elif event == "learner" and control in ("step", "play"):
            self._frames_ahead = True
        elif event == "learner":
            self._reach = max(self._reach, len(self.controls.k_range()) - 1)
        self.prefetcher.poke()

    @property
    def history(self) -> EMHistory | None:
        """The fit shown (None until a fit succeeds)."""
        return None if self.current_fit is None else self.current_fit.history

    @property
    def step(self) -> int:
        """The frame shown."""
        return int(self.step_slider.value)

    @property
    def readout(self) -> str:
        """The readout of the half-step shown (HTML; shown under the picture, with it)."""
        return self.image.readout

    @property
    def renderer_ahead(self) -> EMRenderer:
        """The renderer of the pictures not shown now (made when first needed)."""
        if self._renderer_ahead is None:
            figsize, dpi = self._figure_args
            self._renderer_ahead = EMRenderer(
                self.X, self.dims, self.n_std, figsize, dpi, max_backgrounds=4, limits=self._limits
            )
            self._renderer_ahead.set_data(self.X, self.added, self.data_version)
        return self._renderer_ahead

    def __repr__(self) -> str:
        # nbval compares this text: only stable, input-determined facts, no ids or floats.
        if self.X is None:
            return "EMExplorer(no data)"
        return (
            f"EMExplorer(n_points={self.X.shape[0]}, K={self.k_slider.value}, "
            f"covariance_type={self.cov_dropdown.value!r}, init={self.init_dropdown.value!r})"
        )

    # --- callbacks (on the kernel's main loop, see FigureBox) ---------------------------------
    @callback
    def _on_control(self, change: dict) -> None:
        if change.get("owner") in (self.k_slider, self.init_dropdown, self.seed_input):
            self.start = None  # (a start of the controls' asked for: the means placed are let go)
        self.refit()  # (reads the controls now: changes handed over together give one fit)

    @callback
    def _on_reset_start(self, _button: Any) -> None:
        self.reset_start()

    @callback
    def _on_reset_data(self, _button: Any) -> None:
        self.reset_data()

    @callback
    def _on_code_button(self, change: dict) -> None:
        self.hands.show_code(self.code() if self.hands.code_button.value else None)

    @callback
    def _on_step(self, change: dict) -> None:
        if self.current_fit is not None and not self._installing:
            # The slider's value now, not the change's: a change handed over may be outdated.
            self._show_frame(min(self.step, self.current_fit.n_frames - 1))

    def _on_page_message(self, _view: Any, content: Any, _buffers: Any) -> None:
        self.on_page(content)

    # --- the picture shown ----------------------------------------------------------------------
    def _disable(self, text: str) -> None:
        self.controls.disable()
        self.image.show(0, self.renderer.show_no_data())
        self.show_message(text)

    def _install(self, fit: Fit) -> None:
        """Show ``fit``'s frame 0 (the page forgets the old fit's frames)."""
        left = self.current_fit
        if left is not None and left is not fit:  # its first and last pictures are enough to keep
            left.forget_pictures()
        self.current_fit = fit
        self._sent, self._frames_ahead = set(), False
        # Back to frame 0 before shrinking max (a clamp would draw a stale frame of the new fit).
        # The observer stays (a detached one would miss a change arriving from another thread
        # meanwhile) but skips our own change: frame 0 is drawn once, below.
        self._installing = True
        try:
            self.step_slider.value = 0
            self._show_frame(0, new_fit=True)  # the picture first: the slider's new range after it
            self.step_slider.max = fit.n_frames - 1
        finally:
            self._installing = False

    def _show_frame(self, i: int, *, new_fit: bool = False) -> None:
        """Show frame ``i``; ``new_fit``: it is the first of a fit the page has not seen."""
        fit = self.current_fit
        # A frame seen before (or drawn ahead) is sent again as it was: the same artists in the
        # same state give the same pixels, so scrubbing back, Play's later loops and a K prepared
        # in idle time skip the draw and the encode.
        png = fit.pngs.get(i)
        posed = png is None
        if posed:
            png = fit.pngs[i] = self.renderer.draw(self.renderer.pose(fit, i))
        with self.image.hold_sync():  # one message: the page forgets the old fit and shows this
            if new_fit:
                self.image.new_fit(fit.n_frames)
            # The page keeps picture and readout together: shown again, both are swapped there.
            self.image.show(i, png, frame_readout(fit, i), frame_handles(fit, i, self.dims))
        self._sent.add(i)
        if not posed:  # (always, but once the picture is on its way: the artists describe the frame shown)
            self.renderer.pose(fit, i)
        if self.hands.code_button.value:  # (the code follows the picture while it is shown)
            self.hands.show_code(self.code())

    def _static_source(self) -> bytes:
        """The finished fit (the last half-step), whatever half-step the live widget shows.

        The live explorer opens on the start, to be scrubbed forward; a reader without a kernel
        (GitHub, nbviewer, the saved notebook) sees where EM ended.
        """
        if self.current_fit is None:  # bad input: the message is the picture
            return super()._static_source()
        return self.picture(self.current_fit.n_frames - 1)

    # --- idle-time work (see Prefetcher): one piece per turn of the loop --------------------------
    def _next_work(self) -> Callable[[], None] | None:
        """The most useful piece of work now: the next frame of the fit shown the page lacks,
        then the fits of the other K (fit one turn, draw its first frame the next), or None."""
        fit = self.current_fit
        if fit is None:
            return None
        if self._frames_ahead:
            n, at = fit.n_frames, self.step
            todo = next((j % n for j in range(at + 1, at + n + 1) if j % n not in self._sent), None)
            if todo is not None:
                return functools.partial(self._send_ahead, fit, todo)
        key = self._next_to_prepare(fit.key)
        if key is None:
            return None
        kept = self.fits.get(key)
        return (
            functools.partial(self._fit_ahead, key)
            if kept is None
            else functools.partial(self._draw_first, kept)
        )

    def _next_to_prepare(self, shown: FitKey) -> FitKey | None:
        """The next fit to prepare: K + 1, K - 1, K + 2, K - 2 ... up to the reach from K (the
        other controls as the fit shown has them)."""
        k, ks = shown.n_components, self.controls.k_range()
        for other in (k + sign * step for step in range(1, self._reach + 1) for sign in (1, -1)):
            key = shown._replace(n_components=other, start=None)  # (a start placed has K means)
            if other in ks and key not in self._unfittable and not self.fits.ready(key):
                return key
        return None

    def _send_ahead(self, fit: Fit, i: int) -> None:
        # (the page shows it when its slider gets there)
        self.image.send_frame(i, self.picture(i), frame_readout(fit, i), frame_handles(fit, i, self.dims))
        self._sent.add(i)

    def _fit_ahead(self, key: FitKey) -> None:
        if key.data != self.data_version:  # (asked for before the data changed)
            return
        try:
            self.fits.fit(key)
        except EXPECTED_ERRORS:  # e.g. K too large: the learner gets the message if they go there
            self._unfittable.add(key)
        except Exception:
            self._unfittable.add(key)  # (tried once: a bug is reported once, not every turn)
            raise

    def _draw_first(self, fit: Fit) -> None:
        if fit.key.data != self.data_version:  # (a fit of the data before)
            return
        fit.pngs[0] = self.renderer_ahead.png(fit, 0)
        if fit.key in self.fits:
            self.fits.touch(fit.key)

    def _work_failed(self, exc: BaseException) -> None:
        report(self, exc)

    # --- the artists of the picture shown (the renderer's) ------------------------------------
    figure = _shown_part("figure")
    ax_points = _shown_part("ax_points")
    ax_ll = _shown_part("ax_ll")
    points = _shown_part("points")
    ll_curve = _shown_part("ll_curve")
    ll_done = _shown_part("ll_done")
    ll_marker = _shown_part("ll_marker")
    ll_note = _shown_part("ll_note")
    headline_label = _shown_part("headline_label")
    headline = _shown_part("headline")
    headline_when = _shown_part("headline_when")

    @property
    def ellipses(self) -> list:
        parts = self.renderer.components
        return [] if parts is None else parts.ellipses

    @property
    def means(self) -> Any:
        parts = self.renderer.components
        return None if parts is None else parts.means

    @property
    def shift(self) -> Any:
        parts = self.renderer.components
        return None if parts is None else parts.shift

    @property
    def palette(self) -> Any:
        parts = self.renderer.components
        return None if parts is None else parts.palette
