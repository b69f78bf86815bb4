"""Opening a notebook starts exactly one kernel, and Run All pressed right after opening loses no cell.

The bug (a learner, JupyterLab in Chromium on a 2-core machine): the first Run All right after opening
notebooks/05_draw_your_own_data.ipynb ran only cell 1; every other cell went back to `[ ]` with its saved
outputs wiped, and nothing said why. The server log showed two kernels started about 150 ms apart and one
of them shut down.

Why (JupyterLab 4.6.6 itself, not the course's workspace or URLs: each way of arriving opens each notebook
once and starts one kernel for it; these tests check that too). JupyterLab shows a notebook's cells
before its kernel exists: it first makes the notebook's checkpoint, then learns the kernel's name, looks
for a running session (GET /api/sessions), and only then asks for a new kernel (POST /api/sessions),
which takes a second or more on a busy machine. Run All pressed in that time runs every code cell through
`runCell`, which, while the notebook "has no kernel", calls `sessionContext.startKernel()` itself:
- pressed while the kernel's name is known but the session lookup is under way (the learner's case), the
  notebook's own start then asks for a second kernel 100-200 ms later, and JupyterLab shuts down
  whichever it asked for first (`_changeKernel` keeps only its latest request). Cells started before the
  kernel existed are cleared and left at `[ ]` (CodeCell.execute clears a cell silently when the session
  has no kernel); a cell waiting on the kernel that survives runs.
- pressed while the kernel is being started, every code cell is cleared and left at `[ ]` (one kernel);
- pressed while the checkpoint is made (no kernel name yet), a "Select Kernel" dialog pops up.

The workaround is the course's setting `enableKernelInitNotification` (jupyter/lab/settings/overrides.json5):
JupyterLab then runs no code cell while the kernel initializes and says so ("Kernel ... is still
initializing. You can run code cells when the kernel has initialized."); nothing is cleared and no second
kernel starts. A Run All once the kernel is ready runs every cell.

Each test runs `scripts/lab.sh` on a fresh copy of the course (as a learner's new clone, with the course's
workspace seeded into its .jupyter/), opens the course as the learner does, presses Run All at a chosen
moment of the kernel's start (decided in the page from the requests JupyterLab makes, so the moment is the
same on an idle or a loaded machine), and counts the kernels in the server log and in /api/kernels.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

import pytest

from lab_driver import (
    JS_ADOPT_PANEL,
    LabServer,
    copy_course_for_lab_sh,
    start_lab_sh,
    stop_server,
)

pytestmark = pytest.mark.browser

START = "notebooks/00_start_here.ipynb"
SKETCH = "notebooks/05_draw_your_own_data.ipynb"
OPEN_TIMEOUT = 180

# The moments of a notebook's kernel start at which Run All is pressed; each is recognised by the request
# JupyterLab makes at that moment (see JS_PRESS_RUN_ALL).
MOMENTS = {
    "cells shown": "the cells are shown and JupyterLab makes the notebook's checkpoint (no kernel name yet)",
    "kernel chosen": "the kernel's name is known and JupyterLab looks for a running session",
    "kernel starting": "JupyterLab has asked the server for the notebook's kernel",
}

# Installed in the page before JupyterLab loads. JupyterLab's ServerConnection takes `window.fetch` when it
# makes its settings, so every request to the server passes here. When the armed notebook
# (window.__gmmArm = {path, moment}) is at the armed moment of its kernel start and makes the request that
# marks it, Run All is pressed on that notebook (the notebook's toolbar button runs the same command with
# its widgetId), then the request goes on. From then on `arm.counts` collects the execution count of every
# cell the kernel starts (execute_input), and `arm.before` holds each code cell's saved count and outputs.
JS_PRESS_RUN_ALL = """
(() => {
  const realFetch = window.fetch;
  window.__gmmArm = null;
  const panelFor = (path) => {
    const app = window.jupyterapp;
    if (!app) return null;
    for (const w of app.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.sessionContext && w.content) return w;
    }
    return null;
  };
  const codeCells = (w) => w.content.widgets.filter((c) => c.model.type === 'code');
  // Where the notebook's kernel start is (null: no panel, or its cells are not shown yet).
  const stage = (w) => {
    if (!w || !w.context.isReady || w.content.widgets.length === 0) return null;
    const sc = w.sessionContext;
    if (sc.session && sc.session.kernel) return 'has kernel';
    if (sc.kernelDisplayName !== sc.noKernelName) return 'kernel starting';
    return sc.kernelPreference.name ? 'kernel chosen' : 'cells shown';
  };
  const press = (arm, w) => {
    const sc = w.sessionContext;
    arm.counts = [];
    sc.iopubMessage.connect((_, msg) => {
      if (msg.header.msg_type === 'execute_input') arm.counts.push(msg.content.execution_count);
    });
    arm.before = codeCells(w).map((c) => ({count: c.model.executionCount, outputs: c.model.outputs.length}));
    arm.fired = {moment: arm.moment, stage: stage(w), status: sc.kernelDisplayStatus,
                 kernelName: sc.kernelDisplayName, hasKernel: !!(sc.session && sc.session.kernel)};
    arm.done = false;
    window.jupyterapp.commands.execute('notebook:run-all-cells', {widgetId: w.id}).then(
      () => { arm.done = true; }, (e) => { arm.done = true; arm.error = String(e); });
  };
  window.fetch = function (input, init) {
    const arm = window.__gmmArm;
    if (!arm || arm.fired) return realFetch.apply(this, arguments);
    try {
      const req = input instanceof Request ? input : null;
      const path = new URL(req ? req.url : String(input), location.href).pathname;
      const method = ((init && init.method) || (req && req.method) || 'GET').toUpperCase();
      const w = panelFor(arm.path), now = stage(w);
      const marks = {
        // JupyterLab shows the cells, then asks for the notebook's checkpoints before choosing a kernel,
        'cells shown': path.endsWith('/api/contents/' + arm.path + '/checkpoints'),
        // then, knowing the kernel's name, looks for a running session of the notebook,
        'kernel chosen': method === 'GET' && path.endsWith('/api/sessions'),
        // then asks the server for a new session and its kernel.
        'kernel starting': method === 'POST' && path.endsWith('/api/sessions'),
      };
      if (now === arm.moment && marks[arm.moment]) {
        press(arm, w);
      } else if (arm.moment === 'kernel chosen' && marks['kernel chosen'] && w && now !== 'has kernel'
                 && now !== 'kernel starting') {
        // Notebooks opening together share one session lookup (a lookup asked for while another is under
        // way waits for it): this one may be the lookup the armed notebook's start will wait on. Hold its
        // answer, as a busy server would, until the notebook knows its kernel's name (at most 20 s), and
        // press Run All then.
        return realFetch.apply(this, arguments).then(async (response) => {
          const until = performance.now() + 20000;
          while (!arm.fired && performance.now() < until) {
            const w2 = panelFor(arm.path), s2 = stage(w2);
            if (s2 === 'kernel chosen') { press(arm, w2); break; }
            if (s2 === 'kernel starting' || s2 === 'has kernel') break;
            await new Promise((r) => setTimeout(r, 2));
          }
          return response;
        });
      }
    } catch (e) {
      arm.fired = {error: String(e)};
    }
    return realFetch.apply(this, arguments);
  };
})();
"""

# Armed notebook: has Run All been pressed, and is the notebook settled (command done, kernel idle, no cell
# running)? `missed`: its kernel is up and the moment never came.
JS_ARM_STATE = """() => {
  const arm = window.__gmmArm;
  if (!arm) return {armed: false};
  const app = window.jupyterapp;
  const w = app && Array.from(app.shell.widgets('main')).find((w) => w.context && w.context.path === arm.path);
  const sc = w && w.sessionContext, k = sc && sc.session && sc.session.kernel;
  const idle = !!(k && k.status === 'idle' && k.connectionStatus === 'connected');
  const running = w ? w.content.widgets.some((c) => c.model.type === 'code' && c.model.executionState === 'running') : false;
  return {armed: true, fired: arm.fired || null, done: !!arm.done, error: arm.error || null,
          missed: !arm.fired && idle, settled: !!arm.fired && !!arm.done && idle && !running};
}"""

# Each code cell of the armed notebook: its count and outputs now and when Run All was pressed, its input
# prompt as shown ("[7]:", "[ ]:"; null for a collapsed input, which shows no count), and whether the
# learner was told that the kernel was still initializing.
JS_CELL_REPORT = """() => {
  const arm = window.__gmmArm;
  const w = Array.from(window.jupyterapp.shell.widgets('main')).find((w) => w.context && w.context.path === arm.path);
  const cells = w.content.widgets.filter((c) => c.model.type === 'code').map((c, i) => {
    const prompt = c.node.querySelector('.jp-InputArea-prompt');  // none when the input is collapsed
    return {index: i, count: c.model.executionCount, outputs: c.model.outputs.length,
            state: c.model.executionState, prompt: prompt ? prompt.textContent.trim() : null,
            before: arm.before[i]};
  });
  return {cells, counts: arm.counts.slice(), fired: arm.fired,
          toldInitializing: document.body.innerText.includes("for '" + arm.path + "' is still initializing")};
}"""


class KernelWatch:
    """Polls /api/sessions every 0.1 s (in a thread) for the life of a test: which notebooks each kernel
    served. (Not /api/kernels: a GET of it while a kernel is starting can fail with a traceback in the
    server log, Jupyter Server 2.21: "'last_activity' trait ... expected a datetime".)"""

    def __init__(self, server):
        self.server = server
        self.paths: dict[str, set[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                for s in self.server.api("/api/sessions") or []:
                    # JupyterLab creates a session on a temporary path, then renames it to the notebook's.
                    if s["path"].endswith(".ipynb"):
                        self.paths.setdefault(s["kernel"]["id"], set()).add(s["path"])
            except Exception:
                pass  # the server is busy or shutting down: the next poll sees it
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


@dataclass
class Stage:
    """What the server had before the learner's next step: where its log ended, which kernels ran."""

    server: LabServer
    watch: KernelWatch
    log_offset: int
    kernels_before: set[str]

    @classmethod
    def now(cls, server, watch):
        return cls(server, watch, server.log_size(), {k["id"] for k in server.api("/api/kernels") or []})


@pytest.fixture
def course(tmp_path):
    """`scripts/lab.sh --no-browser` on a fresh copy of the course: (server, printed address, KernelWatch)."""
    checkout = copy_course_for_lab_sh(tmp_path / "course")
    server, printed = start_lab_sh(checkout, tmp_path / "jupyter")
    try:
        with KernelWatch(server) as watch:
            yield server, printed, watch
    finally:
        stop_server(server.proc, server.base_url, server.token)


def open_page(lab_page_for, server):
    lp = lab_page_for(server)
    lp.page.context.add_init_script(JS_PRESS_RUN_ALL)
    return lp


def arm(lp, path: str, moment: str):
    """Press Run All on `path` at `moment` of its kernel's start (set before the notebook is opened)."""
    lp.page.evaluate(
        "([path, moment]) => { window.__gmmArm = {path, moment, fired: null}; return 1; }", [path, moment]
    )


def arm_before_load(lp, path: str, moment: str):
    """Arm for a notebook the address itself opens: set before JupyterLab loads (after JS_PRESS_RUN_ALL)."""
    lp.page.context.add_init_script(
        f"window.__gmmArm = {{path: {json.dumps(path)}, moment: {json.dumps(moment)}, fired: null}};"
    )


def settle(lp, what: str) -> dict:
    """Wait until Run All was pressed at the armed moment and the notebook is settled (a JupyterLab dialog,
    e.g. "Select Kernel", fails at once)."""
    state = lp.wait(
        f"() => {{ const s = ({JS_ARM_STATE})(); return s.missed || s.settled || (s.fired && s.fired.error) ? s : null; }}",
        f"Run All on {what} to be pressed and the notebook to settle",
        timeout=OPEN_TIMEOUT,
    )
    assert not state["missed"], (
        f"{what}: its kernel started without the armed moment coming, so Run All was never pressed "
        f"(JupyterLab's requests changed? see JS_PRESS_RUN_ALL): {state}"
    )
    assert not state["fired"].get("error"), f"{what}: pressing Run All failed in the page: {state['fired']}"
    assert not state["error"], f"{what}: Run All failed: {state['error']}"
    # Run All was pressed at the armed moment, while the kernel was still starting, or this proves nothing.
    fired = state["fired"]
    assert (
        fired["stage"] == fired["moment"] and not fired["hasKernel"] and fired["status"] == "initializing"
    ), fired
    return state


def assert_one_kernel_per_notebook(stage: Stage, paths: set[str], what: str):
    """Since `stage`: one kernel started for each notebook in `paths` (server log), none shut down, the
    server runs exactly those new kernels (/api/kernels), and each notebook's session is on its own one
    (/api/sessions, also as polled all along)."""
    server = stage.server
    events = server.kernel_events(stage.log_offset)
    started = [k for kind, k in events if kind == "started"]
    kernels = {k["id"] for k in server.api("/api/kernels") or []}
    sessions = {s["path"]: s["kernel"]["id"] for s in server.api("/api/sessions") or []}
    report = (
        f"{what}\nserver log since: {events}\n/api/kernels new: {sorted(kernels - stage.kernels_before)}\n"
        f"/api/sessions: {sessions}\nnotebooks each kernel served: "
        f"{ {k: sorted(v) for k, v in stage.watch.paths.items()} }"
    )
    assert not [k for kind, k in events if kind == "shutdown"], f"a kernel was shut down: {report}"
    assert len(started) == len(paths), (
        f"{len(started)} kernels started for {len(paths)} notebook(s): {report}"
    )
    assert kernels - stage.kernels_before == set(started), f"the server runs other kernels: {report}"
    assert {sessions.get(p) for p in paths} == set(started), f"each notebook on its own kernel: {report}"
    for k in started:
        assert stage.watch.paths.get(k, set()) <= {p for p in paths if sessions.get(p) == k}, (
            f"kernel {k} served other notebooks: {report}"
        )


def assert_no_cell_lost(lp, what: str) -> dict:
    """No code cell was cleared without running: each either ran in this kernel or is as it was saved."""
    report = lp.page.evaluate(JS_CELL_REPORT)
    ran = set(report["counts"])
    lost = [
        c
        for c in report["cells"]
        if not (c["count"] is not None and c["count"] in ran)
        and not (c["count"] == c["before"]["count"] and c["outputs"] == c["before"]["outputs"])
    ]
    assert not lost, (
        f"{what}: Run All pressed at '{report['fired']['moment']}' ({report['fired']}) left "
        f"{len(lost)} of {len(report['cells'])} code cells neither run nor as saved "
        f"(prompt, count, outputs now / saved): "
        + "; ".join(
            f"cell {c['index']}: {c['prompt']} {c['count']} {c['outputs']} / {c['before']['count']} "
            f"{c['before']['outputs']}"
            for c in lost[:8]
        )
    )
    return report


def assert_every_cell_ran(lp, what: str):
    report = lp.page.evaluate(JS_CELL_REPORT)
    counts = [c["count"] for c in report["cells"]]
    not_run = [c for c in report["cells"] if c["count"] is None or c["count"] not in report["counts"]]
    assert not not_run, (
        f"{what}: code cells that did not run in this kernel: "
        + "; ".join(f"cell {c['index']} {c['prompt']} count={c['count']}" for c in not_run[:8])
        + f"\nexecution counts the kernel reported: {report['counts']}"
    )
    assert len(set(counts)) == len(counts), f"{what}: execution counts repeat: {counts}"
    prompts = [c["prompt"] for c in report["cells"] if c["prompt"] is not None]
    assert prompts and all(p != "[ ]:" and p.startswith("[") for p in prompts), (
        f"{what}: prompts shown: {prompts}"
    )
    assert all(c["state"] == "idle" for c in report["cells"]), report["cells"]


def run_all_right_away_then_check(lp, stage: Stage, path: str, paths_open: set[str], what: str):
    """After the armed Run All on `path`: one kernel per open notebook, no cell lost; if JupyterLab held the
    cells back (kernel still initializing) it said so, and Run All once the kernel is ready runs them all."""
    settle(lp, what)
    lp.wait(JS_ADOPT_PANEL, f"{path} to be the current notebook", 30, arg=path)
    assert_one_kernel_per_notebook(stage, paths_open, what)
    report = assert_no_cell_lost(lp, what)
    if len(report["counts"]) < len(report["cells"]):
        # JupyterLab ran no code cell while the kernel was initializing: it must have told the learner.
        assert report["toldInitializing"], (
            f"{what}: cells were held back without a message: {report['cells']}"
        )
        lp.command("notebook:run-all-cells", what=f"Run All in {path} once its kernel is ready")
    assert_every_cell_ran(lp, what)
    # And still one kernel per notebook, seconds later, after every cell ran.
    assert_one_kernel_per_notebook(stage, paths_open, what)
    # (Jupyter Server 2.21 can fail a GET /api/kernels that comes while a kernel starts, with a traceback in
    # its log; JupyterLab polls it. Not the course's error, and not this test's subject.)
    errors = [e for e in lp.errors() if "last_activity" not in e]
    assert not errors, errors


def land(lp, url: str, path: str):
    lp.page.goto(url, wait_until="domcontentloaded")
    lp.wait(JS_ADOPT_PANEL, f"{path} to be the current notebook after opening {url}", OPEN_TIMEOUT, arg=path)


@pytest.mark.parametrize("moment", MOMENTS)
def test_open_05_from_the_file_browser_and_run_all_right_away(course, lab_page_for, moment):
    """The printed address (lands on 00), then 05 by double-click in the file browser; Run All pressed on
    each at `moment` of its kernel's start."""
    server, printed, watch = course
    lp = open_page(lab_page_for, server)
    stage = Stage.now(server, watch)
    arm_before_load(lp, START, moment)
    land(lp, printed, START)
    run_all_right_away_then_check(lp, stage, START, {START}, f"{START} (printed address)")

    stage = Stage.now(server, watch)
    arm(lp, SKETCH, moment)
    item = lp.page.locator(".jp-DirListing-item", has_text=SKETCH.split("/")[-1])
    item.wait_for(timeout=60_000)
    item.dblclick()
    run_all_right_away_then_check(lp, stage, SKETCH, {SKETCH}, f"{SKETCH} (double-click)")


# Where the learner may arrive, and the notebooks JupyterLab then opens: the course's workspace has 00 open,
# so an address naming 05 opens 05 beside it (one kernel each). Run All is pressed on the notebook named
# last at the learner's moment ("kernel chosen"). The printed address is the test above.
ADDRESSES = {
    "/": ("/?token={token}", {START}, START),
    "/lab": ("/lab?token={token}", {START}, START),
    "/lab/tree/05": (f"/lab/tree/{SKETCH}?token={{token}}", {START, SKETCH}, SKETCH),
}


@pytest.mark.parametrize("address", ADDRESSES)
def test_every_address_starts_one_kernel_per_notebook(course, lab_page_for, address):
    server, _, watch = course
    suffix, paths_open, target = ADDRESSES[address]
    lp = open_page(lab_page_for, server)
    stage = Stage.now(server, watch)
    arm_before_load(lp, target, "kernel chosen")
    land(lp, server.base_url + suffix.format(token=server.token), target)
    # Every notebook the address opened has its kernel before the counting.
    for path in paths_open:
        lp.wait(
            """(path) => Array.from(window.jupyterapp.shell.widgets('main')).some((w) => w.context &&
                 w.context.path === path && w.sessionContext.session && w.sessionContext.session.kernel)""",
            f"{path} to have a kernel",
            OPEN_TIMEOUT,
            arg=path,
        )
    run_all_right_away_then_check(lp, stage, target, paths_open, f"{target} ({address})")
    opened = lp.page.evaluate(
        "() => Array.from(window.jupyterapp.shell.widgets('main')).filter((w) => w.context).map((w) => w.context.path)"
    )
    assert sorted(opened) == sorted(paths_open), f"{address} opened {opened}"
