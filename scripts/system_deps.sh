#!/usr/bin/env bash
# Debian packages some tests need: chromium and a font (browser tests), xvfb and xdotool (the ipysketch
# pad), python3-tk (Tk for that pad when Debian's own Python runs the venv).
# Without CI=true a package that cannot be installed is reported and the tests that need it skip;
# with CI=true (set by .ci/run) this script fails instead, so CI never passes by skipping them.
set -euo pipefail
cd "$(dirname "$0")/.."
in_ci() { case "${CI:-}" in 1 | true | TRUE | True | yes) return 0 ;; *) return 1 ;; esac; }

missing_packages() {
    local need=()
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
    echo "${need[*]}"
}

give_up() {
    if in_ci; then
        echo "ERROR: $1" >&2
        echo "CI=true: the browser and desktop tests must run, so this is a failure, not a skip." >&2
        exit 1
    fi
    echo "WARNING: $1 The tests that need them will be skipped." >&2
    exit 0
}

read -r -a need <<<"$(missing_packages)"
[ ${#need[@]} -eq 0 ] && exit 0
command -v apt-get >/dev/null 2>&1 ||
    give_up "Missing system packages (${need[*]}) and no apt-get to install them: install them yourself."
SUDO=()
if [ "$(id -u)" != "0" ]; then
    # -n: never wait for a password (CI has no one to type it).
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=(sudo -n); else
        give_up "Missing Debian packages: ${need[*]}; install them as root: apt-get install ${need[*]}."
    fi
fi
echo "Installing Debian packages: ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && \
       "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }; then
    give_up "apt-get could not install ${need[*]} (see its messages above)."
fi
read -r -a still <<<"$(missing_packages)"
[ ${#still[@]} -eq 0 ] || give_up "Still missing after apt-get install: ${still[*]}."
