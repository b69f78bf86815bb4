"""gmmviz.figures returns artists, like gmmviz.plot: one artist, a list (or a dict keyed by the caller's
names) of like ones, or the function's NamedTuple of artists. No numbers in among them: a number the
picture shows is the notebook's to compute."""

from __future__ import annotations

import inspect
import typing

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.artist import Artist
from matplotlib.colorbar import Colorbar
from matplotlib.container import Container

import gmmviz
from gmmviz import figures
from gmmviz.bound import em_bound_trace, mean_slice
from gmmviz.datasets import make_dataset


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def leaves(result):
    """Every non-container object in ``result`` (NamedTuples, lists, tuples and dicts opened)."""
    if isinstance(result, Container):  # a BarContainer is a tuple, but one artist group
        yield result
    elif isinstance(result, dict):
        for value in result.values():
            yield from leaves(value)
    elif isinstance(result, (list, tuple)):
        for value in result:
            yield from leaves(value)
    else:
        yield result


def test_leaves_finds_a_number_hidden_in_a_group():
    fig, ax = plt.subplots()
    (line,) = ax.plot([0, 1])
    found = list(leaves(gmmviz.plot.Means(line, [{"a": (line, 1.5)}])))
    assert found == [line, line, 1.5]


@pytest.fixture(scope="module")
def fitted():
    X, _ = make_dataset("overlapping", n_samples=120, random_state=0)
    return X, gmmviz.fit_em(X, 3, random_state=0)


def calls(fitted):
    """One call of every plot_* function of gmmviz.figures, on fresh axes."""
    X, hist = fitted
    params, resp = hist.final, hist.responsibilities(-1)
    X1, _ = make_dataset("1d", n_samples=80, random_state=0)
    h1 = gmmviz.fit_em(X1, 2, random_state=0)
    trace = em_bound_trace(hist)
    direction = gmmviz.m_step(X, resp).means[1] - params.means[1]
    s = np.linspace(-1, 2, 11)
    ll_line, elbo_line = mean_slice(X, params, resp, 1, direction, s)
    rng = np.random.default_rng(0)
    scene = rng.uniform(0, 1, (6, 5, 3))
    scene_fit = gmmviz.fit_em(scene.reshape(-1, 3), 2, random_state=0)
    fits = {cov: gmmviz.fit_em(X, 2, covariance_type=cov, random_state=0).final for cov in ("diag", "full")}

    def ax():
        return plt.subplots()[1]

    def axes(n):
        return list(plt.subplots(1, n)[1])

    return {
        "plot_density_vs_probability": lambda: figures.plot_density_vs_probability(
            ax(), 0.0, 0.2, (0.1, 0.3)
        ),
        "plot_level_sets": lambda: figures.plot_level_sets(ax(), [[1.0, 1.5], [1.5, 1.0]]),
        "plot_eigen_axes": lambda: figures.plot_eigen_axes(ax(), [0, 0], [[2.0, 1.2], [1.2, 1.0]]),
        "plot_em_1d": lambda: figures.plot_em_1d(axes(2), X1, h1, [0, -1]),
        "plot_kmeans_vs_gmm": lambda: figures.plot_kmeans_vs_gmm(
            axes(2), X, resp.argmax(axis=1), params.means, params, resp
        ),
        "plot_standardised_fit": lambda: figures.plot_standardised_fit(
            ax(), X, params, resp, [1, 2], [3, 4], ("a", "b"), "m"
        ),
        "plot_fit": lambda: figures.plot_fit(ax(), X, params),
        "plot_covariance_types": lambda: figures.plot_covariance_types(axes(2), X, fits),
        "plot_criterion": lambda: figures.plot_criterion(
            ax(), [1, 2], {"a": [2.0, 1.0]}, best="min", true_k=2
        ),
        "plot_samples": lambda: figures.plot_samples(ax(), X, X[:10] + 0.1, params=params),
        "plot_image_grid": lambda: figures.plot_image_grid(axes(2), np.zeros((2, 64))),
        "plot_weights": lambda: figures.plot_weights(ax(), {"a": params.weights}, threshold=0.1),
        "plot_bound_trace": lambda: figures.plot_bound_trace(ax(), trace),
        "plot_gap_bars": lambda: figures.plot_gap_bars(ax(), trace),
        "plot_bound_slice": lambda: figures.plot_bound_slice(ax(), s, ll_line, elbo_line),
        "plot_slice_line": lambda: figures.plot_slice_line(ax(), X, params, resp, 1, direction, s),
        "plot_segmentation": lambda: figures.plot_segmentation(
            axes(4), scene, scene_fit.final, scene_fit.responsibilities(-1), every=1
        ),
        "plot_anomalies": lambda: figures.plot_anomalies(ax(), X, params, -3.0, [[0.0, 0.0], [9.0, 9.0]]),
    }


PLOTS = [name for name in figures.__all__ if name.startswith("plot_")]


def test_every_figure_is_called_here(fitted):
    assert sorted(calls(fitted)) == sorted(PLOTS)


@pytest.mark.parametrize("name", PLOTS)
def test_figure_returns_only_artists(fitted, name):
    result = calls(fitted)[name]()
    found = list(leaves(result))
    assert found, f"{name} returned nothing"
    odd = [x for x in found if not (x is None or isinstance(x, (Artist, Container, Colorbar)))]
    assert not odd, f"{name} returns things that are not artists: {odd!r}"
    # the declared return type: a NamedTuple of gmmviz.figures is what comes back, field for field
    declared = typing.get_type_hints(getattr(figures, name), vars(figures) | {"SecondaryAxis": object})[
        "return"
    ]
    if inspect.isclass(declared) and issubclass(declared, tuple) and hasattr(declared, "_fields"):
        assert type(result) is declared
        assert declared.__name__ in figures.__all__, f"{declared.__name__} is not in figures.__all__"
