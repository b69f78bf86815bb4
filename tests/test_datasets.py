"""Tests for gmmviz.datasets: Old Faithful is the real thing, generators are honest mixtures."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from gmmviz import datasets
from gmmviz.datasets import (
    DATASET_NAMES,
    elongated_clusters,
    load_faithful,
    make_dataset,
    mixture_1d,
    mixture_spec,
    overlapping_clusters,
    unequal_sizes,
    well_separated_blobs,
)

GENERATORS = {
    "blobs": well_separated_blobs,
    "elongated": elongated_clusters,
    "overlapping": overlapping_clusters,
    "unequal": unequal_sizes,
    "1d": mixture_1d,
}
SYNTHETIC = tuple(GENERATORS)


def as_2d(X: np.ndarray) -> np.ndarray:
    return X[:, None] if X.ndim == 1 else X


# --------------------------------------------------------------------------- Old Faithful


def test_faithful_shape_and_known_rows():
    X = load_faithful()
    assert X.shape == (272, 2)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(X[:3], [[3.600, 79], [1.800, 54], [3.333, 74]])
    np.testing.assert_array_equal(X[-1], [4.467, 74])


def test_faithful_matches_published_summary_statistics():
    # R: mean(faithful$eruptions) etc.; independent of how our CSV was produced.
    X = load_faithful()
    np.testing.assert_allclose(X.mean(axis=0), [3.487783, 70.89706], atol=5e-6)
    np.testing.assert_allclose(X.std(axis=0, ddof=1), [1.141371, 13.59497], atol=5e-6)
    np.testing.assert_allclose(np.corrcoef(X.T)[0, 1], 0.9008112, atol=5e-7)
    assert X[:, 0].min() == 1.6 and X[:, 0].max() == 5.1
    assert X[:, 1].min() == 43 and X[:, 1].max() == 96


def test_faithful_is_bimodal_in_eruption_duration():
    # The reason it is in a GMM course: short and long eruptions, few in between.
    eruptions = load_faithful()[:, 0]
    assert np.sum(eruptions < 3.0) > 80
    assert np.sum(eruptions > 3.5) > 150
    assert np.sum((eruptions > 2.6) & (eruptions < 3.3)) < 10


def test_faithful_returns_independent_writable_copies():
    X = load_faithful()
    X[0, 0] = -1.0
    assert load_faithful()[0, 0] == 3.6


def test_faithful_standardized():
    raw = load_faithful()
    Z = load_faithful(standardize=True)
    assert Z.shape == (272, 2)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, atol=1e-12)
    # Affine per column: same rows in the same order.
    np.testing.assert_allclose(Z * raw.std(axis=0) + raw.mean(axis=0), raw, atol=1e-10)


def test_faithful_standardize_must_be_bool():
    with pytest.raises(TypeError, match="standardize"):
        load_faithful(standardize="yes")


def test_faithful_csv_is_package_data_with_header():
    text = resources.files("gmmviz").joinpath("data").joinpath("faithful.csv").read_text(encoding="utf-8")
    body = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert body[0] == "eruptions,waiting"
    assert len(body) == 1 + 272
    assert "faithful" in text.splitlines()[0].lower()  # provenance comment on top


# --------------------------------------------------------------------------- generators


@pytest.mark.parametrize("name", SYNTHETIC)
def test_generator_shapes_and_label_dtype(name):
    X, labels = GENERATORS[name](n_samples=123)
    spec = mixture_spec(name)
    assert X.shape == ((123,) if name == "1d" else (123, spec.n_features))
    assert X.dtype == np.float64 and np.all(np.isfinite(X))
    assert labels.shape == (123,)
    assert np.issubdtype(labels.dtype, np.integer)
    assert labels.min() >= 0 and labels.max() < spec.n_components


def test_mixture_1d_is_flat_and_other_sets_are_2d():
    assert mixture_1d()[0].ndim == 1
    for name in ("blobs", "elongated", "overlapping", "unequal"):
        assert GENERATORS[name]()[0].shape[1] == 2


@pytest.mark.parametrize("name", SYNTHETIC)
def test_same_seed_same_data_different_seed_different_data(name):
    gen = GENERATORS[name]
    X1, l1 = gen(random_state=7)
    X2, l2 = gen(random_state=7)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(l1, l2)
    X3, _ = gen(random_state=8)
    assert not np.allclose(X1, X3)
    # Default is seeded too (random_state=0), so notebooks are reproducible.
    np.testing.assert_array_equal(gen()[0], gen(random_state=0)[0])


@pytest.mark.parametrize("name", SYNTHETIC)
def test_accepts_numpy_generator_and_none(name):
    gen = GENERATORS[name]
    X_seed, _ = gen(n_samples=50, random_state=3)
    X_rng, _ = gen(n_samples=50, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(X_seed, X_rng)
    X_a, _ = gen(n_samples=50, random_state=None)
    X_b, _ = gen(n_samples=50, random_state=None)
    assert not np.allclose(X_a, X_b)


@pytest.mark.parametrize("name", SYNTHETIC)
def test_labels_are_shuffled_not_grouped(name):
    # Points in component order would make "first K points" initialisations cheat.
    _, labels = GENERATORS[name](n_samples=300)
    assert np.count_nonzero(np.diff(labels)) > 50


@pytest.mark.parametrize("name", SYNTHETIC)
def test_label_proportions_match_weights(name):
    n = 20_000
    _, labels = GENERATORS[name](n_samples=n, random_state=1)
    w = mixture_spec(name).weights
    freq = np.bincount(labels, minlength=len(w)) / n
    # 5 binomial standard errors: fails only if the sampler is wrong.
    np.testing.assert_array_less(np.abs(freq - w), 5 * np.sqrt(w * (1 - w) / n))


@pytest.mark.parametrize("name", SYNTHETIC)
def test_per_label_means_and_covariances_match_truth(name):
    spec = mixture_spec(name)
    X, labels = GENERATORS[name](n_samples=20_000, random_state=2)
    X = as_2d(X)
    for k in range(spec.n_components):
        Xk = X[labels == k]
        se = np.sqrt(np.diag(spec.covariances[k]) / len(Xk))
        np.testing.assert_array_less(np.abs(Xk.mean(axis=0) - spec.means[k]), 5 * se)
        np.testing.assert_allclose(
            np.cov(Xk.T).reshape(spec.n_features, -1),
            spec.covariances[k],
            rtol=0.1,
            atol=0.05 * np.trace(spec.covariances[k]),
        )


def test_unequal_sizes_really_unequal():
    spec = mixture_spec("unequal")
    assert spec.weights.max() / spec.weights.min() >= 5
    spreads = [np.trace(c) for c in spec.covariances]
    assert max(spreads) / min(spreads) >= 20
    _, labels = unequal_sizes()
    counts = np.bincount(labels)
    assert counts.max() > 4 * counts.min() and counts.min() >= 20  # small one still visible


def _bayes_accuracy(name: str, X: np.ndarray, labels: np.ndarray) -> float:
    spec = mixture_spec(name)
    X = as_2d(X)
    log_post = np.column_stack(
        [
            np.log(w) + multivariate_normal(m, c).logpdf(X)
            for w, m, c in zip(spec.weights, spec.means, spec.covariances)
        ]
    )
    return float(np.mean(log_post.argmax(axis=1) == labels))


def test_blobs_separated_and_overlapping_overlaps():
    # Even the true model cannot label overlapping data perfectly; blobs it can.
    assert _bayes_accuracy("blobs", *well_separated_blobs()) == 1.0
    acc = _bayes_accuracy("overlapping", *overlapping_clusters(n_samples=5000))
    assert 0.6 < acc < 0.92


def test_elongated_defeats_kmeans_but_not_full_gmm():
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.mixture import GaussianMixture

    X, labels = elongated_clusters()
    km = KMeans(3, n_init=10, random_state=0).fit_predict(X)
    gm = GaussianMixture(3, covariance_type="full", random_state=0).fit(X).predict(X)
    assert adjusted_rand_score(labels, km) < 0.6
    assert adjusted_rand_score(labels, gm) > 0.95


def test_elongated_components_are_stretched():
    for cov in mixture_spec("elongated").covariances:
        eig = np.linalg.eigvalsh(cov)
        assert eig[-1] / eig[0] > 20


# --------------------------------------------------------------------------- make_dataset


@pytest.mark.parametrize("name", SYNTHETIC)
def test_make_dataset_dispatches_to_generator(name):
    X, labels = make_dataset(name, n_samples=40, random_state=5)
    X_ref, l_ref = GENERATORS[name](n_samples=40, random_state=5)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(labels, l_ref)


def test_make_dataset_faithful_has_no_labels():
    X, labels = make_dataset("faithful")
    assert labels is None
    np.testing.assert_array_equal(X, load_faithful())
    Z, _ = make_dataset("faithful", standardize=True)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)


def test_make_dataset_names_and_case():
    assert set(DATASET_NAMES) == {"blobs", "elongated", "overlapping", "unequal", "1d", "faithful"}
    np.testing.assert_array_equal(make_dataset(" Blobs ")[0], well_separated_blobs()[0])


def test_make_dataset_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown dataset 'moons'") as info:
        make_dataset("moons")
    for valid in DATASET_NAMES:
        assert repr(valid) in str(info.value)


def test_make_dataset_rejects_non_string_name():
    with pytest.raises(TypeError, match="string"):
        make_dataset(3)


def test_make_dataset_wrong_keyword_names_the_dataset():
    with pytest.raises(
        TypeError, match=r"make_dataset\('faithful'\) does not take n_samples; it accepts only: standardize"
    ):
        make_dataset("faithful", n_samples=10)
    with pytest.raises(
        TypeError,
        match=r"make_dataset\('blobs'\) does not take standardize; it accepts only: n_samples, random_state",
    ):
        make_dataset("blobs", standardize=True)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [0, -5])
def test_n_samples_must_be_positive(bad):
    with pytest.raises(ValueError, match="n_samples must be at least 1"):
        well_separated_blobs(n_samples=bad)


@pytest.mark.parametrize("bad", [2.5, 300.0, "300", None, True])
def test_n_samples_must_be_integer(bad):
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        mixture_1d(n_samples=bad)


def test_n_samples_accepts_numpy_int_and_one():
    X, labels = overlapping_clusters(n_samples=np.int64(1))
    assert X.shape == (1, 2) and labels.shape == (1,)


@pytest.mark.parametrize(
    "bad, exc", [(-1, ValueError), ("seed", TypeError), (1.5, TypeError), (True, TypeError)]
)
def test_bad_random_state(bad, exc):
    with pytest.raises(exc, match="random_state"):
        elongated_clusters(random_state=bad)


def test_generators_take_random_state_by_keyword_only():
    with pytest.raises(TypeError):
        well_separated_blobs(100, 0)


# --------------------------------------------------------------------------- true parameters


@pytest.mark.parametrize("name", SYNTHETIC)
def test_mixture_spec_is_a_valid_read_only_mixture(name):
    spec = mixture_spec(name)
    K, d = spec.n_components, spec.n_features
    assert spec.means.shape == (K, d) and spec.covariances.shape == (K, d, d)
    assert np.isclose(spec.weights.sum(), 1.0) and np.all(spec.weights > 0)
    np.testing.assert_allclose(spec.covariances, np.swapaxes(spec.covariances, 1, 2))
    assert np.all(np.linalg.eigvalsh(spec.covariances) > 0)
    with pytest.raises(ValueError):
        spec.means[0, 0] = 99.0  # the truth is shared: it must not be editable


def test_mixture_spec_unknown_name():
    with pytest.raises(ValueError, match="'blobs'"):
        mixture_spec("faithful")  # real data has no true mixture


@pytest.mark.parametrize("name", SYNTHETIC)
def test_true_params_as_gmmparams(name):
    from gmmviz import em

    params = datasets.true_params(name)
    spec = mixture_spec(name)
    assert isinstance(params, em.GMMParams)
    assert params.covariance_type == "full"
    np.testing.assert_array_equal(params.weights, spec.weights)
    np.testing.assert_array_equal(params.means, spec.means)
    np.testing.assert_array_equal(params.covariances, spec.covariances)
