"""gmmviz.fit_best: several starts, the best non-degenerate run (checked against fit_em run by hand)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_moons

from gmmviz import fit_best, fit_em, log_likelihood
from gmmviz.datasets import make_dataset


def test_it_keeps_the_run_with_the_highest_ln_p_among_all_starts():
    X, _ = make_dataset("elongated", n_samples=300, random_state=0)
    runs = [fit_em(X, 3, init=i, random_state=s) for i in ("kmeans++", "random") for s in range(5)]
    finals = [log_likelihood(X, h.final) for h in runs]
    assert max(finals) - min(finals) > 1.0  # the starts really end in different places here
    best = fit_best(X, 3)
    assert log_likelihood(X, best.final) == max(finals)
    assert best.init in ("kmeans++", "random")


def test_degenerate_runs_are_left_out_and_all_degenerate_is_an_error():
    X, _ = make_moons(400, noise=0.06, random_state=0)
    runs = [fit_em(X, 16, init=i, random_state=s) for i in ("kmeans++", "random") for s in range(5)]
    small = [h.final.weights.min() * len(X) for h in runs]
    assert all(s < 3 for s in small)  # every start leaves a component on fewer than d + 1 = 3 points
    with pytest.raises(ValueError, match=r"Every one of the 10 starts ended degenerate.*Lower K \(now 16\)"):
        fit_best(X, 16)
    # With a lower floor the best degenerate run is accepted: the floor is what excluded them.
    best = fit_best(X, 16, min_points=0)
    assert log_likelihood(X, best.final) == max(log_likelihood(X, h.final) for h in runs)


def test_a_degenerate_run_with_a_higher_ln_p_is_not_chosen():
    X, _ = make_moons(400, noise=0.06, random_state=0)
    runs = [fit_em(X, 12, init=i, random_state=s) for i in ("kmeans++", "random") for s in range(5)]
    ok = [h for h in runs if h.final.weights.min() * len(X) >= 3]
    bad = [h for h in runs if h.final.weights.min() * len(X) < 3]
    best = fit_best(X, 12)
    assert log_likelihood(X, best.final) == max(log_likelihood(X, h.final) for h in ok)
    if bad:  # when this data gives both kinds, the floor changes the answer only by leaving those out
        assert best.final.weights.min() * len(X) >= 3


def test_bad_arguments_get_clear_errors():
    X = np.random.default_rng(0).normal(size=(50, 2))
    with pytest.raises(ValueError, match="at least one start"):
        fit_best(X, 2, seeds=[])
    with pytest.raises(ValueError, match="Unknown init"):
        fit_best(X, 2, inits=("magic",))
    with pytest.raises(ValueError, match="min_points"):
        fit_best(X, 2, min_points=-1)
