"""Keyboard only: an EMExplorer's controls reached with Tab and changed with keys in JupyterLab.

No mouse: after Run All, Tab moves the focus from the notebook into the explorer and through its
controls in order (K, start, seed, Σ type, reg_covar, half-step, Play, speed); arrow keys,
Enter and Space change them. Each change must show a new picture (the figure ``<img>``'s ``src``
changes; for the half-step, from the frames kept in the page) and the kernel's value must become the
one the key chose.

Findings (JupyterLab 4.6, ipywidgets 8.1): noUiSlider's handle is focusable and takes the arrow
keys (one step per press; Home/End jump to the ends); a slider's readout is a second Tab stop (an
editable number: type and press Enter). Dropdowns are native ``<select>``s (arrow keys), the seed
box a number input (ArrowUp, then Enter sends it), the explorer's Play is a ``<button>`` (Enter/Space)
and its speed a ``<select>``.
The output shows the live widget, not the ``image/png`` picture saved beside it.
"""

from __future__ import annotations

import pytest

from small_notebooks import JS_INK, write_notebook

pytestmark = pytest.mark.browser

NOTEBOOK = "keyboard_explorer.ipynb"
CODE = """import numpy as np
from gmmviz.widgets import EMExplorer

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(c, 0.5, (40, 2)) for c in ([0, 0], [3, 0], [0, 3])])
explorer = EMExplorer(X, 2, random_state=0, interval=150)
explorer"""

CONTROLS = [
    "gmmviz-k-slider",
    "gmmviz-init",
    "gmmviz-seed",
    "gmmviz-covariance-type",
    "gmmviz-reg-covar",
    "gmmviz-step-slider",
    "gmmviz-play",
    "gmmviz-speed",
]

JS_FOCUS = """(classes) => {
    const a = document.activeElement;
    if (!a || !a.closest('.gmmviz-em-explorer')) return null;
    const control = classes.find((c) => a.closest('.' + c));
    return {control: control || null, tag: a.tagName, cls: String(a.className),
            name: a.getAttribute('aria-label') || '',
            index: a.closest('.' + control) ? Array.from(a.closest('.' + control)
                .querySelectorAll('button')).indexOf(a) : -1};
}"""
JS_SRC = "() => document.querySelector('.gmmviz-em-explorer img.gmmviz-em-explorer-figure').src"


class Keys:
    """Tab to a control, press keys, wait for a new picture; ask the kernel for the value."""

    def __init__(self, lab):
        self.lab, self.page = lab, lab.page
        self.names = []  # the accessible names (aria-label) of the controls reached

    def focus(self):
        return self.page.evaluate(JS_FOCUS, CONTROLS)

    def tab_to(self, control, tag=None, button=None, limit=40):
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            f = self.focus()
            if (
                f
                and f["control"] == control
                and (tag is None or f["tag"] == tag)
                and (button is None or f["index"] == button)
            ):
                self.names.append(f["name"])
                return f
        raise AssertionError(f"Tab never reached {control} ({tag}) in {limit} presses")

    def press(self, *keys, what):
        before = self.page.evaluate(JS_SRC)
        for key in keys:
            self.page.keyboard.press(key)
        self.lab.wait_until(
            lambda: self.page.evaluate(JS_SRC) != before, f"a new picture after {what}", timeout=30
        )

    def kernel(self, expr):
        return self.lab.execute(f"print(repr(({expr})))").strip()

    def kernel_becomes(self, expr, value, *, what, timeout=15):
        self.lab.wait_until(
            lambda: self.kernel(expr) == value, f"the kernel's {expr} to be {value} after {what}", timeout
        )


def test_the_explorer_works_from_the_keyboard(lab):
    write_notebook(lab.server.root, NOTEBOOK, CODE)
    lab.open(NOTEBOOK)
    lab.run_all()
    page = lab.page
    page.wait_for_selector(".gmmviz-em-explorer img.gmmviz-em-explorer-figure")
    # JupyterLab shows the live widget; the image/png saved in the same output is not shown.
    output = page.locator(".jp-OutputArea-output").first
    assert output.locator(".gmmviz-em-explorer").count() == 1
    assert output.locator(".jp-RenderedImage").count() == 0
    assert lab.execute("print(sorted(explorer._repr_mimebundle_()))").count("image/png") == 1

    keys = Keys(lab)
    page.keyboard.press("Escape")  # command mode: Tab moves the focus, it does not indent

    keys.tab_to("gmmviz-k-slider", tag="DIV")  # the slider's handle
    keys.press("ArrowRight", what="ArrowRight on K")
    assert keys.kernel("explorer.k_slider.value, explorer.history.n_components") == "(3, 3)"

    keys.tab_to("gmmviz-init", tag="SELECT")
    keys.press("ArrowDown", what="ArrowDown on start")
    assert keys.kernel("explorer.init_dropdown.value") == "'kmeans++'"

    keys.tab_to("gmmviz-seed", tag="INPUT")
    keys.press("ArrowUp", "Enter", what="ArrowUp, Enter on seed")
    assert keys.kernel("explorer.seed_input.value") == "1"

    keys.tab_to("gmmviz-covariance-type", tag="SELECT")
    keys.press("ArrowDown", what="ArrowDown on Σ type")
    assert (
        keys.kernel("explorer.cov_dropdown.value, explorer.history.final.covariance_type")
        == "('tied', 'tied')"
    )

    keys.tab_to("gmmviz-reg-covar", tag="DIV")
    keys.press("Home", what="Home on reg_covar")  # the far end: reg_covar = 0, used as given
    assert keys.kernel("explorer.reg_slider.value") == "0.0"

    keys.tab_to("gmmviz-step-slider", tag="DIV")
    # The half-step's pictures are kept in the page, which shows the new one before the kernel
    # hears of the move: wait for the kernel's value too.
    keys.press("End", what="End on half-step")
    last = keys.kernel("explorer.history.n_frames - 1")
    keys.kernel_becomes("explorer.step", last, what="End on half-step")
    keys.press("Home", what="Home on half-step")
    keys.kernel_becomes("explorer.step", "0", what="Home on half-step")
    keys.press("ArrowRight", what="ArrowRight on half-step")
    keys.kernel_becomes("explorer.step", "1", what="ArrowRight on half-step")

    keys.tab_to("gmmviz-play", tag="BUTTON")
    keys.press("Enter", what="Enter on Play")  # plays: frames advance on their own
    lab.wait_until(lambda: int(keys.kernel("explorer.step")) >= 3, "Play to advance", timeout=30)
    page.keyboard.press("Space")  # the same button pauses
    lab.wait_until(lambda: keys.kernel("explorer.image.playing") == "False", "Play to pause", timeout=10)
    page.wait_for_timeout(400)  # a step already on its way may still land
    paused = keys.kernel("explorer.step")
    page.wait_for_timeout(1000)  # about 6 intervals: a running Play would have moved on
    assert keys.kernel("explorer.step") == paused

    keys.tab_to("gmmviz-speed", tag="SELECT")
    page.keyboard.press("ArrowDown")  # the next speed: faster
    keys.kernel_becomes("explorer.image.interval", "125", what="ArrowDown on speed")
    # Each control reached has a name a screen reader announces (its label and tooltip).
    assert len(keys.names) == 8 and all(keys.names), keys.names
    assert keys.names[0].startswith("K") and keys.names[6].startswith("play"), keys.names
    assert keys.names[7].startswith("speed"), keys.names
    assert lab.errors() == []


PAD_NOTEBOOK = "keyboard_pad.ipynb"
PAD_CODE = """from gmmviz.pads import SketchPad

pad = SketchPad(n_components=3, n_points=150)
pad"""


def test_the_drawing_pad_has_a_keyboard_path(lab):
    write_notebook(lab.server.root, PAD_NOTEBOOK, PAD_CODE)
    lab.open(PAD_NOTEBOOK)
    lab.run_all()
    page = lab.page
    page.wait_for_selector(".gmmviz-sketchpad canvas")
    assert page.evaluate(JS_INK) == 0
    page.keyboard.press("Escape")
    for _ in range(60):  # Tab only, to the Random clusters button
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.gmmviz-sketch-random')"):
            break
    else:
        raise AssertionError("Tab never reached the Random clusters button")
    page.keyboard.press("Enter")
    # The clusters appear on the canvas in the page and reach the kernel as labelled points.
    lab.wait_until(lambda: page.evaluate(JS_INK) > 500, "dots on the canvas", timeout=30)
    out = lab.execute("X, y = pad.points(); print(X.shape, sorted(set(y.tolist())), pad.source)")
    assert out.strip() == "(150, 2) [0, 1, 2] canvas"
    # Tab on to Fit EM, press Space: an explorer appears under the pad.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('.gmmviz-sketch-fit')"):
            break
    else:
        raise AssertionError("Tab never reached Fit EM")
    # Its name is its own (its ▶ icon is decoration, not ipywidgets' Play).
    name = page.evaluate("() => document.activeElement.getAttribute('aria-label') || ''")
    assert name.startswith("Fit EM"), name
    page.keyboard.press("Space")
    page.wait_for_selector(".gmmviz-sketchpad-box .gmmviz-em-explorer img.gmmviz-em-explorer-figure")
    # The explorer shows K = 3, the K of the pad. Not read from `pad.explorer.history`: once on the
    # page, the explorer fits and draws K + 1 and K - 1 ahead in its idle time, in the kernel's
    # widget thread beside this code, and `history` is the fit being drawn meanwhile (K = 4 was
    # read there once). Its K slider, in the page and in the kernel, stays the K shown.
    handle = page.locator(".gmmviz-sketchpad-box .gmmviz-em-explorer .gmmviz-k-slider .noUi-handle").first
    assert float(handle.get_attribute("aria-valuenow")) == 3
    assert lab.execute("print(pad.explorer.k_slider.value)").strip() == "3"
    # The kernel shows the explorer, then writes the status that reports the fit: wait for it.
    status = page.locator(".gmmviz-sketchpad-box .gmmviz-sketch-status").first
    lab.wait_until(lambda: "Fitted EM with K=3" in status.inner_text(), "the status to report the fit", 30)
    assert lab.errors() == []
