"""Drawing pads: draw your own data in the browser or on the desktop, then fit EM to it.

Both pads share one base: the same controls (K, "K = number of pens", number of points, a Fit EM
button), the same ``points()`` and ``fit()``, the same defaults, and one display path (the live
widget, plus a static PNG of the drawing in the same output for readers without a kernel). What a
drawing becomes is :mod:`gmmviz.sketch`'s business; the pads only collect the drawing.

In the browser (JupyterLab 4, works offline)::

    pad = SketchPad()          # canvas with pens 1..8 named by colour, brush size, undo, clear
    pad                        # (the last line of a cell) displays it, once
    X, labels = pad.points(n_points=300, random_state=0, fallback=example_sketch())
    explorer = pad.fit(random_state=0)   # one component per pen; or press the pad's "Fit EM"

The canvas is gmmviz's own small anywidget (``_PadCanvas``; its JavaScript and CSS are
``pad_canvas.js`` and ``pad_canvas.css`` beside this module: no other library, no build step, no
network). It has the pens, a brush size, undo, redo and clear; its CSS styles only the pad. The
page sends the drawing to Python, as a PNG data URL in the canvas's ``data_url`` trait, when a
stroke ends (the button released, on the canvas or outside it), on clear, undo and redo; a new
view (a second one, a reloaded page) draws the drawing the trait holds. A notebook run without a
browser (nbval, nbconvert) never receives a drawing: ``pad.points()`` then raises
:class:`~gmmviz.sketch.EmptySketchError` unless ``fallback=`` names a drawing to use instead.

In order with the cells: JupyterLab 4.4+ may send widget messages to a kernel subshell, which
ipykernel 7 handles in a thread beside the cell that runs, so a stroke sent before a cell was run
could reach Python after the cell read the drawing, and a Fit EM click could be handled before the
last stroke. The course's JupyterLab settings (``jupyter/lab/settings/overrides.json5``, used by
``make lab`` and the browser tests) turn that off (``commsOverSubshells: "disabled"``): the kernel
then handles what the page sent in order, in the main shell, before a cell run after it.

Pens: pen k has component k's colour (:func:`gmmviz.plot.component_colors`), so a good fit
paints each cluster in the colour it was drawn in; the pen buttons name the colour by word. The
pens are the only colours (there is no free colour picker). In
:meth:`SketchPad.points` a point drawn with pen k has label ``k - 1``, whichever pens were used:
drawn with pens 1 and 3, the labels are 0 and 2 (ink of another colour, e.g. in a fallback image,
counts for the pen of the nearest colour). Every message names pens by these numbers.

K: by default ("K = number of pens" ticked) Fit EM fits one component per pen drawn, and the K
slider follows the drawing. Moving K (or ``n_components=`` in the constructor) sets K on purpose:
the box is unticked and Fit EM uses that K. The status line says which K and why.

A new drawing (a stroke, clear, undo, Random clusters) removes the explorer Fit EM showed for the
previous drawing: what is on show below the canvas always belongs to what is on the canvas.

Without a mouse: the **Random clusters** button (Tab to it, press Enter or Space) fills the
canvas with K seeded clusters of dots, cluster k in pen k, so ``points()`` and Fit EM get
labelled clusters from the keyboard alone. :meth:`SketchPad.random_clusters` does the same
from code: Python has the picture at once, and the page draws it (undoably) and sends it back.
The canvas's own buttons (undo, redo, clear) and its brush size are reachable with Tab too.

On the desktop (the kernel's machine must have a display)::

    pad = IpysketchPad("gmm")  # shows an Edit button; the pad opens in a window
    X, labels = pad.points(n_points=300, random_state=0)

The Edit button starts ipysketch 0.2.2 through ``python -m gmmviz._ipysketch_launcher``, which
makes it run on today's Pillow, setuptools and X11 Tk, and saves ``gmm.isk`` (the strokes) and
``gmm.png`` (drawn with Pillow, so no Ghostscript). :meth:`IpysketchPad.points` reads ``gmm.isk``
when it exists (exact coordinates and pen colours), otherwise ``gmm.png``. Its pens are
ipysketch's own colours: labels ``0 .. C-1`` in the order the colours were first used. A thread
waits for the window to close and hands what it found to the kernel's main event loop
(``add_callback``), where every change to the pad's widgets happens.

CSS classes for browser tests: ``gmmviz-sketchpad`` (the canvas widget; its canvas element is
``.gmmviz-sketchpad canvas``), ``gmmviz-sketchpad-box`` (the whole browser pad),
``gmmviz-ipysketchpad-box`` (the whole desktop pad), ``gmmviz-sketch-k`` and
``gmmviz-sketch-n-points`` (the sliders), ``gmmviz-sketch-auto-k`` ("K = number of pens"),
``gmmviz-sketch-fit`` (Fit EM), ``gmmviz-sketch-random`` (Random clusters),
``gmmviz-sketch-pens`` (the pen choice), ``gmmviz-sketch-status`` (messages) and
``gmmviz-ipysketch-edit`` (the desktop pad's Edit). Inside ``gmmviz-sketchpad``: the buttons
``undo``, ``redo`` and ``clear`` (by their text), the brush size (``input[type=range]``) and the
brush colour (``input[type=color]``, hidden and disabled: it shows the pen, it picks nothing).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from IPython.display import display
from matplotlib.colors import to_hex
from PIL import Image, ImageDraw

from ._pad_messages import NO_DESKTOP_MESSAGE
from ._validation import check_int, check_random_state
from .keyboard import KeyboardScope
from .palette import ERROR_TEXT, INK, PAPER, QUIET_TEXT, component_color_names, component_colors
from .sketch import (
    WHAT_TO_DRAW,
    EmptySketchError,
    Stroke,
    load_isk,
    points_from_image,
    points_from_strokes,
    render_strokes,
)

__all__ = [
    "MAX_PENS",
    "NO_DESKTOP_MESSAGE",
    "SketchPad",
    "IpysketchPad",
    "has_display",
    "pen_colors",
]

MAX_PENS = 8
"""The browser pad offers this many pens (and the K slider goes this high)."""

_DEFAULT_K = 3
"""The K slider's first value when K follows the pens: what Random clusters draws at first."""

# Text colours of the status line on its own white background (set, so a dark theme cannot
# change it): both >= 4.5:1 (WCAG 2.2 AA), computed in tests/test_sketch.py from the HTML.
_STATUS_COLORS = {"info": QUIET_TEXT, "error": ERROR_TEXT}
_STATUS_BACKGROUND = PAPER


def pen_colors(n_pens: int = MAX_PENS) -> list[tuple[str, str]]:
    """``(name, "#rrggbb")`` of pens 1..n: pen k is component k's colour, named by word.

    Both come from :mod:`gmmviz.palette` (:func:`~gmmviz.palette.component_colors` and
    :func:`~gmmviz.palette.component_color_names`), the one place that decides them.
    """
    colors = [to_hex(c) for c in component_colors(n_pens)]
    return list(zip(component_color_names(n_pens), colors))


def has_display() -> bool:
    """Whether a desktop window can open where this Python runs (X11 needs ``DISPLAY``)."""
    if sys.platform.startswith(("win", "darwin")):
        return True
    return bool(os.environ.get("DISPLAY"))


def _kernel_loop() -> Any:
    """The main event loop of the IPython kernel this runs in (where its cells run and widget
    messages are handled), or None outside a kernel (plain Python, a script, the unit tests)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return None
    return getattr(getattr(get_ipython(), "kernel", None), "io_loop", None)


def _html_message(text: str, kind: str = "info") -> str:
    role = "alert" if kind == "error" else "status"
    return (
        f'<span role="{role}" style="color:{_STATUS_COLORS[kind]};'
        f'background:{_STATUS_BACKGROUND}">{html.escape(text)}</span>'
    )


def _png_bytes(image: Image.Image) -> bytes:
    with io.BytesIO() as buf:
        image.save(buf, format="PNG", optimize=True)
        return buf.getvalue()


def _nearest_pens(rgb: np.ndarray, pens: np.ndarray) -> np.ndarray:
    """For colours (C, 3) the index of the nearest pen colour (pens (P, 3)), by RGB distance."""
    distance = np.linalg.norm(
        np.asarray(rgb, dtype=float)[:, None, :] - np.asarray(pens, dtype=float)[None, :, :], axis=2
    )
    return distance.argmin(axis=1)


def _pen_list(pens: Iterable[int], palette: list[tuple[str, str]]) -> str:
    """``"pen 2 orange"`` or ``"pens 1 blue, 3 green"`` for 0-based pen indices."""
    pens = sorted({int(p) for p in pens})
    names = ", ".join(f"{p + 1} {palette[p][0]}" for p in pens)
    return ("pen " if len(pens) == 1 else "pens ") + names


def _rgba_of_data_url(url: str) -> np.ndarray | None:
    """RGBA pixels (H, W, 4) of a PNG data URL, or None for no data."""
    if not url:
        return None
    encoded = url.split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as im:
        return np.asarray(im.convert("RGBA"))


def _ink_key(rgba: np.ndarray | None) -> bytes | None:
    """A fingerprint of a drawing's pixels, or None when it has no ink (blank or no drawing).

    Two uploads of one picture (Python's PNG, then the page's own encoding of it) differ as
    text but not as pixels: they are the same drawing.
    """
    if rgba is None or not (rgba[..., 3] > 0).any():
        return None
    digest = hashlib.blake2b(str(rgba.shape).encode(), digest_size=16)
    digest.update(np.ascontiguousarray(rgba).tobytes())
    return digest.digest()


# --------------------------------------------------------------------------------------------
# The base: controls, points, fit, display
# --------------------------------------------------------------------------------------------


class _Pad:
    """What both pads share: K, number of points and Fit EM; ``points``, ``fit``; display.

    A subclass supplies its drawing widgets (:meth:`_drawing_widgets`), where its points come
    from (:meth:`_points_from_drawing`, raising ``EmptySketchError`` when nothing is drawn) and
    a picture of the drawing (:meth:`_drawing_png`); it may renumber labels
    (:meth:`_points_from_image`) and name them (:meth:`_describe_labels`).
    """

    css_class = "gmmviz-pad-box"

    def __init__(
        self, *, n_components: int | None = None, n_points: int = 300, random_state: int | None = 0
    ) -> None:
        if n_components is not None:
            n_components = check_int(n_components, "n_components", minimum=1, maximum=MAX_PENS)
        n_points = check_int(n_points, "n_points", minimum=20, maximum=2000)
        check_random_state(random_state)  # the same kinds as everywhere; kept as given, to reuse
        self.random_state = random_state
        self.explorer: Any = None
        self.source: str | None = None
        # One callback at a time: Fit EM, a new drawing and Random clusters all change what is shown.
        self._lock = threading.RLock()
        self._setting_k = False  # the pad itself is moving K (not the learner)
        self.k_control = widgets.IntSlider(
            value=_DEFAULT_K if n_components is None else n_components,
            min=1,
            max=MAX_PENS,
            description="K",
            continuous_update=False,
            tooltip="K: number of mixture components Fit EM uses (and clusters Random clusters draws); "
            "moving it sets K yourself",
        )
        self.k_control.add_class("gmmviz-sketch-k")
        self.k_control.observe(self._on_k, names="value")
        self.auto_k = widgets.Checkbox(
            value=n_components is None,
            description="K = number of pens",
            indent=False,
            tooltip="K = number of pens: Fit EM fits one component per pen colour drawn; untick it "
            "(or move K) to choose K yourself",
            layout=widgets.Layout(width="auto"),
        )
        self.auto_k.add_class("gmmviz-sketch-auto-k")
        self.auto_k.observe(self._on_auto_k, names="value")
        self.n_points_control = widgets.IntSlider(
            value=n_points,
            min=20,
            max=2000,
            step=10,
            description="points",
            continuous_update=False,
            tooltip="number of points sampled from the drawing",
        )
        self.n_points_control.add_class("gmmviz-sketch-n-points")
        self.fit_button = widgets.Button(
            description="Fit EM",
            icon="play",
            button_style="primary",
            tooltip="Fit EM: sample the points from the drawing and fit a mixture of K Gaussians",
        )
        self.fit_button.add_class("gmmviz-sketch-fit")
        self.fit_button.on_click(self._on_fit)
        self.status = widgets.HTML(_html_message(self._hint()))
        self.status.add_class("gmmviz-sketch-status")
        self.output = widgets.Output()
        extra = self._extra_controls()
        controls = widgets.HBox(
            [self.k_control, self.auto_k, self.n_points_control, *extra, self.fit_button],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        drawing = self._drawing_widgets()
        # KeyboardScope: Enter and Space on the pad's buttons press them (not notebook shortcuts).
        self.widget = widgets.VBox(
            [*drawing, controls, self.status, self.output, KeyboardScope(self.css_class)]
        )
        self.widget.add_class(self.css_class)

    # --- for subclasses -----------------------------------------------------------------------
    def _hint(self) -> str:
        return "Draw one pen colour per cluster, then press Fit EM."

    def _no_mouse(self) -> str:
        """What to press instead of drawing, in words ("" when there is nothing)."""
        return ""

    def _extra_controls(self) -> list[widgets.Widget]:
        return []

    def _drawing_widgets(self) -> list[widgets.Widget]:
        raise NotImplementedError

    def _points_from_drawing(self, n_points: int, random_state: Any, **kwargs: Any) -> tuple[np.ndarray, ...]:
        raise NotImplementedError

    def _points_from_image(self, image: Any, n_points: int, random_state: Any, **kwargs: Any):
        """Points of an image (the fallback); a pad may renumber the labels (SketchPad: by pen)."""
        return points_from_image(image, n_points, random_state=random_state, **kwargs)

    def _describe_labels(self, labels: np.ndarray) -> str:
        """The pens of ``labels`` in words, for the status line."""
        n = len(np.unique(labels))
        return f"{n} pen colour" + ("" if n == 1 else "s")

    def _drawing_png(self) -> bytes:
        raise NotImplementedError

    # --- display ------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # The live widget, our short text repr (the widgets' own reprs carry memory addresses,
        # which would change the saved output on every run), and a PNG of the drawing for
        # readers without a kernel: JupyterLab ranks the widget view above image/png.
        render = self.widget._repr_mimebundle_
        bundle = dict((render(**kwargs) if render is not None else {}) or {})
        bundle["text/plain"] = repr(self)
        bundle["image/png"] = base64.b64encode(self._drawing_png()).decode("ascii")
        return bundle

    # --- K ------------------------------------------------------------------------------------
    def _set_k(self, k: int) -> None:
        """Move the K slider from the pad (it stays following the pens)."""
        self._setting_k = True
        try:
            self.k_control.value = int(k)
        finally:
            self._setting_k = False

    def _on_k(self, _change: dict) -> None:
        if not self._setting_k:  # the learner (or their code) chose K: keep it
            self.auto_k.value = False

    def _on_auto_k(self, _change: dict) -> None:
        self._drawing_changed()  # ticked: K follows the pens again; either way the status says so

    def _k_why(self, k: int) -> str:
        if self.auto_k.value:
            return f"K={k}, one component per pen"
        return f"K={k}, the K you set"

    def _drawing_changed(self) -> None:
        """The drawing may have changed: subclasses refresh K and the status (SketchPad)."""

    # --- points and fit -----------------------------------------------------------------------
    def points(
        self,
        n_points: int | None = None,
        *,
        random_state: int | np.random.Generator | None = None,
        fallback: Any = None,
        **kwargs: Any,
    ) -> tuple[np.ndarray, ...]:
        """Sample ``(X, labels)`` from the drawing (see :func:`gmmviz.sketch.points_from_image`).

        Parameters
        ----------
        n_points : int, optional
            Defaults to the pad's points control.
        random_state : int, Generator or None
            Defaults to the pad's ``random_state``.
        fallback : image or path, optional
            Drawing used when the pad holds no ink (nothing drawn, or no browser as under
            nbval); ``example_sketch()`` is the course's. Without it an empty pad raises.
        **kwargs
            Passed on to the conversion (``box``, ``n_components``, ``return_colors``...).

        Returns
        -------
        X : ndarray, shape (n_points, 2)
        labels : ndarray of int, shape (n_points,)
            :class:`SketchPad`: ``k - 1`` for a point drawn with pen k (pens 1 and 3 give
            labels 0 and 2). :class:`IpysketchPad`: ``0 .. C-1`` in order of first use.
        colors : ndarray, shape (max(labels) + 1, 3), uint8
            With ``return_colors=True``: row c is the colour of label c.

        Raises
        ------
        EmptySketchError
            Nothing drawn and no fallback.
        """
        n_points = self.n_points_control.value if n_points is None else n_points
        random_state = self.random_state if random_state is None else random_state
        try:
            result = self._points_from_drawing(n_points, random_state, **kwargs)
            source = "canvas"
        except EmptySketchError:
            if fallback is None:
                raise
            result = self._points_from_image(fallback, n_points, random_state, **kwargs)
            source = "fallback"
        self.source = source
        X, labels = result[0], result[1]
        pens = self._describe_labels(labels)
        if source == "canvas":
            text = f"Using your drawing: {len(X)} points, {pens}."
        else:
            text = f"Nothing drawn yet: using the fallback drawing ({len(X)} points, {pens})."
        self.status.value = _html_message(text)
        return result

    def fit(
        self,
        n_components: int | None = None,
        *,
        n_points: int | None = None,
        random_state: int | np.random.Generator | None = None,
        fallback: Any = None,
        **explorer_kwargs: Any,
    ) -> Any:
        """Hand the drawn points to :class:`gmmviz.widgets.EMExplorer`; end a cell with it.

        Parameters
        ----------
        n_components : int, optional
            K; by default the number of pens in the drawing.
        n_points, random_state, fallback
            As for :meth:`points`.
        **explorer_kwargs
            Passed on to ``EMExplorer``.

        Returns
        -------
        EMExplorer
        """
        X, labels = self.points(n_points, random_state=random_state, fallback=fallback)
        k = int(len(np.unique(labels))) if n_components is None else n_components
        from gmmviz.widgets import EMExplorer

        self.explorer = EMExplorer(X, n_components=k, **explorer_kwargs)
        return self.explorer

    def _forget_fit(self) -> bool:
        """Remove the explorer of an earlier drawing from under the pad; whether there was one."""
        if self.explorer is None:
            return False
        self.output.clear_output()
        self.explorer = None
        return True

    def _on_fit(self, _button: Any = None) -> None:
        with self._lock:
            self._forget_fit()
            try:
                kwargs = {} if self.auto_k.value else {"n_components": self.k_control.value}
                X, labels = self.points(self.n_points_control.value, random_state=self.random_state, **kwargs)
                if self.auto_k.value:
                    self._set_k(len(np.unique(labels)))
                k = self.k_control.value
                from gmmviz.widgets import EMExplorer

                explorer = EMExplorer(X, n_components=k)
                with self.output:
                    display(explorer)
                self.explorer = explorer
            except EmptySketchError:
                # Fit EM fits the drawing only (the notebook's cells may use an example drawing).
                self.status.value = _html_message(
                    f"Nothing drawn yet, so Fit EM has nothing to fit: {WHAT_TO_DRAW}"
                    f"{self._no_mouse()}, then press Fit EM.",
                    "error",
                )
                return
            except (ValueError, TypeError, ImportError, OSError) as exc:
                self.status.value = _html_message(str(exc), "error")
                return
            how = (
                "one component per pen drawn; move K to choose K yourself"
                if self.auto_k.value
                else "the K you set; tick 'K = number of pens' for one component per pen"
            )
            self.status.value = _html_message(
                f"Fitted EM with K={k} ({how}) to {len(X)} points from your drawing "
                f"({self._describe_labels(labels)})."
            )


# --------------------------------------------------------------------------------------------
# In the browser: SketchPad
# --------------------------------------------------------------------------------------------

_PAD_CLASS = "gmmviz-sketchpad"
_HERE = Path(__file__).parent


class _PadCanvas(anywidget.AnyWidget):
    """The browser pad's drawing canvas: gmmviz's own anywidget (``pad_canvas.js``).

    Traits (synced with the page): ``width`` and ``height`` (pixels), ``pen_colors`` (one
    ``"#rrggbb"`` per pen) and ``pen_index`` (the brush colour), ``brush_size`` (pixels), and
    ``data_url``: the drawing as a PNG data URL on transparent paper, ``""`` until a page sends
    one. The page sets it when a stroke ends (the button released on the canvas or off it), on
    clear, undo and redo, and after drawing a picture sent by :meth:`show_picture`. Its CSS
    (``pad_canvas.css``) styles only what is inside the ``gmmviz-sketchpad`` class.
    """

    _esm = _HERE / "pad_canvas.js"
    _css = _HERE / "pad_canvas.css"
    width = traitlets.Int(400).tag(sync=True)
    height = traitlets.Int(300).tag(sync=True)
    pen_colors = traitlets.List(traitlets.Unicode(), default_value=[INK]).tag(sync=True)
    pen_index = traitlets.Int(0).tag(sync=True)
    brush_size = traitlets.Int(4, min=1, max=30).tag(sync=True)
    data_url = traitlets.Unicode("").tag(sync=True)

    def __init__(self, width: int, height: int) -> None:
        super().__init__(width=width, height=height)
        self.add_class(_PAD_CLASS)

    def __repr__(self) -> str:
        return f"_PadCanvas(width={self.width}, height={self.height})"

    @property
    def pen_color(self) -> str:
        """The brush colour, ``"#rrggbb"``."""
        return self.pen_colors[self.pen_index]

    def show_picture(self, url: str) -> None:
        """Put a picture (a PNG data URL) on the canvas: Python has it at once, the page draws it
        (undoably) and sends it back as after a stroke."""
        self.data_url = url
        self.send({"type": "picture", "url": url})


class SketchPad(_Pad):
    """A drawing canvas in JupyterLab whose ink becomes a labelled point cloud.

    Parameters
    ----------
    width, height : int
        Canvas size in pixels.
    n_components : int, optional
        K for Fit EM and Random clusters. By default K follows the drawing: one component per
        pen drawn (the "K = number of pens" box), and Random clusters draws 3 clusters at first.
    n_points : int
        Initial value of the pad's number-of-points control.
    random_state : int or None
        Seed used by Fit EM, Random clusters and ``points()``/``fit()`` when they get none.

    Attributes
    ----------
    canvas : anywidget.AnyWidget
        The drawing canvas, gmmviz's own widget (CSS class ``gmmviz-sketchpad``): the drawing
        is its ``data_url`` trait, the brush its ``pen_index`` and ``brush_size``.
    pens : ipywidgets.ToggleButtons
        Pen k in component k's colour, named by word ("1 blue", "2 orange", ...).
    random_button : ipywidgets.Button
        "Random clusters": K seeded clusters, cluster k in pen k (a path without a mouse).
    k_control, auto_k : ipywidgets.IntSlider, ipywidgets.Checkbox
        K, and whether K follows the number of pens drawn.
    widget : ipywidgets.VBox
        The whole pad: canvas, pens, controls, messages and the explorer Fit EM makes.
    explorer : EMExplorer or None
        The explorer made by Fit EM or :meth:`fit` for the drawing on the canvas (None again
        once the drawing changes).
    source : str or None
        ``"canvas"`` or ``"fallback"``: where the last points came from.

    Examples
    --------
    >>> pad = SketchPad()                     # doctest: +SKIP
    >>> X, labels = pad.points(300, random_state=0, fallback=example_sketch())  # doctest: +SKIP
    >>> pens = np.unique(labels) + 1          # the pen numbers drawn with  # doctest: +SKIP
    """

    css_class = "gmmviz-sketchpad-box"

    def __init__(
        self,
        width: int = 400,
        height: int = 300,
        *,
        n_components: int | None = None,
        n_points: int = 300,
        random_state: int | None = 0,
    ) -> None:
        self.width = check_int(width, "width (pixels)", minimum=50, maximum=2000)
        self.height = check_int(height, "height (pixels)", minimum=50, maximum=2000)
        self.canvas = _PadCanvas(self.width, self.height)
        self.pen_palette = pen_colors(MAX_PENS)
        self._pen_rgb = np.array(
            [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for _, c in self.pen_palette], dtype=np.uint8
        )
        self.pens = widgets.ToggleButtons(
            options=[(f"{k + 1} {name}", color) for k, (name, color) in enumerate(self.pen_palette)],
            description="pen",
            tooltips=[
                f"pen {k + 1}: draw in {name}, the colour of component {k + 1}"
                for k, (name, _) in enumerate(self.pen_palette)
            ],
            tooltip="pen: the brush colour; pen k draws in the colour of component k",
            style={"button_width": "auto"},
        )
        self.pens.add_class("gmmviz-sketch-pens")
        self.canvas.pen_colors = [c for _, c in self.pen_palette]
        self.canvas.pen_index = self.pens.index
        self.pens.observe(self._on_pen, names="index")
        # Linked in the page: the brush takes the pen chosen at once, without a trip to the kernel
        # (which may be busy).
        self._pen_link = widgets.jslink((self.pens, "index"), (self.canvas, "pen_index"))
        self.random_button = widgets.Button(
            description="Random clusters",
            icon="random",
            tooltip="Random clusters: fill the canvas with K random clusters of dots, cluster k "
            "in pen k (seeded), to fit without drawing by mouse",
        )
        self.random_button.add_class("gmmviz-sketch-random")
        self.random_button.on_click(self._on_random)
        self._random_rng = check_random_state(random_state)
        self._drawing_key: bytes | None = None
        super().__init__(n_components=n_components, n_points=n_points, random_state=random_state)
        self.canvas.observe(self._on_drawing, names="data_url")

    def _hint(self) -> str:
        return f"Draw one pen colour per cluster{self._no_mouse()}, then press Fit EM."

    def _no_mouse(self) -> str:
        return " (or press Random clusters)"

    def _drawing_widgets(self) -> list[widgets.Widget]:
        return [self.canvas, self.pens]

    def _extra_controls(self) -> list[widgets.Widget]:
        return [self.random_button]

    def __repr__(self) -> str:
        return f"SketchPad(width={self.width}, height={self.height})"

    @property
    def data(self) -> str:
        """The canvas as a PNG data URL, or ``""`` if no browser has shown the pad."""
        return self.canvas.data_url

    def image(self) -> Image.Image | None:
        """The drawing as an RGBA image, or None if no browser has sent it yet."""
        rgba = _rgba_of_data_url(self.data)
        return None if rgba is None else Image.fromarray(rgba)  # (H, W, 4) uint8: RGBA

    # --- pens ---------------------------------------------------------------------------------
    def _points_from_image(self, image: Any, n_points: int, random_state: Any, **kwargs: Any):
        """Points of an image, label ``k - 1`` for pen k (each ink colour counts for its nearest pen)."""
        return_colors = kwargs.pop("return_colors", False)
        X, found, rgb = points_from_image(
            image, n_points, random_state=random_state, return_colors=True, **kwargs
        )
        labels = _nearest_pens(rgb, self._pen_rgb)[found].astype(np.int64)
        if return_colors:
            return X, labels, self._pen_rgb[: labels.max() + 1].copy()
        return X, labels

    def _points_from_drawing(self, n_points: int, random_state: Any, **kwargs: Any):
        if not self.data:
            raise EmptySketchError(
                "nothing has been drawn on the SketchPad yet (the drawing reaches Python when "
                f"the pad is shown in JupyterLab and a stroke ends): {WHAT_TO_DRAW}, "
                "or press Random clusters. To run without a browser, pass "
                "fallback=example_sketch()"
            )
        return self._points_from_image(self.data, n_points, random_state, **kwargs)

    def _describe_labels(self, labels: np.ndarray) -> str:
        return _pen_list(np.unique(labels), self.pen_palette)

    def _pens_drawn(self, rgba: np.ndarray | None) -> list[int]:
        """The pens (0-based) with ink in the drawing; [] for none (or ink that is no sketch)."""
        if rgba is None:
            return []
        try:
            # Every colour gets at least one point: ten points find up to ten colours.
            _, labels = self._points_from_image(rgba, 10, 0)
        except ValueError:  # EmptySketchError, or an image of too many colours
            return []
        return sorted({int(v) for v in labels})

    # --- a new drawing ------------------------------------------------------------------------
    def _on_drawing(self, change: dict) -> None:
        with self._lock:
            rgba = _rgba_of_data_url(change["new"])
            key = _ink_key(rgba)
            if key == self._drawing_key:
                return  # the same pixels again (the page's copy of Python's picture)
            self._drawing_key = key
            removed = self._forget_fit()
            self._say_drawing(rgba, removed)

    def _drawing_changed(self) -> None:
        with self._lock:
            self._say_drawing(_rgba_of_data_url(self.data), False)

    def _say_drawing(self, rgba: np.ndarray | None, removed: bool) -> None:
        """K follows the pens drawn (when it should); the status says what Fit EM will do."""
        pens = self._pens_drawn(rgba)
        if pens and self.auto_k.value:
            self._set_k(len(pens))
        before = "New drawing: the fit of the previous one is removed. " if removed else ""
        if pens:
            text = (
                f"{before}Your drawing: {_pen_list(pens, self.pen_palette)}. Press Fit EM "
                f"({self._k_why(self.k_control.value)})."
            )
        elif rgba is not None:
            text = f"{before}The canvas is empty. {self._hint()}"
        else:
            return
        self.status.value = _html_message(text)

    def _drawing_png(self) -> bytes:
        image = self.image()
        if image is None:
            image = Image.new("RGBA", (self.width, self.height), (0, 0, 0, 0))
        # On white paper with a frame, as the canvas looks in the page.
        page = Image.new("RGB", image.size, "white")
        page.paste(image, mask=image.getchannel("A"))
        ImageDraw.Draw(page).rectangle((0, 0, page.width - 1, page.height - 1), outline="black")
        return _png_bytes(page)

    def _on_pen(self, change: dict) -> None:
        self.canvas.pen_index = change["new"]

    def random_clusters(
        self,
        n_clusters: int | None = None,
        *,
        random_state: int | np.random.Generator | None = None,
        dots_per_cluster: int = 60,
    ) -> Image.Image:
        """Fill the canvas with ``n_clusters`` random clusters of dots, cluster k in pen k.

        Each cluster is an elliptical cloud of dots (random centre, size and tilt) in pen k's
        colour, so :meth:`points` gives labelled clusters, label k - 1 for pen k. The picture
        replaces the canvas (in the page too: the drawing there can be undone) and removes the
        fit of the previous drawing.

        Parameters
        ----------
        n_clusters : int, optional
            Defaults to the K control.
        random_state : int, Generator or None
            Seed. By default the pad's own stream (seeded by its ``random_state``): each press
            gives new clusters, the same ones on every run of the notebook.
        dots_per_cluster : int
            Dots drawn per cluster.

        Returns
        -------
        PIL.Image.Image
            The picture put on the canvas (RGBA, transparent paper).
        """
        k = self.k_control.value if n_clusters is None else n_clusters
        k = check_int(k, "n_clusters", minimum=1, maximum=MAX_PENS)
        dots = check_int(dots_per_cluster, "dots_per_cluster", minimum=1)
        rng = self._random_rng if random_state is None else check_random_state(random_state)
        image = _random_cluster_image(
            self.width, self.height, [c for _, c in self.pen_palette[:k]], rng, dots
        )
        url = "data:image/png;base64," + base64.b64encode(_png_bytes(image)).decode("ascii")
        with self._lock:
            self.canvas.show_picture(url)  # the new drawing: K follows it, the old fit goes
            self.status.value = _html_message(
                f"Drew {k} random clusters ({_pen_list(range(k), self.pen_palette)}): press Fit EM "
                f"({self._k_why(self.k_control.value)}), or draw on top."
            )
        return image

    def _on_random(self, _button: Any = None) -> None:
        try:
            self.random_clusters()
        except (ValueError, TypeError) as exc:
            self.status.value = _html_message(str(exc), "error")


def _random_cluster_image(
    width: int, height: int, colors: list[str], rng: np.random.Generator, dots: int
) -> Image.Image:
    """K clouds of round dots in the given colours on transparent paper, centres apart."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = 0.12 * min(width, height)
    spread = 0.06 * min(width, height)
    centres: list[np.ndarray] = []
    for _ in colors:
        # Rejection sampling keeps the clusters apart, then gives up gracefully when crowded.
        for _attempt in range(200):
            c = rng.uniform((margin, margin), (width - margin, height - margin))
            if all(np.linalg.norm(c - o) > 4.5 * spread for o in centres):
                break
        centres.append(c)
    radius = max(2.0, 0.01 * min(width, height))
    for colour, centre in zip(colors, centres):
        angle = rng.uniform(0, np.pi)
        scales = spread * rng.uniform(0.5, 1.3, size=2)
        rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        pts = centre + (rng.standard_normal((dots, 2)) * scales) @ rot.T
        pts = np.clip(pts, radius, (width - 1 - radius, height - 1 - radius))
        for x, y in pts:
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return image


# --------------------------------------------------------------------------------------------
# On the desktop: the ipysketch pad
# --------------------------------------------------------------------------------------------


class IpysketchPad(_Pad):
    """ipysketch's desktop sketch pad, started through gmmviz's compatibility launcher.

    Parameters
    ----------
    name : str
        Sketch name: the pad saves ``<name>.isk`` and ``<name>.png``.
    directory : str or path-like, optional
        Where those files live; defaults to the current directory (a notebook's own folder).
    n_components, n_points, random_state
        As for :class:`SketchPad` (by default Fit EM fits one component per pen colour).

    Notes
    -----
    The pad is a Tk window on the machine where the kernel runs. Without a display there (a
    server, Binder, CI without Xvfb) the Edit button says so; use :class:`SketchPad` instead.
    """

    css_class = "gmmviz-ipysketchpad-box"

    def __init__(
        self,
        name: str = "gmm",
        directory: str | os.PathLike | None = None,
        *,
        n_components: int | None = None,
        n_points: int = 300,
        random_state: int | None = 0,
    ) -> None:
        if not isinstance(name, str) or not name.strip() or os.sep in name or "/" in name:
            raise ValueError(
                f"the sketch name must be a plain file name such as 'gmm', got {name!r}; "
                "use directory= for the folder"
            )
        self.name = name
        self.directory = Path(directory if directory is not None else os.getcwd()).resolve()
        self.process: subprocess.Popen | None = None
        self._watcher: threading.Thread | None = None
        self.log = ""
        self.edit_button = widgets.Button(
            description="Edit",
            icon="pencil",
            tooltip=f"Edit: open the ipysketch pad in a desktop window to draw {name}",
        )
        self.edit_button.add_class("gmmviz-ipysketch-edit")
        self.edit_button.on_click(self._on_edit)
        self.preview = widgets.Image(format="png")
        super().__init__(n_components=n_components, n_points=n_points, random_state=random_state)
        self.status.value = ""
        self.refresh()

    def _hint(self) -> str:
        return f"Click Edit and {WHAT_TO_DRAW}."

    def _drawing_widgets(self) -> list[widgets.Widget]:
        return [self.edit_button, self.preview]

    def __repr__(self) -> str:
        return f"IpysketchPad({self.name!r})"

    @property
    def isk_path(self) -> Path:
        return self.directory / f"{self.name}.isk"

    @property
    def png_path(self) -> Path:
        return self.directory / f"{self.name}.png"

    def command(self) -> list[str]:
        """The command the Edit button runs (in :attr:`directory`)."""
        return [sys.executable, "-m", "gmmviz._ipysketch_launcher", self.name]

    def edit(self, *, wait: bool = False, timeout: float | None = None) -> subprocess.Popen:
        """Open the pad in a desktop window.

        When the window closes, the pad shows the saved drawing (or why the pad stopped) and
        :attr:`log` holds its output. A thread waits for the window; it changes no widget itself:
        it hands what it found to the kernel's main event loop, where the cells run and every
        change to the pad's widgets happens. Without a kernel (a script) there is no loop:
        ``wait=True`` then shows it before returning.

        Parameters
        ----------
        wait : bool
            Block until the window is closed (scripts); the Edit button does not block the kernel.
        timeout : float, optional
            With ``wait``, give up after this many seconds (``subprocess.TimeoutExpired``).

        Raises
        ------
        RuntimeError
            There is no display to open a window on.
        """
        if not has_display():
            raise RuntimeError(
                f"{NO_DESKTOP_MESSAGE} (no DISPLAY where the kernel runs, so no window can open)"
            )
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("the pad is already open: draw, save with the disk icon, close it")
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.directory,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        proc = self.process
        loop = _kernel_loop()
        outcome: list[str] = []  # the thread's findings, for wait=True without a kernel
        self._watcher = threading.Thread(target=self._watch, args=(proc, loop, outcome), daemon=True)
        self._watcher.start()
        if wait:
            proc.wait(timeout)
            self._watcher.join(timeout)
            if loop is None and outcome:
                self._closed(proc, outcome[0])
        return proc

    def _watch(self, proc: subprocess.Popen, loop: Any, outcome: list[str]) -> None:
        """The watcher thread: wait for the window to close, then hand the rest to ``loop``."""
        out = proc.communicate()[0] or ""
        if loop is not None:
            loop.add_callback(self._closed, proc, out)  # tornado: safe from another thread
        else:
            outcome.append(out)

    def _closed(self, proc: subprocess.Popen, out: str) -> None:
        """On the kernel's loop: the window has closed; show the saved drawing or the error."""
        self.log = out
        # A negative code means a signal closed the window: not an error worth showing.
        if proc.returncode is not None and proc.returncode > 0:
            last = out.strip().splitlines()[-1:] or ["no output"]
            self.status.value = _html_message(f"The sketch pad stopped with an error: {last[0]}", "error")
            return
        self.refresh()

    def _on_edit(self, _button: Any = None) -> None:
        try:
            self.edit()
        except RuntimeError as exc:
            self.status.value = _html_message(str(exc), "error")
            return
        self.status.value = _html_message(
            "The sketch pad is open in a window: draw (one colour per cluster), save with the "
            "disk icon, then close the window."
        )

    def _saved_png(self) -> bytes:
        """The saved drawing as PNG bytes (b"" when there is none); errors go to the status."""
        if self.png_path.is_file():
            return self.png_path.read_bytes()
        if self.isk_path.is_file():
            try:
                return _png_bytes(render_strokes(load_isk(self.isk_path)))
            except (ValueError, OSError) as exc:
                self.status.value = _html_message(str(exc), "error")
        return b""

    def refresh(self) -> None:
        """Show the saved drawing under the button."""
        png = self._saved_png()
        if bytes(self.preview.value or b"") != png:
            self._forget_fit()  # a new drawing: the fit of the old one goes
        self.preview.value = png
        self.preview.layout.display = "" if png else "none"
        if png:
            self.status.value = _html_message(f"Saved drawing: {self.name}")
        elif not self.status.value:
            self.status.value = _html_message(self._hint())

    def strokes(self) -> list[Stroke]:
        """The saved strokes (from ``<name>.isk``)."""
        return load_isk(self.isk_path)

    def _points_from_drawing(self, n_points: int, random_state: Any, **kwargs: Any):
        if self.isk_path.is_file():
            return points_from_strokes(load_isk(self.isk_path), n_points, random_state=random_state, **kwargs)
        if self.png_path.is_file():
            return points_from_image(self.png_path, n_points, random_state=random_state, **kwargs)
        raise EmptySketchError(
            f"no drawing named {self.name!r} in {str(self.directory)!r}: click Edit, "
            f"{WHAT_TO_DRAW}, and save with the disk icon; or pass fallback=example_sketch()"
        )

    def _drawing_png(self) -> bytes:
        png = self.preview.value
        if png:
            return bytes(png)
        # Nothing saved: a small blank page with a frame, so the output still shows the pad.
        page = Image.new("RGB", (200, 60), "white")
        ImageDraw.Draw(page).rectangle((0, 0, 199, 59), outline="black")
        return _png_bytes(page)
