#!/usr/bin/env python3
"""Build the course as a static website: ``make site`` writes ``_site/`` (open ``_site/index.html``).

What the site is
----------------
One page per notebook ``notebooks/NN_*.ipynb`` (found by glob, in the order of their numbers; a new
``10_em_at_scale.ipynb`` joins by itself), made from the **saved, executed** notebooks: nothing is
executed. ``index.html`` is the table of contents (each notebook and its sections); every page has
previous / next / contents links at its top and bottom, and every figure the notebook saved.

* **Maths** with no network: MathJax 2 from the PyPI package ``jupyter-server-mathjax`` is copied
  into ``_site/mathjax/`` (only what the pages use: TeX input, HTML-CSS output, STIX-Web fonts). Each
  equation keeps MathJax's visually hidden MathML copy (AssistiveMML), which screen readers read.
* **Nothing from outside the site**: the page template (``scripts/site_template/gmm_site``, nbconvert's
  ``lab`` page) drops require.js, the widget manager and mermaid (all from CDNs); CSS is inlined, images
  are embedded, every link is relative. The folder can be published as it is on any static host.
* **Widgets**: without a kernel a saved widget is an empty box, so each widget output is replaced by
    - for an ``EMExplorer``: its default run as a scrubbable, playable animation of its half-steps
      (:func:`gmmviz.animate.animate_em` frames rendered now, :func:`gmmviz.animate.offline_jshtml`'s
      JavaScript player: slider, Play, step buttons), placed where the widget was;
    - for any other widget: the output's own static ``image/png`` if it carries one, else the pictures
      its saved widget state holds (its ``Image`` widgets), else a note that it needs JupyterLab.

The explorers' runs: ``SITE_ANIMATIONS``
-----------------------------------------
Which run an explorer shows is decided by the notebook's code, which the build does not execute (a
kernel per notebook would make it slow and fragile). Instead ``SITE_ANIMATIONS`` restates, in one
place, each ``EMExplorer(...)`` call of the notebooks: per notebook, in the order the explorers appear,
the data (a small function of gmmviz's data sets) and the keyword arguments of the call. The build
constructs that same ``EMExplorer`` (no kernel is needed for that), so every default the widget
applies (init, tol, max_iter, reg_covar) is the widget's own, and animates its ``history``.

The table is checked against the saved notebooks on every build, and the build stops with a message
naming the notebook, the cell and what differs when they disagree (so a wrong animation is never
published):

1. each notebook has exactly as many ``EMExplorer`` outputs (found by their saved ``text/plain``,
   ``EMExplorer(n_points=..., K=..., ...)``) as it has recipes, and every notebook with an explorer has
   recipes;
2. the recipe's explorer has the same ``repr`` as the cell's saved ``text/plain`` (points, K,
   covariance type, init);
3. where the notebook saved its widget state, the explorer's readout (``iteration i of n · half-step
   j of m · ln p(X) = ...``) agrees with the recipe's fit: the same number of half-steps and the same
   ln p(X) at the half-step shown, to the three decimals it prints.

When an explorer cell changes, update its entry in ``SITE_ANIMATIONS``; ``make site`` (or
``tests/browser/test_site.py``) says which one.

Usage: ``python scripts/build_site.py [--out DIR] [--notebooks DIR] [--max-frames N] [--dpi D] [--jobs J]``
(``make site`` runs it with the defaults: ``_site/`` from ``notebooks/``, one process per CPU).
"""

from __future__ import annotations

import argparse
import base64
import html
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = Path(__file__).resolve().parent / "site_template"
TEMPLATE_NAME = "gmm_site"
SITE_TITLE = "Gaussian mixtures and EM: the course"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# The notebooks of the course: two digits, an underscore, a name.
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

#: Frames of an explorer's animation at most (the start and 20 iterations), and their resolution.
MAX_FRAMES = 41
DPI = 72

# MathJax 2 as jupyter-server-mathjax ships it; the parts the pages use (see the template's config).
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full"
MATHJAX_PARTS = (
    "MathJax.js",
    f"config/{MATHJAX_CONFIG}.js",
    "extensions",
    "jax/input/TeX",
    "jax/element",
    "jax/output/HTML-CSS",
    "fonts/HTML-CSS/STIX-Web/woff",
    "LICENSE",
)
MATHJAX_URL = f"mathjax/MathJax.js?config={MATHJAX_CONFIG}"


# --------------------------------------------------------------------------------------------------
# The explorers' default runs (see the module docstring: keep in step with the notebooks)
# --------------------------------------------------------------------------------------------------
def _dataset(name: str, **kwargs: Any) -> Callable[[], Any]:
    """The data ``make_dataset(name, **kwargs)[0]`` (built only when the site is)."""

    def data() -> Any:
        from gmmviz.datasets import make_dataset

        return make_dataset(name, **kwargs)[0]

    data.__doc__ = f"make_dataset({name!r}{''.join(f', {k}={v!r}' for k, v in kwargs.items())})[0]"
    return data


def _example_sketch_points() -> Any:
    """points_from_image(example_sketch(), 300, random_state=0)[0]

    05's ``pad.points(n_points=300, random_state=0, fallback=example_sketch())`` with nothing drawn.
    """
    from gmmviz.sketch import example_sketch, points_from_image

    return points_from_image(example_sketch(), 300, random_state=0)[0]


def _overlapping_with_stuck_points() -> Any:
    """X_stuck

    07's ``X_stuck``: the overlapping data plus five identical readings at (6, -5).
    """
    import numpy as np

    from gmmviz.datasets import make_dataset

    return np.vstack([make_dataset("overlapping", random_state=0)[0], np.tile([[6.0, -5.0]], (5, 1))])


def _two_clusters_and_a_lone_point() -> Any:
    """X_pair

    07's ``X_pair``: Challenge A's two round clusters (30 points each) and a lone point at (-3.5, 3.5).
    """
    import numpy as np

    rng = np.random.default_rng(0)
    return np.vstack([rng.normal([-2, 0], 0.7, (30, 2)), rng.normal([2, 0], 0.7, (30, 2)), [[-3.5, 3.5]]])


@dataclass(frozen=True)
class ExplorerRecipe:
    """One ``EMExplorer(data(), **kwargs)`` call of a notebook."""

    data: Callable[[], Any]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def call(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        data = (self.data.__doc__ or self.data.__name__).strip().splitlines()[0]
        return f"EMExplorer({data}, {args})"


#: notebook name (without .ipynb) -> its EMExplorer calls, in the order they appear in the notebook.
SITE_ANIMATIONS: dict[str, list[ExplorerRecipe]] = {
    "04_em_explorer": [
        ExplorerRecipe(
            _dataset("blobs", n_samples=300, random_state=0),
            dict(n_components=3, init="random", random_state=0, max_components=8),
        ),
        ExplorerRecipe(_dataset("elongated", random_state=0), dict(n_components=3)),
        ExplorerRecipe(_dataset("overlapping", random_state=0), dict(n_components=3)),
        ExplorerRecipe(_dataset("unequal", random_state=0), dict(n_components=3)),
        ExplorerRecipe(_dataset("faithful", standardize=True), dict(n_components=2)),
    ],
    "05_draw_your_own_data": [
        ExplorerRecipe(_example_sketch_points, dict(n_components=3, init="random", random_state=0, tol=1e-6)),
    ],
    "06_choosing_k": [
        ExplorerRecipe(_dataset("unequal", random_state=0), dict(n_components=3, max_components=8)),
    ],
    "07_pitfalls": [
        ExplorerRecipe(
            _dataset("elongated", random_state=0),
            dict(n_components=3, init="random", random_state=0, tol=1e-6, max_iter=1000),
        ),
        ExplorerRecipe(_dataset("elongated", random_state=0), dict(n_components=3, tol=1e-6, max_iter=1000)),
        ExplorerRecipe(_overlapping_with_stuck_points, dict(n_components=4)),
        ExplorerRecipe(_two_clusters_and_a_lone_point, dict(n_components=3, reg_covar=0.0)),
    ],
}


class SiteError(RuntimeError):
    """The notebooks and the site's recipes disagree, or a notebook cannot be published."""


# --------------------------------------------------------------------------------------------------
# Reading the notebooks
# --------------------------------------------------------------------------------------------------
@dataclass
class Page:
    path: Path  # the notebook
    title: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (anchor id, text) of ## headings

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def href(self) -> str:
        return self.name + ".html"


def find_notebooks(folder: Path) -> list[Path]:
    """The course's notebooks in order (by their two-digit number, then name)."""
    found = sorted(p for p in folder.glob(NOTEBOOK_GLOB) if p.is_file())
    if not found:
        raise SiteError(f"no notebooks named like {NOTEBOOK_GLOB} in {folder}: pass --notebooks DIR.")
    return found


def notebook_title(nb: Any, fallback: str) -> str:
    """The first level-1 heading of the notebook's markdown, without markup."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if m:
                return re.sub(r"[*_`]", "", m.group(1)).strip()
    return fallback


def is_explorer_output(output: Any) -> bool:
    data = output.get("data", {})
    return WIDGET_VIEW in data and str(data.get("text/plain", "")).startswith("EMExplorer(")


def explorer_cells(nb: Any) -> list[tuple[int, Any]]:
    """(cell index, output) of every EMExplorer output, in notebook order."""
    return [
        (i, out)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if is_explorer_output(out)
    ]


def widget_state(nb: Any) -> dict[str, Any]:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _model_refs(value: Any) -> Iterator[str]:
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        yield value[len("IPY_MODEL_") :]
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _model_refs(v)


def descendants(state: dict[str, Any], model_id: str) -> list[dict[str, Any]]:
    """The saved models under ``model_id`` (itself first), depth first in children order."""
    seen, out, stack = set(), [], [model_id]
    while stack:
        mid = stack.pop()
        if mid in seen or mid not in state:
            continue
        seen.add(mid)
        model = state[mid]
        out.append(model)
        refs = [
            r
            for key, v in model.get("state", {}).items()
            if key != "layout" and key != "style"
            for r in _model_refs(v)
        ]
        stack.extend(reversed(refs))
    return out


def saved_images(state: dict[str, Any], model_id: str) -> list[bytes]:
    """PNG pictures held by the Image widgets under a widget, from the notebook's saved state."""
    pictures = []
    for model in descendants(state, model_id):
        if model.get("model_name") != "ImageModel" or model.get("state", {}).get("format", "png") != "png":
            continue
        for buf in model.get("buffers", []):
            if buf.get("path") == ["value"] and buf.get("encoding") == "base64":
                png = base64.b64decode(buf["data"])
                if png.startswith(b"\x89PNG"):  # an empty canvas saves no picture
                    pictures.append(png)
    return pictures


_READOUT = re.compile(r"half-step\s+(\d+)\s+of\s+(\d+)\s*·\s*ln p\(X\)\s*=\s*(-?\d+(?:\.\d+)?)")


def saved_readout(state: dict[str, Any], model_id: str) -> tuple[int, int, float, int] | None:
    """(half-step shown, last half-step, ln p(X), decimals) from an explorer's saved readout."""
    for model in descendants(state, model_id):
        st = model.get("state", {})
        # The explorer's picture (gmmviz.widgets._FrameView) keeps the readout of the frame it shows.
        if st.get("css") == "gmmviz-em-explorer-figure" and isinstance(st.get("readout"), str):
            m = _READOUT.search(re.sub(r"<[^>]+>", "", st["readout"]))
            if m:
                decimals = len(m.group(3).split(".")[1]) if "." in m.group(3) else 0
                return int(m.group(1)), int(m.group(2)), float(m.group(3)), decimals
    return None


# --------------------------------------------------------------------------------------------------
# The explorers' animations
# --------------------------------------------------------------------------------------------------
@dataclass
class ExplorerRun:
    notebook: str
    cell: int
    recipe: ExplorerRecipe
    explorer: Any  # gmmviz.widgets.EMExplorer
    checks: list[str]

    @property
    def history(self) -> Any:
        return self.explorer.history


def run_recipe(
    notebook: str, cell: int, recipe: ExplorerRecipe, output: Any, state: dict[str, Any]
) -> ExplorerRun:
    """Build the recipe's explorer and check it against the saved output (see the module docstring)."""
    from gmmviz.widgets import EMExplorer

    where = f"{notebook}.ipynb cell {cell}"
    explorer = EMExplorer(recipe.data(), **recipe.kwargs)
    if explorer.history is None:
        raise SiteError(
            f"{where}: the recipe {recipe.call()} does not fit: {explorer.message_text or 'no history'}"
        )
    saved = str(output["data"].get("text/plain", ""))
    if repr(explorer) != saved:
        raise SiteError(
            f"{where}: SITE_ANIMATIONS in scripts/build_site.py builds {explorer!r} but the "
            f"notebook's explorer is {saved}: update the recipe {recipe.call()}."
        )
    checks = ["repr"]
    readout = saved_readout(state, output["data"][WIDGET_VIEW]["model_id"])
    if readout is not None:
        step, last, ll, decimals = readout
        history = explorer.history
        if last != history.n_frames - 1 or step >= history.n_frames:
            raise SiteError(
                f"{where}: the saved explorer has half-steps 0..{last} but the recipe "
                f"{recipe.call()} has 0..{history.n_frames - 1}: update the recipe."
            )
        ours = float(history.frame(step).log_likelihood)
        if abs(round(ours, decimals) - ll) > 0.51 * 10.0**-decimals:
            raise SiteError(
                f"{where}: the saved explorer shows ln p(X) = {ll} at half-step {step} but "
                f"the recipe {recipe.call()} gives {ours:.{decimals}f}: update the recipe."
            )
        checks.append("readout")
    return ExplorerRun(notebook, cell, recipe, explorer, checks)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def animation_html(run: ExplorerRun, max_frames: int, dpi: float) -> str:
    """The explorer's default run as an offline player, with a caption saying what it is."""
    from gmmviz.animate import animate_em, offline_jshtml

    history = run.history
    anim = animate_em(history, max_frames=max_frames, dpi=dpi)
    player = plain_button_text(compress_frames(offline_jshtml(anim)))
    shown = len(anim.frame_indices)
    init = run.explorer.init_dropdown.value
    seed = int(run.explorer.seed_input.value)
    caption = (
        f"<b>The explorer without a kernel:</b> its default run (K = {history.n_components}, "
        f"{html.escape(history.covariance_type)} covariances, {html.escape(init)} start, seed {seed}) "
        f"replayed half-step by half-step: {_plural(history.n_iter, 'iteration')}, "
        f"{shown} of {history.n_frames} frames. Drag the slider or press ▶. "
        "Run the notebook in JupyterLab to change K, the start, the seed or the covariance type."
    )
    return (
        f'<div class="gmm-site-explorer" data-notebook="{run.notebook}" data-cell="{run.cell}" '
        f'data-frames="{shown}">\n<p class="gmm-site-caption">{caption}</p>\n{player}\n</div>'
    )


# Player buttons whose symbols (Unicode "Miscellaneous Technical") many fonts lack, e.g. a bare
# Linux's: they showed as empty boxes. The others (◁ ◀ ▶ ▷ − +) are in common fonts.
_BUTTON_TEXT = {"\u23ee": "|\u25c1", "\u23f8": "||", "\u23ed": "\u25b7|"}


def plain_button_text(player: str) -> str:
    for symbol, text in _BUTTON_TEXT.items():
        player = player.replace(symbol, text)
    return player


# matplotlib's player: frames[i] = "data:image/png;base64,<base64 with backslash-newline breaks>"
_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([A-Za-z0-9+/=\\\n]+)(")')


def compress_frames(player: str) -> str:
    """Store each frame as a 256-colour PNG: about a third of the bytes, no visible difference
    (the figures are flat colours on white)."""
    import io

    from PIL import Image

    def sub(m: re.Match) -> str:
        png = base64.b64decode(m.group(2).replace("\\\n", ""))
        with Image.open(io.BytesIO(png)) as im:
            small = im.convert("RGB").quantize(
                256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
            )
        buf = io.BytesIO()
        small.save(buf, "PNG")
        data = buf.getvalue() if buf.tell() < len(png) else png
        return m.group(1) + base64.b64encode(data).decode("ascii") + m.group(3)

    out, n = _FRAME.subn(sub, player)
    if n == 0:
        raise SiteError("found no frames in matplotlib's player: its format changed; see compress_frames.")
    return out


@dataclass(frozen=True)
class ExplorerSummary:
    """What the build learnt from one recipe (returned from a worker process)."""

    notebook: str
    cell: int
    output_index: int
    call: str
    checks: tuple[str, ...]
    n_iter: int
    log_likelihoods: tuple[float, ...]
    frames_shown: int


def _explorer_job(job: tuple[str, int, int, float]) -> tuple[ExplorerSummary, str]:
    """Worker: the ``index``-th explorer of a notebook, checked and rendered as a player."""
    import matplotlib
    import nbformat

    matplotlib.use("Agg")
    path, index, max_frames, dpi = job
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    cell, output = explorer_cells(nb)[index]
    recipe = SITE_ANIMATIONS[path.stem][index]
    run = run_recipe(path.stem, cell, recipe, output, widget_state(nb))
    player = animation_html(run, max_frames, dpi)
    summary = ExplorerSummary(
        path.stem,
        cell,
        nb.cells[cell].outputs.index(output),
        recipe.call(),
        tuple(run.checks),
        int(run.history.n_iter),
        tuple(float(v) for v in run.history.log_likelihoods),
        int(player.count('] = "data:image/png;base64,')),
    )
    return summary, player


def render_explorers(
    paths: list[Path], max_frames: int, dpi: float, jobs: int | None
) -> tuple[dict[str, dict[tuple[int, int], str]], list[ExplorerSummary]]:
    """Every explorer's player, rendered in parallel: ``{notebook: {(cell, output index): html}}``."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    work = [(str(p), i, max_frames, dpi) for p in paths for i in range(len(SITE_ANIMATIONS.get(p.stem, [])))]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(work) or 1))
    if jobs == 1:
        results = [_explorer_job(w) for w in work]
    else:
        # fork: the workers inherit this module (recipes are closures, not importable by name).
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_explorer_job, work))
    players: dict[str, dict[tuple[int, int], str]] = {}
    for summary, player in results:
        players.setdefault(summary.notebook, {})[(summary.cell, summary.output_index)] = player
    return players, [summary for summary, _ in results]


# --------------------------------------------------------------------------------------------------
# Replacing widget outputs
# --------------------------------------------------------------------------------------------------
WIDGET_NOTE = (
    '<div class="gmm-site-widget-note">An interactive widget is here: '
    "run this notebook in JupyterLab to use it.</div>"
)


def _png_output(png_b64: str) -> dict[str, Any]:
    from nbformat.v4 import new_output

    return new_output("display_data", data={"image/png": png_b64})


def _html_output(text: str) -> dict[str, Any]:
    from nbformat.v4 import new_output

    return new_output("display_data", data={"text/html": text})


def replace_widgets(nb: Any, runs: dict[tuple[int, int], str]) -> dict[str, int]:
    """Replace every widget-view output in place; ``runs[(cell, k)]`` is the k-th explorer's player."""
    state = widget_state(nb)
    counts = {"animations": 0, "pictures": 0, "notes": 0}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        new_outputs = []
        for k, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                new_outputs.append(out)
                continue
            if (i, k) in runs:
                new_outputs.append(_html_output(runs[(i, k)]))
                counts["animations"] += 1
            elif "image/png" in data:
                png = data["image/png"]
                new_outputs.append(_png_output(png if isinstance(png, str) else "".join(png)))
                counts["pictures"] += 1
            else:
                pictures = saved_images(state, data[WIDGET_VIEW].get("model_id", ""))
                for picture in pictures:
                    new_outputs.append(_png_output(base64.b64encode(picture).decode("ascii")))
                if pictures:
                    counts["pictures"] += 1
                else:
                    new_outputs.append(_html_output(WIDGET_NOTE))
                    counts["notes"] += 1
        cell.outputs = new_outputs
    nb.metadata.pop("widgets", None)  # no widget state in the page: nothing would read it
    return counts


# --------------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------------
SITE_CSS = """
.gmm-site-nav { display: flex; gap: 1em; justify-content: space-between; align-items: baseline;
  flex-wrap: wrap; max-width: 1100px; margin: 0.8em auto; padding: 0.5em 1em;
  font-family: var(--jp-ui-font-family); font-size: 14px; border-bottom: 1px solid #ddd; }
.gmm-site-nav.bottom { border-bottom: none; border-top: 1px solid #ddd; margin-top: 2em; }
.gmm-site-nav a { text-decoration: none; color: #1a5fb4; }
.gmm-site-nav a:hover { text-decoration: underline; }
.gmm-site-nav .prev, .gmm-site-nav .next { flex: 1; }
.gmm-site-nav .next { text-align: right; }
.gmm-site-nav .home { flex: 0 0 auto; font-weight: bold; }
.gmm-site-caption { font-size: 13px; color: #333; margin: 0.3em 0 0.5em; max-width: 60em; }
.gmm-site-widget-note { padding: 0.6em 0.9em; background: #f3f3f3; border-left: 4px solid #999;
  font-size: 13px; color: #333; }
.gmm-site-explorer .anim-state { display: none; }
body.gmm-site-index main { max-width: 900px; margin: 0 auto; }
"""


def nav_html(prev: Page | None, nxt: Page | None, where: str) -> str:
    def link(page: Page | None, cls: str, arrow_left: str, arrow_right: str) -> str:
        if page is None:
            return f'<span class="{cls}"></span>'
        return (
            f'<a class="{cls}" rel="{cls}" href="{html.escape(page.href)}">{arrow_left}'
            f"{html.escape(page.title)}{arrow_right}</a>"
        )

    return (
        f'<nav class="gmm-site-nav {where}">{link(prev, "prev", "← ", "")}'
        f'<a class="home" href="index.html">Contents</a>{link(nxt, "next", "", " →")}</nav>'
    )


_IPYNB_LINK = re.compile(r'href="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"#?]*?)\.ipynb(#[^"]*)?"')


def relink(page_html: str, known: set[str]) -> str:
    """Links to the course's notebooks point at their pages."""

    def sub(m: re.Match) -> str:
        stem = Path(m.group(1)).name
        if stem not in known:
            return m.group(0)
        return f'href="{stem}.html{m.group(2) or ""}"'

    return _IPYNB_LINK.sub(sub, page_html)


_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.DOTALL)


def page_sections(page_html: str) -> list[tuple[str, str]]:
    """(anchor id, text) of the page's level-2 headings, for the table of contents."""
    out = []
    for anchor, inner in _H2.findall(page_html):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).replace("¶", "").strip()
        out.append((anchor, text))
    return out


def make_exporter() -> Any:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(extra_template_basedirs=[str(TEMPLATE_DIR)], template_name=TEMPLATE_NAME)
    exporter.embed_images = True  # images referenced by markdown go into the page
    exporter.exclude_anchor_links = False
    return exporter


def render(
    exporter: Any, nb: Any, title: str, nav_top: str, nav_bottom: str, folder: Path | None = None
) -> str:
    nb.metadata["title"] = title
    resources = {
        "site": {"mathjax": MATHJAX_URL, "css": SITE_CSS, "nav_top": nav_top, "nav_bottom": nav_bottom}
    }
    if folder is not None:
        # Markdown pictures are embedded in the page. nbconvert reads only files below the folder it
        # is given, so ../contents/x.png (relative to notebooks/) is read from the repository root.
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = cell.source.replace("](../contents/", "](contents/")
        resources["metadata"] = {"path": str(folder.parent)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def index_notebook(pages: list[Page], intro: str) -> Any:
    from nbformat.v4 import new_markdown_cell, new_notebook

    lines = [f"# {SITE_TITLE}", "", intro, "", "## Contents", ""]
    for page in pages:
        lines.append(f"1. [{page.title}]({page.href})")
        for anchor, text in page.sections:
            lines.append(f"    - [{text}]({page.href}#{anchor})")
    nb = new_notebook(cells=[new_markdown_cell("\n".join(lines))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


INTRO = (
    "A course on Gaussian mixture models and the EM algorithm, read here as a website: every notebook "
    "with its saved outputs, and each EM explorer's default run as an animation you can scrub. To run "
    "the code, change the explorers and draw your own data, open the course in JupyterLab "
    "(`make lab` in the repository)."
)


# --------------------------------------------------------------------------------------------------
# MathJax
# --------------------------------------------------------------------------------------------------
def mathjax_source() -> Path:
    try:
        import jupyter_server_mathjax
    except ImportError as exc:
        raise SiteError(
            "the PyPI package jupyter-server-mathjax (MathJax 2 as plain files) is not "
            "installed: `pip install jupyter-server-mathjax` (make site installs the "
            "project's dependencies)."
        ) from exc
    static = Path(jupyter_server_mathjax.__file__).resolve().parent / "static"
    if not (static / "MathJax.js").is_file():
        raise SiteError(f"{static} holds no MathJax.js: reinstall jupyter-server-mathjax.")
    return static


def copy_mathjax(dest: Path) -> int:
    """Copy the MathJax files the pages use into ``dest``; returns how many."""
    src = mathjax_source()
    n = 0
    for part in MATHJAX_PARTS:
        s, d = src / part, dest / part
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
            n += sum(1 for p in s.rglob("*") if p.is_file())
        elif s.is_file():
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)
            n += 1
        else:
            raise SiteError(f"jupyter-server-mathjax has no {part}: the site needs it for the maths.")
    return n


# --------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------
@dataclass
class BuildReport:
    pages: list[Page]
    explorers: list[ExplorerSummary]
    counts: dict[str, int]
    mathjax_files: int
    seconds: float


def check_recipes_cover(notebooks: dict[str, Any]) -> None:
    """Every notebook's explorers have recipes and every recipe names a notebook of the course."""
    for name, nb in notebooks.items():
        found = explorer_cells(nb)
        recipes = SITE_ANIMATIONS.get(name, [])
        if len(found) != len(recipes):
            cells = ", ".join(str(i) for i, _ in found) or "none"
            raise SiteError(
                f"{name}.ipynb has {_plural(len(found), 'EMExplorer output')} (cells {cells}) but "
                f"SITE_ANIMATIONS in scripts/build_site.py has {_plural(len(recipes), 'recipe')} "
                f"for it: add or remove recipes, in the order the explorers appear."
            )
    unknown = sorted(set(SITE_ANIMATIONS) - set(notebooks))
    if unknown:
        raise SiteError(f"SITE_ANIMATIONS names notebooks that are not in the course: {', '.join(unknown)}.")


def build_site(
    out: Path,
    notebooks_dir: Path = ROOT / "notebooks",
    *,
    max_frames: int = MAX_FRAMES,
    dpi: float = DPI,
    jobs: int | None = None,
    log: Callable[[str], None] = print,
) -> BuildReport:
    """Build the site into ``out`` (emptied first if it is a site built before)."""
    import matplotlib
    import nbformat

    matplotlib.use("Agg")
    start = time.perf_counter()
    paths = find_notebooks(notebooks_dir)
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in paths}
    check_recipes_cover(notebooks)

    out = Path(out)
    if out.exists():
        if not (out / "index.html").exists() and any(out.iterdir()):
            raise SiteError(f"{out} exists and is not a site built before: choose another --out.")
        shutil.rmtree(out)
    out.mkdir(parents=True)

    pages = [Page(p, notebook_title(notebooks[p.stem], p.stem)) for p in paths]
    players, all_runs = render_explorers(paths, max_frames, dpi, jobs)
    for e in all_runs:
        log(
            f"  {e.notebook} cell {e.cell}: {e.call}: {e.n_iter} iterations, {e.frames_shown} frames "
            f"(checked against the saved notebook: {' + '.join(e.checks)})"
        )
    exporter = make_exporter()
    known = {p.name for p in pages}
    counts = {"animations": 0, "pictures": 0, "notes": 0}
    for n, page in enumerate(pages):
        nb = notebooks[page.name]
        for key, value in replace_widgets(nb, players.get(page.name, {})).items():
            counts[key] += value
        prev = pages[n - 1] if n > 0 else None
        nxt = pages[n + 1] if n + 1 < len(pages) else None
        body = render(
            exporter,
            nb,
            f"{page.title} · {SITE_TITLE}",
            nav_html(prev, nxt, "top"),
            nav_html(prev, nxt, "bottom"),
            folder=page.path.parent,
        )
        body = relink(body, known)
        page.sections = page_sections(body)
        (out / page.href).write_text(body, encoding="utf-8")
        log(f"  {page.href}: {len(players.get(page.name, {}))} explorer animation(s)")

    first = pages[0] if pages else None
    index = render(
        exporter,
        index_notebook(pages, INTRO),
        SITE_TITLE,
        nav_html(None, first, "top"),
        nav_html(None, first, "bottom"),
    )
    index = index.replace('<body class="jp-Notebook"', '<body class="jp-Notebook gmm-site-index"', 1)
    (out / "index.html").write_text(relink(index, known), encoding="utf-8")
    n_mathjax = copy_mathjax(out / "mathjax")
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the folder as it is
    seconds = time.perf_counter() - start
    log(
        f"Built {len(pages)} pages + index.html into {out} in {seconds:.1f} s: "
        f"{counts['animations']} explorer animations, {counts['pictures']} widget pictures, "
        f"{counts['notes']} widget notes; {n_mathjax} MathJax files."
    )
    return BuildReport(pages, all_runs, counts, n_mathjax, seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the course as a static website (no kernel, no network) from the saved "
        "notebooks. Open OUT/index.html, or publish OUT on any static host.",
        epilog="The explorers' animations come from SITE_ANIMATIONS in this script; the build checks "
        "them against the saved notebooks and stops when they disagree.",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "_site", help="output folder (default: _site)")
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=ROOT / "notebooks",
        help="folder of the saved, executed notebooks (default: notebooks)",
    )
    parser.add_argument(
        "--max-frames",
        type=int,
        default=MAX_FRAMES,
        help=f"frames per explorer animation at most (default {MAX_FRAMES})",
    )
    parser.add_argument("--dpi", type=float, default=DPI, help=f"resolution of the frames (default {DPI})")
    parser.add_argument(
        "--jobs", type=int, default=None, help="processes rendering the animations (default: one per CPU)"
    )
    args = parser.parse_args(argv)
    if args.max_frames < 3:
        parser.error("--max-frames must be at least 3 (the start, one E- and one M-step)")
    if args.dpi <= 0:
        parser.error("--dpi must be positive")
    try:
        build_site(args.out, args.notebooks, max_frames=args.max_frames, dpi=args.dpi, jobs=args.jobs)
    except SiteError as exc:
        print(f"make site: {exc}", file=sys.stderr)
        return 1
    print(f"Open {args.out / 'index.html'} in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
