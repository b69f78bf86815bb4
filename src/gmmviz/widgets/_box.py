"""What every explorer shares: a box owning an Agg figure shown as a PNG, its message line, and
callbacks that show their errors in it."""

from __future__ import annotations

import base64
import functools
import html
import io
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from PIL import Image as PILImage

from .._validation import check_array, check_dims
from ..keyboard import KeyboardScope
from ..palette import (
    ERROR_BACKGROUND,
    ERROR_BORDER,
    ERROR_TEXT,
    NOTE_BACKGROUND,
    NOTE_BORDER,
    NOTE_TEXT,
    PAPER,
    TEXT,
)
from ._blit import Blitter
from ._scheduling import Scheduler, kernel_scheduler

logger = logging.getLogger("gmmviz.widgets")

#: Errors a learner's input can cause (a K larger than the data allows, a singular covariance):
#: shown in the widget as they are. Anything else is a bug: shown as an internal error, logged.
EXPECTED_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, np.linalg.LinAlgError)


def describe(exc: BaseException) -> str:
    """The message a learner sees for ``exc`` (an expected error's own words; others named)."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, (ValueError, TypeError)):
        return text
    if isinstance(exc, EXPECTED_ERRORS):
        return f"{type(exc).__name__}: {text}"
    return f"Internal error (please report it; the traceback is in the log): {type(exc).__name__}: {text}"


def report(box: Any, exc: BaseException, prefix: str = "", suffix: str = "") -> None:
    """Show ``exc`` in ``box``'s message line; log the traceback of an unexpected one."""
    if not isinstance(exc, EXPECTED_ERRORS):
        logger.error("%s in %s", type(exc).__name__, type(box).__name__, exc_info=exc)
    box.show_message(f"{prefix}{describe(exc)}{suffix}")


def callback(method: Callable) -> Callable:
    """A widget callback: run on the box's loop (handed over if it arrives in another thread,
    see :mod:`._scheduling`); an error is shown in the widget, never raised into ipywidgets."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> None:
        self.scheduler.run(guarded, self, method, *args)

    return wrapper


def guarded(box: Any, fn: Callable, *args: Any) -> None:
    """``fn(box, *args)``, its errors shown in ``box`` (a learner never sees a traceback)."""
    try:
        fn(box, *args)
    except Exception as exc:
        report(box, exc)


# Text colours on their backgrounds, all >= 4.5:1 (WCAG 2.2 AA for text; tests/test_widgets.py
# computes the ratios from the HTML the widgets emit): messages (text, background, border) and
# the readouts' text on white paper (set explicitly, so a dark theme does not change them).
MESSAGE_COLORS = {
    "error": (ERROR_TEXT, ERROR_BACKGROUND, ERROR_BORDER),
    "note": (NOTE_TEXT, NOTE_BACKGROUND, NOTE_BORDER),
}
READOUT_STYLE = f"line-height:1.6;color:{TEXT};background:{PAPER};padding:0 4px"


class FigureBox(widgets.VBox):
    """A VBox owning an Agg figure shown as a PNG ``Image``, plus a message line for errors.

    Its callbacks (:func:`callback`) run on ``scheduler``'s loop: the kernel's main loop in a
    kernel, at once outside one.
    """

    def _init_box(self, css: str, scheduler: Scheduler | None = None) -> None:
        self.scheduler = kernel_scheduler() if scheduler is None else scheduler
        self.keyboard_scope = KeyboardScope(css)
        self.message = widgets.HTML(value="", layout=widgets.Layout(display="none"))
        self.message.add_class("gmmviz-message")

    def _init_figure(self, figsize: tuple[float, float], dpi: float, css: str) -> None:
        # A bare Figure (not pyplot): never registered with a GUI or inline backend, so it is
        # never shown twice and never leaks into plt's global state.
        # Fixed margins, not constrained layout: it would re-run (slowly) on every refit.
        self._init_box(css)
        self.figure = Figure(figsize=figsize, dpi=dpi)
        self._blitter = Blitter(self.figure)
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(width=f"{figsize[0] * dpi:.0f}px", max_width="100%", height="auto"),
        )
        self.image.add_class(f"{css}-figure")

    def show_message(self, text: str, *, note: bool = False) -> None:
        """Show ``text`` to the learner in the widget (empty text hides the message).

        ``note=True`` styles it as information (e.g. a warning from the fit) rather than an error.
        """
        if text:
            color, background, border = MESSAGE_COLORS["note" if note else "error"]
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


def as_data(X: Any, dims: Sequence[int]) -> tuple[np.ndarray, tuple[int, int]]:
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


def data_limits(xy: np.ndarray, pad: float = 0.06) -> tuple[tuple[float, float], tuple[float, float]]:
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))
