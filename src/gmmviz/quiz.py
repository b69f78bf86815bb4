"""Quick checks: a few multiple-choice questions at the end of each notebook, with feedback at once.

Each notebook ends with one line, ``quick_check("04_em_explorer")``: it reads the questions of that
notebook (``notebooks/quizzes/04_em_explorer.json``) and shows them as one HTML output. Choosing an
answer opens it and says at once whether it is right, and why (a wrong choice says why it is wrong).

How it works, and why it needs no kernel
----------------------------------------
Every choice is an HTML ``<details>`` element: its ``<summary>`` is the choice (a sentence or a
picture), its body the verdict and the reason. A click (or Enter / Space on the focused choice)
opens it; the choices of one question share a ``name``, so opening one closes the others. That is
the browser's own behaviour: **no JavaScript runs**, the kernel is not needed, and the output works
the same

- in JupyterLab after Run All (trusted output: the inline ``<style>`` colours a right choice green
  and a wrong one red);
- on the course's static site (``make site`` keeps ``text/html`` outputs as they are);
- in a saved notebook opened without running it (untrusted output: JupyterLab's sanitizer may drop
  the ``<style>`` and the grouping, leaving plain disclosure triangles: the question, its choices and,
  one click away, the feedback are still there), and on GitHub or nbviewer.

Pictures (``contents/quiz/*.png``, made by ``scripts/make_quiz_pictures.py``) are embedded as
``data:`` URIs, so the output needs no other file.

The question files
------------------
One JSON file per notebook, ``{"notebook": name, "questions": [...]}``; each question is
``{"id", "question", "choices": [...]}`` with 2-5 choices, each ``{"text"}`` or ``{"picture", "alt"}``
(a PNG path relative to the JSON file; ``text`` is then an optional caption), a ``why`` sentence,
and ``"correct": true`` on exactly one. In texts, ``x_k`` after a single letter is a subscript
(π_k, γ_nk, N_k) and ```code``` is code; nothing else is markup.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .palette import (
    ACCENT,
    BORDER,
    CHECK_FAILED,
    CHECK_FAILED_BACKGROUND,
    CHECK_PASSED,
    CHECK_PASSED_BACKGROUND,
    PAPER,
    QUIET_TEXT,
    SURFACE,
    TEXT,
)

__all__ = ["Choice", "Question", "Quiz", "QuizError", "load_quiz", "quick_check"]

#: Where :func:`quick_check` looks for the question files when no folder is given: next to the
#: notebooks (a notebook's kernel runs in ``notebooks/``), or from the repository's root.
DEFAULT_FOLDERS = (Path("quizzes"), Path("notebooks") / "quizzes")

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5

# Every colour is a role of gmmviz.palette (text on its paper >= 4.5:1, as all the course's HTML).
_CSS = f"""
.gmmq {{ font-family: var(--jp-content-font-family, system-ui, sans-serif); font-size: 14px;
  line-height: 1.45; color: {TEXT}; background: {SURFACE}; border: 1px solid {BORDER};
  border-radius: 6px; padding: 0.6em 1em 0.8em; max-width: 60em; }}
.gmmq .gmmq-how {{ margin: 0.2em 0 0.6em; color: {QUIET_TEXT}; font-size: 13px; }}
.gmmq .gmmq-q {{ margin: 0.9em 0 0.4em; }}
.gmmq .gmmq-stem {{ margin: 0 0 0.4em; font-weight: 600; }}
.gmmq .gmmq-choices {{ display: flex; flex-direction: column; gap: 0.35em; }}
.gmmq .gmmq-choices.gmmq-pictures {{ flex-direction: row; flex-wrap: wrap; align-items: flex-start; }}
.gmmq .gmmq-pictures .gmmq-choice {{ flex: 0 1 15.5em; }}
.gmmq details.gmmq-choice {{ border: 1px solid {BORDER}; border-radius: 5px; background: {PAPER}; }}
.gmmq details.gmmq-choice > summary {{ list-style: none; cursor: pointer; padding: 0.35em 0.6em;
  border-radius: 5px; }}
.gmmq details.gmmq-choice > summary::-webkit-details-marker {{ display: none; }}
.gmmq details.gmmq-choice > summary:hover {{ background: {SURFACE}; }}
.gmmq details.gmmq-choice > summary:focus-visible {{ outline: 2px solid {ACCENT}; outline-offset: 1px; }}
.gmmq .gmmq-letter {{ display: inline-block; min-width: 1.4em; font-weight: 700; color: {ACCENT}; }}
.gmmq summary img {{ display: block; max-width: 100%; height: auto; margin-top: 0.25em; }}
.gmmq .gmmq-fb {{ margin: 0; padding: 0.4em 0.7em 0.5em; border-top: 1px solid {BORDER}; }}
.gmmq details.gmmq-right[open] {{ border-color: {CHECK_PASSED}; }}
.gmmq details.gmmq-right[open] > summary {{ background: {CHECK_PASSED_BACKGROUND}; }}
.gmmq details.gmmq-right .gmmq-fb {{ background: {CHECK_PASSED_BACKGROUND}; color: {CHECK_PASSED}; }}
.gmmq details.gmmq-wrong[open] {{ border-color: {CHECK_FAILED}; }}
.gmmq details.gmmq-wrong[open] > summary {{ background: {CHECK_FAILED_BACKGROUND}; }}
.gmmq details.gmmq-wrong .gmmq-fb {{ background: {CHECK_FAILED_BACKGROUND}; color: {CHECK_FAILED}; }}
.gmmq .gmmq-verdict {{ font-weight: 700; }}
"""

HOW_TO = (
    "Choose an answer: it opens and says at once whether it is right, and why. "
    "Choose again as often as you like; nothing is recorded."
)
RIGHT, WRONG = "✓ Right.", "✗ Not quite."


class QuizError(ValueError):
    """A question file is missing or breaks the rules of the module docstring."""


@dataclass(frozen=True)
class Choice:
    """One answer: a sentence or a picture, whether it is right, and why."""

    text: str
    why: str
    correct: bool = False
    picture: Path | None = None
    alt: str = ""


@dataclass(frozen=True)
class Question:
    """A question and its choices (exactly one right)."""

    id: str
    text: str
    choices: tuple[Choice, ...]

    @property
    def answer(self) -> int:
        """Index of the right choice."""
        return next(i for i, c in enumerate(self.choices) if c.correct)

    @property
    def has_pictures(self) -> bool:
        return any(c.picture is not None for c in self.choices)


@dataclass(frozen=True)
class Quiz:
    """The quick check of one notebook; shown in Jupyter as HTML (see the module docstring)."""

    notebook: str
    questions: tuple[Question, ...]

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        lines = [
            f"Quick check ({self.notebook}): {len(self.questions)} questions. "
            "Answer them in JupyterLab or on the course's website."
        ]
        for n, q in enumerate(self.questions, 1):
            lines.append(f"{n}. {q.text}")
            for letter, c in zip(_LETTERS, q.choices):
                lines.append(f"   {letter}. {c.text or '(picture) ' + c.alt}")
        return "\n".join(lines)

    def to_html(self) -> str:
        """The self-contained HTML: inline style, pictures as data URIs, no script."""
        parts = [
            f'<div class="gmmq" data-quiz="{_attr(self.notebook)}" data-lm-suppress-shortcuts="true">',
            f"<style>{_CSS}</style>",
            f'<p class="gmmq-how">{html.escape(HOW_TO)}</p>',
        ]
        for n, q in enumerate(self.questions, 1):
            qid = f"gmmq-{self.notebook}-{n}"
            kind = " gmmq-pictures" if q.has_pictures else ""
            parts.append(f'<div class="gmmq-q" id="{_attr(qid)}" data-question="{_attr(q.id)}">')
            parts.append(f'<p class="gmmq-stem" id="{_attr(qid)}-stem">{n}. {_inline(q.text)}</p>')
            parts.append(f'<div class="gmmq-choices{kind}" role="group" aria-labelledby="{_attr(qid)}-stem">')
            for letter, c in zip(_LETTERS, q.choices):
                verdict = RIGHT if c.correct else WRONG
                cls = "gmmq-right" if c.correct else "gmmq-wrong"
                label = f'<span class="gmmq-letter">{letter}</span>'
                if c.picture is not None:
                    label += f" {_inline(c.text)}" if c.text else ""
                    label += f'<img src="{_data_uri(c.picture)}" alt="{_attr(c.alt)}">'
                else:
                    label += f" {_inline(c.text)}"
                parts.append(
                    f'<details class="gmmq-choice {cls}" name="{_attr(qid)}"><summary>{label}</summary>'
                    f'<p class="gmmq-fb"><span class="gmmq-verdict">{verdict}</span> {_inline(c.why)}</p>'
                    "</details>"
                )
            parts.append("</div></div>")
        parts.append("</div>")
        return "\n".join(parts)


_LETTERS = "ABCDE"
_SUB = re.compile(r"(?<![\w])([A-Za-zπμΣγθσλ])_([A-Za-z0-9]{1,3})(?![\w])")


def _attr(text: str) -> str:
    return html.escape(str(text), quote=True)


def _inline(text: str) -> str:
    """Escape ``text``; ```code``` becomes <code>, ``x_k`` after a lone letter a subscript."""
    out = []
    for i, part in enumerate(str(text).split("`")):
        escaped = html.escape(part, quote=False)
        out.append(f"<code>{escaped}</code>" if i % 2 else _SUB.sub(r"\1<sub>\2</sub>", escaped))
    return "".join(out)


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _fail(where: str, message: str) -> QuizError:
    return QuizError(f"{where}: {message}")


def _choice(raw: Any, base: Path, where: str) -> Choice:
    if not isinstance(raw, dict):
        raise _fail(where, "a choice must be an object")
    unknown = set(raw) - {"text", "why", "correct", "picture", "alt"}
    if unknown:
        raise _fail(where, f"unknown keys {sorted(unknown)}")
    why = str(raw.get("why", "")).strip()
    if not why:
        raise _fail(where, "every choice needs a 'why' sentence (why it is right, or why it is wrong)")
    picture = None
    if "picture" in raw:
        picture = (base / str(raw["picture"])).resolve()
        if picture.suffix.lower() != ".png" or not picture.is_file():
            raise _fail(where, f"picture {raw['picture']!r} is not a PNG file ({picture})")
        if not str(raw.get("alt", "")).strip():
            raise _fail(where, "a picture needs an 'alt' text that describes it")
    elif not str(raw.get("text", "")).strip():
        raise _fail(where, "a choice needs a 'text' or a 'picture'")
    correct = raw.get("correct", False)
    if not isinstance(correct, bool):
        raise _fail(where, "'correct' must be true or false")
    return Choice(str(raw.get("text", "")).strip(), why, correct, picture, str(raw.get("alt", "")).strip())


def _question(raw: Any, base: Path, where: str) -> Question:
    if not isinstance(raw, dict) or not str(raw.get("question", "")).strip():
        raise _fail(where, "a question needs a 'question' text")
    choices = raw.get("choices")
    if not isinstance(choices, list) or not 2 <= len(choices) <= len(_LETTERS):
        raise _fail(where, f"a question needs 2 to {len(_LETTERS)} choices")
    parsed = tuple(_choice(c, base, f"{where}, choice {_LETTERS[i]}") for i, c in enumerate(choices))
    n_right = sum(c.correct for c in parsed)
    if n_right != 1:
        raise _fail(where, f"exactly one choice must be correct, found {n_right}")
    return Question(str(raw.get("id", "")).strip() or where, str(raw["question"]).strip(), parsed)


def _find(notebook: str, folder: str | Path | None) -> Path:
    folders = [Path(folder)] if folder is not None else list(DEFAULT_FOLDERS)
    for f in folders:
        path = f / f"{notebook}.json"
        if path.is_file():
            return path
    raise QuizError(
        f"no quick check named {notebook!r}: looked for {notebook}.json in "
        + ", ".join(str(f.resolve()) for f in folders)
    )


def load_quiz(notebook: str, folder: str | Path | None = None) -> Quiz:
    """Read and check the questions of one notebook.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb``, e.g. ``"04_em_explorer"``.
    folder : str or Path, optional
        The folder of the question files; by default ``quizzes/`` (from a notebook's kernel, which
        runs in ``notebooks/``) or ``notebooks/quizzes/`` (from the repository's root).

    Returns
    -------
    Quiz

    Raises
    ------
    QuizError
        The file is missing, is not valid JSON, names another notebook, has fewer than 3 or more than
        5 questions, or a question breaks a rule (one right choice, a reason for every choice, a
        picture that exists and has an alt text).
    """
    path = _find(notebook, folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise _fail(str(path), f"not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("notebook") != notebook:
        raise _fail(str(path), f"its 'notebook' must be {notebook!r}")
    questions = data.get("questions")
    if not isinstance(questions, list) or not MIN_QUESTIONS <= len(questions) <= MAX_QUESTIONS:
        raise _fail(str(path), f"a quick check has {MIN_QUESTIONS} to {MAX_QUESTIONS} questions")
    parsed = tuple(
        _question(q, path.parent, f"{path.name} question {i + 1}") for i, q in enumerate(questions)
    )
    ids = [q.id for q in parsed]
    if len(set(ids)) != len(ids):
        raise _fail(str(path), "question ids must differ")
    return Quiz(notebook, parsed)


def quick_check(notebook: str, folder: str | Path | None = None) -> Quiz:
    """The quick check at the end of a notebook: ``quick_check("04_em_explorer")`` as a cell's last line.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb``.
    folder : str or Path, optional
        As in :func:`load_quiz`.

    Returns
    -------
    Quiz
        Jupyter shows it as HTML (its ``_repr_html_``): each choice opens to say whether it is
        right and why, with no kernel and no JavaScript; its text form lists the questions.
    """
    return load_quiz(notebook, folder)
