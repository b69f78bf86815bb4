"""The example drawing uses the course palette's first three colours as pens (pen k = component k)."""

import numpy as np

from gmmviz.sketch import example_sketch, points_from_image


def test_example_sketch_pens_are_the_palette_and_separate():
    X, labels, rgb = points_from_image(example_sketch(), 300, random_state=0, return_colors=True)
    palette = [(0x00, 0x72, 0xB2), (0xD5, 0x5E, 0x00), (0x00, 0x9E, 0x73)]  # blue, orange, green
    assert [tuple(int(v) for v in c) for c in rgb] == palette
    assert np.bincount(labels).min() > 50


def test_example_sketch_clusters_overlap():
    from sklearn.mixture import GaussianMixture

    X, labels = points_from_image(example_sketch(), 300, random_state=0)
    resp = GaussianMixture(3, random_state=0).fit(X).predict_proba(X)  # an independent fit
    assert np.sum(resp.max(axis=1) < 0.99) > 20  # soft γ shows somewhere
