"""The quick checks (gmmviz.quiz, notebooks/quizzes/*.json): every file valid, every notebook ends with
its quick check, and the HTML carries everything the static site and an untrusted notebook need
(no script, pictures as data URIs, the feedback in the page)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import nbformat
import pytest

from gmmviz.quiz import RIGHT, WRONG, Quiz, QuizError, load_quiz, quick_check

ROOT = Path(__file__).resolve().parents[1]
QUIZZES = ROOT / "notebooks" / "quizzes"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]


def test_one_quiz_file_per_notebook():
    assert sorted(p.stem for p in QUIZZES.glob("*.json")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_quiz_file_is_valid(name):
    quiz = load_quiz(name, QUIZZES)
    assert 3 <= len(quiz.questions) <= 5
    for q in quiz.questions:
        assert sum(c.correct for c in q.choices) == 1, q.id
        assert len(q.choices) >= 3, f"{name} {q.id}: at least two wrong choices"
        for c in q.choices:
            assert len(c.why.split()) >= 4, f"{name} {q.id}: a reason, in a sentence, for every choice"
            if c.picture is not None:
                assert c.picture.is_file() and c.picture.read_bytes().startswith(b"\x89PNG")
                assert c.picture.parent == ROOT / "contents" / "quiz"
                assert len(c.alt.split()) >= 5, f"{name} {q.id}: describe the picture in its alt text"
        texts = [c.text or c.alt for c in q.choices]
        assert len(set(texts)) == len(texts), f"{name} {q.id}: two choices read the same"


def test_most_notebooks_have_a_picture_question():
    with_pictures = [n for n in NAMES if any(q.has_pictures for q in load_quiz(n, QUIZZES).questions)]
    assert len(with_pictures) >= 10, with_pictures


def test_every_quiz_picture_is_used():
    used = {
        c.picture.name for n in NAMES for q in load_quiz(n, QUIZZES).questions for c in q.choices if c.picture
    }
    assert used == {p.name for p in (ROOT / "contents" / "quiz").glob("*.png")}


def test_right_answers_are_not_always_in_the_same_place():
    answers = [q.answer for n in NAMES for q in load_quiz(n, QUIZZES).questions]
    assert {0, 1, 2} <= set(answers)


@pytest.mark.parametrize("name", NAMES)
def test_html_is_self_contained_and_needs_no_script(name):
    quiz = load_quiz(name, QUIZZES)
    page = quiz._repr_html_()
    assert "<script" not in page.lower()
    # Nothing loaded from outside the output: every src is a data URI, no url(), no link.
    assert re.findall(r'\ssrc="(?!data:image/png;base64,)', page) == []
    assert "url(" not in page and "<link" not in page
    # Each question is a group of <details> choices sharing a name (opening one closes the others).
    for n, q in enumerate(quiz.questions, 1):
        group = f'name="gmmq-{name}-{n}"'
        assert page.count(group) == len(q.choices)
        assert page.count(f'<details class="gmmq-choice gmmq-right" {group}>') == 1
    # The feedback is in the page (the site shows it with no kernel), each with its verdict.
    n_choices = sum(len(q.choices) for q in quiz.questions)
    assert page.count(RIGHT) == len(quiz.questions)
    assert page.count(WRONG) == n_choices - len(quiz.questions)
    assert page.count("<summary>") == n_choices
    # No $ (MathJax would typeset it on the site but not in JupyterLab's output).
    assert "$" not in page
    # Pictures: each embedded once, as the file's bytes.
    for q in quiz.questions:
        for c in q.choices:
            if c.picture is not None:
                data = base64.b64encode(c.picture.read_bytes()).decode("ascii")
                assert page.count(data) == 1


@pytest.mark.parametrize("name", NAMES)
def test_notebook_ends_with_its_quick_check(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    md, code = nb.cells[-3], nb.cells[-2]
    assert md.cell_type == "markdown" and md.source.startswith("## Quick check")
    assert code.cell_type == "code" and code.source.splitlines()[-1] == f'quick_check("{name}")'
    assert nb.cells[-1].cell_type == "markdown" and "Recap" in nb.cells[-1].source
    # Saved executed, with the HTML the site publishes (it keeps text/html outputs as they are).
    html_out = [o for o in code.outputs if "text/html" in o.get("data", {})]
    assert len(html_out) == 1, f"{name}: run scripts/execute_notebooks.py on it"
    saved = html_out[0]["data"]["text/html"]
    saved = saved if isinstance(saved, str) else "".join(saved)
    assert saved == load_quiz(name, QUIZZES).to_html(), f"{name}: saved quick check is stale: re-execute"


def test_text_form_lists_questions_and_choices_without_answers():
    quiz = load_quiz("04_em_explorer", QUIZZES)
    text = repr(quiz)
    assert text.startswith("Quick check (04_em_explorer): 4 questions.")
    assert "A. " in text and RIGHT not in text and WRONG not in text


def test_subscripts_and_code():
    quiz = load_quiz("02_mixture_models", QUIZZES)
    page = quiz.to_html()
    assert "π<sub>k</sub>" in page and "γ<sub>nk</sub>" in page and "N<sub>k</sub>" in page
    assert "<code>resp.max(axis=1) &lt; 0.99</code>" in load_quiz("05_draw_your_own_data", QUIZZES).to_html()
    assert "reg_covar" in load_quiz("07_pitfalls", QUIZZES).to_html()  # code stays as written


def test_quick_check_finds_the_folder_from_notebooks_and_root(monkeypatch):
    monkeypatch.chdir(ROOT / "notebooks")
    assert isinstance(quick_check("00_start_here"), Quiz)
    monkeypatch.chdir(ROOT)
    assert quick_check("00_start_here").notebook == "00_start_here"


def _write(folder: Path, name: str, questions) -> None:
    (folder / f"{name}.json").write_text(json.dumps({"notebook": name, "questions": questions}))


def _q(i, choices=None):
    return {
        "id": f"q{i}",
        "question": f"Question {i}?",
        "choices": choices
        or [
            {"text": "right", "why": "because it is", "correct": True},
            {"text": "wrong", "why": "because it is not"},
        ],
    }


@pytest.mark.parametrize(
    "questions, message",
    [
        ([_q(1), _q(2)], "3 to 5 questions"),
        ([_q(i) for i in range(6)], "3 to 5 questions"),
        (
            [
                _q(1),
                _q(2),
                _q(
                    3,
                    [{"text": "a", "why": "x", "correct": True}, {"text": "b", "why": "y", "correct": True}],
                ),
            ],
            "exactly one choice must be correct, found 2",
        ),
        ([_q(1), _q(2), _q(3, [{"text": "a", "why": "x", "correct": True}, {"text": "b"}])], "needs a 'why'"),
        (
            [
                _q(1),
                _q(2),
                _q(
                    3,
                    [
                        {"text": "a", "why": "x", "correct": True},
                        {"picture": "no.png", "why": "y", "alt": "z"},
                    ],
                ),
            ],
            "not a PNG file",
        ),
        ([_q(1), _q(1), _q(2)], "ids must differ"),
    ],
)
def test_invalid_files_are_refused(tmp_path, questions, message):
    _write(tmp_path, "99_x", questions)
    with pytest.raises(QuizError, match=re.escape(message)):
        load_quiz("99_x", tmp_path)


def test_missing_file_names_where_it_looked(tmp_path):
    with pytest.raises(QuizError, match="no quick check named '99_y'"):
        load_quiz("99_y", tmp_path)
