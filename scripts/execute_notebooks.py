"""Re-execute course notebooks in a fresh kernel and save them with their outputs (what nbval compares).

    .venv/bin/python scripts/execute_notebooks.py                 # every notebook
    .venv/bin/python scripts/execute_notebooks.py notebooks/03_em_by_hand.ipynb

No per-cell timestamps are recorded, so re-running an unchanged notebook changes only what its
outputs really change (pictures are not byte-stable across library versions, text is).

Saved pictures are re-encoded as palette PNGs (256 colours) when that is smaller, which keeps the
notebook files small for readers on GitHub or nbviewer (matplotlib's figures are mostly flat colours;
the difference is not visible). nbval does not compare pictures; the live kernel draws full-colour ones.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def smaller_png(data: str, colours: int = 256) -> str:
    """``data`` (a base64 PNG) as a palette PNG of at most ``colours`` colours, if that is smaller."""
    raw = base64.b64decode(data)
    with Image.open(io.BytesIO(raw)) as picture:
        if picture.mode == "P":
            return data
        quantized = picture.convert("RGB").quantize(colours, method=Image.Quantize.MEDIANCUT)
    with io.BytesIO() as buf:
        quantized.save(buf, format="png", optimize=True)
        small = buf.getvalue()
    return base64.b64encode(small).decode("ascii") if len(small) < len(raw) else data


_PNG_BASE64 = base64.b64encode(b"\x89PNG").decode("ascii")[:4]  # how a base64 PNG starts


def shrink_pictures(nb: nbformat.NotebookNode) -> None:
    """Re-encode every saved picture with :func:`smaller_png`: ``image/png`` outputs, and the PNG
    buffers of the saved widget state (an explorer's image, as JupyterLab restores it)."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                data["image/png"] = smaller_png(data["image/png"])
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in state.get("state", {}).values():
        for buffer in model.get("buffers", []):
            if buffer.get("encoding") == "base64" and buffer.get("data", "").startswith(_PNG_BASE64):
                buffer["data"] = smaller_png(buffer["data"])


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
    shrink_pictures(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to execute (default: every one)")
    paths = parser.parse_args(argv).notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    for path in paths:
        print(f"{path.name}: {execute(path):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
