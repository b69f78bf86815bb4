"""Slips the checkers of notebooks 03, 05 and 06 name (added after their review; tests/test_exercises.py has the rest).

Every expected value here is computed independently of the checker: parameter counts by the formulas of notebook 06,
responsibilities with scipy.stats, BIC and AIC from the fitted ln p(X) with hand-counted p.
"""

import numpy as np
from scipy.stats import norm

import gmmviz
import gmmviz.datasets
from gmmviz import exercises as ex
from gmmviz.exercises import CheckResult


def _assert_fails(result, *fragments):
    assert isinstance(result, CheckResult)
    assert result.status == "failed", str(result)
    for frag in fragments:
        assert frag in result.message, f"{frag!r} not in {result.message!r}"


# --------------------------------------------------------------------------- 05: the unsure points

# largest γ per row, by hand: 0.5, 0.999, 0.8, 0.995, 1.0, 0.93, 0.97
RESP = np.array(
    [
        [0.5, 0.3, 0.2],
        [0.999, 0.0005, 0.0005],
        [0.2, 0.8, 0.0],
        [0.995, 0.004, 0.001],
        [0.0, 0.0, 1.0],
        [0.93, 0.07, 0.0],
        [0.03, 0.97, 0.0],
    ]
)
BELOW_095 = np.array([True, False, True, False, False, True, False])  # largest γ below 0.95, by hand


def test_uncertain_mask_at_another_threshold_is_named():
    assert ex.check_uncertain(BELOW_095, RESP, 0.95).passed
    below_09 = np.array([True, False, True, False, False, False, False])  # 0.5 and 0.8 only
    below_099 = np.array([True, False, True, False, False, True, True])  # also 0.93 and 0.97
    for mask in (below_09, below_099):
        res = ex.check_uncertain(mask, RESP, 0.95)
        _assert_fails(res, "below some threshold, but not 0.95", "are 3")


def test_uncertain_mask_of_zeros_and_ones_is_named():
    _assert_fails(ex.check_uncertain(BELOW_095.astype(int), RESP, 0.95), "0s and 1s", "astype(bool)")
    _assert_fails(ex.check_uncertain(BELOW_095.astype(float), RESP, 0.95), "0s and 1s")


def test_uncertain_unrecognised_mask_names_a_point_not_the_answer():
    wrong = np.array(
        [False, True, True, False, True, True, False]
    )  # no cut, no slip: points 0, 1 and 4 wrong
    res = ex.check_uncertain(wrong, RESP, 0.95)
    _assert_fails(res, "3 points are classified wrongly", "point 0", "0.500, below 0.95", "says False")
    assert "resp.max(axis=1) <" not in res.message


# --------------------------------------------------------------------------- 06: counting parameters

# K = 4 components in d = 3 dimensions, by notebook 06's formulas: (K − 1) + K d + covariance entries
K, D = 4, 3
BY_HAND = {"full": 3 + 12 + 4 * 6, "tied": 3 + 12 + 6, "diag": 3 + 12 + 12, "spherical": 3 + 12 + 4}


def test_n_parameters_count_of_another_type_is_named():
    assert BY_HAND == {"full": 39, "tied": 21, "diag": 27, "spherical": 19}
    for asked, right in BY_HAND.items():
        assert ex.check_n_parameters(right, K, D, asked).passed
        for other, count in BY_HAND.items():
            if other != asked:
                _assert_fails(ex.check_n_parameters(count, K, D, asked), f"covariance_type={other!r}")


def test_n_parameters_weights_or_means_left_out_are_named():
    _assert_fails(ex.check_n_parameters(BY_HAND["full"] - (K - 1), K, D, "full"), "left out the weights")
    _assert_fails(ex.check_n_parameters(BY_HAND["diag"] - K * D, K, D, "diag"), "left out the means")
    # an unrecognised count still gets the formula
    _assert_fails(ex.check_n_parameters(42, K, D, "full"), "count (K − 1) weights")


# --------------------------------------------------------------------------- 06: BIC's choice of K


def test_best_k_largest_bic_and_aic_choice_are_named():
    X = gmmviz.datasets.load_faithful()
    Ks = range(1, 9)
    n = len(X)
    p = {k: (k - 1) + 2 * k + 3 * k for k in Ks}  # full covariances in d = 2, counted by hand
    ll = {k: gmmviz.log_likelihood(X, gmmviz.fit_best(X, k).final) for k in Ks}
    bic = {k: p[k] * np.log(n) - 2 * ll[k] for k in Ks}
    aic = {k: 2 * p[k] - 2 * ll[k] for k in Ks}
    best, worst, by_aic = min(Ks, key=bic.get), max(Ks, key=bic.get), min(Ks, key=aic.get)
    assert len({best, worst, by_aic, max(Ks, key=ll.get)}) == 4  # four different answers on these data
    assert ex.check_best_k(best, X, "full", Ks).passed
    _assert_fails(ex.check_best_k(worst, X, "full", Ks), "LARGEST BIC", "smaller is better")
    _assert_fails(ex.check_best_k(by_aic, X, "full", Ks), "smallest AIC", f"ln N = {np.log(n):.1f}")


# --------------------------------------------------------------------------- 03: one EM iteration by hand

HAND_X = np.array([1.0, 2.0, 4.0, 5.0])
HAND_START = gmmviz.GMMParams([0.6, 0.4], [[2.0], [4.0]], [[[1.0]], [[2.0]]])


def test_em_by_hand_variance_used_as_scale_is_named():
    # scipy's norm.pdf(x, loc, scale) takes the standard deviation; passing the variances (1, 2) is the slip
    weighted = np.array([0.6, 0.4]) * norm.pdf(HAND_X[:, None], [2.0, 4.0], [1.0, 2.0])
    slip = (weighted / weighted.sum(axis=1, keepdims=True)).round(3)
    right = np.array([0.6, 0.4]) * norm.pdf(HAND_X[:, None], [2.0, 4.0], np.sqrt([1.0, 2.0]))
    right = (right / right.sum(axis=1, keepdims=True)).round(3)
    assert np.abs(slip - right).max() > 0.05  # far apart at the stated 3 decimals
    assert ex.check_em_by_hand("gamma", right, HAND_X, HAND_START).passed
    _assert_fails(
        ex.check_em_by_hand("gamma", slip, HAND_X, HAND_START), "as the standard deviation", "scale"
    )
