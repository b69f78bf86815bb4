"""The EM explorer under the learner's hands, in JupyterLab in Chromium: drag a mean with the mouse,
click to add a point and Shift+click to remove it, the same from the keyboard, and "Copy as code".

Where things are on the screen is computed from matplotlib's own transform of the figure (the
kernel's ``ax_points.transData``) and the picture's box in the page, not from the page's code, so
a wrong mapping in the page fails here. "Where it was dropped" is checked within one screen pixel
in data units.
"""

from __future__ import annotations

import json

import pytest

from small_notebooks import open_em_explorer

pytestmark = pytest.mark.browser

NOTEBOOK = "hands.ipynb"
CODE = """import numpy as np
from gmmviz.widgets import EMExplorer

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(c, 0.5, (50, 2)) for c in ([0, 0], [4, 0], [0, 4])])
explorer = EMExplorer(X, 3, random_state=0)
explorer"""

IMG = ".gmmviz-em-explorer img.gmmviz-em-explorer-figure"
JS_BOX = f"""() => {{ const r = document.querySelector('{IMG}').getBoundingClientRect();
    return {{left: r.left, top: r.top, width: r.width, height: r.height}}; }}"""


def open_explorer(lab):
    open_em_explorer(lab, NOTEBOOK, CODE)


def kernel(lab, expression: str):
    return json.loads(lab.execute(f"import json\nprint(json.dumps({expression}))").strip())


def screen(lab, xy):
    """Where the data point ``xy`` is on the screen (CSS px), by matplotlib's transform."""
    px, py, fig_w, fig_h = kernel(
        lab,
        f"[*map(float, explorer.renderer.ax_points.transData.transform({list(xy)!r})), "
        "*map(float, explorer.renderer.figure.bbox.size)]",
    )
    box = lab.page.evaluate(JS_BOX)
    scale = box["width"] / fig_w
    return box["left"] + px * scale, box["top"] + (fig_h - py) * scale


def pixel_in_data(lab):
    """One screen pixel in data units (the larger of x and y)."""
    box = lab.page.evaluate(JS_BOX)
    span = kernel(
        lab,
        "[float(explorer.renderer.ax_points.get_xlim()[1] - explorer.renderer.ax_points.get_xlim()[0]), "
        "float(explorer.renderer.ax_points.get_ylim()[1] - explorer.renderer.ax_points.get_ylim()[0]), "
        "float(explorer.renderer.ax_points.get_position().width), "
        "float(explorer.renderer.ax_points.get_position().height)]",
    )
    return max(span[0] / (span[2] * box["width"]), span[1] / (span[3] * box["height"]))


def wait_kernel(lab, expression: str, what: str, timeout: float = 30):
    return lab.wait_until(lambda: kernel(lab, expression), what, timeout=timeout)


def test_drag_a_mean_click_points_and_copy_the_code(lab):
    open_explorer(lab)
    mouse = lab.page.mouse
    tol = 1.5 * pixel_in_data(lab)

    # Drag mean 2 (numbered on the picture) to (2, 3): EM starts again from there.
    means = kernel(lab, "explorer.history.params[0].means.tolist()")
    sx, sy = screen(lab, means[1])
    tx, ty = screen(lab, (2.0, 3.0))
    mouse.move(sx, sy)
    mouse.down()
    mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=4)
    mouse.move(tx, ty, steps=4)
    mouse.up()
    start = wait_kernel(lab, "explorer.start and [list(m) for m in explorer.start]", "the dragged start")
    assert abs(start[1][0] - 2.0) <= tol and abs(start[1][1] - 3.0) <= tol, (start, tol)
    assert start[0] == pytest.approx(means[0], abs=1e-12) and start[2] == pytest.approx(means[2], abs=1e-12)
    assert kernel(lab, "explorer.history.init") == "placed"
    assert kernel(lab, "explorer.step") == 0
    lab.wait(
        "() => /start: your means/.test(document.querySelector('.gmmviz-em-explorer .gmmviz-readout').textContent)",
        "the readout to say the start is the learner's",
    )
    # The new run is scrubbed like any other: its last half-step from the kernel.
    n = kernel(lab, "explorer.history.n_frames")
    assert n >= 3

    # Click an empty place: a point there; Shift+click on it: gone again.
    n0 = kernel(lab, "explorer.X.shape[0]")
    cx, cy = screen(lab, (4.0, 4.0))
    mouse.click(cx, cy)
    wait_kernel(lab, f"explorer.X.shape[0] == {n0 + 1}", "the point added")
    added = kernel(lab, "explorer.X[-1].tolist()")
    assert abs(added[0] - 4.0) <= tol and abs(added[1] - 4.0) <= tol, (added, tol)
    assert kernel(lab, "int(explorer.added.sum())") == 1
    lab.page.keyboard.down("Shift")
    mouse.click(cx, cy)
    lab.page.keyboard.up("Shift")
    wait_kernel(lab, f"explorer.X.shape[0] == {n0}", "the point removed")
    assert kernel(lab, "int(explorer.added.sum())") == 0

    # Copy as code: the text box holds code that makes the same fit.
    lab.page.locator(".gmmviz-code-button").click()
    lab.wait(
        "() => { const t = document.querySelector('.gmmviz-code textarea');"
        " return t && /gmmviz.fit_em/.test(t.value); }",
        "the code shown",
    )
    code = lab.page.evaluate("() => document.querySelector('.gmmviz-code textarea').value")
    same = lab.execute(
        f"import numpy as np\n_ns = {{}}\nexec({code!r}.replace('plt.show()', 'plt.close(fig)'), _ns)\n"
        "print(np.allclose(_ns['history'].log_likelihoods, explorer.history.log_likelihoods, rtol=1e-9, atol=0)"
        " and _ns['history'].n_frames == explorer.history.n_frames)"
    ).strip()
    assert same.splitlines()[-1] == "True", same
    assert not lab.errors()


def test_the_same_from_the_keyboard(lab):
    open_explorer(lab)
    tol = 1e-9
    means = kernel(lab, "explorer.history.params[0].means.tolist()")
    xlim, ylim = kernel(lab, "[list(explorer.image.axes['xlim']), list(explorer.image.axes['ylim'])]")
    img = lab.page.locator(IMG)
    img.focus()
    keys = lab.page.keyboard
    # Mean 1, four steps right (each 1/40 of the axis), one up with Shift (1/8), then Enter.
    keys.press("1")
    for _ in range(4):
        keys.press("ArrowRight")
    keys.press("Shift+ArrowUp")
    keys.press("Enter")
    start = wait_kernel(
        lab, "explorer.start and [list(m) for m in explorer.start]", "the start placed by keys"
    )
    want = (means[0][0] + 4 * (xlim[1] - xlim[0]) / 40, means[0][1] + (ylim[1] - ylim[0]) / 8)
    assert abs(start[0][0] - want[0]) < 1e-6 and abs(start[0][1] - want[1]) < 1e-6, (start, want)
    assert start[1] == pytest.approx(means[1], abs=tol)
    status = lab.page.evaluate("() => document.querySelector('.gmmviz-hands-status').textContent")
    assert "Mean 1" in status

    # P: a cursor in the middle; two steps left, Enter adds a point there; Delete removes it.
    n0 = kernel(lab, "explorer.X.shape[0]")
    img.focus()
    keys.press("p")
    keys.press("ArrowLeft")
    keys.press("ArrowLeft")
    keys.press("Enter")
    wait_kernel(lab, f"explorer.X.shape[0] == {n0 + 1}", "the point added by keys")
    added = kernel(lab, "explorer.X[-1].tolist()")
    centre = ((xlim[0] + xlim[1]) / 2 - 2 * (xlim[1] - xlim[0]) / 40, (ylim[0] + ylim[1]) / 2)
    assert added == pytest.approx(centre, abs=1e-6)
    keys.press("Delete")
    wait_kernel(lab, f"explorer.X.shape[0] == {n0}", "the point removed by keys")
    keys.press("Escape")
    # The keys stayed in the explorer: JupyterLab did not take them (the notebook is unchanged).
    assert lab.page.evaluate("() => window.__gmm.panel.content.widgets.length") == 1
    assert not lab.errors()
