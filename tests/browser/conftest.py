"""Fixtures for the browser tests (helpers in lab_driver.py).

- `chromium`: one headless Chromium per test module (Debian's `/usr/bin/chromium`, driven by Playwright).
  Missing browser or Playwright: the test is skipped, or fails when the environment says CI=true.
- `lab_server`: one `jupyter lab` per session, on 127.0.0.1 with a free port and a random token, serving a
  temporary copy of notebooks/ and contents/ (running cells in the browser never touches the checkout),
  with the course's JupyterLab settings (jupyter/lab/settings, as `make lab`: no news pop-up) and temporary
  user settings (no virtual scrolling of cells, no autosave) and workspaces.
- `lab`: a fresh browser context and page per test, wrapped in `LabPage`; the kernels it started are shut
  down after the test. `lab_page_for(server)` makes one for another server.

On failure a screenshot, the browser console, the kernel's error and stderr messages, the notebook's
outputs and the server log are kept in test-artifacts/ (see `pytest_runtest_makereport`).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from lab_driver import (
    CHROMIUM_ARGS,
    COURSE,
    COURSE_DIRS,
    JUPYTER,
    VIEWPORT,
    LabPage,
    LabServer,
    chromium_executable,
    missing,
    start_lab_server,
    stop_server,
)

# --------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def chromium():
    """Headless Chromium (module scope: Playwright's event loop is gone before nbval's kernels run)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the Python package playwright is not installed (make test installs the test extras)")
    exe = chromium_executable()
    if exe is None:
        missing("Chromium is not installed (scripts/system_deps.sh installs it: apt-get install chromium)")
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)
    except Exception as e:
        pw.stop()
        missing(f"Chromium at {exe} does not start under Playwright: {e}")
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    if not JUPYTER.exists():
        missing(f"{JUPYTER} is missing: run `make test`, which creates the environment")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "course"
    root.mkdir()
    for name in COURSE_DIRS:
        if (COURSE / name).is_dir():
            shutil.copytree(
                COURSE / name, root / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            )
    server = start_lab_server(root, tmp)
    try:
        yield server
    finally:
        stop_server(server.proc, server.base_url, server.token)


@pytest.fixture
def new_page(chromium, request):
    """A fresh browser context and page; failures keep its screenshot and console (see the hook)."""
    context = chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def artifact_stem(item) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1]).strip("_")


@pytest.fixture
def lab_page_for(new_page, request):
    """`lab_page_for(server)`: a LabPage on another server (e.g. one started by `make lab`).
    With GMM_BROWSER_SCREENSHOTS=1 every test keeps its artifacts, passed or not."""
    made = []

    def make(server: LabServer) -> LabPage:
        lp = LabPage(new_page, server)
        request.node._gmm_artifacts = lp.save_artifacts
        made.append(lp)
        return lp

    yield make
    if made:
        keep_final_state(made[-1], request.node)


def keep_final_state(lp: LabPage, item) -> None:
    if os.environ.get("GMM_BROWSER_SCREENSHOTS") and not lp.page.is_closed():
        lp.save_artifacts(artifact_stem(item) + "-end")


@pytest.fixture
def lab(lab_page_for, lab_server, request):
    """A page on the session's test server; the kernels it started are shut down afterwards."""
    lp = lab_page_for(lab_server)
    yield lp
    try:
        keep_final_state(lp, request.node)
        lp.page.context.close()
    finally:
        lab_server.shutdown_kernels()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and report.when in ("setup", "call"):
        save = getattr(item, "_gmm_artifacts", None)
        if save is not None:
            try:
                paths = save(artifact_stem(item))
                report.sections.append(("browser artifacts", "\n".join(str(p) for p in paths)))
            except Exception as e:  # never hide the test's own failure
                report.sections.append(("browser artifacts", f"could not save: {e}"))
