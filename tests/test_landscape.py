"""gmmviz.landscape (the ln p(X) surface of a 1-D two-component mixture, EM for the means alone, its
derivatives and rate), its pictures (gmmviz.plot_landscape) and its exercise check.

Every number is checked against something computed another way: a plain loop with scipy.stats.norm,
gmmviz's full mixture log-likelihood, finite differences, a hand-derived formula, or a sequence
whose rate is known by construction.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.stats import norm

import gmmviz
from gmmviz import GMMParams
from gmmviz.exercises_landscape import RATE_TOLERANCE, check_linear_rate
from gmmviz.landscape import (
    EMPath,
    em_rate_matrix,
    gradient_means,
    hessian_means,
    linear_rate,
    log_likelihood_grid,
    parameter_vectors,
    predicted_rate,
    restricted_em_path,
    restricted_em_step,
    step_ratios,
    two_cluster_sample,
)
from gmmviz.plot_landscape import (
    default_levels,
    plot_convergence_rate,
    plot_em_paths,
    plot_likelihood_surface,
    plot_rate_vs_separation,
    plot_stationary_points,
)

EPS = np.finfo(float).eps


def direct_log_likelihood(x, means, weights=(0.5, 0.5), sigmas=(1.0, 1.0)):
    """ln p(X) by a plain loop over the points, with scipy's densities (no log-sum-exp)."""
    total = 0.0
    for xn in np.asarray(x, dtype=float):
        total += np.log(sum(w * norm.pdf(xn, m, s) for w, m, s in zip(weights, means, sigmas)))
    return total


@pytest.fixture(scope="module")
def data():
    x, _ = two_cluster_sample(100, 3.0, random_state=0)
    return x


# --------------------------------------------------------------------------- the surface


def test_grid_matches_a_direct_loop_with_scipy():
    rng = np.random.default_rng(1)
    x = rng.normal(size=25) * 2
    mu1, mu2 = np.linspace(-3, 3, 7), np.linspace(-2, 4, 5)
    weights, sigmas = (0.3, 0.7), (0.8, 1.7)
    z = log_likelihood_grid(x, mu1, mu2, weights=weights, sigmas=sigmas)
    assert z.shape == (5, 7)
    for i, m2 in enumerate(mu2):
        for j, m1 in enumerate(mu1):
            want = direct_log_likelihood(x, (m1, m2), weights, sigmas)
            # ~25 terms of size ~1-10 each: rounding of the sum is ~1e-14 relative
            assert z[i, j] == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_grid_matches_gmmviz_full_mixture_log_likelihood(data):
    mu1, mu2 = np.array([-1.3, 0.2, 2.0]), np.array([1.5, -0.7])
    z = log_likelihood_grid(data, mu1, mu2)
    for i, m2 in enumerate(mu2):
        for j, m1 in enumerate(mu1):
            params = GMMParams([0.5, 0.5], [[m1], [m2]], [[[1.0]], [[1.0]]])
            assert z[i, j] == pytest.approx(gmmviz.log_likelihood(data, params), rel=1e-12)


def test_grid_stays_finite_far_from_the_data(data):
    # 60 standard deviations away every density underflows to 0; the log-sum-exp does not.
    z = log_likelihood_grid(data, [60.0], [-60.0])
    direct = sum(
        np.logaddexp(np.log(0.5) + norm.logpdf(data, 60, 1), np.log(0.5) + norm.logpdf(data, -60, 1))
    )
    assert np.isfinite(z).all() and z[0, 0] == pytest.approx(direct, rel=1e-12)


def test_surface_is_symmetric_under_label_swap_only_when_pi_and_sigma_are_equal(data):
    g = np.linspace(-4, 4, 41)
    z = log_likelihood_grid(data, g, g)
    assert np.allclose(z, z.T, rtol=0, atol=1e-12 * np.abs(z).max())
    unequal = log_likelihood_grid(data, g, g, weights=(0.3, 0.7))
    assert not np.allclose(unequal, unequal.T, atol=1.0)


# --------------------------------------------------------------------------- EM for the means


def test_restricted_step_is_the_weighted_mean_of_gmmviz_responsibilities(data):
    means = np.array([-0.4, 2.2])
    params = GMMParams([0.5, 0.5], means[:, None], [1.0, 1.0], "spherical")
    resp, _ = gmmviz.e_step(data, params)
    want = gmmviz.m_step(data, resp).means[:, 0]  # the full M-step's means (its own code path)
    assert np.allclose(restricted_em_step(data, means), want, rtol=1e-12, atol=1e-12)


def test_restricted_step_maximises_q_over_the_means(data):
    means = np.array([0.3, 0.9])
    resp = np.array([[0.5 * norm.pdf(xn, m, 1) for m in means] for xn in data])
    resp /= resp.sum(axis=1, keepdims=True)

    def q(mu):  # the part of Q(μ | μ_old) that depends on μ
        return -0.5 * np.sum(resp * (data[:, None] - mu[None, :]) ** 2)

    new = restricted_em_step(data, means)
    rng = np.random.default_rng(0)
    assert all(q(new) >= q(new + 0.05 * rng.normal(size=2)) for _ in range(200))


@pytest.mark.parametrize("seed", range(6))
def test_restricted_em_never_decreases_log_likelihood(seed):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-2, 1, 30), rng.normal(rng.uniform(0, 4), rng.uniform(0.5, 2), 40)])
    w = rng.dirichlet([2, 2])
    s = rng.uniform(0.5, 2.0, size=2)
    path = restricted_em_path(x, rng.uniform(-6, 6, size=2), weights=w, sigmas=s, max_iter=60, tol=0)
    ll = path.log_likelihoods
    # independent values: the scipy loop, at the first and last iterates
    assert ll[0] == pytest.approx(direct_log_likelihood(x, path.means[0], w, s), rel=1e-10)
    assert ll[-1] == pytest.approx(direct_log_likelihood(x, path.means[-1], w, s), rel=1e-10)
    assert np.all(np.diff(ll) >= -64 * EPS * np.abs(ll).max())


def test_path_ends_where_the_gradient_is_zero(data):
    path = restricted_em_path(data, (-3.0, 0.5))
    assert path.converged and isinstance(path, EMPath)
    assert path.means.shape == (path.n_iter + 1, 2) and path.log_likelihoods.shape == (path.n_iter + 1,)
    # the gradient's terms are of size ~N = 100; at the fixed point it vanishes up to the 1e-10 stop
    assert np.abs(gradient_means(data, path.final)).max() < 1e-7


def test_a_start_on_the_diagonal_stays_on_it_and_ends_at_the_mean(data):
    path = restricted_em_path(data, (2.5, 2.5))
    assert np.array_equal(path.means[:, 0], path.means[:, 1])  # exactly: γ_n1 = γ_n2 = 1/2 for every point
    assert path.final == pytest.approx([data.mean(), data.mean()], abs=1e-12)
    assert path.n_iter <= 2


def test_starts_either_side_of_the_diagonal_reach_label_swapped_maxima(data):
    above = restricted_em_path(data, (-3.0, 0.5)).final
    below = restricted_em_path(data, (0.5, -3.0)).final
    assert above[0] < above[1] and np.allclose(below, above[::-1], atol=1e-8)
    assert direct_log_likelihood(data, above) == pytest.approx(direct_log_likelihood(data, below), rel=1e-12)


def test_max_iter_zero_returns_the_start(data):
    path = restricted_em_path(data, (1.0, 2.0), max_iter=0)
    assert path.n_iter == 0 and not path.converged and np.array_equal(path.final, [1.0, 2.0])


def test_defaults_are_equal_weights_and_unit_sigmas(data):
    means = np.array([-1.0, 1.0])
    assert np.allclose(
        restricted_em_step(data, means), restricted_em_step(data, means, weights=[0.5, 0.5], sigmas=[1, 1])
    )


# --------------------------------------------------------------------------- derivatives


def fd_log_likelihood_derivatives(x, means, weights, sigmas, h):
    """Gradient and Hessian of ln p(X) by central differences of the scipy loop."""

    def f(m):
        return direct_log_likelihood(x, m, weights, sigmas)

    m = np.asarray(means, dtype=float)
    e = np.eye(2) * h
    grad = np.array([(f(m + e[k]) - f(m - e[k])) / (2 * h) for k in range(2)])
    hess = np.empty((2, 2))
    for k in range(2):
        for j in range(2):
            hess[k, j] = (
                f(m + e[k] + e[j]) - f(m + e[k] - e[j]) - f(m - e[k] + e[j]) + f(m - e[k] - e[j])
            ) / (4 * h * h)
    return grad, hess


@pytest.mark.parametrize("means", [(-1.3, 1.5), (0.08, 0.08), (2.0, -0.5), (-3.0, 3.5)])
def test_gradient_and_hessian_match_finite_differences(means):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(-1.5, 1, 20), rng.normal(1.5, 1, 20)])
    weights, sigmas = (0.4, 0.6), (0.9, 1.3)
    # h = 1e-3: truncation error of the central differences ~ h² · |f⁗| ~ 1e-6 · N, rounding error
    # ~ eps · |ln p(X)| / h² ~ 2e-16 · 100 / 1e-6 = 2e-8: both far below the tolerance of 1e-4 · N.
    grad_fd, hess_fd = fd_log_likelihood_derivatives(x, means, weights, sigmas, h=1e-3)
    scale = x.size
    assert np.allclose(gradient_means(x, means, weights=weights, sigmas=sigmas), grad_fd, atol=1e-4 * scale)
    hess = hessian_means(x, means, weights=weights, sigmas=sigmas)
    assert np.allclose(hess, hess.T)
    assert np.allclose(hess, hess_fd, atol=1e-4 * scale)


def test_hessian_at_the_best_diagonal_point_has_the_hand_formula(data):
    # On the diagonal γ = 1/2 for every point: H = (S/4) [[1, -1], [-1, 1]] - (N/2) I, S = Σ (x_n - x̄)²,
    # eigenvalues -N/2 along (1, 1) and (N/2)(s² - 1) along (1, -1), s² = S / N.
    n, m = data.size, data.mean()
    S = np.sum((data - m) ** 2)
    want = S / 4 * np.array([[1.0, -1.0], [-1.0, 1.0]]) - n / 2 * np.eye(2)
    hess = hessian_means(data, (m, m))
    assert np.allclose(hess, want, rtol=1e-12, atol=1e-10)
    assert np.allclose(np.linalg.eigvalsh(hess), sorted([-n / 2, n / 2 * (S / n - 1)]))


def test_the_diagonal_point_is_a_saddle_or_a_maximum_as_s2_is_above_or_below_sigma2():
    wide, _ = two_cluster_sample(100, 3.0, random_state=0)
    one, _ = two_cluster_sample(100, 0.0, random_state=0)
    assert wide.var() > 1 > one.var()  # the seed's data: s² = 3.03 and 0.93
    eig_wide = np.linalg.eigvalsh(hessian_means(wide, [wide.mean()] * 2))
    eig_one = np.linalg.eigvalsh(hessian_means(one, [one.mean()] * 2))
    assert eig_wide[0] < 0 < eig_wide[1] and np.all(eig_one < 0)
    g = np.linspace(-3, 3, 121)  # brute force: the grid's highest point lies on the diagonal for one cluster
    z = log_likelihood_grid(one, g, g)
    i, j = np.unravel_index(np.argmax(z), z.shape)
    assert abs(g[i] - g[j]) <= g[1] - g[0]


def test_rate_matrix_is_the_jacobian_of_the_em_map(data):
    fixed = restricted_em_path(data, (-3.0, 0.5), tol=0, max_iter=200).final
    h = 1e-6  # the map is smooth with slopes below 1; h = 1e-6 leaves rounding ~ eps / h ~ 1e-10
    jac = np.column_stack(
        [
            (restricted_em_step(data, fixed + h * e) - restricted_em_step(data, fixed - h * e)) / (2 * h)
            for e in np.eye(2)
        ]
    )
    assert np.allclose(em_rate_matrix(data, fixed), jac, atol=1e-6)


def test_predicted_rate_is_what_em_does_and_near_one_as_clusters_merge():
    rates = {}
    for delta in (3.0, 0.8):
        x, _ = two_cluster_sample(100, delta, random_state=0)
        path = restricted_em_path(x, (-3.0, 3.0), max_iter=5000, tol=1e-13)
        rates[delta] = predicted_rate(x, path.final)
        assert linear_rate(path.means) == pytest.approx(rates[delta], abs=1e-4)
    assert rates[0.8] > 0.9 > 0.6 > rates[3.0]


# --------------------------------------------------------------------------- the measured rate


def known_sequence(r=0.8, r_fast=0.3, n=60):
    t = np.arange(n)[:, None]
    limit = np.array([1.0, -2.0, 0.5])
    return limit + 3 * r**t * np.array([1.0, 2.0, -1.0]) + 2 * r_fast**t * np.array([0.0, 1.0, 1.0]), limit


@pytest.mark.parametrize("r", [0.2, 0.5, 0.8, 0.97])
def test_linear_rate_recovers_a_known_ratio(r):
    # Two directions, the slower at r, the faster at r / 2. The ratios near the noise floor
    # (1e4 · eps · scale) carry up to ~1e-4 relative rounding error, and the early ones the faster
    # direction's (1/2)^t: 1e-3 relative still tells r from r / 2 by far.
    seq, limit = known_sequence(r=r, r_fast=0.5 * r, n=400)
    assert linear_rate(seq) == pytest.approx(r, rel=1e-3)
    assert linear_rate(seq, limit) == pytest.approx(r, rel=1e-3)
    assert linear_rate(5.0 + r ** np.arange(300)) == pytest.approx(r, rel=1e-3)  # a scalar sequence
    # One direction only: every ratio is r up to rounding.
    pure = 2.0 + np.outer(r ** np.arange(40), [1.0, -1.0])
    assert linear_rate(pure[:12]) == pytest.approx(r, rel=1e-9)


def test_log_likelihood_increments_shrink_at_r_squared(data):
    path = restricted_em_path(data, (-3.0, 0.5), tol=0, max_iter=60)
    r = linear_rate(path.means)
    assert np.sqrt(linear_rate(path.log_likelihoods)) == pytest.approx(r, abs=1e-3)


def test_step_ratios_leave_out_rounding_noise():
    seq, limit = known_sequence(n=400)  # 0.8^400 ~ 1e-39: the tail is rounding noise
    ratios = step_ratios(seq)
    assert ratios.shape == (398,) and np.isnan(ratios[-1]) and np.isfinite(ratios[:50]).all()
    assert step_ratios(seq, limit).shape == (399,)


def test_full_em_rate_grows_as_clusters_overlap():
    rates = []
    for delta in (5.0, 3.0, 2.0):
        X, _ = two_cluster_sample(500, delta, n_features=2, random_state=0)
        history = gmmviz.fit_em(X, 2, tol=0, max_iter=300, random_state=0)
        rates.append(linear_rate(parameter_vectors(history)))
    assert rates[0] < rates[1] < rates[2] < 1


def test_parameter_vectors_flatten_every_iterate():
    X, _ = two_cluster_sample(60, 4.0, n_features=2, random_state=1)
    history = gmmviz.fit_em(X, 2, max_iter=5, tol=0, random_state=0)
    theta = parameter_vectors(history)
    assert theta.shape == (6, 2 + 4 + 8)
    p = history.params[3]
    assert np.array_equal(theta[3], np.concatenate([p.weights, p.means.ravel(), p.covariances.ravel()]))
    assert np.array_equal(parameter_vectors(list(history.params)), theta)


def test_two_cluster_sample_keeps_the_noise_and_moves_the_centres():
    a, la = two_cluster_sample(101, 2.0, random_state=5)
    b, lb = two_cluster_sample(101, 6.0, random_state=5)
    assert a.shape == (101,) and np.array_equal(la, lb) and la.sum() == 51
    assert np.allclose(b - a, np.where(la == 1, 2.0, -2.0))
    X, _ = two_cluster_sample(10, 1.0, n_features=3)
    assert X.shape == (10, 3)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda x: log_likelihood_grid(np.ones((5, 2)), [0], [0]), ValueError, "1-D data"),
        (lambda x: log_likelihood_grid(x, [], [0]), ValueError, "np.linspace"),
        (lambda x: log_likelihood_grid(x, "abc", [0]), TypeError, "mu1"),
        (lambda x: log_likelihood_grid(x, [0], [0], weights=(0.5, 0.6)), ValueError, "sum to 1"),
        (lambda x: log_likelihood_grid(x, [0], [0], sigmas=(1.0, 0.0)), ValueError, "positive"),
        (lambda x: log_likelihood_grid(x, [0], [0], sigmas=(1.0, 1.0, 1.0)), ValueError, "one per component"),
        (lambda x: restricted_em_step(x, [1.0]), ValueError, "at least 2"),
        (lambda x: restricted_em_step(x, [np.nan, 1.0]), ValueError, "finite"),
        (lambda x: restricted_em_step([1.0, np.inf], [0.0, 1.0]), ValueError, "NaN or infinite"),
        (lambda x: restricted_em_path(x, [0.0, 1.0], max_iter=-1), ValueError, "max_iter"),
        (lambda x: restricted_em_path(x, [0.0, 1.0], tol="small"), TypeError, "tol"),
        (lambda x: linear_rate([1.0, 0.5, 0.25]), ValueError, "at least 4 iterates"),
        (lambda x: linear_rate([1.0, 1.0, 1.0, 1.0, 1.0]), ValueError, "rounding noise"),
        (lambda x: linear_rate([[1.0, 2.0]] * 5, limit=[1.0]), ValueError, "limit has 1"),
        (lambda x: linear_rate(0.5 ** np.arange(10), tail=0), ValueError, "tail"),
        (lambda x: linear_rate("abc"), TypeError, "numbers"),
        (lambda x: parameter_vectors([1, 2]), TypeError, "EMHistory"),
        (lambda x: two_cluster_sample(1), ValueError, "n_samples"),
        (lambda x: two_cluster_sample(10, -1.0), ValueError, "separation"),
    ],
)
def test_bad_input_names_the_problem(data, call, error, words):
    with pytest.raises(error, match=words):
        call(data)


# --------------------------------------------------------------------------- pictures


def test_surface_picture_has_levels_colorbar_diagonal_and_returns_its_artists(data):
    g = np.linspace(-4, 4, 41)
    z = log_likelihood_grid(data, g, g)
    fig, ax = plt.subplots()
    art = plot_likelihood_surface(ax, g, g, z)
    levels = default_levels(z)
    assert np.allclose(art.filled.levels, levels) and art.colorbar is not None
    assert art.colorbar.ax.get_ylabel() == "ln p(X)" and len(art.labels) > 0
    assert np.all(np.diff(levels) > 0) and levels[-1] == z.max() and levels[0] <= z.min()
    assert "labels swap" in art.diagonal.get_label()
    marks = plot_stationary_points(ax, maxima=[(-1.3, 1.5), (1.5, -1.3)], saddles=(0.08, 0.08))
    assert marks.maxima.get_xdata().size == 2 and marks.saddles.get_label() == "saddle"
    with pytest.raises(ValueError, match="len\\(mu2\\), len\\(mu1\\)"):
        plot_likelihood_surface(ax, g, g[:-1], z)
    plt.close(fig)


def test_paths_and_rate_pictures_label_what_they_draw(data):
    paths = [restricted_em_path(data, s).means for s in [(-3.0, 0.5), (0.5, -3.0)]]
    fig, (ax, ax2, ax3) = plt.subplots(1, 3)
    drawn = plot_em_paths(ax, paths, ["A", "B"])
    assert [d.start.get_label() for d in drawn] == ["A", "B"]
    assert not np.allclose(drawn[0].line.get_color(), drawn[1].line.get_color())
    assert np.allclose(drawn[1].line.get_xydata(), paths[1])
    steps = [np.linalg.norm(np.diff(p, axis=0), axis=1) for p in paths]
    rates = [linear_rate(p) for p in paths]
    lines = plot_convergence_rate(ax2, steps, rates, ["A", "B"])
    assert lines[0].measured.get_label() == f"A: r = {rates[0]:.3f}" and ax2.get_yscale() == "log"
    curve = plot_rate_vs_separation(ax3, [4, 3, 2], [0.3, 0.6, 0.9], label="full EM", notes=["a", "b", "c"])
    plot_rate_vs_separation(ax3, [4, 3, 2], [0.1, 0.2, 0.5], label="means only", index=1)
    assert [t.get_text() for t in curve.notes] == ["a", "b", "c"]
    assert sum(line.get_label() == "r = 1: no progress" for line in ax3.lines) == 1
    with pytest.raises(ValueError, match="one label per path"):
        plot_em_paths(ax, paths, ["A"])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        plot_convergence_rate(ax2, steps[:1], [1.2], ["A"])
    plt.close(fig)


def test_colour_bar_arrow_only_for_values_beyond_the_levels(data):
    g = np.linspace(-4, 4, 41)
    z = log_likelihood_grid(data, g, g)
    fig, axes = plt.subplots(1, 3)
    # default levels reach below the lowest value (the drops go past the whole range): no arrow
    assert plot_likelihood_surface(axes[0], g, g, z).filled.extend == "neither"
    cut = np.linspace(z.min() + 100, z.max(), 6)  # values below the first level: an arrow at the bottom
    assert plot_likelihood_surface(axes[1], g, g, z, levels=cut).filled.extend == "min"
    both = np.linspace(z.min() + 100, z.max() - 1, 6)  # and above the last one: both ends
    assert plot_likelihood_surface(axes[2], g, g, z, levels=both).filled.extend == "both"
    plt.close(fig)


def test_contour_numbers_skip_the_rings_around_the_peaks(data):
    g = np.linspace(-4, 4, 161)
    z = log_likelihood_grid(data, g, g)
    fig, ax = plt.subplots()
    art = plot_likelihood_surface(ax, g, g, z)
    written = {float(t.get_text()) for t in art.labels}
    top = z.max()
    # the maximum minus 5, 10, 20, 50 (the default levels' 1-2-5 drops), to the 1 decimal written
    allowed = {round(top - d, 1) for d in (5, 10, 20, 50)}
    assert written and written <= allowed
    assert not written & {round(top - d, 1) for d in (0.5, 1, 2)}  # the three innermost rings: no number
    plt.close(fig)


# --------------------------------------------------------------------------- the exercise's check


def test_check_linear_rate_passes_the_ratio_of_late_steps_and_names_slips():
    x, _ = two_cluster_sample(100, 1.0, random_state=0)
    path = restricted_em_path(x, (-2.0, 2.0))
    steps = np.linalg.norm(np.diff(path.means, axis=0), axis=1)
    r = steps[30] / steps[29]  # the reference solution
    assert 0.7 < r < 0.9  # far from 0.5, so r, 1 - r and r² differ by more than the tolerance
    assert check_linear_rate(None, path.means).status == "not attempted"
    assert check_linear_rate(r, path.means).passed
    assert check_linear_rate(round(r, 2), path.means).passed
    assert not check_linear_rate(r + 3 * RATE_TOLERANCE, path.means).passed
    assert "r²" in check_linear_rate(r * r, path.means).message
    assert "1/r" in check_linear_rate(1 / r, path.means).message
    assert "1 − r" in check_linear_rate(1 - r, path.means).message
    assert "before the ratios settle" in check_linear_rate(steps[1] / steps[0], path.means).message
    assert "one number" in check_linear_rate([r, r], path.means).message
    assert "between 0 and 1" in check_linear_rate(-0.4, path.means).message


def test_check_linear_rate_names_a_ratio_from_before_the_ratios_settle():
    x, _ = two_cluster_sample(100, 1.0, random_state=0)
    path = restricted_em_path(x, (-2.0, 2.0))
    steps = np.linalg.norm(np.diff(path.means, axis=0), axis=1)
    ratios = steps[1:] / steps[:-1]
    r = predicted_rate(x, path.final)  # the theory's r (checked against the iterates above)
    close = np.abs(ratios - r) <= RATE_TOLERANCE
    settle = next(i for i in range(close.size) if close[i:].all())  # from here on every ratio is close
    assert settle > 5  # the ratios settle slowly: "a few iterations in" is not enough here
    assert check_linear_rate(ratios[settle], path.means).passed
    late_miss = check_linear_rate(ratios[settle - 1], path.means)
    assert not late_miss.passed and f"steps[{settle}] / steps[{settle - 1}]" in late_miss.message
    early = check_linear_rate(steps[6] / steps[5], path.means)
    assert not early.passed and "steps[6] / steps[5]" in early.message
    assert f"from steps[{settle + 1}] / steps[{settle}] on" in early.message
    # rounded to 2 decimals it is still recognised
    assert "steps[6] / steps[5]" in check_linear_rate(round(steps[6] / steps[5], 2), path.means).message
    # a number that is no ratio of this run gets the general hint, not a made-up ratio
    assert "stopped changing" in check_linear_rate(0.5, path.means).message
    assert "steps[" not in check_linear_rate(0.5, path.means).message


@pytest.mark.parametrize(
    "iterates, words",
    [
        (np.array([[-2.0, 2.0], [-1.0, 1.0], [-0.5, 0.6]]), "at least 4 iterates"),
        (np.zeros((10, 2)), "rounding noise"),
        ("abc", "numbers"),
    ],
)
def test_check_linear_rate_reports_unusable_iterates_instead_of_raising(iterates, words):
    result = check_linear_rate(0.8, iterates)
    assert result.status == "failed" and words in result.message and "re-run" in result.message


def test_check_linear_rate_explains_a_settled_ratio_rounded_too_far():
    # Δ = 1 from (-2, 2): the settled ratios creep from about 0.784 up to r ≈ 0.793, so a settled ratio
    # rounded to 2 decimals can be 0.78, more than the tolerance from r: the hint must say "rounded",
    # not call it a ratio from before the ratios settle.
    x, _ = two_cluster_sample(100, 1.0, random_state=0)
    path = restricted_em_path(x, (-2.0, 2.0))
    steps = np.linalg.norm(np.diff(path.means, axis=0), axis=1)
    ratios = steps[1:] / steps[:-1]
    r = predicted_rate(x, path.final)
    close = np.abs(ratios - r) <= RATE_TOLERANCE
    settle = next(i for i in range(close.size) if close[i:].all())
    rounded = round(ratios[settle], 2)
    assert abs(ratios[settle] - r) <= RATE_TOLERANCE < abs(rounded - r)  # the case: settled, but rounded away
    result = check_linear_rate(rounded, path.means)
    assert not result.passed
    assert "rounded to 2 decimals" in result.message and "3 decimals" in result.message
    assert "before the ratios settle" not in result.message
    assert check_linear_rate(round(ratios[-1], 2), path.means).passed  # a late ratio rounded is still fine


def test_rate_picture_names_its_dashed_line_without_an_undefined_symbol():
    fig, ax = plt.subplots()
    lines = plot_convergence_rate(ax, [0.5 ** np.arange(20.0)], [0.5], ["A"])
    label = lines[0].fitted.get_label()
    assert label.startswith("∝ rᵗ") and "slope ln r" in label
    # the dashed line really has slope ln r on the log scale
    t, y = lines[0].fitted.get_data()
    assert np.allclose(np.diff(np.log(y)), np.log(0.5))
    plt.close(fig)
