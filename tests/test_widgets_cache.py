"""EMExplorer's frame cache and drawing ahead, against today's path (every frame drawn when shown).

The reference picture is an explorer whose cache is emptied before each frame, so that frame is drawn
and encoded on demand; cached pictures must decode to the same pixels. The explorers under test get a
scheduler (``scheduler=``) that keeps the idle-time work, so the drawing ahead runs turn by turn under
the test's control.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

import gmmviz.fit
from gmmviz.widgets import EMExplorer
from widget_checks import KernelLoop, TurnByTurn


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(11)
    return np.concatenate([rng.normal(c, 0.6, (60, 2)) for c in ([0, 0], [3, 0.5], [1, 3])])


@pytest.fixture
def loop():
    return TurnByTurn()


def pixels(png) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"))


def todays_picture(ex: EMExplorer, i: int) -> np.ndarray:
    """Frame ``i`` drawn and encoded on demand, as before the cache."""
    ex.current_fit.pngs.clear()
    ex.set_step(i)
    return pixels(ex.image.value)


def learner_sets(ex: EMExplorer, control: str, value) -> None:
    """The learner moves a control in the page: the page says so, then sends the new value."""
    ex.on_page({"event": "learner", "control": "step" if control == "step_slider" else control})
    getattr(ex, control).set_state({"value": value})


def page_sets_step(ex: EMExplorer, i: int) -> None:
    learner_sets(ex, "step_slider", i)


def count_draws(ex: EMExplorer, monkeypatch) -> list:
    draws = []
    real = ex.renderer.blitter.draw
    monkeypatch.setattr(ex.renderer.blitter, "draw", lambda *a, **k: (draws.append(a[0]), real(*a, **k)))
    return draws


def test_drawing_ahead_fills_the_cache_with_todays_pixels(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, init="random", random_state=1, scheduler=loop)
    ref = EMExplorer(X, 3, init="random", random_state=1)
    n = ex.history.n_frames
    assert n >= 6
    assert loop.pending == []  # a notebook run (no page) never draws ahead
    page_sets_step(ex, 2)
    assert len(loop.pending) == 1
    loop.run_all()
    assert set(ex.current_fit.pngs) == set(range(n))
    assert ex.step == 2  # drawing ahead did not move the frame shown
    draws = count_draws(ex, monkeypatch)
    for i in [3, 1, n - 1, 4, 0, 2, 5, n - 2]:  # out of order: layers and stamps cached differently
        ex.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), todays_picture(ref, i))
        assert ex.ll_marker.get_xdata()[0] == ex.history.frame(i).params_index  # artists follow
    assert draws == []  # all served from the cache


def test_frames_not_cached_yet_are_drawn_on_demand(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    ref = EMExplorer(X, 3, random_state=0)
    page_sets_step(ex, 1)
    loop.run_one()  # only one frame drawn ahead so far
    draws = count_draws(ex, monkeypatch)
    missing = [i for i in range(ex.history.n_frames) if i not in ex.current_fit.pngs][:3]
    assert missing
    for i in missing:
        ex.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), todays_picture(ref, i))
    assert len(draws) == len(missing)


def test_a_refit_discards_the_old_pictures_and_the_old_drawing_ahead(X, loop):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    page_sets_step(ex, 1)
    loop.run_one()
    old = ex.history
    assert len(ex.current_fit.pngs) >= 2 and len(loop.pending) == 1  # the old fit's next turn waits
    ex.k_slider.value = 2  # refit while the old fit's drawing ahead is scheduled
    assert ex.history is not old and set(ex.current_fit.pngs) == {0}
    page_sets_step(ex, 1)  # the new fit's drawing ahead: in the turn already due (one chain)
    loop.run_one()  # the turn due draws for the fit shown now, never for the old one
    assert set(ex.current_fit.pngs) == {0, 1, 2}
    # One chain of turns at a time: a further change in the page adds none while one is pending.
    page_sets_step(ex, 2)
    assert len(loop.pending) == 1
    loop.run_all()
    n = ex.history.n_frames
    assert set(ex.current_fit.pngs) == set(range(n))
    ref = EMExplorer(X, 2, random_state=0)
    for i in (1, n - 1, 0):
        ex.set_step(i)
        np.testing.assert_array_equal(pixels(ex.image.value), todays_picture(ref, i))


def test_an_error_while_drawing_ahead_is_shown_not_raised(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    page_sets_step(ex, 1)
    monkeypatch.setattr(ex.renderer_ahead, "draw", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    loop.run_all()  # nothing raised out of the event loop
    assert "boom" in ex.message_text and "Internal error" in ex.message_text
    monkeypatch.undo()
    ref = EMExplorer(X, 3, random_state=0)
    ex.set_step(3)
    np.testing.assert_array_equal(pixels(ex.image.value), todays_picture(ref, 3))


# --- the frames kept in the page (gmmviz.widgets._FrameView) ---------------------------------------
def sent_frames(ex: EMExplorer, monkeypatch) -> list:
    """Record the custom messages the picture sends to the page: (content, buffers)."""
    sent = []
    monkeypatch.setattr(ex.image, "send", lambda content, buffers=None: sent.append((content, buffers)))
    return sent


def test_frames_drawn_ahead_are_sent_to_the_page_with_their_fit(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    sent = sent_frames(ex, monkeypatch)
    fit = ex.image.fit
    page_sets_step(ex, 1)
    loop.run_all()
    n = ex.history.n_frames
    # Frames 0 and 1 reached the page as the picture shown; every other one as a message.
    assert sorted(c["frame"] for c, _ in sent) == [i for i in range(n) if i not in (0, 1)]
    for content, buffers in sent:
        assert content["fit"] == fit and len(buffers) == 1
        assert bytes(buffers[0]) == ex.current_fit.pngs[content["frame"]]  # the PNG the kernel would show
    ex.k_slider.value = 2  # a refit: the page is told to forget the old frames
    assert ex.image.fit == fit + 1
    assert ex.image.value_index == 0 and bytes(ex.image.value) == ex.current_fit.pngs[0]


def test_the_picture_value_names_its_half_step(X):
    ex = EMExplorer(X, 3, random_state=0)
    ex.set_step(3)
    assert ex.image.value_index == 3
    np.testing.assert_array_equal(pixels(ex.image.value), todays_picture(EMExplorer(X, 3, random_state=0), 3))


def test_frames_drawn_ahead_carry_their_readout(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    sent = sent_frames(ex, monkeypatch)
    page_sets_step(ex, 1)
    loop.run_all()
    for content, _ in sent:
        i = content["frame"]
        assert f"half-step {i} of " in content["readout"]
    for content, _ in sent:
        ex.set_step(content["frame"])
        assert content["readout"] == ex.readout  # the readout the kernel shows with that picture


# --- K changes: fits kept, the other K prepared ahead ------------------------------------------------
def test_a_fit_shown_again_is_the_same_fit_with_todays_pixels(X):
    """Back to a K: no new fit, and its pictures are those of an explorer that opened on that K
    (the ln p(X) panel's limits do not depend on the fit shown before: K=1's curve lies far lower)."""
    ex = EMExplorer(X, 3, random_state=0)
    first = ex.history
    for k in (1, 4, 3, 1, 3):
        ex.k_slider.value = k
        ex.set_step(min(3, ex.history.n_frames - 1))
    assert ex.history is first
    for k in (3, 1, 4):
        ex.k_slider.value = k
        fresh = EMExplorer(X, k, random_state=0)
        for i in (0, 1, 2, ex.history.n_frames - 1):
            ex.set_step(i)
            fresh.set_step(i)
            np.testing.assert_array_equal(pixels(ex.image.value), pixels(fresh.image.value))


def test_the_explorer_keeps_a_bounded_number_of_fits(X):
    ex = EMExplorer(X, 3, random_state=0)
    assert ex.fits.capacity == 10 + 4  # a fit per K of the slider (1..10), and a few more
    for seed in range(ex.fits.capacity + 3):
        ex.seed_input.value = seed
    assert len(ex.fits) == ex.fits.capacity
    assert list(ex.fits)[-1] == ex.current_fit.key  # the one shown is the newest


def count_fits(monkeypatch) -> list:
    fits = []
    real = gmmviz.fit.fit_em
    monkeypatch.setattr(gmmviz.fit, "fit_em", lambda X, k, **kw: (fits.append(k), real(X, k, **kw))[1])
    return fits


def test_on_a_page_the_next_k_presses_are_prepared_in_idle_time(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    assert not loop.pending  # a notebook run without a page (nbval) prepares nothing
    fits = count_fits(monkeypatch)
    ex.on_page({"event": "shown"})  # the view's first render in the page
    assert len(loop.pending) == 1  # one piece of work per turn of the kernel's loop
    assert loop.run_all() == 2 * 2  # K + 1 and K - 1: fit each, then draw its first frame
    assert fits == [4, 2] and ex.history.n_components == 3  # (an explorer only shown costs little)
    shown = pixels(ex.image.value)  # the artists are back on the fit shown
    np.testing.assert_array_equal(shown, pixels(EMExplorer(X, 3, random_state=0).image.value))
    fits.clear()
    learner_sets(ex, "k_slider", 4)  # the learner presses ArrowRight on K
    assert fits == [] and ex.history.n_components == 4  # nothing fitted: it was ready
    np.testing.assert_array_equal(
        pixels(ex.image.value), pixels(EMExplorer(X, 4, random_state=0).image.value)
    )
    assert not np.array_equal(pixels(ex.image.value), shown)
    fits.clear()  # (the fresh explorer's fit)
    loop.run_all()  # the learner uses this explorer: every K of the slider now, nearest first
    assert fits == [5, 6, 7, 1, 8, 9, 10]  # (K=3 and K=2 are kept)
    fits.clear()
    for k in (3, 1, 10, 2):
        learner_sets(ex, "k_slider", k)
        assert ex.history.n_components == k
    assert fits == []


def test_code_moving_k_prepares_nothing(X, loop):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    ex.k_slider.value = 4
    assert not loop.pending


def test_a_neighbour_that_cannot_be_fitted_is_left_to_the_learner(loop):
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    ex = EMExplorer(X, 4, random_state=0, init="random", scheduler=loop)
    ex.on_page({"event": "shown"})
    loop.run_all()
    assert ex.message_text == "" and ex.history.n_components == 4  # preparing K=5 failed quietly
    learner_sets(ex, "k_slider", 5)
    assert "K=5" in ex.message_text and ex.history.n_components == 4  # said when the learner goes there


def test_preparing_follows_the_learner_to_a_new_k(X, loop, monkeypatch):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    ex.on_page({"event": "shown"})
    loop.run_one()  # K=4 fitted, not drawn yet
    fits = count_fits(monkeypatch)
    learner_sets(ex, "k_slider", 4)  # the learner is faster than the idle time
    assert fits == [] and ex.history.n_components == 4
    loop.run_all()
    assert fits == [5, 6, 2, 7, 1, 8, 9, 10]  # nearest the new K first (K=3 was shown before)
    assert {key.n_components for key in ex.fits if ex.fits.ready(key)} == set(range(1, 11))


def test_a_fit_left_keeps_only_its_first_and_last_pictures(X, loop):
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    page_sets_step(ex, 1)
    loop.run_all()  # every frame drawn ahead
    first, n = ex.current_fit, ex.history.n_frames
    assert len(first.pngs) == n
    ex.k_slider.value = 4
    assert set(first.pngs) == {0, n - 1}
    ex.k_slider.value = 3  # back: the frames are drawn again as they are needed, the same pixels
    assert ex.current_fit is first
    page_sets_step(ex, 2)
    loop.run_all()
    ref = EMExplorer(X, 3, random_state=0)
    for i in (1, 2, n - 1):
        np.testing.assert_array_equal(pixels(first.pngs[i]), todays_picture(ref, i))


def test_a_new_fit_drawn_over_the_kept_picture_equals_a_full_draw(X):
    """Only the ln p(X) panel is redrawn for a new fit: the picture is that of a full figure draw."""
    ex = EMExplorer(X, 3, random_state=0)
    for k in (4, 1, 2):
        ex.k_slider.value = k
        ex.set_step(1)
        quick = pixels(ex.image.value)
        ex.renderer.blitter.draw_background()  # every Axes drawn again, nothing kept
        ex.current_fit.pngs.clear()
        ex.set_step(1)  # (the step it shows: drawn again)
        np.testing.assert_array_equal(quick, pixels(ex.image.value))


def test_callbacks_in_a_subshell_thread_are_handed_over_to_the_main_loop(X, monkeypatch):
    """ipykernel 7 runs widget callbacks in a subshell's thread while the idle-time work runs on the
    main loop: every change of the explorer happens on the main loop, handed over in order, so the
    explorer never poses one fit's artists with another's data.

    The explorer is read on the main loop between two of its callbacks (after each of the learner's
    moves, queued behind the moves' own hand-overs), as a cell or an idle-time turn would read it.
    """
    import IPython

    with KernelLoop() as main:
        monkeypatch.setattr(IPython, "get_ipython", main.shell)
        ex = main.call(EMExplorer, X, 3, random_state=0, max_components=6)
        frames = {}  # what a fresh explorer shows, by control values and half-step

        def check():  # on the main loop
            assert ex.message_text == ""
            k = ex.history.n_components
            assert ex.k_slider.value == k, (ex.k_slider.value, k)
            assert len(ex.palette) == len(ex.means.numbers) == k
            assert len(ex.ellipses) == k * len(ex.n_std)
            assert sum(a.get_visible() for a in ex.ellipses) == len(ex.ellipses)
            assert ex.image.value_index == ex.step
            return k, ex.step, bytes(ex.image.value)

        main.call(ex.on_page, {"event": "shown"})
        rng = np.random.default_rng(0)
        seen = []
        for _ in range(40):  # the learner, in this thread (the subshell's)
            if rng.random() < 0.4:
                learner_sets(ex, "k_slider", int(rng.integers(1, 7)))
            else:
                n = main.call(lambda: ex.history.n_frames)
                learner_sets(ex, "step_slider", int(rng.integers(0, n)))
            k, step, png = main.call(check)
            if (k, step) not in frames:  # (drawn on the loop too: matplotlib is not thread-safe)
                frames[k, step] = pixels(main.call(fresh_picture, X, k, step))
            np.testing.assert_array_equal(pixels(png), frames[k, step])
            seen.append(k)
        assert len(set(seen)) > 2  # several K were shown, each checked
        main.call(lambda: None)


def fresh_picture(X, k, step):
    fresh = EMExplorer(X, k, random_state=0, max_components=6, prefetch=False)
    fresh.set_step(step)
    return bytes(fresh.image.value)


def test_idle_time_work_goes_to_the_kernels_main_loop_from_any_thread(X, monkeypatch):
    """A widget callback may run in a subshell's thread (ipykernel 7): the explorer's work goes to
    the kernel's own loop, where the cells run, never to a loop of that thread, through tornado's
    one thread-safe method (add_callback); nothing changes before the loop runs it."""
    import threading
    from types import SimpleNamespace

    import IPython

    calls = []

    class MainLoop:
        asyncio_loop = None  # (not running in any thread here: every caller hands over)

        def add_callback(self, fn, *args):
            calls.append((threading.current_thread().name, fn, args))

        def call_later(self, delay, fn, *args):  # (run by the loop itself, on its own thread)
            raise AssertionError("call_later called from outside the loop")

    main = MainLoop()
    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(kernel=SimpleNamespace(io_loop=main)))
    ex = EMExplorer(X, 3, random_state=0)  # (the constructor fits at once, in its own thread)
    t = threading.Thread(target=lambda: learner_sets(ex, "k_slider", 4), name="subshell")
    t.start()
    t.join()
    assert ex.history.n_components == 3  # not yet: handed over
    assert [name for name, *_ in calls] == ["subshell", "subshell"]  # the learner's message, the K
    for _, fn, args in list(calls):
        fn(*args)  # what the main loop does with them
    assert ex.history.n_components == 4
    assert calls[-1][1] == main.call_later and calls[-1][2][0] == 0.01  # idle-time work: the loop's


def test_an_explorer_with_no_fit_prepares_nothing(X, loop):
    ex = EMExplorer(X, 0)  # a bad K: the message says so, and no fit is shown
    assert ex.history is None and "K" in ex.message_text
    ex.on_page({"event": "shown"})
    assert not loop.pending and ex.history is None
