"""gmmviz.widgets driven from Python, as a notebook cell or a slider would drive them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import numpy as np
import pytest

import gmmviz.em
import gmmviz.fit
from gmmviz import add_component, fit_em, log_likelihood
from gmmviz import plot as gplot
from gmmviz import widgets as gw
from gmmviz.widgets import BellCurveExplorer, EMExplorer, GaussianExplorer, SingularityExplorer
from widget_checks import TurnByTurn, contrast, controls, png_of_bundle


@pytest.fixture(scope="module")
def X():
    rng = np.random.default_rng(11)
    return np.concatenate([rng.normal(c, 0.6, (50, 2)) for c in ([0, 0], [3, 0.5], [1, 3])])


@pytest.fixture
def explorer(X):
    return EMExplorer(X, 3, random_state=0)


def css_classes(w: widgets.Widget) -> set[str]:
    found = set(getattr(w, "_dom_classes", ()))
    for child in getattr(w, "children", ()):
        found |= css_classes(child)
    return found


# --------------------------------------------------------------------------------------------
# EMExplorer
# --------------------------------------------------------------------------------------------
def test_explorer_fits_and_shows_frame_zero(explorer):
    h = explorer.history
    assert h is not None and h.n_components == 3
    assert explorer.step_slider.max == h.n_frames - 1 == explorer.image.n_frames - 1
    assert explorer.step == 0
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "iteration 0" in explorer.readout
    assert explorer.message_text == ""
    # Init frame: grey points, K x 3 ellipses.
    np.testing.assert_allclose(explorer.points.get_facecolors()[0], gplot.GREY)
    assert len(explorer.ellipses) == 3 * 3
    assert explorer.n_components is explorer.k_slider


def test_explorer_is_a_box_with_css_classes(explorer):
    assert isinstance(explorer, widgets.VBox)
    assert {
        "gmmviz-em-explorer",
        "gmmviz-k-slider",
        "gmmviz-step-slider",
        "gmmviz-message",
    } <= css_classes(explorer)
    # (Play, its speed and the readout are drawn by the picture's own view in the page, with the
    # classes gmmviz-play, gmmviz-speed and gmmviz-readout: tests/browser checks them there.)


def test_text_repr_is_short_and_deterministic(X):
    a, b = EMExplorer(X, 2), EMExplorer(X, 2)
    text = a._repr_mimebundle_()["text/plain"]
    assert text == b._repr_mimebundle_()["text/plain"]
    assert text == "EMExplorer(n_points=150, K=2, covariance_type='full', init='kmeans')"


def test_moving_the_frame_slider_updates_existing_artists(explorer):
    points, ellipses = explorer.points, list(explorer.ellipses)
    n_children = len(explorer.ax_points.get_children())
    before_colors = explorer.points.get_facecolors().copy()
    before_width = explorer.ellipses[0].width
    before_png = bytes(explorer.image.value)

    last = explorer.history.n_frames - 1
    explorer.step_slider.value = last
    frame = explorer.history.frame(last)
    assert explorer.points is points and explorer.ellipses == ellipses  # same artists
    assert len(explorer.ax_points.get_children()) == n_children  # nothing re-plotted
    assert not np.allclose(explorer.points.get_facecolors(), before_colors)
    np.testing.assert_allclose(explorer.points.get_facecolors(), gplot.soft_colors(frame.resp))
    assert explorer.ellipses[0].width != before_width
    assert explorer.ellipses[0].center == pytest.approx(tuple(frame.params.means[0]))
    assert explorer.ll_marker.get_data()[0] == [frame.iteration]
    assert bytes(explorer.image.value) != before_png
    assert f"half-step {last} of {last}" in explorer.readout


def test_set_step_moves_the_slider_and_checks_range(explorer):
    explorer.set_step(2)
    assert explorer.step_slider.value == 2
    assert "M-step" in explorer.readout
    with pytest.raises(ValueError, match="from 0 to"):
        explorer.set_step(explorer.history.n_frames)


def test_the_readout_travels_with_its_picture(explorer):
    """The page shows a frame's readout with its picture: each picture sent carries its own."""
    explorer.set_step(3)
    assert explorer.image.value_index == 3 and "half-step 3 " in explorer.image.readout
    explorer.set_step(1)
    assert explorer.image.value_index == 1 and "half-step 1 " in explorer.image.readout


def test_e_and_m_frames_share_the_points_layer(explorer):
    explorer.set_step(3)  # E of iteration 2
    colours = explorer.points.get_facecolors().copy()
    png_e = bytes(explorer.image.value)
    explorer.set_step(4)  # M of iteration 2: same colours, ellipses moved
    np.testing.assert_allclose(explorer.points.get_facecolors(), colours)
    assert bytes(explorer.image.value) != png_e
    explorer.set_step(3)  # from the cached layer: exactly the same picture as before
    assert bytes(explorer.image.value) == png_e


def test_changing_k_refits(explorer):
    old = explorer.history
    explorer.set_step(3)
    explorer.k_slider.value = 2
    assert explorer.history is not old
    assert explorer.history.n_components == 2
    assert len(explorer.ellipses) == 2 * 3
    assert explorer.step == 0 and explorer.image.index == 0
    assert explorer.step_slider.max == explorer.history.n_frames - 1 == explorer.image.n_frames - 1
    explorer.k_slider.value = 5
    assert explorer.history.n_components == 5
    # This K's ellipses and dashed 'where they were' rings: 3 rings + 1 ghost per component; the
    # K=2 ones are kept for the learner's next K=2, hidden (a frame shows only its K's).
    current = {*explorer.ellipses, *explorer.shift.rings}
    assert len(current) == 5 * 3 + 5 and current <= set(explorer.ax_points.patches)
    assert all(e.get_visible() for e in explorer.ellipses)
    others = [p for p in explorer.ax_points.patches if p not in current]
    assert len(others) >= 2 * 3 + 2 and not any(p.get_visible() for p in others)
    assert len(explorer.means.markers.get_offsets()) == 5


def test_changing_the_start_refits(explorer):
    old = explorer.history
    explorer.seed_input.value = 3
    explorer.init_dropdown.value = "random"
    assert explorer.history is not old and explorer.history.init == "random"
    explorer.cov_dropdown.value = "spherical"
    assert explorer.history.covariance_type == "spherical"
    explorer.reg_slider.value = 1e-2
    assert explorer.history.reg_covar == pytest.approx(1e-2)


def test_history_length_changes_with_k(X):
    ex = EMExplorer(X, 1)
    n1 = len(ex.history)
    assert n1 == ex.history.n_frames
    ex.k_slider.value = 3
    assert ex.history.n_components == 3 and len(ex.history) != n1


def test_d4_data_shows_the_chosen_marginal():
    rng = np.random.default_rng(2)
    X = np.concatenate([rng.normal(c, 0.5, (40, 4)) for c in (0, 3)])
    ex = EMExplorer(X, 2, dims=(1, 3))
    ex.set_step(ex.history.n_frames - 1)
    final = ex.history.final
    cov = final.full_covariances()[0][np.ix_((1, 3), (1, 3))]
    w, h, _ = gplot.ellipse_geometry(cov, 1)
    assert (ex.ellipses[0].width, ex.ellipses[0].height) == pytest.approx((w, h))
    assert ex.ellipses[0].center == pytest.approx(tuple(final.means[0, [1, 3]]))


# --- bad input: a message in the widget, never a traceback -----------------------------------
def test_1d_data_shows_a_message(X):
    ex = EMExplorer(X[:, 0], 2)
    assert ex.history is None
    assert "one-dimensional" in ex.message_text and "(n_points, 2)" in ex.message_text
    assert ex.message.layout.display != "none"
    assert ex.k_slider.disabled and ex.step_slider.disabled
    assert repr(ex) == "EMExplorer(no data)"
    assert bytes(ex.image.value).startswith(b"\x89PNG")  # an empty figure, not a broken one


def test_k_larger_than_the_data_allows_shows_a_message(X):
    ex = EMExplorer(X[:5], 8)
    assert ex.history is None
    assert "K=8" in ex.message_text and "5 points" in ex.message_text


def test_k_slider_past_the_data_keeps_the_last_fit(X):
    ex = EMExplorer(X[:6], 2)
    good = ex.history
    ex.k_slider.value = 9
    assert ex.history is good
    assert "K=9" in ex.message_text
    ex.k_slider.value = 3  # a good value clears the message
    assert ex.message_text == "" and ex.history.n_components == 3


def test_duplicate_points_limit_k(X):
    ex = EMExplorer(np.repeat(X[:2], 10, axis=0), 3)
    assert ex.history is None and "distinct" in ex.message_text


def test_unexpected_errors_in_callbacks_are_shown_not_raised(explorer, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gmmviz.fit, "fit_em", broken)
    explorer.k_slider.value = 4  # must not raise
    assert "RuntimeError: disk on fire" in explorer.message_text
    assert "Internal error" in explorer.message_text  # a bug, not the learner's input ...
    [record] = [r for r in caplog.records if r.name == "gmmviz.widgets"]
    assert record.exc_info[0] is RuntimeError  # ... with its traceback in the log


def test_expected_errors_are_shown_as_they_are_and_not_logged(explorer, monkeypatch, caplog):
    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("Matrix is singular")

    monkeypatch.setattr(gmmviz.fit, "fit_em", singular)
    explorer.k_slider.value = 4
    assert explorer.message_text.startswith("Could not fit K=4. Matrix is singular")
    assert "Internal" not in explorer.message_text
    assert not [r for r in caplog.records if r.name == "gmmviz.widgets"]


def test_bad_arguments_become_messages(X):
    assert "Unknown init" in EMExplorer(X, 2, init="magic").message_text
    assert "dims" in EMExplorer(X, 2, dims=(0, 5)).message_text
    assert "at least 1" in EMExplorer(X, 0).message_text
    assert "NaN" in EMExplorer(np.array([[0.0, np.nan], [1.0, 2.0]]), 1).message_text
    assert "array of numbers" in EMExplorer("abc", 1).message_text


# --------------------------------------------------------------------------------------------
# GaussianExplorer
# --------------------------------------------------------------------------------------------
def test_gaussian_explorer_sliders_move_samples_and_ellipses():
    g = GaussianExplorer(n_samples=200)
    assert "gmmviz-gaussian-explorer" in g._dom_classes
    # the sliders are named like the axes (x₁, x₂) and the rest of the course: μ₁, μ₂, σ₁, σ₂, ρ
    sliders = (g.mu_x_slider, g.mu_y_slider, g.sigma_x_slider, g.sigma_y_slider, g.rho_slider)
    assert [s.description for s in sliders] == ["μ₁", "μ₂", "σ₁", "σ₂", "ρ"]
    assert (g.ax.get_xlabel(), g.ax.get_ylabel()) == ("$x_1$", "$x_2$")
    assert "x₁" in g.sigma_x_slider.tooltip and "x₂" in g.sigma_y_slider.tooltip
    z = g._z
    g.set_params(mean=(1.0, -0.5), sigma_x=2.0, sigma_y=0.5, rho=0.6)
    cov = np.array([[4.0, 0.6], [0.6, 0.25]])
    np.testing.assert_allclose(g.covariance, cov)
    np.testing.assert_allclose(g.points.get_offsets(), [1.0, -0.5] + z @ np.linalg.cholesky(cov).T)
    w, h, a = gplot.ellipse_geometry(cov, 1)
    assert (g.ellipses[0].width, g.ellipses[0].height, g.ellipses[0].angle) == pytest.approx((w, h, a))
    assert g.ellipses[0].center == pytest.approx((1.0, -0.5))
    assert "4.00" in g.matrix.value and "0.60" in g.matrix.value and "0.25" in g.matrix.value
    png = bytes(g.image.value)
    g.rho_slider.value = -0.6  # a slider alone redraws too
    assert g.covariance[0, 1] == pytest.approx(-0.6)
    assert bytes(g.image.value) != png


def test_gaussian_explorer_rejects_a_degenerate_rho():
    g = GaussianExplorer()
    with pytest.raises(ValueError, match="strictly between -1 and 1"):
        g.set_params(rho=1.0)
    assert "strictly between -1 and 1" in g.message_text
    assert g.rho_slider.value == 0.0
    with pytest.raises(ValueError, match="outside the slider"):
        g.set_params(sigma_x=10.0)
    with pytest.raises(ValueError, match="positive"):
        GaussianExplorer(sigma_x=0.0)


def test_gaussian_explorer_checks_n_samples_and_random_state_like_the_rest_of_gmmviz():
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        GaussianExplorer(n_samples=0)
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        GaussianExplorer(n_samples=2.5)
    with pytest.raises(ValueError, match="random_state must be a non-negative integer"):
        GaussianExplorer(random_state=-1)
    with pytest.raises(TypeError, match="random_state must be None, an int or a numpy Generator"):
        GaussianExplorer(random_state=0.5)
    # A Generator is used as is: the same draws as a fresh Generator with that seed.
    expected = np.random.default_rng(3).standard_normal((50, 2))
    np.testing.assert_array_equal(
        GaussianExplorer(n_samples=50, random_state=np.random.default_rng(3))._z, expected
    )


# --------------------------------------------------------------------------------------------
# BellCurveExplorer
# --------------------------------------------------------------------------------------------
@pytest.fixture
def bell():
    return BellCurveExplorer()


def test_bell_explorer_is_a_box_with_css_classes_and_a_short_repr(bell):
    assert isinstance(bell, widgets.VBox)
    assert {
        "gmmviz-bell-explorer",
        "gmmviz-bell-explorer-figure",
        "gmmviz-bell-sigma",
        "gmmviz-readout",
        "gmmviz-message",
    } <= css_classes(bell)
    assert any(isinstance(c, gw.KeyboardScope) and c.scope == "gmmviz-bell-explorer" for c in bell.children)
    assert bell._repr_mimebundle_()["text/plain"] == "BellCurveExplorer(sigma=1)" == repr(bell)
    assert bell.message_text == "" and bytes(bell.image.value).startswith(b"\x89PNG")
    s = bell.sigma_slider
    assert (s.min, s.max, s.step, s.value) == (0.2, 3.0, 0.1, 1.0)


@pytest.mark.parametrize("sigma", [0.2, 0.5, 1.0, 2.0, 3.0])
def test_bell_peak_height_and_curve_are_the_normal_density(bell, sigma):
    from scipy.stats import norm

    bell.set_sigma(sigma)
    peak = norm.pdf(0.0, scale=sigma)
    assert bell.sigma == sigma
    assert bell.peak_height == pytest.approx(peak, rel=1e-12)
    assert bell.peak_height == pytest.approx(1 / np.sqrt(2 * np.pi * sigma**2), rel=1e-12)
    x, y = bell.curve.get_data()
    np.testing.assert_allclose(y, norm.pdf(x, scale=sigma), rtol=1e-10, atol=1e-300)
    assert bell.peak_marker.get_data()[0][0] == 0.0
    assert bell.peak_marker.get_data()[1][0] == pytest.approx(peak)
    assert bell.peak_label.get_text() == f"peak {peak:.3f}"
    assert bell.peak_label.xy == pytest.approx((0.0, peak))
    assert f"<b>{peak:.3f}</b>" in bell.readout.value and f"σ = {sigma:.2f}" in bell.readout.value
    # The shaded area is the area under the curve: what the axes show of it (the tails of a wide
    # bell run past x = ±4).
    poly = bell.area.get_xy()
    shown = norm.cdf(bell.X_LIMIT / sigma) - norm.cdf(-bell.X_LIMIT / sigma)
    assert abs(np.trapezoid(poly[:, 1], poly[:, 0])) == pytest.approx(shown, abs=1e-4)
    assert poly[:, 1].min() == 0.0
    # Fixed axes: every bell fits, the σ = 0.2 peak (1.995) included.
    assert bell.ax.get_xlim() == (-4.0, 4.0) and peak < bell.ax.get_ylim()[1]


def test_the_narrowest_bell_peaks_above_one_the_widest_far_below():
    # The notebook's hand calculations: 1/√(2π · 0.2²) = 1.9947..., 1/√(2π · 2²) = 0.1994...
    narrow, wide = BellCurveExplorer(0.2), BellCurveExplorer(2.0)
    assert f"{narrow.peak_height:.3f}" == "1.995" and f"{wide.peak_height:.3f}" == "0.199"
    assert "above 1" in narrow.readout.value and "above 1" not in wide.readout.value
    assert "1.995" in narrow.headline.get_text() and "0.199" in wide.headline.get_text()
    # The dashed line at density 1 is there for both: the narrow peak is above it, the wide below.
    for b in (narrow, wide):
        assert b.one_line.get_linestyle() == "--" and tuple(b.one_line.get_ydata()) == (1.0, 1.0)
    assert narrow.peak_height > 1 > wide.peak_height


def test_moving_the_bell_slider_updates_the_artists_in_place(bell):
    artists = (bell.curve, bell.area, bell.peak_marker, bell.peak_label, bell.headline)
    n_children = len(bell.ax.get_children())
    y, png, label = bell.curve.get_ydata().copy(), bytes(bell.image.value), bell.peak_label.get_text()

    bell.sigma_slider.value = 0.5  # as the learner's slider does
    assert (bell.curve, bell.area, bell.peak_marker, bell.peak_label, bell.headline) == artists
    assert len(bell.ax.get_children()) == n_children
    assert bell.sigma == 0.5
    assert bell.curve.get_ydata().max() > y.max()  # narrower, taller
    assert bell.peak_label.get_text() != label and bell.peak_label.get_text() == "peak 0.798"
    assert bytes(bell.image.value) != png
    assert "0.798" in bell.readout.value


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (-1.0, ValueError, "σ must be positive, got -1.0: a standard deviation is a width"),
        (0.0, ValueError, "σ must be positive"),
        (float("nan"), ValueError, "σ must be finite and positive, got nan"),
        (float("inf"), ValueError, "finite"),
        (5.0, ValueError, r"σ must be between 0.2 and 3, got 5.0 \(the slider goes from 0.2 to 3\)"),
        (0.1, ValueError, "between 0.2 and 3"),
        ("wide", TypeError, "σ must be a number"),
        (None, TypeError, "σ must be a number"),
        (True, TypeError, "σ must be a number"),
    ],
)
def test_a_bad_sigma_is_refused_and_shown(bell, bad, error, match):
    import re

    png = bytes(bell.image.value)
    with pytest.raises(error, match=match):
        bell.set_sigma(bad)
    assert re.search(match, bell.message_text), bell.message_text
    assert bell.message.layout.display is None  # shown
    assert bell.sigma == 1.0 and bytes(bell.image.value) == png  # nothing changed
    with pytest.raises(error, match=match):
        BellCurveExplorer(bad)
    bell.set_sigma(1.5)  # a good value clears the message
    assert bell.message_text == ""


def test_bell_explorer_shows_callback_errors(bell, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gplot, "weighted_component_pdfs", broken)
    bell.sigma_slider.value = 2.0  # must not raise
    assert "RuntimeError: disk on fire" in bell.message_text


def test_the_bell_explorers_output_carries_a_picture_of_its_sigma(bell):
    import io

    from PIL import Image

    bundle = bell._repr_mimebundle_()
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(bundle)
    first = np.asarray(png_of_bundle(bundle), dtype=float)
    shown = np.asarray(Image.open(io.BytesIO(bell.image.value)).convert("RGB"), dtype=float)
    assert first.shape == shown.shape and np.abs(first - shown).mean() < 2.0
    bell.set_sigma(0.2)
    second = np.asarray(png_of_bundle(bell._repr_mimebundle_()), dtype=float)
    assert (first != second).any(axis=2).mean() > 0.01


def test_the_bell_explorers_picture_has_labels_a_title_and_the_course_colour(bell):
    from matplotlib.colors import to_hex

    from gmmviz.palette import PALETTE

    assert bell.ax.get_xlabel() == "x" and bell.ax.get_ylabel() == "density p(x)"
    assert bell.headline.get_text().startswith("σ = 1.00: peak height 1/√(2πσ²) = 0.399")
    assert to_hex(bell.curve.get_color()) == PALETTE[0][1].lower()
    labels = [t.get_text() for t in bell.ax.get_legend().get_texts()]
    assert (
        len(labels) == 4
        and any("area under it: 1" in t for t in labels)
        and any("density 1" in t for t in labels)
    )


@pytest.mark.parametrize("cls", [GaussianExplorer, SingularityExplorer, EMExplorer])
def test_n_std_is_a_sequence_of_radii_in_every_explorer_as_in_plot(cls, X, good):
    args = {GaussianExplorer: (), SingularityExplorer: (X, good), EMExplorer: (X, 2)}[cls]
    with pytest.raises(TypeError, match=r"n_std must be a sequence .*one-element tuple like \(2,\)"):
        cls(*args, n_std=2)
    with pytest.raises(ValueError, match="each n_std radius must be positive"):
        cls(*args, n_std=(1, -2))


def test_set_step_refuses_a_non_integer_with_a_type_error(explorer):
    with pytest.raises(TypeError, match="step must be an integer"):
        explorer.set_step(1.5)


def test_fit_warnings_are_shown_in_the_widget_not_on_stderr(explorer, monkeypatch, recwarn):
    real = gmmviz.fit.fit_em

    def warns(*args, **kwargs):
        import warnings

        warnings.warn("component 2 lost all its points", UserWarning, stacklevel=2)
        return real(*args, **kwargs)

    monkeypatch.setattr(gmmviz.fit, "fit_em", warns)
    explorer.k_slider.value = 2
    assert explorer.history.n_components == 2
    assert "component 2 lost all its points" in explorer.message_text
    assert len(recwarn) == 0


def test_the_figure_says_which_half_step_it_shows(explorer):
    explorer.set_step(0)
    assert explorer.headline_label.get_text() == "Start"
    assert "grey" in explorer.headline.get_text()
    explorer.set_step(3)  # E of iteration 2
    assert explorer.headline_label.get_text() == "E-step"
    assert "colours change" in explorer.headline.get_text()
    assert explorer.headline_when.get_text() == f"iteration 2 of {explorer.history.n_iter}"
    assert "stays" in explorer.ll_note.get_text()
    assert not explorer.shift.trails.get_visible()  # nothing moved on an E-step
    explorer.set_step(4)  # M of iteration 2: the dashed rings show the E-frame's parameters
    assert explorer.headline_label.get_text() == "M-step" and "ellipses move" in explorer.headline.get_text()
    before = explorer.history.params[1]
    assert explorer.shift.rings[0].get_visible()
    assert explorer.shift.rings[0].center == pytest.approx(tuple(before.means[0]))
    assert explorer.means.markers.get_offsets()[0] == pytest.approx(explorer.history.params[2].means[0])
    ll = explorer.history.log_likelihoods
    assert f"{ll[2] - ll[1]:+.2f}" in explorer.ll_note.get_text()


def test_ln_p_marker_and_curve_so_far_follow_the_shown_parameters(explorer):
    ll = explorer.history.log_likelihoods
    for i, t in ((0, 0), (1, 0), (2, 1), (3, 1), (4, 2)):  # init, E1, M1, E2, M2
        explorer.set_step(i)
        assert explorer.ll_marker.get_data()[0] == [t]
        np.testing.assert_allclose(explorer.ll_done.get_data()[1], ll[: t + 1])


def test_cached_text_gives_the_same_picture_as_drawing_it(X):
    # The first sweep draws every text; the second pastes cached bitmaps of it.
    ex = EMExplorer(X, 3, random_state=0)
    n = ex.history.n_frames
    first = []
    for i in range(n):
        ex.set_step(i)
        first.append(bytes(ex.image.value))
    for i in reversed(range(n)):
        ex.set_step(i)
        assert bytes(ex.image.value) == first[i], f"frame {i} differs once its text is cached"


# --------------------------------------------------------------------------------------------
# SingularityExplorer
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def good(X):
    return fit_em(X, 3, random_state=0).final


@pytest.fixture
def needle(X, good):
    return SingularityExplorer(X, good, point_index=5)


def test_singularity_explorer_is_a_box_with_css_classes_and_a_short_repr(needle, X, good):
    assert isinstance(needle, widgets.VBox)
    assert {
        "gmmviz-singularity-explorer",
        "gmmviz-singularity-explorer-figure",
        "gmmviz-sigma-slider",
        "gmmviz-reg-toggle",
        "gmmviz-reg-covar",
        "gmmviz-readout",
        "gmmviz-message",
    } <= css_classes(needle)
    assert needle._repr_mimebundle_()["text/plain"] == "SingularityExplorer(n_points=150, K=4, point_index=5)"
    assert repr(SingularityExplorer(X, good, point_index=5)) == repr(needle)
    assert needle.message_text == ""
    assert bytes(needle.image.value).startswith(b"\x89PNG")
    assert needle.sigma == pytest.approx(0.1) and needle.reg_covar == 0.0
    assert needle.reg_slider.disabled


def test_the_shown_mixture_is_the_fit_plus_a_needle_on_the_point(needle, X, good):
    p = needle.params
    assert p.n_components == 4
    np.testing.assert_allclose(p.weights, [*(0.95 * good.weights), 0.05])
    np.testing.assert_array_equal(p.means[-1], X[5])
    np.testing.assert_allclose(p.covariances[-1], 0.01 * np.eye(2))
    assert needle.log_likelihood == pytest.approx(log_likelihood(X, add_component(good, X[5], 0.01, 0.05)))


def test_moving_the_sigma_slider_updates_the_artists_in_place(needle, X):
    artists = (needle.points, list(needle.ellipses), needle.ll_marker, needle.sigma_line)
    n_children = (len(needle.ax_points.get_children()), len(needle.ax_ll.get_children()))
    ring = needle.needle_ellipses[0]
    width, colors = ring.width, needle.points.get_facecolors().copy()
    marker, png = needle.ll_marker.get_data(), bytes(needle.image.value)

    needle.sigma_slider.value = -3.0  # as the learner's slider does
    assert (needle.points, list(needle.ellipses), needle.ll_marker, needle.sigma_line) == artists
    assert (len(needle.ax_points.get_children()), len(needle.ax_ll.get_children())) == n_children
    assert needle.sigma == pytest.approx(1e-3)
    assert ring.width == pytest.approx(2e-3) and ring.width < width  # 1σ ring: diameter 2σ
    assert ring.center == pytest.approx(tuple(X[5]))
    x, y = needle.ll_marker.get_data()
    assert x[0] == pytest.approx(1e-3) and x[0] != marker[0][0]
    assert y[0] == pytest.approx(needle.log_likelihood) and y[0] != marker[1][0]
    assert needle.sigma_line.get_xdata()[0] == pytest.approx(1e-3)
    assert not np.allclose(needle.points.get_facecolors(), colors)  # the needle owns its point now
    assert bytes(needle.image.value) != png
    assert "1.00e-03" in needle.readout.value and "γ = 1.000" in needle.readout.value


def test_ln_p_grows_without_bound_as_sigma_shrinks(needle):
    lls = []
    for sigma in (1e-3, 1e-6, 1e-9, 1e-12):
        needle.set_sigma(sigma)
        lls.append(needle.log_likelihood)
        assert f"ln p(X) = {needle.log_likelihood:.2f}" in needle.readout.value
        assert f"{needle.log_likelihood:.2f}" in needle.headline.get_text()
    np.testing.assert_allclose(np.diff(lls), 2 * np.log(1000.0), rtol=1e-6)  # + ln 10⁶ per step in 2-D
    assert "higher" in needle.readout.value  # the needle beats the honest fit
    curve = needle.ll_curve.get_ydata()
    assert curve[0] > curve[len(curve) // 2]  # the curve on the right rises as σ → 0
    assert "→ ∞" in needle.ll_note.get_text()
    needle.set_log10_sigma(-6.0)
    assert needle.sigma == pytest.approx(1e-6)


def test_reg_covar_caps_ln_p(needle, X, good):
    needle.set_sigma(1e-12)
    free = needle.log_likelihood
    needle.set_reg_covar(1e-4)
    assert needle.reg_toggle.value and not needle.reg_slider.disabled and needle.reg_covar == 1e-4
    capped = needle.log_likelihood
    assert capped < free
    # The needle's variance is σ² + reg_covar: it stops shrinking at sd = 1e-2.
    assert needle.needle_ellipses[0].width == pytest.approx(2e-2, rel=1e-6)
    assert needle.limit_line.get_visible() and needle.ll_curve_free.get_visible()
    ceiling = needle.limit_line.get_ydata()[0]
    assert capped == pytest.approx(ceiling, abs=1e-6)
    for sigma in (1e-6, 1e-9):
        needle.set_sigma(sigma)
        assert needle.log_likelihood == pytest.approx(ceiling, abs=1e-4)
    curve = needle.ll_curve.get_ydata()
    left = needle.ll_curve.get_xdata() < 1e-4  # σ ≪ √reg_covar: flat at the limit
    np.testing.assert_allclose(curve[left], ceiling, atol=1e-3)
    assert f"{ceiling:.1f}" in needle.ll_note.get_text()
    # reg_covar is added to every variance, as EM's M-step does.
    np.testing.assert_allclose(needle.params.covariances[0], good.covariances[0] + 1e-4 * np.eye(2))
    # A bigger reg_covar, a lower ceiling; the checkbox alone switches it off again.
    needle.reg_slider.value = 1e-2
    assert needle.limit_line.get_ydata()[0] < ceiling
    needle.reg_toggle.value = False
    assert needle.reg_covar == 0.0 and needle.reg_slider.disabled
    assert not needle.limit_line.get_visible()
    assert needle.log_likelihood > free - 40  # σ = 1e-9, uncapped again
    np.testing.assert_allclose(needle.ll_curve.get_ydata(), needle.ll_curve_free.get_ydata())


def test_reg_covar_from_the_constructor(X, good):
    ex = SingularityExplorer(X, good, reg_covar=1e-6, log10_sigma=-12.0)
    assert ex.reg_toggle.value and ex.reg_covar == 1e-6 and ex.sigma == pytest.approx(1e-12)
    assert ex.params.covariances[-1] == pytest.approx((1e-24 + 1e-6) * np.eye(2))


def test_singularity_explorer_setters_check_their_range(needle):
    with pytest.raises(ValueError, match=r"log10 σ must be between -12 and 0.5, got 3.0 \(σ from 1e-12"):
        needle.set_log10_sigma(3.0)
    assert "log10 σ" in needle.message_text
    with pytest.raises(ValueError, match="positive"):
        needle.set_sigma(0.0)
    with pytest.raises(ValueError, match="reg_covar"):
        needle.set_reg_covar(5.0)
    # A value that is not a number is a TypeError, as everywhere in gmmviz, and is shown too.
    with pytest.raises(TypeError, match="σ must be a number"):
        needle.set_sigma("wide")
    assert "σ must be a number" in needle.message_text
    with pytest.raises(TypeError, match="log10 σ must be a number"):
        needle.set_log10_sigma(None)
    with pytest.raises(TypeError, match="reg_covar must be a number"):
        needle.set_reg_covar("1e-6")
    assert "reg_covar" in needle.message_text
    needle.set_sigma(0.01)  # a good value clears the message
    assert needle.message_text == ""


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(point_index=150), "point_index must be from 0 to 149, got 150: X has 150 points"),
        (dict(point_index=-1), "point_index"),
        (dict(point_index=1.5), "point_index"),
        (dict(weight=1.0), "weight"),
        (dict(log10_sigma=-20.0), "log10_sigma"),
        (dict(reg_covar=-1.0), "reg_covar"),
    ],
)
def test_bad_arguments_are_shown_in_the_singularity_explorer(X, good, kwargs, match):
    ex = SingularityExplorer(X, good, **kwargs)
    import re

    assert re.search(match, ex.message_text), ex.message_text
    assert ex.sigma_slider.disabled and ex.reg_toggle.disabled
    assert repr(ex) == "SingularityExplorer(invalid input)"
    assert bytes(ex.image.value).startswith(b"\x89PNG")


def test_params_of_another_dimension_or_kind_are_shown_not_raised(X, good):
    X3 = np.column_stack([X, X[:, 0]])
    assert "X has 3 feature(s) but the parameters have 2" in SingularityExplorer(X3, good).message_text
    assert "GMMParams" in SingularityExplorer(X, {"means": [0, 0]}).message_text
    tied = fit_em(X, 3, covariance_type="tied", random_state=0).final
    assert "tied" in SingularityExplorer(X, tied).message_text
    assert "one-dimensional" in SingularityExplorer(X[:, 0], good).message_text


def test_singularity_explorer_on_d3_data_shows_the_chosen_marginal():
    rng = np.random.default_rng(2)
    X3 = rng.normal(size=(80, 3))
    fit = fit_em(X3, 2, random_state=0).final
    ex = SingularityExplorer(X3, fit, point_index=7, dims=(0, 2))
    assert ex.message_text == ""
    np.testing.assert_allclose(ex.means.markers.get_offsets()[-1], X3[7, [0, 2]])
    assert ex.params.covariances[-1] == pytest.approx(0.01 * np.eye(3))


def test_singularity_explorer_shows_callback_errors(needle, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gmmviz.em, "e_step", broken)
    needle.sigma_slider.value = -4.0  # must not raise
    assert "RuntimeError: disk on fire" in needle.message_text


# --------------------------------------------------------------------------------------------
# Values used as given: nothing clamped silently
# --------------------------------------------------------------------------------------------
def test_reg_covar_zero_is_used_as_zero(X):
    ex = EMExplorer(X, 3, reg_covar=0.0, random_state=0)
    assert ex.reg_slider.value == 0.0 and ex.message_text == ""
    reference = fit_em(X, 3, reg_covar=0.0, random_state=0)
    np.testing.assert_allclose(ex.history.final.covariances, reference.final.covariances)
    # ... and differs from the smallest positive choice (it is not 1e-9 in disguise).
    tiny = fit_em(X, 3, reg_covar=1e-9, random_state=0).final.covariances
    assert not np.array_equal(reference.final.covariances, tiny)


@pytest.mark.parametrize(
    "bad, match",
    [
        (2.5, "K (n_components) must be an integer, got 2.5"),
        (True, "must be an integer, got True"),
        (0, "at least 1"),
    ],
)
def test_a_bad_k_is_shown_not_replaced(X, bad, match):
    ex = EMExplorer(X, bad, random_state=0)
    assert match in ex.message_text
    assert ex.history is None  # nothing was fitted with a K the caller did not ask for


def test_a_reg_covar_between_the_steps_is_kept_exactly(X):
    ex = EMExplorer(X, 2, reg_covar=3e-4, random_state=0)
    assert ex.reg_slider.value == 3e-4
    labels = [label for label, _ in ex.reg_slider.options]
    assert labels[0] == "0" and "3e-04" in labels and "1e-06" in labels
    values = [v for _, v in ex.reg_slider.options]
    assert values == sorted(values)


@pytest.mark.parametrize("bad", [-1e-6, float("nan"), float("inf"), "1e-6", True])
def test_a_bad_reg_covar_is_shown_not_replaced(X, bad):
    ex = EMExplorer(X, 2, reg_covar=bad)
    assert "reg_covar must be" in ex.message_text and "non-negative" in ex.message_text
    assert ex.history is None  # nothing was fitted with some other value


def test_a_seed_of_none_is_drawn_and_shown_not_zero(X):
    ex = EMExplorer(X, 3, random_state=None)
    seed = ex.seed_input.value
    assert f"drew seed {seed} at random" in ex.message_text
    # The seed box holds the seed the fit used: refitting with it reproduces the fit.
    np.testing.assert_array_equal(ex.history.final.means, fit_em(X, 3, random_state=seed).final.means)
    seeds = {EMExplorer(X, 1, random_state=None).seed_input.value for _ in range(3)}
    assert len(seeds) > 1  # fresh randomness, not a constant stand-in


def test_a_generator_seed_follows_the_generator(X):
    a = EMExplorer(X, 2, random_state=np.random.default_rng(5)).seed_input.value
    b = EMExplorer(X, 2, random_state=np.random.default_rng(5)).seed_input.value
    # The shared rule (_validation.as_seed): a seed drawn from the generator.
    assert a == b == int(np.random.default_rng(5).integers(2**31 - 1))


@pytest.mark.parametrize(
    "bad, match", [(-1, "non-negative"), (1.5, "None, an int"), (True, "None, an int"), (2**60, "from 0 to")]
)
def test_a_bad_seed_is_shown_not_replaced(X, bad, match):
    ex = EMExplorer(X, 2, random_state=bad)
    assert "random_state" in ex.message_text and match in ex.message_text
    assert ex.history is None


def test_the_largest_valid_seed_is_used_as_given(X):
    ex = EMExplorer(X, 2, random_state=2**32 - 1)
    assert ex.seed_input.value == 2**32 - 1 and ex.message_text == ""
    np.testing.assert_array_equal(ex.history.final.means, fit_em(X, 2, random_state=2**32 - 1).final.means)


# --------------------------------------------------------------------------------------------
# Readable without a kernel: a picture in the same output
# --------------------------------------------------------------------------------------------


def _all_explorers(X):
    good = fit_em(X, 3, random_state=0).final
    return [
        EMExplorer(X, 3, random_state=0),
        GaussianExplorer(),
        SingularityExplorer(X, good),
        BellCurveExplorer(),
    ]


def test_every_explorer_output_has_the_widget_and_a_picture_of_its_state(X):
    import io

    from PIL import Image

    for ex in _all_explorers(X):
        if isinstance(ex, EMExplorer):
            ex.set_step(ex.history.n_frames - 1)  # its picture is the finished fit (next test)
        bundle = ex._repr_mimebundle_()
        assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.model_id
        assert bundle["text/plain"] == repr(ex)
        static = np.asarray(png_of_bundle(bundle), dtype=float)
        shown = np.asarray(Image.open(io.BytesIO(ex.image.value)).convert("RGB"), dtype=float)
        # The same picture as the widget shows (64 colours: small differences in shading only).
        assert static.shape == shown.shape
        assert np.abs(static - shown).mean() < 2.0


def test_the_em_explorers_picture_is_the_finished_fit_whatever_step_is_shown(X):
    import io

    from PIL import Image

    ex = EMExplorer(X, 3, random_state=0)
    assert ex.step == 0  # the live explorer opens on the start
    live = bytes(ex.image.value)
    start_shown = np.asarray(Image.open(io.BytesIO(live)).convert("RGB"), dtype=float)
    static = np.asarray(png_of_bundle(ex._repr_mimebundle_()), dtype=float)
    assert ex.step == 0 and bytes(ex.image.value) == live  # the live view did not move
    assert np.abs(static - start_shown).mean() > 2.0  # not the start ...
    ex.set_step(ex.history.n_frames - 1)
    end_shown = np.asarray(Image.open(io.BytesIO(ex.image.value)).convert("RGB"), dtype=float)
    assert np.abs(static - end_shown).mean() < 2.0  # ... but the last half-step, as drawn live
    ex.set_step(3)
    again = np.asarray(png_of_bundle(ex._repr_mimebundle_()), dtype=float)
    np.testing.assert_array_equal(again, static)


def test_the_picture_follows_the_state():
    g = GaussianExplorer()
    first = np.asarray(png_of_bundle(g._repr_mimebundle_()))
    g.set_params(rho=0.8)
    second = np.asarray(png_of_bundle(g._repr_mimebundle_()))
    assert (first != second).any(axis=2).mean() > 0.001


def test_a_saved_notebook_output_holds_the_widget_view_and_the_png(tmp_path):
    # What nbval and readers see: run a tiny notebook in a real kernel and read its output.
    import nbclient
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import numpy as np\nfrom gmmviz.widgets import EMExplorer\n"
            "X = np.random.default_rng(0).normal(size=(60, 2))\nEMExplorer(X, 2, random_state=0)"
        )
    ]
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # the kernel inherits this interpreter's environment (and PYTHONPATH)
    (output,) = [o for o in nb.cells[0].outputs if o["output_type"] == "execute_result"]
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(output["data"])
    assert (
        output["data"]["text/plain"] == "EMExplorer(n_points=60, K=2, covariance_type='full', init='kmeans')"
    )
    png_of_bundle(output["data"])


# --------------------------------------------------------------------------------------------
# Accessibility: labelled controls, readable text
# --------------------------------------------------------------------------------------------


def test_every_explorer_control_has_a_label_and_a_tooltip(X):
    for ex in _all_explorers(X):
        found = controls(ex)
        assert len(found) >= (1 if isinstance(ex, BellCurveExplorer) else 3), type(ex).__name__
        for c in found:
            label = (c.description or "").strip()
            assert label and label not in {"▶", "⏵", "►"}, f"{type(ex).__name__}: {c!r} has no label"
            assert label.split()[0] in (c.tooltip or ""), (
                f"{type(ex).__name__}: the tooltip of {label!r} does not name it"
            )


def test_a_refit_stops_play_and_gives_the_page_the_new_length(explorer):
    explorer.image.playing = True  # the learner pressed Play in the page
    n_old = explorer.image.n_frames
    explorer.seed_input.value = 7
    explorer.init_dropdown.value = "random"
    assert not explorer.image.playing
    assert explorer.image.n_frames == explorer.history.n_frames != n_old


def test_play_offers_speeds_and_keeps_the_one_asked_for(X):
    ex = EMExplorer(X, 3, random_state=0, interval=300)
    speeds = dict((ms, label) for label, ms in ex.image.speeds)
    assert ex.image.interval == 300 and speeds[300] == "one every 300 ms"
    assert speeds[1000] == "1 half-step a second" and speeds[250] == "4 half-steps a second"
    assert EMExplorer(X, 3, random_state=0).image.interval == 250  # the default: 4 a second
    with pytest.raises(ValueError, match="interval"):
        EMExplorer(X, 3, random_state=0, interval=0)


def text_colour_pairs(markup):
    """(text colour, background) of every run of text in ``markup``, from its inline styles.

    Elements inherit colour and background from their ancestors; the page is white. Decorative
    elements (aria-hidden, e.g. the colour squares) are not text.
    """
    import re
    from html.parser import HTMLParser

    pairs = []

    class Walk(HTMLParser):
        stack = [("#000000", "#ffffff", False)]

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            colour, background, hidden = self.stack[-1]
            style = attrs.get("style") or ""
            m = re.search(r"(?:^|;)\s*color:\s*(#[0-9a-fA-F]{6})", style)
            colour = m.group(1) if m else colour
            m = re.search(r"background:\s*(#[0-9a-fA-F]{6})", style)
            background = m.group(1) if m else background
            hidden = hidden or attrs.get("aria-hidden") == "true"
            if tag != "br":
                self.stack.append((colour, background, hidden))

        def handle_endtag(self, tag):
            if tag != "br":
                self.stack.pop()

        def handle_data(self, data):
            colour, background, hidden = self.stack[-1]
            if data.strip() and not hidden:
                pairs.append((colour, background, data.strip()))

    Walk().feed(markup)
    return pairs


def test_contrast_helper_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_readouts_and_messages_meet_text_contrast(X):
    ex, gauss, needle, bell = _all_explorers(X)
    markup = [ex.readout, gauss.matrix.value, needle.readout.value, bell.readout.value]
    bell.set_sigma(0.2)  # the readout with "above 1" in bold
    markup.append(bell.readout.value)
    for i in range(ex.history.n_frames):  # every badge colour (start, E, M)
        ex.set_step(i)
        markup.append(ex.readout)
    ex.show_message("an error")
    markup.append(ex.message.value)
    ex.show_message("a note", note=True)
    markup.append(ex.message.value)
    markup.append(EMExplorer(X, 2, reg_covar=-1.0).message.value)
    pairs = [p for m in markup for p in text_colour_pairs(m)]
    assert len(pairs) > 20
    # The readouts set their own text colour: the theme cannot make them unreadable.
    assert all(p[0] != "#000000" or p[1] != "#ffffff" for p in pairs if "π" in p[2])
    low = [(c, b, t, round(contrast(c, b), 2)) for c, b, t in pairs if contrast(c, b) < 4.5]
    assert low == []


# --------------------------------------------------------------------------------------------
# Frames seen before are not drawn again
# --------------------------------------------------------------------------------------------
def test_a_frame_seen_before_is_resent_not_redrawn_and_looks_the_same(X, monkeypatch):
    import io

    from PIL import Image

    ex = EMExplorer(X, 3, random_state=0)
    n = ex.history.n_frames
    for i in range(n):
        ex.set_step(i)
    draws = []
    real_draw = ex.renderer.blitter.draw
    monkeypatch.setattr(ex.renderer.blitter, "draw", lambda *a, **k: (draws.append(a[0]), real_draw(*a, **k)))
    for i in reversed(range(n)):
        ex.set_step(i)
        # The artists still describe the frame shown (the ln p(X) ring on its iteration).
        assert ex.ll_marker.get_xdata()[0] == ex.history.frame(i).params_index
    assert draws == []  # every frame came from the cache
    # Independent check: a fresh explorer drawing each frame directly gives the same pixels.
    for i in (n - 1, 2, 0):
        fresh = EMExplorer(X, 3, random_state=0)
        fresh.set_step(i)
        ex.set_step(i)
        a = np.asarray(Image.open(io.BytesIO(ex.image.value)))
        b = np.asarray(Image.open(io.BytesIO(fresh.image.value)))
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "control, keyword, value",
    [
        ("k_slider", "n_components", 3),
        ("seed_input", "random_state", 5),
        ("cov_dropdown", "covariance_type", "spherical"),
        ("init_dropdown", "init", "kmeans"),
        ("reg_slider", "reg_covar", 1.0),
    ],
)
def test_a_refit_shows_the_new_fit_never_the_old_fits_cached_pictures(X, control, keyword, value):
    # 'random' starts, so that the seed changes the fit too (k-means finds the same start for any seed).
    settings = {
        "n_components": 2,
        "init": "random",
        "random_state": 0,
        "covariance_type": "full",
        "reg_covar": 1e-6,
    }
    ex = EMExplorer(X, **settings)
    old_n = ex.history.n_frames
    old = {}
    for i in range(old_n):  # every picture of the old fit is in the cache
        ex.set_step(i)
        old[i] = bytes(ex.image.value)
    getattr(ex, control).value = value  # the control refits
    fresh = EMExplorer(X, **{**settings, keyword: value})  # the same controls, no cache behind it
    np.testing.assert_array_equal(ex.history.log_likelihoods, fresh.history.log_likelihoods)
    assert ex.history.n_frames == fresh.history.n_frames
    for i in (0, 1, fresh.history.n_frames - 1):
        fresh.set_step(i)
        ex.set_step(i)
        assert bytes(ex.image.value) == bytes(fresh.image.value), f"half-step {i}"
        if i < old_n:
            assert bytes(ex.image.value) != old[i], f"half-step {i} shows the old fit"
    # Back to the old controls: the old fit and its pictures, which are still right for them.
    getattr(ex, control).value = settings[keyword]
    assert ex.history.n_frames == old_n
    for i in (0, old_n - 1):
        ex.set_step(i)
        assert bytes(ex.image.value) == old[i]


def test_frames_rendered_ahead_equal_frames_drawn_on_demand(X):
    loop = TurnByTurn()
    ex = EMExplorer(X, 3, random_state=0, scheduler=loop)
    ex.set_step(2)
    assert not loop.pending and set(ex.current_fit.pngs) == {0, 2}  # no page: nothing drawn ahead
    marker = ex.ll_marker.get_xdata().copy()
    ex.on_page({"event": "learner", "control": "step"})  # the learner's key press in the page
    loop.run_all()  # what the kernel's event loop would run, turn by turn
    assert set(ex.current_fit.pngs) == set(range(ex.history.n_frames))
    np.testing.assert_array_equal(ex.ll_marker.get_xdata(), marker)  # the artists stayed on frame 2
    fresh = EMExplorer(X, 3, random_state=0)
    for i in (1, ex.history.n_frames - 1):
        fresh.set_step(i)
        assert ex.current_fit.pngs[i] == fresh.image.value


def test_the_explorers_label_their_axes_like_every_picture(X):
    # 1-based x_i as in the maths and in gmmviz.plot (not the 0-based "x0"/"x1" of NumPy indices)
    ex = EMExplorer(X, 2, random_state=0)
    assert (ex.ax_points.get_xlabel(), ex.ax_points.get_ylabel()) == ("$x_{1}$", "$x_{2}$")
    sing = SingularityExplorer(X, fit_em(X, 2, random_state=0).final)
    assert (sing.ax_points.get_xlabel(), sing.ax_points.get_ylabel()) == ("$x_{1}$", "$x_{2}$")
