"""The course's JupyterLab settings (jupyter/lab) are well-formed and used by `make lab` and the tests.

What the learner sees with them is checked in the browser (tests/browser/test_first_five_minutes.py);
this checks, without a browser, the pieces that test relies on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import json5  # JupyterLab's own reader for overrides.json5 (a jupyterlab_server dependency)
from jupyterlab_server.workspaces_handler import slugify

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


def test_lab_sh_uses_the_course_settings():
    script = (ROOT / "scripts" / "lab.sh").read_text(encoding="utf-8")
    assert '--LabApp.app_settings_dir="$PWD/jupyter/lab/settings"' in script
    assert '--LabApp.default_url="/lab/tree/$START"' in script and f"START={START}" in script
    # The file name lab.sh gives the seeded workspace is the one JupyterLab reads for "default".
    names = set(re.findall(r"(default-[0-9a-f]+)\.jupyterlab-workspace", script))
    assert names == {slugify("default")}, names
    driver = (ROOT / "tests" / "browser" / "lab_driver.py").read_text(encoding="utf-8")
    assert 'LAB_APP_SETTINGS = ROOT / "jupyter" / "lab" / "settings"' in driver
