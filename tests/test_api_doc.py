"""docs/API.md lists exactly each public module's `__all__`.

The convention the test reads (keep API.md in it):
- one heading per module, `## gmmviz.<module>` (anything after the module name on the heading line, such as
  "(re-exported from `gmmviz`)", is ignored); every module of src/gmmviz with an `__all__` has one, except
  the package's `__init__` (it re-exports) and private modules (`_name.py`);
- under it, each top-level bullet that documents public names *starts* with them: one or more backticked
  spans, separated by `,` or `/`, each beginning with the name, e.g.
  `` - `log_density(X, params) -> (n,)`, `log_likelihood(X, params) -> float` `` or `` - `GREY`: ... ``.
  Bullets that start with prose document no name; backticks later in a line (arguments, CSS classes,
  methods) are not names of the module.
Every name in a module's `__all__` appears under its heading, and no name appears there that is not in
`__all__`.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "API.md"
PACKAGE = ROOT / "src" / "gmmviz"
HEADING = re.compile(r"^##\s+gmmviz\.([A-Za-z_][A-Za-z0-9_]*)\b")
LEADING_SPANS = re.compile(r"^- ((?:`[^`]+`\s*(?:[,/]\s*)?)+)")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def bullets(markdown: str):
    """(line, text) of every top-level bullet with its indented continuation lines; headings as themselves."""
    block = None
    for line in markdown.splitlines():
        if block is not None and line[:1] in (" ", "\t") and line.strip():
            block += "\n" + line
            continue
        if block is not None:
            yield block
            block = None
        if line.startswith("- "):
            block = line
        elif line.startswith("#"):
            yield line
    if block is not None:
        yield block


def documented_names(markdown: str) -> dict[str, list[str]]:
    """Module -> the names its `## gmmviz.<module>` section lists (in order, repeats kept)."""
    sections: dict[str, list[str]] = {}
    current = None
    for block in bullets(markdown):
        if block.startswith("#"):
            m = HEADING.match(block)
            current = m.group(1) if m else None
            if current is not None:
                assert current not in sections, f"docs/API.md has two sections for gmmviz.{current}"
                sections[current] = []
            continue
        m = LEADING_SPANS.match(block)
        if current is None or not m:
            continue
        for span in re.findall(r"`([^`]+)`", m.group(1)):
            name = IDENTIFIER.match(span.strip())
            if name:
                sections[current].append(name.group(0))
    return sections


def public_modules() -> list[str]:
    """Modules of src/gmmviz that declare `__all__` (not the package itself, not private ones): a module
    file (`em.py` -> "em") or a subpackage (`widgets/__init__.py` -> "widgets"; its private modules are not
    listed, its public names are re-exported by its `__init__`)."""
    out = []
    candidates = [(p.stem, p) for p in PACKAGE.glob("*.py")] + [
        (p.parent.name, p) for p in PACKAGE.glob("*/__init__.py")
    ]
    for name, path in sorted(candidates):
        if name == "__init__" or (name.startswith("_") and not name.startswith("__")):
            continue
        if re.search(r"^__all__\s*[:=]", path.read_text(encoding="utf-8"), re.M):
            out.append(name)
    return out


def test_documented_names_parser():
    text = (
        "# title\n\n## gmmviz.em  (re-exported from `gmmviz`)\n"
        "- `COVARIANCE_TYPES = (...)`, `INIT_METHODS = (...)`\n"
        "- `GMMParams(weights, ...)`: frozen; `full_covariances()` is a method, not a module name.\n"
        "  `continued` lines are prose.\n"
        "- `log_density(X, params) -> (n,)` / `log_likelihood(X, params) -> float`\n"
        "- `fit_em(X, n_components, *, init=...,\n  tol=1e-3) -> EMHistory`, `EMHistory`: the run\n"
        "- A 1-D X is read as `(n, 1)`.\n"
        "## Another heading\n- `not_a_module_name`\n"
        "## gmmviz.plot\n- `GREY`: a colour\n"
    )
    assert documented_names(text) == {
        "em": [
            "COVARIANCE_TYPES",
            "INIT_METHODS",
            "GMMParams",
            "log_density",
            "log_likelihood",
            "fit_em",
            "EMHistory",
        ],
        "plot": ["GREY"],
    }
    with pytest.raises(AssertionError, match="two sections"):
        documented_names("## gmmviz.em\n## gmmviz.em\n")


def test_every_public_module_has_a_section():
    sections = documented_names(API.read_text(encoding="utf-8"))
    missing = [m for m in public_modules() if m not in sections]
    assert not missing, f"docs/API.md has no `## gmmviz.<module>` section for {missing}"
    unknown = [m for m in sections if m not in public_modules()]
    assert not unknown, f"docs/API.md has sections for modules without __all__ or not in gmmviz: {unknown}"


@pytest.mark.parametrize("module", public_modules())
def test_api_doc_lists_exactly_all(module):
    exported = list(importlib.import_module(f"gmmviz.{module}").__all__)
    listed = documented_names(API.read_text(encoding="utf-8")).get(module, [])
    not_listed = [n for n in exported if n not in listed]
    not_exported = sorted(set(listed) - set(exported))
    twice = sorted({n for n in listed if listed.count(n) > 1})
    assert not not_listed and not not_exported and not twice, (
        f"docs/API.md's `## gmmviz.{module}` and gmmviz.{module}.__all__ disagree: "
        f"in __all__ but not listed {not_listed}; listed but not in __all__ {not_exported}; listed twice {twice}"
    )
