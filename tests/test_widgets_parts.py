"""The EM explorer's parts on their own: the fit cache, the prefetcher, the renderer."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from PIL import Image

import gmmviz.fit
from gmmviz.widgets import EMRenderer, FitCache, FitKey, Prefetcher
from widget_checks import TurnByTurn

rng = np.random.default_rng(3)
X = np.concatenate([rng.normal(c, 0.6, (40, 2)) for c in ([0, 0], [3, 0.5], [1, 3])])


def key(k=3, seed=0, init="kmeans"):
    return FitKey(k, init, "full", 1e-6, seed)


def pixels(png) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(bytes(png))).convert("RGB"))


# --- FitCache ----------------------------------------------------------------------------------
def test_a_fit_is_made_once_per_key_and_the_least_recently_used_is_forgotten(monkeypatch):
    made = []
    real = gmmviz.fit.fit_em
    monkeypatch.setattr(
        gmmviz.fit, "fit_em", lambda X, k, **kw: (made.append((k, kw["random_state"])), real(X, k, **kw))[1]
    )
    cache = FitCache(X, capacity=2)
    a = cache.fit(key(2))
    assert cache.fit(key(2)) is a and made == [(2, 0)]
    b = cache.fit(key(3))
    cache.touch(key(2))  # used again: K=3 is now the oldest
    cache.fit(key(4))
    assert list(cache) == [key(2), key(4)] and key(3) not in cache and len(cache) == 2
    assert cache.get(key(3)) is None and b.history.n_components == 3
    assert a.key == key(2) and a.serial != b.serial  # (serials name a fit's cached pixels)


def test_the_fits_warnings_become_its_notes_and_its_errors_are_raised(monkeypatch):
    real = gmmviz.fit.fit_em

    def warns(*args, **kwargs):
        import warnings

        warnings.warn("component 2 lost all its points", UserWarning, stacklevel=2)
        return real(*args, **kwargs)

    cache = FitCache(X, capacity=3)
    monkeypatch.setattr(gmmviz.fit, "fit_em", warns)
    assert cache.fit(key(2)).notes == "component 2 lost all its points"
    with pytest.raises(ValueError, match="K=200"):
        FitCache(X[:5], capacity=1).fit(key(200))


def test_a_fit_left_keeps_its_first_and_last_pictures():
    fit = FitCache(X, capacity=1).fit(key(3))
    fit.pngs.update({i: b"png" for i in range(fit.n_frames)})
    fit.forget_pictures()
    assert set(fit.pngs) == {0, fit.n_frames - 1}
    assert FitCache(X, capacity=1).ready(key(3)) is False


# --- Prefetcher --------------------------------------------------------------------------------
def test_one_piece_of_work_per_turn_one_chain_at_a_time():
    loop, todo, done = TurnByTurn(), [1, 2, 3], []
    work = Prefetcher(loop, lambda: (lambda: done.append(todo.pop(0))) if todo else None, pytest.fail)
    work.poke()
    work.poke()  # a turn is due already: no second chain
    assert len(loop.pending) == 1 and not work.idle
    loop.run_one()
    assert done == [1] and len(loop.pending) == 1  # the next turn follows the work
    assert loop.run_all() == 2 and done == [1, 2, 3] and work.idle
    work.poke()
    assert loop.pending == []  # nothing left: no turn


def test_an_error_stops_the_chain_until_the_next_poke():
    loop, errors, calls = TurnByTurn(), [], []

    def boom():
        calls.append(1)
        raise RuntimeError("boom")

    work = Prefetcher(loop, lambda: boom, errors.append)
    work.poke()
    loop.run_all()
    assert [str(e) for e in errors] == ["boom"] and calls == [1] and loop.pending == []
    work.poke()
    assert len(loop.pending) == 1


def test_nothing_is_done_ahead_when_disabled_or_without_a_loop():
    class NoLoop(TurnByTurn):
        ahead = False

    for scheduler, enabled in ((TurnByTurn(), False), (NoLoop(), True)):
        work = Prefetcher(scheduler, lambda: lambda: None, pytest.fail, enabled=enabled)
        work.poke()
        assert scheduler.pending == []


# --- EMRenderer --------------------------------------------------------------------------------
def test_two_renderers_draw_the_same_pixels_and_drawing_on_one_leaves_the_other():
    cache = FitCache(X, capacity=4)
    three, two = cache.fit(key(3)), cache.fit(key(2, init="random"))
    shown = EMRenderer(X, (0, 1), (1.0, 2.0), (8.0, 3.6), 90)
    ahead = EMRenderer(X, (0, 1), (1.0, 2.0), (8.0, 3.6), 90)
    first = shown.png(three, 2)
    marker = shown.ll_marker.get_xdata().copy()
    for i in (1, 0, three.n_frames - 1):
        ahead.png(two, min(i, two.n_frames - 1))  # another fit, another K, on the other figure
        np.testing.assert_array_equal(pixels(ahead.png(three, i)), pixels(shown.png(three, i)))
    shown.pose(three, 2)
    np.testing.assert_array_equal(shown.ll_marker.get_xdata(), marker)
    assert shown.fit is three and shown.index == 2 and ahead.figure is not shown.figure
    np.testing.assert_array_equal(pixels(shown.png(three, 2)), pixels(first))
