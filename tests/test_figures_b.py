"""gmmviz.figures, notebooks 05-09 part: each figure draws what its parameters say."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

import gmmviz.datasets  # noqa: E402
from gmmviz import (  # noqa: E402
    e_step,
    figures,  # noqa: E402
    fit_em,
    log_likelihood,
)
from gmmviz.bound import em_bound_trace, mean_slice  # noqa: E402
from gmmviz.palette import FLAGGED_COLOR, component_colors  # noqa: E402
from gmmviz.params import GMMParams  # noqa: E402
from gmmviz.plot import soft_colors  # noqa: E402


@pytest.fixture()
def data():
    X, _ = gmmviz.datasets.make_dataset("overlapping", n_samples=150, random_state=0)
    return X, fit_em(X, 3, random_state=0)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_fit_draws_every_component_and_labels_the_axes(data):
    X, hist = data
    fig, ax = plt.subplots()
    out = figures.plot_fit(ax, X, hist.final, n_std=(1, 2))
    assert isinstance(out, figures.FitArtists)
    assert len(out.ellipses) == 3 * 2 and all(isinstance(e, Ellipse) for e in out.ellipses)
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 6
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    assert f"{log_likelihood(X, hist.final):.1f}" in ax.get_title()  # the default title states ln p(X)
    np.testing.assert_allclose(out.points.get_offsets(), X)
    resp, _ = e_step(X, hist.final)
    np.testing.assert_allclose(out.points.get_facecolors(), soft_colors(resp), atol=1e-6)
    np.testing.assert_allclose(out.means.markers.get_offsets(), hist.final.means)


def test_plot_fit_takes_given_colours_and_title(data):
    X, hist = data
    fig, ax = plt.subplots()
    hard = np.eye(3)[np.arange(len(X)) % 3]
    out = figures.plot_fit(ax, X, hist.final, resp=hard, title="mine", xlabel="a", ylabel="b")
    assert ax.get_title() == "mine" and ax.get_xlabel() == "a"
    np.testing.assert_allclose(out.points.get_facecolors(), soft_colors(hard), atol=1e-6)


def test_plot_covariance_types_counts_parameters_like_sklearn(data):
    X, _ = data
    fits = {
        cov: fit_em(X, 3, covariance_type=cov, random_state=0).final
        for cov in ("spherical", "diag", "tied", "full")
    }
    fig, axes = plt.subplots(1, 4)
    out = figures.plot_covariance_types(axes, X, fits)
    assert list(out) == list(fits)
    for ax, (cov, params) in zip(axes, fits.items()):
        assert isinstance(out[cov], figures.FitArtists) and out[cov].points.axes is ax
        gm = params.to_sklearn()
        assert ax.get_title().startswith(f"{cov}: p = {gm._n_parameters()},")
        assert f"BIC = {gm.bic(X):.0f}" in ax.get_title()  # scikit-learn's BIC, independently
        assert ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="one axes per covariance type"):
        figures.plot_covariance_types(axes[:2], X, fits)


def test_plot_samples_shows_data_samples_and_density(data):
    X, hist = data
    samples, _ = hist.final.to_sklearn().set_params(random_state=0).sample(40)
    fig, ax = plt.subplots()
    out = figures.plot_samples(ax, X, samples, params=hist.final)
    assert isinstance(out, figures.SampledPoints)
    np.testing.assert_allclose(out.data.get_offsets(), X)
    np.testing.assert_allclose(out.samples.get_offsets(), samples)
    assert out.density is not None and ax.get_title() and ax.get_xlabel() == "$x_1$"
    assert "40" in out.samples.get_label()
    # The density's lines carry their values.
    values = [float(t.get_text()) for t in out.density.labelTexts]
    assert values and all(v > 0 for v in values)
    fig, ax = plt.subplots()
    assert figures.plot_samples(ax, X, samples).density is None


def test_plot_image_grid_shows_each_image():
    images = np.arange(3 * 64, dtype=float).reshape(3, 64)
    fig, axes = plt.subplots(1, 3)
    out = figures.plot_image_grid(axes, images, title="digits")
    assert len(out) == 3 and fig._suptitle.get_text() == "digits"
    for img, artist, ax in zip(images, out, axes):
        np.testing.assert_array_equal(artist.get_array(), img.reshape(8, 8))
        assert not ax.axison
    with pytest.raises(ValueError, match="one image per axes"):
        figures.plot_image_grid(axes, images[:2])


def test_plot_weights_sorts_each_model():
    fig, ax = plt.subplots()
    weights = {"a": [0.2, 0.5, 0.3], "b": [0.0, 0.9, 0.1, 0.0]}
    out = figures.plot_weights(ax, weights, threshold=0.01)
    assert isinstance(out, figures.WeightBars) and list(out.bars) == ["a", "b"]
    assert [b.get_height() for b in out.bars["a"]] == [0.5, 0.3, 0.2]
    assert [b.get_height() for b in out.bars["b"]] == [0.9, 0.1, 0.0, 0.0]
    assert out.bars["a"][0].get_facecolor() != out.bars["b"][0].get_facecolor()
    assert ax.get_ylabel() and ax.get_xlabel() and ax.get_lines() == [out.threshold]  # the threshold line
    np.testing.assert_allclose(out.threshold.get_ydata(), 0.01)
    fig, ax = plt.subplots()
    assert figures.plot_weights(ax, weights).threshold is None and not ax.get_lines()


def test_plot_bound_trace_and_gap_bars_match_the_trace():
    X = gmmviz.datasets.load_faithful(standardize=True)
    trace = em_bound_trace(fit_em(X, 2, init="random", random_state=0))
    fig, (ax, ax_gap) = plt.subplots(1, 2)
    out = figures.plot_bound_trace(ax, trace, start=3)
    assert isinstance(out, figures.BoundTraceLines)
    np.testing.assert_allclose(out.log_likelihood.get_ydata(), trace.log_likelihood[3:])
    np.testing.assert_allclose(out.elbo.get_ydata(), trace.elbo[3:])
    assert np.all(out.elbo.get_ydata() <= out.log_likelihood.get_ydata() + 1e-9)  # the bound is below
    assert ax.get_xticklabels()[0].get_text() == trace.labels[3]
    bars = figures.plot_gap_bars(ax_gap, trace)
    after_m = np.array([k == "M" for k in trace.kinds])
    np.testing.assert_allclose([b.get_height() for b in bars], trace.kl[after_m])
    assert ax_gap.get_xlabel() == "iteration t"


def test_plot_bound_slice_and_line(data):
    X, hist = data
    now = hist.params[0]
    q, _ = e_step(X, now)
    from gmmviz import m_step

    direction = m_step(X, q).means[1] - now.means[1]
    s = np.linspace(-1, 2, 31)
    ll_line, elbo_line = mean_slice(X, now, q, 1, direction, s)
    fig, (ax, ax_data) = plt.subplots(1, 2)
    out = figures.plot_bound_slice(ax, s, ll_line, elbo_line)
    assert isinstance(out, figures.BoundSlice)
    assert out.touch.get_xdata()[0] == 0.0 and np.isclose(out.touch.get_ydata()[0], ll_line[10])
    assert np.isclose(out.top.get_xdata()[0], s[np.argmax(elbo_line)])
    assert out.top_label.xy == (s[np.argmax(elbo_line)], elbo_line.max())  # the arrow points at the top
    line = figures.plot_slice_line(ax_data, X, now, q, 1, direction, s)
    assert isinstance(line, figures.SliceLine) and isinstance(line.fit, figures.FitArtists)
    np.testing.assert_allclose(line.fit.means.markers.get_offsets(), now.means)
    np.testing.assert_allclose(line.fit.points.get_facecolors(), soft_colors(q), atol=1e-6)
    np.testing.assert_allclose(
        np.column_stack(line.line.get_data()), now.means[1] + np.outer([-1, 2], direction)
    )
    np.testing.assert_allclose(np.ravel(line.target.get_data()), now.means[1] + direction)
    assert "μ_2" in ax_data.get_title()


def test_plot_segmentation_colours_pixels_by_their_component():
    rng = np.random.default_rng(0)
    scene = np.where(np.arange(12)[None, :, None] < 6, [0.9, 0.1, 0.1], [0.1, 0.1, 0.9]) + rng.normal(
        0, 0.02, (10, 12, 3)
    )
    scene = scene.clip(0, 1)
    hist = fit_em(scene.reshape(-1, 3), 2, random_state=0)
    resp = hist.responsibilities(-1)
    fig, axes = plt.subplots(1, 4)
    out = figures.plot_segmentation(axes, scene, hist.final, resp, every=1)
    assert isinstance(out, figures.Segmentation)
    np.testing.assert_allclose(out.scene.get_array(), scene)
    np.testing.assert_allclose(out.uncertainty.get_array(), (1 - resp.max(axis=1)).reshape(10, 12))
    assert out.colorbar.mappable is out.uncertainty
    seg = out.segmented.get_array()
    np.testing.assert_allclose(seg.reshape(-1, 3), hist.final.means.clip(0, 1)[resp.argmax(axis=1)])
    assert axes[3].get_xlabel() == "red" and axes[3].get_ylabel() == "blue"
    assert len(out.ellipses) == 2 and len(out.points.get_offsets()) == 10 * 12
    for ellipse, colour in zip(out.ellipses, hist.final.means.clip(0, 1)):
        np.testing.assert_allclose(ellipse.get_edgecolor()[:3], colour)
    with pytest.raises(ValueError, match="4 axes"):
        figures.plot_segmentation(axes[:3], scene, hist.final, resp)


def test_plot_anomalies_flags_what_sklearn_calls_low_density(data):
    X, hist = data
    gm = hist.final.to_sklearn()
    tau = np.quantile(gm.score_samples(X), 0.05)  # scikit-learn's ln p(x), independently
    new = np.array([[0.0, 0.0], [20.0, 20.0]])
    fig, ax = plt.subplots()
    out = figures.plot_anomalies(ax, X, hist.final, tau, new)
    assert isinstance(out, figures.Anomalies)
    low = gm.score_samples(X) < tau
    np.testing.assert_allclose(out.flagged.get_offsets(), X[low])  # circled: what sklearn calls low density
    np.testing.assert_allclose(out.points.get_offsets(), X[~low])
    flagged_new = gm.score_samples(new) < tau
    assert flagged_new.tolist() == [False, True]
    # "Flagged" has a colour of its own, no component's: a flagged point is not "of component 2".
    flag = to_rgba(FLAGGED_COLOR)
    assert not any(np.allclose(flag, c) for c in component_colors(10))
    np.testing.assert_allclose(out.new.get_facecolors()[1], flag)
    np.testing.assert_allclose(out.new.get_facecolors()[0], to_rgba("white"))
    np.testing.assert_allclose(out.new.get_edgecolors()[0], flag)
    np.testing.assert_allclose(out.flagged.get_edgecolors()[0], flag)
    assert ax.get_xlabel() and ax.get_title()
    # The legend names the rings and both kinds of star; the contours carry a colour bar.
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[0].startswith("flagged: ln p(x) <")
    assert texts[1:] == ["new point, flagged", "new point, not flagged"]
    assert out.density.colorbar is not None and "p(x)" in out.density.colorbar.ax.get_ylabel()


def test_plot_criterion_stars_the_best_k():
    fig, ax = plt.subplots()
    Ks = [1, 2, 3, 4]
    out = figures.plot_criterion(
        ax,
        Ks,
        {"a": [5.0, 3.0, 1.0, 2.0], "b": [4.0, 4.5, 3.5, 0.5]},
        best="min",
        true_k=3,
        ylabel="BIC",
        title="t",
    )
    assert isinstance(out, figures.CriterionPlot) and list(out.curves) == ["a", "b"]
    a, b = out.curves["a"], out.curves["b"]
    assert isinstance(a, figures.CriterionCurve)
    assert a.best.get_xdata()[0] == 3 and b.best.get_xdata()[0] == 4
    assert out.true_k.get_xdata()[0] == 3 and ax.get_xlabel() == "K" and ax.get_ylabel() == "BIC"
    # Which star is which: each curve's legend entry names the K of its star.
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["a: ★ at K = 3", "b: ★ at K = 4", "true K"]
    assert a.best.get_zorder() > a.line.get_zorder()
    np.testing.assert_allclose(a.line.get_ydata(), [5, 3, 1, 2])
    # colour-blind-safe defaults: the course palette's first colours, and a different marker per curve
    np.testing.assert_allclose(to_rgba(a.line.get_color()), to_rgba("#0072B2"))
    np.testing.assert_allclose(to_rgba(b.line.get_color()), to_rgba("#D55E00"))
    assert a.line.get_marker() != b.line.get_marker()
    with pytest.raises(ValueError, match="one colour per curve"):
        figures.plot_criterion(ax, Ks, {"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, 3.0, 4.0]}, palette=["k"])
    out = figures.plot_criterion(ax, Ks, {"c": [1.0, 4.0, 2.0, 0.0]}, best="max")
    assert out.curves["c"].best.get_xdata()[0] == 2 and out.true_k is None
    # a curve may be called "true_k": the curves and the true-K line no longer share one dict
    out = figures.plot_criterion(ax, Ks, {"true_k": [1.0, 2.0, 3.0, 4.0]}, true_k=2)
    assert out.curves["true_k"].best is None and out.true_k.get_xdata()[0] == 2
    with pytest.raises(ValueError, match="one per K"):
        figures.plot_criterion(ax, Ks, {"d": [1.0, 2.0]})
    with pytest.raises(ValueError, match="best must be"):
        figures.plot_criterion(ax, Ks, {"d": [1.0, 2.0, 3.0, 4.0]}, best="lowest")
    # palette= is one colour per curve, the name used everywhere (colors= is not accepted)
    out = figures.plot_criterion(
        ax, Ks, {"e": [1.0, 2.0, 3.0, 4.0], "f": [4.0, 3.0, 2.0, 1.0]}, palette=["0.5", "#D55E00"]
    )
    assert to_rgba(out.curves["f"].line.get_color()) == to_rgba("#D55E00")
    assert to_rgba(out.curves["e"].line.get_color()) == to_rgba("0.5")
    with pytest.raises(TypeError):
        figures.plot_criterion(ax, Ks, {"e": [1.0, 2.0, 3.0, 4.0]}, colors=["k"])
    plt.close(fig)


def test_plot_covariance_types_gives_one_cluster_one_number_in_every_panel():
    # Three well separated clusters; the fits' labels are shuffled, as EM's may come out.
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    X = np.concatenate([rng.normal(c, 0.5, (40, 2)) for c in centres])
    fits = {}
    for cov, order in (
        ("spherical", [0, 1, 2]),
        ("diag", [2, 0, 1]),
        ("tied", [1, 2, 0]),
        ("full", [2, 1, 0]),
    ):
        p = gmmviz.fit_em(X, 3, covariance_type=cov, random_state=0).final
        covs = p.covariances if cov == "tied" else p.covariances[order]
        fits[cov] = GMMParams(p.weights[order], p.means[order], covs, cov)
    fig, axes = plt.subplots(1, 4)
    out = figures.plot_covariance_types(axes, X, fits)
    plt.close(fig)
    # Each panel's mean k (the numbered markers) sits on the same cluster as the first panel's mean k.
    first = np.asarray(out["spherical"].means.markers.get_offsets())
    nearest = lambda m: np.argmin(((centres - m) ** 2).sum(axis=1))  # noqa: E731
    for cov in fits:
        means = np.asarray(out[cov].means.markers.get_offsets())
        assert [nearest(m) for m in means] == [nearest(m) for m in first], cov
    # ln p(X) does not depend on the labels: the titles still give each fit's own value.
    for cov, params in fits.items():
        assert f"ln p(X) = {gmmviz.log_likelihood(X, params):.0f}" in axes[list(fits).index(cov)].get_title()
