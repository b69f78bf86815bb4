"""Interactive explorers for the notebooks (ipywidgets 8, JupyterLab 4).

Display path
------------
Figures are drawn with matplotlib's Agg renderer into an ``ipywidgets.Image`` (PNG bytes), not
through ipympl. ``benchmarks/bench_frames.py`` measures both; the Image path costs about the same
per frame (both are an Agg draw plus a PNG encode in the kernel), needs no front-end extension
beyond the widget manager, shows the last picture in saved notebooks, and behaves the same under
nbval, in tests and in the browser.

Scrubbing through frames never re-plots: the static parts of the figure (axes, ticks, the
ln p(X) curve) are drawn once per fit and kept as a background; each frame restores it and draws
only the artists that move (points, ellipses, the current-iteration marker), updated in place
with the ``gmmviz.plot.update_*`` helpers. The points' layer is cached per set of
responsibilities, since an E-frame and the following M-frame share them. A frame once drawn is
kept as PNG bytes for the fit: shown again, it is not redrawn; and after the learner's first
half-step change in the page, the frames not yet drawn are drawn ahead, one per turn of the
kernel's event loop. The EM explorer's picture is a small anywidget (``_FrameView``) that keeps
every frame it was sent in the page, with its readout, and swaps them there: its half-step slider is
linked to it in the page (``jslink``), so a cached frame appears on the key press, without a trip to the
kernel (``benchmarks/bench_browser.py``: key press to the new ``src`` about 2 ms, to the decoded
picture about 20 ms, on notebook 04 on a 2-core machine; was 66 ms). Its Play, in the page too, waits
for each frame, so it shows every half-step.

A K change is a new fit and its first frame. Between fits only the ln p(X) panel differs, so a new
fit draws that panel over a kept picture of the rest (not the whole figure), each K's ellipses and
means are made once and reused, and the grey points of a start are one layer for every fit. The
explorer keeps its last few fits with their pictures (EM is deterministic given the controls: going
back to a K shows the same fit again), and in the kernel's idle time it makes the fits for other
values of K and draws their first frame (once on a page K + 1 and K - 1; once the learner moves one
of its controls, every K of the slider, nearest first), so a K press usually only shows them
(34-56 ms from key press to picture, against 88-132 ms for a fit nothing prepared).

Every callback reports errors as a message inside the widget (``.message``) instead of a
traceback, and each explorer exposes plain methods (``set_step``, ``refit``, ``set_params``,
``set_sigma``) so tests drive it without a browser.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox
from PIL import Image as PILImage

from . import plot as gplot
from ._covariance import add_reg_covar
from ._history import EMHistory, frame_text
from ._validation import (
    as_seed,
    check_array,
    check_dims,
    check_int,
    check_n_std,
    check_number,
    check_random_state,
    check_reg_covar,
)
from .em import COVARIANCE_TYPES, INIT_METHODS, add_component, e_step, log_likelihood
from .fit import fit_em
from .palette import (
    BADGE_TEXT,
    CURRENT_COLOR,
    E_STEP_BADGE,
    ERROR_BACKGROUND,
    ERROR_BORDER,
    ERROR_TEXT,
    M_STEP_BADGE,
    NOTE_BACKGROUND,
    NOTE_BORDER,
    NOTE_TEXT,
    PAPER,
    RULE,
    START_BADGE,
    TEXT,
    component_colors,
)
from .params import GMMParams, check_params

__all__ = [
    "BellCurveExplorer",
    "EMExplorer",
    "GaussianExplorer",
    "SingularityExplorer",
    "KeyboardScope",
    "SEED_MAX",
    "render_png",
]


# --------------------------------------------------------------------------------------------
# Agg figure -> PNG bytes
# --------------------------------------------------------------------------------------------
def render_png(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of what ``canvas`` has drawn so far (no re-draw).

    RGB and zlib level 1: a figure has no transparency to keep, and level 1 encodes several times
    faster than the default for a file only slightly larger, which matters once per frame.
    """
    width, height = canvas.get_width_height(physical=True)
    # frombuffer: no copy of the Agg buffer; convert drops alpha in C (a numpy slice would copy twice).
    image = PILImage.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    with io.BytesIO() as buf:
        image.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()


class _Blitter:
    """Draw a figure's static parts once, then only its animated artists per frame.

    Artists registered with :meth:`track` are marked animated, so a full draw leaves them out of
    the background. ``layers`` lets a caller cache the picture after drawing some artists
    (e.g. 5000 points) and reuse it while only the others (ellipses) change; with
    ``layer_region`` (an Axes whose artists are clipped to it) a layer keeps only that region,
    so it stays valid while the rest of the figure's background changes.

    When one Axes' static content changes (a new ln p(X) curve) and the rest does not,
    :meth:`redraw_background` draws only that Axes over a cached picture of the rest
    (:meth:`draw_background` would redraw every axis, tick and label).
    """

    def __init__(self, figure: Figure, max_cached_layers: int = 4, layer_region: Any = None) -> None:
        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self._background = None
        self._base: Any = None  # the figure without the Axes redraw_background redraws
        self._layers: OrderedDict[Any, Any] = OrderedDict()
        self._max_layers = max_cached_layers
        self.layer_region = layer_region
        self._stamps: dict[Any, Any] = {}

    @staticmethod
    def track(*artists: Any) -> None:
        for a in artists:
            a.set_animated(True)

    def draw_background(self) -> None:
        """Full draw without animated artists; call after limits, ticks or static data change."""
        self.canvas.draw()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._base = None
        self._layers.clear()
        self._stamps.clear()

    def redraw_background(self, ax: Any) -> Any:
        """New background after only ``ax`` changed: ``ax`` drawn over the rest, kept from before.

        The pixels are those of :meth:`draw_background` (a figure draws its Axes one after the
        other, and ``ax`` is drawn last here: it must not overlap another Axes). Layers and
        stamps are kept: the caller keys those that lie on ``ax`` by what it shows. Returns the
        background, for :meth:`use_background`.
        """
        if self._base is None:
            ax.set_visible(False)
            try:
                self.canvas.draw()
            finally:
                ax.set_visible(True)
            self._base = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._base)
        self.figure.draw_artist(ax)  # leaves out its animated artists, as a full draw does
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        return self._background

    def use_background(self, background: Any) -> None:
        """Draw frames on ``background`` (one :meth:`redraw_background` returned) from now on."""
        self._background = background

    def _layer_box(self) -> Any:
        if self.layer_region is None:
            return self.figure.bbox
        # Two pixels more than the Axes: Agg rounds the clip box outwards; the margin is background.
        return Bbox.intersection(Bbox(self.layer_region.bbox.get_points()).padded(2), self.figure.bbox)

    def draw(
        self,
        layer_key: Any,
        layer_artists: Sequence[Any],
        top_artists: Sequence[Any],
        stamps: Sequence[tuple[Any, Sequence[Any]]] = (),
    ) -> None:
        """Restore the background (and the cached ``layer_key`` layer), paste the ``stamps``
        (``(key, artists)`` pairs, see :meth:`stamp`), then draw ``top_artists`` on top."""
        if self._background is None:
            self.draw_background()
        self.canvas.restore_region(self._background)
        cached = self._layers.get(layer_key) if layer_key is not None else None
        if cached is not None:
            self.canvas.restore_region(cached)
            self._layers.move_to_end(layer_key)
        else:
            for a in layer_artists:
                self.figure.draw_artist(a)
            if layer_key is not None:
                self._layers[layer_key] = self.canvas.copy_from_bbox(self._layer_box())
                while len(self._layers) > self._max_layers:
                    self._layers.popitem(last=False)
        for key, artists in stamps:
            self.stamp(key, artists)
        for a in top_artists:
            self.figure.draw_artist(a)

    def stamp(self, key: Any, artists: Sequence[Any]) -> None:
        """Draw ``artists`` (text, typically) from a cached bitmap of their pixels under ``key``.

        Agg renders text glyph by glyph, about 0.08 ms per character: a sentence per frame
        would cost more than the points. Text that looks the same on many frames (a headline
        per half-step kind) is drawn once per fit and pasted afterwards. Call this right after
        :meth:`draw` restored the background, before drawing anything else that may overlap
        the artists' area, so that a stamp holds only background and the artists.
        """
        cached = self._stamps.get(key)
        if cached is not None:
            self.canvas.restore_region(cached)
            return
        renderer = self.canvas.get_renderer()
        boxes = []
        for a in artists:
            self.figure.draw_artist(a)
            boxes.append(a.get_window_extent(renderer))
            patch = a.get_bbox_patch() if hasattr(a, "get_bbox_patch") else None
            if patch is not None:
                boxes.append(patch.get_window_extent(renderer))
        box = Bbox.intersection(Bbox.union(boxes).padded(3), self.figure.bbox)
        if box is None:
            return
        if len(self._stamps) >= 512:
            self._stamps.clear()
        self._stamps[key] = self.canvas.copy_from_bbox(box)

    def png(self) -> bytes:
        return render_png(self.canvas)


# --------------------------------------------------------------------------------------------
# Keys for the controls, not for the notebook
# --------------------------------------------------------------------------------------------
class KeyboardScope(anywidget.AnyWidget):
    """An invisible widget that gives the keys pressed inside a box to the box's controls.

    In JupyterLab's command mode, arrow keys, Enter and Space are notebook shortcuts (move to
    the next cell, edit the cell...), and JupyterLab takes them before a focused dropdown,
    slider handle or button sees them: from the keyboard alone, ArrowDown on the covariance
    choice would leave the explorer instead of choosing ``tied``. Put one ``KeyboardScope`` in
    a box: in the page, each control of the box that takes the focus is marked with
    ``data-lm-suppress-shortcuts`` (Lumino's own switch), so keys typed there go to it. Tab and
    Shift+Tab still move the focus out; notebook shortcuts work again once the focus is outside.

    It also gives each focusable control an ``aria-label`` naming it (its label and tooltip;
    Play's buttons "play", "pause", "stop", "repeat"): ipywidgets 8.1 shows a slider's label
    beside it but does not tie it to the handle, and Play's buttons are bare icons.

    Parameters
    ----------
    scope : str
        A CSS class of the box (the scope's nearest ancestor with that class is marked).
    """

    _esm = """
    // Names for screen readers: ipywidgets 8.1 shows a control's label beside it but does not
    // tie it to the focusable element (a slider's handle, Play's buttons); the tooltip (title)
    // sits on the widget's outer element. Copy the name onto each focusable element.
    const PLAY_ICONS = [["fa-play", "play"], ["fa-pause", "pause"], ["fa-stop", "stop"],
                        ["fa-retweet", "repeat"], ["fa-repeat", "repeat"]];
    const FOCUSABLE = "select, input, button, textarea, .noUi-handle, .widget-readout";
    function nameOf(target) {
      const widget = target.closest(
        ".jupyter-widgets[title], .widget-inline-hbox, .widget-play, .widget-button");
      let name = "";
      if (widget) {
        const label = widget.querySelector(":scope > .widget-label");
        // ipywidgets puts the tooltip on the widget's element or on its label.
        const title = widget.getAttribute("title") || (label && label.getAttribute("title")) || "";
        name = (label && label.textContent.trim()) || "";
        if (title && name && !title.startsWith(name)) name = name + ": " + title;
        else if (title) name = title;
      }
      if (target.tagName === "BUTTON") {
        const own = target.textContent.trim() || target.getAttribute("title") || "";
        const icon = target.querySelector("i");
        // (Only on ipywidgets' Play: another button's icon, e.g. Fit EM's ▶, is decoration.)
        const glyph = icon && target.closest(".widget-play")
          && PLAY_ICONS.find(([c]) => icon.classList.contains(c));
        if (glyph) name = glyph[1] + (name ? " (" + name + ")" : "");
        else if (own) name = own;
      }
      if (target.classList.contains("widget-readout")) name = "value of " + (name || "the slider");
      return name;
    }
    function label(box) {
      for (const target of box.querySelectorAll(FOCUSABLE)) {
        if (target.hasAttribute("aria-label")) continue;
        const name = nameOf(target);
        if (name) target.setAttribute("aria-label", name);
      }
    }
    export default {
      render({ model, el }) {
        el.style.display = "none";
        let tries = 0;
        const mark = () => {
          const box = el.closest("." + model.get("scope"));
          if (box) {
            // Lumino skips shortcuts for a focused element that carries the attribute itself
            // (a binding's selector matches the focused element before its ancestors).
            box.addEventListener("focusin", (event) => {
              event.target.setAttribute("data-lm-suppress-shortcuts", "true");
              label(box);
            });
            label(box);
            new MutationObserver(() => label(box)).observe(box, {childList: true, subtree: true});
          } else if (tries++ < 100) { requestAnimationFrame(mark); }
        };
        mark();
      }
    };
    """
    scope = traitlets.Unicode("").tag(sync=True)

    def __init__(self, scope: str) -> None:
        super().__init__(scope=scope)
        self.layout.display = "none"

    def __repr__(self) -> str:
        return f"KeyboardScope({self.scope!r})"


# --------------------------------------------------------------------------------------------
# The explorer's picture: frames swapped in the page
# --------------------------------------------------------------------------------------------
class _FrameView(anywidget.AnyWidget):
    """The EM explorer's picture and its player: Play, a speed, the picture, the readout.

    The kernel draws each frame as PNG bytes with its readout (HTML: iteration, half-step, ln p(X),
    the π_k). Every frame the kernel sends (the ``value`` it shows, and the frames it draws ahead,
    sent as binary custom messages) is kept in the page, per fit, picture and readout together:
    what the page shows of a frame, it shows whole, so the text always agrees with the picture. The
    half-step slider is linked to ``index`` in the page (``jslink``), so a frame already in the
    page is shown on the key press itself, with no trip to the kernel and back. A ``value`` that
    arrives for a half-step the learner has already left (``value_index != index``) is kept but
    not shown: a late reply never covers a newer picture.

    Play lives here, in the page, because only here is it known which frames have arrived: it
    moves to the next half-step ``interval`` ms after the picture of the current one is shown, and
    waits for a frame that the kernel is still drawing. So it shows every half-step, in order, at
    the speed the learner picks, however slow the kernel.

    Traits: ``value`` (the PNG shown, as on an Image), ``value_index`` (its half-step),
    ``readout`` (its readout, HTML), ``index`` (the half-step the slider wants), ``n_frames``,
    ``fit`` (a new number per fit: the page forgets the old frames), ``playing``, ``interval``
    (ms between two half-steps while playing), ``speeds`` (the choices offered: label, ms),
    ``cache`` (False: show the kernel's pictures only, as an Image does; for benchmarks).
    """

    _esm = """
    // One store per model (all views of the explorer share it): half-step -> {url, readout}.
    const stores = new WeakMap();
    function storeOf(model) {
      let s = stores.get(model);
      if (!s) {
        s = {fit: model.get("fit"), frames: new Map(), views: new Set(), timer: null};
        stores.set(model, s);
      }
      if (s.fit !== model.get("fit")) {  // a new fit: its frames, not the old ones
        for (const f of s.frames.values()) URL.revokeObjectURL(f.url);
        s.frames.clear();
        s.fit = model.get("fit");
      }
      return s;
    }
    function urlOf(bytes) {
      const view = bytes instanceof DataView ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
      return URL.createObjectURL(new Blob([view], {type: "image/png"}));
    }
    function keep(model, i, bytes, readout) {
      const s = storeOf(model);
      if (!bytes || !bytes.byteLength) return null;
      if (!s.frames.has(i)) s.frames.set(i, {url: urlOf(bytes), readout: readout || ""});
      return s.frames.get(i);
    }
    // Play: the next half-step `interval` ms after the current one is on show, never before.
    function stopTimer(s) { if (s.timer) { clearTimeout(s.timer); s.timer = null; } }
    function setPlaying(model, on) {
      if (model.get("playing") === on) return;
      model.set("playing", on);
      model.save_changes();
    }
    function goTo(model, i) {
      if (model.get("index") === i) return;
      model.set("index", i);  // the linked slider follows in the page; the kernel hears of it
      model.save_changes();
    }
    function tick(model) {
      const s = storeOf(model);
      s.timer = null;
      if (!model.get("playing")) return;
      const i = model.get("index"), last = model.get("n_frames") - 1;
      if (i >= last) { setPlaying(model, false); return; }
      goTo(model, i + 1);  // shown now if the page has it, else when the kernel's picture arrives
    }
    function shownAt(model, i) {  // a view shows frame i: if playing, the next one is due later
      const s = storeOf(model);
      if (model.get("playing") && i === model.get("index") && !s.timer) {
        s.timer = setTimeout(() => tick(model), model.get("interval"));
      }
    }
    export default {
      render({ model, el }) {
        // The player's row: a play/pause button and the speed.
        const row = document.createElement("div");
        row.className = "gmmviz-player";
        row.style.cssText = "display:flex;align-items:center;gap:8px;margin:2px 0 4px 0";
        const button = document.createElement("button");
        button.className = "gmmviz-play jupyter-button";
        button.style.minWidth = "84px";
        const speed = document.createElement("select");
        speed.className = "gmmviz-speed";
        speed.setAttribute("aria-label", "speed: half-steps a second while playing");
        speed.title = "speed: half-steps a second while playing";
        const speedLabel = document.createElement("label");  // (the label holds its menu)
        speedLabel.style.cssText = "display:flex;align-items:center;gap:6px";
        speedLabel.append("speed", speed);
        row.append(button, speedLabel);
        const img = document.createElement("img");
        img.className = model.get("css");
        img.alt = model.get("alt");
        img.style.width = model.get("width");
        img.style.maxWidth = "100%";
        img.style.height = "auto";
        img.style.display = "block";
        const readout = document.createElement("div");
        readout.className = "gmmviz-readout";
        readout.setAttribute("aria-live", "off");
        el.append(row, img, readout);

        const drawButton = () => {
          const on = model.get("playing");
          // Font Awesome's icons, as ipywidgets' own buttons use (bundled with its JupyterLab
          // extension, so offline; a pause glyph of plain text is missing from many fonts).
          const icon = document.createElement("i");
          icon.className = "fa " + (on ? "fa-pause" : "fa-play");
          icon.setAttribute("aria-hidden", "true");
          button.replaceChildren(icon, document.createTextNode(on ? " pause" : " play"));
          button.setAttribute("aria-label", on ? "pause" : "play: show the half-steps one after another");
          button.title = on ? "pause" : "play: show the half-steps one after another";
          button.setAttribute("aria-pressed", on ? "true" : "false");
        };
        const drawSpeeds = () => {
          speed.replaceChildren(...model.get("speeds").map(([label, ms]) => {
            const o = document.createElement("option");
            o.value = String(ms);
            o.textContent = label;
            return o;
          }));
          speed.value = String(model.get("interval"));
        };
        let plain = null;  // the object URL of the kernel's picture when the cache is off
        const show = (frame, i) => {
          if (!frame) return;
          if (img.getAttribute("src") !== frame.url) img.src = frame.url;
          if (readout.innerHTML !== frame.readout) readout.innerHTML = frame.readout;
          shownAt(model, i);
        };
        // The slider moved (in the page): show the frame now if the page has it.
        const onIndex = () => {
          if (!model.get("cache")) return;
          const i = model.get("index");
          show(storeOf(model).frames.get(i), i);
        };
        // The kernel's picture: keep it; show it only if it is the half-step the slider wants.
        const onValue = () => {
          const i = model.get("value_index"), bytes = model.get("value");
          if (!model.get("cache")) {
            if (plain) URL.revokeObjectURL(plain);
            plain = bytes && bytes.byteLength ? urlOf(bytes) : null;
            show(plain && {url: plain, readout: model.get("readout")}, i);
            return;
          }
          const frame = keep(model, i, bytes, model.get("readout"));
          if (i === model.get("index")) show(frame, i);
        };
        // A frame drawn ahead: keep it (and show it if the slider is already there).
        const onMsg = (msg, buffers) => {
          if (!msg || msg.frame === undefined || msg.fit !== model.get("fit") || !buffers.length) return;
          const frame = keep(model, msg.frame, buffers[0], msg.readout);
          if (model.get("cache") && msg.frame === model.get("index")) show(frame, msg.frame);
        };
        const onPlaying = () => {
          drawButton();
          const s = storeOf(model);
          stopTimer(s);
          if (model.get("playing")) {
            const i = model.get("index");
            const frame = s.frames.get(i);
            if (frame && img.getAttribute("src") === frame.url) shownAt(model, i);
          }
        };
        const onFit = () => stopTimer(storeOf(model));  // (storeOf forgets the old fit's frames)
        button.addEventListener("click", () => {
          if (model.get("playing")) { setPlaying(model, false); return; }
          // From the last half-step, Play starts again at the start.
          if (model.get("index") >= model.get("n_frames") - 1) goTo(model, 0);
          setPlaying(model, true);  // (change:playing starts the clock once the picture is shown)
        });
        speed.addEventListener("change", () => {
          model.set("interval", parseInt(speed.value, 10));
          model.save_changes();
        });
        // End on the half-step slider: noUiSlider (in ipywidgets 8.1) answers End with the largest
        // value the slider had when it was drawn, not its current one (its keydown handler reads a
        // range that updateOptions does not replace), so after a refit End would land on the old
        // fit's last half-step. The box's End goes to this fit's last half-step instead.
        const box = () => el.closest(".gmmviz-em-explorer");
        const onKey = (event) => {
          if (event.key !== "End" || !event.target.closest(".gmmviz-step-slider")) return;
          event.preventDefault();
          event.stopImmediatePropagation();
          goTo(model, model.get("n_frames") - 1);
        };
        let keyBox = null;
        const listen = () => {
          keyBox = box();
          if (keyBox) keyBox.addEventListener("keydown", onKey, true);
          else requestAnimationFrame(listen);
        };
        listen();
        model.on("change:index", onIndex);
        model.on("change:value change:value_index change:readout", onValue);
        model.on("change:fit", onFit);
        model.on("change:playing", onPlaying);
        model.on("change:speeds change:interval", drawSpeeds);
        model.on("msg:custom", onMsg);
        drawButton();
        drawSpeeds();
        model.send({event: "shown"});  // the kernel may now prepare what the learner does next
        onValue();
        if (model.get("cache") && model.get("value_index") !== model.get("index")) onIndex();
        return () => {
          model.off("change:index", onIndex);
          model.off("change:value change:value_index change:readout", onValue);
          model.off("change:fit", onFit);
          model.off("change:playing", onPlaying);
          model.off("change:speeds change:interval", drawSpeeds);
          model.off("msg:custom", onMsg);
          if (keyBox) keyBox.removeEventListener("keydown", onKey, true);
          if (plain) URL.revokeObjectURL(plain);
        };
      }
    };
    """
    value = traitlets.Bytes(b"").tag(sync=True)
    value_index = traitlets.Int(0).tag(sync=True)
    readout = traitlets.Unicode("").tag(sync=True)
    index = traitlets.Int(0).tag(sync=True)
    n_frames = traitlets.Int(1).tag(sync=True)
    fit = traitlets.Int(0).tag(sync=True)
    playing = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(250).tag(sync=True)
    speeds = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Int())).tag(sync=True)
    cache = traitlets.Bool(True).tag(sync=True)
    css = traitlets.Unicode("").tag(sync=True)
    width = traitlets.Unicode("").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)

    def __init__(self, css: str, width: str, alt: str = "", interval: int = 250) -> None:
        super().__init__(
            css=css,
            width=width,
            alt=alt,
            interval=int(interval),
            speeds=_speeds(int(interval)),
            layout=widgets.Layout(max_width="100%"),
        )
        self.format = "png"  # as on an ipywidgets.Image: the bytes in .value are a PNG

    @traitlets.observe("interval")
    def _offer_interval(self, change: dict) -> None:
        # An interval set in the kernel is one of the speeds offered, so the menu can show it.
        if change["new"] not in (ms for _, ms in self.speeds):
            self.speeds = _speeds(change["new"])

    def show(self, i: int, png: bytes, readout: str = "") -> None:
        """Show frame ``i`` (``png`` and its ``readout``): the page keeps them and shows them if
        its slider is at ``i``."""
        with self.hold_sync():
            self.value_index = int(i)
            self.readout = readout
            self.value = png

    def new_fit(self, n_frames: int) -> None:
        """A new fit of ``n_frames`` half-steps: the page forgets the frames it keeps, Play stops."""
        self.playing = False
        self.n_frames = int(n_frames)
        self.fit += 1

    def send_frame(self, i: int, png: bytes, readout: str = "") -> None:
        """Give the page frame ``i`` to keep (drawn ahead; not shown unless its slider is at ``i``)."""
        self.send({"frame": int(i), "fit": int(self.fit), "readout": readout}, [png])


# Play's speeds: half-steps a second, as the learner picks them (label, ms between half-steps).
_SPEEDS = ((1, 1000), (2, 500), (4, 250), (8, 125), (16, 60))


def _speeds(interval: int) -> list[tuple[str, int]]:
    """Play's choices of speed, with ``interval`` (ms between half-steps) among them."""
    choices = {ms: f"{n} half-step{'s' if n > 1 else ''} a second" for n, ms in _SPEEDS}
    choices.setdefault(interval, f"one every {interval} ms")
    return [(choices[ms], ms) for ms in sorted(choices, reverse=True)]


# --------------------------------------------------------------------------------------------
# Shared widget plumbing
# --------------------------------------------------------------------------------------------
def _one_at_a_time(method: Callable) -> Callable:
    """Run ``method`` holding the widget's lock: one callback or idle-time turn at a time.

    ipykernel 7 may run a widget's callbacks in a subshell's thread (JupyterLab sends widget
    messages there, so that widgets answer while a cell runs) and the work done in idle time in
    the main thread's event loop. The explorers' artists and caches describe one frame at a time:
    two threads posing them at once would mix two fits.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


def _reports_errors(method: Callable) -> Callable:
    """Run a widget callback (one at a time, see :func:`_one_at_a_time`); show any error as a
    message in the widget instead of a traceback."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            with self._lock:
                return method(self, *args, **kwargs)
        except Exception as exc:  # a learner must never see a traceback from a slider
            self.show_message(_describe(exc))
            return None

    return wrapper


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, (ValueError, TypeError)) else f"{type(exc).__name__}: {text}"


# Text colours on their backgrounds, all >= 4.5:1 (WCAG 2.2 AA for text; tests/test_widgets.py
# computes the ratios from the HTML the widgets emit): messages (text, background, border) and
# the readouts' text on white paper (set explicitly, so a dark theme does not change them).
_MESSAGE_COLORS = {
    "error": (ERROR_TEXT, ERROR_BACKGROUND, ERROR_BORDER),
    "note": (NOTE_TEXT, NOTE_BACKGROUND, NOTE_BORDER),
}
_TEXT, _PAPER = TEXT, PAPER
_READOUT_STYLE = f"line-height:1.6;color:{_TEXT};background:{_PAPER};padding:0 4px"


class _FigureBox(widgets.VBox):
    """A VBox owning an Agg figure shown as a PNG ``Image``, plus a message line for errors."""

    def _init_figure(self, figsize: tuple[float, float], dpi: float, css: str) -> None:
        # A bare Figure (not pyplot): never registered with a GUI or inline backend, so it is
        # never shown twice and never leaks into plt's global state.
        # Fixed margins, not constrained layout: it would re-run (slowly) on every refit.
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self._blitter = _Blitter(self.figure)
        self._lock = threading.RLock()  # see _one_at_a_time
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(width=f"{figsize[0] * dpi:.0f}px", max_width="100%", height="auto"),
        )
        self.image.add_class(f"{css}-figure")
        self.keyboard_scope = KeyboardScope(css)
        self.message = widgets.HTML(value="", layout=widgets.Layout(display="none"))
        self.message.add_class("gmmviz-message")

    def show_message(self, text: str, *, note: bool = False) -> None:
        """Show ``text`` to the learner in the widget (empty text hides the message).

        ``note=True`` styles it as information (e.g. a warning from the fit) rather than an error.
        """
        if text:
            color, background, border = _MESSAGE_COLORS["note" if note else "error"]
            self.message.value = (
                f'<div role="{"status" if note else "alert"}" style="color:{color};'
                f"background:{background};border:1px solid {border};padding:4px 8px;"
                f'border-radius:3px">'
                f"<b>{'ℹ' if note else '⚠'}</b> {html.escape(text)}</div>"
            )
            self.message.layout.display = None
        else:
            self.message.value = ""
            self.message.layout.display = "none"

    def _shown(self, check: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        """``check(value, ...)``; a bad value's error is shown in the widget, then raised."""
        try:
            return check(value, *args, **kwargs)
        except (TypeError, ValueError) as exc:
            self.show_message(str(exc))
            raise

    @property
    def message_text(self) -> str:
        """The message shown, as plain text ('' when none); handy in tests and notebooks."""
        if not self.message.value:
            return ""
        import re

        text = html.unescape(re.sub(r"<[^>]+>", "", self.message.value))
        return text.replace("⚠", "").replace("ℹ", "").strip()

    def _publish(self) -> None:
        self.image.value = self._blitter.png()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, plus a PNG of the picture shown for readers without a kernel.

        One output holds both: JupyterLab with a kernel ranks the widget view above
        ``image/png`` and shows the live widget; GitHub, nbviewer and a notebook opened without
        its widget state show the picture. nbval skips ``image/png`` and compares the text repr.
        """
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(self.static_png()).decode("ascii")
        return bundle

    def _static_source(self) -> bytes:
        """The PNG the static picture is made from: the picture sent to the page.

        (Not the canvas: it may hold another frame's pixels when a frame came from the cache.)
        """
        return bytes(self.image.value)

    def static_png(self) -> bytes:
        """The picture for readers without a kernel, as a small PNG (64 colours; about 20 kB).

        Saved notebooks keep it, so it is encoded for size, not speed (the live frames are not).
        """
        with PILImage.open(io.BytesIO(self._static_source())) as shown:
            image = shown.convert("RGB").quantize(64, method=PILImage.Quantize.FASTOCTREE)
        with io.BytesIO() as buf:
            image.save(buf, format="png", optimize=True)
            return buf.getvalue()


def _as_data(X: Any, dims: Sequence[int]) -> tuple[np.ndarray, tuple[int, int]]:
    """Validate data for a 2-D picture; errors say what is wrong and what to pass instead.

    The checks every entry point shares (numbers, 2-D, not empty, finite) are
    :mod:`gmmviz._validation`'s; only the explorers' own demand, at least two columns to draw,
    is added here.
    """
    x = check_array(X)
    if x.shape[1] == 1:
        raise ValueError(
            f"This explorer shows 2-D points but X is one-dimensional (shape {np.shape(X)}). "
            "Pass an array of shape (n_points, 2) or more columns; to watch EM on 1-D data, use "
            "gmmviz.animate.animate_em(X, gmmviz.fit_em(X, K)) (a histogram with the components)."
        )
    try:
        dims = check_dims(dims, x.shape[1])
    except ValueError as exc:
        raise ValueError(f"{exc} (the dims= argument)") from None
    return x, dims


def _data_limits(xy: np.ndarray, pad: float = 0.06) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


# --------------------------------------------------------------------------------------------
# EMExplorer
# --------------------------------------------------------------------------------------------
# An octagon: at 3-4 px it looks exactly like a circle and Agg draws 5000 of them ~30% faster
# (benchmarks/bench_frames.py), which is most of a frame whose colours change.
_DOT = (8, 0, 0)

# Badge colours of the half-step kinds (figure headline and readout); none is a component colour.
_KIND_COLOR = {"init": START_BADGE, "E": E_STEP_BADGE, "M": M_STEP_BADGE}


_EXTRA_FITS = 4
"""Fits an EM explorer keeps beyond one per K of its slider (fits of other seeds, starts, Σ types).

A fit kept is small (its parameters per iteration, a picture of its background, about 1 MB, and
the PNGs of the frames drawn); the PNGs of a fit no longer shown are dropped but for its first and
last frame, so that memory stays at a few MB per fit."""


@dataclass(eq=False)
class _Fit:
    """One fit of an EM explorer and what has been drawn of it."""

    history: EMHistory
    notes: str  # warnings from the fit, shown with it
    serial: int  # names its cached pixels (layers, stamps)
    ll_view: tuple | None = None  # ln p(X) panel: xlim, ylim, title
    background: Any = None  # the figure's background with this fit's ln p(X) panel
    pngs: dict[int, bytes] = field(default_factory=dict)  # frame -> PNG, once drawn


class _Components(NamedTuple):
    """The artists of K components (made once per K: a K change does not make them again)."""

    palette: Any
    ellipses: list
    means: Any
    shift: Any

    def artists(self) -> list:
        return [*self.ellipses, self.means.markers, *self.means.numbers, *self.shift.rings, self.shift.trails]


class EMExplorer(_FigureBox):
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

    Attributes
    ----------
    history : EMHistory or None
        The current fit (None until a fit succeeds).
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
    ) -> None:
        super().__init__()
        self.add_class("gmmviz-em-explorer")
        self.history: EMHistory | None = None
        self.n_std = check_n_std(n_std)
        self.max_iter = max_iter
        self.tol = tol
        self.points = None
        self.ellipses: list = []
        self._fits: OrderedDict[tuple, _Fit] = OrderedDict()  # by control values, see _fit_key
        self._by_k: dict[int, _Components] = {}
        self._fit: _Fit | None = None
        self._serial = 0
        self._preparing = False
        self._reach = 0  # how far from K to prepare fits (see _prepare_ahead)
        self._unfittable: set[tuple] = set()
        self._sent: set[int] = set()
        self._ahead_pending = False
        self._fit_error: str | None = None
        self._init_figure(figsize, dpi, "gmmviz-em-explorer")
        # The picture keeps the frames in the page (see _FrameView): scrubbing and Play swap them
        # there, without a trip to the kernel per half-step.
        self.image = _FrameView(
            "gmmviz-em-explorer-figure",
            f"{figsize[0] * dpi:.0f}px",
            alt="EM explorer: the points coloured by responsibility, the components, ln p(X)",
            interval=check_int(interval, "interval", minimum=1),
        )
        self.ax_points = self.figure.add_axes((0.08, 0.14, 0.42, 0.72))
        self._blitter.layer_region = self.ax_points  # the points' layers: only their Axes
        self.ax_ll = self.figure.add_axes((0.64, 0.14, 0.34, 0.66))
        # The whole run faintly (fixed axes, and the learner sees where the fit is going), the
        # part up to the frame shown dark on top of it.
        (self.ll_curve,) = self.ax_ll.plot([], [], "-o", color="0.8", markersize=3, linewidth=1.2)
        (self.ll_done,) = self.ax_ll.plot([], [], "-o", color="0.15", markersize=3.5, linewidth=1.6)
        (self.ll_marker,) = self.ax_ll.plot(
            [],
            [],
            "o",
            color=CURRENT_COLOR,
            markersize=9,
            markerfacecolor="none",
            markeredgewidth=2,
            zorder=5,
        )
        self.ll_note = self.ax_ll.text(
            0.97,
            0.05,
            "",
            transform=self.ax_ll.transAxes,
            ha="right",
            va="bottom",
            fontsize=8.5,
            color="0.2",
            zorder=6,
            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5},
        )
        self.ax_ll.set_xlabel("iteration")
        self.ax_ll.set_ylabel("ln p(X)")
        self.ax_ll.xaxis.set_major_locator(MaxNLocator(integer=True))
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
            bbox={"boxstyle": "round,pad=0.3", "fc": _KIND_COLOR["init"], "ec": "none"},
        )
        self.headline = self.figure.text(0.1, 0.945, "", ha="left", va="center", fontsize=10, color="0.1")
        self.headline_when = self.figure.text(
            0.985, 0.945, "", ha="right", va="center", fontsize=10, fontweight="bold", color="0.1"
        )
        self.means = None
        self.shift: gplot.Shift | None = None
        _Blitter.track(
            self.ll_done, self.ll_marker, self.ll_note, self.headline_label, self.headline, self.headline_when
        )

        # --- controls ---------------------------------------------------------------------
        try:  # a bad K is shown (the slider starts at 1), never silently replaced
            k0, k_problem = check_int(n_components, "K (n_components)", minimum=1), ""
        except (TypeError, ValueError) as exc:
            k0, k_problem = 1, str(exc)
        style = {"description_width": "initial"}
        self.k_slider = widgets.IntSlider(
            value=k0,
            min=1,
            max=max(int(max_components), k0),
            description="K",
            continuous_update=False,
            style=style,
            tooltip="K: number of mixture components (refits)",
        )
        self.k_slider.add_class("gmmviz-k-slider")
        self.n_components = self.k_slider  # the name docs/API.md promises
        self.init_dropdown = widgets.Dropdown(
            options=list(INIT_METHODS),
            description="start",
            style=style,
            layout=widgets.Layout(width="170px"),
            tooltip="start: how EM's first parameters are chosen",
        )
        self.init_dropdown.add_class("gmmviz-init")
        self.seed_input = widgets.BoundedIntText(
            value=0,
            min=0,
            max=SEED_MAX,
            description="seed",
            style=style,
            layout=widgets.Layout(width="150px"),
            tooltip="seed: random_state of the start (refits)",
        )
        self.seed_input.add_class("gmmviz-seed")
        self.cov_dropdown = widgets.Dropdown(
            options=list(COVARIANCE_TYPES),
            description="Σ type",
            style=style,
            layout=widgets.Layout(width="170px"),
            tooltip="Σ type: covariance type of the components (full, tied, diag, spherical)",
        )
        self.cov_dropdown.add_class("gmmviz-covariance-type")
        # A choice of values, not a log slider: reg_covar = 0 is valid and must stay 0.
        self.reg_slider = widgets.SelectionSlider(
            options=_reg_options(1e-6),
            value=1e-6,
            description="reg_covar",
            continuous_update=False,
            style=style,
            tooltip="reg_covar: added to every variance at each M-step (refits)",
        )
        self.reg_slider.add_class("gmmviz-reg-covar")
        self.step_slider = widgets.IntSlider(
            value=0,
            min=0,
            max=0,
            description="half-step",
            style=style,
            layout=widgets.Layout(width="420px"),
            tooltip="half-step: which frame of the fit is shown (0 = start, then E and M of each iteration)",
        )
        self.step_slider.add_class("gmmviz-step-slider")
        # The slider and the picture are linked in the page (no kernel round trip per key press or
        # Play's step); a change made in the kernel (set_step, a refit, tests) reaches the page too.
        self._frame_link = widgets.jslink((self.step_slider, "value"), (self.image, "index"))
        self.status = widgets.HTML(value="")  # "fitting K=…" while a fit runs; empty, it takes no room
        self.status.add_class("gmmviz-status")

        self.children = [
            widgets.HBox([self.k_slider, self.init_dropdown, self.seed_input]),
            widgets.HBox([self.cov_dropdown, self.reg_slider, self.status]),
            self.step_slider,
            self.image,
            self.message,
            self.keyboard_scope,
        ]

        # --- data and first fit -----------------------------------------------------------
        try:
            self.X, self.dims = _as_data(X, dims)
        except (TypeError, ValueError) as exc:
            self.X, self.dims = None, (0, 1)
            self._disable(_describe(exc))
            return
        self._setup_points()
        # Set the controls before observing them, so the constructor fits exactly once.
        for widget, value, name in (
            (self.init_dropdown, init, "init"),
            (self.cov_dropdown, covariance_type, "covariance_type"),
        ):
            if value not in widget.options:
                self.show_message(
                    f"Unknown {name} {value!r}: use one of {', '.join(map(repr, widget.options))}."
                )
            else:
                widget.value = value
        # Values are used as given; what cannot be used is said, never replaced silently.
        problems, notes = [], []
        try:
            seed, drawn = _seed_from(random_state)
            self.seed_input.value = seed
            if drawn:
                notes.append(
                    f"random_state={random_state!r}: drew seed {seed} at random (it is "
                    f"in the seed box; pass random_state={seed} to repeat this fit)."
                )
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
        try:
            reg = check_reg_covar(reg_covar)
            self.reg_slider.options = _reg_options(reg)
            self.reg_slider.value = reg
        except (TypeError, ValueError) as exc:
            problems.append(str(exc))
        for w in (self.k_slider, self.init_dropdown, self.seed_input, self.cov_dropdown, self.reg_slider):
            w.observe(self._on_control, names="value")
        self.step_slider.observe(self._on_step, names="value")
        self.image.on_msg(self._on_page_message)
        if k_problem:
            self.show_message(k_problem)
            return
        if self.message.value:
            return
        if problems:
            self.show_message(" ".join(problems))
            return
        self.refit()
        if notes and self.history is not None:  # beside any note from the fit
            self.show_message(" ".join([*notes, self.message_text]).strip(), note=True)

    # --- public API ---------------------------------------------------------------------------
    @_one_at_a_time
    def refit(self) -> EMHistory | None:
        """Fit EM with the current control values and show its first frame.

        Errors (e.g. K larger than the number of distinct points) are shown in the widget and
        the previous fit stays on screen. A fit made before with the same control values (the
        learner went back to a K, or the explorer prepared it ahead) is shown again, not redone:
        EM is deterministic given the controls, so it is the same fit.

        Returns
        -------
        EMHistory or None
            The new history, or None when the fit failed.
        """
        if self.X is None:
            return None
        key = self._fit_key()
        fit = self._fits.get(key)
        if fit is None:
            # Seen only when the fit outlasts a blink; text only (a layout change would cost the
            # page a reflow before the picture).
            self.status.value = f'<i style="color:{_TEXT};background:{_PAPER}">fitting K={key[0]} …</i>'
            try:
                fit = self._new_fit(key)
            except Exception as exc:  # show, don't raise: this runs from a slider callback
                kept = (
                    ""
                    if self.history is None
                    else (f" The picture still shows the previous fit (K={self.history.n_components}).")
                )
                self.show_message(f"Could not fit K={key[0]}. {_describe(exc)}{kept}")
                return None
            finally:
                self.status.value = ""
        self._fits.move_to_end(key)  # (the least recently shown fits are forgotten first)
        self.show_message(fit.notes, note=True)
        self._install(fit)
        return fit.history

    @_one_at_a_time
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

    @property
    def step(self) -> int:
        """The frame shown."""
        return int(self.step_slider.value)

    @property
    def readout(self) -> str:
        """The readout of the half-step shown (HTML; shown under the picture, with it)."""
        return self.image.readout

    def __repr__(self) -> str:
        # nbval compares this text: only stable, input-determined facts, no ids or floats.
        if self.X is None:
            return "EMExplorer(no data)"
        return (
            f"EMExplorer(n_points={self.X.shape[0]}, K={self.k_slider.value}, "
            f"covariance_type={self.cov_dropdown.value!r}, init={self.init_dropdown.value!r})"
        )

    # --- callbacks ----------------------------------------------------------------------------
    @_reports_errors
    def _on_control(self, change: dict) -> None:
        self.refit()
        if change["owner"]._property_lock:  # moved in the page: a learner is using this explorer
            self._prepare_ahead(reach=self.k_slider.max - self.k_slider.min)

    @_reports_errors
    def _on_page_message(self, _view: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "shown":
            self._prepare_ahead(reach=1)  # on a page: get the first K press ready (K ± 1)

    @_reports_errors
    def _on_step(self, change: dict) -> None:
        if self.history is not None:
            self._show_frame(int(change["new"]))
            # ipywidgets holds a property lock while it applies a change sent by the page.
            if self.step_slider._property_lock:
                self._render_ahead()

    # --- drawing ------------------------------------------------------------------------------
    def _disable(self, text: str) -> None:
        for w in (
            self.k_slider,
            self.init_dropdown,
            self.seed_input,
            self.cov_dropdown,
            self.reg_slider,
            self.step_slider,
        ):
            w.disabled = True
        self.ax_points.text(
            0.5,
            0.5,
            "no data to show",
            ha="center",
            va="center",
            transform=self.ax_points.transAxes,
            color="0.5",
        )
        self._blitter.draw_background()
        self._publish()
        self.show_message(text)

    def _setup_points(self) -> None:
        ax = self.ax_points
        self.points = gplot.plot_points(ax, self.X, None, dims=self.dims, size=9, marker=_DOT)
        xlim, ylim = _data_limits(self.X[:, self.dims])
        # Fixed limits: ellipses of early frames may be huge, and the cached background must
        # stay valid while scrubbing.
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_autoscale_on(False)  # (plot_points labelled the axes $x_i$, 1-based, as every picture)
        _Blitter.track(self.points)

    def _install(self, fit: _Fit) -> None:
        """Show ``fit``: its K's components, its ln p(X) panel, its frame 0 (the page forgets the
        old fit's frames)."""
        left = self._fit
        if left is not None and left is not fit:  # its first and last pictures are enough to keep
            for i in [i for i in left.pngs if i not in (0, left.history.n_frames - 1)]:
                del left.pngs[i]
        self._use(fit)
        self._ahead_pending = False
        self._sent: set[int] = set()  # the frames of this fit the page keeps
        n = fit.history.n_frames
        # Back to frame 0 before shrinking max (a clamp would draw a stale frame of the new fit),
        # without the observer: frame 0 is drawn once, below.
        with _Unobserved(self.step_slider, self._on_step):
            self.step_slider.value = 0
        self._show_frame(0, new_fit=True)  # the picture first: the slider's new range after it
        self.step_slider.max = n - 1

    def _pose(self, i: int) -> tuple[Any, str, str, str, str]:
        """Move the artists to frame ``i`` (no drawing); returns what :meth:`_draw_posed` needs."""
        history = self.history
        frame = history.frame(i)
        gplot.update_points(self.points, frame.resp, palette=self.palette)
        gplot.update_ellipses(self.ellipses, frame.params, dims=self.dims, n_std=self.n_std)
        gplot.update_means(self.means, frame.params, dims=self.dims)
        # An M-frame also shows where its ellipses came from (the E-frame's parameters).
        gplot.update_shift(
            self.shift, frame.previous_params, frame.params, dims=self.dims, n_std=self.n_std[:1]
        )
        ll = history.log_likelihoods
        t = frame.params_index
        gplot.update_log_likelihood(self.ll_marker, ll, t)
        self.ll_done.set_data(np.arange(t + 1), ll[: t + 1])
        note = _ll_note(frame, ll)
        self.ll_note.set_text(note)
        text = frame_text(frame, history.n_iter, mathtext=True)
        label, what, when = text.label, text.what, text.when
        self.headline_label.set_text(label)
        self.headline_label.get_bbox_patch().set_facecolor(_KIND_COLOR[frame.kind])
        self.headline.set_text(what)
        self.headline_when.set_text(when)
        return frame, note, when, label, what

    def _draw_posed(self, frame: Any, note: str, when: str, label: str, what: str) -> bytes:
        """Draw the posed artists and encode the picture (PNG bytes)."""
        # E-frame t and M-frame t colour points by the same responsibilities: reuse that layer
        # (and the grey points of every start). A layer holds only the points' Axes.
        serial = self._fit.serial
        layer = ("init",) if frame.resp is None else ("resp", serial, frame.iteration)
        # Text is pasted from bitmaps of its pixels (Agg text is slow), keyed by what they show:
        # the headline lies outside both Axes, the same in every fit; the note lies on the fit's
        # ln p(X) panel. The curve and the marker go on top.
        self._blitter.draw(
            layer,
            [self.points],
            [
                *self.shift.rings,
                *self.ellipses,
                self.shift.trails,
                self.means.markers,
                *self.means.numbers,
                self.ll_done,
                self.ll_marker,
            ],
            stamps=[
                (("headline", label, what), [self.headline_label, self.headline]),
                (("when", when), [self.headline_when]),
                (("note", serial, note), [self.ll_note]),
            ],
        )
        return self._blitter.png()

    @_one_at_a_time
    def _static_source(self) -> bytes:
        """The finished fit (the last half-step), whatever half-step the live widget shows.

        The live explorer opens on the start, to be scrubbed forward; a reader without a kernel
        (GitHub, nbviewer, the saved notebook) sees where EM ended.
        """
        if self.history is None:  # bad input: the message is the picture
            return super()._static_source()
        return self._picture(self.history.n_frames - 1)

    def _picture(self, i: int) -> bytes:
        """PNG of frame ``i`` of the fit shown, drawn once and kept; the artists stay on the frame
        shown (for pictures not shown now: the static one, those drawn ahead)."""
        png = self._frame_png.get(i)
        if png is None:
            try:
                png = self._frame_png[i] = self._draw_posed(*self._pose(i))
            finally:
                self._pose(self.step)  # the artists describe the frame shown again
        return png

    def _show_frame(self, i: int, *, new_fit: bool = False) -> None:
        """Show frame ``i``; ``new_fit``: it is the first of a fit the page has not seen."""
        posed = self._pose(i)
        # A frame seen before is sent again as it was: the same artists in the same state give
        # the same pixels, so scrubbing back and Play's later loops skip the draw and the encode.
        # (The artists above are still moved: they always describe the frame shown.)
        png = self._frame_png.get(i)
        if png is None:
            png = self._frame_png[i] = self._draw_posed(*posed)
        with self.image.hold_sync():  # one message: the page forgets the old fit and shows this
            if new_fit:
                self.image.new_fit(self.history.n_frames)
            # The page keeps picture and readout together: shown again, both are swapped there.
            self.image.show(i, png, self._readout_html(posed[0]))
        self._sent.add(i)

    # --- fits: made, kept, prepared ahead ----------------------------------------------------------
    def _fit_key(self) -> tuple:
        """What a fit depends on besides the data: the control values."""
        return (
            int(self.k_slider.value),
            self.init_dropdown.value,
            self.cov_dropdown.value,
            float(self.reg_slider.value),
            int(self.seed_input.value),
        )

    def _new_fit(self, key: tuple) -> _Fit:
        """Fit EM for ``key`` and keep it (the least recently used fits are forgotten beyond one per
        K of the slider and ``_EXTRA_FITS``)."""
        k, init, covariance_type, reg_covar, seed = key
        # Warnings (an emptied component, k-means on duplicates) would land on stderr, out of sight
        # in the widget and fatal under strict nbval: they are shown in the widget with the fit.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = fit_em(
                self.X,
                k,
                init=init,
                covariance_type=covariance_type,
                reg_covar=reg_covar,
                random_state=seed,
                max_iter=self.max_iter,
                tol=self.tol,
            )
        self._serial += 1
        fit = _Fit(history, " ".join(dict.fromkeys(str(w.message) for w in caught)), self._serial)
        self._fits[key] = fit
        while len(self._fits) > self._max_fits():
            self._fits.popitem(last=False)
        return fit

    def _max_fits(self) -> int:
        return self.k_slider.max - self.k_slider.min + 1 + _EXTRA_FITS

    def _components(self, k: int, p0: GMMParams) -> _Components:
        """The ellipses, means and shift of a K-component fit (made once per K, then reused: every
        frame moves them all, so ``p0``, the parameters they are made at, does not matter after)."""
        parts = self._by_k.get(k)
        if parts is None:
            palette = component_colors(k)
            parts = self._by_k[k] = _Components(
                palette,
                gplot.plot_ellipses(self.ax_points, p0, dims=self.dims, n_std=self.n_std, palette=palette),
                gplot.plot_means(self.ax_points, p0, dims=self.dims, palette=palette),
                gplot.plot_shift(self.ax_points, p0, dims=self.dims, n_std=self.n_std[:1], palette=palette),
            )
            _Blitter.track(*parts.artists())
        return parts

    def _use(self, fit: _Fit) -> None:
        """Make ``fit`` the one the artists describe: its K's components, its ln p(X) panel."""
        history, k = fit.history, fit.history.n_components
        parts = self._components(k, history.params[0])
        for other_k, other in self._by_k.items():
            for a in other.artists():
                a.set_visible(other_k == k)
        self.palette, self.ellipses, self.means, self.shift = (
            parts.palette,
            parts.ellipses,
            parts.means,
            parts.shift,
        )
        ll = history.log_likelihoods
        gplot.update_log_likelihood(self.ll_marker, ll, None, curve=self.ll_curve)
        self.ll_done.set_data([], [])  # (the last fit's: not this fit's limits)
        if fit.ll_view is None:
            self.ax_ll.relim()
            self.ax_ll.autoscale_view()
            if ll.size == 1:
                self.ax_ll.set_xlim(-0.5, 0.5)
            title = f"K={k}, {history.n_iter} iterations" + (", converged" if history.converged else "")
            fit.ll_view = (self.ax_ll.get_xlim(), self.ax_ll.get_ylim(), title)
        xlim, ylim, title = fit.ll_view
        self.ax_ll.set_xlim(*xlim, auto=None)  # (auto=None: the next fit's limits still autoscale)
        self.ax_ll.set_ylim(*ylim, auto=None)
        # y=1: where matplotlib puts it anyway (nothing above the panel), without measuring every
        # tick label to find that out (a third of the panel's drawing time).
        self.ax_ll.set_title(title, fontsize="medium", y=1.0)
        if fit.background is None:
            # Only the ln p(X) panel differs between fits: the rest of the picture is drawn once.
            fit.background = self._blitter.redraw_background(self.ax_ll)
        self._blitter.use_background(fit.background)
        self._fit, self.history, self._frame_png = fit, history, fit.pngs

    @contextlib.contextmanager
    def _drawing(self, fit: _Fit):
        """Pose and draw ``fit`` (not the one shown) in the block; the one shown is restored after."""
        shown = self._fit
        self._use(fit)
        try:
            yield
        finally:
            if shown is not None:
                self._use(shown)
                self._pose(self.step)

    def _prepare_ahead(self, reach: int | None = None) -> None:
        """In the kernel's idle time, make the fits for the other K within ``reach`` of K (K + 1
        and K - 1 first) and draw their first frame, so that a K press only shows them (one piece
        of work per loop turn: a press waits for one fit or one drawing at most).

        Only in a running kernel: once the explorer is on a page, K ± 1; once the learner moves one
        of its controls there, every K of the slider. A notebook run without a browser (nbval)
        never pays for it, and a page with several explorers pays little for those not used.
        """
        if reach is not None:
            self._reach = max(self._reach, int(reach))
        loop = _kernel_loop()
        if loop is None or self._fit is None or self._preparing or self._next_to_prepare() is None:
            return  # (no fit shown yet: bad data or a bad K, shown as a message; nothing to follow)
        self._preparing = True
        _in_idle_time(loop, self._prepare_one)

    def _next_to_prepare(self) -> tuple | None:
        """The control values of the next fit to prepare, or None: K + 1, K - 1, K + 2, K - 2 ...
        up to ``_reach`` from K (the other controls as they are)."""
        k, *rest = self._fit_key()
        for other in (k + sign * step for step in range(1, self._reach + 1) for sign in (1, -1)):
            key = (other, *rest)
            fit = self._fits.get(key)
            ready = fit is not None and 0 in fit.pngs
            if self.k_slider.min <= other <= self.k_slider.max and key not in self._unfittable and not ready:
                return key
        return None

    @_one_at_a_time
    def _prepare_one(self) -> None:
        self._preparing = False
        key = self._next_to_prepare()  # (the learner may have moved K since the last turn)
        if key is None:
            return
        fit = self._fits.get(key)
        try:
            if fit is None:
                try:
                    self._new_fit(key)  # this turn fits; the next one draws
                except Exception:  # e.g. K too large: the learner gets the message if they go there
                    self._unfittable.add(key)
            else:
                self._fits.move_to_end(key)
                with self._drawing(fit):
                    fit.pngs[0] = self._draw_posed(*self._pose(0))
        except Exception as exc:  # shown, never raised from the event loop
            self.show_message(_describe(exc))
            return
        self._prepare_ahead()

    # --- frames rendered ahead, in the kernel's idle time ----------------------------------------
    def _render_ahead(self) -> None:
        """After a learner moved the half-step (or Play), draw the frames not yet seen, one per
        turn of the kernel's event loop, and send them to the page, so that later presses are
        answered in the page.

        Only in a running kernel, and only for changes that came from the page: a notebook run
        without a browser (nbval) never pays for it.
        """
        if self._ahead_pending or self.history is None:
            return
        loop = _kernel_loop()
        if loop is None:
            return
        self._ahead_pending = True
        _in_idle_time(loop, self._render_ahead_one, self.image.fit)

    @_one_at_a_time
    def _render_ahead_one(self, page_fit: int) -> None:
        if page_fit != self.image.fit:
            # Another fit shown since: it renders ahead on its own first press. Its flag is not
            # this turn's to clear (that would let a second chain of turns start beside it).
            return
        self._ahead_pending = False
        n, current = self.history.n_frames, self.step
        todo = next((j % n for j in range(current + 1, current + n + 1) if j % n not in self._sent), None)
        if todo is None:
            return
        try:
            # (a fit shown again has its pictures already: they are only sent)
            # (the page shows it when the slider gets there)
            self.image.send_frame(todo, self._picture(todo), self._readout_html(self.history.frame(todo)))
            self._sent.add(todo)
        except Exception as exc:  # shown, never raised from the event loop
            self.show_message(_describe(exc))
            return
        self._render_ahead()

    def _readout_html(self, frame: Any) -> str:
        # The square carries the component's colour; the text stays dark (readable whatever
        # the colour), and the number names the component.
        pis = " ".join(
            f'<span style="white-space:nowrap"><span aria-hidden="true" class="gmmviz-swatch" '
            f'style="color:{to_hex(c)}">■</span> π<sub>{j + 1}</sub> = {w:.3f}</span>'
            for j, (w, c) in enumerate(zip(frame.params.weights, self.palette))
        )
        history = self.history
        badge = (
            f'<span style="background:{_KIND_COLOR[frame.kind]};color:{BADGE_TEXT};font-weight:bold;'
            f'padding:0 6px;border-radius:3px">{frame_text(frame).label}</span>'
        )
        return (
            f'<div style="{_READOUT_STYLE}">{badge} <b>iteration {frame.iteration}</b> of '
            f"{history.n_iter} · half-step {frame.index} of {history.n_frames - 1} · "
            f"ln p(X) = {frame.log_likelihood:.3f}<br>{pis}</div>"
        )


SEED_MAX = 2**32 - 1
"""Largest seed: the k-means start hands the seed to scikit-learn, which takes 0 .. 2**32 - 1."""

_REG_STEPS = (0.0, *(float(f"1e{e}") for e in range(-9, 1)))


def _seed_from(random_state: Any) -> tuple[int, bool]:
    """The seed box's value for ``random_state``, and whether it was drawn at random.

    The shared rule (:func:`gmmviz._validation.as_seed`): None (fresh randomness: a seed is
    drawn and shown in the box), an int >= 0, or a NumPy Generator (a seed drawn from it).
    """
    drawn = random_state is None or isinstance(random_state, np.random.Generator)
    seed = as_seed(random_state)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (SEED_MAX + 1))
    if seed > SEED_MAX:
        raise ValueError(
            f"random_state must be a whole number from 0 to {SEED_MAX} here (the "
            f"k-means start passes it to scikit-learn), got {random_state!r}."
        )
    return seed, drawn


def _reg_options(reg_covar: float) -> list[tuple[str, float]]:
    """The reg_covar choices: 0, the powers of ten 1e-9 .. 1, and ``reg_covar`` itself."""
    values = sorted({*_REG_STEPS, float(reg_covar)})
    return [("0" if v == 0 else f"{v:.0e}" if float(f"{v:.0e}") == v else f"{v:.4e}", v) for v in values]


def _kernel_loop() -> Any:
    """The main event loop of the IPython kernel this runs in (where its cells run), or None
    (plain Python, tests).

    Not ``IOLoop.current()``: ipykernel 7 may run a widget callback in a subshell's thread, whose
    current loop is that thread's. Idle-time work goes to the kernel's own loop, beside the cells.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None) if shell is not None else None
    if kernel is None:
        return None
    loop = getattr(kernel, "io_loop", None)
    if loop is None:  # a kernel without the attribute (not ipykernel): the loop of this thread
        from tornado.ioloop import IOLoop

        loop = IOLoop.current()
    return loop


def _in_idle_time(loop: Any, fn: Callable, *args: Any) -> None:
    """Run ``fn(*args)`` on ``loop`` a moment from now (messages that came first go first).

    ``add_callback`` is the one method of a tornado loop that may be called from another thread
    (a subshell's); the delay is then set on the loop's own thread.
    """
    loop.add_callback(loop.call_later, 0.01, fn, *args)


class _Unobserved:
    """Context manager: detach one observer from a widget's value while changing it."""

    def __init__(self, widget: widgets.Widget, handler: Callable) -> None:
        self.widget, self.handler = widget, handler

    def __enter__(self):
        self.widget.unobserve(self.handler, names="value")
        return self.widget

    def __exit__(self, *exc: Any) -> None:
        self.widget.observe(self.handler, names="value")


def _ll_note(frame: Any, ll: np.ndarray) -> str:
    """What this half-step did to ln p(X), for the corner of the ln p(X) panel."""
    if frame.kind == "init":
        return f"start: ln p(X) = {ll[0]:.2f}"
    if frame.kind == "E":
        return "E-step: μ, Σ, π not changed yet,\nso ln p(X) stays where it was"
    t = frame.iteration
    return f"M-step {t}: ln p(X) {ll[t] - ll[t - 1]:+.2f}"


# --------------------------------------------------------------------------------------------
# GaussianExplorer
# --------------------------------------------------------------------------------------------
class GaussianExplorer(_FigureBox):
    """One 2-D Gaussian: sliders for μ, σ_x, σ_y and ρ; samples, ellipses and Σ.

    The samples are ``μ + L z`` for fixed standard-normal draws ``z`` (``L`` the Cholesky factor
    of Σ), so moving a slider stretches the same cloud instead of drawing a new one.

    Parameters
    ----------
    mean : pair of float
        Starting μ.
    sigma_x, sigma_y : float
        Starting standard deviations (> 0).
    rho : float
        Starting correlation, strictly between -1 and 1.
    n_samples : int
        Number of sample points.
    n_std : sequence of float
        Ellipse radii in standard deviations.
    random_state : int
        Seed of the fixed draws.
    figsize, dpi
        Size of the rendered figure.

    Attributes
    ----------
    mu_x_slider, mu_y_slider, sigma_x_slider, sigma_y_slider, rho_slider : FloatSlider
    matrix : HTML
        The covariance matrix Σ.
    points : PathCollection
    ellipses : list of Ellipse
    """

    LIMIT = 6.0

    def __init__(
        self,
        mean: Sequence[float] = (0.0, 0.0),
        sigma_x: float = 1.0,
        sigma_y: float = 1.0,
        rho: float = 0.0,
        *,
        n_samples: int = 500,
        n_std: Sequence[float] = (1, 2, 3),
        random_state: int = 0,
        figsize: tuple[float, float] = (4.2, 4.2),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        mean = np.asarray(mean, dtype=float).ravel()
        self._check(mean, sigma_x, sigma_y, rho)
        n_samples = check_int(n_samples, "n_samples", minimum=1)
        rng = check_random_state(random_state)
        self.add_class("gmmviz-gaussian-explorer")
        self.n_std = check_n_std(n_std)
        self._batch = False
        self._z = rng.standard_normal((n_samples, 2))
        self._init_figure(figsize, dpi, "gmmviz-gaussian-explorer")
        ax = self.ax = self.figure.add_axes((0.14, 0.11, 0.82, 0.85))
        ax.set_xlim(-self.LIMIT, self.LIMIT)
        ax.set_ylim(-self.LIMIT, self.LIMIT)
        ax.set_aspect("equal")
        ax.set_autoscale_on(False)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.grid(True, color="0.92")
        params = self.params_for(mean, sigma_x, sigma_y, rho)
        # One component owning every point: the soft colour is simply its colour.
        self.points = gplot.plot_points(ax, self._samples(params), np.ones((n_samples, 1)), size=8, alpha=0.6)
        self.ellipses = gplot.plot_ellipses(ax, params, n_std=self.n_std)
        (self.center,) = ax.plot([mean[0]], [mean[1]], "+", color="k", markersize=10)
        # "1σ", "2σ", ... where each ring crosses its major axis: the rings are Mahalanobis
        # distances, which the notebook's text talks about.
        ring_color = self.ellipses[0].get_edgecolor()
        self.ring_labels = [
            ax.text(
                0,
                0,
                f"{s:g}σ",
                fontsize=9,
                color=ring_color[:3],
                ha="center",
                va="center",
                zorder=6,
                bbox={"fc": "white", "ec": "none", "alpha": 0.7, "pad": 0.5},
            )
            for s in self.n_std
        ]
        _Blitter.track(self.points, *self.ellipses, self.center, *self.ring_labels)

        def slider(
            value: float, lo: float, hi: float, label: str, css: str, what: str
        ) -> widgets.FloatSlider:
            s = widgets.FloatSlider(
                value=value,
                min=lo,
                max=hi,
                step=0.05,
                description=label,
                readout_format=".2f",
                style={"description_width": "initial"},
                tooltip=f"{label}: {what}",
            )
            s.add_class(css)
            s.observe(self._on_change, names="value")
            return s

        self.mu_x_slider = slider(mean[0], -3, 3, "μ_x", "gmmviz-mu-x", "x of the mean μ")
        self.mu_y_slider = slider(mean[1], -3, 3, "μ_y", "gmmviz-mu-y", "y of the mean μ")
        self.sigma_x_slider = slider(sigma_x, 0.1, 3, "σ_x", "gmmviz-sigma-x", "standard deviation along x")
        self.sigma_y_slider = slider(sigma_y, 0.1, 3, "σ_y", "gmmviz-sigma-y", "standard deviation along y")
        self.rho_slider = slider(rho, -0.95, 0.95, "ρ", "gmmviz-rho", "correlation of x and y")
        self.matrix = widgets.HTML()
        self.matrix.add_class("gmmviz-covariance-matrix")
        self.children = [
            widgets.HBox(
                [
                    widgets.VBox(
                        [
                            self.mu_x_slider,
                            self.mu_y_slider,
                            self.sigma_x_slider,
                            self.sigma_y_slider,
                            self.rho_slider,
                            self.matrix,
                        ]
                    ),
                    self.image,
                ]
            ),
            self.message,
            self.keyboard_scope,
        ]
        self._blitter.draw_background()
        self._redraw()

    # --- public API ---------------------------------------------------------------------------
    @staticmethod
    def params_for(mean: Sequence[float], sigma_x: float, sigma_y: float, rho: float) -> GMMParams:
        """The one-component GMMParams with μ = mean and Σ from σ_x, σ_y, ρ."""
        cov = np.array([[sigma_x**2, rho * sigma_x * sigma_y], [rho * sigma_x * sigma_y, sigma_y**2]])
        return GMMParams(np.ones(1), np.asarray(mean, dtype=float).reshape(1, 2), cov[None])

    @property
    def covariance(self) -> np.ndarray:
        """Σ currently shown, shape (2, 2)."""
        return self._params().covariances[0]

    def set_params(
        self,
        *,
        mean: Sequence[float] | None = None,
        sigma_x: float | None = None,
        sigma_y: float | None = None,
        rho: float | None = None,
    ) -> None:
        """Move the sliders (and so the picture) to these values; omitted ones stay.

        Raises
        ------
        ValueError
            For σ ≤ 0, |ρ| ≥ 1 or values outside the sliders' ranges (also shown in the widget).
        """
        new = {
            self.mu_x_slider: None if mean is None else float(np.ravel(mean)[0]),
            self.mu_y_slider: None if mean is None else float(np.ravel(mean)[1]),
            self.sigma_x_slider: sigma_x,
            self.sigma_y_slider: sigma_y,
            self.rho_slider: rho,
        }
        try:
            self._check(
                np.array(
                    [s.value if new[s] is None else new[s] for s in (self.mu_x_slider, self.mu_y_slider)]
                ),
                *(
                    s.value if new[s] is None else new[s]
                    for s in (self.sigma_x_slider, self.sigma_y_slider, self.rho_slider)
                ),
            )
            for s, v in new.items():
                if v is not None and not s.min <= v <= s.max:
                    raise ValueError(
                        f"{s.description}={v} is outside the slider's range "
                        f"[{s.min}, {s.max}]; choose a value inside it."
                    )
        except ValueError as exc:
            self.show_message(str(exc))
            raise
        self._batch = True  # one redraw for the whole change, not one per slider
        try:
            for s, v in new.items():
                if v is not None:
                    s.value = float(v)
        finally:
            self._batch = False
        self._redraw()

    def __repr__(self) -> str:
        return "GaussianExplorer()"

    # --- internals ----------------------------------------------------------------------------
    @staticmethod
    def _check(mean: np.ndarray, sigma_x: float, sigma_y: float, rho: float) -> None:
        if mean.shape != (2,):
            raise ValueError(f"mean must be two numbers (μ_x, μ_y), got shape {mean.shape}.")
        if not (sigma_x > 0 and sigma_y > 0):
            raise ValueError(f"σ_x and σ_y must be positive, got {sigma_x} and {sigma_y}.")
        if not -1 < rho < 1:
            raise ValueError(
                f"ρ must be strictly between -1 and 1 (|ρ| = 1 is a degenerate, flat Gaussian), got {rho}."
            )

    def _params(self) -> GMMParams:
        return self.params_for(
            (self.mu_x_slider.value, self.mu_y_slider.value),
            self.sigma_x_slider.value,
            self.sigma_y_slider.value,
            self.rho_slider.value,
        )

    def _samples(self, params: GMMParams) -> np.ndarray:
        return params.means[0] + self._z @ np.linalg.cholesky(params.covariances[0]).T

    @_reports_errors
    def _on_change(self, change: dict) -> None:
        if not self._batch:
            self._redraw()

    def _redraw(self) -> None:
        params = self._params()
        self.points.set_offsets(self._samples(params))
        gplot.update_ellipses(self.ellipses, params, n_std=self.n_std)
        self.center.set_data([params.means[0, 0]], [params.means[0, 1]])
        self._place_ring_labels(params)
        self._blitter.draw(None, [], [self.points, *self.ellipses, self.center, *self.ring_labels])
        self._publish()
        self.matrix.value = self._matrix_html(params.covariances[0])
        self.show_message("")

    def _place_ring_labels(self, params: GMMParams) -> None:
        cov = params.covariances[0]
        _, _, angle = gplot.ellipse_geometry(cov, 1.0)
        vals = np.linalg.eigvalsh(cov)
        major = float(np.sqrt(max(vals[-1], 0.0)))
        a = np.radians(angle)
        direction = np.array([np.cos(a), np.sin(a)])
        if direction[1] < 0 or (direction[1] == 0 and direction[0] < 0):
            direction = -direction  # label the upper end of the major axis
        center = params.means[0]
        # Rings closer than ~0.6 (data units) apart would print their labels on top of each
        # other: then only the outermost ring is labelled.
        crowded = major * np.min(np.diff((0.0, *self.n_std))) < 0.6
        for k, (label, s) in enumerate(zip(self.ring_labels, self.n_std)):
            x, y = center + s * major * direction
            inside = -self.LIMIT < x < self.LIMIT and -self.LIMIT < y < self.LIMIT
            label.set_position((x, y))
            label.set_visible(bool(inside and (not crowded or k == len(self.n_std) - 1)))

    @staticmethod
    def _matrix_html(cov: np.ndarray) -> str:
        cells = "".join(
            "<tr>"
            + "".join(f'<td style="padding:2px 8px;text-align:right">{v:.2f}</td>' for v in row)
            + "</tr>"
            for row in cov
        )
        return (
            '<div style="display:flex;align-items:center;gap:6px;font-family:monospace;'
            f'color:{_TEXT};background:{_PAPER}">'
            f'<span>Σ =</span><table style="border-left:2px solid {RULE};border-right:2px solid {RULE}">'
            f"{cells}</table></div>"
        )


# --------------------------------------------------------------------------------------------
# BellCurveExplorer
# --------------------------------------------------------------------------------------------
class BellCurveExplorer(_FigureBox):
    """The 1-D normal density 𝒩(x | 0, σ²) with a σ slider: a narrower bell is a taller bell.

    The picture shows the bell on fixed axes (so its changes are seen, not rescaled away), the
    area under it shaded (always 1), its peak marked and labelled with its height
    1/√(2πσ²), and a dashed line at density 1: for σ < 1/√(2π) ≈ 0.4 the peak rises above it,
    because a density is not a probability. The readout repeats σ and the peak height.

    Parameters
    ----------
    sigma : float
        Starting standard deviation, from :attr:`SIGMA_MIN` to :attr:`SIGMA_MAX`.
    figsize, dpi
        Size of the rendered figure.

    Raises
    ------
    TypeError
        ``sigma`` is not a number.
    ValueError
        ``sigma`` is not positive, not finite or outside the slider's range.

    Attributes
    ----------
    sigma_slider : FloatSlider
        σ, from :attr:`SIGMA_MIN` to :attr:`SIGMA_MAX` in steps of 0.1.
    readout, message : HTML
    figure : matplotlib.figure.Figure
    ax : Axes
    grid : ndarray, shape (801,)
        The x values of the curve, from -:attr:`X_LIMIT` to :attr:`X_LIMIT` (0, the peak, among them).
    curve : Line2D
        The density on :attr:`grid`.
    area : Polygon
        The shaded area under the curve.
    peak_marker : Line2D
        The point (0, peak height).
    peak_label : Annotation
        "peak 0.399" beside the peak.
    one_line : Line2D
        The dashed line at density 1 (static).
    headline : Text
        The figure's title: σ and the peak height.
    """

    SIGMA_MIN, SIGMA_MAX, SIGMA_STEP = 0.2, 3.0, 0.1
    X_LIMIT = 4.0
    # σ = 0.2 peaks at 1.995: room above it for its label.
    Y_MAX = 2.2

    def __init__(
        self,
        sigma: float = 1.0,
        *,
        figsize: tuple[float, float] = (7.0, 3.3),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        sigma = self._check_sigma(sigma)
        self.add_class("gmmviz-bell-explorer")
        self.grid = np.linspace(-self.X_LIMIT, self.X_LIMIT, 801)  # holds x = 0, the peak
        self._init_figure(figsize, dpi, "gmmviz-bell-explorer")
        color = component_colors(1)[0]
        ax = self.ax = self.figure.add_axes((0.09, 0.15, 0.56, 0.72))
        ax.set_xlim(-self.X_LIMIT, self.X_LIMIT)
        ax.set_ylim(0.0, self.Y_MAX)
        ax.set_autoscale_on(False)
        ax.set_xlabel("x")
        ax.set_ylabel("density p(x)")
        ax.grid(True, color="0.92")
        self.one_line = ax.axhline(
            1.0, color="0.35", linestyle="--", linewidth=1.1, label="density 1 (a peak can\ngo above it)"
        )
        self.area = Polygon(
            np.zeros((3, 2)),
            closed=True,
            facecolor=color,
            alpha=0.22,
            edgecolor="none",
            label="area under it: always 1",
        )
        ax.add_patch(self.area)
        (self.curve,) = ax.plot(
            [], [], "-", color=color, linewidth=2.2, label=r"the bell $\mathcal{N}(x \mid 0, \sigma^2)$"
        )
        (self.peak_marker,) = ax.plot(
            [],
            [],
            "o",
            color=color,
            markersize=7,
            markeredgecolor="white",
            zorder=5,
            label=r"its peak, $1/\sqrt{2\pi\sigma^2}$",
        )
        self.peak_label = ax.annotate(
            "",
            (0.0, 0.0),
            xytext=(0, 9),
            textcoords="offset points",
            fontsize=10,
            fontweight="bold",
            color="0.1",
            zorder=6,
        )
        # Outside the axes: the bell, wide or narrow, never runs under it.
        ax.legend(
            handles=[self.curve, self.area, self.peak_marker, self.one_line],
            loc="upper left",
            bbox_to_anchor=(1.03, 1.0),
            fontsize=9,
            frameon=False,
            labelspacing=0.9,
        )
        self.headline = self.figure.text(0.09, 0.94, "", ha="left", va="center", fontsize=11, color="0.1")
        _Blitter.track(self.area, self.curve, self.peak_marker, self.peak_label, self.headline)

        self.sigma_slider = widgets.FloatSlider(
            value=sigma,
            min=self.SIGMA_MIN,
            max=self.SIGMA_MAX,
            step=self.SIGMA_STEP,
            description="σ",
            readout_format=".2f",
            style={"description_width": "initial"},
            tooltip="σ: the standard deviation of the bell (its width)",
            layout=widgets.Layout(width="360px"),
        )
        self.sigma_slider.add_class("gmmviz-bell-sigma")
        self.readout = widgets.HTML(value="")
        self.readout.add_class("gmmviz-readout")
        self.children = [self.sigma_slider, self.image, self.readout, self.message, self.keyboard_scope]
        self._blitter.draw_background()
        self._redraw()
        self.sigma_slider.observe(self._on_change, names="value")

    # --- public API ---------------------------------------------------------------------------
    @property
    def sigma(self) -> float:
        """The standard deviation σ shown (the slider's value)."""
        return float(self.sigma_slider.value)

    @property
    def params(self) -> GMMParams:
        """The bell as a one-component, one-feature GMMParams: μ = 0, Σ = σ²."""
        return GMMParams(np.ones(1), np.zeros((1, 1)), np.full((1, 1, 1), self.sigma**2))

    @property
    def density(self) -> np.ndarray:
        """𝒩(x | 0, σ²) on :attr:`grid`, the curve drawn."""
        return gplot.weighted_component_pdfs(self.grid, self.params)[0]

    @property
    def peak_height(self) -> float:
        """The density at its peak x = 0: 1/√(2πσ²)."""
        return float(gplot.weighted_component_pdfs([0.0], self.params)[0, 0])

    def set_sigma(self, sigma: float) -> None:
        """Move the σ slider (and so the picture) to ``sigma``.

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Not positive, not finite or outside the slider's range (also shown in the widget).
        """
        sigma = self._shown(self._check_sigma, sigma)
        if self.sigma_slider.value != sigma:
            self.sigma_slider.value = sigma  # the observer draws
        else:
            self._redraw()

    def __repr__(self) -> str:
        # nbval compares this text: σ is set by the notebook's code (no other float).
        return f"BellCurveExplorer(sigma={self.sigma:g})"

    # --- internals ----------------------------------------------------------------------------
    @classmethod
    def _check_sigma(cls, sigma: Any) -> float:
        sigma = check_number(sigma, "σ", minimum=0.0, strict=True, hint=": a standard deviation is a width")
        return check_number(
            sigma,
            "σ",
            minimum=cls.SIGMA_MIN,
            maximum=cls.SIGMA_MAX,
            hint=f" (the slider goes from {cls.SIGMA_MIN:g} to {cls.SIGMA_MAX:g})",
        )

    @_reports_errors
    def _on_change(self, change: dict) -> None:
        self._redraw()

    def _redraw(self) -> None:
        sigma, y, peak = self.sigma, self.density, self.peak_height
        self.curve.set_data(self.grid, y)
        self.area.set_xy(
            np.concatenate([[[self.grid[0], 0.0]], np.column_stack([self.grid, y]), [[self.grid[-1], 0.0]]])
        )
        self.peak_marker.set_data([0.0], [peak])
        self.peak_label.xy = (0.0, peak)
        self.peak_label.set_text(f"peak {peak:.3f}")
        # Above the peak while there is room; near the top, beside it (the bell is narrow there).
        if peak < 0.85 * self.Y_MAX:
            self.peak_label.set_position((0, 9))
            self.peak_label.set_horizontalalignment("center")
            self.peak_label.set_verticalalignment("bottom")
        else:
            self.peak_label.set_position((9, 0))
            self.peak_label.set_horizontalalignment("left")
            self.peak_label.set_verticalalignment("center")
        self.headline.set_text(
            f"σ = {sigma:.2f}: peak height 1/√(2πσ²) = {peak:.3f}" + (", above 1" if peak > 1 else "")
        )
        self._blitter.draw(
            None, [], [self.area, self.curve, self.peak_marker, self.peak_label, self.headline]
        )
        self._publish()
        self.readout.value = self._readout_html(sigma, peak)
        self.show_message("")

    @staticmethod
    def _readout_html(sigma: float, peak: float) -> str:
        above = " · <b>above 1</b>: a density, not a probability" if peak > 1 else ""
        return (
            f'<div style="{_READOUT_STYLE}">σ = {sigma:.2f} · peak height = 1/√(2πσ²) = '
            f"<b>{peak:.3f}</b>{above} · area under the curve = 1</div>"
        )


# --------------------------------------------------------------------------------------------
# SingularityExplorer
# --------------------------------------------------------------------------------------------
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _plus_reg_covar(params: GMMParams, reg_covar: float) -> GMMParams:
    """``params`` with ``reg_covar`` added to every variance, as EM's M-step adds it."""
    if reg_covar == 0:
        return params
    covs = add_reg_covar(params.covariances, params.covariance_type, reg_covar)
    return GMMParams(params.weights, params.means, covs, params.covariance_type)


class SingularityExplorer(_FigureBox):
    """A component collapsing onto one data point: ln p(X) → ∞, and what ``reg_covar`` does.

    The mixture shown is ``params`` (a good fit, say) with its weights scaled by (1 − weight)
    plus one more component, the *needle*, of weight ``weight``, centred on the data point
    ``X[point_index]`` with covariance σ² I (:func:`gmmviz.em.add_component`). The log10 σ
    slider shrinks the needle. Left: the points coloured by their responsibilities, the
    ellipses (the needle's, in its own colour, shrinking onto the circled point) and the means.
    Right: ln p(X) against σ (log scale) with the current σ marked; the dashed line is ln p(X)
    without the needle. With ``reg_covar`` ticked, ``reg_covar`` is added to every variance, as
    EM's M-step does: the needle's variance is σ² + reg_covar, never below ``reg_covar``, so the
    curve levels off at a ceiling instead of rising without bound (the unregularised curve stays
    visible, faint; the dotted line is its level as σ → 0). The readout gives σ, the needle's variance, ln p(X) and the needle's
    responsibility for its point.

    Parameters
    ----------
    X : array_like, shape (n, d), d >= 2
        The data; the picture shows the features ``dims``.
    params : GMMParams
        The mixture to add the needle to ('full', 'diag' or 'spherical'; d features like X).
    point_index : int
        Which point the needle sits on, 0 <= point_index < n.
    weight : float
        The needle's mixing weight π, strictly between 0 and 1.
    log10_sigma : float
        Starting slider position.
    reg_covar : float or None
        None or 0: start with reg_covar off (the slider then starts at 1e-6); a value in
        [1e-9, 1]: start with it on.
    dims : pair of int
        Features to show for d > 2 (ellipses are the marginals on them).
    n_std : sequence of float
        Ellipse radii in standard deviations.
    figsize, dpi
        Size of the rendered figure.

    Bad input does not raise: the explorer shows what is wrong instead (``message_text``).

    Attributes
    ----------
    sigma_slider : FloatSlider
        log10 σ, from :attr:`LOG10_SIGMA_MIN` to :attr:`LOG10_SIGMA_MAX`.
    reg_toggle : Checkbox
    reg_slider : FloatLogSlider
    readout, message : HTML
    figure : matplotlib.figure.Figure
    ax_points, ax_ll : Axes
    points, ellipses, needle_ellipses, means, point_ring, headline
        Left-panel artists (``needle_ellipses`` are the needle's rings, the last of ``ellipses``).
    ll_curve, ll_curve_free, ll_marker, sigma_line, reference_line, limit_line, ll_note
        Right-panel artists: ln p(X) against σ with the current reg_covar, the same without
        reg_covar (shown faint when reg_covar is on), the current σ, ln p(X) without the needle,
        ln p(X) as σ → 0 with reg_covar (hidden when off) and the panel's title, which says
        what reg_covar does.
    """

    LOG10_SIGMA_MIN = -12.0
    LOG10_SIGMA_MAX = 0.5
    REG_MIN, REG_MAX = 1e-9, 1.0

    def __init__(
        self,
        X: Any,
        params: GMMParams,
        point_index: int = 0,
        weight: float = 0.05,
        *,
        log10_sigma: float = -1.0,
        reg_covar: float | None = None,
        dims: Sequence[int] = (0, 1),
        n_std: Sequence[float] = (1, 2, 3),
        n_curve: int = 101,
        figsize: tuple[float, float] = (8.6, 3.7),
        dpi: float = 90,
    ) -> None:
        super().__init__()
        self.add_class("gmmviz-singularity-explorer")
        self.X = None
        self.n_std = check_n_std(n_std)
        self._batch = False
        self._init_figure(figsize, dpi, "gmmviz-singularity-explorer")
        self.ax_points = self.figure.add_axes((0.07, 0.13, 0.40, 0.72))
        self.ax_ll = self.figure.add_axes((0.58, 0.13, 0.40, 0.70))
        self.headline = self.figure.text(0.012, 0.945, "", ha="left", va="center", fontsize=10, color="0.1")

        style = {"description_width": "initial"}
        self.sigma_slider = widgets.FloatSlider(
            value=-1.0,
            min=self.LOG10_SIGMA_MIN,
            max=self.LOG10_SIGMA_MAX,
            step=0.25,
            description="log10 σ",
            readout_format=".2f",
            style=style,
            tooltip="log10 σ: width of the needle component (σ² I) on the circled point",
            layout=widgets.Layout(width="360px"),
        )
        self.sigma_slider.add_class("gmmviz-sigma-slider")
        self.reg_toggle = widgets.Checkbox(
            value=False,
            description="reg_covar",
            indent=False,
            tooltip="reg_covar on/off: add it to every variance, as EM's M-step does",
            layout=widgets.Layout(width="100px"),
        )
        self.reg_toggle.add_class("gmmviz-reg-toggle")
        self.reg_slider = widgets.FloatLogSlider(
            value=1e-6,
            base=10,
            min=np.log10(self.REG_MIN),
            max=np.log10(self.REG_MAX),
            step=0.5,
            description="value",
            readout_format=".0e",
            disabled=True,
            style=style,
            tooltip="reg_covar value: the amount added to every variance",
            layout=widgets.Layout(width="260px"),
        )
        self.reg_slider.add_class("gmmviz-reg-covar")
        self.readout = widgets.HTML(value="")
        self.readout.add_class("gmmviz-readout")
        self.children = [
            widgets.HBox([self.sigma_slider, self.reg_toggle, self.reg_slider]),
            self.image,
            self.readout,
            self.message,
            self.keyboard_scope,
        ]

        try:
            x, self.dims = _as_data(X, dims)
            self._setup(x, params, point_index, weight, log10_sigma, reg_covar, int(n_curve))
        except (TypeError, ValueError) as exc:
            self.X = None
            self._disable(_describe(exc))
            return
        for w in (self.sigma_slider, self.reg_toggle, self.reg_slider):
            w.observe(self._on_change, names="value")
        self._install_reg()

    # --- public API ---------------------------------------------------------------------------
    @property
    def log10_sigma(self) -> float:
        """log10 of the needle's σ (the slider's value)."""
        return float(self.sigma_slider.value)

    @property
    def sigma(self) -> float:
        """The needle's σ: its covariance is σ² I (plus reg_covar · I when that is on)."""
        return 10.0**self.log10_sigma

    @property
    def reg_covar(self) -> float:
        """The reg_covar in use: the slider's value when ticked, else 0."""
        return float(self.reg_slider.value) if self.reg_toggle.value else 0.0

    def params_at(self, sigma: float, reg_covar: float | None = None) -> GMMParams:
        """The mixture with the needle of width ``sigma`` (reg_covar: the current one if None)."""
        if self.X is None:
            raise ValueError("Nothing to show; fix the problem shown in the widget first.")
        r = self.reg_covar if reg_covar is None else float(reg_covar)
        base = _plus_reg_covar(self.base, r)
        return add_component(base, self.point, float(sigma) ** 2 + r, self.weight)

    @property
    def params(self) -> GMMParams:
        """The mixture shown (K + 1 components, the needle last)."""
        return self.params_at(self.sigma)

    @property
    def log_likelihood(self) -> float:
        """ln p(X) of the mixture shown."""
        return self._ll

    def set_log10_sigma(self, value: float) -> None:
        """Move the σ slider to log10 σ = ``value`` (and so the picture).

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Outside the slider's range (also shown in the widget).
        """
        lo, hi = self.sigma_slider.min, self.sigma_slider.max
        hint = f" (σ from {10.0**lo:.0e} to {10.0**hi:.1f})"
        value = self._shown(check_number, value, "log10 σ", minimum=lo, maximum=hi, hint=hint)
        if self.sigma_slider.value != value:
            self.sigma_slider.value = float(value)  # the observer draws
        elif self.X is not None:
            self._redraw()

    def set_sigma(self, sigma: float) -> None:
        """Show the needle with width ``sigma`` > 0 (moves the log10 σ slider).

        Raises
        ------
        TypeError
            Not a number (also shown in the widget).
        ValueError
            Not positive (also shown in the widget).
        """
        sigma = self._shown(check_number, sigma, "σ", minimum=0.0, strict=True)
        self.set_log10_sigma(float(np.log10(sigma)))

    def set_reg_covar(self, value: float | None) -> None:
        """Turn reg_covar off (None or 0) or on with ``value`` in [1e-9, 1].

        Raises
        ------
        TypeError
            Not a number nor None (also shown in the widget).
        ValueError
            For other values (also shown in the widget).
        """
        on, value = self._shown(self._check_reg, value)
        self._batch = True  # one redraw for both controls
        try:
            if on:
                self.reg_slider.value = value
            self.reg_toggle.value = on
        finally:
            self._batch = False
        if self.X is not None:
            self._install_reg()

    def __repr__(self) -> str:
        # nbval compares this text: only stable, input-determined facts, no floats.
        if self.X is None:
            return "SingularityExplorer(invalid input)"
        return (
            f"SingularityExplorer(n_points={self.X.shape[0]}, K={self.base.n_components + 1}, "
            f"point_index={self.point_index})"
        )

    # --- set-up -------------------------------------------------------------------------------
    def _check_reg(self, value: Any) -> tuple[bool, float]:
        if value is None:
            return False, 0.0
        value = check_number(value, "reg_covar", hint=": pass None or 0 (off), or a number like 1e-6")
        if value == 0:
            return False, 0.0
        if not self.REG_MIN <= value <= self.REG_MAX:
            raise ValueError(
                f"reg_covar must be None or 0 (off), or a number from {self.REG_MIN:g} "
                f"to {self.REG_MAX:g}, got {value!r}."
            )
        return True, float(value)

    def _setup(
        self,
        x: np.ndarray,
        params: Any,
        point_index: Any,
        weight: Any,
        log10_sigma: Any,
        reg_covar: Any,
        n_curve: int,
    ) -> None:
        n, d = x.shape
        check_params(params, d)
        point_index = check_int(
            point_index, "point_index", minimum=0, maximum=n - 1, hint=f": X has {n} points"
        )
        # The needle's own checks (weight in (0, 1), no 'tied' mixture) are add_component's:
        # calling it once here reports them before anything is drawn.
        add_component(params, x[int(point_index)], 1.0, weight)
        on, reg = self._check_reg(reg_covar)
        self.X, self.base, self.point_index, self.weight = x, params, int(point_index), float(weight)
        self.point = x[self.point_index]
        lo, hi = self.LOG10_SIGMA_MIN, self.LOG10_SIGMA_MAX
        log10_sigma = check_number(log10_sigma, "log10_sigma", minimum=lo, maximum=hi)
        self.sigma_slider.value = float(log10_sigma)  # no observer yet: nothing is drawn
        if on:
            self.reg_slider.value = reg
        self.reg_toggle.value = on
        self.reg_slider.disabled = not on
        self._log10_grid = np.linspace(self.LOG10_SIGMA_MIN, self.LOG10_SIGMA_MAX, max(n_curve, 2))
        self._ll_free = self._curve(0.0)

        # Left: points, ellipses (the needle's last, in its own colour), means, the circled point.
        k = params.n_components + 1
        self.palette = component_colors(k)
        needle = to_hex(self.palette[-1])  # the needle's colour, also for its σ on the right
        ax = self.ax_points
        first = self.params_at(self.sigma)
        self.points = gplot.plot_points(
            ax, x, e_step(x, first)[0], dims=self.dims, palette=self.palette, size=9, marker=_DOT
        )
        self.ellipses = gplot.plot_ellipses(ax, first, dims=self.dims, n_std=self.n_std, palette=self.palette)
        self.needle_ellipses = self.ellipses[-len(self.n_std) :]
        self.means = gplot.plot_means(ax, first, dims=self.dims, palette=self.palette)
        px, py = self.point[self.dims[0]], self.point[self.dims[1]]
        (self.point_ring,) = ax.plot(
            [px],
            [py],
            "o",
            markersize=13,
            markerfacecolor="none",
            markeredgecolor="k",
            markeredgewidth=1.4,
            zorder=6,
        )
        label = f"x{str(self.point_index).translate(_SUBSCRIPTS)}"
        self.point_label = ax.annotate(
            label,
            (px, py),
            xytext=(9, 7),
            textcoords="offset points",
            fontsize=11,
            fontweight="bold",
            zorder=6,
        )
        xlim, ylim = _data_limits(x[:, self.dims])
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_autoscale_on(False)  # (plot_points labelled the axes $x_i$, 1-based, as every picture)

        # Right: ln p(X) against σ.
        ax = self.ax_ll
        sig = 10.0**self._log10_grid
        (self.ll_curve_free,) = ax.plot(
            sig, self._ll_free, "-", color="0.72", linewidth=1.3, label="reg_covar = 0"
        )
        (self.ll_curve,) = ax.plot(sig, self._ll_free, "-", color="0.15", linewidth=1.8, label="ln p(X)")
        self.reference_line = ax.axhline(
            0.0, color="0.45", linestyle="--", linewidth=1, label=f"without the needle (K={k - 1})"
        )
        self.limit_line = ax.axhline(
            0.0, color=needle, linestyle=":", linewidth=1.3, label="its limit as σ → 0"
        )
        self.sigma_line = ax.axvline(self.sigma, color=needle, linewidth=0.9, alpha=0.6)
        (self.ll_marker,) = ax.plot(
            [], [], "o", color=needle, markersize=8, markerfacecolor="none", markeredgewidth=2, zorder=5
        )
        # What reg_covar does to the curve, as the panel's title (static: changes with reg_covar).
        self.ll_note = ax.set_title("", fontsize=8.5)
        ax.set_xscale("log")
        ax.set_xlim(sig[0], sig[-1])
        ax.set_xlabel("σ of the needle (log scale)")
        ax.set_ylabel("ln p(X)")
        _Blitter.track(
            self.points,
            *self.ellipses,
            self.means.markers,
            *self.means.numbers,
            self.point_ring,
            self.point_label,
            self.headline,
            self.ll_marker,
            self.sigma_line,
        )

    def _curve(self, reg_covar: float) -> np.ndarray:
        return np.array(
            [log_likelihood(self.X, self.params_at(10.0**v, reg_covar)) for v in self._log10_grid]
        )

    def _disable(self, text: str) -> None:
        for w in (self.sigma_slider, self.reg_toggle, self.reg_slider):
            w.disabled = True
        self.ax_points.text(
            0.5,
            0.5,
            "nothing to show",
            ha="center",
            va="center",
            transform=self.ax_points.transAxes,
            color="0.5",
        )
        self.ax_ll.set_axis_off()
        self._blitter.draw_background()
        self._publish()
        self.show_message(text)

    # --- callbacks and drawing ----------------------------------------------------------------
    @_reports_errors
    def _on_change(self, change: dict) -> None:
        if self._batch:
            return
        if change["owner"] is self.sigma_slider:
            self._redraw()
        else:
            self._install_reg()

    def _install_reg(self) -> None:
        """reg_covar changed: new curve, ceiling and note (static parts), then the frame."""
        r = self.reg_covar
        self.reg_slider.disabled = not self.reg_toggle.value
        ll = self._ll_free if r == 0 else self._curve(r)
        self.ll_curve.set_ydata(ll)
        self.ll_curve_free.set_visible(r > 0)
        self._reference = log_likelihood(self.X, _plus_reg_covar(self.base, r))
        self.reference_line.set_ydata([self._reference] * 2)
        if r > 0:
            # σ = 0: the needle's variance is reg_covar alone; the curve levels off there.
            ceiling = log_likelihood(
                self.X, add_component(_plus_reg_covar(self.base, r), self.point, r, self.weight)
            )
            self.limit_line.set_ydata([ceiling] * 2)
            self.ll_note.set_text(
                f"reg_covar = {r:.0e}: the needle's variance ≥ {r:.0e},\n"
                f"so ln p(X) levels off at {ceiling:.1f}"
            )
        else:
            ceiling = None
            self.ll_note.set_text("reg_covar off: no ceiling,\nln p(X) → ∞ as σ → 0")
        self.limit_line.set_visible(ceiling is not None)
        self.ll_curve.set_label("ln p(X)" if r == 0 else f"ln p(X), reg_covar = {r:.0e}")
        values = np.concatenate([self._ll_free, ll, [self._reference]])
        lo, hi = float(values.min()), float(values.max())
        pad = 0.06 * max(hi - lo, 1.0)
        self.ax_ll.set_ylim(lo - pad, hi + pad)
        handles = [
            self.ll_curve,
            *([self.ll_curve_free, self.limit_line] if r > 0 else []),
            self.reference_line,
        ]
        self.ax_ll.legend(handles=handles, loc="upper right", fontsize=7.5, framealpha=0.9)
        self._blitter.draw_background()
        self._redraw()

    def _redraw(self) -> None:
        sigma, r = self.sigma, self.reg_covar
        params = self.params_at(sigma, r)
        resp, ll = e_step(self.X, params)
        self._ll = ll
        gplot.update_points(self.points, resp, palette=self.palette)
        gplot.update_ellipses(self.ellipses, params, dims=self.dims, n_std=self.n_std)
        self.ll_marker.set_data([sigma], [ll])
        self.sigma_line.set_xdata([sigma, sigma])
        self.headline.set_text(
            f"needle on point {self.point_index}, σ = {sigma:.1e}"
            + (f", reg_covar = {r:.0e}" if r > 0 else "")
            + f":  ln p(X) = {ll:.2f}"
        )
        self._blitter.draw(
            None,
            [],
            [
                self.points,
                *self.ellipses,
                self.means.markers,
                *self.means.numbers,
                self.point_ring,
                self.point_label,
                self.headline,
                self.sigma_line,
                self.ll_marker,
            ],
        )
        self._publish()
        self.readout.value = self._readout_html(sigma, r, ll, float(resp[self.point_index, -1]))
        self.show_message("")

    def _readout_html(self, sigma: float, r: float, ll: float, gamma: float) -> str:
        ref = self._reference
        verdict = "<b>higher</b> than" if ll > ref else "lower than"
        return (
            f'<div style="{_READOUT_STYLE}">σ = {sigma:.2e} · variance of the needle σ² + reg_covar = '
            f"{sigma**2 + r:.2e} · <b>ln p(X) = {ll:.2f}</b>, {verdict} without the needle "
            f"({ref:.2f}) · the needle's responsibility for point {self.point_index}: "
            f"γ = {gamma:.3f}</div>"
        )
