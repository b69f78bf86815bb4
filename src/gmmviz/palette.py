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

# ---------------------------------------------------------------------------------------------
# Colours with a role
# ---------------------------------------------------------------------------------------------
# Every other colour that means something in a gmmviz picture or widget is named here, by its role;
# the other modules use these names and never a colour literal (tests/test_palette.py reads their
# sources). Neutral ink needs no name there: matplotlib greys such as "0.15", "black" and "white".
# A role in a picture takes a colour of PALETTE (Okabe–Ito based, safe for colour-blind readers)
# and is told apart by more than colour (a label, a marker, a line style).

_HEX = dict(PALETTE)

#: The ELBO's curve in the pictures of the bound (notebooks 05-09): the palette's blue.
ELBO_COLOR = _HEX["blue"]
#: The KL gap between ln p(X) and the ELBO, and the θ where the bound touches ln p(X): orange.
GAP_COLOR = _HEX["orange"]
#: Points sampled from a fitted mixture, drawn (as triangles) beside the data in grey: orange.
SAMPLED_COLOR = _HEX["orange"]
#: The step shown, circled on a ln p(X) curve drawn in grey (the EM explorer): orange.
CURRENT_COLOR = _HEX["orange"]
#: A flagged anomaly (a point with ln p(x) below the threshold, notebook 09): Okabe–Ito's black,
#: deliberately *not* a component colour, so "flagged" never reads as "belongs to component k".
#: It is at least 15 ΔE from each of the first five component colours under every simulated colour
#: vision (its lightness alone sets it apart), and the flagged mark has its own shape (a ring, a
#: filled star) and legend entry.
FLAGGED_COLOR = "#000000"

# HTML (readouts, messages, status lines) sets its text and background colours itself, so that a
# dark theme cannot make it unreadable; every text on its background has >= 4.5:1 contrast (WCAG
# 2.2 AA), which tests/test_widgets.py and tests/test_sketch.py compute from the HTML.
#: Text of the readouts, and the white paper under all of these texts.
TEXT = "#1a1a1a"
PAPER = "#ffffff"
#: Secondary text: the ordinary message of a pad's status line.
QUIET_TEXT = "#555555"
#: Lines in HTML: the brackets of a covariance matrix.
RULE = "#333333"
#: An error message: its text (also an error on a pad's status line), background and border.
ERROR_TEXT = "#a61b1b"
ERROR_BACKGROUND = "#fdecea"
ERROR_BORDER = "#f5c2c0"
#: A note (e.g. a warning from a fit): its text, background and border.
NOTE_TEXT = "#6b4e00"
NOTE_BACKGROUND = "#fff8e1"
NOTE_BORDER = "#f3d98b"
#: Badges of the EM explorer's half-steps (figure headline and readout), with BADGE_TEXT on them.
#: None is a component colour, and the badge's word (start, E-step, M-step) names the kind too.
START_BADGE = "#6b6b6b"
E_STEP_BADGE = "#6a3d9a"
M_STEP_BADGE = "#00695c"
BADGE_TEXT = "#ffffff"
#: A checker's verdict (gmmviz.exercises): passed, failed, not attempted. The symbols ✓ ✗ ○ say it
#: too, so the colours need not be told apart (green against red would not be, by many readers).
CHECK_PASSED = "#00695c"
CHECK_FAILED = ERROR_TEXT
CHECK_NOT_ATTEMPTED = QUIET_TEXT
#: Their light backgrounds, under a verdict's text (a quick check's opened answer).
CHECK_PASSED_BACKGROUND = "#e0f2f1"
CHECK_FAILED_BACKGROUND = ERROR_BACKGROUND
#: Panels of HTML (a quick check): a faint surface, its border, and an accent for focus rings and the
#: choices' letters (a UI colour, not a component's).
SURFACE = "#fbfbfb"
BORDER = "#c4c4c4"
ACCENT = "#1a5fb4"
#: Ink of a pen that draws no component: the default pen of a sketch pad and of a stroke.
INK = "#000000"


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
