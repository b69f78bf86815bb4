"""The quick checks (gmmviz.quiz) answered in headless Chromium: in JupyterLab after Run All, in JupyterLab on
the saved notebook without running it, and on the static site (no kernel, every request outside the site
blocked). Each test answers one question wrongly and one rightly and reads the feedback.

The notebook used is 00_start_here (small and quick to run); its quick check has a text question (1: "a clean
slate") and a picture question (3: the bell with σ = 0.2). CI=true makes a missing Chromium a failure (conftest).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest
from matplotlib.colors import to_rgb

from gmmviz.palette import CHECK_FAILED_BACKGROUND, CHECK_PASSED_BACKGROUND
from lab_driver import COURSE, load_build_site

pytestmark = pytest.mark.browser


def _rgb(colour: str) -> str:
    """A palette colour as the browser's computed style writes it."""
    r, g, b = (round(255 * c) for c in to_rgb(colour))
    return f"rgb({r}, {g}, {b})"


NOTEBOOK = "00_start_here"
# Question 1: choice A is wrong, B right. Question 3 (pictures): B right.
WRONG_Q1 = "Run the confusing cell again"
RIGHT_Q1 = "Kernel ▸ Restart Kernel and Run All Cells"


def choice(quiz, question: int, letter: str):
    """The <details> of a choice: question number (1-based), letter A, B, ..."""
    index = "ABCDE".index(letter)
    return quiz.locator(f".gmmq-q:nth-of-type({question}) details.gmmq-choice").nth(index)


def answer_and_check(page, quiz) -> None:
    """Answer question 1 wrongly, then rightly, then the picture question 3 rightly; check what is shown."""
    quiz.scroll_into_view_if_needed()
    assert quiz.locator(".gmmq-q").count() == 4
    wrong, right = choice(quiz, 1, "A"), choice(quiz, 1, "B")
    assert WRONG_Q1 in wrong.locator("summary").inner_text()
    assert RIGHT_Q1 in right.locator("summary").inner_text()
    # Nothing is open before a choice is made: no verdict is visible.
    assert not wrong.locator(".gmmq-fb").is_visible() and not right.locator(".gmmq-fb").is_visible()

    wrong.locator("summary").click()
    feedback = wrong.locator(".gmmq-fb")
    feedback.wait_for(state="visible", timeout=5_000)
    text = feedback.inner_text()
    assert text.startswith("✗ Not quite.") and "variables" in text, text
    # Wrong is shown in red: the feedback's background is the wrong-answer colour.
    assert feedback.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(CHECK_FAILED_BACKGROUND)

    right.locator("summary").click()
    feedback = right.locator(".gmmq-fb")
    feedback.wait_for(state="visible", timeout=5_000)
    text = feedback.inner_text()
    assert text.startswith("✓ Right.") and "forgets every variable" in text, text
    assert feedback.evaluate("e => getComputedStyle(e).backgroundColor") == _rgb(CHECK_PASSED_BACKGROUND)
    # One answer at a time: opening the right choice closed the wrong one (<details name=...>).
    assert not wrong.evaluate("e => e.open")

    # The picture question: the pictures loaded (data URIs), the right one says why.
    pictures = quiz.locator(".gmmq-q:nth-of-type(3) summary img")
    assert pictures.count() == 3
    assert all(pictures.nth(i).evaluate("i => i.complete && i.naturalWidth > 100") for i in range(3))
    bell = choice(quiz, 3, "B")
    bell.locator("summary").click()
    text = bell.locator(".gmmq-fb").inner_text()
    assert text.startswith("✓ Right.") and "1.995" in text, text


def test_quick_check_in_jupyterlab_after_run_all(lab):
    lab.open(f"notebooks/{NOTEBOOK}.ipynb")
    lab.run_all()
    assert lab.errors() == []
    page = lab.page
    quiz = page.locator(".jp-OutputArea-output .gmmq")
    quiz.wait_for(state="attached", timeout=30_000)
    assert quiz.count() == 1
    answer_and_check(page, quiz)
    # Keys in the quiz go to the quiz, not to JupyterLab's command-mode shortcuts: Enter on a focused
    # choice opens it (it does not enter edit mode in the cell).
    other = choice(quiz, 2, "A")
    other.locator("summary").focus()
    page.keyboard.press("Enter")
    other.locator(".gmmq-fb").wait_for(state="visible", timeout=5_000)
    assert other.locator(".gmmq-fb").inner_text().startswith("✓ Right.")
    assert lab.errors() == []


def test_quick_check_in_the_saved_notebook_without_running_it(lab):
    """A learner opens the notebook and reads its saved outputs without running anything. Untrusted
    outputs are sanitized by JupyterLab (the <style> may go); the questions, the choices and the
    feedback behind each choice must still be there."""
    lab.open(f"notebooks/{NOTEBOOK}.ipynb")
    page = lab.page
    quiz = page.locator(".jp-OutputArea-output .gmmq")
    quiz.wait_for(state="attached", timeout=30_000)
    quiz.scroll_into_view_if_needed()
    assert quiz.locator(".gmmq-q").count() == 4
    assert "clean slate" in quiz.inner_text()
    wrong = choice(quiz, 1, "A")
    wrong.locator("summary").click()
    wrong.locator(".gmmq-fb").wait_for(state="visible", timeout=5_000)
    assert wrong.locator(".gmmq-fb").inner_text().startswith("✗ Not quite.")
    right = choice(quiz, 1, "B")
    right.locator("summary").click()
    right.locator(".gmmq-fb").wait_for(state="visible", timeout=5_000)
    assert right.locator(".gmmq-fb").inner_text().startswith("✓ Right.")


# --------------------------------------------------------------------------------------------------
# On the static site
# --------------------------------------------------------------------------------------------------
def load_builder():
    return load_build_site()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def small_site(tmp_path_factory):
    """The site of notebook 00 alone (it has no explorer to animate), built by scripts/build_site.py and
    served on 127.0.0.1."""
    builder = load_builder()
    tmp = tmp_path_factory.mktemp("quiz_site")
    (tmp / "notebooks").mkdir()
    shutil.copy2(COURSE / "notebooks" / f"{NOTEBOOK}.ipynb", tmp / "notebooks")
    shutil.copytree(COURSE / "contents", tmp / "contents")
    saved, builder.SITE_ANIMATIONS = builder.SITE_ANIMATIONS, {}
    try:
        builder.build_site(tmp / "_site", tmp / "notebooks", jobs=1, log=lambda line: None)
    finally:
        builder.SITE_ANIMATIONS = saved
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / "_site"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_quick_check_on_the_static_site(small_site, new_page):
    page = new_page
    outside, errors = [], []
    page.context.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(small_site + "/")
            else (outside.append(r.request.url), r.abort())
        ),
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{small_site}/{NOTEBOOK}.html")
    quiz = page.locator(".gmmq")
    assert quiz.count() == 1
    assert page.locator(".gmmq script").count() == 0  # the feedback needs no script
    answer_and_check(page, quiz)
    assert outside == [] and errors == [], (outside, errors)
