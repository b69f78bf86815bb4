"""The drawing pad in JupyterLab, drawn on with the mouse: what is on the canvas is what Python uses.

Each test writes a small notebook with a ``SketchPad``, runs it, picks pens with the pen buttons and
draws strokes with ``page.mouse`` on the canvas, then reads what the kernel has and what the pad shows.

Findings (JupyterLab 4.6, ipykernel 7.4): by default JupyterLab sends widget messages with the id of
a widget subshell, and ipykernel hands each comm's messages to the shell that last wrote to that comm,
so a widget's messages may be handled in a thread beside the cells, and a cell run right after a
stroke could read the drawing without it (about 1 read in 10 with an idle kernel; every time while
that thread was busy). The course's settings turn that off ("Kernel Comms over subshells": disabled,
jupyter/lab/settings/overrides.json5), which the test server uses too: the page's messages and the
cells are then handled in one shell, in the order they were sent.
"""

from __future__ import annotations

import json

import pytest

from small_notebooks import JS_INK, write_notebook

pytestmark = pytest.mark.browser

NOTEBOOK = "pad_in_browser.ipynb"
SETUP = """from gmmviz.pads import SketchPad
from gmmviz.sketch import example_sketch

pad = SketchPad(width=400, height=300, n_points=150)
pad"""
READ = """X, labels = pad.points(random_state=0, fallback=example_sketch())
print(json.dumps({"source": pad.source, "labels": sorted(set(labels.tolist())), "n": len(X)}))"""


def open_pad(lab, *cells):
    write_notebook(lab.server.root, NOTEBOOK, "import json\n" + SETUP, *cells)
    lab.open(NOTEBOOK)
    lab.run_all()
    page = lab.page
    page.wait_for_selector(".gmmviz-sketchpad canvas")
    page.locator(".gmmviz-sketchpad canvas").scroll_into_view_if_needed()
    assert lab.errors() == []
    return page


PEN_COLOURS = ["#0072b2", "#d55e00", "#009e73"]  # pens 1, 2, 3 (gmmviz.palette)


def pick_pen(page, k):
    """Press pen button k (1-based) and wait until the canvas's brush has its colour."""
    page.locator(".gmmviz-sketch-pens button").nth(k - 1).click()
    page.wait_for_function(
        "(c) => document.querySelector('.gmmviz-sketchpad input[type=color]').value === c",
        arg=PEN_COLOURS[k - 1],
    )


def stroke(page, cx, cy, *, size=40, end_outside=False):
    """A zig-zag scribble around (cx, cy), fractions of the canvas, drawn with the mouse; with
    ``end_outside`` the mouse leaves the canvas and its button is released there."""
    box = page.locator(".gmmviz-sketchpad canvas").bounding_box()
    x0, y0 = box["x"] + cx * box["width"], box["y"] + cy * box["height"]
    page.mouse.move(x0 - size / 2, y0 - size / 2)
    page.mouse.down()
    for r in range(7):
        page.mouse.move(x0 + (size / 2 if r % 2 == 0 else -size / 2), y0 - size / 2 + r * size / 6, steps=6)
    if end_outside:
        page.mouse.move(box["x"] + box["width"] + 60, y0, steps=6)
    page.mouse.up()


def kernel_json(lab, code):
    return json.loads(lab.execute(code).strip().splitlines()[-1])


def status(page):
    return page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-status").inner_text()


def test_strokes_reach_a_cell_run_right_after_them(lab):
    page = open_pad(lab, READ)
    lab.wait_until(  # Run All, nothing drawn
        lambda: "Nothing drawn yet: using the fallback drawing" in status(page), "the fallback status", 30
    )
    assert (
        lab.page.evaluate("() => window.jupyterapp.serviceManager.kernels.commsOverSubshells") == "disabled"
    )  # the course's setting is in force
    # Draw with pens 1 and 3, then run the cell that reads the drawing at once, as a learner does.
    pick_pen(page, 1)
    stroke(page, 0.25, 0.3)
    pick_pen(page, 3)
    stroke(page, 0.7, 0.7)
    stroke(page, 0.3, 0.75)
    lab.run_cell(1)
    out = next(o for o in lab.cells()["cells"][1]["outputs"] if o["type"] == "stream")["text"]
    got = json.loads(out.strip().splitlines()[-1])
    # What is on the canvas (pens 1 and 3) is what points() used, numbered as the pad's pens.
    assert got == {"source": "canvas", "labels": [0, 2], "n": 150}, got
    lab.wait_until(
        lambda: "Using your drawing: 150 points, pens 1 blue, 3 green." in status(page),
        "the status to say which drawing the cell used",
        30,
    )
    # Once more, with pen 2, and the cell run at once again.
    pick_pen(page, 2)
    stroke(page, 0.5, 0.3)
    lab.run_cell(1)
    out = next(o for o in lab.cells()["cells"][1]["outputs"] if o["type"] == "stream")["text"]
    got = json.loads(out.strip().splitlines()[-1])
    assert got == {"source": "canvas", "labels": [0, 1, 2], "n": 150}, got
    assert lab.errors() == []


def test_a_stroke_released_outside_the_canvas_reaches_the_kernel(lab):
    page = open_pad(lab)
    pick_pen(page, 1)
    stroke(page, 0.3, 0.4)
    lab.wait_until(
        lambda: (
            kernel_json(lab, "print(json.dumps(sorted(set(pad.points(random_state=0)[1].tolist()))))") == [0]
        ),
        "the first stroke (pen 1) in the kernel",
        30,
    )
    pick_pen(page, 2)
    stroke(page, 0.8, 0.6, end_outside=True)  # the button is released beside the canvas
    lab.wait_until(
        lambda: (
            kernel_json(lab, "print(json.dumps(sorted(set(pad.points(random_state=0)[1].tolist()))))")
            == [0, 1]
        ),
        "the stroke released outside the canvas (pen 2) to reach the kernel",
        30,
    )
    # The stroke has ended: moving over the canvas without the button draws nothing more.
    ink = page.evaluate(JS_INK)
    box = page.locator(".gmmviz-sketchpad canvas").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20, steps=10)
    page.mouse.move(box["x"] + 380, box["y"] + 280, steps=10)
    assert page.evaluate(JS_INK) == ink
    assert lab.errors() == []


def explorer_k(page):
    """The K of the explorer shown under the pad, as its K slider reads, or None for no explorer."""
    handle = page.locator(".gmmviz-sketchpad-box .gmmviz-em-explorer .gmmviz-k-slider .noUi-handle")
    return int(float(handle.first.get_attribute("aria-valuenow"))) if handle.count() else None


def pad_k(page):
    handle = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-k .noUi-handle").first
    return int(float(handle.get_attribute("aria-valuenow")))


def press(page, selector):
    page.locator(selector).first.click()


def fit_and_wait(lab, k):
    """Press Fit EM; wait for the explorer with K=k and for the status line that reports the fit
    (the kernel shows the explorer first and then writes the status: a test must wait for both)."""
    page = lab.page
    press(page, ".gmmviz-sketchpad-box button.gmmviz-sketch-fit")
    lab.wait_until(lambda: explorer_k(page) == k, f"Fit EM to show an explorer with K={k}", 60)
    page.wait_for_selector(".gmmviz-sketchpad-box .gmmviz-em-explorer img.gmmviz-em-explorer-figure")
    lab.wait_until(
        lambda: f"Fitted EM with K={k} " in status(page), f"the status to report the K={k} fit", 30
    )


def no_explorer(lab, what):
    lab.wait_until(
        lambda: lab.page.locator(".gmmviz-sketchpad-box .gmmviz-em-explorer").count() == 0,
        f"the fit of the old drawing to go after {what}",
        30,
    )
    assert lab.execute("print(pad.explorer)").strip() == "None"


def test_fit_em_uses_one_component_per_pen_and_a_new_drawing_removes_the_fit(lab):
    page = open_pad(lab)
    # Pens 1 and 3: K follows the two pens drawn, and the pad says so.
    pick_pen(page, 1)
    stroke(page, 0.25, 0.3)
    pick_pen(page, 3)
    stroke(page, 0.7, 0.7)
    lab.wait_until(lambda: pad_k(page) == 2, "the pad's K to follow the 2 pens drawn", 30)
    lab.wait_until(lambda: "pens 1 blue, 3 green" in status(page), "the status to name pens 1 and 3", 30)
    fit_and_wait(lab, 2)
    text = status(page)
    assert "Fitted EM with K=2 (one component per pen drawn" in text and "pens 1 blue, 3 green" in text, text
    assert lab.execute("print(pad.explorer.k_slider.value)").strip() == "2"

    # Each new drawing removes the fit of the old one from under the pad.
    stroke(page, 0.5, 0.2)  # a new stroke (pen 3)
    no_explorer(lab, "a new stroke")
    fit_and_wait(lab, 2)
    press(page, ".gmmviz-sketchpad button:has-text('undo')")
    no_explorer(lab, "undo")
    fit_and_wait(lab, 2)
    press(page, ".gmmviz-sketchpad-box button.gmmviz-sketch-random")
    no_explorer(lab, "Random clusters")
    lab.wait_until(lambda: page.evaluate(JS_INK) > 500, "the random clusters on the canvas", 30)
    lab.wait_until(lambda: pad_k(page) == 2, "K to stay 2 (two clusters for K=2)", 30)
    fit_and_wait(lab, 2)
    press(page, ".gmmviz-sketchpad button:has-text('clear')")
    no_explorer(lab, "clear")
    lab.wait_until(lambda: "The canvas is empty" in status(page), "the status to say the canvas is empty", 30)

    # K set on purpose: moving the slider unticks "K = number of pens"; Fit EM uses that K.
    pick_pen(page, 1)
    stroke(page, 0.25, 0.3)
    pick_pen(page, 2)
    stroke(page, 0.7, 0.7)
    lab.wait_until(lambda: pad_k(page) == 2, "K to follow the 2 pens drawn", 30)
    handle = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-k .noUi-handle").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    lab.wait_until(
        lambda: lab.execute("print(pad.k_control.value, pad.auto_k.value)").strip() == "4 False",
        "K = 4, set by the learner",
        30,
    )
    assert not page.locator(".gmmviz-sketch-auto-k input").first.is_checked()
    fit_and_wait(lab, 4)
    assert "the K you set" in status(page)
    assert lab.errors() == []


PENS_IN_KERNEL = "print(json.dumps(sorted(set(pad.points(random_state=0)[1].tolist()))))"


def ink_of(page, n):
    """Inked pixels of the n-th canvas of a pad on the page (0: the first view)."""
    return (
        page.locator(".gmmviz-sketchpad canvas")
        .nth(n)
        .evaluate(
            """(c) => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
        )
    )


def test_brush_size_undo_redo_and_a_second_view_of_the_drawing(lab):
    page = open_pad(lab)
    pad_ = page.locator(".gmmviz-sketchpad").first
    # The pens are the only colours: the brush colour input is there but not shown, no picker.
    assert pad_.locator("input[type=color]").count() == 1
    assert not pad_.locator("input[type=color]").is_visible()
    assert lab.execute("print(pad.canvas.data_url == '')").strip() == "True"
    pick_pen(page, 1)
    stroke(page, 0.3, 0.4)
    lab.wait_until(lambda: kernel_json(lab, PENS_IN_KERNEL) == [0], "pen 1's stroke in the kernel", 30)
    thin = ink_of(page, 0)
    # Brush size from the keyboard (End: the largest), known in the kernel; a wider stroke.
    size = pad_.locator("input[type=range]")
    size.focus()
    page.keyboard.press("End")
    lab.wait_until(
        lambda: lab.execute("print(pad.canvas.brush_size)").strip() == "30", "brush size 30 in the kernel", 30
    )
    pick_pen(page, 2)
    stroke(page, 0.7, 0.6)
    lab.wait_until(lambda: kernel_json(lab, PENS_IN_KERNEL) == [0, 1], "pen 2's stroke in the kernel", 30)
    both = ink_of(page, 0)
    assert both - thin > 2 * thin, (thin, both)  # the same scribble, a much wider line
    # Undo takes the wide stroke back, in the page and in the kernel; redo puts it back.
    press(page, ".gmmviz-sketchpad button:has-text('undo')")
    lab.wait_until(lambda: kernel_json(lab, PENS_IN_KERNEL) == [0], "undo to reach the kernel", 30)
    assert ink_of(page, 0) == thin
    press(page, ".gmmviz-sketchpad button:has-text('redo')")
    lab.wait_until(lambda: kernel_json(lab, PENS_IN_KERNEL) == [0, 1], "redo to reach the kernel", 30)
    assert ink_of(page, 0) == both
    # A new view of the canvas (a cell that shows it again) draws the drawing the kernel holds.
    lab.run_cell(lab.append_code_cell("pad.canvas"))
    lab.wait_until(lambda: ink_of(page, 1) == both, "the second view to show the drawing", 30)
    assert lab.errors() == []
