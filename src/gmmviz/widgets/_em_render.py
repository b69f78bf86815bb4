"""The EM explorer's renderer: (fit, half-step) -> PNG, on a figure of its own.

An explorer has two: one draws what is shown (its artists always describe the frame on show, which
tests and notebooks read), the other draws ahead (other fits' first frames, the frames not yet
shown, the static picture), so drawing ahead never moves an artist of the picture shown. Both are
built the same way and give the same pixels for the same frame.

Scrubbing never re-plots: the static parts (axes, ticks, the ln p(X) curve) are a background drawn
once per fit; a frame restores it and draws only the artists that move (points, ellipses, the
current-iteration marker), updated in place with the ``gmmviz.plot.update_*`` helpers. The points'
layer is cached per set of responsibilities (an E-frame and the next M-frame share them); text is
pasted from bitmaps of its pixels. Between fits only the ln p(X) panel differs, so a new fit's
background is that panel drawn over a kept picture of the rest; each K's ellipses and means are
made once and reused.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, NamedTuple

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .. import plot as gplot
from .._history import EMHistory, frame_text
from ..palette import (
    BADGE_TEXT,
    CURRENT_COLOR,
    E_STEP_BADGE,
    M_STEP_BADGE,
    START_BADGE,
    TEXT,
    component_colors,
)
from ..params import GMMParams
from ._blit import Blitter
from ._box import READOUT_STYLE, data_limits
from ._fit_cache import Fit

# An octagon: at 3-4 px it looks exactly like a circle and Agg draws 5000 of them ~30% faster
# (benchmarks/bench_frames.py), which is most of a frame whose colours change.
DOT = (8, 0, 0)

# Badge colours of the half-step kinds (figure headline and readout); none is a component colour.
KIND_COLOR = {"init": START_BADGE, "E": E_STEP_BADGE, "M": M_STEP_BADGE}


class Components(NamedTuple):
    """The artists of K components (made once per K: a K change does not make them again)."""

    palette: Any
    ellipses: list
    means: Any
    shift: Any

    def artists(self) -> list:
        return [*self.ellipses, self.means.markers, *self.means.numbers, *self.shift.rings, self.shift.trails]


class Posed(NamedTuple):
    """What a frame posed on the artists needs to be drawn (the text keys its cached bitmaps)."""

    frame: Any
    note: str
    when: str
    label: str
    what: str


class EMRenderer:
    """Draws the frames of EM fits of ``X`` on a figure of its own.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The data (checked by the explorer).
    dims : pair of int
        The features shown.
    n_std : tuple of float
        Ellipse radii in standard deviations.
    figsize, dpi
        Size of the figure.
    max_backgrounds : int
        Fits whose background (a picture of the figure, about 1 MB) is kept.
    limits : pair of (low, high), optional
        The points panel's x and y limits (default: around ``X``). Fixed: the picture does not
        move when the learner adds or removes points.

    Attributes
    ----------
    figure, ax_points, ax_ll, points, ll_curve, ll_done, ll_marker, ll_note, headline_label,
    headline, headline_when
        The figure and its artists (those of the explorer's docstring).
    added : PathCollection or None
        Rings around the points the learner added (see :meth:`set_data`).
    fit : Fit or None
        The fit the artists describe; ``index`` its frame.
    """

    def __init__(
        self,
        X: np.ndarray,
        dims: tuple[int, int],
        n_std: tuple[float, ...],
        figsize: tuple[float, float],
        dpi: float,
        max_backgrounds: int = 16,
        limits: tuple[tuple[float, float], tuple[float, float]] | None = None,
    ) -> None:
        self.X, self.dims, self.n_std = X, dims, n_std
        self.limits = limits if limits is not None or X is None else data_limits(X[:, dims])
        self.data = 0  # the version of X drawn (see set_data)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self.blitter = Blitter(self.figure)
        self.ax_points = self.figure.add_axes((0.08, 0.14, 0.42, 0.72))
        self.blitter.layer_region = self.ax_points  # the points' layers: only their Axes
        self.ax_ll = self.figure.add_axes((0.64, 0.14, 0.34, 0.66))
        self._make_ll_panel()
        self._make_headline()
        self.points = self._make_points() if X is not None else None
        self.by_k: dict[int, Components] = {}
        self.components: Components | None = None
        self.fit: Fit | None = None
        self.index: int | None = None
        self._backgrounds: OrderedDict[int, Any] = OrderedDict()  # fit serial -> background
        self._max_backgrounds = max_backgrounds
        Blitter.track(
            self.ll_done, self.ll_marker, self.ll_note, self.headline_label, self.headline, self.headline_when
        )

    # --- the figure's parts, made once --------------------------------------------------------
    def _make_ll_panel(self) -> None:
        ax = self.ax_ll
        # The whole run faintly (fixed axes, and the learner sees where the fit is going), the
        # part up to the frame shown dark on top of it.
        (self.ll_curve,) = ax.plot([], [], "-o", color="0.8", markersize=3, linewidth=1.2)
        (self.ll_done,) = ax.plot([], [], "-o", color="0.15", markersize=3.5, linewidth=1.6)
        (self.ll_marker,) = ax.plot(
            [],
            [],
            "o",
            color=CURRENT_COLOR,
            markersize=9,
            markerfacecolor="none",
            markeredgewidth=2,
            zorder=5,
        )
        self.ll_note = ax.text(
            0.97,
            0.05,
            "",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=8.5,
            color="0.2",
            zorder=6,
            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5},
        )
        ax.set_xlabel("iteration")
        ax.set_ylabel("ln p(X)")
        # Each new fit redraws this panel, and its text is most of the cost: at most 6 ticks a
        # side, and the axis labels at fixed places (placed by measuring every tick label
        # otherwise).
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_label_coords(0.5, -0.11)
        ax.yaxis.set_label_coords(-0.27, 0.5)

    def _make_headline(self) -> None:
        # The figure says which half-step it shows and what changed, not only the readout.
        self.headline_label = self.figure.text(
            0.012,
            0.945,
            "",
            ha="left",
            va="center",
            fontsize=10,
            fontweight="bold",
            color="white",
            bbox={"boxstyle": "round,pad=0.3", "fc": KIND_COLOR["init"], "ec": "none"},
        )
        self.headline = self.figure.text(0.1, 0.945, "", ha="left", va="center", fontsize=10, color="0.1")
        self.headline_when = self.figure.text(
            0.985, 0.945, "", ha="right", va="center", fontsize=10, fontweight="bold", color="0.1"
        )

    def _make_points(self) -> Any:
        ax = self.ax_points
        points = gplot.plot_points(ax, self.X, None, dims=self.dims, size=9, marker=DOT)
        xlim, ylim = self.limits
        # Fixed limits: ellipses of early frames may be huge, and the cached background must
        # stay valid while scrubbing (and while the learner adds points).
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_autoscale_on(False)  # (plot_points labelled the axes $x_i$, 1-based, as every picture)
        # The learner's own points wear a dark ring, larger than a dot (drawn with the points:
        # the points' layer, not the background, so new data need no full redraw).
        self.added = ax.scatter(
            np.empty((0,)), np.empty((0,)), s=60, facecolors="none", edgecolors=TEXT, linewidths=1.3, zorder=3
        )
        Blitter.track(points, self.added)
        return points

    def set_data(self, X: np.ndarray, added: np.ndarray, version: int) -> None:
        """Draw ``X`` from now on (version ``version`` of the data), ringing the rows where
        ``added`` is True (the learner's points). The background stays: the points are a layer."""
        self.X, self.data = X, int(version)
        gplot.update_points(self.points, None, X=X, dims=self.dims)
        self.added.set_offsets(X[np.asarray(added, dtype=bool)][:, self.dims].reshape(-1, 2))
        self.fit, self.index = None, None

    def show_no_data(self) -> bytes:
        """The picture of an explorer without data: empty axes and a word on it."""
        self.ax_points.text(
            0.5,
            0.5,
            "no data to show",
            ha="center",
            va="center",
            transform=self.ax_points.transAxes,
            color="0.5",
        )
        self.blitter.draw_background()
        return self.blitter.png()

    # --- a fit, a frame -----------------------------------------------------------------------
    def _components(self, k: int, p0: GMMParams) -> Components:
        """The ellipses, means and shift of a K-component fit (made once per K, then reused: every
        frame moves them all, so ``p0``, the parameters they are made at, does not matter after)."""
        parts = self.by_k.get(k)
        if parts is None:
            palette = component_colors(k)
            ax, dims, n_std = self.ax_points, self.dims, self.n_std
            parts = self.by_k[k] = Components(
                palette,
                gplot.plot_ellipses(ax, p0, dims=dims, n_std=n_std, palette=palette),
                gplot.plot_means(ax, p0, dims=dims, palette=palette),
                gplot.plot_shift(ax, p0, dims=dims, n_std=n_std[:1], palette=palette),
            )
            Blitter.track(*parts.artists())
        return parts

    def use(self, fit: Fit) -> None:
        """Make ``fit`` the one the artists describe: its K's components, its ln p(X) panel."""
        if fit is self.fit:
            return
        history, k = fit.history, fit.history.n_components
        self.components = self._components(k, history.params[0])
        for other_k, other in self.by_k.items():
            for a in other.artists():
                a.set_visible(other_k == k)
        self._set_ll_panel(fit)
        background = self._backgrounds.get(fit.serial)
        if background is None:
            # Only the ln p(X) panel differs between fits: the rest of the picture is drawn once.
            background = self._backgrounds[fit.serial] = self.blitter.redraw_background(self.ax_ll)
            while len(self._backgrounds) > self._max_backgrounds:
                self._backgrounds.popitem(last=False)
        self._backgrounds.move_to_end(fit.serial)
        self.blitter.use_background(background)
        self.fit, self.index = fit, None

    def _set_ll_panel(self, fit: Fit) -> None:
        history, ax = fit.history, self.ax_ll
        ll = history.log_likelihoods
        gplot.update_log_likelihood(self.ll_marker, ll, None, curve=self.ll_curve)
        self.ll_done.set_data([], [])  # (the last fit's: not this fit's limits)
        if fit.ll_view is None:
            ax.relim()
            ax.autoscale_view()
            if ll.size == 1:
                ax.set_xlim(-0.5, 0.5)
            title = f"K={history.n_components}, {history.n_iter} iterations" + (
                ", converged" if history.converged else ""
            )
            fit.ll_view = (ax.get_xlim(), ax.get_ylim(), title)
        xlim, ylim, title = fit.ll_view
        ax.set_xlim(*xlim, auto=None)  # (auto=None: the next fit's limits still autoscale)
        ax.set_ylim(*ylim, auto=None)
        # y=1: where matplotlib puts it anyway (nothing above the panel), without measuring every
        # tick label to find that out (a third of the panel's drawing time).
        ax.set_title(title, fontsize="medium", y=1.0)

    def pose(self, fit: Fit, i: int) -> Posed:
        """Move the artists to frame ``i`` of ``fit`` (no drawing)."""
        self.use(fit)
        history, parts, dims = fit.history, self.components, self.dims
        frame = history.frame(i)
        gplot.update_points(self.points, frame.resp, palette=parts.palette)
        gplot.update_ellipses(parts.ellipses, frame.params, dims=dims, n_std=self.n_std)
        gplot.update_means(parts.means, frame.params, dims=dims)
        # An M-frame also shows where its ellipses came from (the E-frame's parameters).
        gplot.update_shift(parts.shift, frame.previous_params, frame.params, dims=dims, n_std=self.n_std[:1])
        ll = history.log_likelihoods
        t = frame.params_index
        gplot.update_log_likelihood(self.ll_marker, ll, t)
        self.ll_done.set_data(np.arange(t + 1), ll[: t + 1])
        note = ll_note(frame, ll)
        self.ll_note.set_text(note)
        text = frame_text(frame, history.n_iter, mathtext=True)
        self.headline_label.set_text(text.label)
        self.headline_label.get_bbox_patch().set_facecolor(KIND_COLOR[frame.kind])
        self.headline.set_text(text.what)
        self.headline_when.set_text(text.when)
        self.index = i
        return Posed(frame, note, text.when, text.label, text.what)

    def draw(self, posed: Posed) -> bytes:
        """Draw the posed artists and encode the picture (PNG bytes)."""
        frame, serial, parts = posed.frame, self.fit.serial, self.components
        # E-frame t and M-frame t colour points by the same responsibilities: reuse that layer
        # (and the grey points of every start). A layer holds only the points' Axes.
        layer = ("init", self.data) if frame.resp is None else ("resp", serial, frame.iteration)
        # Text is pasted from bitmaps of its pixels (Agg text is slow), keyed by what they show:
        # the headline lies outside both Axes, the same in every fit; the note lies on the fit's
        # ln p(X) panel. The curve and the marker go on top.
        self.blitter.draw(
            layer,
            [self.points, self.added],
            [
                *parts.shift.rings,
                *parts.ellipses,
                parts.shift.trails,
                parts.means.markers,
                *parts.means.numbers,
                self.ll_done,
                self.ll_marker,
            ],
            stamps=[
                (("headline", posed.label, posed.what), [self.headline_label, self.headline]),
                (("when", posed.when), [self.headline_when]),
                (("note", serial, posed.note), [self.ll_note]),
            ],
        )
        return self.blitter.png()

    def png(self, fit: Fit, i: int) -> bytes:
        """Frame ``i`` of ``fit`` as PNG bytes (the artists are left on it)."""
        return self.draw(self.pose(fit, i))


def ll_note(frame: Any, ll: np.ndarray) -> str:
    """What this half-step did to ln p(X), for the corner of the ln p(X) panel."""
    if frame.kind == "init":
        return f"start: ln p(X) = {ll[0]:.2f}"
    if frame.kind == "E":
        return "E-step: μ, Σ, π not changed yet,\nso ln p(X) stays where it was"
    t = frame.iteration
    return f"M-step {t}: ln p(X) {ll[t] - ll[t - 1]:+.2f}"


def readout_html(history: EMHistory, frame: Any) -> str:
    """The readout of ``frame``: its kind, iteration, half-step, ln p(X) and the π_k (HTML)."""
    # The square carries the component's colour; the text stays dark (readable whatever the
    # colour), and the number names the component.
    palette = component_colors(history.n_components)
    pis = " ".join(
        f'<span style="white-space:nowrap"><span aria-hidden="true" class="gmmviz-swatch" '
        f'style="color:{to_hex(c)}">■</span> π<sub>{j + 1}</sub> = {w:.3f}</span>'
        for j, (w, c) in enumerate(zip(frame.params.weights, palette))
    )
    badge = (
        f'<span style="background:{KIND_COLOR[frame.kind]};color:{BADGE_TEXT};font-weight:bold;'
        f'padding:0 6px;border-radius:3px">{frame_text(frame).label}</span>'
    )
    # A run from the means the learner placed says so on every half-step.
    start = " · <b>start: your means</b>" if history.init == "placed" else ""
    return (
        f'<div style="{READOUT_STYLE}">{badge} <b>iteration {frame.iteration}</b> of '
        f"{history.n_iter} · half-step {frame.index} of {history.n_frames - 1} · "
        f"ln p(X) = {frame.log_likelihood:.3f}{start}<br>{pis}</div>"
    )


def frame_readout(fit: Fit, i: int) -> str:
    """:func:`readout_html` of frame ``i`` of ``fit``."""
    return readout_html(fit.history, fit.history.frame(i))


def frame_handles(fit: Fit, i: int, dims: tuple[int, int]) -> list[list[Any]]:
    """The means of frame ``i`` of ``fit`` as the page's handles: [number, x, y, colour]."""
    means = fit.history.frame(i).params.means
    palette = component_colors(means.shape[0])
    return [
        [k + 1, float(m[dims[0]]), float(m[dims[1]]), to_hex(c)]
        for k, (m, c) in enumerate(zip(means, palette))
    ]


def axes_box(renderer: EMRenderer) -> dict[str, Any]:
    """Where the points' panel lies in the picture (fractions from its top left) and its limits."""
    box = renderer.ax_points.get_position()
    (x0, x1), (y0, y1) = renderer.limits
    return {
        "left": box.x0,
        "top": 1.0 - box.y1,
        "width": box.width,
        "height": box.height,
        "xlim": [x0, x1],
        "ylim": [y0, y1],
    }
