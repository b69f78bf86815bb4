"""The desktop flow: IpysketchPad, its compatibility launcher, and the real pad under Xvfb."""

from __future__ import annotations

import os
import pickle
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gmmviz import _ipysketch_launcher as launcher
from gmmviz import pads
from gmmviz.pads import NO_DESKTOP_MESSAGE, IpysketchPad
from gmmviz.sketch import (
    EmptySketchError,
    UnsafeSketchError,
    example_sketch,
    load_isk,
    points_from_image,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def save_isk(path: Path, strokes) -> None:
    """Write an .isk as ipysketch does: a pickled SketchModel. strokes: [(color, width, [(x, y)...])]."""
    from ipysketch.model import Pen, Point, SketchModel

    model = SketchModel()
    for color, width, pts in strokes:
        model.start_path(Point(*pts[0]), Pen(width=width, color=color))
        for p in pts[1:]:
            model.continue_path(Point(*p))
    path.write_bytes(pickle.dumps(model))


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# ------------------------------------------------------------------------------ reading drawings


def test_points_come_from_the_isk_when_it_exists(tmp_path):
    save_isk(tmp_path / "gmm.isk", [("red", 2, [(0, 0), (50, 50)]), ("blue", 4, [(100, 0), (150, 0)])])
    # A stale PNG with one colour must not be used when the strokes are there.
    Image.new("RGBA", (50, 50), (0, 0, 0, 255)).save(tmp_path / "gmm.png")
    pad = IpysketchPad("gmm", directory=tmp_path)
    X, labels = pad.points(100, random_state=0)
    assert sorted(set(labels.tolist())) == [0, 1]
    assert [s.color for s in pad.strokes()] == ["red", "blue"]
    # The red stroke goes down the screen to the right: in y-up coordinates, y falls as x grows.
    red = X[labels == 0]
    assert np.corrcoef(red[:, 0], red[:, 1])[0, 1] < -0.9


def test_points_come_from_the_png_when_there_is_no_isk(tmp_path):
    example_sketch().save(tmp_path / "gmm.png")
    pad = IpysketchPad("gmm", directory=tmp_path)
    X, labels = pad.points(60, random_state=0)
    np.testing.assert_array_equal(labels, points_from_image(example_sketch(), 60, random_state=0)[1])
    assert bytes(pad.preview.value).startswith(PNG_MAGIC)


def test_nothing_saved_says_what_to_do_or_uses_the_fallback(tmp_path):
    pad = IpysketchPad("gmm", directory=tmp_path)
    with pytest.raises(EmptySketchError, match="no drawing named 'gmm'.*click Edit.*disk icon"):
        pad.points(50)
    X, labels = pad.points(50, random_state=0, fallback=example_sketch())
    assert X.shape == (50, 2) and len(set(labels.tolist())) == 3
    assert bytes(pad.preview.value) == b""


def test_preview_is_drawn_from_the_strokes_when_there_is_no_png(tmp_path):
    save_isk(tmp_path / "gmm.isk", [("red", 3, [(10, 10), (60, 40)])])
    pad = IpysketchPad("gmm", directory=tmp_path)
    image = Image.open(__import__("io").BytesIO(bytes(pad.preview.value))).convert("RGB")
    reds = np.all(np.asarray(image) == (255, 0, 0), axis=2)
    assert reds.sum() > 50


def test_a_malicious_isk_is_refused_by_the_pad(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "gmm.isk").write_bytes(pickle.dumps(_Evil(marker)))
    pad = IpysketchPad("gmm", directory=tmp_path)  # showing the preview must not run it either
    with pytest.raises(UnsafeSketchError, match="refuses to load"):
        pad.points(10)
    assert "refuses to load" in pad.status.value
    assert not marker.exists()


def test_sketch_names_are_plain_file_names():
    with pytest.raises(ValueError, match="plain file name"):
        IpysketchPad("../gmm")
    with pytest.raises(ValueError, match="plain file name"):
        IpysketchPad("")


def test_without_a_display_the_pad_says_to_use_the_browser(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    pad = IpysketchPad("gmm", directory=tmp_path)
    with pytest.raises(RuntimeError, match=NO_DESKTOP_MESSAGE):
        pad.edit()
    pad.edit_button.click()
    assert NO_DESKTOP_MESSAGE in pad.status.value
    assert pad.process is None


def test_the_launcher_refuses_to_start_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.run(
        [sys.executable, "-m", "gmmviz._ipysketch_launcher", "gmm"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3
    assert NO_DESKTOP_MESSAGE in proc.stderr


# ------------------------------------------------------------------------------ the watcher thread


class FakeLoop:
    """The kernel's main event loop as the pad sees it: ``add_callback`` (tornado's one method
    that is safe from another thread) records the work and the thread that handed it over;
    :meth:`run` does the work, in the test's (main) thread, as the kernel's loop would."""

    def __init__(self):
        self.callbacks = []

    def add_callback(self, fn, *args):
        self.callbacks.append((fn, args, threading.current_thread()))

    def run(self):
        while self.callbacks:
            fn, args, _ = self.callbacks.pop(0)
            fn(*args)


def _window(pad, monkeypatch, code):
    """The Edit button opens a "window" that runs ``code`` and closes (no display needed)."""
    monkeypatch.setattr(pads, "has_display", lambda: True)
    monkeypatch.setattr(pad, "command", lambda: [sys.executable, "-c", code])


def _changes(pad):
    """(widget, thread) for every change of the pad's widgets, from now on."""
    seen = []
    for name, widget in (("preview", pad.preview), ("status", pad.status), ("output", pad.output)):
        widget.observe(lambda _change, name=name: seen.append((name, threading.current_thread())))
    return seen


@pytest.mark.parametrize("closes", ["after saving", "with an error"])
def test_the_watcher_thread_hands_its_work_to_the_kernels_loop(tmp_path, monkeypatch, closes):
    loop = FakeLoop()
    monkeypatch.setattr(pads, "_kernel_loop", lambda: loop)
    pad = IpysketchPad("gmm", directory=tmp_path)
    if closes == "after saving":
        code = "from gmmviz.sketch import example_sketch; example_sketch().save('gmm.png'); print('saved')"
    else:
        code = "import sys; print('boom'); sys.exit(1)"
    _window(pad, monkeypatch, code)
    pad.edit_button.click()
    assert "open in a window" in pad.status.value
    before = pad.status.value
    seen = _changes(pad)
    pad._watcher.join(60)
    assert not pad._watcher.is_alive() and pad.process.returncode is not None
    # The window has closed and the thread has ended, having changed nothing: its work waits
    # on the loop, handed over from the watcher thread.
    assert seen == [] and pad.status.value == before and pad.log == ""
    assert bytes(pad.preview.value) == b""
    assert [thread for _, _, thread in loop.callbacks] == [pad._watcher]
    loop.run()  # the kernel's loop runs it: now the pad changes, in this (the loop's) thread
    assert seen and {thread for _, thread in seen} == {threading.main_thread()}
    if closes == "after saving":
        assert pad.log.strip() == "saved"
        assert bytes(pad.preview.value).startswith(PNG_MAGIC)
        assert "Saved drawing: gmm" in pad.status.value
    else:
        assert pad.log.strip() == "boom"
        assert "The sketch pad stopped with an error: boom" in pad.status.value
        assert bytes(pad.preview.value) == b""


def test_without_a_kernel_edit_wait_shows_the_drawing_before_returning(tmp_path, monkeypatch):
    # A script: no kernel, so no loop to hand over to; wait=True does the work in its caller.
    assert pads._kernel_loop() is None
    pad = IpysketchPad("gmm", directory=tmp_path)
    _window(pad, monkeypatch, "from gmmviz.sketch import example_sketch; example_sketch().save('gmm.png')")
    seen = _changes(pad)
    pad.edit(wait=True, timeout=60)
    assert bytes(pad.preview.value).startswith(PNG_MAGIC)
    assert {thread for _, thread in seen} == {threading.main_thread()}


# ------------------------------------------------------------------------------ the launcher's patches


def test_launcher_makes_ipysketch_importable_without_pkg_resources():
    # A fresh interpreter in which `import pkg_resources` fails, as with setuptools >= 82.
    code = (
        "import sys; sys.modules['pkg_resources'] = None\n"
        "from gmmviz._ipysketch_launcher import patch_app\n"
        "app = patch_app()\n"
        "import os, pkg_resources, PIL.Image\n"
        "icon = pkg_resources.resource_filename('ipysketch', os.path.join('assets', 'logo.png'))\n"
        "assert os.path.isfile(icon), icon\n"
        "assert PIL.Image.ANTIALIAS == PIL.Image.Resampling.LANCZOS\n"
        "assert 'gmmviz' in pkg_resources.__doc__\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_launcher_opens_existing_drawings_with_the_safe_loader(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_isk(tmp_path / "good.isk", [("red", 2, [(0, 0), (5, 5)])])
    history = launcher._create_model_history(types.SimpleNamespace(name="good"))
    assert [p.pen.color for p in history.current().paths] == ["red"]
    marker = tmp_path / "pwned"
    (tmp_path / "evil.isk").write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(UnsafeSketchError):
        launcher._create_model_history(types.SimpleNamespace(name="evil"))
    assert not marker.exists()


# ------------------------------------------------------------------------------ the real pad


def _need(tool: str) -> None:
    if shutil.which(tool):
        return
    message = f"{tool} is not installed (apt-get install xvfb xdotool; see scripts/system_deps.sh)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def xvfb(tmp_path_factory):
    """A private X server on a free display number; yields the DISPLAY string."""
    _need("Xvfb")
    _need("xdotool")
    try:
        import tkinter  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"tkinter is missing: {exc}")
        pytest.skip(f"tkinter is missing: {exc}")
    # Its log goes to a file: a pipe nobody reads could fill up and stall the server.
    log_path = tmp_path_factory.mktemp("xvfb") / "xvfb.log"
    log = open(log_path, "wb")
    read_fd, write_fd = os.pipe()
    # -displayfd: Xvfb picks a free display number itself and writes it once it accepts clients.
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    os.close(write_fd)
    try:
        ready, _, _ = select.select([read_fd], [], [], 30)
        number = os.read(read_fd, 64).decode().strip() if ready else ""
        if not number:
            server.kill()
            pytest.fail(f"Xvfb did not start: {log_path.read_text(errors='replace')[-2000:]}")
        yield f":{number}"
    finally:
        os.close(read_fd)
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        except ProcessLookupError:
            pass
        log.close()


def _xdotool(display: str, *args: str, timeout: float = 30) -> str:
    proc = subprocess.run(
        ["xdotool", *args],
        env=dict(os.environ, DISPLAY=display),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"xdotool {' '.join(args)} failed: {proc.stderr}"
    return proc.stdout.strip()


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


# ipysketch's toolbar: a row of 30 px Tk canvases (32 px with their highlight ring) in a frame
# with a 3 px border: save, pen, eraser, lasso, move, undo, redo, then the pens black, red, blue.
def _toolbar_button(index: int) -> tuple[int, int]:
    return 3 + 32 * index + 16, 3 + 16


SAVE, RED_PEN, BLUE_PEN = 0, 8, 9


def _drag(display: str, window: str, points) -> None:
    (x0, y0), rest = points[0], points[1:]
    _xdotool(display, "mousemove", "--window", window, str(x0), str(y0))
    _xdotool(display, "mousedown", "1")
    for x, y in rest:
        _xdotool(display, "mousemove", "--window", window, str(x), str(y))
        time.sleep(0.03)  # let Tk see each motion event
    _xdotool(display, "mouseup", "1")
    time.sleep(0.3)


@pytest.mark.desktop
def test_the_real_pad_opens_draws_saves_and_gives_points(tmp_path, xvfb, monkeypatch):
    monkeypatch.setenv("DISPLAY", xvfb)
    loop = FakeLoop()  # the kernel's loop: the pad's widgets change there
    monkeypatch.setattr(pads, "_kernel_loop", lambda: loop)
    pad = IpysketchPad("gmm", directory=tmp_path)
    proc = pad.edit()  # the Edit button's own code path
    try:
        window = _xdotool(xvfb, "search", "--sync", "--name", "^ipysketch gmm$", timeout=90).split()[0]
        time.sleep(0.5)  # the toolbar is drawn after the window maps
        # A red stroke going down-right across the upper left, a blue one lower right.
        _xdotool(xvfb, "mousemove", "--window", window, *map(str, _toolbar_button(RED_PEN)), "click", "1")
        _drag(xvfb, window, [(150 + 12 * i, 150 + 6 * i) for i in range(21)])
        _xdotool(xvfb, "mousemove", "--window", window, *map(str, _toolbar_button(BLUE_PEN)), "click", "1")
        _drag(xvfb, window, [(500 + 4 * i, 350 + 8 * i) for i in range(21)])
        _xdotool(xvfb, "mousemove", "--window", window, *map(str, _toolbar_button(SAVE)), "click", "1")
        _wait_for(lambda: pad.png_path.is_file() and pad.isk_path.is_file(), 30, "gmm.isk and gmm.png")
        assert proc.poll() is None, f"the pad exited early: {proc.communicate()[0]}"
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    pad._watcher.join(20)
    loop.run()

    strokes = pad.strokes()
    assert [s.color for s in strokes] == ["red", "blue"], pad.log
    assert all(len(s.points) >= 5 for s in strokes)
    X, labels = pad.points(200, random_state=0)
    assert X.shape == (200, 2) and sorted(set(labels.tolist())) == [0, 1]
    red, blue = X[labels == 0], X[labels == 1]
    # Both strokes go down the screen to the right: y (up) falls as x grows. Red is above-left.
    assert np.corrcoef(red[:, 0], red[:, 1])[0, 1] < -0.9
    assert np.corrcoef(blue[:, 0], blue[:, 1])[0, 1] < -0.9
    assert red[:, 0].mean() < blue[:, 0].mean() and red[:, 1].mean() > blue[:, 1].mean()
    assert X.min() >= 0 and X.max() <= 10

    # The PNG was drawn without Ghostscript and reads back as the same two pens.
    Xp, labels_p, colours = points_from_image(pad.png_path, 100, random_state=0, return_colors=True)
    np.testing.assert_array_equal(colours, [(255, 0, 0), (0, 0, 255)])
    # And the widget shows it once the window has closed.
    assert bytes(pad.preview.value).startswith(PNG_MAGIC)
    assert load_isk(pad.isk_path)[0].width == 2.0
