"""How a component is recognised in every picture: its colour, its colour's name, its marker.

Component k (counted from 1, as in the maths) has the k-th colour, the k-th colour name and the
k-th marker everywhere: in :mod:`gmmviz.plot`'s figures, in the explorers of
:mod:`gmmviz.widgets`, in the animations of :mod:`gmmviz.animate` and as pen k of the sketch pads.
This module is the one place that decides them; it needs only NumPy (no matplotlib).

The colours
-----------
The first five are the Okabe–Ito blue, vermillion ("orange"), bluish green and reddish purple
("pink") and Paul Tol's wine ("purple"). They were chosen so that, for K ≤ 5,

* every pair of colours is at least 15 ΔE apart (CIE76 in CIELAB, D65; the smallest pair is
  about 17) under normal colour vision and under simulated protanopia, deuteranopia and
  tritanopia (Machado, Oliveira & Fernandes 2009, severity 1.0), and
* every colour has at least 3:1 contrast against the white background (WCAG 2.2 non-text
  contrast).

``tests/test_palette.py`` recomputes these figures from :data:`PALETTE`.

Beyond five components the next five colours (Tol's indigo, green and a darker olive, Tol's
purple, called "magenta" here, and a brown) still have at least 3:1 contrast on white, but some
pairs are no longer far apart for everyone (under protanopia the orange and the olive differ by
about 2 ΔE). Beyond ten the colours repeat in darker shades (still ≥ 3:1 contrast, not
distinguishable from their lighter twin for many readers). For K > 5 tell components apart by
their number and marker shape (:func:`component_markers`), not by colour alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int

__all__ = ["PALETTE", "component_colors", "component_color_names", "component_markers"]

#: The named colours, component 1 first: ``(name, "#RRGGBB")`` pairs.
PALETTE: tuple[tuple[str, str], ...] = (
    ("blue", "#0072B2"),
    ("orange", "#D55E00"),
    ("green", "#009E73"),
    ("pink", "#CC79A7"),
    ("purple", "#882255"),
    ("indigo", "#332288"),
    ("dark green", "#117733"),
    ("olive", "#8F7700"),
    ("magenta", "#AA4499"),
    ("brown", "#994F00"),
)

# Filled shapes only: hard labels are drawn without edges, and an unfilled marker ('x', '+')
# would vanish. Order: the easiest to tell apart first.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "p", "h", "*")

# Repeats beyond len(PALETTE) are this much darker (sRGB scaled): darker means more contrast on
# white, so the 3:1 promise holds for every K.
_REPEAT_DARKEN = 0.6


def _check_n_components(n_components: Any) -> int:
    return check_int(n_components, "n_components", minimum=1)


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float) / 255.0


def component_colors(n_components: int) -> np.ndarray:
    """One opaque colour per mixture component: row k - 1 is component k's colour.

    Parameters
    ----------
    n_components : int
        Number of components K (>= 1).

    Returns
    -------
    ndarray, shape (K, 4)
        RGBA rows in [0, 1]: the colours of :data:`PALETTE` in order, then (K > 10) the same
        colours again in darker shades. See the module notes for what holds for which K.
    """
    k = _check_n_components(n_components)
    n = len(PALETTE)
    rows = []
    for j in range(k):
        rgb = _rgb(PALETTE[j % n][1]) * _REPEAT_DARKEN ** (j // n)
        rows.append([*rgb, 1.0])
    return np.array(rows)


def component_color_names(n_components: int) -> list[str]:
    """The colour names of :func:`component_colors`, for prose and for the sketch pad's pens.

    Parameters
    ----------
    n_components : int

    Returns
    -------
    list of str, length K
        "blue", "orange", "green", "pink", "purple", ...; beyond ten a repeated (darker) colour
        is numbered: "blue 2", "orange 2", ...
    """
    k = _check_n_components(n_components)
    n = len(PALETTE)
    names = []
    for j in range(k):
        base, repeat = PALETTE[j % n][0], j // n
        names.append(base if repeat == 0 else f"{base} {repeat + 1}")
    return names


def component_markers(n_components: int) -> list[str]:
    """One matplotlib marker per component, the second channel beside colour.

    Hard labels (:func:`gmmviz.plot.plot_points` with ``hard=True``) and the means use them, so
    components differ in shape as well as colour.

    Returns
    -------
    list of str, length K
        ``"o", "s", "^", "D", "v", "P", "X", "p", "h", "*"``, repeating after ten.
    """
    k = _check_n_components(n_components)
    return [_MARKERS[j % len(_MARKERS)] for j in range(k)]
