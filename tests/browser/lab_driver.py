"""Drive JupyterLab in headless Chromium the way a learner uses it (helpers for tests/browser).

- `LabServer`: a running `jupyter lab` (URL, token, log) and its REST API.
- `LabPage`: one Playwright page on it: open a notebook in a fresh workspace and wait for an idle kernel,
  run JupyterLab commands (Run All, run a cell, run from a cell), run code in the kernel, and read what
  the learner sees: errors (in cells, from widget callbacks, in Output widgets, in the server log) and
  widget views that did not render. `save_artifacts` keeps a screenshot and a log of all that.
- `isolated_jupyter_env`: temporary Jupyter config, runtime, settings and workspaces, with the settings
  the tests need (every cell in the DOM, no autosave); the course's own settings (no news pop-up) come from
  jupyter/lab/settings, as for `make lab`.

Checked with JupyterLab 4.6, ipywidgets 8.1, ipympl 0.10, anywidget 0.9, Chromium 150, Playwright 1.65.
Environment: CI=true turns a missing browser into a failure; GMM_CHROMIUM names another browser binary;
GMM_BROWSER_TIMEOUT (seconds, default 300) bounds running one notebook; GMM_BROWSER_COURSE runs the
tests on another folder with the same layout (notebooks/, contents/).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The course the browser tests run (default: this checkout); another tree with the same layout can be
# named by GMM_BROWSER_COURSE, e.g. to try the tests on scratch notebooks.
COURSE = Path(os.environ.get("GMM_BROWSER_COURSE") or ROOT).resolve()
ARTIFACTS = ROOT / "test-artifacts"
# The project's environment (make test creates it), else the one running pytest.
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
if not JUPYTER.exists():
    JUPYTER = Path(sys.executable).with_name("jupyter")
# What a notebook may read by relative path; copied so that the notebooks keep the same layout.
COURSE_DIRS = ("notebooks", "contents")
RUN_TIMEOUT = float(os.environ.get("GMM_BROWSER_TIMEOUT", "300"))
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 1000}

# The course's own JupyterLab settings (no news pop-up, no update check), used by `make lab` too
# (scripts/lab.sh): every test server is started with --LabApp.app_settings_dir=LAB_APP_SETTINGS.
LAB_APP_SETTINGS = ROOT / "jupyter" / "lab" / "settings"
# Test-only user settings on top (JUPYTERLAB_SETTINGS_DIR): every cell stays in the DOM and nothing is
# saved behind the test's back. (Not the news setting: that must come from the course's settings.)
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def missing(reason: str):
    """Skip, or fail under CI: there the browser tests must run."""
    if IN_CI:
        pytest.fail(
            f"{reason} (CI=true: the browser tests must run, so this fails instead of skipping)",
            pytrace=False,
        )
    pytest.skip(reason)


def chromium_executable() -> str | None:
    for candidate in (
        os.environ.get("GMM_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_lab_settings(directory: Path) -> Path:
    for rel, value in LAB_SETTINGS.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    return directory


def isolated_jupyter_env(tmp: Path) -> dict[str, str]:
    """Environment for a test server: the learner's own Jupyter config, settings and workspaces are not
    read or written, and MPLBACKEND (set by scripts/test.sh for the unit tests) does not reach the
    kernel, so figures show the way they do for a learner."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)
    env.pop("JUPYTER_TOKEN", None)
    env.pop("JUPYTER_PORT", None)
    dirs = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
    }
    for var, name in dirs.items():
        (tmp / name).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp / name)
    write_lab_settings(tmp / "settings")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def api(base_url: str, token: str, path: str, method: str = "GET", timeout: float = 10):
    req = urllib.request.Request(base_url + path, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        body = r.read()
    return json.loads(body) if body else None


def wait_for_server(base_url: str, token: str, proc: subprocess.Popen, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{tail(log)}")
        try:
            return api(base_url, token, "/api/status", timeout=2)
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{tail(log)}")


def stop_server(proc: subprocess.Popen, base_url: str | None = None, token: str | None = None):
    """Shut down kernels and server: the REST shutdown first (kernels run in their own sessions, so
    signalling the server's process group would leave them behind), then SIGTERM/SIGKILL the group."""
    if proc.poll() is None and base_url:
        try:
            api(base_url, token, "/api/shutdown", method="POST", timeout=5)
            proc.wait(timeout=15)
        except Exception:
            pass
    if proc.poll() is None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue


def tail(path: Path, n: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


@dataclass
class LabServer:
    base_url: str
    token: str
    root: Path
    log: Path
    proc: subprocess.Popen

    def url(self, path: str, workspace: str | None = None) -> str:
        prefix = f"/lab/workspaces/{workspace}" if workspace else "/lab"
        return f"{self.base_url}{prefix}/tree/{path}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        return api(self.base_url, self.token, path, method)

    def shutdown_kernels(self):
        for session in self.api("/api/sessions") or []:
            try:
                self.api(f"/api/sessions/{session['id']}", method="DELETE")
            except Exception:
                pass
        for kernel in self.api("/api/kernels") or []:
            try:
                self.api(f"/api/kernels/{kernel['id']}", method="DELETE")
            except Exception:
                pass

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

    def kernel_events(self, offset: int = 0) -> list[tuple[str, str]]:
        """("started" | "shutdown", kernel id) for each kernel the server started or shut down, in order,
        from its log (after byte `offset`)."""
        return kernel_events(self.log_since(offset))


# Jupyter Server logs every kernel it starts and shuts down (INFO): "Kernel started: <id>".
KERNEL_EVENT = re.compile(r"Kernel (started|shutdown): ([0-9a-f]{8}-[0-9a-f-]{27})")


def kernel_events(log_text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in KERNEL_EVENT.finditer(log_text)]


# What scripts/lab.sh needs to run from another folder: itself, the course's JupyterLab settings and start
# workspace (jupyter/), and what the notebooks read (COURSE_DIRS); `.venv` is linked, not copied.
LAB_SH_FILES = ("scripts/lab.sh", "jupyter")


def copy_course_for_lab_sh(dest: Path) -> Path:
    """A fresh copy of the course in `dest` that `bash scripts/lab.sh` runs as in the checkout (as a learner's
    new clone: no .jupyter/ yet), so that a test may run notebooks without touching the checkout."""
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        missing(f"{ROOT}/.venv is missing: run `make test`, which creates it")
    dest.mkdir(parents=True, exist_ok=True)
    for rel in LAB_SH_FILES:
        src = ROOT / rel
        if src.is_dir():
            shutil.copytree(src, dest / rel)
        else:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for name in COURSE_DIRS:
        if (COURSE / name).is_dir():
            shutil.copytree(
                COURSE / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
            )
    (dest / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    return dest


def start_lab_sh(
    checkout: Path, tmp: Path, timeout: float = 600, *, learners_workspace: bool = True
) -> tuple[LabServer, str]:
    """Run `bash scripts/lab.sh --no-browser` in `checkout` as `make lab` does on a machine without a
    browser; return the server and the address it printed (Jupyter makes its own token, as for a learner).

    Jupyter's config, runtime and user settings are temporary (isolated_jupyter_env), but the workspace
    is the learner's: lab.sh seeds `checkout/.jupyter/workspaces` from jupyter/lab/workspaces
    (``learners_workspace=False``: a temporary one, for a run in the real checkout). Only test-only
    change: `window.jupyterapp` is exposed. Stop it with :func:`stop_server`."""
    env = isolated_jupyter_env(tmp)
    for var in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    if learners_workspace:
        env.pop("JUPYTERLAB_WORKSPACES_DIR", None)
    (Path(env["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )
    port = free_port()
    env.update(JUPYTER_PORT=str(port), JUPYTER_PORT_RETRIES="0")
    log = tmp / "lab-sh.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/lab.sh", "--no-browser"],
            cwd=checkout,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    printed = re.compile(rf"(http://127\.0\.0\.1:{port}/\S*\?token=([0-9a-f]+))")
    server = None
    try:
        deadline = time.monotonic() + timeout
        while not (m := printed.search(log.read_text(errors="replace"))):
            if proc.poll() is not None:
                raise RuntimeError(f"scripts/lab.sh exited with {proc.returncode}:\n{tail(log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"scripts/lab.sh printed no address within {timeout:.0f} s:\n{tail(log)}")
            time.sleep(0.3)
        server = LabServer(f"http://127.0.0.1:{port}", m.group(2), checkout, log, proc)
        wait_for_server(server.base_url, server.token, proc, log)
        return server, m.group(1)
    except BaseException:
        stop_server(proc, server.base_url if server else None, server.token if server else None)
        raise


def start_lab_server(root: Path, tmp: Path) -> LabServer:
    """Start JupyterLab on ``root`` as the tests need it, with the course's own settings, and wait.

    A free port and a fresh token; Jupyter's config, data and runtime folders in ``tmp``; the project's
    settings (``LAB_APP_SETTINGS``: no news pop-up), as ``scripts/lab.sh`` passes them; and
    ``window.jupyterapp`` exposed so a test can run commands. Stop it with :func:`stop_server`.
    """
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        str(JUPYTER),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.token={token}",
        f"--ServerApp.root_dir={root}",
        "--expose-app-in-browser",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.app_settings_dir={LAB_APP_SETTINGS}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=isolated_jupyter_env(tmp),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = LabServer(f"http://127.0.0.1:{port}", token, root, log, proc)
    try:
        wait_for_server(server.base_url, token, proc, log)
    except BaseException:
        stop_server(proc, server.base_url, token)
        raise
    return server


# --------------------------------------------------------------------------------------------------
# JavaScript run in the page. `window.__gmm` holds the notebook panel a test opened and what its kernel
# said on IOPub (errors and stderr), so a later change of focus does not change what is inspected.

JS_READY = """() => {
  const app = window.jupyterapp;
  if (!app || !window.__gmm || !window.__gmm.panel) return false;
  const p = window.__gmm.panel, sc = p.sessionContext;
  const k = sc && sc.session && sc.session.kernel;
  return !!(p.context.isReady && sc.isReady && k && k.status === 'idle' && k.connectionStatus === 'connected');
}"""

JS_ADOPT_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app) return false;
  const w = app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== path || !w.content || !w.sessionContext) return false;
  if (!window.__gmm || window.__gmm.panel !== w) {
    window.__gmm = {panel: w, iopub: [], run: null};
    w.sessionContext.iopubMessage.connect((_, msg) => {
      const t = msg.header.msg_type, c = msg.content;
      if (t === 'error') window.__gmm.iopub.push({kind: 'error', text: c.ename + ': ' + c.evalue,
                                                  traceback: (c.traceback || []).join('\\n')});
      else if (t === 'stream' && c.name === 'stderr') window.__gmm.iopub.push({kind: 'stderr', text: c.text});
    });
  }
  return true;
}"""

JS_DIALOG = """() => {
  const d = document.querySelector('.jp-Dialog');
  return d ? d.innerText.replace(/\\s+/g, ' ').trim() : null;
}"""

JS_RUN_COMMAND = """([cmd, args]) => {
  const g = window.__gmm;
  g.panel.content.activate();
  g.run = {done: false, error: null};
  // Do not await the command here (it can wait on a dialog); poll g.run instead.
  window.jupyterapp.commands.execute(cmd, args || {}).then(
    () => { g.run.done = true; },
    (e) => { g.run.done = true; g.run.error = String(e); });
  return 1;
}"""

JS_CELLS = """() => {
  const p = window.__gmm.panel, k = p.sessionContext.session && p.sessionContext.session.kernel;
  const cells = [];
  p.content.widgets.forEach((cell, i) => {
    const m = cell.model, src = m.sharedModel.getSource();
    const c = {index: i, type: m.type, source: src, tags: m.getMetadata('tags') || []};
    if (m.type === 'code') {
      c.count = m.executionCount; c.state = m.executionState;
      c.outputs = m.outputs.toJSON().map((o) => ({
        type: o.output_type, name: o.name || null, mimes: o.data ? Object.keys(o.data) : [],
        text: o.output_type === 'stream' ? String(o.text).slice(0, 2000)
            : o.output_type === 'error' ? o.ename + ': ' + o.evalue
            : (o.data && o.data['text/plain'] ? String(o.data['text/plain']).slice(0, 300) : '')}));
    }
    cells.push(c);
  });
  return {cells, kernel: k ? k.status : null, run: window.__gmm.run, iopub: window.__gmm.iopub,
          windowing: p.content.notebookConfig ? p.content.notebookConfig.windowingMode : null};
}"""

# For every output of every code cell that is a widget view: was it rendered?
JS_WIDGET_VIEWS = (
    """() => {
  const p = window.__gmm.panel, views = [];
  p.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    const outs = cell.model.outputs.toJSON();
    const kids = Array.from(cell.outputArea.node.querySelectorAll(':scope > .jp-OutputArea-child'));
    outs.forEach((o, j) => {
      if (!o.data || !o.data['"""
    + WIDGET_VIEW
    + """']) return;
      const child = kids[j], node = child && child.querySelector(':scope > .jp-OutputArea-output');
      const r = node ? node.getBoundingClientRect() : null;
      const text = node ? node.innerText : '';
      const view = node ? node.firstElementChild : null;
      // An empty Output widget, or a widget hidden on purpose (layout.display='none'), has no height.
      const may_be_empty = !!view && (view.classList.contains('widget-output') ||
                                      getComputedStyle(view).display === 'none');
      views.push({cell: i, output: j, model_id: o.data['"""
    + WIDGET_VIEW
    + """'].model_id,
                  found: !!node, children: node ? node.childElementCount : 0,
                  width: r ? r.width : 0, height: r ? r.height : 0, may_be_empty,
                  classes: view ? view.className : '',
                  problem: /Error displaying widget|Loading widget|model not found|Click to show javascript error/i.test(text)
                           || !!(node && node.querySelector('.jupyter-widgets-error-widget'))});
    });
  });
  const all = p.content.node.innerText;
  const loading_in = p.content.widgets.map((c, i) => /Loading widget/.test(c.node.innerText) ? i : -1)
    .filter((i) => i >= 0);
  const broken = p.content.node.querySelectorAll('.jupyter-widgets-error-widget').length;
  return {views, loading: /Loading widget/.test(all), loading_in,
          errors: (all.match(/Error displaying widget[^\\n]*/g) || []).concat(
            broken ? [broken + ' widget view(s) failed in JavaScript ("Click to show javascript error")'] : [])};
}"""
)

JS_DOM_TRACEBACKS = """() => Array.from(window.__gmm.panel.content.node.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
  .map((e) => e.innerText).filter((t) => /Traceback|Error\\b/.test(t)).map((t) => t.slice(0, 3000))"""

JS_EXECUTE = """async (code) => {
  const k = window.__gmm.panel.sessionContext.session.kernel;
  const fut = k.requestExecute({code, silent: false, store_history: false});
  let out = '', err = null;
  fut.onIOPub = (msg) => {
    const t = msg.header.msg_type, c = msg.content;
    if (t === 'stream') out += c.text;
    else if (t === 'error') err = c.ename + ': ' + c.evalue + '\\n' + (c.traceback || []).join('\\n');
    else if ((t === 'execute_result' || t === 'display_data') && c.data['text/plain']) out += c.data['text/plain'] + '\\n';
  };
  const reply = await fut.done;
  return {out, err, status: reply.content.status};
}"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class LabPage:
    """One browser page on the test server, with the notebook it opened."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server
        self.console: list[str] = []
        self.path: str | None = None
        self.log_offset = server.log_size()
        page.on("console", lambda m: self.console.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", lambda e: self.console.append(f"[pageerror] {e}"))
        page.on("crash", lambda: self.console.append("[crash] the page crashed"))

    # ---- waiting -------------------------------------------------------------------------------
    def wait(self, js: str, what: str, timeout: float = 60, arg=None):
        """Poll a JS predicate; a JupyterLab dialog (e.g. "Select Kernel") fails at once."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(js, arg) if arg is not None else self.page.evaluate(js)
            if value:
                return value
            dialog = self.page.evaluate(JS_DIALOG)
            if dialog:
                raise AssertionError(f"while waiting for {what}, JupyterLab showed a dialog: {dialog}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            self.page.wait_for_timeout(250)

    def wait_until(self, predicate, what: str, timeout: float = 30, interval: float = 0.3):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
            self.page.wait_for_timeout(int(interval * 1000))

    # ---- notebooks -----------------------------------------------------------------------------
    def open(self, path: str, timeout: float = 90) -> LabPage:
        """Open `path` (relative to the server root) in a new workspace and wait for an idle kernel."""
        self.path = path
        self.page.goto(
            self.server.url(path, workspace=f"t{uuid.uuid4().hex[:10]}"), wait_until="domcontentloaded"
        )
        self.wait(JS_ADOPT_PANEL, f"{path} to open in a notebook panel", timeout, arg=path)
        self.wait(JS_READY, f"the kernel of {path} to be ready and idle", timeout)
        return self

    def command(self, cmd: str, args: dict | None = None, timeout: float = RUN_TIMEOUT, what: str = ""):
        """Run a JupyterLab command on the notebook and wait until its promise settles and the kernel
        is idle again with no cell running."""
        self.page.evaluate(JS_RUN_COMMAND, [cmd, args or {}])
        self.wait("() => window.__gmm.run && window.__gmm.run.done", what or cmd, timeout)
        self.wait(
            """() => { const s = window.__gmm.panel.sessionContext.session;
                      const k = s && s.kernel;
                      return k && k.status === 'idle' && window.__gmm.panel.content.widgets.every(
                        (c) => c.model.type !== 'code' || c.model.executionState !== 'running'); }""",
            f"the kernel to be idle after {cmd}",
            timeout,
        )
        error = self.page.evaluate("() => window.__gmm.run.error")
        assert not error, f"{cmd} failed: {error}"

    def run_all(self, timeout: float = RUN_TIMEOUT):
        """Clear the saved outputs (and execution counts), then Run All, as a learner would."""
        self.command("notebook:clear-all-cell-outputs", timeout=30)
        self.command("notebook:run-all-cells", timeout=timeout, what=f"Run All in {self.path}")

    def select_cell(self, index: int):
        self.page.evaluate(
            "(i) => { const nb = window.__gmm.panel.content; nb.activeCellIndex = i;"
            " nb.mode = 'command'; return 1; }",
            index,
        )

    def run_cell(self, index: int, timeout: float = RUN_TIMEOUT):
        self.select_cell(index)
        self.command("notebook:run-cell", timeout=timeout, what=f"cell {index} to run")

    def run_from(self, index: int, timeout: float = RUN_TIMEOUT):
        self.select_cell(index)
        self.command("notebook:run-all-below", timeout=timeout, what=f"cells {index}... to run")

    def append_code_cell(self, source: str) -> int:
        """Add a code cell at the end of the notebook (the server's copy; autosave is off)."""
        return self.page.evaluate(
            """(src) => {
            const p = window.__gmm.panel, nb = p.content;
            nb.activeCellIndex = nb.widgets.length - 1; nb.mode = 'command';
            window.jupyterapp.commands.execute('notebook:insert-cell-below');
            const cell = nb.widgets[nb.widgets.length - 1];
            cell.model.sharedModel.setSource(src);
            return nb.widgets.length - 1; }""",
            source,
        )

    def cells(self) -> dict:
        return self.page.evaluate(JS_CELLS)

    def execute(self, code: str, timeout: float = 120) -> str:
        """Run `code` in the notebook's kernel (not in a cell); return its text output."""
        result = self.page.evaluate(JS_EXECUTE, code)
        assert result["err"] is None and result["status"] == "ok", (
            f"kernel code failed:\n{code}\n{ANSI.sub('', result['err'] or '')}"
        )
        return result["out"]

    # ---- what the learner sees -----------------------------------------------------------------
    def errors(self) -> list[str]:
        """Error outputs in cells, error/traceback messages from the kernel (also those raised in
        widget callbacks, which JupyterLab shows only in its log console), tracebacks in the DOM (also
        inside Output widgets) and tracebacks the kernel wrote to the server log. Cells tagged
        `raises-exception` may show the errors they expect."""
        state = self.cells()
        problems, in_cells = [], []
        for c in state["cells"]:
            for o in c.get("outputs", []):
                if o["type"] == "error":
                    in_cells.append(o["text"])
                    if "raises-exception" not in c["tags"]:
                        problems.append(
                            f"cell {c['index']} error: {ANSI.sub('', o['text'])}\n"
                            f"  source: {c['source'][:300]}"
                        )
        # Errors the kernel reported outside the cells' outputs: widget callbacks, Output widgets.
        for m in state["iopub"]:
            if m["kind"] != "error":
                continue
            if m["text"] in in_cells:
                in_cells.remove(m["text"])
                continue
            problems.append(
                f"kernel error (not in a cell's output, e.g. a widget callback): "
                f"{ANSI.sub('', m['text'])}\n{ANSI.sub('', m.get('traceback', ''))[-1500:]}"
            )
        for m in state["iopub"]:
            if m["kind"] == "stderr" and re.search(r"Traceback|Error\b", m["text"]):
                problems.append("kernel stderr: " + ANSI.sub("", m["text"])[-1500:])
        if not problems:  # e.g. a traceback printed into an Output widget
            problems += [
                "traceback shown in the notebook: " + t[-1500:] for t in self.page.evaluate(JS_DOM_TRACEBACKS)
            ]
        server_log = self.server.log_since(self.log_offset)
        for m in re.finditer(r"(Exception in comm_msg|Traceback \(most recent call last\))", server_log):
            problems.append(
                "kernel traceback in the server log:\n" + server_log[m.start() : m.start() + 1500]
            )
        return problems

    def broken_images(self, settle: float = 15) -> list[str]:
        """Shown images in the notebook (markdown pictures, figures) that did not load. Hidden ones
        (display: none, e.g. an empty ipywidgets Image kept for later) do not count."""
        js = """() => Array.from(window.__gmm.panel.content.node.querySelectorAll('img'))
            .filter((img) => img.getClientRects().length > 0 && getComputedStyle(img).visibility !== 'hidden')
            .map((img) => { img.loading = 'eager'; return img; })
            .filter((img) => !(img.complete && img.naturalWidth > 0))
            .map((img) => (img.getAttribute('src') || '').slice(0, 120) + (img.complete ? ' (failed)' : ' (loading)'))"""
        deadline = time.monotonic() + settle
        while (broken := self.page.evaluate(js)) and time.monotonic() < deadline:
            self.page.wait_for_timeout(500)
        return broken

    def widget_views(self) -> dict:
        return self.page.evaluate(JS_WIDGET_VIEWS)

    def unrendered_widgets(self, settle: float = 45) -> list[str]:
        """Widget views in the cells' outputs that did not render (waits up to `settle` s for them)."""

        def bad():
            report = self.widget_views()

            def empty(v):
                return v["children"] == 0 or (v["height"] == 0 and not v["may_be_empty"])

            issues = [
                f"cell {v['cell']} output {v['output']} (model {v['model_id']}, {v['classes']!r}): "
                + (
                    "no output node"
                    if not v["found"]
                    else "shows a widget error or 'Loading widget'"
                    if v["problem"]
                    else "is empty"
                )
                for v in report["views"]
                if not v["found"] or v["problem"] or empty(v)
            ]
            issues += [f"notebook shows: {e}" for e in report["errors"]]
            if report["loading"]:
                issues.append(f"notebook still shows 'Loading widget...' (cells {report['loading_in']})")
            return issues

        deadline = time.monotonic() + settle
        while (issues := bad()) and time.monotonic() < deadline:
            self.page.wait_for_timeout(500)
        return issues

    # ---- artifacts -----------------------------------------------------------------------------
    def save_artifacts(self, stem: str) -> list[Path]:
        ARTIFACTS.mkdir(exist_ok=True)
        saved = []
        png = ARTIFACTS / f"{stem}.png"
        try:
            self.page.screenshot(path=str(png), timeout=10_000)
            saved.append(png)
        except Exception as e:  # a crashed page cannot be photographed; keep the rest
            self.console.append(f"[artifact] screenshot failed: {e}")
        log = ARTIFACTS / f"{stem}-console.log"
        parts = ["== browser console and page errors ==", *self.console]
        try:
            state = self.cells()
            parts += [
                "",
                f"== notebook {self.path}: kernel {state['kernel']}, run {state['run']}, "
                f"windowingMode {state['windowing']} ==",
            ]
            for c in state["cells"]:
                head = c["source"].splitlines()[0][:100] if c["source"] else ""
                parts.append(
                    f"[{c['index']}] {c['type']} count={c.get('count')} state={c.get('state')}"
                    f" tags={c['tags']} | {head}"
                )
                for o in c.get("outputs", []):
                    parts.append(
                        f"    {o['type']} {o['name'] or ''} {o['mimes']} {ANSI.sub('', o['text'])[:1500]}"
                    )
            parts += ["", "== kernel errors and stderr (IOPub) =="]
            parts += [f"{m['kind']}: {ANSI.sub('', m['text'])}" for m in state["iopub"]]
        except Exception as e:
            parts.append(f"(notebook state unavailable: {e})")
        parts += ["", "== jupyter server log during this test ==", self.server.log_since(self.log_offset)]
        log.write_text("\n".join(parts))
        saved.append(log)
        return saved


def load_build_site():
    """scripts/build_site.py as the module ``build_site``, loaded once per test session.

    Its worker processes and dataclasses find their functions by the module's name, so two test files
    must share one module object: loading it a second time would make the first one's functions
    unpicklable ("not the same object as build_site._explorer_job").
    """
    import importlib.util
    import sys

    if "build_site" in sys.modules:
        return sys.modules["build_site"]
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_site"] = module
    spec.loader.exec_module(module)
    return module
