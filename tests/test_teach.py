"""Teaching with the course: the graded assignment (otter-grader), its hidden tests and the grading.

Fast tests (no otter): each hidden test of gmmviz.exercise_cases catches its misconception's seeded wrong
submission, with its own message, and passes the reference solutions; the self-paced checkers and the
assignment share their cases; the master notebook's directives expand; grade.py's pieces.

Slow tests (otter-grader, the `teach` extra): `scripts/make_assignments.py` builds the assignment; its
student edition holds none of the reference code (line by line), no hidden test, no output, and runs top to
bottom with its stubs raising only where expected (nbval's lax mode, and cell by cell); `scripts/grade.py`
gives the reference solutions full marks and each seeded wrong submission less, its report naming the
question and the failed test. Otter is imported only in subprocesses (importing it warns, and warnings are
errors here). Without otter the slow tests skip, or fail under CI=true.
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from scipy.stats import multivariate_normal

import gmmviz.exercise_cases as ec
import gmmviz.exercises as ex

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
MASTER = ROOT / "assignments" / "em_assignment.ipynb"
NB09 = ROOT / "notebooks" / "09_exercises.ipynb"

sys.path.insert(0, str(SCRIPTS))
import grade  # noqa: E402  (scripts/ is not a package)
import make_assignments  # noqa: E402

REFERENCE = {"q1": ex.reference_e_step, "q2": ex.reference_m_step, "q3": ex.reference_converged}
FUNCTION = {"q1": "my_e_step", "q2": "my_m_step", "q3": "my_converged"}
CHECKER = {"q1": ex.check_e_step, "q2": ex.check_m_step, "q3": ex.check_converged}
BY_KEY = {m.key: m for m in ec.MISCONCEPTIONS}


def source_of(fn) -> str:
    """The source of a module-level function as its file has it now (inspect.getsource pairs the line numbers
    of the code already imported with the file on disk: wrong when the file changed since)."""
    text = Path(inspect.getsourcefile(fn)).read_text(encoding="utf-8")
    (node,) = [n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == fn.__name__]
    return ast.get_source_segment(text, node)


def master_tests() -> list[dict]:
    """Every test cell of the master: question, function name, hidden?, points, the check it calls, its seed."""
    out, question = [], None
    for cell in nbformat.read(MASTER, as_version=4).cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            question = re.search(r"name:\s*(\w+)", cell.source).group(1)
        if cell.cell_type == "code" and "# BEGIN TEST CONFIG" in cell.source:
            calls = re.findall(r"\b(assert_\w+|check_\w+)\((\w+)(?:, seed=(\d+))?\)", cell.source)
            out.append(
                {
                    "question": question,
                    "name": re.search(r"def (test_\w+)\(", cell.source).group(1),
                    "hidden": "hidden: true" in cell.source,
                    "points": int(re.search(r"points:\s*(\d+)", cell.source).group(1)),
                    "check": calls[-1][0],
                    "seed": int(calls[-1][2]) if calls[-1][2] else None,
                }
            )
    return out


HIDDEN_SEEDS = sorted({t["seed"] for t in master_tests() if t["hidden"]})


# --------------------------------------------------------------------------- the hidden tests, without otter


def test_the_catalogue_has_each_misconception_of_the_issue_once():
    assert [m.key for m in ec.MISCONCEPTIONS] == [
        "e_step_underflow",
        "log_likelihood_averaged",
        "responsibilities_wrong_axis",
        "covariance_divided_by_n",
        "reg_covar_forgotten",
        "m_step_hard_labels",
        "stopping_rule_wrong_scale",
    ]
    assert len({m.test for m in ec.MISCONCEPTIONS}) == len({m.check for m in ec.MISCONCEPTIONS}) == 7
    for m in ec.MISCONCEPTIONS:
        assert "Fix:" in m.message, m.key  # a message names the problem and the fix
        assert FUNCTION[m.question] == m.function


def test_the_master_has_one_hidden_test_per_misconception_with_points():
    tests = master_tests()
    hidden = {t["name"]: t for t in tests if t["hidden"]}
    for m in ec.MISCONCEPTIONS:
        t = hidden.pop(m.test)
        assert (t["question"], t["check"], t["points"]) == (m.question, m.check.__name__, 1), t
    assert not hidden, f"hidden tests without a misconception in the catalogue: {sorted(hidden)}"
    public = [t for t in tests if not t["hidden"]]
    assert [(t["question"], t["check"]) for t in public] == [
        ("q1", "check_e_step"),
        ("q2", "check_m_step"),
        ("q3", "check_converged"),
    ]
    points = {q: sum(t["points"] for t in tests if t["question"] == q) for q in ("q1", "q2", "q3")}
    assert points == {"q1": 4, "q2": 4, "q3": 2}
    # the hidden problems are not the self-paced ones (seed 0)
    assert HIDDEN_SEEDS and 0 not in HIDDEN_SEEDS


@pytest.mark.parametrize("seed", [0, 1, 7, *HIDDEN_SEEDS])
@pytest.mark.parametrize("key", list(BY_KEY))
def test_each_hidden_test_fails_its_wrong_submission_and_passes_the_reference(key, seed):
    m = BY_KEY[key]
    m.check(REFERENCE[m.question], seed)  # no AssertionError
    with pytest.raises(AssertionError) as caught:
        m.check(m.wrong, seed)
    message = str(caught.value)
    assert message.startswith(m.message), message  # its own message: the misconception and the fix
    assert "[" in message and "]" in message  # ... and where: the problem or the case


@pytest.mark.parametrize("key", list(BY_KEY))
def test_each_wrong_submission_has_only_its_own_misconception(key):
    # The other hidden tests of its question pass it: each test aims at one misconception. One exception,
    # by design: γ normalised over the points is wrong on the far point's problem too (it underflows there:
    # exp(a_nk − logsumexp over points) is e^-1000 for the far point), and that test says so.
    m = BY_KEY[key]
    for other in ec.MISCONCEPTIONS:
        if other.question != m.question or other is m:
            continue
        for seed in HIDDEN_SEEDS:
            if key == "responsibilities_wrong_axis" and other.key == "e_step_underflow":
                with pytest.raises(AssertionError, match="on the ordinary points .* already"):
                    other.check(m.wrong, seed)
            else:
                other.check(m.wrong, seed)


@pytest.mark.parametrize("key", list(BY_KEY))
def test_the_self_paced_checker_rejects_every_wrong_submission_too(key):
    m = BY_KEY[key]
    assert CHECKER[m.question](REFERENCE[m.question]).passed
    result = CHECKER[m.question](m.wrong)
    assert result.status == "failed", result


@pytest.mark.parametrize("seed", [0, *HIDDEN_SEEDS])
def test_the_far_point_underflows_independently_checked(seed):
    X, params = ec.far_problem(seed)
    for w, mu, c in zip(params.weights, params.means, params.covariances):
        assert w * multivariate_normal(mu, c).pdf(X[-1]) == 0.0  # every π_k N(x | μ_k, Σ_k) is 0 in float64
    with np.errstate(all="ignore"):
        resp, ll = ec.e_step_underflows(X, params)
    assert np.isnan(resp[-1]).all() and np.isinf(ll)  # the naive E-step: 0/0


def test_scale_cases_need_the_per_point_rule():
    for seed in [0, *HIDDEN_SEEDS]:
        cases = ec.scale_cases(seed)
        truth = [abs(b - a) / n < tol for a, b, n, tol, _ in cases]
        assert truth == [want for *_, want in cases]
        assert [abs(b - a) < tol for a, b, _, tol, _ in cases] != truth  # the total change disagrees
        assert [abs(b - a) / abs(a) < tol for a, b, _, tol, _ in cases] != truth  # so does a relative change


def test_hidden_tests_name_a_missing_or_unwritten_function():
    with pytest.raises(AssertionError, match="my_e_step is not defined"):
        ec.assert_e_step_sums(None, 1)

    def stub(X, params):
        raise NotImplementedError("write it (question q1)")

    with pytest.raises(
        AssertionError, match=r"my_e_step raises NotImplementedError: write it \(question q1\)"
    ):
        ec.assert_e_step_axis(stub, 1)
    with pytest.raises(AssertionError, match="must return True or False"):
        ec.assert_converged_scale(lambda a, b, n, tol: abs(b - a) / n, 1)
    with pytest.raises(AssertionError, match="looks transposed"):
        ec.assert_e_step_axis(
            lambda X, p: tuple(o.T if o.ndim else o for o in map(np.asarray, ex.reference_e_step(X, p))), 1
        )


def test_the_self_paced_checkers_use_the_shared_cases():
    assert ex._problems is ec.problems and ex._far_problem is ec.far_problem and ex._describe is ec.describe
    assert ex.CHECK_REG_COVAR is ec.CHECK_REG_COVAR
    source = inspect.getsource(ex)
    assert "def _problems(" not in source and "def _far_problem(" not in source  # not copied
    assert "CHECK_REG_COVAR = " not in source


# --------------------------------------------------------------------------- the master notebook's directives


def test_the_master_writes_no_exercise_text_or_solution_twice():
    master = "\n".join(c.source for c in nbformat.read(MASTER, as_version=4).cells)
    headings = re.findall(r'^heading: "(.+)"$', master, re.M)  # what the # INCLUDE cells take from 09
    assert headings == ["## 1 · The E-step", "## 2 · The M-step", "## 3 · When to stop"]
    exercises = [
        c.source
        for c in nbformat.read(NB09, as_version=4).cells
        if c.cell_type == "markdown" and c.source.split("\n", 1)[0] in headings
    ]
    assert len(exercises) == 3 and all("**Exercise" in text for text in exercises)
    for text in exercises:
        for paragraph in text.split("\n\n")[1:]:  # all but the heading, which names the cell to include
            assert paragraph.strip()[:60] not in master, paragraph
    for fn in REFERENCE.values():
        for line in code_lines(source_of(fn).split('"""', 2)[2]):
            assert line not in code_lines(master), line


def test_expand_gives_otter_a_plain_master():
    nb = make_assignments.expand(MASTER)
    assert not any(make_assignments._directive(c) for c in nb.cells)
    nb09 = {c.source for c in nbformat.read(NB09, as_version=4).cells if c.cell_type == "markdown"}
    headings = ["## 1 · The E-step", "## 2 · The M-step", "## 3 · When to stop"]
    included = [
        c.source for c in nb.cells if c.cell_type == "markdown" and c.source.split("\n")[0] in headings
    ]
    assert len(included) == 3 and all(text in nb09 for text in included)  # 09's text, as it is
    for q, fn in REFERENCE.items():
        (cell,) = [c for c in nb.cells if c.cell_type == "code" and f"def {FUNCTION[q]}(" in c.source]
        src = cell.source
        assert (
            "raise NotImplementedError(" in src and f"question {q}" in src and f"grader.check('{q}')" in src
        )
        solution = src.split("# BEGIN SOLUTION NO PROMPT\n", 1)[1].split("# END SOLUTION")[0]
        body = source_of(fn).split('"""', 2)[2]  # the reference function after its docstring
        assert [line.strip() for line in solution.splitlines() if line.strip()] == [
            line.strip() for line in body.splitlines() if line.strip()
        ]
        assert "return None" not in src.split("# BEGIN SOLUTION")[0]  # the stub's placeholder is gone
        compile(src, FUNCTION[q], "exec")


@pytest.mark.parametrize(
    ("directive", "problem"),
    [
        (
            '# INCLUDE\nnotebook: ../notebooks/09_exercises.ipynb\nheading: "## 9 · Nowhere"',
            "0 markdown cells",
        ),
        ("# INCLUDE\nnotebook: ../notebooks/99.ipynb\nheading: x", "no notebook"),
        ("# EXERCISE\nnotebook: ../notebooks/09_exercises.ipynb\nfunction: my_e_step", "missing solution"),
        (
            "# EXERCISE\nnotebook: ../notebooks/09_exercises.ipynb\nfunction: my_e_step\n"
            "solution: gmmviz.exercises.reference_m_step",
            "they must agree",
        ),
    ],
)
def test_a_broken_directive_says_where_and_why(tmp_path, directive, problem):
    (tmp_path / "assignments").mkdir()
    master = tmp_path / "assignments" / "bad.ipynb"
    cells = [nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1"), nbformat.v4.new_raw_cell(directive)]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), master)
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    with pytest.raises(make_assignments.DirectiveError, match=rf"bad.ipynb, cell 1: .*{problem}"):
        make_assignments.expand(master)


# --------------------------------------------------------------------------- grade.py's pieces


def test_find_submissions_files_and_folders(tmp_path):
    nb = nbformat.v4.new_notebook()
    nbformat.write(nb, tmp_path / "ada.ipynb")
    (tmp_path / "grace").mkdir()
    nbformat.write(nb, tmp_path / "grace" / "em_assignment.ipynb")
    (tmp_path / "grace" / ".ipynb_checkpoints").mkdir()
    nbformat.write(nb, tmp_path / "grace" / ".ipynb_checkpoints" / "em_assignment-checkpoint.ipynb")
    assert [s for s, _ in grade.find_submissions(tmp_path)] == ["ada", "grace"]
    nbformat.write(nb, tmp_path / "grace.ipynb")
    with pytest.raises(SystemExit, match="same student name: grace"):
        grade.find_submissions(tmp_path)


def test_test_functions_and_failure_text():
    source = (
        "from otter.test_files import test_case\nname = 'q1'\n\n@test_case(points=1, hidden=True)\n"
        "def test_far_point(my_e_step):\n    '''Hidden: a far point.'''\n    pass\n\n"
        "@test_case(points=1, hidden=False)\ndef test_check(f):\n    pass\n"
    )
    assert grade.test_functions(source) == [("test_far_point", "Hidden: a far point."), ("test_check", "")]
    message = (
        "❌ Test case failed\nError at line 10 in test q1:\n      assert_e_step_far_point(my_e_step, seed=1)\n"
        "AssertionError: your E-step underflows\nsecond line"
    )
    assert grade.failure_text(message) == "AssertionError: your E-step underflows\nsecond line"


def test_report_names_question_test_and_message():
    failed = grade.TestResult(
        "test_far_point", "Hidden: a far point.", True, 1.0, 0.0, False, "AssertionError: x"
    )
    passed = grade.TestResult("test_check_e_step", "Public.", False, 1.0, 1.0, True, "")
    g = grade.Graded(
        "ada",
        Path("ada.ipynb"),
        "em_assignment",
        [grade.QuestionResult("q1", 1.0, 2.0, [passed, failed])],
        flags=["cell 5, line 1: `my_e_step = reference_e_step`"],
    )
    text = grade.report(g)
    assert "**1 / 2 points**" in text and "## q1: 1 / 2" in text
    assert "- ✗ FAILED `test_far_point` (hidden, 0 / 1): Hidden: a far point.\n  > AssertionError: x" in text
    assert "- ✓ passed `test_check_e_step` (public, 1 / 1)" in text
    assert "## For the teacher" in text and "reference_e_step" in text


def test_borrowed_lines_flag_the_course_solutions(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("from gmmviz import GMMParams, fit_em, init_params"),
            nbformat.v4.new_code_cell("def my_e_step(X, params):\n    return reference_e_step(X, params)"),
            nbformat.v4.new_code_cell("import gmmviz\nmy_m_step = lambda X, r, c=1e-6: gmmviz.m_step(X, r)"),
            nbformat.v4.new_code_cell("resp, ll = my_e_step(X, params)  # uses reference_e_step? no"),
        ]
    )
    nbformat.write(nb, tmp_path / "a.ipynb")
    assert grade.borrowed_lines(tmp_path / "a.ipynb") == [
        "cell 1, line 2: `return reference_e_step(X, params)`",
        "cell 2, line 2: `my_m_step = lambda X, r, c=1e-6: gmmviz.m_step(X, r)`",
    ]


def test_make_has_the_teaching_targets():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^assignments: venv\n\t.*scripts/make_assignments\.py", makefile, re.M)
    assert re.search(r"^grade: venv\n(\t.*\n)*\t.*scripts/grade\.py.*\$\(SUBMISSIONS\)", makefile, re.M)


# --------------------------------------------------------------------------- slow: otter-grader itself


def require_otter(present: bool | None = None) -> None:
    """Skip without otter-grader; under CI=true fail instead (CI must run these tests)."""
    if present is None:
        present = importlib.util.find_spec("otter") is not None
    if not present:
        reason = "otter-grader is not installed: it is the `teach` extra (requirements.lock; pip install -e '.[teach]')"
        if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason} (CI=true: the teaching tests must run, so this fails instead of skipping)")
        pytest.skip(reason)


def test_missing_otter_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require_otter(present=False)
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="teach"):
        require_otter(present=False)
    require_otter(present=True)  # neither


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_otter()
    out = tmp_path_factory.mktemp("dist")
    run(
        [sys.executable, str(SCRIPTS / "make_assignments.py"), "--out", str(out), str(MASTER)],
        cwd=ROOT,
        timeout=600,
    )
    return out / "em_assignment"


def code_lines(source: str) -> set[str]:
    """The code of each line, its comment and spacing removed."""
    out = set()
    for line in source.splitlines():
        code = " ".join(line.split("#", 1)[0].split())
        if code:
            out.add(code)
    return out


def reference_lines() -> set[str]:
    """Lines of the reference solutions (gmmviz.exercises and notebook 09's Solution cells), minus what the
    student edition gives away on purpose (09's stubs) and lines too short to mean anything (``)``)."""
    sources = [source_of(fn).split('"""', 2)[2] for fn in REFERENCE.values()]
    nb09 = nbformat.read(NB09, as_version=4).cells
    for cell in nb09:
        if cell.cell_type == "markdown" and "<summary>Solution" in cell.source:
            sources += re.findall(r"```python\n(.*?)```", cell.source, re.S)
    stubs = set()
    for cell in nb09:
        if cell.cell_type == "code" and any(f"def {f}(" in cell.source for f in FUNCTION.values()):
            stubs |= code_lines(cell.source)
    lines = set().union(*map(code_lines, sources)) - stubs
    return {line for line in lines if len(line.replace(" ", "")) >= 8}


def notebook_code(path: Path) -> set[str]:
    nb = nbformat.read(path, as_version=4)
    return set().union(*(code_lines(c.source) for c in nb.cells if c.cell_type == "code"))


@pytest.mark.slow
def test_student_edition_holds_no_reference_code_line_by_line(built):
    ref = reference_lines()
    assert len(ref) > 25
    # the check can fail: the instructor edition has the solutions in it
    instructor = notebook_code(built / "autograder" / "em_assignment.ipynb")
    assert {
        "log_T = logsumexp(log_pi_n, axis=1, keepdims=True)",
        "means = (resp.T @ X) / N_k[:, None]",
        "return abs(ll_current - ll_previous) / n < tol",
    } <= ref & instructor
    student = notebook_code(built / "student" / "em_assignment.ipynb")
    leaked = sorted(ref & student)
    assert not leaked, f"reference code in the student edition: {leaked}"


@pytest.mark.slow
def test_student_edition_has_stubs_no_solutions_outputs_or_hidden_tests(built):
    path = built / "student" / "em_assignment.ipynb"
    text = path.read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN PROMPT", "<summary>Solution"):
        assert marker not in text, marker
    for m in ec.MISCONCEPTIONS:  # hidden tests: not in the metadata, not anywhere
        assert m.test not in text and m.check.__name__ not in text
    assert "exercise_cases" not in text and "hidden=True" not in text and "5061" not in text
    tests = nb.metadata["otter"]["tests"]
    assert sorted(tests) == ["q1", "q2", "q3"] and "check_e_step" in tests["q1"]
    assert nb.metadata["otter"]["assignment_name"] == "em_assignment"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
    stubs = [c.source for c in nb.cells if c.cell_type == "code" and "raise NotImplementedError(" in c.source]
    assert len(stubs) == 3
    for q, stub in zip(("q1", "q2", "q3"), stubs):
        assert f"def {FUNCTION[q]}(" in stub and f"grader.check('{q}')" in stub
    # the instructor edition has the hidden tests, and its solutions' outputs
    instructor = (built / "autograder" / "em_assignment.ipynb").read_text(encoding="utf-8")
    assert all(m.test in instructor for m in ec.MISCONCEPTIONS)


EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=300,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[2])
"""


@pytest.mark.slow
def test_student_edition_runs_top_to_bottom_stubs_raising_only_where_expected(built, tmp_path):
    student = built / "student" / "em_assignment.ipynb"
    with make_assignments.python3_kernel() as env:
        run(
            [sys.executable, "-c", EXECUTE, str(student), str(tmp_path / "ran.ipynb"), str(student.parent)],
            env=env,
            timeout=600,
        )
    nb = nbformat.read(tmp_path / "ran.ipynb", as_version=4)
    errors = [
        (i, o.ename, o.evalue)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    expected = [i for i, c in enumerate(nb.cells) if "raises-exception" in c.metadata.get("tags", [])]
    assert [i for i, *_ in errors] == expected and len(expected) == 1, errors
    _, ename, evalue = errors[0]
    assert ename == "NotImplementedError" and "question q1" in evalue and "grader.check('q1')" in evalue
    # the public tests ran and said what is missing, without an error
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith('grader.check("q')]
    assert len(checks) == 3
    for c in checks:
        shown = json.dumps([o.get("data", {}) for o in c.outputs])
        assert "is not written yet" in shown, shown[:500]


@pytest.mark.slow
def test_student_edition_passes_nbval_runs_without_error(built, tmp_path):
    student = built / "student" / "em_assignment.ipynb"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-q",
        "--nbval-lax",
        "--nbval-current-env",
    ]
    with make_assignments.python3_kernel() as env:
        result = run([*cmd, str(student)], cwd=student.parent, env=env, timeout=600)
        assert re.search(r"\b\d+ passed\b", result.stdout) and "failed" not in result.stdout, result.stdout
        # ... and the check can fail: without its raises-exception tag, the EM cell's NotImplementedError fails nbval
        nb = nbformat.read(student, as_version=4)
        for cell in nb.cells:
            cell.metadata.pop("tags", None)
        untagged = student.parent / "untagged.ipynb"
        nbformat.write(nb, untagged)
        try:
            bad = subprocess.run(
                [*cmd, str(untagged)],
                cwd=student.parent,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            untagged.unlink()
    assert bad.returncode != 0 and "NotImplementedError" in bad.stdout, bad.stdout[-2000:]


def fill(student: Path, functions: dict[str, str], target: Path) -> None:
    """A submission: the student edition with the given functions' cells replaced by ``functions[name]``."""
    nb = nbformat.read(student, as_version=4)
    for cell in nb.cells:
        for name, source in functions.items():
            if cell.cell_type == "code" and cell.source.startswith(f"def {name}("):
                cell.source = source
    nbformat.write(nb, target)


def renamed(fn, name: str) -> str:
    return re.sub(r"^def \w+\(", f"def {name}(", source_of(fn), count=1)


@pytest.mark.slow
def test_grading_reference_full_marks_wrong_submissions_less_with_named_tests(built, tmp_path):
    student = built / "student" / "em_assignment.ipynb"
    subs = tmp_path / "submissions"
    subs.mkdir()
    reference = {FUNCTION[q]: renamed(fn, FUNCTION[q]) for q, fn in REFERENCE.items()}
    fill(student, reference, subs / "reference.ipynb")
    (subs / "instructor.ipynb").write_bytes((built / "autograder" / "em_assignment.ipynb").read_bytes())
    (subs / "blank.ipynb").write_bytes(student.read_bytes())
    for m in ec.MISCONCEPTIONS:
        fill(student, {**reference, m.function: renamed(m.wrong, m.function)}, subs / f"{m.key}.ipynb")
    borrowed = {**reference, "my_e_step": "from gmmviz.exercises import reference_e_step as my_e_step"}
    fill(student, borrowed, subs / "borrower.ipynb")

    out = tmp_path / "out"
    cmd = [
        sys.executable,
        str(SCRIPTS / "grade.py"),
        str(subs),
        "--dist",
        str(built.parent),
        "--out",
        str(out),
    ]
    run([*cmd, "--jobs", "2"], cwd=ROOT, timeout=1800)

    with (out / "grades.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["student", "question", "points", "max_points", "assignment"]
    points = {(r["student"], r["question"]): (float(r["points"]), float(r["max_points"])) for r in rows}
    total = {s: sum(p for (t, _), (p, _) in points.items() if t == s) for s, _ in points}
    assert total["reference"] == total["instructor"] == total["borrower"] == 10
    assert total["blank"] == 0
    for m in ec.MISCONCEPTIONS:
        got, most = points[(m.key, m.question)]
        assert got < most, (m.key, got)
        others = [q for q in ("q1", "q2", "q3") if q != m.question]
        assert all(points[(m.key, q)][0] == points[(m.key, q)][1] for q in others), m.key
        assert total[m.key] < 10
        text = (out / "reports" / f"{m.key}.md").read_text(encoding="utf-8")
        section = text.split(f"## {m.question}: ", 1)[1].split("\n## ", 1)[0]
        assert f"- ✗ FAILED `{m.test}` (hidden, 0 / 1)" in section, section
        assert m.message[:60] in section, section
    report = (out / "reports" / "reference.md").read_text(encoding="utf-8")
    assert "**10 / 10 points**" in report and "FAILED" not in report and "For the teacher" not in report
    flagged = (out / "reports" / "borrower.md").read_text(encoding="utf-8")
    assert "## For the teacher" in flagged and "reference_e_step" in flagged.split("## For the teacher")[1]


def test_a_notebook_that_cannot_be_read_scores_zero_with_the_reason(tmp_path):
    broken = tmp_path / "ada.ipynb"
    broken.write_text("this is not a notebook", encoding="utf-8")
    maxima = {"em_assignment": {"q1": 4.0, "q2": 4.0, "q3": 2.0}}
    g = grade.collect("ada", broken, {"em_assignment": tmp_path / "autograder.zip"}, maxima, 10.0, {})
    assert [(q.name, q.points, q.max_points) for q in g.questions] == [
        ("q1", 0, 4),
        ("q2", 0, 4),
        ("q3", 0, 2),
    ]
    assert "not a readable notebook" in g.error
    grade.write([g], tmp_path / "out")
    rows = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1:] == ["ada,q1,0,4,em_assignment", "ada,q2,0,4,em_assignment", "ada,q3,0,2,em_assignment"]
    report = (tmp_path / "out" / "reports" / "ada.md").read_text(encoding="utf-8")
    assert "**0 / 10 points**" in report and "Not graded:" in report and "not a readable notebook" in report
