"""The EM explorer's Play, speed, End and readout in JupyterLab in Chromium, right after a refit.

What a learner met (2 cores, Chromium): after a K or seed change, the first Play ran the slider
through every half-step while the picture jumped from frame 1 to frame 22 (the frames were not in
the page yet, and Play did not wait for them); the readout lagged the picture ("M-step iteration 2"
over "E-step, half-step 3"); there was no speed control; and End on the half-step slider landed on
the previous fit's last half-step. Here the page's own record of what it showed is compared with
the kernel's pictures, frame by frame.
"""

from __future__ import annotations

import re

import pytest

from small_notebooks import open_em_explorer

pytestmark = pytest.mark.browser

NOTEBOOK = "player.ipynb"
CODE = """import hashlib
import numpy as np
from gmmviz.widgets import EMExplorer

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(c, 0.6, (60, 2)) for c in ([0, 0], [3, 0], [0, 3], [3, 3])])
explorer = EMExplorer(X, 2, random_state=0, interval=60)
explorer"""

# Records, in the page, every picture the explorer shows (its src) and the readout beside it at
# that moment. A picture change and its readout change are made together: the record is taken
# after both, on the next animation frame.
JS_RECORD = """() => {
    const box = document.querySelector('.gmmviz-em-explorer');
    const img = box.querySelector('img.gmmviz-em-explorer-figure');
    const readout = box.querySelector('.gmmviz-readout');
    window.__shown = [];
    let last = null;
    const note = () => {
        const key = img.src + '|' + readout.textContent;
        if (key === last) return;
        last = key;
        window.__shown.push({src: img.src, text: readout.textContent});
    };
    new MutationObserver(note).observe(img, {attributes: true, attributeFilter: ['src']});
    new MutationObserver(note).observe(readout, {childList: true, subtree: true, characterData: true});
    return 1;
}"""

# SHA-256 of each recorded picture (the blob URLs stay valid while the fit is shown).
JS_HASHES = """async () => {
    const out = [];
    for (const s of window.__shown) {
        const buf = await (await fetch(s.src)).arrayBuffer();
        const h = await crypto.subtle.digest('SHA-256', buf);
        out.push(Array.from(new Uint8Array(h)).map((b) => b.toString(16).padStart(2, '0')).join(''));
    }
    return out;
}"""

HALF_STEP = re.compile(r"half-step (\d+) of (\d+)")


def open_explorer(lab):
    open_em_explorer(lab, NOTEBOOK, CODE)


def refit_in_the_kernel(lab, code):
    """Refit (in the kernel: nothing of the new fit is in the page yet); returns its last half-step."""
    last = int(lab.execute(f"{code}\nprint(explorer.history.n_frames - 1)").strip())
    lab.wait(
        "(last) => document.querySelector('.gmmviz-em-explorer .gmmviz-readout').textContent"
        ".includes('half-step 0 of ' + last)",
        "the new fit's first frame in the page",
        arg=last,
    )
    return last


def kernel_hashes(lab, last):
    out = lab.execute(f"print([hashlib.sha256(explorer.picture(i)).hexdigest() for i in range({last + 1})])")
    return eval(out)  # a list of hex strings printed by the kernel


def test_play_after_a_refit_shows_every_half_step_with_its_own_readout(lab):
    open_explorer(lab)
    page = lab.page
    last = refit_in_the_kernel(lab, "explorer.init_dropdown.value = 'random'; explorer.seed_input.value = 7")
    assert last >= 12, "the test needs a fit with many half-steps"
    page.evaluate(JS_RECORD)
    page.locator(".gmmviz-em-explorer button.gmmviz-play").click()
    lab.wait(
        "(last) => { const b = document.querySelector('.gmmviz-em-explorer button.gmmviz-play');"
        " return b.getAttribute('aria-pressed') === 'false' && document.querySelector("
        "'.gmmviz-em-explorer .gmmviz-readout').textContent.includes('half-step ' + last + ' of'); }",
        "Play to reach the last half-step and stop",
        timeout=90,
        arg=last,
    )
    shown = page.evaluate("() => window.__shown")
    steps = [int(HALF_STEP.search(s["text"]).group(1)) for s in shown]
    # Every half-step, once, in order: no frame skipped, none shown twice.
    assert steps == list(range(1, last + 1)), steps
    # Each picture is the kernel's picture of the half-step its readout names.
    theirs = kernel_hashes(lab, last)
    ours = page.evaluate(JS_HASHES)
    wrong = [(steps[j], j) for j, h in enumerate(ours) if h != theirs[steps[j]]]
    assert wrong == [], f"pictures shown with another half-step's readout: {wrong}"
    assert lab.errors() == []


def test_play_speed_is_the_learners_choice(lab):
    open_explorer(lab)
    page = lab.page
    speed = page.locator(".gmmviz-em-explorer select.gmmviz-speed")
    labels = speed.locator("option").all_inner_texts()
    assert "1 half-step a second" in labels and "4 half-steps a second" in labels, labels
    speed.select_option(label="1 half-step a second")
    lab.wait_until(
        lambda: lab.execute("print(explorer.image.interval)").strip() == "1000",
        "the kernel to hear the speed",
    )
    page.evaluate(JS_RECORD)
    page.locator(".gmmviz-em-explorer button.gmmviz-play").click()
    page.wait_for_timeout(2500)  # at one half-step a second: two or three steps, not the whole fit
    page.locator(".gmmviz-em-explorer button.gmmviz-play").click()  # pause
    steps = [int(HALF_STEP.search(s["text"]).group(1)) for s in page.evaluate("() => window.__shown")]
    assert 1 <= len(steps) <= 3 and steps == list(range(1, len(steps) + 1)), steps


def test_end_after_a_refit_goes_to_the_new_fits_last_half_step(lab):
    open_explorer(lab)
    page = lab.page
    first_last = int(lab.execute("print(explorer.history.n_frames - 1)").strip())
    last = refit_in_the_kernel(lab, "explorer.init_dropdown.value = 'random'; explorer.seed_input.value = 4")
    assert last > first_last, (first_last, last)  # a longer fit than the one the slider was drawn for
    page.locator(".gmmviz-em-explorer .gmmviz-step-slider .noUi-handle").focus()
    page.keyboard.press("End")
    lab.wait_until(
        lambda: lab.execute("print(explorer.step)").strip() == str(last),
        f"End to reach half-step {last}",
    )
    lab.wait(
        "(last) => document.querySelector('.gmmviz-em-explorer .gmmviz-readout').textContent"
        ".includes(`half-step ${last} of ${last}`)",
        "the readout of the last half-step",
        arg=last,
    )
    page.keyboard.press("Home")
    lab.wait_until(lambda: lab.execute("print(explorer.step)").strip() == "0", "Home to reach half-step 0")
    assert lab.errors() == []
