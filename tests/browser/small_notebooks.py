"""What the browser tests write into the test server's folder and read off the page, shared.

- :func:`write_notebook`: a small notebook of code cells (with kernelspec metadata, so JupyterLab
  asks no "Select Kernel" question), for a test that needs its own explorer or pad.
- :func:`open_em_explorer`: write such a notebook, Run All, wait for the EM explorer's first picture.
- ``JS_INK``: how many pixels of the drawing pad's canvas carry ink.
"""

from __future__ import annotations

import json
from pathlib import Path


def write_notebook(root: Path, name: str, *sources: str) -> Path:
    """Write ``root/name``: one code cell per source, not yet run."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"cell{i}",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for i, source in enumerate(sources)
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = root / name
    path.write_text(json.dumps(nb))
    return path


EM_IMG = ".gmmviz-em-explorer img.gmmviz-em-explorer-figure"


def open_em_explorer(lab, name: str, code: str) -> None:
    """Write ``name`` with ``code`` (one cell that shows an EMExplorer), open it, Run All, and wait
    for the explorer's first picture and readout (half-step 0); scroll it into view."""
    write_notebook(lab.server.root, name, code)
    lab.open(name)
    lab.run_all()
    lab.page.wait_for_selector(EM_IMG)
    lab.wait(
        "() => /half-step 0 of/.test(document.querySelector('.gmmviz-em-explorer .gmmviz-readout').textContent)",
        "the explorer's first readout",
    )
    lab.page.locator(EM_IMG).scroll_into_view_if_needed()


JS_INK = """() => {
    const c = document.querySelector('.gmmviz-sketchpad canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return ink;
}"""
