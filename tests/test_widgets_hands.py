"""The EM explorer under the learner's hands, in the kernel: a start placed by dragging a mean, points
added and removed, Reset start / Reset data, and "Copy as code".

Each new run is checked against gmmviz.fit_em run directly (not against the explorer's own record),
and the code the explorer shows is executed and its history compared with the explorer's.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import gmmviz
from gmmviz.widgets import EMExplorer
from gmmviz.widgets import _em_hands as hands

rng = np.random.default_rng(3)
X = np.concatenate([rng.normal(c, 0.5, (40, 2)) for c in ([0, 0], [4, 0], [0, 4])])


def explorer(data=X, k=3, **kwargs):
    return EMExplorer(data, k, random_state=0, prefetch=False, **kwargs)


def same_run(a, b):
    assert a.n_frames == b.n_frames
    for p, q in zip(a.params, b.params):
        np.testing.assert_allclose(p.means, q.means, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(p.covariances, q.covariances, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(p.weights, q.weights, rtol=1e-10, atol=1e-12)


def test_a_dragged_mean_is_the_new_start_and_the_others_stay_where_they_are_shown():
    ex = explorer()
    ex.set_step(5)  # an M-step: the means of iteration 3, not the start
    before = ex.history.frame(5).params.means.copy()
    assert not np.allclose(before, ex.history.params[0].means)
    history = ex.move_mean(2, (2.0, 3.0))
    want = before.copy()
    want[1] = (2.0, 3.0)
    np.testing.assert_array_equal(history.params[0].means, want)
    np.testing.assert_array_equal(history.params[0].weights, np.full(3, 1 / 3))
    np.testing.assert_array_equal(history.params[0].covariances, np.broadcast_to(np.eye(2), (3, 2, 2)))
    start = gmmviz.init_params(X, 3, means=want)
    same_run(history, gmmviz.fit_em(X, 3, params=start))
    assert ex.step == 0  # the new run is shown from its start
    assert "start: your means" in ex.readout
    assert "your means" in ex.headline.get_text()
    assert not ex.hands.reset_start_button.disabled
    # scrubbed like any other run
    ex.set_step(history.n_frames - 1)
    assert ex.step == history.n_frames - 1


def test_the_start_placed_stays_for_a_covariance_type_and_goes_with_k_seed_or_reset():
    ex = explorer()
    ex.move_mean(1, (1.0, 1.0))
    placed = ex.start
    ex.cov_dropdown.value = "diag"
    assert ex.history.init == "placed" and ex.start == placed
    ex.seed_input.value = 1
    assert ex.start is None and ex.history.init == "kmeans"
    ex.move_mean(1, (1.0, 1.0))
    ex.k_slider.value = 2
    assert ex.start is None and ex.history.n_components == 2
    ex.move_mean(1, (1.0, 1.0))
    ex.hands.reset_start_button.click()
    assert ex.start is None and ex.history.init == "kmeans" and ex.hands.reset_start_button.disabled


def test_points_added_and_removed_are_fitted_and_ringed():
    ex = explorer()
    ex.add_point((2.0, 2.0))
    assert ex.X.shape == (121, 2) and ex.added.sum() == 1
    np.testing.assert_array_equal(ex.X[-1], (2.0, 2.0))
    same_run(ex.history, gmmviz.fit_em(np.vstack([X, [[2.0, 2.0]]]), 3, random_state=0))
    np.testing.assert_array_equal(ex.renderer.added.get_offsets(), [[2.0, 2.0]])
    assert not ex.hands.reset_data_button.disabled
    # Shift+click: the nearest point as seen (each axis in fractions of its span) goes.
    target = X[7] + 0.01
    ex.remove_point(target)
    assert ex.X.shape == (120, 2)
    assert not any(np.array_equal(row, X[7]) for row in ex.X)
    ex.hands.reset_data_button.click()
    np.testing.assert_array_equal(ex.X, X)
    assert ex.added.sum() == 0 and ex.hands.reset_data_button.disabled
    assert len(ex.renderer.added.get_offsets()) == 0
    same_run(ex.history, gmmviz.fit_em(X, 3, random_state=0))


def test_nearest_point_is_measured_as_the_picture_shows_it():
    # x spans 100 units, y spans 1: on screen (50, 0.9) is half a panel from (0, 0.9) and nearly a
    # whole panel from (60, 0), though in raw units (60, 0) is 5 times nearer.
    pts = np.array([[0.0, 0.9], [60.0, 0.0]])
    limits = ((0.0, 100.0), (0.0, 1.0))
    assert np.argmin(np.linalg.norm(pts - (50.0, 0.9), axis=1)) == 1
    assert hands.nearest_point(pts, (50.0, 0.9), (0, 1), limits) == 0
    assert hands.nearest_point(pts, (55.0, 0.1), (0, 1), limits) == 1


def test_a_change_of_data_that_cannot_be_fitted_leaves_the_data_and_picture_as_they_were():
    few = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    ex = explorer(few, 3)
    png = bytes(ex.image.value)
    assert ex.remove_point((0.0, 0.0)) is None  # 2 points cannot hold K = 3
    assert "K=3" in ex.message_text or "3" in ex.message_text
    np.testing.assert_array_equal(ex.X, few)
    assert bytes(ex.image.value) == png
    ex.set_step(ex.history.n_frames - 1)  # the picture still scrubs (its data are the fit's)


def test_bad_hands_get_messages_that_say_what_to_do():
    ex = explorer()
    with pytest.raises(ValueError, match="from 1 to 3"):
        ex.move_mean(4, (0, 0))
    with pytest.raises(TypeError, match="two numbers"):
        ex.add_point("here")
    with pytest.raises(ValueError, match="finite"):
        ex.add_point((np.nan, 0))
    with pytest.raises(ValueError, match=r"shape \(K, d\) = \(3, 2\)"):
        ex.set_start(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="2 features"):
        ex.set_data(np.zeros((5, 3)))
    # From the page, the same mistakes are shown in the widget, never raised.
    ex.on_page({"event": "move_mean", "component": 9, "x": 0, "y": 0})
    assert "from 1 to 3" in ex.message_text
    wide = explorer(np.column_stack([X, X[:, :1]]), 2)
    wide.on_page({"event": "add_point", "x": 0, "y": 0})
    assert "2-D data only" in wide.message_text
    assert wide.image.editable == {"move": True, "add": False, "remove": True}
    wide.on_page({"event": "move_mean", "component": 1, "x": 0.5, "y": 0.5})
    assert wide.start[0][:2] == (0.5, 0.5)  # the third feature keeps its start


@pytest.mark.parametrize("moves", ["controls", "placed", "data"])
def test_the_code_shown_reproduces_the_run_on_screen(moves):
    ex = explorer(covariance_type="tied", reg_covar=1e-3)
    if moves in ("placed", "data"):
        ex.move_mean(3, (1.5, -0.5))
    if moves == "data":
        ex.add_point((3.0, 3.0))
        ex.remove_point(X[0])
    ex.set_step(3)
    ex.hands.code_button.value = True
    code = ex.hands.code_view.value
    assert code == ex.code() and ex.hands.code_view.layout.display is None
    assert "history.frame(3)" in code
    namespace: dict = {}
    exec(compile(code, "<explorer code>", "exec"), namespace)  # noqa: S102 (the test's purpose)
    plt.close("all")
    np.testing.assert_array_equal(namespace["X"], ex.X)  # bit for bit: repr round-trips floats
    same_run(namespace["history"], ex.history)
    ex.hands.code_button.value = False
    assert ex.hands.code_view.layout.display == "none"


def test_the_page_learns_where_the_means_and_the_axes_are():
    ex = explorer()
    ex.set_step(4)
    means = ex.history.frame(4).params.means
    assert [h[0] for h in ex.image.handles] == [1, 2, 3]
    np.testing.assert_allclose([h[1:3] for h in ex.image.handles], means)
    box = ex.image.axes
    # The box is matplotlib's: a data point's pixel, from the figure's transform, maps back.
    fig_w, fig_h = ex.figure.bbox.size
    px, py = ex.ax_points.transData.transform((1.0, 2.0))
    u = (px / fig_w - box["left"]) / box["width"]
    v = ((fig_h - py) / fig_h - box["top"]) / box["height"]
    x = box["xlim"][0] + u * (box["xlim"][1] - box["xlim"][0])
    y = box["ylim"][1] - v * (box["ylim"][1] - box["ylim"][0])
    assert (x, y) == pytest.approx((1.0, 2.0), abs=1e-9)
