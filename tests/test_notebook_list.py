"""The course's notebook list stays honest: names, order, kernelspec, saved outputs, shape, no downloads.

The expected list is the one in docs/NOTEBOOKS.md; the numbers fix the order. A notebook that is
missing, renamed or extra fails here, as does one saved without outputs (nbval would then compare
nothing), with an error in its outputs, or with code that reaches outside the course (path hacks,
%run, installs, URLs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"

EXPECTED = [
    "00_start_here.ipynb",
    "01_gaussians.ipynb",
    "02_mixture_models.ipynb",
    "03_em_by_hand.ipynb",
    "04_em_explorer.ipynb",
    "05_draw_your_own_data.ipynb",
    "06_choosing_k.ipynb",
    "07_pitfalls.ipynb",
    "08_why_em_works.ipynb",
    "09_exercises.ipynb",
    "10_em_at_scale.ipynb",
    "11_em_in_general.ipynb",
    "12_likelihood_landscape.ipynb",
    "13_classify_and_bayes.ipynb",
]

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

# Code that reaches outside the course: path hacks, running other files, installs, network fetches.
FORBIDDEN = {
    "sys.path": re.compile(r"\bsys\.path\b"),
    "%run": re.compile(r"^\s*%run\b", re.M),
    "%pip / %conda": re.compile(r"^\s*%(pip|conda)\b", re.M),
    "!pip / !conda": re.compile(r"^\s*!\s*(pip|conda|python\s+-m\s+pip)\b", re.M),
    "a URL": re.compile(r"\b(https?|ftp)://"),
    "a download call": re.compile(r"\b(urlopen|urlretrieve|requests\.get|wget|curl)\b"),
}


def _present() -> list[str]:
    return sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb"))


def _load(name: str) -> dict:
    path = NOTEBOOK_DIR / name
    if not path.exists():
        pytest.fail(f"{name} does not exist yet (see docs/NOTEBOOKS.md for the course list)")
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_notebook_list_and_order():
    present = _present()
    missing = [n for n in EXPECTED if n not in present]
    extra = [n for n in present if n not in EXPECTED]
    assert not missing and not extra, f"missing: {missing}; not in docs/NOTEBOOKS.md: {extra}"
    assert present == EXPECTED  # sorted names = course order, thanks to the NN_ prefixes


each_notebook = pytest.mark.parametrize("name", EXPECTED)


@each_notebook
def test_kernelspec(name):
    nb = _load(name)
    assert nb.get("nbformat") == 4, f"{name}: not an nbformat v4 notebook"
    assert nb.get("metadata", {}).get("kernelspec") == KERNELSPEC, f"{name}: kernelspec must be {KERNELSPEC}"


@each_notebook
def test_saved_executed_without_errors(name):
    nb = _load(name)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(c.get("outputs") and c.get("execution_count") for c in code), (
        f"{name}: no executed code cell with outputs; run nbconvert --execute --inplace before saving"
    )
    for i, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", (
                f"{name}: cell {i} has a stored error ({out.get('ename')})"
            )


@each_notebook
def test_first_and_last_cells(name):
    nb = _load(name)
    first, last = nb["cells"][0], nb["cells"][-1]
    assert first["cell_type"] == "markdown" and "Learning goals" in _source(first), (
        f"{name}: the first cell must be markdown with the title and **Learning goals**"
    )
    number = name[:2]
    assert re.match(rf"#\s*{number}\s*·", _source(first)), f"{name}: title must read '# {number} · Title'"
    assert last["cell_type"] == "markdown" and "Recap" in _source(last), (
        f"{name}: the last cell must be markdown with the **Recap**"
    )


@each_notebook
def test_no_outside_reach_in_code(name):
    nb = _load(name)
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        src = _source(cell)
        for what, pattern in FORBIDDEN.items():
            assert not pattern.search(src), f"{name}: cell {i} uses {what}: {src[:120]!r}"
