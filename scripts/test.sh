#!/usr/bin/env bash
# Run every test: unit and property tests, the notebooks under nbval, the desktop sketch pad
# under Xvfb and the course in headless Chromium; then the numeric tests once more under every
# other OpenBLAS kernel this CPU can run (scripts/blas_kernels.py). Called by `make test` and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system_deps.sh
.venv/bin/python -m pytest tests notebooks \
    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg "$@"
bash scripts/test_blas_kernels.sh
