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
kernel's event loop. The EM explorer's picture is a small anywidget (``FrameView``) that keeps
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
traceback: the errors a learner's input causes (ValueError, TypeError, LinAlgError) in their own
words, anything else as an internal error whose traceback is logged (logger ``gmmviz.widgets``).
Each explorer exposes plain methods (``set_step``, ``refit``, ``set_params``, ``set_sigma``) so tests
drive it without a browser.

Threads
-------
All of an explorer's state changes happen on the kernel's main event loop (``kernel.io_loop``, found
when the explorer is made): a callback that arrives in another thread (ipykernel 7 runs widget
callbacks in a subshell's) hands its work over with ``add_callback``, and the idle-time work runs
there too, one piece per turn. Nothing is locked: the pictures are consistent because one loop
changes them. Outside a kernel everything runs at once and nothing is done ahead.

Layout
------
One module per explorer (``_em``, ``_gaussian``, ``_bell``, ``_singularity``); what they share
(``_box``: the box, its message line, callbacks; ``_blit``: Agg to PNG, drawing only what moves;
``_scheduling``: the loop); the EM explorer's parts (``_em_controls``, ``_em_render``: a renderer per
figure, ``_fit_cache``, ``_prefetch``); the views in the page (``keyboard`` and ``_frame_view``, their
JavaScript in ``frame_view.js`` beside it; ``KeyboardScope`` is :mod:`gmmviz.keyboard`'s).
"""

from __future__ import annotations

from ..keyboard import KeyboardScope
from ._bell import BellCurveExplorer
from ._blit import render_png
from ._em import EMExplorer
from ._em_controls import SEED_MAX
from ._em_render import EMRenderer
from ._fit_cache import Fit, FitCache, FitKey
from ._gaussian import GaussianExplorer
from ._prefetch import Prefetcher
from ._singularity import SingularityExplorer

__all__ = [
    "BellCurveExplorer",
    "EMExplorer",
    "GaussianExplorer",
    "SingularityExplorer",
    "KeyboardScope",
    "SEED_MAX",
    "render_png",
    # The EM explorer's parts (its attributes renderer, renderer_ahead, fits, current_fit, prefetcher).
    "EMRenderer",
    "Fit",
    "FitCache",
    "FitKey",
    "Prefetcher",
]
