"""The OpenBLAS kernels this machine can run besides the one numpy picks, one per line.

numpy's OpenBLAS chooses its kernels by CPU (``SkylakeX`` on AVX-512 machines, ``Haswell`` on AVX2,
``Sandybridge`` on AVX, ...), and results differ in the last bits: a tolerance tuned on one kernel
can fail on a learner's CPU. `make test` (scripts/test.sh) runs the numeric tests once more under
each kernel printed here, by setting ``OPENBLAS_CORETYPE``. Prints nothing where numpy does not use
OpenBLAS or the CPU is not x86-64 (other architectures have other kernel names).

Usage: .venv/bin/python scripts/blas_kernels.py
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import numpy  # noqa: F401  (loads numpy's BLAS, so that threadpoolctl sees it)
from threadpoolctl import threadpool_info

# x86-64 kernels, newest first, each with the CPU flag it needs (/proc/cpuinfo).
X86_KERNELS = (("SkylakeX", "avx512f"), ("Haswell", "avx2"), ("Sandybridge", "avx"))


def cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def current_kernels() -> set[str]:
    return {i.get("architecture", "") for i in threadpool_info() if i.get("internal_api") == "openblas"}


def other_kernels() -> list[str]:
    current = current_kernels()
    if not current or platform.machine() not in ("x86_64", "AMD64"):
        return []
    flags = cpu_flags()
    return [name for name, flag in X86_KERNELS if flag in flags and name not in current]


if __name__ == "__main__":
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    print("\n".join(other_kernels()))
