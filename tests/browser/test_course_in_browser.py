"""The course as a learner meets it: every notebook run in JupyterLab in headless Chromium, the EM
explorer's sliders and Play button, and the draw-your-own-data pad drawn on with the mouse.

Fixtures (`lab`, ...) are in conftest.py. Selectors are the CSS classes of docs/API.md.
"""

from __future__ import annotations

import json

import pytest

from lab_driver import COURSE, WIDGET_VIEW, missing

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in (COURSE / "notebooks").glob("*.ipynb"))
EXPLORER_NB = "04_em_explorer.ipynb"
SKETCH_NB = "05_draw_your_own_data.ipynb"
# Figure of a widget: an ipympl canvas, or an image in an Output widget.
FIGURE = ".jupyter-matplotlib-canvas-div, .jp-OutputArea-output img, img, canvas"


def require_notebook(name: str) -> str:
    if not (COURSE / "notebooks" / name).exists():
        missing(f"notebooks/{name} is not yet written")
    return f"notebooks/{name}"


def saved_widget_views(name: str) -> int:
    nb = json.loads((COURSE / "notebooks" / name).read_text())
    return sum(
        1
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
        if WIDGET_VIEW in out.get("data", {})
    )


def run_notebook(lab, path: str):
    """Open, Run All, and check what the learner would see: no error, every widget view rendered."""
    lab.open(path)
    lab.run_all()
    state = lab.cells()
    assert state["windowing"] == "none", "test settings not applied: cells off screen are not in the DOM"
    errors = lab.errors()
    assert not errors, f"{path} shows errors after Run All:\n\n" + "\n\n".join(errors)
    not_run = [
        c["index"]
        for c in state["cells"]
        if c["type"] == "code" and c["source"].strip() and c["count"] is None
    ]
    assert not not_run, f"{path}: Run All did not run the code cells {not_run}"
    unrendered = lab.unrendered_widgets()
    assert not unrendered, f"{path}: widgets that did not render:\n" + "\n".join(unrendered)
    broken = lab.broken_images()
    assert not broken, f"{path}: images that did not load:\n" + "\n".join(broken)
    return state


# --------------------------------------------------------------------------------------------------
# Every notebook, run top to bottom


@pytest.mark.parametrize("name", NOTEBOOKS or ["(no notebooks)"])
def test_notebook_runs_in_jupyterlab(lab, name):
    if not NOTEBOOKS:
        require_notebook("*.ipynb")
    run_notebook(lab, f"notebooks/{name}")
    views = lab.widget_views()["views"]
    if saved_widget_views(name):
        assert views, f"{name} saved widget outputs, but running it in JupyterLab displayed no widget"


# --------------------------------------------------------------------------------------------------
# Helpers for widgets


def figure_png(locator) -> bytes:
    locator.scroll_into_view_if_needed()
    return locator.screenshot(animations="disabled")


def wait_for_new_figure(lab, locator, before: bytes, what: str, timeout: float = 30) -> bytes:
    def changed():
        after = figure_png(locator)
        return after if after != before else None

    return lab.wait_until(changed, f"the figure to change after {what}", timeout=timeout)


def slider_value(slider) -> float:
    """A noUiSlider's value (its handle's aria-valuenow), the number the learner reads."""
    return float(slider.locator(".noUi-handle").first.get_attribute("aria-valuenow"))


def slider_range(slider) -> tuple[float, float]:
    handle = slider.locator(".noUi-handle").first
    return float(handle.get_attribute("aria-valuemin")), float(handle.get_attribute("aria-valuemax"))


def type_into_readout(lab, slider, value) -> None:
    """Set an ipywidgets slider through its editable readout: click, select, type, Enter."""
    readout = slider.locator(".widget-readout").first
    readout.scroll_into_view_if_needed()
    readout.click()
    lab.page.keyboard.press("Control+A")
    lab.page.keyboard.type(str(value))
    lab.page.keyboard.press("Enter")
    lab.wait_until(
        lambda: slider_value(slider) == float(value),
        f"the slider to read {value} (it reads {slider_value(slider)})",
        timeout=10,
    )


def drag_handle(lab, slider, fraction: float) -> None:
    """Drag a slider's handle with the mouse to `fraction` of its track."""
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    track = slider.locator(".noUi-base").first.bounding_box()
    box = handle.bounding_box()
    x0, y0 = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    lab.page.mouse.move(x0, y0)
    lab.page.mouse.down()
    lab.page.mouse.move(track["x"] + fraction * track["width"], y0, steps=15)
    lab.page.mouse.up()


def assert_no_widget_error(lab, box):
    """An explorer reports a failed callback in its message line (class gmmviz-message) with ⚠."""
    for message in box.locator(".gmmviz-message").all():
        if message.is_visible():
            text = message.inner_text().strip()
            assert "⚠" not in text, f"the widget shows an error: {text}"
    errors = lab.errors()
    assert not errors, "\n\n".join(errors)


def explorer_parts(box):
    parts = {
        name: box.locator(f".gmmviz-{name}").first for name in ("k-slider", "step-slider", "play", "readout")
    }
    for name, loc in parts.items():
        assert loc.count() == 1, f"the EM explorer has no element with class gmmviz-{name} (docs/API.md)"
    figure = box.locator(".gmmviz-em-explorer-figure").first
    if figure.count() == 0:
        figure = box.locator(FIGURE).first
    assert figure.count() == 1, "the EM explorer shows no figure (no ipympl canvas or image)"
    parts["figure"] = figure
    return parts


# --------------------------------------------------------------------------------------------------
# 04: the EM explorer


def test_em_explorer_sliders_and_play(lab):
    path = require_notebook(EXPLORER_NB)
    run_notebook(lab, path)
    page = lab.page
    box = page.locator(".gmmviz-em-explorer").first
    assert box.count() == 1, f"{path} shows no EMExplorer (class gmmviz-em-explorer)"
    parts = explorer_parts(box)
    k, step, figure, readout = parts["k-slider"], parts["step-slider"], parts["figure"], parts["readout"]

    # K: type a new value in the slider's readout, then drag the handle; each time the explorer
    # refits and redraws.
    k_lo, k_hi = slider_range(k)
    k_new = int(k_lo + 1 if slider_value(k) != k_lo + 1 else k_lo + 2)
    assert k_new + 1 <= k_hi, f"the K slider offers only {k_lo}..{k_hi}"
    before = figure_png(figure)
    type_into_readout(lab, k, k_new)
    before = wait_for_new_figure(lab, figure, before, f"setting K to {k_new}")
    assert_no_widget_error(lab, box)
    # Drag to about K = k_new + 2 (the handle snaps to whole numbers).
    drag_handle(lab, k, min(1.0, (k_new + 2 - k_lo) / (k_hi - k_lo)))
    lab.wait_until(lambda: slider_value(k) > k_new, "the dragged K slider to move right", 10)
    before = wait_for_new_figure(lab, figure, before, f"dragging K to {slider_value(k):g}")
    assert_no_widget_error(lab, box)

    # Half-step slider: first through its readout, then by dragging the handle.
    s_lo, s_hi = slider_range(step)
    assert s_hi - s_lo >= 2, f"the half-step slider offers only {s_lo}..{s_hi} after the refit"
    target = int(s_lo + (s_hi - s_lo) // 2)
    if target == slider_value(step):
        target += 1
    type_into_readout(lab, step, target)
    before = wait_for_new_figure(lab, figure, before, f"setting the half-step slider to {target}")

    at = slider_value(step)
    drag_handle(lab, step, 0.0)
    lab.wait_until(lambda: slider_value(step) < at, "the dragged half-step slider to move left", 10)
    before = wait_for_new_figure(lab, figure, before, "dragging the half-step slider")
    assert_no_widget_error(lab, box)

    # Play: from the first frame, the frame counter (slider and readout) advances on its own.
    if slider_value(step) != s_lo:
        type_into_readout(lab, step, int(s_lo))
    text0 = readout.inner_text()
    play = parts["play"]  # the explorer's own Play button (it waits for each picture)
    assert play.get_attribute("aria-pressed") == "false"
    play.click()
    lab.wait_until(lambda: slider_value(step) >= s_lo + 2, "Play to advance the half-step slider", 30)
    lab.wait_until(lambda: readout.inner_text() != text0, "Play to change the frame readout", 10)
    wait_for_new_figure(lab, figure, before, "pressing Play")
    if play.get_attribute("aria-pressed") == "true":
        play.click()  # the same button pauses
        lab.wait_until(lambda: play.get_attribute("aria-pressed") == "false", "Play to pause", 10)
    assert_no_widget_error(lab, box)


# --------------------------------------------------------------------------------------------------
# 05: draw your own data

# The pens drawn with (1-based, the pad's pen buttons) and their colours (gmmviz.palette): pens 1
# and 3, not 1 and 2, so that the pad's pen numbers must survive into every message and cell.
PENS = {1: "#0072b2", 3: "#009e73"}

# Count of figure images in the outputs of cells `first...`, and a PNG of the first one's pixels.
JS_FIRST_FIGURE_BELOW = """(first) => {
  const cells = window.__gmm.panel.content.widgets.slice(first);
  for (const c of cells) {
    if (c.model.type !== 'code') continue;
    const img = c.node.querySelector('.jp-OutputArea-output img');
    if (img && img.naturalWidth > 0) return img.src.slice(0, 200000);
  }
  return null;
}"""

PROBE_POINTS = """
import json as _json
from gmmviz.pads import SketchPad as _SketchPad
_pads = [_v for _v in list(globals().values()) if isinstance(_v, _SketchPad)]
_X, _labels = _pads[-1].points(random_state=0)
print(_json.dumps({"pads": len(_pads), "n": int(len(_X)), "labels": sorted({int(_l) for _l in _labels}),
                   "source": _pads[-1].source}))
del _json, _SketchPad, _pads, _X, _labels
"""


def draw_scribble(page, canvas_box, cx: float, cy: float, size: float = 40, rows: int = 6):
    """A filled zig-zag around (cx, cy) (fractions of the canvas), drawn with the mouse."""
    x0 = canvas_box["x"] + cx * canvas_box["width"]
    y0 = canvas_box["y"] + cy * canvas_box["height"]
    page.mouse.move(x0 - size / 2, y0 - size / 2)
    page.mouse.down()
    for r in range(rows + 1):
        y = y0 - size / 2 + r * size / rows
        x = x0 + (size / 2 if r % 2 == 0 else -size / 2)
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def test_draw_your_own_data(lab):
    path = require_notebook(SKETCH_NB)
    state = run_notebook(lab, path)
    page = lab.page
    pad = page.locator(".gmmviz-sketchpad").first
    assert pad.count() == 1, f"{path} shows no SketchPad (class gmmviz-sketchpad)"
    canvas = pad.locator("canvas").first
    colour = pad.locator("input[type=color]").first
    assert canvas.count() == 1 and colour.count() == 1, "the SketchPad has no canvas or colour input"
    assert not colour.is_visible(), "the pad's pens are its only colours: the free colour picker is hidden"

    # The cell that shows the pad, the code cell after it (it reads the drawing), and the first
    # figure below: drawn by Run All from the course's fallback drawing.
    pad_cell = page.evaluate("""() => window.__gmm.panel.content.widgets.findIndex(
        (c) => c.node.querySelector('.gmmviz-sketchpad') !== null)""")
    assert pad_cell >= 0
    next_cell = next(
        (c["index"] for c in state["cells"][pad_cell + 1 :] if c["type"] == "code" and c["source"].strip()),
        None,
    )
    assert next_cell is not None, f"{path} has no code cell after the SketchPad to read the drawing"
    figure_before = page.evaluate(JS_FIRST_FIGURE_BELOW, next_cell)
    assert figure_before, f"{path} shows no figure below the SketchPad (a plot of the fit)"

    # Pens 1 and 3, one scribble each, drawn with the mouse.
    canvas.scroll_into_view_if_needed()
    pen_buttons = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-pens button")
    for (pen, hex_colour), (cx, cy) in zip(PENS.items(), ((0.3, 0.4), (0.7, 0.6))):
        pen_buttons.nth(pen - 1).click()
        lab.wait_until(lambda c=hex_colour: colour.input_value() == c, f"the brush to take pen {pen}", 10)
        draw_scribble(page, canvas.bounding_box(), cx, cy)
    inked = page.evaluate(
        """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""",
        canvas.element_handle(),
    )
    assert inked > 200, f"the strokes did not reach the canvas ({inked} inked pixels)"

    # Run the next cell and the rest, as the learner does after drawing.
    lab.run_from(next_cell)
    errors = lab.errors()
    assert not errors, f"{path} after drawing:\n\n" + "\n\n".join(errors)
    unrendered = lab.unrendered_widgets()
    assert not unrendered, f"{path} after drawing, widgets that did not render:\n" + "\n".join(unrendered)

    # The kernel received the drawing: points with two labels, the pad's pens 1 and 3 (labels k - 1).
    got = json.loads(lab.execute(PROBE_POINTS).strip().splitlines()[-1])
    assert got["source"] == "canvas", f"the pad used its fallback drawing, not the one drawn: {got}"
    assert got["labels"] == [0, 2], f"pens 1 and 3 should give labels 0 and 2; the kernel got {got}"
    assert got["n"] >= 20, got
    # The notebook's cells name the pens as the pad does: pen 1 (blue) and pen 3 (green), no pen 2.
    printed = "\n".join(
        o["text"]
        for c in lab.cells()["cells"][next_cell:]
        for o in c.get("outputs", [])
        if o["type"] == "stream"
    )
    assert "from the canvas drawing: 2 pens (1 blue, 3 green)" in printed, printed
    for line in ("pen 1 (  blue): [", "pen 3 ( green): [", "'pen 1 (blue)': ", "'pen 3 (green)': "):
        assert line in printed, f"the notebook does not say {line!r}:\n{printed}"
    assert "pen 2" not in printed and "orange" not in printed, printed

    # Fit and see: the figure of the fit below the pad is redrawn for the new points...
    figure_after = lab.wait_until(
        lambda: page.evaluate(JS_FIRST_FIGURE_BELOW, next_cell), "a figure below the pad after drawing", 30
    )
    assert figure_after != figure_before, "the figure below the pad did not change after drawing"
    # ... and the pad's own Fit button shows an EM explorer, with its picture of the ellipses, and
    # one component per pen drawn (K follows the pens: nothing to type).
    fit = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-fit").first
    if fit.count():
        k = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-k").first
        lab.wait_until(lambda: slider_value(k) == 2, "the pad's K to follow the 2 pens drawn", 30)
        fit.scroll_into_view_if_needed()
        fit.click()
        explorer = page.locator(".gmmviz-sketchpad-box .gmmviz-em-explorer").first
        figure = explorer.locator(".gmmviz-em-explorer-figure, img").first
        lab.wait_until(
            lambda: figure.count() == 1 and figure.evaluate("(e) => e.naturalWidth || e.width") > 0,
            "the Fit button to show an EM explorer with its figure",
            60,
        )
        figure.scroll_into_view_if_needed()
        assert_no_widget_error(lab, page.locator(".gmmviz-sketchpad-box").first)
        status = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-status").first
        if status.count():
            text = status.inner_text()
            assert not any(w in text for w in ("rror", "⚠", "fallback")), f"the pad says: {text}"
            assert "Fitted EM with K=2 (one component per pen drawn" in text, text
            assert "pens 1 blue, 3 green" in text, text
        k_explorer = explorer.locator(".gmmviz-k-slider").first
        assert slider_value(k_explorer) == 2, "the pad's explorer should have one component per pen"
    errors = lab.errors()
    assert not errors, "\n\n".join(errors)
