"""Re-execute course notebooks in a fresh kernel and save them with their outputs (what nbval compares).

    .venv/bin/python scripts/execute_notebooks.py                 # every notebook
    .venv/bin/python scripts/execute_notebooks.py notebooks/03_em_by_hand.ipynb

No per-cell timestamps are recorded, so re-running an unchanged notebook changes only what its
outputs really change (pictures are not byte-stable across library versions, text is).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    start = time.perf_counter()
    NotebookClient(
        nb,
        kernel_name="python3",
        record_timing=False,
        timeout=300,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
