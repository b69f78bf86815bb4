"""Checks shared by the widget and sketch-pad tests (imported as ``widget_checks``, beside them)."""

from __future__ import annotations

import base64
import io

import ipywidgets as widgets
from PIL import Image


def controls(widget):
    """Every interactive ipywidgets control inside ``widget`` (boxes walked, outputs shown)."""
    found = []
    for child in getattr(widget, "children", ()):
        found += controls(child)
    if isinstance(widget, (widgets.ValueWidget, widgets.Button, widgets.Play)) and not isinstance(
        widget, (widgets.HTML, widgets.Image, widgets.Label)
    ):
        found.append(widget)
    return found


def png_of_bundle(bundle):
    """The ``image/png`` of a MIME bundle, checked to be a PNG, as an RGB image."""
    data = base64.b64decode(bundle["image/png"])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).convert("RGB")


def _relative_luminance(hex_colour):
    # WCAG 2.2: sRGB channels linearised, weighted 0.2126, 0.7152, 0.0722.
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    """WCAG 2.2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


class TurnByTurn:
    """A scheduler for an explorer (its ``scheduler=``) whose idle-time work waits for the test.

    Callbacks run at once, as on the kernel's loop; work for idle time is kept in ``pending`` and
    run turn by turn with :meth:`run_one` / :meth:`run_all`.
    """

    ahead = True

    def __init__(self) -> None:
        self.pending: list = []

    def run(self, fn, *args):
        fn(*args)

    def later(self, fn, *args):
        self.pending.append((fn, args))

    def run_one(self) -> None:
        fn, args = self.pending.pop(0)
        fn(*args)

    def run_all(self, limit: int = 1000) -> int:
        """Run turns until none is left (or ``limit``); returns how many ran."""
        n = 0
        while self.pending and n < limit:
            self.run_one()
            n += 1
        return n


class KernelLoop:
    """A tornado loop in a thread of its own, standing in for the kernel's main loop (``io_loop``);
    the test's thread plays a subshell's (ipykernel 7 runs widget callbacks there).

    ``shell()`` is what ``IPython.get_ipython`` returns in a kernel, as far as the explorers look:
    patch it in, and an explorer made on the loop (:meth:`call`) hands its callbacks over to it.
    """

    def __enter__(self) -> KernelLoop:
        import threading

        from tornado.ioloop import IOLoop

        ready = threading.Event()

        def serve():
            self.loop = IOLoop()  # (a new asyncio loop, run by this thread)
            ready.set()
            self.loop.start()
            self.loop.close()

        self.thread = threading.Thread(target=serve, name="kernel-main-loop", daemon=True)
        self.thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.loop.add_callback(self.loop.stop)
        self.thread.join(30)

    def shell(self):
        from types import SimpleNamespace

        return SimpleNamespace(kernel=SimpleNamespace(io_loop=self.loop))

    def call(self, fn, *args, timeout: float = 120, **kwargs):
        """``fn(*args, **kwargs)`` on the loop, after what was handed over before; its result."""
        import threading

        done, box = threading.Event(), {}

        def job():
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as exc:  # (raised again in the caller's thread)
                box["error"] = exc
            finally:
                done.set()

        self.loop.add_callback(job)
        assert done.wait(timeout), f"the loop did not run {fn!r} within {timeout} s"
        if "error" in box:
            raise box["error"]
        return box.get("value")
