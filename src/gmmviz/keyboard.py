"""Keys for the controls of a box, not for the notebook: :class:`KeyboardScope`.

A module of its own, outside :mod:`gmmviz.widgets` (no matplotlib, no explorer): the explorers and
the sketch pads both use it, and importing it does not import the explorers.
"""

from __future__ import annotations

import pathlib

import anywidget
import traitlets

__all__ = ["KeyboardScope"]


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

    _esm = pathlib.Path(__file__).with_name("keyboard.js")
    scope = traitlets.Unicode("").tag(sync=True)

    def __init__(self, scope: str) -> None:
        super().__init__(scope=scope)
        self.layout.display = "none"

    def __repr__(self) -> str:
        return f"KeyboardScope({self.scope!r})"
