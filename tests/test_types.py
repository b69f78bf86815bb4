"""The engine modules pass `mypy --strict`, configured in pyproject.toml's [tool.mypy] (`make check` runs it too).

The files it checks are [tool.mypy]'s `files`: the maths (em, params, _covariance, _fast, bound), the loop (fit,
_history), the chunked fit and the input checks. The second test checks a deliberately wrong module with the
same configuration, so that a configuration that checks nothing (or not strictly) cannot pass unnoticed.

To see the errors: `.venv/bin/python -m mypy` from the project's root. mypy keeps its cache in .mypy_cache:
the first run takes about 20 s, later ones about a second.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def mypy(*paths: str) -> subprocess.CompletedProcess[str]:
    """mypy with the project's configuration, on ``paths`` (default: the configuration's ``files``)."""
    # mypy is in the "test" extra (and in requirements.lock): missing is a failure, not a skip.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_engine_modules_pass_mypy_strict():
    with open(ROOT / "pyproject.toml", "rb") as f:
        files = tomllib.load(f)["tool"]["mypy"]["files"]
    result = mypy()
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    checked = re.search(r"no issues found in (\d+) source files?", result.stdout)
    assert checked and int(checked.group(1)) == len(files), output


# Each function is an error under the project's configuration: a wrong return type (so gmmviz's own types are
# found: mypy_path), a function without annotations and a returned Any (so the check is strict).
WRONG = """\
import json

from gmmviz._types import FloatArray
from gmmviz.params import GMMParams


def weights_of(params: GMMParams) -> FloatArray:
    return params.n_components


def untyped(x):
    return x


def total(text: str) -> float:
    return json.loads(text)
"""


def test_mypy_reports_a_deliberately_wrong_module(tmp_path):
    path = tmp_path / "wrong_types.py"
    path.write_text(WRONG, encoding="utf-8")
    result = mypy(str(path))
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    for code in ("return-value", "no-untyped-def", "no-any-return"):
        assert f"[{code}]" in result.stdout, f"mypy did not report [{code}]:\n{output}"
    assert "Found 3 errors in 1 file" in result.stdout, output
