"""gmmviz.plot: geometry checked against the eigen-decomposition, colours, curves, densities."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse

import gmmviz
from gmmviz import COVARIANCE_TYPES, GMMParams, fit_em
from gmmviz import plot as gplot


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
@pytest.fixture
def ax():
    fig = Figure()
    return fig.add_subplot()


def random_spd(rng: np.random.Generator, d: int) -> np.ndarray:
    a = rng.normal(size=(d, d))
    return a @ a.T + 0.3 * np.eye(d)


def expected_geometry(cov2: np.ndarray, n_std: float) -> tuple[float, float, np.ndarray]:
    """Width, height and unit major axis, straight from numpy's eigen-decomposition."""
    vals, vecs = np.linalg.eigh(cov2)
    return 2 * n_std * np.sqrt(vals[1]), 2 * n_std * np.sqrt(vals[0]), vecs[:, 1]


def assert_angle_along(angle_deg: float, direction: np.ndarray) -> None:
    """The ellipse's angle points along ``direction`` (up to sign, i.e. modulo 180°)."""
    u = np.array([np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))])
    assert abs(abs(u @ direction) - 1.0) < 1e-9, (angle_deg, direction)


def params_of_type(covariance_type: str, d: int = 2, k: int = 3, seed: int = 0) -> GMMParams:
    rng = np.random.default_rng(seed)
    weights = np.array([0.5, 0.3, 0.2])[:k] / np.array([0.5, 0.3, 0.2])[:k].sum()
    means = rng.normal(0, 3, (k, d))
    if covariance_type == "full":
        cov = np.stack([random_spd(rng, d) for _ in range(k)])
    elif covariance_type == "tied":
        cov = random_spd(rng, d)
    elif covariance_type == "diag":
        cov = rng.uniform(0.2, 3.0, (k, d))
    else:
        cov = rng.uniform(0.2, 3.0, k)
    return GMMParams(weights, means, cov, covariance_type)


def full_cov_by_hand(p: GMMParams) -> np.ndarray:
    """(K, d, d) from the scikit-learn layouts, written independently of gmmviz."""
    k, d = p.means.shape
    c = np.asarray(p.covariances)
    return {
        "full": lambda: c,
        "tied": lambda: np.repeat(c[None], k, axis=0),
        "diag": lambda: np.stack([np.diag(v) for v in c]),
        "spherical": lambda: np.stack([v * np.eye(d) for v in c]),
    }[p.covariance_type]()


# --------------------------------------------------------------------------------------------
# ellipse geometry
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("n_std", [1, 2, 3, 1.5])
def test_ellipse_geometry_matches_eigendecomposition(seed, n_std):
    cov = random_spd(np.random.default_rng(seed), 2)
    width, height, angle = gplot.ellipse_geometry(cov, n_std)
    ew, eh, major = expected_geometry(cov, n_std)
    assert width == pytest.approx(ew, rel=1e-12)
    assert height == pytest.approx(eh, rel=1e-12)
    assert width >= height
    assert 0 <= angle < 180
    assert_angle_along(angle, major)


def test_ellipse_geometry_known_cases():
    # Axis-aligned, taller than wide: the major axis is vertical.
    w, h, a = gplot.ellipse_geometry(np.diag([1.0, 4.0]), 1)
    assert (w, h, a) == pytest.approx((4.0, 2.0, 90.0))
    # Correlated with equal variances: major axis at 45°.
    w, h, a = gplot.ellipse_geometry([[2.0, 1.0], [1.0, 2.0]], 2)
    assert (w, h, a) == pytest.approx((4 * np.sqrt(3), 4.0, 45.0))


@pytest.mark.parametrize("bad", [np.eye(3), np.ones(2), [[1.0, np.nan], [np.nan, 1.0]]])
def test_ellipse_geometry_rejects_bad_input(bad):
    with pytest.raises(ValueError, match="cov2"):
        gplot.ellipse_geometry(bad, 1)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_plot_ellipses_geometry_every_covariance_type(ax, covariance_type):
    p = params_of_type(covariance_type)
    n_std = (1, 2, 3)
    ellipses = gplot.plot_ellipses(ax, p, n_std=n_std)
    assert len(ellipses) == p.n_components * len(n_std)
    assert all(isinstance(e, Ellipse) and e.axes is ax for e in ellipses)
    covs = full_cov_by_hand(p)
    for j in range(p.n_components):
        for i, s in enumerate(n_std):
            e = ellipses[j * len(n_std) + i]
            ew, eh, major = expected_geometry(covs[j], s)
            assert e.center == pytest.approx(tuple(p.means[j]))
            assert e.width == pytest.approx(ew, rel=1e-10)
            assert e.height == pytest.approx(eh, rel=1e-10)
            if not np.isclose(ew, eh):  # a circle has no direction to check
                assert_angle_along(e.angle, major)


def test_plot_ellipses_d4_uses_the_marginal_not_the_eigenvectors(ax):
    rng = np.random.default_rng(7)
    cov = random_spd(rng, 4)
    p = GMMParams(np.array([1.0]), rng.normal(size=(1, 4)), cov[None])
    dims = (1, 3)
    (e,) = gplot.plot_ellipses(ax, p, dims=dims, n_std=(2,))
    marginal = cov[np.ix_(dims, dims)]
    ew, eh, major = expected_geometry(marginal, 2)
    assert e.center == pytest.approx(tuple(p.means[0, list(dims)]))
    assert (e.width, e.height) == pytest.approx((ew, eh), rel=1e-10)
    assert_angle_along(e.angle, major)
    # The classic bug: reading the picture off the full matrix's top eigenvectors. It differs.
    vals = np.linalg.eigvalsh(cov)
    wrong = 2 * 2 * np.sqrt(vals[-1])
    assert not np.isclose(e.width, wrong)


def test_d3_diag_ellipses_show_the_marginal_on_the_chosen_dims(ax):
    p = params_of_type("diag", d=3)
    ellipses = gplot.plot_ellipses(ax, p, dims=(2, 0), n_std=(1,))
    for e, var in zip(ellipses, p.covariances):
        # Diagonal covariance: axis-aligned, half-axes sqrt(var) of feature 2 (x) and 0 (y).
        assert e.center == pytest.approx((p.means[ellipses.index(e), 2], p.means[ellipses.index(e), 0]))
        along_x = e.width if np.isclose(e.angle % 180, 0) else e.height
        assert along_x == pytest.approx(2 * np.sqrt(var[2]))
        assert {round(e.width, 9), round(e.height, 9)} == {
            round(2 * np.sqrt(var[2]), 9),
            round(2 * np.sqrt(var[0]), 9),
        }


@pytest.mark.parametrize("dims", [(0, 0), (0, 5), (0,), (-1, 1)])
def test_bad_dims_are_explained(ax, dims):
    with pytest.raises(ValueError, match="dims"):
        gplot.plot_ellipses(ax, params_of_type("full", d=3), dims=dims)


def test_ellipse_alpha_grows_with_weight(ax):
    p = params_of_type("full")  # weights 0.5, 0.3, 0.2
    ellipses = gplot.plot_ellipses(ax, p, n_std=(1,))
    alphas = [e.get_edgecolor()[3] for e in ellipses]
    assert alphas[0] > alphas[1] > alphas[2] > 0


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_update_ellipses_in_place(ax, covariance_type):
    p0, p1 = params_of_type(covariance_type, seed=0), params_of_type(covariance_type, seed=1)
    ellipses = gplot.plot_ellipses(ax, p0)
    n_patches = len(ax.patches)
    same = gplot.update_ellipses(ellipses, p1)
    assert [id(e) for e in same] == [id(e) for e in ellipses]
    assert len(ax.patches) == n_patches
    covs = full_cov_by_hand(p1)
    for j in range(3):
        ew, eh, _ = expected_geometry(covs[j], 3)
        e = ellipses[3 * j + 2]
        assert e.center == pytest.approx(tuple(p1.means[j]))
        assert (e.width, e.height) == pytest.approx((ew, eh), rel=1e-10)


def test_update_ellipses_refuses_a_different_k(ax):
    ellipses = gplot.plot_ellipses(ax, params_of_type("full", k=3))
    with pytest.raises(ValueError, match="plot_ellipses again"):
        gplot.update_ellipses(ellipses, params_of_type("full", k=2))


def test_fallback_for_params_like_objects_without_full_covariances(ax):
    class Like:  # the scikit-learn layout only, no method
        weights = np.array([0.5, 0.5])
        means = np.zeros((2, 2))
        covariances = np.array([1.0, 4.0])
        covariance_type = "spherical"

    ellipses = gplot.plot_ellipses(ax, Like(), n_std=(1,))
    assert [e.width for e in ellipses] == pytest.approx([2.0, 4.0])


def test_n_std_is_a_sequence_everywhere(ax):
    p = params_of_type("full")
    with pytest.raises(TypeError, match=r"n_std must be a sequence.*\(2,\)"):
        gplot.plot_ellipses(ax, p, n_std=2)
    with pytest.raises(TypeError, match="n_std must be a sequence"):
        gplot.plot_shift(ax, p, n_std=1.0)
    with pytest.raises(ValueError, match="positive radius"):
        gplot.plot_ellipses(ax, p, n_std=())
    with pytest.raises(ValueError, match="n_std radius must be positive"):
        gplot.plot_ellipses(ax, p, n_std=(1, -2))
    ellipses = gplot.plot_ellipses(ax, p, n_std=(1, 2))
    with pytest.raises(ValueError, match="pass the n_std used to draw them"):
        gplot.update_ellipses(ellipses, p, n_std=(1, 2, 3))


# --------------------------------------------------------------------------------------------
# one drawing API
# --------------------------------------------------------------------------------------------
def test_one_vocabulary_in_every_public_signature():
    import inspect

    for name in gplot.__all__:
        obj = getattr(gplot, name)
        if not inspect.isfunction(obj):
            continue
        params = inspect.signature(obj).parameters
        assert "colors" not in params, f"{name} says colors=; the API says palette="
        if name.startswith("plot_"):
            assert next(iter(params)) == "ax", f"{name} must take ax first"
        if "n_std" in params:
            default = params["n_std"].default
            assert isinstance(default, tuple), f"{name}'s n_std default must be a sequence"


def test_groups_of_artists_are_named_tuples_of_artists(ax, history):
    from matplotlib.artist import Artist
    from matplotlib.container import Container

    def artists_in(value):
        if isinstance(value, (list, tuple)) and not isinstance(value, Container):
            return [a for v in value for a in artists_in(v)]
        return [value]

    art = gplot.plot_frame(ax, history.X, history.frame(2), legend=True)
    for group in (art, art.means, art.shift):
        assert isinstance(group, tuple) and hasattr(group, "_fields")
    assert all(isinstance(a, Artist) for a in artists_in(art))
    # Parts not asked for are None (title=False, legend=False), never some other object.
    bare = gplot.plot_frame(ax, history.X, history.frame(2), title=False)
    assert bare.title is None and bare.legend is None
    assert all(isinstance(a, Artist) for a in artists_in(bare) if a is not None)


# --------------------------------------------------------------------------------------------
# colours, markers and points
# --------------------------------------------------------------------------------------------
def test_blended_soft_colors_are_resp_times_palette():
    rng = np.random.default_rng(0)
    resp = rng.dirichlet(np.ones(4), size=50)
    palette = to_rgba_array(["#0072B2", "#D55E00", "#009E73", "#CC79A7"])
    np.testing.assert_allclose(gplot.soft_colors(resp, palette, certainty="blend"), resp @ palette)
    # The default palette is the course's (blue, orange, green, pink, ...).
    np.testing.assert_allclose(gplot.soft_colors(resp, certainty="blend"), resp @ palette)


def test_half_red_half_blue_blends_to_purple():
    red, blue = [1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0, 1.0]
    (c,) = gplot.soft_colors([[0.5, 0.5]], [red, blue], certainty="blend")
    np.testing.assert_allclose(c, [0.5, 0.0, 0.5, 1.0])


def test_soft_colors_hue_is_the_most_responsible_component_and_opacity_its_certainty():
    rng = np.random.default_rng(0)
    resp = rng.dirichlet(np.ones(4), size=50)
    palette = to_rgba_array(["#0072B2", "#D55E00", "#009E73", "#CC79A7"])
    colours = gplot.soft_colors(resp)  # the default: certainty="opacity", the course's palette
    np.testing.assert_allclose(colours[:, :3], palette[resp.argmax(axis=1), :3])
    np.testing.assert_allclose(colours[:, 3], gplot.certainty_opacity(resp.max(axis=1)))
    # "size": the same hues, opaque (the area carries the certainty).
    np.testing.assert_allclose(gplot.soft_colors(resp, certainty="size"), palette[resp.argmax(axis=1)])
    with pytest.raises(ValueError, match="certainty must be one of"):
        gplot.soft_colors(resp, certainty="alpha")


def _on_white(rgba):
    """The colour a fill is seen as on the white page."""
    rgba = np.asarray(rgba, dtype=float)
    return rgba[..., :3] * rgba[..., 3:] + (1 - rgba[..., 3:])


def test_a_50_50_point_never_looks_like_an_unassigned_one(ax):
    # Issue "Course 3.0": a 50/50 blue-orange point was the same grey as "unassigned".
    X = np.zeros((3, 2))
    resp = np.array([[0.5, 0.5], [0.5, 0.5], [1.0, 0.0]])
    pts = gplot.plot_points(ax, X, resp)
    blend = gplot.soft_colors(resp[:1], certainty="blend")[0]
    assert np.ptp(blend[:3]) < 0.1  # the old look: a grey (no hue), like GREY
    face, edge = pts.get_facecolors()[0], pts.get_edgecolors()[0]
    blue = to_rgba_array("#0072B2")[0]
    # Seen on white, the faint fill is far from grey; its outline is the full component colour.
    assert np.abs(_on_white(face) - gplot.GREY[:3]).max() > 0.2
    np.testing.assert_allclose(edge, blue)
    assert pts.get_linewidths()[0] > 0
    grey = gplot.plot_points(ax, X)
    assert not np.allclose(grey.get_facecolors()[0], face)
    assert not np.allclose(grey.get_edgecolors()[0], edge)


def test_certainty_0_85_is_drawn_visibly_less_sure_than_1(ax):
    X = np.zeros((4, 2))
    resp = np.array([[1.0, 0.0], [0.95, 0.05], [0.85, 0.15], [0.5, 0.5]])
    alpha = gplot.plot_points(ax, X, resp).get_facecolors()[:, 3]
    assert alpha[0] == pytest.approx(1.0)
    assert alpha[0] > alpha[1] > alpha[2] > alpha[3] > 0
    assert alpha[0] - alpha[2] > 0.3  # not a nuance: 0.85 is about half as opaque
    sizes = gplot.plot_points(ax, X, resp, certainty="size", size=20).get_sizes()
    assert sizes[0] == pytest.approx(20) and sizes[0] > sizes[1] > sizes[2] > sizes[3] > 0
    assert sizes[2] < 0.7 * sizes[0]


def test_update_points_keeps_the_certainty_channel_without_new_artists(ax):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 2))
    pts = gplot.plot_points(ax, X, None, size=9, certainty="size")
    n_children = len(ax.get_children())
    resp = rng.dirichlet(np.ones(3), size=200)
    assert gplot.update_points(pts, resp) is pts
    assert len(ax.get_children()) == n_children
    np.testing.assert_allclose(
        pts.get_sizes(), 9 * (0.3 + 0.7 * np.clip(2 * resp.max(axis=1) - 1, 0, 1) ** 2)
    )
    np.testing.assert_allclose(pts.get_facecolors(), gplot.soft_colors(resp, certainty="size"))
    gplot.update_points(pts, None)  # back to the start: grey, full size
    np.testing.assert_allclose(pts.get_sizes(), [9])
    # The default (opacity) scatter: fills and outlines follow every update.
    dots = gplot.plot_points(ax, X, None, marker=(8, 0, 0))
    gplot.update_points(dots, resp)
    np.testing.assert_allclose(dots.get_facecolors(), gplot.soft_colors(resp))
    np.testing.assert_allclose(dots.get_edgecolors()[:, 3], 1.0)
    np.testing.assert_allclose(dots.get_edgecolors()[:, :3], gplot.soft_colors(resp)[:, :3])
    # The old blended look on request.
    gplot.update_points(dots, resp, certainty="blend")
    np.testing.assert_allclose(dots.get_facecolors(), gplot.soft_colors(resp, certainty="blend"))


def test_update_points_is_fast_enough_for_every_frame(ax):
    import time

    rng = np.random.default_rng(4)
    X = rng.normal(size=(5000, 2))
    resp = rng.dirichlet(np.ones(5), size=5000)
    pts = gplot.plot_points(ax, X, None)
    gplot.update_points(pts, resp)
    start = time.perf_counter()
    for _ in range(20):
        gplot.update_points(pts, resp)
    assert (time.perf_counter() - start) / 20 < 0.02  # well under a frame of a 250 ms player


def test_certainty_legend_names_what_the_fill_means(ax):
    ax.plot([0, 1], [0, 1], label="a line")
    first = ax.legend()
    legend = gplot.plot_certainty_legend(ax, unassigned=True)
    assert ax.get_legend() is first and legend in ax.get_children()  # beside, not instead
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["1 (certain)", "0.95", "0.85", "0.5 (a tie)", "grey: no γ yet"]
    assert "gamma" in legend.get_title().get_text()
    handles = legend.legend_handles
    faces = [to_rgba_array(h.get_markerfacecolor())[0] for h in handles]
    np.testing.assert_allclose([f[3] for f in faces[:4]], gplot.certainty_opacity([1.0, 0.95, 0.85, 0.5]))
    np.testing.assert_allclose(faces[4], gplot.GREY)
    sized = gplot.plot_certainty_legend(ax, certainty="size", levels=(1.0, 0.5))
    big, small = (h.get_markersize() for h in sized.legend_handles)
    assert big > small
    with pytest.raises(ValueError, match="no certainty channel"):
        gplot.plot_certainty_legend(ax, certainty="blend")


def test_soft_colors_rejects_mismatched_palette():
    with pytest.raises(ValueError, match="one colour per component"):
        gplot.soft_colors(np.full((3, 2), 0.5), ["red", "green", "blue"])
    with pytest.raises(ValueError, match=r"\(n_samples, K\)"):
        gplot.soft_colors(np.ones(3))
    with pytest.raises(ValueError, match="sum to 1"):
        gplot.soft_colors([[0.5, 0.7]])


def test_plot_points_soft_hard_and_grey(ax):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    resp = rng.dirichlet(np.ones(3), size=30)
    pal = to_rgba_array(["#0072B2", "#D55E00", "#009E73"])
    pts = gplot.plot_points(ax, X, resp, dims=(2, 0))
    np.testing.assert_allclose(pts.get_offsets(), X[:, [2, 0]])
    np.testing.assert_allclose(pts.get_facecolors(), gplot.soft_colors(resp, pal))
    hard = gplot.plot_points(ax, X, resp, hard=True)
    np.testing.assert_allclose(hard.get_facecolors()[:, :3], pal[resp.argmax(axis=1), :3])
    np.testing.assert_allclose(hard.get_facecolors()[:, 3], gplot.certainty_opacity(resp.max(axis=1)))
    hard_blend = gplot.plot_points(ax, X, resp, hard=True, certainty="blend")
    np.testing.assert_allclose(hard_blend.get_facecolors(), pal[resp.argmax(axis=1)])
    grey = gplot.plot_points(ax, X)
    np.testing.assert_allclose(grey.get_facecolors(), np.tile(gplot.GREY, (30, 1)))
    gplot.update_points(grey, resp)
    np.testing.assert_allclose(grey.get_facecolors(), gplot.soft_colors(resp))
    blend = gplot.plot_points(ax, X, resp, certainty="blend")
    np.testing.assert_allclose(blend.get_facecolors(), resp @ pal)
    with pytest.raises(ValueError, match=r"\(30, K\), got \(29, 3\)"):
        gplot.plot_points(ax, X, resp[:29])


def _shape_groups(points):
    """Points grouped by identical marker outline (vertices), as a set of frozensets of indices."""
    paths = points.get_paths()
    keys = [
        tuple(np.round(paths[i % len(paths)].vertices, 6).ravel()) for i in range(len(points.get_offsets()))
    ]
    groups = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_hard_labels_differ_by_marker_shape_too(ax):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2))
    labels = np.arange(40) % 4
    resp = np.eye(4)[labels] * 0.7 + 0.075  # arg-max = labels, rows sum to 1
    pts = gplot.plot_points(ax, X, resp, hard=True)
    expected = {frozenset(np.flatnonzero(labels == j)) for j in range(4)}
    assert _shape_groups(pts) == expected  # one shape per component, same shape within one
    # update_points keeps shapes following the labels ...
    new = (labels + 1) % 4
    new[:5] = 0
    gplot.update_points(pts, np.eye(4)[new], hard=True)
    assert _shape_groups(pts) == {frozenset(np.flatnonzero(new == j)) for j in range(4)}
    # ... and a soft (or grey) update draws one shape again.
    gplot.update_points(pts, np.eye(4)[new])
    assert len(pts.get_paths()) == 1
    with pytest.raises(ValueError, match="leave out marker="):
        gplot.plot_points(ax, X, resp, hard=True, marker="x")


def test_plot_points_rejects_1d_data(ax):
    with pytest.raises(ValueError, match="plot_1d"):
        gplot.plot_points(ax, np.arange(5.0))
    with pytest.raises(ValueError, match="NaN"):
        gplot.plot_points(ax, [[0.0, np.nan], [1.0, 2.0]])
    with pytest.raises(ValueError, match="dim=2 but X has 2 feature"):
        gplot.plot_1d(ax, np.zeros((5, 2)), params_of_type("full"), dim=2)


def test_empty_axis_labels_name_the_features_from_1(ax):
    X = np.random.default_rng(0).normal(size=(10, 3))
    gplot.plot_points(ax, X, dims=(2, 0))
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_{3}$", "$x_{1}$")
    fig = Figure()
    ax2 = fig.add_subplot()
    ax2.set_xlabel("eruption (min)")
    gplot.plot_ellipses(ax2, params_of_type("full"))
    assert (ax2.get_xlabel(), ax2.get_ylabel()) == ("eruption (min)", "$x_{2}$")  # the caller's kept


# --------------------------------------------------------------------------------------------
# log-likelihood curve, frames
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def history():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.7, (60, 2)) for c in ([0, 0], [3, 1], [0, 4])])
    return fit_em(X, 3, random_state=0, tol=1e-6)


def test_ll_curve_has_one_point_per_iteration(ax, history):
    curve, marker, _ = gplot.plot_log_likelihood(ax, history.log_likelihoods, current=2)
    x, y = curve.get_data()
    assert len(x) == history.n_iter + 1
    np.testing.assert_array_equal(x, np.arange(history.n_iter + 1))
    np.testing.assert_allclose(y, history.log_likelihoods)
    assert marker.get_data()[0] == [2]
    gplot.update_log_likelihood(marker, history.log_likelihoods, 0)
    assert marker.get_data() == ([0], [history.log_likelihoods[0]])
    gplot.update_log_likelihood(marker, history.log_likelihoods, None)
    assert len(marker.get_data()[0]) == 0
    with pytest.raises(ValueError, match="outside"):
        gplot.update_log_likelihood(marker, history.log_likelihoods, history.n_iter + 1)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iteration", "ln p(X)")


def test_ll_panel_stays_readable_after_the_first_big_jump(ax):
    # Start at -2000, then small gains: on a scale including the start they would be invisible.
    ll = np.array([-2000.0, -520.0, -505.0, -501.0, -500.0, -500.0])
    art = gplot.plot_log_likelihood(ax, ll)
    lo, hi = ax.get_ylim()
    assert lo > ll[0]  # the start is off the scale ...
    assert lo < ll[1:].min() and hi > ll[1:].max()  # ... every later value is in view
    assert (ll[1] - ll[-1]) / (hi - lo) < -0.7  # and the later gains fill most of the panel
    assert art.start.get_visible() and "-2000" in art.start.get_text()  # the start says its value
    # Without a dominant first jump every value is in view and there is no arrow.
    fig = Figure()
    ax2 = fig.add_subplot()
    flat = np.array([-600.0, -550.0, -520.0, -505.0, -500.0])
    art2 = gplot.plot_log_likelihood(ax2, flat)
    lo2, hi2 = ax2.get_ylim()
    assert lo2 < flat.min() and hi2 > flat.max() and not art2.start.get_visible()


def test_ll_start_arrow_is_drawn_at_the_bottom_edge(ax):
    ll = np.array([-2000.0, -520.0, -505.0, -500.0])
    art = gplot.plot_log_likelihood(ax, ll)
    ax.figure.canvas.draw()
    # The arrow's head is at iteration 0 on the bottom spine, inside the figure.
    head = ax.transData.inverted().transform(art.start.xycoords.transform(art.start.xy))
    assert head[0] == pytest.approx(0.0)
    assert head[1] == pytest.approx(ax.get_ylim()[0])


def test_plot_frame_then_update_frame(ax, history):
    art = gplot.plot_frame(ax, history.X, history.frame(0))
    np.testing.assert_allclose(art.points.get_facecolors()[0], gplot.GREY)  # start: grey
    assert art.title.get_text().startswith("Start")
    assert not any(a.get_visible() for a in art.shift.rings)  # nothing has moved yet
    n_artists = len(ax.get_children())
    k = history.n_components
    for i in (1, 2, len(history) - 1):
        frame = history.frame(i)
        changed = gplot.update_frame(art, frame)
        assert len(changed) == 1 + 3 * k + (1 + k) + (k + 1) + 1
        np.testing.assert_allclose(art.points.get_facecolors(), gplot.soft_colors(frame.resp))
        e = art.ellipses[0]
        ew, eh, _ = expected_geometry(full_cov_by_hand(frame.params)[0], 1)
        assert (e.width, e.height) == pytest.approx((ew, eh))
        np.testing.assert_allclose(art.means.markers.get_offsets(), frame.params.means)
        title = art.title.get_text()
        assert {"E": "E-step", "M": "M-step"}[frame.kind] in title
        assert f"iteration {frame.iteration}" in title
    assert len(ax.get_children()) == n_artists  # nothing new drawn


# --------------------------------------------------------------------------------------------
# densities
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_plot_density_every_covariance_type(ax, covariance_type):
    cs = gplot.plot_density(ax, params_of_type(covariance_type, d=3), dims=(0, 2), n_grid=40)
    assert len(cs.levels) > 1
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_{1}$", "$x_{3}$")


def test_mixture_density_matches_scipy_and_integrates_to_one():
    from scipy.stats import multivariate_normal

    p = params_of_type("full", d=3)
    pts = np.random.default_rng(4).normal(0, 3, (50, 2))
    covs = full_cov_by_hand(p)[:, [0, 2]][:, :, [0, 2]]
    expected = sum(
        w * multivariate_normal(m[[0, 2]], c).pdf(pts) for w, m, c in zip(p.weights, p.means, covs)
    )
    np.testing.assert_allclose(gplot._mixture_density(pts, p, (0, 2)), expected, rtol=1e-10)
    g = np.linspace(-25, 25, 501)
    gx, gy = np.meshgrid(g, g)
    z = gplot._mixture_density(np.column_stack([gx.ravel(), gy.ravel()]), p, (0, 1))
    assert z.sum() * (g[1] - g[0]) ** 2 == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_plot_1d_components_and_mixture(ax, covariance_type):
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(-2, 0.6, 80), rng.normal(2, 1.0, 120)])
    h = fit_em(x, 2, covariance_type=covariance_type, random_state=0)
    p = h.final
    resp = h.responsibilities(-1)
    art = gplot.plot_1d(ax, x, p, resp)
    assert len(art.components) == 2
    var = p.full_covariances()[:, 0, 0]
    for line, w, m, v in zip(art.components, p.weights, p.means[:, 0], var):
        gx, gy = line.get_data()
        np.testing.assert_allclose(gy, w * np.exp(-0.5 * (gx - m) ** 2 / v) / np.sqrt(2 * np.pi * v))
    _, my = art.mixture.get_data()
    np.testing.assert_allclose(my, sum(line.get_data()[1] for line in art.components))
    np.testing.assert_allclose(art.strip.get_facecolors(), gplot.soft_colors(resp))
    assert np.all(art.strip.get_offsets()[:, 1] < 0)  # under the axis
    assert len(art.hist) > 0
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x$", "density")


def test_update_1d_moves_the_curves_onto_new_parameters_in_place(ax):
    from scipy.stats import norm

    rng = np.random.default_rng(6)
    x = np.concatenate([rng.normal(-2, 0.6, 80), rng.normal(2, 1.0, 120)])
    h = fit_em(x, 2, init="random", random_state=1, tol=0.0, max_iter=6)
    grid = np.linspace(-8, 8, 101)
    art = gplot.plot_1d(ax, x, h.params[0], grid=grid)
    lines = list(ax.lines)
    changed = gplot.update_1d(art, h.final, h.responsibilities(-1))
    assert list(ax.lines) == lines  # the same artists, moved
    assert art.mixture in changed and art.strip in changed
    gx, gy = art.mixture.get_data()
    np.testing.assert_array_equal(gx, grid)  # the grid given to plot_1d is kept
    sd = np.sqrt(h.final.full_covariances()[:, 0, 0])
    expected = sum(w * norm.pdf(gx, m, s) for w, m, s in zip(h.final.weights, h.final.means[:, 0], sd))
    np.testing.assert_allclose(gy, expected)
    np.testing.assert_allclose(art.strip.get_facecolors(), gplot.soft_colors(h.responsibilities(-1)))


# --------------------------------------------------------------------------------------------
# means, the M-step's move, headlines
# --------------------------------------------------------------------------------------------
def test_means_are_numbered_from_1_and_follow_the_parameters(ax):
    before, after = params_of_type("full", d=3), params_of_type("full", d=3, seed=1)
    means = gplot.plot_means(ax, before, dims=(0, 2))
    np.testing.assert_allclose(means.markers.get_offsets(), before.means[:, [0, 2]])
    assert [t.get_text() for t in means.numbers] == ["1", "2", "3"]
    for t, m in zip(means.numbers, before.means[:, [0, 2]]):
        assert t.xy == pytest.approx(tuple(m))
    assert len(_shape_groups(means.markers)) == 3  # each mean in its component's marker shape
    gplot.update_means(means, after, dims=(0, 2))
    np.testing.assert_allclose(means.markers.get_offsets(), after.means[:, [0, 2]])
    for t, m in zip(means.numbers, after.means[:, [0, 2]]):
        assert t.xy == pytest.approx(tuple(m))
    with pytest.raises(ValueError, match="plot_means again"):
        gplot.update_means(means, params_of_type("full", k=2))


def test_shift_shows_where_the_components_were(ax):
    before, after = params_of_type("full", d=3), params_of_type("full", d=3, seed=1)
    shift = gplot.plot_shift(ax, before, after, dims=(0, 2), n_std=(1.0,))
    assert len(shift.rings) == 3
    covs = full_cov_by_hand(before)[:, [0, 2]][:, :, [0, 2]]
    w, h, _ = expected_geometry(covs[1], 1.0)
    ring = shift.rings[1]
    assert ring.center == pytest.approx(tuple(before.means[1, [0, 2]]))
    assert (ring.width, ring.height) == pytest.approx((w, h))
    assert ring.get_linestyle() != "-"  # dashed: where the ellipse was
    segments = shift.trails.get_segments()
    np.testing.assert_allclose(segments[2], [before.means[2, [0, 2]], after.means[2, [0, 2]]])
    changed = gplot.update_shift(shift, None)  # a frame without a move hides them
    assert len(changed) == 4 and not any(a.get_visible() for a in changed)
    gplot.update_shift(shift, after)
    assert all(r.get_visible() for r in shift.rings) and shift.trails.get_segments() == []
    two = gplot.plot_shift(ax, before, n_std=(1, 2))
    assert len(two.rings) == 6


def test_frame_text_names_the_half_step_and_what_changed():
    X = np.random.default_rng(0).normal(size=(60, 2))
    h = fit_em(X, 2, random_state=0, max_iter=3, tol=0)
    start = gmmviz.frame_text(h.frame(0))
    assert start.label == "Start" and start.when == "before iteration 1"
    assert "grey" in start.what and "kmeans means" in start.what  # fit_em's default start
    e = gmmviz.frame_text(h.frame(3), h.n_iter)
    assert (e.label, e.when) == ("E-step", "iteration 2 of 3") and "colours change" in e.what
    m = gmmviz.frame_text(h.frame(4))
    assert (m.label, m.when) == ("M-step", "iteration 2") and "ellipses move" in m.what
    given = fit_em(X, 2, params=h.final, max_iter=1)
    assert given.frame(0).start == "given parameters"
    assert gmmviz.frame_text(given.frame(0)).what.startswith("given parameters;")
    assert given.frame(0).description == str(gmmviz.frame_text(given.frame(0)))


def test_every_caption_of_a_frame_says_what_frame_text_says(tmp_path):
    """The axes title (plot_frame), the animation's title and Frame.description are the same
    three parts, so a change of wording in one place reaches all of them."""
    from gmmviz.animate import animate_em, save_animation

    X = np.random.default_rng(0).normal(size=(60, 2))
    h = fit_em(X, 2, random_state=0, max_iter=3, tol=0)
    ax = Figure().add_subplot()
    anim = animate_em(h, dpi=30)
    try:
        for i in range(h.n_frames):
            text = gmmviz.frame_text(h.frame(i), mathtext=True)
            artists = gplot.plot_frame(ax, X, h.frame(i))
            title = artists.title.get_text()
            assert title == f"{text.label}, {text.when}\n{text.what}"
            anim.show_frame(i)
            assert (
                anim.artists.title.get_text()
                == f"{text.label}, iteration {h.frame(i).iteration} of 3: {text.what}"
                if i
                else str(text)
            )
            assert str(gmmviz.frame_text(h.frame(i))) == h.frame(i).description
            ax.clear()
    finally:
        save_animation(anim, tmp_path / "run.gif")  # rendered: matplotlib warns of an animation never drawn


def test_the_start_caption_typesets_its_subscripts():
    """The figure's caption writes π_k and Σ_k with subscripts, as the readout does (π<sub>k</sub>),
    not as the plain-text "π_k" that printing a frame gives."""
    from matplotlib.figure import Figure

    X = np.random.default_rng(0).normal(size=(60, 2))
    frame = fit_em(X, 2, random_state=0, max_iter=2).frame(0)
    what = gmmviz.frame_text(frame, mathtext=True).what
    assert frame.start == "kmeans means, π_k = 1/K, Σ_k = I"  # printed: plain text
    assert "π_k" not in what and "Σ_k" not in what
    assert r"$\pi_k$ = 1/K" in what and r"$\Sigma_k$ = I" in what
    fig = Figure()
    text = fig.text(0, 0, what)
    fig.canvas.draw()  # mathtext parses: the caption draws
    assert text.get_window_extent().width > 0


def test_1d_components_are_numbered_at_their_peaks(ax):
    from scipy.stats import norm

    rng = np.random.default_rng(8)
    x = np.concatenate([rng.normal(-2, 0.6, 80), rng.normal(2, 1.0, 120)])
    h = fit_em(x, 2, init="random", random_state=1, tol=0.0, max_iter=4)
    view = gplot.plot_1d(ax, x, h.params[0])
    assert [t.get_text() for t in view.numbers] == ["1", "2"]
    gplot.update_1d(view, h.final)
    p = h.final
    sd = np.sqrt(p.full_covariances()[:, 0, 0])
    for t, w, m, s in zip(view.numbers, p.weights, p.means[:, 0], sd):
        assert t.xy == pytest.approx((m, w * norm.pdf(m, m, s)))


def test_two_ll_curves_on_one_axes_are_both_in_view(ax):
    fast = np.array([-2000.0, -520.0, -505.0, -500.0])
    slow = np.array([-900.0, -800.0, -700.0, -650.0, -600.0, -560.0, -530.0, -510.0])
    first = gplot.plot_log_likelihood(ax, fast)
    second = gplot.plot_log_likelihood(ax, slow)
    lo, hi = ax.get_ylim()
    assert lo < slow.min() and hi > max(fast.max(), slow.max())
    assert ax.get_xlim()[1] > slow.size - 1
    assert first.start.get_visible() and not second.start.get_visible()


# --------------------------------------------------------------------------------------------
# limits, legends and captions (issue "Course 3.0", pictures)
# --------------------------------------------------------------------------------------------
def _ring_extent(p: GMMParams, n_std: float) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box of every n_std ring, by hand: half-widths n_std * sqrt(Σ_ii)."""
    sd = np.sqrt(np.stack([np.diag(c) for c in full_cov_by_hand(p)]))
    return (p.means - n_std * sd).min(axis=0), (p.means + n_std * sd).max(axis=0)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_limits_from_the_data_include_the_outer_ellipse(ax, covariance_type):
    # Issue: 3-sd ellipses were cut off at the axes (00, 04, 09): they were added empty at the
    # origin, so autoscaling never saw them.
    p = params_of_type(covariance_type)
    rng = np.random.default_rng(0)
    X = p.means[rng.integers(0, 3, 200)] + 0.3 * rng.normal(size=(200, 2))
    gplot.plot_points(ax, X)
    gplot.plot_ellipses(ax, p)
    lo, hi = _ring_extent(p, 3)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= lo[0] and x1 >= hi[0] and y0 <= lo[1] and y1 >= hi[1]
    # The origin is not pulled in when nothing is there.
    far = GMMParams(np.ones(1), np.array([[50.0, 60.0]]), np.eye(2)[None])
    fig_ax = Figure().add_subplot()
    gplot.plot_ellipses(fig_ax, far, n_std=(1,))
    assert fig_ax.get_xlim()[0] > 40 and fig_ax.get_ylim()[0] > 50


def test_limits_set_by_hand_or_autolim_false_are_kept(ax, history):
    ax.set(xlim=(-1, 1), ylim=(-1, 1))
    gplot.plot_ellipses(ax, history.final)
    assert ax.get_xlim() == (-1, 1) and ax.get_ylim() == (-1, 1)
    other = Figure().add_subplot()
    other.scatter([0, 1], [0, 1])
    before = other.dataLim.frozen()
    rings = gplot.plot_ellipses(other, history.final, n_std=(30,), autolim=False)
    np.testing.assert_allclose(other.dataLim.get_points(), before.get_points())
    assert all(r in other.patches for r in rings)


def test_plot_frame_limits_include_the_frames_rings(ax, history):
    frame = history.frame(2)  # an M-frame: rings of params and dashed rings of previous_params
    gplot.plot_frame(ax, history.X, frame)
    for p, r in ((frame.params, 3), (frame.previous_params, 1)):
        lo, hi = _ring_extent(p, r)
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        assert x0 <= lo[0] + 1e-9 and x1 >= hi[0] - 1e-9 and y0 <= lo[1] + 1e-9 and y1 >= hi[1] - 1e-9


def test_plot_frame_legend_names_the_dashed_rings_the_trails_and_the_fills(history):
    texts = {}
    for i in (0, 1, 2):
        ax = Figure().add_subplot()
        art = gplot.plot_frame(ax, history.X, history.frame(i), legend=True)
        assert art.legend is ax.get_legend()
        texts[i] = [t.get_text() for t in art.legend.get_texts()]
    assert texts[0] == ["grey: no γ yet"]  # the start: nothing assigned yet
    assert not any("dashed" in t for t in texts[1])  # an E-frame moves nothing
    assert any("largest" in t and "1 (certain)" in t for t in texts[1])
    assert texts[2][:2] == ["dashed: before this M-step", "line: the mean's move"]
    assert any("0.5 (a tie)" in t for t in texts[2])
    # The legend's glyphs are the ones drawn: a dashed ring, a solid trail.
    ax = Figure().add_subplot()
    art = gplot.plot_frame(ax, history.X, history.frame(2), legend="upper left")
    dashed, trail = art.legend.legend_handles[:2]
    assert dashed.get_linestyle() != "-" and trail.get_linestyle() == "-"
    assert art.shift.rings[0].get_linestyle() != "solid"
    # Off by default (the animation and the explorer draw their own words).
    assert gplot.plot_frame(Figure().add_subplot(), history.X, history.frame(2)).legend is None


def test_a_single_gaussian_in_1d_has_no_stray_number(ax):
    one = GMMParams(np.ones(1), np.array([[1.0]]), np.array([[[2.25]]]))
    x = np.random.default_rng(0).normal(1, 1.5, 500)
    view = gplot.plot_1d(ax, x, one, strip=False)
    assert view.numbers == [] and not [t for t in ax.texts if t.get_text() == "1"]
    gplot.update_1d(view, one)  # still fine without numbers
    two = GMMParams(np.array([0.5, 0.5]), np.array([[-2.0], [2.0]]), np.ones((2, 1, 1)))
    assert [t.get_text() for t in gplot.plot_1d(Figure().add_subplot(), x, two).numbers] == ["1", "2"]
    assert len(gplot.plot_1d(Figure().add_subplot(), x, one, numbers=True).numbers) == 1


def test_density_contours_carry_their_values(ax, history):
    lines = gplot.plot_density(ax, history.final)
    values = [float(t.get_text()) for t in lines.labelTexts]
    assert values and all(v > 0 for v in values)
    assert set(values) <= {float(f"{v:.2g}") for v in lines.levels}
    filled = gplot.plot_density(Figure().add_subplot(), history.final, filled=True, colorbar=True)
    assert not getattr(filled, "labelTexts", []) and filled.colorbar.ax.get_ylabel() == "density p(x)"
    ax2 = Figure().add_subplot()
    plain = gplot.plot_density(ax2, history.final, labels=False, colorbar="p(x | θ)")
    assert not getattr(plain, "labelTexts", []) and plain.colorbar.ax.get_ylabel() == "p(x | θ)"


def test_certainty_legend_outside_the_axes_stays_in_a_tight_picture():
    # A notebook's inline picture is saved with bbox_inches="tight": a legend put beside the axes must be inside
    # that box (measured against the legend's own drawn extent), not cut off at the axes' edge.
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    gplot.plot_points(ax, np.random.default_rng(0).normal(size=(20, 2)))
    legend = gplot.plot_certainty_legend(ax, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    legend_right = legend.get_window_extent(renderer).x1 / fig.dpi  # inches
    axes_right = ax.get_window_extent(renderer).x1 / fig.dpi
    assert legend_right > axes_right + 0.5  # the legend really is outside the axes
    assert fig.get_tightbbox(renderer).x1 >= legend_right - 1e-6
