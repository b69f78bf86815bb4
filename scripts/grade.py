"""Grade a folder of submitted notebooks with otter-grader, offline and without Docker (`make grade`).

    make grade SUBMISSIONS=folder
    .venv/bin/python scripts/grade.py folder [--out dist] [--jobs 2] [--timeout 600]

``folder`` holds the students' notebooks: either ``NAME.ipynb`` files (the student is NAME, e.g. what an
LMS download is called) or one sub-folder per student holding one ``.ipynb`` (the student is the folder's
name). Each notebook is graded by ``otter run`` against the autograder of its assignment (the
``assignment_name`` otter wrote into the student edition), built by ``make assignments`` into
``dist/NAME/autograder.zip``; missing autograders are built first.

Writes into ``--out`` (default ``dist/``):

- ``grades.csv``: one row per student and question: ``student, question, points, max_points,
  assignment``;
- ``reports/STUDENT.md``: the student's points per question and every test, passed or failed, with the
  failed tests' messages (which name the misconception and the fix); plus, for the teacher, lines of the
  notebook that call gmmviz's own solutions.

Each notebook runs in its own process with a time limit: a notebook that hangs or crashes scores 0 and
its report says why. Grading runs the students' code with your user's rights, as `otter run` does: grade
submissions you do not trust inside a container or a throwaway account.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_assignments  # noqa: E402  (scripts/ is not a package)

DIST = make_assignments.DIST

#: Lines of a submission that use the course's own answers instead of the student's (flagged, not scored).
BORROWED = re.compile(
    r"reference_(e_step|m_step|converged)\b|gmmviz\.exercises|from gmmviz\.exercises import|\bsolution\(|"
    r"gmmviz\.(em\.)?(e_step|m_step)\b|from gmmviz(\.em)? import [^#\n]*\b(e_step|m_step)\b"
)


@dataclass
class TestResult:
    name: str
    doc: str
    hidden: bool
    points: float
    score: float
    passed: bool
    message: str


@dataclass
class QuestionResult:
    name: str
    points: float
    max_points: float
    tests: list[TestResult] = field(default_factory=list)


@dataclass
class Graded:
    student: str
    notebook: Path
    assignment: str
    questions: list[QuestionResult]
    error: str = ""
    flags: list[str] = field(default_factory=list)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_points(self) -> float:
        return sum(q.max_points for q in self.questions)


# ---------------------------------------------------------------------------------------------
# Finding the submissions and their autograders
# ---------------------------------------------------------------------------------------------


def find_submissions(folder: Path) -> list[tuple[str, Path]]:
    """(student, notebook) pairs: NAME.ipynb files directly in ``folder``, or one notebook per sub-folder."""
    if folder.is_file():
        return [(folder.stem, folder)]
    if not folder.is_dir():
        raise SystemExit(f"no such folder: {folder}")
    out = [(p.stem, p) for p in sorted(folder.glob("*.ipynb"))]
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = [p for p in sorted(sub.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
        if len(notebooks) == 1:
            out.append((sub.name, notebooks[0]))
        elif notebooks:
            print(
                f"skipped {sub}: {len(notebooks)} notebooks in it, expected one per student", file=sys.stderr
            )
    names = [s for s, _ in out]
    twice = sorted({s for s in names if names.count(s) > 1})
    if twice:
        raise SystemExit(f"two submissions for the same student name: {', '.join(twice)}; rename one")
    return out


def autograders(dist: Path) -> dict[str, Path]:
    """assignment_name -> autograder.zip of every assignment built in ``dist``; builds the missing ones."""
    found = {}
    for master in sorted(make_assignments.ASSIGNMENTS.glob("*.ipynb")):
        nb = nbformat.read(master, as_version=4)
        name = make_assignments.assignment_name(nb, master)
        zip_path = dist / name / "autograder.zip"
        if not zip_path.is_file():
            print(f"building {name} first (make assignments): {zip_path} is missing", flush=True)
            make_assignments.build(master, dist)
        elif zip_path.stat().st_mtime < master.stat().st_mtime:
            print(
                f"warning: {master.name} changed after {zip_path} was built; grading with the old tests "
                f"(run `make assignments` to rebuild it, and hand out the new student edition)",
                file=sys.stderr,
            )
        found[name] = zip_path
    return found


def assignment_of(notebook: Path, known: dict[str, Path]) -> str:
    """The assignment a notebook belongs to: otter's ``assignment_name`` in its metadata."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception as exc:
        raise ValueError(f"{notebook.name} is not a readable notebook: {exc}") from None
    name = nb.metadata.get("otter", {}).get("assignment_name")
    if name is None and len(known) == 1:
        return next(iter(known))
    if name not in known:
        raise ValueError(
            f"{notebook.name} belongs to assignment {name!r}, which is not among {sorted(known)}: "
            f"was it made from a student edition of dist/?"
        )
    return name


def borrowed_lines(notebook: Path) -> list[str]:
    """Where a submission calls the course's own solutions (for the teacher; it costs no points)."""
    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:
        return []
    flags = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for j, line in enumerate(cell.source.splitlines(), 1):
            if BORROWED.search(line.split("#", 1)[0]):
                flags.append(f"cell {i}, line {j}: `{line.strip()}`")
    return flags


# ---------------------------------------------------------------------------------------------
# The points a question is worth, and the names of its tests
# ---------------------------------------------------------------------------------------------


def test_functions(source: str) -> list[tuple[str, str]]:
    """(name, docstring) of each ``@test_case`` function of an otter test file, in order."""
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "id", None) == "test_case"
            for d in node.decorator_list
        ):
            out.append((node.name, (ast.get_docstring(node) or "").strip()))
    return out


def max_points(zip_path: Path) -> dict[str, float]:
    """Question -> the points it is worth, from the autograder's test files."""
    from otter.test_files import create_test_file

    out = {}
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tmp)
        for test in sorted(Path(tmp, "tests").glob("*.py")):
            tf = create_test_file(str(test), None)  # a .py test file needs no notebook config
            out[tf.name] = float(sum(tc.points or 0 for tc in tf.test_cases))
    return out


def failure_text(message: str) -> str:
    """The exception of an otter failure message, without its 'Error at line ...' preamble."""
    lines = (message or "").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Error at line"):
            return "\n".join(lines[i + 2 :]).strip() or message.strip()
    return "\n".join(line for line in lines if "Test case failed" not in line).strip()


# ---------------------------------------------------------------------------------------------
# Grading one notebook (in a process of its own)
# ---------------------------------------------------------------------------------------------


def grade_one(notebook: Path, zip_path: Path) -> dict:
    """Run otter on one notebook; the results as plain data (what ``--one`` prints as JSON)."""
    from otter.run import main as otter_run

    results = otter_run(str(notebook), autograder=str(zip_path), output_dir=None, no_logo=True)
    if results.catastrophic_error is not None:
        return {"error": f"{type(results.catastrophic_error).__name__}: {results.catastrophic_error}"}
    questions = []
    for name, tf in results.results.items():
        names = test_functions(getattr(tf, "source", "") or "")
        tests = []
        for i, tcr in enumerate(tf.test_case_results):
            tc = tcr.test_case
            fn, doc = names[i] if i < len(names) else (tc.name, "")
            points = float(tc.points or 0)
            tests.append(
                {
                    "name": fn,
                    "doc": doc,
                    "hidden": bool(tc.hidden),
                    "points": points,
                    "score": points if tcr.passed else 0.0,
                    "passed": bool(tcr.passed),
                    "message": "" if tcr.passed else failure_text(tcr.message),
                }
            )
        questions.append(
            {"name": name, "points": float(tf.score), "max_points": float(tf.possible), "tests": tests}
        )
    return {"questions": questions}


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the kernel otter started, too
    except ProcessLookupError:
        pass


def grade_in_subprocess(notebook: Path, zip_path: Path, timeout: float, env: dict[str, str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="gmm-grade-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(notebook),
            "--autograder",
            str(zip_path),
            "--json",
            str(out),
        ]
        proc = subprocess.Popen(
            cmd,
            cwd=tmp,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            return {"error": f"grading took longer than {timeout:g} s and was stopped (an endless loop?)"}
        finally:
            _kill(proc)
        if proc.returncode != 0 or not out.is_file():
            return {"error": f"otter could not grade it (exit {proc.returncode}):\n{log[-2000:]}"}
        return json.loads(out.read_text(encoding="utf-8"))


def collect(
    student: str,
    notebook: Path,
    known: dict[str, Path],
    maxima: dict[str, dict[str, float]],
    timeout: float,
    env,
) -> Graded:
    try:
        assignment = assignment_of(notebook, known)
    except ValueError as exc:
        if len(known) == 1:  # one assignment: the notebook scores 0 on each of its questions
            (only,) = known
            zeros = [QuestionResult(q, 0.0, m) for q, m in maxima[only].items()]
            return Graded(student, notebook, only, zeros, error=str(exc))
        return Graded(student, notebook, "?", [QuestionResult("(not graded)", 0.0, 0.0)], error=str(exc))
    data = grade_in_subprocess(notebook, known[assignment], timeout, env)
    flags = borrowed_lines(notebook)
    if "error" in data:
        zeros = [QuestionResult(q, 0.0, m) for q, m in maxima[assignment].items()]
        return Graded(student, notebook, assignment, zeros, error=data["error"], flags=flags)
    questions = [
        QuestionResult(q["name"], q["points"], q["max_points"], [TestResult(**t) for t in q["tests"]])
        for q in data["questions"]
    ]
    return Graded(student, notebook, assignment, questions, flags=flags)


# ---------------------------------------------------------------------------------------------
# Writing the CSV and the reports
# ---------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.3f}".rstrip("0")


def report(g: Graded) -> str:
    """A student's report, in Markdown."""
    lines = [f"# {g.assignment} · {g.student}", "", f"**{_num(g.points)} / {_num(g.max_points)} points**", ""]
    if g.error:
        lines += ["Not graded:", "", "```", g.error.strip(), "```", ""]
    lines += ["| question | points | of |", "|---|---:|---:|"]
    lines += [f"| {q.name} | {_num(q.points)} | {_num(q.max_points)} |" for q in g.questions]
    for q in g.questions:
        if not q.tests:
            continue
        lines += ["", f"## {q.name}: {_num(q.points)} / {_num(q.max_points)}", ""]
        for t in q.tests:
            kind = "hidden" if t.hidden else "public"
            mark = "✓ passed" if t.passed else "✗ FAILED"
            lines.append(f"- {mark} `{t.name}` ({kind}, {_num(t.score)} / {_num(t.points)}): {t.doc}")
            if not t.passed:
                lines += [f"  > {line}" if line else "  >" for line in t.message.splitlines()]
    if g.flags:
        lines += [
            "",
            "## For the teacher",
            "",
            "These lines use the course's own solutions (no points deducted):",
            "",
        ]
        lines += [f"- {flag}" for flag in g.flags]
    lines.append("")
    return "\n".join(lines)


def write(graded: list[Graded], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    reports = out / "reports"
    reports.mkdir(exist_ok=True)
    csv_path = out / "grades.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "points", "max_points", "assignment"])
        for g in graded:
            for q in g.questions:
                w.writerow([g.student, q.name, _num(q.points), _num(q.max_points), g.assignment])
            (reports / f"{g.student}.md").write_text(report(g), encoding="utf-8")
    return csv_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, nargs="?", help="folder of submitted notebooks")
    parser.add_argument(
        "--out", type=Path, default=DIST, help="where grades.csv and reports/ go (default: dist/)"
    )
    parser.add_argument(
        "--dist", type=Path, default=DIST, help="where the built assignments are (default: dist/)"
    )
    parser.add_argument(
        "--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="notebooks at once"
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per notebook (default: 600)")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--autograder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    make_assignments.check_otter()
    if args.one:  # the worker: one notebook, results as JSON
        args.json.write_text(json.dumps(grade_one(args.one, args.autograder)), encoding="utf-8")
        return 0
    if args.submissions is None:
        parser.error("give the folder of submissions: make grade SUBMISSIONS=folder")
    submissions = find_submissions(args.submissions)
    if not submissions:
        raise SystemExit(f"no notebooks (*.ipynb) in {args.submissions}")
    known = autograders(args.dist.resolve())
    maxima = {name: max_points(zip_path) for name, zip_path in known.items()}
    print(f"grading {len(submissions)} notebook(s), {args.jobs} at a time", flush=True)
    with make_assignments.python3_kernel() as env, ThreadPoolExecutor(args.jobs) as pool:
        futures = [
            pool.submit(collect, s, nb.resolve(), known, maxima, args.timeout, env) for s, nb in submissions
        ]
        graded = []
        for future in futures:
            g = future.result()
            graded.append(g)
            note = f"  NOT GRADED: {g.error.splitlines()[0]}" if g.error else ""
            print(f"  {g.student}: {_num(g.points)} / {_num(g.max_points)}{note}", flush=True)
    csv_path = write(graded, args.out.resolve())
    print(f"wrote {csv_path} and {len(graded)} report(s) in {csv_path.parent / 'reports'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
