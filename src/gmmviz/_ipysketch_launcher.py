"""Start ipysketch 0.2.2's desktop pad on today's stack: ``python -m gmmviz._ipysketch_launcher NAME``.

ipysketch 0.2.2 (the seed's ``Sketch('gmm')``) no longer starts as released. Rather than asking
learners to downgrade, this launcher patches the running process, then calls ipysketch's own
``main``:

* ``PIL.Image.ANTIALIAS`` was removed in Pillow 10; the toolbar icons use it. Alias LANCZOS.
* ``import pkg_resources`` fails with setuptools >= 82; ipysketch only calls
  ``pkg_resources.resource_filename``. If the import fails, a shim module provides it.
* ``iconbitmap`` with a ``.ico`` file raises ``TclError`` on X11: the icon is cosmetic, skip it.
* Saving renders the PNG from the Tk canvas's PostScript, which Pillow reads only through
  Ghostscript. We draw the PNG from the strokes with Pillow instead.
* Opening an existing ``NAME.isk`` used plain ``pickle.load``, which runs whatever a crafted file
  says. It goes through :func:`gmmviz.sketch.load_isk_model`, a restricted unpickler, instead.

The pad saves ``NAME.isk`` and ``NAME.png`` in the working directory, as ipysketch does.
"""

from __future__ import annotations

import os
import pickle
import sys
import types
from importlib import resources
from typing import Any


def _resource_filename(package: str, resource: str) -> str:
    return str(resources.files(package).joinpath(*resource.replace(os.sep, "/").split("/")))


def install_compat() -> None:
    """Patch Pillow and provide ``pkg_resources`` so that ``ipysketch.app`` imports and runs."""
    from PIL import Image

    if not hasattr(Image, "ANTIALIAS"):
        Image.ANTIALIAS = Image.Resampling.LANCZOS  # type: ignore[attr-defined]
    try:
        import warnings

        with warnings.catch_warnings():
            # setuptools 67-81 warn that pkg_resources is deprecated: not the learner's concern.
            warnings.simplefilter("ignore")
            import pkg_resources  # noqa: F401
    except ImportError:
        shim = types.ModuleType("pkg_resources")
        shim.__doc__ = "gmmviz's stand-in: only what ipysketch 0.2.2 calls."
        shim.resource_filename = _resource_filename  # type: ignore[attr-defined]
        sys.modules["pkg_resources"] = shim


def _tolerant_iconbitmap(self: Any, *args: Any, **kwargs: Any) -> Any:
    import tkinter

    try:
        return tkinter.Wm.wm_iconbitmap(self, *args, **kwargs)
    except tkinter.TclError:
        return None  # X11 Tk cannot use .ico files; the window just keeps the default icon


def _save(self: Any, event: Any = None) -> None:
    """ipysketch's save, with the PNG drawn by Pillow instead of Ghostscript."""
    from gmmviz.sketch import render_strokes

    model = self.canvas_controller.model
    isk_name = os.path.join(os.curdir, self.name + ".isk")
    # Each file is written beside its name and then renamed (atomic): a reader that sees the name
    # (the widget's watcher, a learner's cell) never reads a half-written file.
    with open(isk_name + ".part", "wb") as f:
        pickle.dump(model, f)
    os.replace(isk_name + ".part", isk_name)
    png_name = os.path.join(os.curdir, self.name + ".png")
    if len(model.paths) == 0:
        if os.path.exists(png_name):
            os.remove(png_name)
    else:
        # Tk knows every colour name the pad can produce; winfo_rgb gives 16-bit channels.
        image = render_strokes(model, color_to_rgb=lambda c: tuple(v // 257 for v in self.winfo_rgb(c)))
        image.save(png_name + ".part", format="png")
        os.replace(png_name + ".part", png_name)
    self.dirty.set(False)


def _create_model_history(self: Any) -> Any:
    from ipysketch.model import History, SketchModel

    from gmmviz.sketch import load_isk_model

    file_name = self.name + ".isk"
    model = load_isk_model(file_name) if os.path.exists(file_name) else SketchModel()
    return History(model)


def patch_app() -> Any:
    """Import ``ipysketch.app`` and patch its Application; returns the module."""
    install_compat()
    import ipysketch.app as app

    app.Application.iconbitmap = _tolerant_iconbitmap
    app.Application.wm_iconbitmap = _tolerant_iconbitmap
    app.Application.save = _save
    app.Application.create_model_history = _create_model_history
    return app


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or not argv[0].strip():
        print("usage: python -m gmmviz._ipysketch_launcher NAME", file=sys.stderr)
        return 2
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        # Not from gmmviz.pads, which imports IPython, ipywidgets and anywidget: only this message is needed.
        from gmmviz._pad_messages import NO_DESKTOP_MESSAGE

        print(f"{NO_DESKTOP_MESSAGE} (DISPLAY is not set)", file=sys.stderr)
        return 3
    try:
        app = patch_app()
        app.main(argv[0])
    except ValueError as exc:  # e.g. an .isk file the safe loader refused
        print(f"cannot open the sketch pad: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
