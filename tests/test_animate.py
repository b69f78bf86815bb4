"""Tests for gmmviz.animate: every frame shows what its Frame says; exports work offline."""

from __future__ import annotations

import gc
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from gmmviz import fit_em
from gmmviz.animate import (
    EMAnimation,
    animate_em,
    offline_jshtml,
    save_animation,
    select_frames,
)
from gmmviz.datasets import load_faithful, mixture_1d, well_separated_blobs
from gmmviz.plot import GREY, ellipse_geometry, soft_colors

N_STD = (1, 2, 3)


@pytest.fixture(autouse=True)
def _collect_unrendered_animations():
    # An animation only built to inspect its frames is never "rendered", and matplotlib warns when
    # such an animation is garbage-collected -- expected here. FuncAnimation holds reference
    # cycles, so collect now, while the warning can still be silenced, not in a later test.
    yield
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Animation was deleted without rendering")
        gc.collect()


@pytest.fixture(scope="module")
def faithful_history():
    X = load_faithful(standardize=True)
    return X, fit_em(X, 2, init="random", random_state=0, max_iter=4, tol=0)


@pytest.fixture
def anim(faithful_history):
    _, history = faithful_history
    a = animate_em(history, dpi=40)
    yield a
    # pytest releases fixture values after the autouse collector above has run: mark this one as
    # deliberately unrendered (matplotlib's own flag) so its deletion stays quiet.
    a._draw_was_started = True


def _expected_colors(frame, n):
    return np.tile(GREY, (n, 1)) if frame.resp is None else soft_colors(frame.resp)


def _ll_index(history, frame):
    """Which params[t] the frame shows, found by identity (independent of gmmviz's own rule)."""
    (t,) = [t for t, p in enumerate(history.params) if p is frame.params]
    return t


def _check_ellipses(ellipses, params, dims=(0, 1)):
    dims = list(dims)
    means = params.means[:, dims]
    covs = params.full_covariances()[:, dims][:, :, dims]
    assert len(ellipses) == params.n_components * len(N_STD)
    for j in range(params.n_components):
        for r, s in enumerate(N_STD):
            e = ellipses[j * len(N_STD) + r]
            w, h, a = ellipse_geometry(covs[j], s)
            np.testing.assert_allclose(e.get_center(), means[j])
            np.testing.assert_allclose([e.get_width(), e.get_height()], [w, h])
            # Angles are modulo 180 for an ellipse; compare on the circle to avoid 0 vs 180.
            assert np.isclose(np.cos(np.deg2rad(2 * e.get_angle())), np.cos(np.deg2rad(2 * a)))


# --------------------------------------------------------------------------- frames


def test_returns_a_funcanimation_over_every_frame(anim, faithful_history):
    from matplotlib.animation import FuncAnimation

    _, history = faithful_history
    assert isinstance(anim, FuncAnimation) and isinstance(anim, EMAnimation)
    assert anim.frame_indices == tuple(range(history.n_frames))
    assert list(anim.new_frame_seq()) == list(anim.frame_indices)
    assert anim.figure is anim._fig


@pytest.mark.parametrize("i", range(9))  # 1 + 2 * max_iter frames
def test_update_function_shows_frame(anim, faithful_history, i):
    X, history = faithful_history
    frame = history.frame(i)
    # _func is the callable FuncAnimation calls per frame: drive it like the animation does.
    anim._func(i)
    a = anim.artists
    np.testing.assert_allclose(a.data.points.get_facecolors(), _expected_colors(frame, len(X)))
    _check_ellipses(a.data.ellipses, frame.params)
    np.testing.assert_allclose(a.data.means.markers.get_offsets(), frame.params.means)
    assert [n.get_text() for n in a.data.means.numbers] == ["1", "2"]
    t = _ll_index(history, frame)
    mx, my = a.ll.marker.get_data()
    np.testing.assert_allclose(mx, [t])
    np.testing.assert_allclose(my, [frame.log_likelihood])
    _, cy = a.ll.curve.get_data()  # ln p(X) so far: up to the parameters shown
    np.testing.assert_allclose(cy, history.log_likelihoods[: t + 1])
    title = a.title.get_text()
    assert title.startswith({"init": "Start", "E": "E-step", "M": "M-step"}[frame.kind])
    if frame.kind != "init":
        assert f"iteration {frame.iteration} of {history.n_iter}" in title


def test_frames_update_artists_in_place(anim):
    fig = anim.figure
    before = [(len(ax.patches), len(ax.collections), len(ax.lines), len(ax.texts)) for ax in fig.axes]
    children = [list(ax.get_children()) for ax in fig.axes]
    for i in anim.frame_indices:
        changed = anim.show_frame(i)
    after = [(len(ax.patches), len(ax.collections), len(ax.lines), len(ax.texts)) for ax in fig.axes]
    assert before == after
    assert children == [list(ax.get_children()) for ax in fig.axes]  # the same artists, moved
    assert anim.artists.data.points in changed and anim.artists.title in changed


def test_e_changes_colours_and_m_moves_ellipses(anim):
    anim.show_frame(1)  # E1: new colours, start's ellipses
    colours_e1 = anim.artists.data.points.get_facecolors().copy()
    centre_e1 = anim.artists.data.ellipses[0].get_center()
    anim.show_frame(2)  # M1: same colours, moved ellipses
    np.testing.assert_allclose(anim.artists.data.points.get_facecolors(), colours_e1)
    assert not np.allclose(anim.artists.data.ellipses[0].get_center(), centre_e1)


def test_one_dimensional_data_gets_the_histogram_view():
    x, _ = mixture_1d(120, random_state=0)
    history = fit_em(x, 2, init="random", random_state=0, max_iter=3, tol=0)
    anim = animate_em(history, dpi=40)
    assert anim.dims is None and not hasattr(anim.artists.data, "ellipses")
    for i in anim.frame_indices:
        anim.show_frame(i)
        frame = history.frame(i)
        strip = anim.artists.data.strip
        np.testing.assert_allclose(strip.get_edgecolors(), _expected_colors(frame, x.size))
        grid, mix = anim.artists.data.mixture.get_data()
        p = frame.params
        sd = np.sqrt(p.covariances[:, 0, 0])
        pdf = sum(
            w * np.exp(-0.5 * ((grid - m) / s) ** 2) / (s * np.sqrt(2 * np.pi))
            for w, m, s in zip(p.weights, p.means[:, 0], sd)
        )
        np.testing.assert_allclose(mix, pdf)
        # y-limits fixed for the whole film leave room for every frame's curve
        assert anim.figure.axes[0].get_ylim()[1] >= mix.max()


def test_more_than_two_features_draws_the_chosen_marginal():
    rng = np.random.default_rng(0)
    X = np.column_stack([well_separated_blobs(90, random_state=0)[0], rng.normal(size=90)])
    history = fit_em(X, 3, random_state=0, max_iter=2, tol=0)
    anim = animate_em(history, dims=(2, 0), dpi=40)
    anim.show_frame(4)
    _check_ellipses(anim.artists.data.ellipses, history.frame(4).params, dims=(2, 0))
    np.testing.assert_allclose(anim.artists.data.points.get_offsets(), X[:, [2, 0]])
    ax = anim.figure.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_{3}$", "$x_{1}$")


# --------------------------------------------------------------------------- select_frames


def _fake_history(n_iter):
    return SimpleNamespace(n_iter=n_iter, n_frames=1 + 2 * n_iter)


@pytest.mark.parametrize("n_iter", [0, 1, 5, 20, 21, 57, 1000])
@pytest.mark.parametrize("max_frames", [3, 4, 11, 41])
def test_select_frames_caps_whole_iterations(n_iter, max_frames):
    idx = select_frames(_fake_history(n_iter), max_frames)
    n_frames = 1 + 2 * n_iter
    assert idx[0] == 0 and len(idx) <= max_frames
    assert idx == sorted(set(idx)) and idx[-1] == n_frames - 1  # the end is always shown
    pairs = idx[1:]
    assert all(e % 2 == 1 and m == e + 1 for e, m in zip(pairs[::2], pairs[1::2]))
    if n_frames <= max_frames:
        assert idx == list(range(n_frames))
    else:
        assert len(idx) == 1 + 2 * ((max_frames - 1) // 2)
        assert 1 in idx or max_frames < 5  # the first iteration unless only one fits


def test_select_frames_none_keeps_all_and_rejects_bad_caps():
    assert select_frames(_fake_history(30)) == list(range(61))
    with pytest.raises(ValueError, match="at least 3"):
        select_frames(_fake_history(30), 2)
    with pytest.raises(TypeError, match="integer"):
        select_frames(_fake_history(30), 4.5)
    with pytest.raises(TypeError, match="integer"):
        select_frames(_fake_history(30), True)


def test_max_frames_subsamples_the_animation(faithful_history):
    _, history = faithful_history
    anim = animate_em(history, max_frames=5, dpi=40)
    assert anim.frame_indices == tuple(select_frames(history, 5))
    assert len(anim.frame_indices) == 5
    assert "showing 2 of 4 iterations" in [t.get_text() for t in anim.figure.axes[1].texts]


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_refused_clearly(faithful_history):
    X, history = faithful_history
    with pytest.raises(TypeError, match="EMHistory"):
        animate_em("history")
    with pytest.raises(TypeError, match=r"history\.X"):
        animate_em(X)  # an array is not a history: the history already holds X
    with pytest.raises(ValueError, match="dims"):
        animate_em(history, dims=(0, 0))
    with pytest.raises(ValueError, match="dims"):
        animate_em(history, dims=(0, 2))
    with pytest.raises(ValueError, match="palette"):
        animate_em(history, palette=["red", "blue", "green"])
    with pytest.raises(ValueError, match="feature_names"):
        animate_em(history, feature_names=["only one"])
    with pytest.raises(TypeError, match="n_std must be a sequence"):
        animate_em(history, n_std=2)


# --------------------------------------------------------------------------- export


def test_offline_jshtml_embeds_every_frame_without_network(anim):
    html = offline_jshtml(anim)
    assert html.count("data:image/png;base64,") == len(anim.frame_indices)
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<script[^>]*\ssrc=", html)
    assert 'class="fa' not in html  # icons replaced by text, no icon font needed


def test_save_gif_has_one_image_per_frame(anim, tmp_path):
    path = save_animation(anim, tmp_path / "em.gif", fps=5)
    with Image.open(path) as im:
        assert im.n_frames == len(anim.frame_indices)
        assert im.size == (400, 176)  # figsize (10, 4.4) at dpi 40
        assert im.info.get("loop") == 0


def test_save_html_is_a_standalone_page(anim, tmp_path):
    text = save_animation(anim, tmp_path / "em.HTML").read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text.count("data:image/png;base64,") == len(anim.frame_indices)
    assert "https://" not in text


def test_save_refuses_unknown_format_and_missing_folder(anim, tmp_path):
    with pytest.raises(ValueError, match=".gif or .html"):
        save_animation(anim, tmp_path / "em.mp4")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        save_animation(anim, tmp_path / "nope" / "em.gif")


def test_m_frames_show_where_the_ellipses_were(anim):
    h = anim.history
    anim.show_frame(1)  # E-step: nothing moved yet
    assert not any(a.get_visible() for a in anim.artists.data.shift.rings)
    anim.show_frame(2)  # M-step of iteration 1: dashed rings at the start's means
    rings = anim.artists.data.shift.rings
    assert all(r.get_visible() for r in rings)
    assert rings[0].center == pytest.approx(tuple(h.params[0].means[0]))
    np.testing.assert_allclose(anim.artists.data.means.markers.get_offsets(), h.params[1].means)
