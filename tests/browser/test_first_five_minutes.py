"""The first five minutes: the README's "open the course" command, `make lab`, starts JupyterLab with
the course and the browser lands on notebooks/00_start_here.ipynb with a running kernel, whichever way
the learner arrives (the browser Jupyter opens; the printed address pasted into a browser on a machine
without one; the bare `/?token=…` or `/lab?token=…`), and no pop-up about Jupyter news gets in the way
(the course's settings in jupyter/lab/settings, not a test-only setting).

The command runs as a learner runs it, in the checkout (GMM_BROWSER_CHECKOUT names another one, e.g. a
fresh `git clone`), with these test-only differences:
- JUPYTER_PORT and JUPYTER_TOKEN (read by Jupyter Server) pick a free port and a known token;
- BROWSER names a script that records the URL Jupyter asks the browser to open (scripts/lab.sh then
  does not pass --no-browser); the test opens that URL in headless Chromium;
- Jupyter's config, runtime, settings and workspace folders are temporary and empty, as on a new
  machine, and autosave is off, so the checkout's notebook is never rewritten; the checkpoint copy
  JupyterLab makes when it opens the notebook is removed afterwards (if the test made it).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from lab_driver import (
    JS_ADOPT_PANEL,
    JS_READY,
    ROOT,
    VIEWPORT,
    LabPage,
    LabServer,
    free_port,
    isolated_jupyter_env,
    missing,
    start_lab_sh,
    stop_server,
    tail,
    wait_for_server,
)

pytestmark = pytest.mark.browser

CHECKOUT = Path(os.environ.get("GMM_BROWSER_CHECKOUT") or ROOT).resolve()
START_HERE = "notebooks/00_start_here.ipynb"
# `make lab` first checks the environment (scripts/setup_venv.py); that is quick when it is up to date
# (as after `make test`), minutes when it must install.
STARTUP_TIMEOUT = float(os.environ.get("GMM_LAB_STARTUP_TIMEOUT", "600"))


@pytest.fixture
def make_lab(tmp_path):
    """Run `make lab` in the checkout; yield (LabServer, URL it asked the browser to open)."""
    if not (CHECKOUT / START_HERE).exists():
        missing(f"{START_HERE} is not yet written")
    if shutil.which("make") is None:
        pytest.fail("`make` is not installed, so the README's `make lab` cannot run", pytrace=False)
    opened = tmp_path / "opened-urls.txt"
    recorder = tmp_path / "record-browser"
    recorder.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    recorder.chmod(recorder.stat().st_mode | stat.S_IXUSR)
    env = isolated_jupyter_env(tmp_path / "jupyter")
    # Test-only: window.jupyterapp lets a failing test record the notebook's state.
    (Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )
    port, token = free_port(), secrets.token_hex(16)
    env.update(JUPYTER_PORT=str(port), JUPYTER_PORT_RETRIES="0", JUPYTER_TOKEN=token, BROWSER=str(recorder))
    log = tmp_path / "make-lab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["make", "lab"],
            cwd=CHECKOUT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    base_url = f"http://localhost:{port}"
    # Opening a notebook makes JupyterLab write a checkpoint (a copy) next to it; remove ours after.
    checkpoints = CHECKOUT / "notebooks" / ".ipynb_checkpoints"
    checkpoint = checkpoints / "00_start_here-checkpoint.ipynb"
    had = checkpoints.exists(), checkpoint.exists()
    try:
        # The server answers, with the token, on localhost as a learner's browser reaches it.
        status = wait_for_server(base_url, token, proc, log, timeout=STARTUP_TIMEOUT)
        assert "started" in status, status
        # Jupyter asked "the browser" to open the course.
        deadline = time.monotonic() + 60
        while not (opened.exists() and opened.read_text().strip()):
            assert proc.poll() is None, f"make lab exited with {proc.returncode}:\n{tail(log)}"
            assert time.monotonic() < deadline, (
                f"make lab did not open a browser (BROWSER={recorder}):\n{tail(log)}"
            )
            time.sleep(0.3)
        yield LabServer(base_url, token, CHECKOUT, log, proc), opened.read_text().split()[0]
    finally:
        stop_server(proc, base_url, token)
        if not had[1]:
            checkpoint.unlink(missing_ok=True)
        if not had[0] and checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()


# What JupyterLab shows when it asks about news (apputils-extension's notification plugin).
NEWS = re.compile(r"Jupyter news|official Jupyter|notified about", re.I)


def assert_lands_on_start_here(lab: LabPage, url: str):
    """Open `url` as the learner's browser would; the start notebook is the current document, its kernel
    idle, and neither a dialog nor a news notification is shown."""
    page = lab.page
    page.goto(url)
    lab.path = START_HERE
    # What the learner sees: the start notebook's tab, current, with its cells and an idle kernel.
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    lab.wait_until(
        lambda: tab.count() == 1 and tab.inner_text().strip() == "00_start_here.ipynb",
        f"the current tab to be 00_start_here.ipynb after opening {url}",
        timeout=120,
    )
    assert page.url.startswith(lab.server.base_url), page.url
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
    lab.wait_until(lambda: panel.locator(".jp-Cell").count() > 0, "the start notebook's cells", 60)
    assert panel.locator(".jp-Cell").first.is_visible()
    status = page.locator(".jp-StatusBar-Widget").filter(has_text="Python 3")
    lab.wait_until(
        lambda: status.count() > 0 and "Idle" in status.first.inner_text(),
        "the status bar to show an idle Python 3 kernel",
        timeout=120,
    )
    # The same through JupyterLab's API (also records the notebook for failure artifacts).
    lab.wait(JS_ADOPT_PANEL, f"JupyterLab's current document to be {START_HERE}", 30, arg=START_HERE)
    lab.wait(JS_READY, f"the kernel of {START_HERE} to be ready", 60)
    # JupyterLab asks about news once the application is restored; give it time to do so.
    page.wait_for_timeout(3000)
    assert page.evaluate("() => document.querySelector('.jp-Dialog') === null"), (
        "a dialog covers the start notebook"
    )
    shown = page.evaluate("() => document.body.innerText")
    assert not NEWS.search(shown), f"JupyterLab asks about news: {NEWS.search(shown).group(0)!r}"
    # And the settings say so (the course's overrides; the test servers have no news setting of their own).
    notification = lab.server.api("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    props = notification["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false" and props["checkForUpdates"]["default"] is False, props


def test_make_lab_lands_on_start_here(make_lab, lab_page_for):
    server, url = make_lab
    # What the learner's browser opens: a local file that forwards to JupyterLab.
    assert_lands_on_start_here(lab_page_for(server), url)


@pytest.fixture
def printed_lab(tmp_path):
    """Run scripts/lab.sh as `make lab` does on a machine with no browser (--no-browser); yield (LabServer,
    the address it printed). Jupyter makes its own token, as for a learner."""
    if not (CHECKOUT / ".venv" / "bin" / "jupyter").exists():
        missing(f"{CHECKOUT}/.venv is missing: run `make test`, which creates it")
    checkpoints = CHECKOUT / "notebooks" / ".ipynb_checkpoints"
    checkpoint = checkpoints / "00_start_here-checkpoint.ipynb"
    had = checkpoints.exists(), checkpoint.exists()
    # (The workspace is a temporary one: this runs in the real checkout.)
    server, url = start_lab_sh(CHECKOUT, tmp_path / "jupyter", STARTUP_TIMEOUT, learners_workspace=False)
    try:
        yield server, url
    finally:
        stop_server(server.proc, server.base_url, server.token)
        if not had[1]:
            checkpoint.unlink(missing_ok=True)
        if not had[0] and checkpoints.is_dir() and not any(checkpoints.iterdir()):
            checkpoints.rmdir()


def test_every_address_lands_on_start_here(printed_lab, lab_page_for, chromium):
    server, printed = printed_lab
    # The printed address already names the start notebook.
    assert printed.startswith(f"{server.base_url}/lab/tree/{START_HERE}?token="), printed
    token = f"?token={server.token}"
    # `/lab` first, while the workspace is new: it restores the course's default workspace.
    addresses = [f"{server.base_url}/lab{token}", f"{server.base_url}/{token}", printed]
    assert_lands_on_start_here(lab_page_for(server), addresses[0])
    for url in addresses[1:]:
        context = chromium.new_context(viewport=VIEWPORT)
        try:
            assert_lands_on_start_here(LabPage(context.new_page(), server), url)
        finally:
            context.close()
