"""The course's JupyterLab settings (jupyter/lab) are well-formed and used by `make lab` and the tests.

What the learner sees with them is checked in the browser (tests/browser/test_first_five_minutes.py);
this checks, without a browser, the pieces that test relies on, and what `scripts/lab.sh` serves (JupyterLab's
settings and workspace REST API).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import json5  # JupyterLab's own reader for overrides.json5 (a jupyterlab_server dependency)
import pytest

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "jupyter" / "lab" / "settings"
WORKSPACE = ROOT / "jupyter" / "lab" / "workspaces" / "default.jupyterlab-workspace"
START = "notebooks/00_start_here.ipynb"


def test_overrides_turn_off_the_news_question():
    overrides = json5.loads((SETTINGS / "overrides.json5").read_text(encoding="utf-8"))
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    # "false" (a string) is the schema's "never fetch news" (the default "none" asks the learner).
    assert notification == {"fetchNews": "false", "checkForUpdates": False}


def test_widget_messages_are_handled_in_order_with_the_cells():
    """JupyterLab's "Kernel Comms over subshells" is off for the course (tests/browser/test_pad.py
    shows why: a stroke must reach Python before the cell run after it); the value is one the
    installed JupyterLab's own schema accepts, so the setting is not silently ignored."""
    from jupyterlab.commands import get_app_dir

    overrides = json5.loads((SETTINGS / "overrides.json5").read_text(encoding="utf-8"))
    value = overrides["@jupyterlab/apputils-extension:kernels-settings"]["commsOverSubshells"]
    schemas = Path(get_app_dir()) / "schemas"
    schema = json.loads(
        (schemas / "@jupyterlab" / "apputils-extension" / "kernels-settings.json").read_text(encoding="utf-8")
    )
    options = [o["const"] for o in schema["properties"]["commsOverSubshells"]["oneOf"]]
    assert value == "disabled" and value in options, options


def test_a_run_waits_for_the_kernel_with_a_message():
    """While a notebook's kernel is starting, Run All (or any run) runs nothing and says so: by default
    JupyterLab 4.6 starts a second kernel, shuts the first down and leaves cells at [ ] with their outputs
    wiped (tests/browser/test_one_kernel.py reproduces it and checks the fix); the setting is one the
    installed JupyterLab's own schema has, so it is not silently ignored."""
    from jupyterlab.commands import get_app_dir

    overrides = json5.loads((SETTINGS / "overrides.json5").read_text(encoding="utf-8"))
    value = overrides["@jupyterlab/notebook-extension:tracker"]["enableKernelInitNotification"]
    schema = json.loads(
        (Path(get_app_dir()) / "schemas" / "@jupyterlab" / "notebook-extension" / "tracker.json").read_text(
            encoding="utf-8"
        )
    )
    prop = schema["properties"]["enableKernelInitNotification"]
    assert value is True and prop["type"] == "boolean" and prop["default"] is False, prop


def test_default_workspace_opens_the_start_notebook():
    workspace = json.loads(WORKSPACE.read_text(encoding="utf-8"))
    assert workspace["metadata"]["id"] == "default"
    main = workspace["data"]["layout-restorer:data"]["main"]
    assert main["current"] == f"notebook:{START}" and main["dock"]["widgets"] == [f"notebook:{START}"]
    assert workspace["data"][f"notebook:{START}"]["data"] == {"path": START, "factory": "Notebook"}
    assert (ROOT / START).exists()


@pytest.mark.slow
def test_lab_sh_serves_the_course_settings(tmp_path):
    """`bash scripts/lab.sh --no-browser` (as `make lab` runs it on a machine without a browser) in a fresh
    copy of the course, asked through JupyterLab's REST API: every value of overrides.json5 is the default
    of a setting the installed JupyterLab knows (so it is what the learner gets without settings of their
    own), the address printed and `/` lead to the start notebook, and the "default" workspace opens it."""
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    try:
        import lab_driver
    finally:
        sys.path.remove(str(ROOT / "tests" / "browser"))

    checkout = lab_driver.copy_course_for_lab_sh(tmp_path / "course")
    settings = checkout / "jupyter" / "lab" / "settings" / "overrides.json5"
    overrides = json5.loads(settings.read_text(encoding="utf-8"))
    server, printed = lab_driver.start_lab_sh(checkout, tmp_path / "jupyter", timeout=180)
    try:
        for plugin, values in overrides.items():
            answer = server.api(f"/lab/api/settings/{urllib.parse.quote(plugin)}")
            assert answer["id"] == plugin, answer["id"]
            properties = answer["schema"]["properties"]
            own = answer.get("settings") or {}
            for key, value in values.items():
                # The test's own user settings (lab_driver.LAB_SETTINGS) must not hide the course's.
                assert key not in own, f"{plugin}: {key} comes from the user settings {own}, not the course's"
                known = properties.get(key, {})
                # JupyterLab adds an unknown key as a bare {"default": ...}: it would do nothing.
                assert set(known) - {"default"}, f"{plugin}: JupyterLab has no setting {key!r} ({known})"
                assert known["default"] == value, (
                    f"{plugin}: {key} is {known['default']!r} in the JupyterLab lab.sh started, "
                    f"the course says {value!r} (jupyter/lab/settings/overrides.json5)"
                )
        assert urllib.parse.urlsplit(printed).path == f"/lab/tree/{START}", printed
        root = urllib.request.Request(f"{server.base_url}/?token={server.token}")
        with urllib.request.build_opener(NoRedirect).open(root, timeout=10) as r:
            location = r.headers["Location"]
        assert location and urllib.parse.urlsplit(location).path == f"/lab/tree/{START}", location
        workspace = server.api("/lab/api/workspaces/default")["data"]
        main = workspace.get("layout-restorer:data", {}).get("main", {})
        assert main.get("current") == f"notebook:{START}", (
            f"the 'default' workspace JupyterLab restores at /lab does not open {START}: {workspace}"
        )
    finally:
        lab_driver.stop_server(server.proc, server.base_url, server.token)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return a redirect as it is (its status and Location) instead of following it."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302
