"""Checks shared by the widget and sketch-pad tests (imported as ``widget_checks``, beside them)."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
from PIL import Image


def controls(widget):
    """Every interactive ipywidgets control inside ``widget`` (boxes walked, outputs shown)."""
    found = []
    for child in getattr(widget, "children", ()):
        found += controls(child)
    if isinstance(widget, (widgets.ValueWidget, widgets.Button, widgets.Play)) and not isinstance(
        widget, (widgets.HTML, widgets.Image, widgets.Label)
    ):
        found.append(widget)
    return found


def png_of_bundle(bundle):
    """The ``image/png`` of a MIME bundle, checked to be a PNG, as an RGB image."""
    data = base64.b64decode(bundle["image/png"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _relative_luminance(hex_colour):
    # WCAG 2.2: sRGB channels linearised, weighted 0.2126, 0.7152, 0.0722.
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    """WCAG 2.2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
