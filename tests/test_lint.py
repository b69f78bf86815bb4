"""The code is lint-clean and formatted: `ruff check` and `ruff format --check` (configured in
pyproject.toml's [tool.ruff]) over the package, the tests, the scripts and the benchmarks.

To fix: `.venv/bin/ruff format src tests scripts benchmarks && .venv/bin/ruff check --fix src tests scripts
benchmarks`, then fix by hand what `ruff check` still reports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["src", "tests", "scripts", "benchmarks"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    # ruff is in the "test" extra (and in requirements.lock): missing is a failure, not a skip.
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_ruff_is_configured():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "[tool.ruff]" in text and "[tool.ruff.lint]" in text


@pytest.mark.parametrize(
    "command", [("check", "--no-cache"), ("format", "--check", "--no-cache")], ids=["check", "format"]
)
def test_ruff_is_clean(command):
    result = ruff(*command)
    assert result.returncode == 0, (
        f"`ruff {' '.join(command)}` found problems:\n{(result.stdout + result.stderr)[-6000:]}\n"
        "Fix: ruff format src tests scripts benchmarks && ruff check --fix src tests scripts benchmarks"
    )
