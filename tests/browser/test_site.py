"""The course as a static website (`make site`, scripts/build_site.py), read in headless Chromium with
every request outside the site blocked.

The site is built once per module from the repository's saved notebooks into a temporary folder and
served on 127.0.0.1 by Python's http.server. Every page is opened through its links (index -> next ->
... -> last), and on each:
- no request leaves the site (Playwright's route aborts and records any), none gets an HTTP error;
- no console error and no uncaught exception;
- the maths is typeset by the bundled MathJax: MathJax elements present, no `$$` or `\\begin` left in the
  text of the markdown cells, no MathJax error;
- screen readers get the maths: every equation has MathJax's hidden MathML copy (`<math>`, with an
  `<mfrac>` where its TeX has `\\frac`) beside its aria-hidden picture, and the browser's accessibility
  tree shows a `math` node in a markdown cell;
- every picture loaded (natural width > 0), as many as the notebook saved (widget outputs included);
- each EM explorer is an animation: focused slider + ArrowRight shows a new frame, Play advances it;
- previous / next / contents links point at the right pages.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import sys
import threading

import numpy as np
import pytest

from lab_driver import COURSE, ROOT, load_build_site

pytestmark = pytest.mark.browser

NOTEBOOKS = COURSE / "notebooks"


builder = load_build_site()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(folder, BuildReport) of a site built from the repository's notebooks."""
    out = tmp_path_factory.mktemp("site") / "_site"
    report = builder.build_site(out, NOTEBOOKS, log=lambda line: None)
    return out, report


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site quietly; records every error it answers (server.errors)."""

    def log_message(self, *args):  # quiet
        pass

    def send_error(self, code, message=None, explain=None):
        self.server.errors.append(f"{code} {self.path}")
        super().send_error(code, message, explain)


@pytest.fixture(scope="module")
def site_url(site):
    folder, _ = site
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder))
    )
    server.errors = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.errors
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------------
def test_site_has_every_notebook_and_only_relative_links(site):
    folder, report = site
    names = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in report.pages] == names
    for name in names + ["index"]:
        page = (folder / f"{name}.html").read_text(encoding="utf-8")
        # Anything the page loads: src=, href= of <link>, CSS url(); none may name a host or start at /.
        loaded = re.findall(r'<(?:script|img|iframe|source|audio|video)[^>]*\ssrc="([^"]*)"', page)
        loaded += re.findall(r'<link[^>]*\shref="([^"]*)"', page)
        loaded += re.findall(r'url\(\s*["\']?([^)"\']*)', page)
        outside = [
            u
            for u in loaded
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//|/)", u, re.I) and not u.startswith("data:")
        ]
        assert outside == [], f"{name}.html loads from outside the site: {outside[:5]}"
        assert '.ipynb"' not in page or name == "index", f"{name}.html links to a notebook file"
    assert (folder / "mathjax" / "MathJax.js").is_file()


def test_every_explorer_has_a_recipe_checked_against_its_saved_notebook(site):
    _, report = site
    expected = sum(len(v) for v in builder.SITE_ANIMATIONS.values())
    assert len(report.explorers) == expected > 0
    # The build compared each recipe's explorer with the saved repr and the saved readout (half-steps
    # and ln p(X) of the kernel that ran the notebook); a readout the build could not read fails here.
    assert [e.checks for e in report.explorers] == [("repr", "readout")] * expected
    for e in report.explorers:
        assert e.frames_shown == min(2 * e.n_iter + 1, builder.MAX_FRAMES)


def test_first_explorer_of_04_replays_the_log_likelihoods_the_notebook_printed(site):
    """04 prints the first explorer's ln p(X) at the start and after each iteration: the site's run is that run."""
    _, report = site
    nb = json.loads((NOTEBOOKS / "04_em_explorer.ipynb").read_text(encoding="utf-8"))
    printed = None
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", []))
            m = re.search(r"ln p\(X\) at the start and after each iteration: \[([^\]]*)\]", text)
            if m:
                printed = np.array(m.group(1).split(), dtype=float)
    if printed is None:
        pytest.fail(
            "04_em_explorer no longer prints 'ln p(X) at the start and after each iteration: [...]': "
            "update this test to another number the notebook prints about its first explorer"
        )
    first = next(e for e in report.explorers if e.notebook == "04_em_explorer")
    np.testing.assert_allclose(np.round(first.log_likelihoods, 1), printed, atol=0.051)


def test_a_wrong_recipe_stops_the_build(tmp_path, monkeypatch):
    recipes = dict(builder.SITE_ANIMATIONS)
    wrong = builder.ExplorerRecipe(
        builder._dataset("blobs", n_samples=300, random_state=0),
        dict(n_components=3, init="random", random_state=1, max_components=8),
    )
    recipes["04_em_explorer"] = [wrong, *recipes["04_em_explorer"][1:]]
    monkeypatch.setattr(builder, "SITE_ANIMATIONS", recipes)
    with pytest.raises(builder.SiteError, match=r"04_em_explorer\.ipynb cell \d+: .*update the recipe"):
        builder.build_site(tmp_path / "s", NOTEBOOKS, jobs=1, log=lambda line: None)
    recipes["04_em_explorer"] = recipes["04_em_explorer"][1:]
    with pytest.raises(builder.SiteError, match=r"04_em_explorer\.ipynb has 5 EMExplorer outputs"):
        builder.build_site(tmp_path / "t", NOTEBOOKS, jobs=1, log=lambda line: None)


def test_help_runs():
    import subprocess

    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and "--out" in done.stdout and "SITE_ANIMATIONS" in done.stdout


# --------------------------------------------------------------------------------------------------
# In the browser
# --------------------------------------------------------------------------------------------------
JS_MATHJAX_DONE = """() => new Promise((resolve, reject) => {
  if (!window.MathJax || !MathJax.Hub) { reject(new Error('MathJax did not load')); return; }
  MathJax.Hub.Queue(() => resolve(true));
})"""

JS_MARKDOWN_TEXT = """() => Array.from(document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown'))
  .map(e => e.innerText).join('\\n')"""

# Each equation (a MathJax "jax") as AssistiveMML leaves it: the typeset picture aria-hidden, and beside it
# a visually hidden MathML copy, which is what screen readers read. Returns what is missing.
JS_ASSISTIVE_MATHML = r"""() => MathJax.Hub.getAllJax().map(jax => {
  const tex = jax.originalText.trim().slice(0, 60);
  const frame = document.getElementById(jax.inputID + '-Frame');
  const copy = frame && frame.querySelector(':scope > .MJX_Assistive_MathML > math');
  if (!copy) return `no hidden MathML for ${tex}`;
  if (!frame.querySelector(':scope > [aria-hidden=true]')) return `the picture of ${tex} is not aria-hidden`;
  if (/\\[dt]?frac\b/.test(jax.originalText) && !copy.querySelector('mfrac')) return `no <mfrac> for ${tex}`;
  return null;
}).filter(problem => problem)"""

JS_BROKEN_IMAGES = """() => Array.from(document.querySelectorAll('.jp-OutputArea img'))
  .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => (img.src || '').slice(0, 60))"""


def notebook_facts(name: str) -> tuple[bool, int]:
    """(has maths in markdown, number of pictures the saved outputs hold, widget pictures included)."""
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    maths = any(
        c["cell_type"] == "markdown" and re.search(r"\$[^$]+\$", "".join(c["source"])) for c in nb["cells"]
    )
    return maths, sum(
        1
        for c in nb["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
        and "application/vnd.jupyter.widget-view+json" not in o.get("data", {})
    )


def check_animations(page, expected: int, problems: list[str], where: str) -> None:
    players = page.locator(".gmm-site-explorer")
    if players.count() != expected:
        problems.append(f"{where}: {players.count()} explorer animations, expected {expected}")
    for i in range(players.count()):
        player = players.nth(i)
        frames = int(player.get_attribute("data-frames"))
        slider = player.locator("input[type=range]")
        img = player.locator(".animation img")
        player.scroll_into_view_if_needed()
        if int(slider.get_attribute("max") or slider.evaluate("s => s.max")) != frames - 1:
            problems.append(
                f"{where} animation {i}: slider max {slider.evaluate('s => s.max')}, expected {frames - 1}"
            )
        before = img.get_attribute("src")
        slider.focus()
        page.keyboard.press("ArrowRight")
        try:
            page.wait_for_function(
                "([el, src]) => el.src !== src", arg=[img.element_handle(), before], timeout=5_000
            )
        except Exception:
            problems.append(f"{where} animation {i}: ArrowRight on the slider did not change the frame")
            continue
        if slider.evaluate("s => s.value") != "1":
            problems.append(
                f"{where} animation {i}: after ArrowRight the slider is at "
                f"{slider.evaluate('s => s.value')}, expected 1"
            )
        if not img.evaluate("el => el.naturalWidth > 0"):
            problems.append(f"{where} animation {i}: the frame after ArrowRight is not a picture")
    if players.count():
        # Play runs the film: the first player leaves frame 1 on its own.
        player = players.first
        player.locator("button[title=Play]").click()
        try:
            page.wait_for_function(
                "el => parseInt(el.value) > 1",
                arg=player.locator("input[type=range]").element_handle(),
                timeout=10_000,
            )
        except Exception:
            problems.append(f"{where}: Play did not advance the first animation")
        player.locator("button[title=Pause]").click()


def test_every_page_offline_with_maths_pictures_animations_and_links(site, site_url, new_page):
    folder, report = site
    base, server_errors = site_url
    page = new_page
    outside: list[str] = []
    console: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base + "/"):
            r.continue_()
        else:
            outside.append(url)
            r.abort()

    page.context.route("**/*", route)
    page.on("console", lambda m: console.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"{page.url}: uncaught {e}"))

    page.goto(base + "/index.html")
    page.evaluate(JS_MATHJAX_DONE)
    toc = page.locator(".jp-RenderedMarkdown ol > li > a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert toc == [p.href for p in report.pages], "the index lists every page, in order"
    assert page.locator("a[rel=next]").first.get_attribute("href") == report.pages[0].href

    problems: list[str] = []
    explorers = {name: len(v) for name, v in builder.SITE_ANIMATIONS.items()}
    for n, expected in enumerate(report.pages):
        page.locator("nav.top a[rel=next]").click()
        page.wait_for_load_state("load")
        where = expected.href
        if not page.url.endswith("/" + expected.href):
            problems.append(f"next link led to {page.url}, expected {expected.href}")
            page.goto(f"{base}/{expected.href}")
        page.evaluate(JS_MATHJAX_DONE)
        has_maths, n_pictures = notebook_facts(expected.name)
        n_math = page.locator(".MathJax, .MathJax_Display").count()
        if has_maths and n_math == 0:
            problems.append(f"{where}: no typeset maths")
        text = page.evaluate(JS_MARKDOWN_TEXT)
        for raw in ("$$", "\\begin{", "\\frac", "\\sum"):
            if raw in text:
                problems.append(f"{where}: raw {raw!r} in the markdown's text: maths not typeset")
        if page.locator(".MathJax_Error, .merror").count():
            problems.append(f"{where}: MathJax error in the maths")
        no_mathml = page.evaluate(JS_ASSISTIVE_MATHML)
        if no_mathml:
            problems.append(
                f"{where}: {len(no_mathml)} equations a screen reader cannot read: {no_mathml[:3]}"
            )
        if has_maths:
            cell = page.locator(".jp-MarkdownCell", has=page.locator(".MathJax")).first
            if "- math" not in cell.aria_snapshot():
                problems.append(
                    f"{where}: no math node in the accessibility tree of {cell.inner_text()[:60]!r}"
                )
        broken = page.evaluate(JS_BROKEN_IMAGES)
        if broken:
            problems.append(f"{where}: pictures that did not load: {broken[:3]}")
        shown = page.locator(".jp-OutputArea-output > img, .jp-RenderedImage img").count()
        if shown < n_pictures:
            problems.append(f"{where}: {shown} pictures, the notebook saved {n_pictures}")
        prev = page.locator("nav.top a[rel=prev]")
        want_prev = report.pages[n - 1].href if n > 0 else None
        got_prev = prev.get_attribute("href") if prev.count() else None
        if n > 0 and got_prev != want_prev:
            problems.append(f"{where}: previous link {got_prev}, expected {want_prev}")
        check_animations(page, explorers.get(expected.name, 0), problems, where)
        if n + 1 == len(report.pages):
            assert page.locator("nav.top a[rel=next]").count() == 0, "the last page has no next link"
            break

    # Back to the start by a "previous" link and the contents link.
    page.locator("nav.bottom a[rel=prev]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/" + report.pages[-2].href)
    page.locator("nav.bottom a.home").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/index.html")

    assert outside == [], f"requests outside the site: {outside[:10]}"
    assert server_errors == [], f"requests the site could not answer: {server_errors[:10]}"
    assert console == [], "console errors:\n" + "\n".join(console[:10])
    assert problems == [], "\n".join(problems)
