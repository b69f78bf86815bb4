"""200 random presses on the EM explorer in JupyterLab in Chromium, then the picture is checked.

100 presses at a learner's pace (a quarter of a second apart) and 100 at key-repeat pace (30 ms
apart: a held arrow key), each on a control chosen at random (K, start, seed, Σ type, reg_covar,
half-step, Play, speed, and the picture's own keys: pick a mean and move it, a point cursor that
adds and removes points). When the presses stop and the explorer settles, the picture the page
shows, byte for byte, and its readout equal those of a fresh explorer made in the kernel on the
same controls, start and data; neither the page, the kernel nor the server logged an error.
"""

from __future__ import annotations

import random
import re

import pytest

from small_notebooks import open_em_explorer

pytestmark = pytest.mark.browser

NOTEBOOK = "presses.ipynb"
CODE = """import hashlib
import numpy as np
from gmmviz.widgets import EMExplorer

rng = np.random.default_rng(0)
X = np.concatenate([rng.normal(c, 0.6, (60, 2)) for c in ([0, 0], [3, 0], [0, 3], [3, 3])])
explorer = EMExplorer(X, 3, random_state=0, max_components=6)
explorer"""

BOX = ".gmmviz-em-explorer"
IMG = f"{BOX} img.gmmviz-em-explorer-figure"
# (control, the element that takes the keys, the keys a learner presses there)
CONTROLS = [
    ("k", f"{BOX} .gmmviz-k-slider .noUi-handle", [["ArrowLeft"], ["ArrowRight"]]),
    ("init", f"{BOX} .gmmviz-init select", [["ArrowDown"], ["ArrowUp"]]),
    ("seed", f"{BOX} .gmmviz-seed input", [["ArrowUp", "Enter"], ["ArrowDown", "Enter"]]),
    ("covariance_type", f"{BOX} .gmmviz-covariance-type select", [["ArrowDown"], ["ArrowUp"]]),
    ("reg_covar", f"{BOX} .gmmviz-reg-covar .noUi-handle", [["ArrowLeft"], ["ArrowRight"]]),
    ("step", f"{BOX} .gmmviz-step-slider .noUi-handle", [["ArrowLeft"], ["ArrowRight"], ["Home"], ["End"]]),
    ("play", f"{BOX} .gmmviz-play", [["Enter"]]),
    ("speed", f"{BOX} .gmmviz-speed", [["ArrowDown"], ["ArrowUp"]]),
    (
        "picture",
        IMG,
        [
            ["1", "ArrowRight", "Enter"],
            ["2", "ArrowUp", "ArrowUp", "Enter"],
            ["p", "ArrowLeft", "Enter"],
            ["p", "Delete"],
        ],
    ),
]

JS_PAGE = """async () => {
    const box = document.querySelector('.gmmviz-em-explorer');
    const img = box.querySelector('img.gmmviz-em-explorer-figure');
    // (a picture of a fit just replaced may have had its URL let go: not settled yet, ask again)
    let buf = null;
    try { buf = await (await fetch(img.src)).arrayBuffer(); } catch (e) { buf = null; }
    const h = buf && await crypto.subtle.digest('SHA-256', buf);
    return {sha: h ? Array.from(new Uint8Array(h)).map((b) => b.toString(16).padStart(2, '0')).join('') : null,
            readout: box.querySelector('.gmmviz-readout').textContent,
            playing: box.querySelector('.gmmviz-play').getAttribute('aria-pressed') === 'true'};
}"""

FRESH = """
_ex = explorer
_key = _ex.current_fit.key
_fresh = EMExplorer(X, _key.n_components, init=_key.init, covariance_type=_key.covariance_type,
                    reg_covar=_key.reg_covar, random_state=_key.seed, max_components=6, prefetch=False)
if _key.data != 0:
    _fresh.set_data(_ex.X, _ex.added)
if _key.start is not None:
    _fresh.set_start(_key.start)
_fresh.set_step(_ex.step)
assert _fresh.current_fit.key[:5] == _key[:5], (_fresh.current_fit.key, _key)
import re as _re
print(hashlib.sha256(bytes(_fresh.image.value)).hexdigest())
print(_re.sub(r"<[^>]+>", "", _fresh.readout).replace("&nbsp;", " "))
"""


def press_at_random(lab, rng, n, pause_ms):
    page = lab.page
    made = []
    for _ in range(n):
        control, selector, choices = rng.choice(CONTROLS)
        keys = rng.choice(choices)
        page.locator(selector).focus()
        for key in keys:
            page.keyboard.press(key)
            page.wait_for_timeout(pause_ms)
        made.append(control)
    return made


def settle(lab):
    """Play stopped, the kernel idle and the picture unchanged for two seconds."""
    page = lab.page
    if page.evaluate(JS_PAGE)["playing"]:
        page.locator(f"{BOX} .gmmviz-play").click()
    last = None
    for _ in range(60):
        lab.execute("pass")  # (behind every message the page sent)
        page.wait_for_timeout(2000)
        now = page.evaluate(JS_PAGE)
        kernel_step = int(lab.execute("print(explorer.step)").strip())
        page_step = int(re.search(r"half-step (\d+)", now["readout"]).group(1))
        if now == last and now["sha"] is not None and kernel_step == page_step and not now["playing"]:
            return now
        last = now
    raise AssertionError("the explorer never settled after the presses")


def test_200_random_presses_end_on_a_fresh_explorers_picture(lab):
    open_em_explorer(lab, NOTEBOOK, CODE)
    rng = random.Random(20261207)
    made = press_at_random(lab, rng, 100, 250) + press_at_random(lab, rng, 100, 30)
    assert len(made) == 200 and len(set(made)) == len(CONTROLS), sorted(set(made))
    shown = settle(lab)
    sha, readout = lab.execute(FRESH).strip().splitlines()
    assert " ".join(shown["readout"].split()) == " ".join(readout.split())
    assert shown["sha"] == sha, "the picture after 200 presses differs from a fresh explorer's"
    assert lab.errors() == []
    bad = [line for line in lab.console if line.startswith(("[error]", "[pageerror]", "[crash]"))]
    assert not bad, bad
    print(f"\n200 presses: {', '.join(f'{c} {made.count(c)}' for c in sorted(set(made)))}")
