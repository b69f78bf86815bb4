"""Pictures from contents/ are markdown images with real alt text (issue 13: text alternatives)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MARKDOWN_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)")


def _cells(path: Path):
    return nbformat.read(path, as_version=4).cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_images_have_alt_text_and_exist(path):
    for i, cell in enumerate(_cells(path)):
        if cell.cell_type != "markdown":
            continue
        for m in MARKDOWN_IMAGE.finditer(cell.source):
            alt, src = m.group("alt").strip(), m.group("src")
            assert len(alt.split()) >= 8, (
                f"{path.name} cell {i}: image {src} needs alt text describing it, got {alt!r}"
            )
            assert (path.parent / src).is_file(), f"{path.name} cell {i}: image {src} does not exist"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_contents_pictures_are_not_shown_without_alt_text(path):
    for i, cell in enumerate(_cells(path)):
        if cell.cell_type == "code":
            assert not re.search(r"Image\(\s*(filename\s*=\s*)?['\"][^'\"]*contents/", cell.source), (
                f"{path.name} cell {i}: show pictures from contents/ as a markdown image with alt text, "
                "![what it shows](../contents/x.png), not with IPython.display.Image"
            )


def test_every_contents_picture_is_shown_with_alt_text_somewhere():
    shown = {
        Path(m.group("src")).name
        for path in NOTEBOOKS
        for cell in _cells(path)
        if cell.cell_type == "markdown"
        for m in MARKDOWN_IMAGE.finditer(cell.source)
    }
    pictures = {p.name for p in (ROOT / "contents").glob("*.png")}
    assert pictures and pictures <= shown, f"contents pictures never shown: {sorted(pictures - shown)}"
