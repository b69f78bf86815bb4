#!/usr/bin/env bash
# The numeric tests under every OpenBLAS kernel this CPU can run besides numpy's own choice
# (`make test-kernels`; the last step of `make test`). Results differ in the last bits between
# kernels: a tolerance must hold on all of them, not on the one the developer's CPU picks.
set -euo pipefail
cd "$(dirname "$0")/.."
NUMERIC=(tests/test_em*.py tests/test_scale_chunked.py tests/test_bound.py tests/test_exercises.py)
kernels=$(.venv/bin/python scripts/blas_kernels.py)
if [ -z "$kernels" ]; then
    echo "No other OpenBLAS kernel to try on this machine (numpy without OpenBLAS, or not x86-64)."
    exit 0
fi
for kernel in $kernels; do
    echo "== the numeric tests under OPENBLAS_CORETYPE=$kernel"
    OPENBLAS_CORETYPE=$kernel .venv/bin/python -m pytest -q -p no:cacheprovider "${NUMERIC[@]}"
done
