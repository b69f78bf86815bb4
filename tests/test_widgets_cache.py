"""EMExplorer's half-steps rendered ahead (gmmviz._frame_cache): same pixels, dropped on refit, safe.

The reference picture of every check is today's path: an explorer with the cache turned off draws
each frame with its blitter and encodes it; the cached picture must decode to the same pixels.
"""

from __future__ import annotations

import io
import threading
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

from gmmviz import _frame_cache
from gmmviz import plot as gplot
from gmmviz.widgets import EMExplorer, render_png


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(11)
    return np.concatenate([rng.normal(c, 0.6, (60, 2)) for c in ([0, 0], [3, 0.5], [1, 3])])


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def uncached(X, **kwargs) -> EMExplorer:
    """Today's path: every frame drawn and encoded when shown."""
    ex = EMExplorer(X, **kwargs)
    ex._frames.enabled = False
    ex.refit()
    return ex


@pytest.fixture
def thread_errors(monkeypatch):
    """Exceptions escaping any thread (threading.excepthook), collected instead of printed."""
    caught = []
    monkeypatch.setattr(threading, "excepthook", lambda args: caught.append(args.exc_value))
    return caught


@pytest.fixture
def blocked_render(monkeypatch):
    """The background thread waits (before its first frame) until the event is set."""
    go = threading.Event()
    original = _frame_cache._Shadow.render

    def render(self, step):
        go.wait(30)
        return original(self, step)

    monkeypatch.setattr(_frame_cache._Shadow, "render", render)
    yield go
    go.set()


def test_cached_pictures_have_the_pixels_of_todays_path(X, thread_errors):
    ex = EMExplorer(X, 3, init="random", random_state=1)
    ref = uncached(X, n_components=3, init="random", random_state=1)
    assert ex._frames.wait(60), "the background thread did not render every half-step"
    n = ex.history.n_frames
    assert n >= 6
    for i in [3, 1, n - 1, 4, 0, 2, 5, n - 2]:  # out of order: cached layers and stamps differ
        ex.set_step(i)
        ref.set_step(i)
        assert bytes(ex.image.value) == ex._frames.get(ex.history, i)  # served from the cache
        np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))
    assert ex._frames.hits == 8 and ref._frames.hits == 0
    assert ex._frames.errors == [] and thread_errors == []


def test_a_cached_frame_still_moves_the_artists_and_the_readout(X):
    ex = EMExplorer(X, 3, random_state=0)
    ref = uncached(X, n_components=3, random_state=0)
    assert ex._frames.wait(60)
    ex.set_step(3)
    ref.set_step(3)
    assert ex._frames.hits == 1
    frame = ex.history.frame(3)
    np.testing.assert_allclose(ex.points.get_facecolors(), gplot.soft_colors(frame.resp, ex.palette))
    assert ex.ellipses[0].center == pytest.approx(tuple(frame.params.means[0]))
    assert ex.readout.value == ref.readout.value
    assert ex.headline.get_text() == ref.headline.get_text()


def test_the_canvas_catches_up_when_read_after_a_cached_frame(X):
    # The static picture of a saved notebook is taken from the canvas: it must be the frame shown.
    ex = EMExplorer(X, 3, random_state=0)
    assert ex._frames.wait(60)
    ex.set_step(4)
    assert ex._frames.hits == 1
    np.testing.assert_array_equal(pixels(render_png(ex._blitter.canvas)), pixels(ex.image.value))


def test_a_new_fit_discards_the_old_pictures_and_renders_its_own(X, thread_errors):
    ex = EMExplorer(X, 3, random_state=0)
    assert ex._frames.wait(60)
    old = ex.history
    assert ex._frames.get(old, 2) is not None
    ex.k_slider.value = 2  # refit
    assert ex.history is not old and ex.history.n_components == 2
    assert ex._frames.get(old, 2) is None
    assert ex._frames.wait(60)
    ref = uncached(X, n_components=2, random_state=0)
    for i in (1, 2, ex.history.n_frames - 1):
        ex.set_step(i)
        ref.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))
    assert ex._frames.hits == 3
    assert ex._frames.errors == [] and thread_errors == []


def test_a_refit_stops_the_running_thread_and_keeps_none_of_its_pictures(X, blocked_render):
    ex = EMExplorer(X, 3, random_state=0)
    first = ex._frames._thread
    assert first.is_alive()  # blocked before its first frame
    ex.k_slider.value = 4
    second = ex._frames._thread
    assert second is not first
    blocked_render.set()
    first.join(30)
    assert not first.is_alive()
    assert ex._frames.wait(60)
    fit = ex._frames._fit
    assert all(key[0] == fit for key in ex._frames._frames)  # nothing of the first fit
    assert ex._frames.n_ready == ex.history.n_frames
    ex.set_step(2)
    ref = uncached(X, n_components=4, random_state=0)
    ref.set_step(2)
    np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))


def test_the_explorer_draws_as_today_while_the_cache_is_not_ready(X, blocked_render):
    ex = EMExplorer(X, 3, random_state=0)
    ref = uncached(X, n_components=3, random_state=0)
    for i in (2, 5, 1, 0):
        ex.set_step(i)
        ref.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))
    assert ex._frames.hits == 0 and not ex._frames.ready


def test_scrubbing_while_the_thread_renders_gives_the_same_pictures(X, thread_errors):
    # The thread draws its own copy of the figure: the live one, drawn meanwhile, is unaffected.
    ex = EMExplorer(X, 3, init="random", random_state=2)
    ex._frames.idle = 0.0  # render even while frames are being shown (normally it waits)
    ref = uncached(X, n_components=3, init="random", random_state=2)
    n = ex.history.n_frames
    for i in list(range(n)) + list(range(n - 1, -1, -1)):
        ex.set_step(i)
        ref.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))
    assert ex._frames.wait(60)
    assert ex._frames.errors == [] and thread_errors == []
    assert ex._frames.hits > 0  # part of the scrub came from pictures the thread drew meanwhile


def test_the_thread_waits_while_frames_are_being_shown(X, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0)
    ex._frames.idle = 0.5
    ex.refit()  # a fresh thread, under that rule from its start
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # a learner scrubbing without pause
        ex.set_step((ex.step + 1) % ex.history.n_frames)
        time.sleep(0.02)
    assert ex._frames.n_ready == 0 and ex._frames.hits == 0
    assert ex._frames.wait(60)  # and renders once the kernel is quiet


def test_an_error_in_the_thread_is_kept_and_the_explorer_draws_as_today(X, monkeypatch,
                                                                       thread_errors):
    def broken(self, step):
        raise RuntimeError("boom")

    monkeypatch.setattr(_frame_cache._Shadow, "render", broken)
    ex = EMExplorer(X, 3, random_state=0)
    assert not ex._frames.wait(30)
    assert [str(e) for e in ex._frames.errors] == ["boom"]
    assert thread_errors == [] and ex.message_text == ""
    ref = uncached(X, n_components=3, random_state=0)
    ex.set_step(3)
    ref.set_step(3)
    np.testing.assert_array_equal(pixels(ex.image.value), pixels(ref.image.value))


def test_the_environment_variable_turns_the_cache_off(X, monkeypatch):
    monkeypatch.setenv("GMMVIZ_FRAME_CACHE", "0")
    ex = EMExplorer(X, 3, random_state=0)
    assert ex._frames._thread is None
    ex.set_step(2)
    assert ex._frames.hits == 0 and ex._frames.get(ex.history, 2) is None


def test_the_interpreter_exits_cleanly_while_threads_render():
    # Without the atexit stop, a daemon thread inside Agg's C++ code at finalisation can abort
    # the process ("terminate called without an active exception"): fatal for nbval and CI.
    import subprocess
    import sys

    code = (
        "import numpy as np\n"
        "from gmmviz.widgets import EMExplorer\n"
        "X = np.random.default_rng(0).normal(size=(3000, 2))\n"
        "explorers = [EMExplorer(X, 4, init='random', random_state=s) for s in range(3)]\n"
        "for ex in explorers:\n"
        "    ex._frames.idle = 0.0\n"
        "    ex.refit()\n"
    )
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr
        assert "terminate" not in done.stderr
