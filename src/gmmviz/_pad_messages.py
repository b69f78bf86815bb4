"""Messages shared by the drawing pads (:mod:`gmmviz.pads`) and the desktop pad's launcher.

A module of plain strings with no imports, so that ``python -m gmmviz._ipysketch_launcher`` can say why
it cannot start without importing :mod:`gmmviz.pads` (and with it IPython, ipywidgets and anywidget).
"""

from __future__ import annotations

__all__ = ["NO_DESKTOP_MESSAGE"]

NO_DESKTOP_MESSAGE = "the ipysketch pad needs a desktop; use SketchPad in the browser"
