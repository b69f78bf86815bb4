#!/usr/bin/env bash
# Debian packages some tests need: chromium and a font (browser tests), xvfb and xdotool (the ipysketch pad).
set -euo pipefail
need=()
# A font too: without one, the browser tests' failure screenshots show boxes instead of text.
if ! command -v chromium >/dev/null 2>&1; then
    need+=(chromium fonts-liberation)
elif command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list 2>/dev/null | head -n 1)" ]; then
    need+=(fonts-liberation)
fi
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
# The ipysketch pad is a Tk program: Debian's own Python keeps tkinter in a separate package.
if [ -x .venv/bin/python ] && ! .venv/bin/python -c "import tkinter" >/dev/null 2>&1; then
    need+=(python3-tk)
fi
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "Missing Debian packages: ${need[*]}; install them as root (apt-get install ${need[*]})." >&2
        exit 0
    fi
fi
echo "Installing Debian packages: ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
