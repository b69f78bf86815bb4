#!/usr/bin/env bash
# Run every test: unit and property tests, the notebooks under nbval, the desktop sketch pad
# under Xvfb and the course in headless Chromium; then the numeric tests once more under every
# other OpenBLAS kernel this CPU can run (scripts/blas_kernels.py). Called by `make test` and by .ci/run.
# `bash scripts/test.sh --dry-run [pytest options]` prints the pytest command (one shell-quoted line,
# relative to the checkout) and runs nothing: tests/test_packaging.py runs that command on notebooks of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
dry_run=
if [ "${1:-}" = "--dry-run" ]; then dry_run=1; shift; fi
pytest_cmd=(.venv/bin/python -m pytest tests notebooks
    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg "$@")
if [ -n "$dry_run" ]; then
    printf '%q ' "${pytest_cmd[@]}"
    echo
    exit 0
fi
bash scripts/system_deps.sh
"${pytest_cmd[@]}"
bash scripts/test_blas_kernels.sh
