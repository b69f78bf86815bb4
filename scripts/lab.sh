#!/usr/bin/env bash
# Open the course: JupyterLab on this folder, landing on notebooks/00_start_here.ipynb.
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--ServerApp.root_dir="$PWD")
# Jupyter refuses to run as root unless told; containers and CI machines often are root.
if [ "$(id -u)" = "0" ]; then args+=(--allow-root); fi
if [ -z "${DISPLAY:-}" ] && ! command -v xdg-open >/dev/null 2>&1; then args+=(--no-browser); fi
exec .venv/bin/jupyter lab "${args[@]}" "$@" notebooks/00_start_here.ipynb
