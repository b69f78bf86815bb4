"""Build the graded assignments into dist/ with otter-grader (`make assignments`).

    .venv/bin/python scripts/make_assignments.py                  # every assignments/*.ipynb into dist/
    .venv/bin/python scripts/make_assignments.py --out /tmp/build assignments/em_assignment.ipynb

For each master notebook ``assignments/NAME.ipynb`` it writes, into ``dist/NAME/``:

- ``student/NAME.ipynb``: the student edition, to hand out. Stubs where the solutions were (each raises
  NotImplementedError naming its question), no solution, no output, only the public tests (in the
  notebook's metadata, for ``grader.check("q1")``).
- ``autograder/NAME.ipynb``: the instructor edition: the solutions, their outputs and every test.
- ``autograder.zip``: otter's autograder (public and hidden tests, points), what ``make grade`` runs.
- ``master.ipynb``: the master notebook with its directives expanded (what ``otter assign`` read).

``otter assign`` runs the instructor edition against every test, public and hidden, and stops when a
reference solution fails one: a build that finishes has reference solutions with full marks.

A master is in otter-grader's master format (``# ASSIGNMENT CONFIG``, ``# BEGIN QUESTION``, ``# BEGIN
TESTS``, ...: https://otter-grader.readthedocs.io/en/latest/otter_assign/), plus two directives, raw cells
that take text and code from where they are already written, so that nothing is written twice:

``# INCLUDE`` (YAML: ``notebook``, ``heading``) becomes the markdown cell of ``notebook`` (a path relative
to the master) whose first line is ``heading``.

``# EXERCISE`` (YAML: ``notebook``, ``function``, ``solution``) becomes otter's solution block for one
function: the stub of ``function`` as ``notebook`` gives it (its lines but ``return None``), then a prompt
that raises NotImplementedError in the student edition, then the body of ``solution`` (a dotted name,
e.g. ``gmmviz.exercises.reference_e_step``, with the same parameters) as the solution.

Otter runs notebooks in a Jupyter kernel named ``python3``; this script points that name at the Python
that runs it (a kernel spec of its own, first on JUPYTER_PATH), so the tests see this environment's gmmviz
whatever other ``python3`` kernel the machine has.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = ROOT / "assignments"
DIST = ROOT / "dist"
OTTER_MISSING = (
    "otter-grader is not installed in {python}. It is the course's `teach` extra: `make lab` and `make test` "
    "install it with the rest of requirements.lock; with pip: pip install -e '.[teach]'."
)


class DirectiveError(ValueError):
    """A directive of a master notebook that cannot be expanded; the message says where and why."""


def check_otter() -> None:
    """Stop with a message naming the fix when otter-grader is missing."""
    try:
        import otter  # noqa: F401
    except ImportError:
        raise SystemExit(OTTER_MISSING.format(python=sys.executable)) from None


@contextlib.contextmanager
def python3_kernel() -> Iterator[dict[str, str]]:
    """An environment in which the Jupyter kernel ``python3`` is this interpreter.

    A kernel spec ``python3`` whose command is ``python`` (jupyter_client runs that as sys.executable), in a
    temporary directory put first on JUPYTER_PATH: it wins over a user's or the system's ``python3``.
    """
    with tempfile.TemporaryDirectory(prefix="gmm-kernel-") as tmp:
        spec = Path(tmp) / "kernels" / "python3"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    "display_name": "Python 3 (ipykernel)",
                    "language": "python",
                }
            ),
            encoding="utf-8",
        )
        env = dict(os.environ)
        env["JUPYTER_PATH"] = os.pathsep.join([tmp, *filter(None, [env.get("JUPYTER_PATH")])])
        yield env


# ---------------------------------------------------------------------------------------------
# Expanding the directives
# ---------------------------------------------------------------------------------------------


def _directive(cell: nbformat.NotebookNode) -> tuple[str, dict] | None:
    """(name, YAML config) of a directive cell, or None for any other cell."""
    if cell.cell_type != "raw":
        return None
    first, _, rest = cell.source.partition("\n")
    name = first.strip()
    if name not in ("# INCLUDE", "# EXERCISE"):
        return None
    config = yaml.safe_load(rest) or {}
    if not isinstance(config, dict):
        raise DirectiveError(f"{name}: the lines after it must be YAML keys, got {rest!r}")
    return name, config


def _require(config: dict, keys: tuple[str, ...], name: str) -> None:
    missing = [k for k in keys if k not in config]
    if missing:
        raise DirectiveError(f"{name} needs the keys {', '.join(keys)}; missing {', '.join(missing)}")


def _read(notebook: Path) -> nbformat.NotebookNode:
    if not notebook.is_file():
        raise DirectiveError(f"no notebook {notebook}")
    return nbformat.read(notebook, as_version=4)


def include_cell(notebook: Path, heading: str) -> nbformat.NotebookNode:
    """The markdown cell of ``notebook`` whose first line is ``heading`` (exactly one must be)."""
    found = [
        c
        for c in _read(notebook).cells
        if c.cell_type == "markdown" and c.source.split("\n", 1)[0].strip() == heading.strip()
    ]
    if len(found) != 1:
        raise DirectiveError(
            f"# INCLUDE: {len(found)} markdown cells of {notebook.name} start with {heading!r} (need one)"
        )
    return nbformat.v4.new_markdown_cell(found[0].source)


def _function(source: str, name: str, where: str) -> tuple[ast.FunctionDef, list[str]]:
    """The ``def name`` node of ``source`` and the source's lines."""
    tree = ast.parse(source)
    defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(defs) != 1:
        raise DirectiveError(f"# EXERCISE: {where} defines {name} {len(defs)} times (need once)")
    return defs[0], source.splitlines()


def _parameters(node: ast.FunctionDef) -> str:
    """The parameters and their defaults, without annotations: ``X, resp, reg_covar=1e-06``."""
    args = ast.arguments(**{f: getattr(node.args, f) for f in node.args._fields})
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None:
            arg.annotation = None
    return ast.unparse(args)


def stub_lines(notebook: Path, function: str) -> tuple[list[str], str, str]:
    """The learner's starting point: the lines of ``def function`` in ``notebook`` without ``return None``,
    the indentation of its body and its parameters."""
    cells = [c for c in _read(notebook).cells if c.cell_type == "code" and f"def {function}(" in c.source]
    if len(cells) != 1:
        raise DirectiveError(
            f"# EXERCISE: {len(cells)} code cells of {notebook.name} define {function} (need one)"
        )
    node, lines = _function(cells[0].source, function, notebook.name)
    body = lines[node.lineno - 1 : node.end_lineno]
    kept = [line for line in body if line.split("#", 1)[0].strip() != "return None"]
    return kept, " " * node.body[0].col_offset, _parameters(node)


def solution_lines(dotted: str, parameters: str) -> list[str]:
    """The body of the function ``dotted`` (its docstring left out), dedented; its parameters must match."""
    module_name, _, attr = dotted.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise DirectiveError(f"# EXERCISE: solution {dotted!r} cannot be imported: {exc}") from None
    source = textwrap.dedent(inspect.getsource(obj))
    node, lines = _function(source, attr, dotted)
    if _parameters(node) != parameters:
        raise DirectiveError(
            f"# EXERCISE: {dotted} takes ({_parameters(node)}) but the stub takes ({parameters}): they must agree"
        )
    body = node.body
    if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        body = body[1:]  # the docstring
    return textwrap.dedent("\n".join(lines[body[0].lineno - 1 : node.end_lineno])).splitlines()


def exercise_cells(
    notebook: Path, function: str, solution: str, question: str
) -> list[nbformat.NotebookNode]:
    """Otter's solution block for one function: stub lines, the student's prompt, the hidden solution."""
    stub, indent, parameters = stub_lines(notebook, function)
    solution_body = solution_lines(solution, parameters)
    message = f"{function} is not written yet: write it here (question {question}), then run grader.check('{question}')"
    code = [
        *stub,
        f'{indent}""" # BEGIN PROMPT',
        f"{indent}raise NotImplementedError({message!r})",
        f'{indent}""" # END PROMPT',
        f"{indent}# BEGIN SOLUTION NO PROMPT",
        *[f"{indent}{line}" if line.strip() else "" for line in solution_body],
        f"{indent}# END SOLUTION",
    ]
    return [
        nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell("\n".join(code)),
        nbformat.v4.new_raw_cell("# END SOLUTION"),
    ]


def expand(master: Path) -> nbformat.NotebookNode:
    """The master notebook with its directives replaced by what they name."""
    nb = nbformat.read(master, as_version=4)
    cells, question = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            question = (yaml.safe_load(cell.source.partition("\n")[2]) or {}).get("name")
        found = _directive(cell)
        if found is None:
            cells.append(cell)
            continue
        name, config = found
        try:
            if name == "# INCLUDE":
                _require(config, ("notebook", "heading"), name)
                cells.append(include_cell(master.parent / config["notebook"], config["heading"]))
            else:
                _require(config, ("notebook", "function", "solution"), name)
                if question is None:
                    raise DirectiveError("# EXERCISE must be inside a question (after # BEGIN QUESTION)")
                cells += exercise_cells(
                    master.parent / config["notebook"], config["function"], config["solution"], question
                )
        except DirectiveError as exc:
            raise DirectiveError(f"{master.name}, cell {i}: {exc}") from None
    nb.cells = cells
    nb.metadata.setdefault("gmm_course", {})["generated_from"] = master.name
    return nb


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


def assignment_name(nb: nbformat.NotebookNode, master: Path) -> str:
    """The ``name`` of the ASSIGNMENT CONFIG (what otter checks submissions against); the file's stem if none."""
    for cell in nb.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# ASSIGNMENT CONFIG"):
            return (yaml.safe_load(cell.source.partition("\n")[2]) or {}).get("name") or master.stem
    raise DirectiveError(f"{master.name} has no # ASSIGNMENT CONFIG cell")


def build(master: Path, out: Path = DIST, *, quiet: bool = False) -> Path:
    """Build one assignment into ``out / name``; returns that folder."""
    check_otter()
    nb = expand(master)
    name = assignment_name(nb, master)
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    expanded = target / "master.ipynb"
    nbformat.write(nb, expanded)
    with tempfile.TemporaryDirectory(prefix="gmm-assign-") as tmp, python3_kernel() as env:
        # otter assign names its outputs after the master file: give it NAME.ipynb
        source = Path(tmp) / f"{name}.ipynb"
        shutil.copy(expanded, source)
        result = subprocess.run(
            [sys.executable, "-m", "otter", "assign", str(source), str(target)],
            cwd=tmp,
            env=env,
            capture_output=quiet,
            text=True,
        )
    if result.returncode != 0:
        detail = (result.stdout or "")[-3000:] + (result.stderr or "")[-3000:] if quiet else ""
        raise SystemExit(f"otter assign failed on {master} (exit {result.returncode}).\n{detail}")
    zips = sorted((target / "autograder").glob(f"{name}-autograder_*.zip"))
    if not zips:
        raise SystemExit(f"otter assign wrote no autograder zip into {target / 'autograder'}")
    shutil.copy(zips[-1], target / "autograder.zip")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "masters", nargs="*", type=Path, help="master notebooks (default: assignments/*.ipynb)"
    )
    parser.add_argument("--out", type=Path, default=DIST, help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    masters = args.masters or sorted(ASSIGNMENTS.glob("*.ipynb"))
    if not masters:
        raise SystemExit(f"no master notebooks in {ASSIGNMENTS}")
    for master in masters:
        target = build(master.resolve(), args.out.resolve())
        name = target.name
        print(f"{master.name} -> {target}")
        print(f"  hand out:   {target / 'student' / f'{name}.ipynb'}")
        print(f"  instructor: {target / 'autograder' / f'{name}.ipynb'} (solutions and every test)")
        print(f"  grade with: {target / 'autograder.zip'} (make grade SUBMISSIONS=folder)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
