"""The mixture classifier (gmmviz.classify), the Dirichlet-process sweep (gmmviz.dp_mixture), their
pictures (gmmviz.plot_classify) and notebook 13's checker (gmmviz.exercises_classify).

Checked independently: against scikit-learn's QuadraticDiscriminantAnalysis, a two-class 1-D case worked
out by hand, SciPy's densities, Monte Carlo draws of the stick-breaking prior, and properties (posteriors
sum to 1, priors shift the log-odds by their log ratio, a small concentration keeps fewer components).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.datasets import load_iris
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.mixture import BayesianGaussianMixture
from sklearn.model_selection import train_test_split

from gmmviz import GMMParams, fit_best
from gmmviz.classify import (
    ClassMixtures,
    class_log_densities,
    class_log_posterior,
    fit_class_mixtures,
    predict,
    with_priors,
)
from gmmviz.datasets import make_dataset
from gmmviz.dp_mixture import DPWeights, fit_dp_weights, n_above, stick_breaking_mean
from gmmviz.exercises_classify import check_class_posterior
from gmmviz.palette import component_colors
from gmmviz.plot import GREY
from gmmviz.plot_classify import plot_certainty, plot_class_points, plot_decision_regions, plot_weight_bars


@pytest.fixture(scope="module")
def iris_split():
    iris = load_iris()
    return train_test_split(iris.data, iris.target, test_size=0.25, stratify=iris.target, random_state=0)


@pytest.fixture(scope="module")
def iris_2d(iris_split):
    Xtr, _, ytr, _ = iris_split
    return fit_class_mixtures(Xtr[:, [2, 3]], ytr, 1, "full")


# ---------------------------------------------------------------------------------------------
# Bayes' rule against scikit-learn and by hand
# ---------------------------------------------------------------------------------------------


def test_one_full_gaussian_per_class_is_scikit_learns_qda(iris_split):
    Xtr, Xte, ytr, yte = iris_split
    model = fit_class_mixtures(Xtr, ytr, 1, "full", reg_covar=0.0)
    qda = QuadraticDiscriminantAnalysis(reg_param=0.0).fit(Xtr, ytr)
    for X in (Xtr, Xte):
        ours = np.exp(class_log_posterior(X, model))
        # posteriors are in [0, 1]; QDA's SVD and our Cholesky differ in rounding only
        np.testing.assert_allclose(ours, qda.predict_proba(X), rtol=0, atol=1e-9)
        np.testing.assert_array_equal(predict(X, model), qda.predict(X))
    np.testing.assert_allclose(model.priors, qda.priors_, rtol=0, atol=1e-15)


def test_reg_covar_changes_the_qda_posteriors_only_slightly(iris_split):
    Xtr, Xte, ytr, _ = iris_split
    model = fit_class_mixtures(Xtr, ytr)  # reg_covar = 1e-6, as every gmmviz fit
    qda = QuadraticDiscriminantAnalysis().fit(Xtr, ytr)
    diff = np.abs(np.exp(class_log_posterior(Xte, model)) - qda.predict_proba(Xte)).max()
    # iris's smallest class variances are about 0.01, so a relative change of 1e-6/0.01 = 1e-4 at most
    assert diff < 1e-4
    np.testing.assert_array_equal(predict(Xte, model), qda.predict(Xte))


def test_two_class_1d_case_by_hand():
    x_a, x_b = [0.0, 2.0], [4.0, 6.0, 8.0]
    X = np.array(x_a + x_b)
    y = np.array(["a", "a", "b", "b", "b"])
    model = fit_class_mixtures(X, y, 1, reg_covar=0.0)

    # by hand: class a has mean 1 and variance ((0-1)^2 + (2-1)^2) / 2 = 1; class b mean 6, variance 8/3;
    # priors 2/5 and 3/5
    def normal(x, mean, var):
        return math.exp(-((x - mean) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)

    for x in (-1.0, 3.0, 3.5, 5.0):
        joint_a = 0.4 * normal(x, 1.0, 1.0)
        joint_b = 0.6 * normal(x, 6.0, 8.0 / 3.0)
        expected = np.array([joint_a, joint_b]) / (joint_a + joint_b)
        got = np.exp(class_log_posterior([x], model))[0]
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
        assert predict([x], model)[0] == ("a" if joint_a > joint_b else "b")
    np.testing.assert_allclose(
        class_log_densities([3.0], model)[0],
        [math.log(normal(3.0, 1.0, 1.0)), math.log(normal(3.0, 6.0, 8.0 / 3.0))],
        rtol=1e-12,
    )
    assert model.classes.tolist() == ["a", "b"] and model.n_components == (1, 1)


def test_posteriors_sum_to_one_even_far_from_every_class(iris_split):
    Xtr, Xte, ytr, _ = iris_split
    model = fit_class_mixtures(Xtr, ytr, 2, "diag")
    far = Xte[:5] + 1e3  # every density underflows to 0 here
    for X in (Xte, far):
        log_post = class_log_posterior(X, model)
        assert np.all(np.isfinite(log_post)) and np.all(log_post <= 1e-12)
        np.testing.assert_allclose(np.exp(log_post).sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_a_class_mixture_is_gmmviz_fit_best_on_that_class_and_its_density_scipys(iris_split):
    Xtr, Xte, ytr, _ = iris_split
    seeds = (0, 1)
    model = fit_class_mixtures(Xtr, ytr, {0: 1, 1: 2, 2: 2}, "full", seeds=seeds)
    assert model.n_components == (1, 2, 2)
    best = fit_best(Xtr[ytr == 2], 2, seeds=seeds).final
    np.testing.assert_allclose(model.mixtures[2].means, best.means)
    # ln p(x | c) = ln Σ_k π_ck N(x | μ_ck, Σ_ck), summed by SciPy in the density domain (no log-sum-exp)
    m = model.mixtures[1]
    dens = sum(w * multivariate_normal(mu, s).pdf(Xte) for w, mu, s in zip(m.weights, m.means, m.covariances))
    np.testing.assert_allclose(class_log_densities(Xte, model)[:, 1], np.log(dens), rtol=1e-10)


def test_tied_is_full_with_one_component_per_class(iris_split):
    Xtr, Xte, ytr, _ = iris_split
    full = fit_class_mixtures(Xtr, ytr, 1, "full")
    tied = fit_class_mixtures(Xtr, ytr, 1, "tied")
    np.testing.assert_allclose(class_log_posterior(Xte, tied), class_log_posterior(Xte, full), atol=1e-9)


def test_priors_shift_the_log_odds_by_their_log_ratio(iris_split):
    Xtr, Xte, ytr, _ = iris_split
    model = fit_class_mixtures(Xtr, ytr)
    other = with_priors(model, [0.1, 0.8, 0.1])
    before, after = class_log_posterior(Xte, model), class_log_posterior(Xte, other)
    shift = np.log(other.priors) - np.log(model.priors)
    # ln p(1|x) − ln p(2|x) = ln π_1/π_2 + ln p(x|1)/p(x|2): only the prior term moves
    np.testing.assert_allclose(
        (after[:, 1] - after[:, 2]) - (before[:, 1] - before[:, 2]), shift[1] - shift[2], atol=1e-9
    )
    assert model.priors.tolist() != other.priors.tolist()  # the original is unchanged


def test_labels_may_be_strings_and_priors_default_to_shares():
    X, labels = make_dataset("blobs", n_samples=90, random_state=0)
    names = np.array(["north", "south", "east"])[labels]
    model = fit_class_mixtures(X, names)
    assert model.classes.tolist() == sorted(set(names.tolist()))
    shares = [np.mean(names == c) for c in model.classes]
    np.testing.assert_allclose(model.priors, shares)
    assert set(predict(X, model).tolist()) <= set(names.tolist())
    assert "ClassMixtures(classes=" in repr(model)


# ---------------------------------------------------------------------------------------------
# Bad input: messages that name the problem and the fix
# ---------------------------------------------------------------------------------------------


def test_too_few_points_for_k_c_names_the_class_and_the_fix():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(23, 2))
    y = np.array([0] * 10 + [1] * 10 + [2] * 3)
    with pytest.raises(ValueError, match=r"class 2 has 3 points but K_c=5: lower K_c"):
        fit_class_mixtures(X, y, {0: 1, 1: 1, 2: 5})


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"y": np.zeros(6, dtype=int)}, ValueError, "only one class"),
        ({"y": np.array([0, 1, 0, 1, 0])}, ValueError, "6 points but y has 5 labels"),
        ({"y": np.array([[0, 1, 0, 1, 0, 1]])}, ValueError, "y.ravel"),
        ({"priors": [0.5, 0.6]}, ValueError, "sum to 1"),
        ({"priors": [1.0, 0.0]}, ValueError, "positive"),
        ({"priors": [1.0]}, ValueError, r"shape \(2,\)"),
        ({"n_components": {0: 1}}, ValueError, r"missing \[1\]"),
        ({"n_components": [1, 1, 1]}, ValueError, "one K_c per class"),
        ({"n_components": 1.5}, TypeError, "n_components must be an int"),
        ({"covariance_type": "round"}, ValueError, "covariance_type"),
        ({"y": np.array([0.0, 1.0, np.nan, 1.0, 0.0, 1.0])}, TypeError, "class labels"),
    ],
)
def test_bad_input_is_explained(kwargs, error, message):
    X = np.arange(12.0).reshape(6, 2) ** 1.5
    args = {"y": np.array([0, 1, 0, 1, 0, 1]), **kwargs}
    with pytest.raises(error, match=message):
        fit_class_mixtures(X, **args)


def test_predicting_with_other_columns_or_no_model_is_explained(iris_split, iris_2d):
    _, Xte, _, _ = iris_split
    with pytest.raises(ValueError, match="fitted on 2: pass the same columns"):
        predict(Xte, iris_2d)
    with pytest.raises(TypeError, match="fit_class_mixtures"):
        class_log_posterior(Xte, {"means": 0})
    with pytest.raises(TypeError, match="one per class"):
        ClassMixtures(np.array([0, 1]), (iris_2d.mixtures[0],), [0.5, 0.5])


def test_a_class_whose_every_start_is_degenerate_is_named():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(size=(30, 2)), rng.normal(size=(6, 2)) + 5])
    y = np.array([0] * 30 + [1] * 6)
    with pytest.raises(ValueError, match=r"class 1 \(6 points, K_c=3\).*Lower K"):
        fit_class_mixtures(X, y, {0: 1, 1: 3})


# ---------------------------------------------------------------------------------------------
# The Dirichlet-process sweep
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_blobs_sweep():
    X, _ = make_dataset("blobs", n_samples=60, random_state=0)
    return fit_dp_weights(X, (0.01, 1.0, 100.0), n_components=10)


def test_dp_weights_sum_to_one_and_converge(small_blobs_sweep):
    sweep = small_blobs_sweep
    assert isinstance(sweep, DPWeights) and sweep.weights.shape == (3, 10)
    np.testing.assert_allclose(sweep.weights.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert sweep.converged.all() and (sweep.n_iter >= 1).all()
    np.testing.assert_array_equal(sweep.of(100.0), sweep.weights[2])
    with pytest.raises(KeyError, match="fitted ones"):
        sweep.of(5.0)


def test_a_small_concentration_keeps_fewer_components_than_a_large_one(small_blobs_sweep):
    # three well-separated clusters of 20 points: with α = 0.01 the surplus components starve, with α = 100
    # the prior gives each a share of about 1/(N + α)-ish, above 1 %
    counts = n_above(small_blobs_sweep.weights, 0.01)
    assert counts[0] == 3 and counts[0] < counts[-1]
    assert np.all(np.diff(counts) >= 0)


def test_unused_components_shrink_like_the_stick_breaking_prior(small_blobs_sweep):
    # after the last component the data use, each weight is α/(1 + α) times the one before (the prior's
    # E[1 − v_k]); the data barely touch these pieces
    for alpha, w in zip(small_blobs_sweep.concentrations, small_blobs_sweep.weights):
        last_used = np.flatnonzero(w > 0.05).max()
        tail = w[last_used + 1 :]
        assert tail.size >= 2
        np.testing.assert_allclose(tail[1:] / tail[:-1], alpha / (1 + alpha), rtol=0.05)


def test_stick_breaking_mean_matches_monte_carlo():
    rng = np.random.default_rng(0)
    for alpha, k in ((0.5, 4), (3.0, 6)):
        v = rng.beta(1.0, alpha, size=(200_000, k))
        v[:, -1] = 1.0  # the truncated last piece takes what is left
        pieces = v * np.hstack([np.ones((v.shape[0], 1)), np.cumprod(1 - v[:, :-1], axis=1)])
        mc, se = pieces.mean(axis=0), pieces.std(axis=0) / math.sqrt(v.shape[0])
        expected = stick_breaking_mean(alpha, k)
        assert np.all(np.abs(mc - expected) < 5 * se + 1e-12)
        assert math.isclose(expected.sum(), 1.0, rel_tol=1e-12)


def test_n_above_by_hand_and_its_errors():
    assert n_above([0.5, 0.3, 0.15, 0.05], 0.1) == 3
    np.testing.assert_array_equal(n_above([[0.5, 0.5, 0.0], [0.98, 0.01, 0.01]], 0.01), [2, 1])
    with pytest.raises(ValueError, match="sum to 1"):
        n_above([0.5, 0.2])
    with pytest.raises(ValueError, match="threshold"):
        n_above([0.5, 0.5], 1.5)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"concentrations": (0.0, 1.0)}, ValueError, "concentration"),
        ({"concentrations": ()}, ValueError, "at least one"),
        ({"concentrations": "big"}, TypeError, "positive numbers"),
        ({"concentrations": (1.0,), "n_components": 500}, ValueError, "lower K"),
        ({"concentrations": (1.0,), "init_params": "best"}, ValueError, "init_params"),
    ],
)
def test_dp_bad_input_is_explained(kwargs, error, message):
    X, _ = make_dataset("blobs", n_samples=30, random_state=0)
    with pytest.raises(error, match=message):
        fit_dp_weights(X, **kwargs)


# ---------------------------------------------------------------------------------------------
# The exercise's checker
# ---------------------------------------------------------------------------------------------


def test_checker_accepts_the_answer_to_3_decimals_and_names_the_slips(iris_split, iris_2d):
    _, Xte, _, _ = iris_split
    model = with_priors(iris_2d, [0.1, 0.8, 0.1])
    x = np.array([5.1, 1.8])
    # the answer computed here in the density domain, not by the code under test
    dens = np.array([multivariate_normal(m.means[0], m.covariances[0]).pdf(x) for m in model.mixtures])
    joint = model.priors * dens
    truth = joint / joint.sum()
    assert check_class_posterior(np.round(truth, 3), x, model).passed
    assert check_class_posterior(truth, x, model).passed
    assert check_class_posterior(None, x, model).status == "not attempted"
    no_priors = check_class_posterior(np.round(dens / dens.sum(), 3), x, model)
    assert not no_priors and "prior" in no_priors.message
    unnormalised = check_class_posterior(joint, x, model)
    assert not unnormalised and "divide each by their sum" in unnormalised.message
    assert "order" in check_class_posterior(truth[::-1], x, model).message
    assert "one probability per class" in check_class_posterior(truth[:2], x, model).message
    rough = truth + np.array([0.0, 0.002, -0.002])  # sums to 1, off in the third decimal
    assert "3 decimals" in check_class_posterior(rough, x, model).message
    assert "off by" in check_class_posterior([0.0, 0.5, 0.5], x, model).message


# ---------------------------------------------------------------------------------------------
# Pictures
# ---------------------------------------------------------------------------------------------


def test_decision_regions_colour_each_cell_by_the_predicted_class(iris_split, iris_2d):
    Xtr, Xte, ytr, yte = iris_split
    fig, (ax, ax_c) = plt.subplots(1, 2)
    extent = (0.5, 7.5, -0.2, 2.8)
    regions = plot_decision_regions(ax, iris_2d, extent, n_grid=60)
    image = regions.regions.get_array()
    assert image.shape == (60, 60, 4)
    # the cell nearest a class mean has that class's colour
    colours = component_colors(3)
    gx = np.linspace(extent[0], extent[1], 60)
    gy = np.linspace(extent[2], extent[3], 60)
    for c, m in enumerate(iris_2d.mixtures):
        i, j = np.argmin(np.abs(gy - m.means[0, 1])), np.argmin(np.abs(gx - m.means[0, 0]))
        np.testing.assert_allclose(image[i, j, :3], colours[c, :3])
    assert len(regions.boundaries) == 3
    points = plot_class_points(ax, Xtr[:, [2, 3]], ytr, iris_2d, class_names=["a", "b", "c"])
    hollow = plot_class_points(ax, Xte[:, [2, 3]], yte, iris_2d, hollow=True, label_suffix=" (test)")
    assert [p.get_label() for p in points] == ["a", "b", "c"] and hollow[0].get_label() == "0 (test)"
    assert sum(len(p.get_offsets()) for p in points) == len(ytr)
    certainty = plot_certainty(ax_c, iris_2d, extent, n_grid=60, levels=(0.99, 0.9))
    values = certainty.image.get_array()
    assert values.min() >= 1 / 3 - 1e-12 and values.max() <= 1 + 1e-12
    assert list(certainty.contours.levels) == [0.9, 0.99] and certainty.colorbar is not None
    plt.close(fig)


def test_class_pictures_refuse_a_model_of_four_features(iris_split):
    Xtr, _, ytr, _ = iris_split
    model = fit_class_mixtures(Xtr, ytr)
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="2 features"):
        plot_decision_regions(ax, model, (0, 1, 0, 1))
    plt.close(fig)


def test_weight_bars_grey_below_the_threshold():
    fig, ax = plt.subplots()
    w = np.array([0.6, 0.35, 0.04, 0.009, 0.001])
    out = plot_weight_bars(ax, w, threshold=0.01)
    faces = [p.get_facecolor() for p in out.bars]
    colours = component_colors(5)
    for k in range(3):
        np.testing.assert_allclose(faces[k], colours[k])
    assert all(np.allclose(f, GREY) for f in faces[3:])
    tops = [p.get_y() + p.get_height() for p in out.bars]
    np.testing.assert_allclose(tops, w)
    assert ax.get_yscale() == "log" and out.threshold.get_ydata()[0] == 0.01
    with pytest.raises(ValueError, match="summing to 1"):
        plot_weight_bars(ax, [0.5, 0.2])
    plt.close(fig)


def test_class_mixtures_is_frozen(iris_2d):
    with pytest.raises(AttributeError):
        iris_2d.priors = np.ones(3) / 3
    assert not iris_2d.priors.flags.writeable
    assert isinstance(iris_2d.mixtures[0], GMMParams)


# ---------------------------------------------------------------------------------------------
# Review round: behaviour added or changed
# ---------------------------------------------------------------------------------------------


def test_repr_prints_every_prior_with_three_decimals():
    X = np.array([0.0, 1.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    model = fit_class_mixtures(X, [0, 0, 1, 1, 1, 1, 1, 1])
    assert "priors=[0.250, 0.750]" in repr(model)  # 2/8 and 6/8, not numpy's "[0.25 0.75]"


def test_object_arrays_of_strings_or_ints_are_labels_like_any_other():
    # a pandas column of strings arrives as an object array; it must fit as the same labels in str dtype
    X, labels = make_dataset("blobs", n_samples=60, random_state=0)
    names = np.array(["north", "south", "east"])[labels]
    as_object = fit_class_mixtures(X, names.astype(object))
    as_str = fit_class_mixtures(X, names)
    assert as_object.classes.tolist() == as_str.classes.tolist() == ["east", "north", "south"]
    np.testing.assert_array_equal(predict(X, as_object), predict(X, as_str))
    as_int = fit_class_mixtures(X, labels.astype(object))
    assert as_int.classes.tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="class labels"):
        fit_class_mixtures(X, np.array(["north"] * 59 + [None], dtype=object))


def test_dp_n_k_are_the_points_behind_each_weight(small_blobs_sweep):
    X, _ = make_dataset("blobs", n_samples=60, random_state=0)
    sweep = small_blobs_sweep
    assert sweep.n_k.shape == sweep.weights.shape
    np.testing.assert_allclose(sweep.n_k.sum(axis=1), 60.0, rtol=0, atol=1e-9)  # Σ_k N_k = N
    for alpha, n_k, w in zip(sweep.concentrations, sweep.n_k, sweep.weights):
        # the stick-breaking posterior, written out here: v_k ~ Beta(1 + N_k, α + Σ_{j>k} N_j),
        # π_k ∝ E[v_k] Π_{j<k} (1 − E[v_j]) (the K truncated pieces rescaled to sum to 1)
        a = 1.0 + n_k
        b = alpha + np.concatenate([np.cumsum(n_k[::-1])[::-1][1:], [0.0]])
        ev = a / (a + b)
        pieces = ev * np.concatenate([[1.0], np.cumprod(1.0 - ev)[:-1]])
        np.testing.assert_allclose(w, pieces / pieces.sum(), rtol=1e-10, atol=0)
        # and the responsibilities of a separate scikit-learn fit agree (one E-step later: tol-sized change)
        bgm = BayesianGaussianMixture(
            n_components=10,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=alpha,
            max_iter=500,
            init_params="k-means++",
            random_state=0,
        ).fit(X)
        np.testing.assert_allclose(bgm.predict_proba(X).sum(axis=0), n_k, rtol=0, atol=0.01)


def test_a_large_concentration_keeps_weights_on_components_that_hold_no_points(small_blobs_sweep):
    # three clusters of about 20 points: every α puts the points in three components; what α = 100 adds
    # is weight above 1 % on components whose N_k is a small fraction of one point
    for n_k in small_blobs_sweep.n_k:
        assert np.sum(n_k >= 1.0) == 3
    heavy = small_blobs_sweep.of(100.0) > 0.01
    empty = small_blobs_sweep.n_k[2] < 0.1
    assert np.sum(heavy & empty) == 7


def test_checker_names_a_swapped_pair_percentages_and_impossible_values(iris_2d):
    model = with_priors(iris_2d, [0.1, 0.8, 0.1])
    x = np.array([5.1, 1.8])
    dens = np.array([multivariate_normal(m.means[0], m.covariances[0]).pdf(x) for m in model.mixtures])
    truth = model.priors * dens / (model.priors * dens).sum()
    swapped = np.round(truth[[0, 2, 1]], 3)  # versicolor and virginica exchanged
    assert "wrong order" in check_class_posterior(swapped, x, model).message
    assert "percentages" in check_class_posterior(100 * np.round(truth, 3), x, model).message
    negative = np.round(truth, 3) + np.array([-0.1, 0.1, 0.0])
    assert "between 0 and 1" in check_class_posterior(negative, x, model).message
    assert "not 2" in check_class_posterior(np.round(truth, 2), x, model).message
    # p(c | x) from the densities as printed in the notebook, to 4 significant digits, still passes
    printed = np.array([float(f"{d:.4g}") for d in dens])
    assert check_class_posterior(model.priors * printed / (model.priors * printed).sum(), x, model).passed


def test_decision_regions_line_up_with_the_grid_and_name_the_boundary(iris_2d):
    fig, ax = plt.subplots()
    extent, n = (0.5, 7.5, -0.2, 2.8), 50
    out = plot_decision_regions(ax, iris_2d, extent, n_grid=n)
    left, right, bottom, top = out.regions.get_extent()
    # pixel j is centred on grid point x_j = linspace(x0, x1, n)[j] (contours use those points)
    centres_x = left + (np.arange(n) + 0.5) * (right - left) / n
    centres_y = bottom + (np.arange(n) + 0.5) * (top - bottom) / n
    np.testing.assert_allclose(centres_x, np.linspace(extent[0], extent[1], n), rtol=0, atol=1e-12)
    np.testing.assert_allclose(centres_y, np.linspace(extent[2], extent[3], n), rtol=0, atol=1e-12)
    assert ax.get_xlim() == extent[:2] and ax.get_ylim() == extent[2:]
    handles, labels = ax.get_legend_handles_labels()
    assert out.key in handles and "decision boundary" in labels
    certainty = plot_certainty(ax, iris_2d, extent, n_grid=n, levels=(0.9, 0.99))
    assert sorted(line.get_ydata()[0] for line in certainty.colorbar.ax.lines) == [0.9, 0.99]
    plt.close(fig)


def test_weight_bars_mark_weights_below_the_floor_and_name_every_glyph():
    fig, (ax, ax2) = plt.subplots(1, 2)
    w = np.array([0.7, 0.29, 0.00999, 1e-8, 1e-12])
    out = plot_weight_bars(ax, w / w.sum(), floor=1e-6, legend=True)
    np.testing.assert_array_equal(out.below_floor.get_xdata(), [4, 5])  # components 4 and 5, 1-based
    assert all(y > 1e-6 for y in out.below_floor.get_ydata())  # inside the axis, above its bottom
    texts = [t.get_text() for t in out.legend.get_texts()]
    assert texts == ["π_k > 0.01 (its colour)", "π_k ≤ 0.01", "π_k < $10^{-6}$", "threshold 0.01"]
    plain = plot_weight_bars(ax2, [0.5, 0.5])
    assert plain.legend is None and len(plain.below_floor.get_xdata()) == 0
    other = plot_weight_bars(ax2, [0.5, 0.5], floor=2e-6, legend=True, legend_loc="lower left")
    assert other.legend.get_texts()[2].get_text() == "π_k < 2e-06" and other.legend._loc == 3  # 3: lower left
    plt.close(fig)


def test_stick_held_is_the_share_of_the_expected_stick_before_rescaling():
    # independently: draw the stick fractions from the fitted Beta posteriors q(v_k) = Beta(a_k, b_k),
    # break the stick, and average; the K pieces hold 1 − Π_k E[1 − v_k] of it on average, and scikit-learn's
    # weights_ are those mean pieces divided by their sum
    X, _ = make_dataset("blobs", n_samples=60, random_state=0)
    sweep = fit_dp_weights(X, (1.0, 100.0), n_components=10, random_state=0)
    rng = np.random.default_rng(0)
    for row, alpha in enumerate((1.0, 100.0)):
        bgm = BayesianGaussianMixture(
            n_components=10,
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=alpha,
            max_iter=500,
            init_params="k-means++",
            random_state=0,
        ).fit(X)
        a, b = bgm.weight_concentration_
        v = rng.beta(a, b, size=(200_000, 10))
        pieces = v * np.hstack([np.ones((v.shape[0], 1)), np.cumprod(1 - v[:, :-1], axis=1)])
        mc = pieces.mean(axis=0)  # Monte Carlo standard error below 1e-3 for every piece
        assert abs(sweep.stick_held[row] - mc.sum()) < 5e-3
        np.testing.assert_allclose(sweep.weights[row] * sweep.stick_held[row], mc, rtol=0, atol=5e-3)
    # α = 1 leaves almost nothing beyond ten pieces; α = 100 leaves more than half of the stick there
    assert sweep.stick_held[0] > 0.99 and sweep.stick_held[1] < 0.5


def test_an_empty_component_in_front_of_used_ones_keeps_weight_whatever_the_concentration():
    # with a random start on 60 points the used components are not the first three: an empty component
    # before a used one has E[v_k] = 1/(1 + α + Σ_{j>k} N_j), about one point's share of what is left, so
    # even α = 0.01 keeps weights above 1 % on components that hold no points
    X, _ = make_dataset("blobs", n_samples=60, random_state=0)
    sweep = fit_dp_weights(X, (0.01,), n_components=10, init_params="random", random_state=0)
    w, n_k = sweep.weights[0], sweep.n_k[0]
    used = np.flatnonzero(n_k >= 1)
    assert used.size == 3
    in_front = np.flatnonzero((n_k < 1) & (np.arange(10) < used.max()))
    assert in_front.size >= 1 and np.all(w[in_front] > 0.01)
    after = np.arange(used.max() + 1, 10)
    assert np.all(w[after] < 1e-3)  # behind the last used one, α = 0.01 starves them
    assert n_above(w, 0.01) > 3
