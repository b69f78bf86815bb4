#!/usr/bin/env bash
# Open the course: JupyterLab on this folder, landing on notebooks/00_start_here.ipynb.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--ServerApp.root_dir="$PWD")
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
if [ "$(id -u)" = "0" ]; then args+=(--allow-root); fi
# Open a browser where one can open: a desktop session (X11 or Wayland), macOS, xdg-open, or the
# browser command the user named in BROWSER. Otherwise print the URL (Jupyter does) and open nothing.
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}${BROWSER:-}" ] && [ "$(uname -s)" != "Darwin" ] \
    && ! command -v xdg-open >/dev/null 2>&1; then
    args+=(--no-browser)
fi
exec .venv/bin/jupyter lab "${args[@]}" "$@" notebooks/00_start_here.ipynb
