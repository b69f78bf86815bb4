"""gmmviz.figures, notebooks 00-04: the pictures draw what their parameters say (checked independently)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.figure import Figure
from scipy.stats import norm

import gmmviz
from gmmviz import figures as F
from gmmviz import plot as gplot
from gmmviz.datasets import make_dataset
from gmmviz.palette import component_colors


@pytest.fixture
def ax():
    return Figure().add_subplot()


def axes_row(n):
    fig = Figure()
    return [fig.add_subplot(1, n, i + 1) for i in range(n)]


# --- plot_density_vs_probability -------------------------------------------------------------
def test_density_vs_probability_peak_above_one_and_area_is_the_probability(ax):
    art = F.plot_density_vs_probability(ax, 0.0, 0.2, (0.1, 0.3))
    assert isinstance(art, F.ShadedDensity)
    _, y = art.curve.get_data()
    assert y.max() == pytest.approx(1 / np.sqrt(2 * np.pi * 0.04), rel=1e-4)  # 1.995 > 1
    assert "1.99" in art.curve.get_label()  # the legend states the peak
    np.testing.assert_allclose(art.one.get_ydata(), 1.0)
    # the shaded polygon's area, by the shoelace formula, equals P(0.1 <= x <= 0.3) from the cdf
    verts = art.area.get_paths()[0].vertices
    shoelace = 0.5 * abs(
        np.dot(verts[:, 0], np.roll(verts[:, 1], 1)) - np.dot(verts[:, 1], np.roll(verts[:, 0], 1))
    )
    assert shoelace == pytest.approx(norm.cdf(1.5) - norm.cdf(0.5), abs=3e-3)
    assert f"{norm.cdf(1.5) - norm.cdf(0.5):.3f}" in art.area.get_label()  # the legend states it
    assert ax.get_ylim()[1] > y.max() and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


@pytest.mark.parametrize("sigma, interval", [(0.0, (0, 1)), (1.0, (1, 0))])
def test_density_vs_probability_bad_input(ax, sigma, interval):
    with pytest.raises(ValueError, match="sigma|interval"):
        F.plot_density_vs_probability(ax, 0.0, sigma, interval)


# --- plot_level_sets -----------------------------------------------------------------------
def test_level_sets_of_a_positive_definite_matrix_are_its_sd_ellipses(ax):
    S = np.array([[2.0, 1.2], [1.2, 1.0]])
    art = F.plot_level_sets(ax, S, levels=(1, 2))
    assert isinstance(art, F.LevelSets) and art.negative is None  # positive definite: nothing shaded
    # every vertex of the c = 2 contour satisfies xᵀ Σ⁻¹ x = 4, and it is a closed curve round 0
    seg = art.contours.allsegs[1][0]
    q = np.einsum("ni,ni->n", seg, np.linalg.solve(S, seg.T).T)
    np.testing.assert_allclose(q, 4.0, rtol=2e-2)
    angles = np.unwrap(np.arctan2(seg[:, 1], seg[:, 0]))
    assert abs(angles[-1] - angles[0]) == pytest.approx(2 * np.pi, abs=0.1)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_level_sets_of_an_indefinite_matrix_shade_negative_directions(ax):
    S = np.array([[1.0, 1.5], [1.5, 1.0]])  # eigenvalues 2.5 and -0.5
    art = F.plot_level_sets(ax, S)
    assert art.negative is not None
    # the direction of the negative eigenvector, (1, -1), is inside the shaded region; the positive one is not
    assert any(p.contains_point((1.0, -1.0)) for p in art.negative.get_paths())
    assert not any(p.contains_point((1.0, 1.0)) for p in art.negative.get_paths())


@pytest.mark.parametrize(
    "bad, match", [([[1, 2], [0, 1]], "symmetric"), ([[1, 1], [1, 1]], "singular"), (np.eye(3), "shape")]
)
def test_level_sets_bad_input(ax, bad, match):
    with pytest.raises(ValueError, match=match):
        F.plot_level_sets(ax, bad)


# --- plot_eigen_axes -----------------------------------------------------------------------
def test_eigen_axes_arrows_end_one_standard_deviation_along_each_eigenvector(ax):
    mu, S = np.array([1.0, -0.5]), np.array([[2.0, 1.2], [1.2, 1.0]])
    art = F.plot_eigen_axes(ax, mu, S)
    assert isinstance(art, F.EigenAxes)
    lam = np.linalg.eigvalsh(S)[::-1]  # largest first
    for i, arrow in enumerate(art.arrows):
        tip, tail = np.array(arrow.xy), np.array(arrow.xyann)
        step = tip - tail
        np.testing.assert_allclose(tail, mu)
        np.testing.assert_allclose(S @ step, lam[i] * step, atol=1e-12)  # along an eigenvector
        # one standard deviation: Mahalanobis length 1
        assert step @ np.linalg.solve(S, step) == pytest.approx(1.0)
        assert step.sum() > 0  # points up / right
    assert [t.get_text() for t in art.labels] == [r"$\sqrt{\lambda_1}\,v_1$", r"$\sqrt{\lambda_2}\,v_2$"]


@pytest.mark.parametrize(
    "mean, cov", [([0, 0], [[1, 2], [2, 1]]), ([0, 0], [[1, 0.5], [0, 1]]), ([0], np.eye(2))]
)
def test_eigen_axes_bad_input(ax, mean, cov):
    with pytest.raises(ValueError, match="positive definite|symmetric|shape"):
        F.plot_eigen_axes(ax, mean, cov)


# --- plot_em_1d ----------------------------------------------------------------------------
def test_em_1d_panels_show_the_parameters_of_each_iteration():
    X, _ = make_dataset("1d", random_state=0)
    h = gmmviz.fit_em(X, 2, random_state=0)
    axes = axes_row(3)
    arts = F.plot_em_1d(axes, X, h, [0, 1, -1])
    for ax, art, t in zip(axes, arts, [0, 1, h.n_iter], strict=True):
        grid, mix = art.mixture.get_data()
        expected = np.exp(gmmviz.log_density(grid[:, None], h.params[t]))
        np.testing.assert_allclose(mix, expected, rtol=1e-6)
        assert f"{h.log_likelihoods[t]:.1f}" in ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()
    # strip: grey at the start, coloured by γ afterwards
    assert np.allclose(arts[0].strip.get_facecolors()[:, :3], 0.55)
    assert not np.allclose(arts[2].strip.get_facecolors()[:, :3], 0.55)


def test_em_1d_bad_input():
    X, _ = make_dataset("1d", random_state=0)
    h = gmmviz.fit_em(X, 2, random_state=0)
    with pytest.raises(ValueError, match="one axis per iteration"):
        F.plot_em_1d(axes_row(2), X, h, [0, 1, 2])
    X2, _ = make_dataset("blobs", random_state=0)
    with pytest.raises(ValueError, match="1-D"):
        F.plot_em_1d(axes_row(1), X2, gmmviz.fit_em(X2, 2, random_state=0), [0])


# --- match_labels / plot_kmeans_vs_gmm ---------------------------------------------------------
def test_match_labels_undoes_a_permutation():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=50)
    resp = np.eye(3)[truth]
    perm = np.array([2, 0, 1])
    np.testing.assert_array_equal(F.match_labels(perm[truth], resp), truth)
    with pytest.raises(ValueError, match="labels"):
        F.match_labels(truth[:10], resp)
    with pytest.raises(ValueError, match="0..2"):
        F.match_labels(truth + 1, resp)


def test_kmeans_vs_gmm_colours_and_centres_follow_the_matched_components():
    from sklearn.cluster import KMeans

    X, _ = make_dataset("elongated", random_state=0)
    km = KMeans(3, n_init=10, random_state=0).fit(X)
    h = gmmviz.fit_em(X, 3, random_state=0)
    resp = h.responsibilities(-1)
    axes = axes_row(2)
    art = F.plot_kmeans_vs_gmm(axes, X, km.labels_, km.cluster_centers_, h.final, resp)
    assert isinstance(art, F.KMeansVsGMM)
    pal = component_colors(3)
    labels = F.match_labels(km.labels_, resp)
    np.testing.assert_allclose(art.kmeans_points.get_facecolors(), pal[labels])
    # hard labels also differ by marker shape (a second channel besides colour)
    paths = art.kmeans_points.get_paths()
    shapes = {k: {paths[i].vertices.tobytes() for i in np.flatnonzero(labels == k)} for k in range(3)}
    assert all(len(v) == 1 for v in shapes.values()) and len(set.union(*shapes.values())) == 3
    # centre drawn in colour k is the mean of the points labelled k (k-means centres are cluster means)
    centres = art.centers.get_offsets()
    for k in range(3):
        np.testing.assert_allclose(centres[k], X[labels == k].mean(axis=0), atol=1e-6)
        assert art.center_labels[k].get_text() == str(k + 1)
    np.testing.assert_allclose(art.gmm_points.get_facecolors(), gplot.soft_colors(resp, pal))
    assert len(art.ellipses) == 3 * 3
    np.testing.assert_allclose(art.means.markers.get_offsets(), h.final.means)
    for ax in axes:
        assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$" and ax.get_title()


# --- plot_standardised_fit -------------------------------------------------------------------
def test_standardised_fit_secondary_axes_convert_back_to_the_original_unit(ax):
    from gmmviz.datasets import load_faithful

    raw = load_faithful()
    mean, sd = raw.mean(axis=0), raw.std(axis=0)
    X = (raw - mean) / sd
    h = gmmviz.fit_em(X, 2, random_state=0)
    art = F.plot_standardised_fit(
        ax, X, h.final, h.responsibilities(-1), mean, sd, ("eruption duration", "waiting time"), "min"
    )
    assert isinstance(art, F.StandardisedFit)
    top, right = art.top, art.right
    ax.set(xlim=(-1.0, 2.0), ylim=(-2.0, 1.0))
    ax.figure.draw_without_rendering()
    # the top/right axes span the same positions in minutes: standard unit z is mean + z * sd
    np.testing.assert_allclose(top.get_xlim(), mean[0] + sd[0] * np.array([-1.0, 2.0]))
    np.testing.assert_allclose(right.get_ylim(), mean[1] + sd[1] * np.array([-2.0, 1.0]))
    assert top.get_xlabel() == "eruption duration (min)" and right.get_ylabel() == "waiting time (min)"
    assert ax.get_xlabel() == "eruption duration (standard units)" and len(art.ellipses) == 2 * 3
    np.testing.assert_allclose(art.points.get_offsets(), X)
    np.testing.assert_allclose(art.means.markers.get_offsets(), h.final.means)  # each mean marked...
    assert [t.get_text() for t in art.means.numbers] == ["1", "2"]  # ... with its number k


def test_standardised_fit_bad_scale(ax):
    X = np.zeros((3, 2))
    params = gmmviz.GMMParams([1.0], [[0.0, 0.0]], [np.eye(2)])
    with pytest.raises(ValueError, match="scale > 0"):
        F.plot_standardised_fit(ax, X, params, np.ones((3, 1)), [0, 0], [1, 0], ("a", "b"), "m")
