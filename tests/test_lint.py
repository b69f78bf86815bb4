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


def ruff_check_file(path: Path) -> subprocess.CompletedProcess:
    """`ruff check` of one file outside the project, with the project's pyproject.toml as its config."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml")]
        + ["--output-format", "concise", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


# One deliberate violation per rule family the project selects (E, W, F, I, B, UP); none of these
# rules is in ruff's default selection except F401, so they are reported only under the project's.
VIOLATIONS = {
    "E501": f"TEXT = {'x' * 140!r}\n",  # beyond max-line-length (130)
    "W291": "x = 1 \n",  # trailing whitespace
    "F401": "import os\n",  # imported, never used
    "I001": "import sys\nimport os\n\nprint(os, sys)\n",  # imports out of order
    "B006": "def f(items=[]):\n    return items\n",  # a mutable default argument
    "UP004": "class A(object):\n    pass\n",  # `object` base: not needed in Python 3
}


@pytest.mark.parametrize("code", VIOLATIONS)
def test_ruff_reports_a_deliberate_violation(tmp_path, code):
    path = tmp_path / "snippet.py"
    path.write_text(VIOLATIONS[code], encoding="utf-8")
    result = ruff_check_file(path)
    assert result.returncode == 1 and f" {code} " in result.stdout, result.stdout + result.stderr


def test_ruff_accepts_what_the_project_allows(tmp_path):
    # Lines up to max-line-length (130; the formatter wraps at 110, ruff's default limit is 88) and
    # zip() without strict= (B905, ignored) pass: the project's settings, not ruff's defaults, apply.
    path = tmp_path / "snippet.py"
    text = f"TEXT = {'x' * 115!r}\nPAIRS = list(zip([1], [2]))\n"
    assert max(len(line) for line in text.splitlines()) == 124
    path.write_text(text, encoding="utf-8")
    result = ruff_check_file(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "command", [("check", "--no-cache"), ("format", "--check", "--no-cache")], ids=["check", "format"]
)
def test_ruff_is_clean(command):
    result = ruff(*command)
    assert result.returncode == 0, (
        f"`ruff {' '.join(command)}` found problems:\n{(result.stdout + result.stderr)[-6000:]}\n"
        "Fix: ruff format src tests scripts benchmarks && ruff check --fix src tests scripts benchmarks"
    )
