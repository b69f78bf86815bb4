#!/usr/bin/env bash
# Open the course: JupyterLab on this folder, landing on notebooks/00_start_here.ipynb however the learner
# arrives (the browser Jupyter opens, the printed address pasted into a browser, or a bare /lab URL).
# Extra arguments go to `jupyter lab` (e.g. --no-browser, --port=8890).
set -euo pipefail
cd "$(dirname "$0")/.."
START=notebooks/00_start_here.ipynb
# The course's JupyterLab settings (jupyter/lab/settings/overrides.json5: no news pop-up, no update check;
# a run pressed while a notebook's kernel is still starting waits with a message instead of starting a
# second kernel and wiping cells, JupyterLab 4.6's race: tests/browser/test_one_kernel.py).
# The tests in tests/browser start their servers with the same folder.
args=(--ServerApp.root_dir="$PWD" --LabApp.app_settings_dir="$PWD/jupyter/lab/settings"
      # `/` and the address Jupyter prints and opens lead to the start notebook, not the Launcher.
      --LabApp.default_url="/lab/tree/$START"
      # Offline: the server never fetches Jupyter news or looks for updates.
      --LabApp.news_url= --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate)
# `/lab` restores the "default" workspace: this course keeps its own (in .jupyter/, not the learner's
# global one) and starts it with the start notebook open. JUPYTERLAB_WORKSPACES_DIR, if set, wins.
# (An address naming another notebook, /lab/tree/notebooks/05_...ipynb, opens it beside the restored
# start notebook: each notebook opens once, with one kernel; tests/browser/test_one_kernel.py counts them.)
workspaces="${JUPYTERLAB_WORKSPACES_DIR:-$PWD/.jupyter/workspaces}"
mkdir -p "$workspaces"
# default-37a8 is JupyterLab's file name for the workspace "default" (tests/test_lab_settings.py checks it).
if [ ! -e "$workspaces/default-37a8.jupyterlab-workspace" ]; then
    cp jupyter/lab/workspaces/default.jupyterlab-workspace "$workspaces/default-37a8.jupyterlab-workspace"
fi
args+=(--LabApp.workspaces_dir="$workspaces")
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
if [ "$(id -u)" = "0" ]; then args+=(--allow-root); fi
# Open a browser where one can open: a desktop session (X11 or Wayland), macOS, xdg-open, or the
# browser command the user named in BROWSER. Otherwise print the URL (Jupyter does) and open nothing.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${BROWSER:-}" ] && [ "$(uname -s)" != "Darwin" ] \
    && ! command -v xdg-open >/dev/null 2>&1; then
    args+=(--no-browser)
fi
exec .venv/bin/jupyter lab "${args[@]}" "$@"
