"""Metric functions on tiny hand-computed cases, then properties (ties, row order, known limits)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from promo_factory.ml import metrics


# --------------------------------------------------------------------------- classification


def test_auc_hand_computed() -> None:
    # pairs (pos, neg): (0.35 > 0.1), (0.35 < 0.4), (0.8 > 0.1), (0.8 > 0.4) -> 3 of 4
    assert metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)


def test_auc_counts_a_tie_as_one_half() -> None:
    assert metrics.auc([0, 1], [0.5, 0.5]) == pytest.approx(0.5)
    # pairs: (0.7 vs 0.7) tie = 1/2, (0.7 > 0.2) = 1 -> 1.5 / 2
    assert metrics.auc([1, 0, 0], [0.7, 0.7, 0.2]) == pytest.approx(0.75)


def test_auc_limits_and_undefined() -> None:
    assert metrics.auc([0, 0, 1], [0.1, 0.2, 0.9]) == pytest.approx(1.0)
    assert metrics.auc([0, 0, 1], [0.9, 0.8, 0.1]) == pytest.approx(0.0)
    assert math.isnan(metrics.auc([1, 1], [0.2, 0.3]))


def test_auc_matches_pairwise_count_on_random_data() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    s = rng.integers(0, 8, 60).astype(float)  # many ties
    pos, neg = s[y == 1], s[y == 0]
    expected = np.mean([(p > n) + 0.5 * (p == n) for p in pos for n in neg])
    assert metrics.auc(y, s) == pytest.approx(expected)


def test_log_loss_hand_computed() -> None:
    expected = -(math.log(0.8) + math.log(0.6)) / 2
    assert metrics.log_loss([1, 0], [0.8, 0.4]) == pytest.approx(expected)


def test_log_loss_clips_certain_mistakes() -> None:
    assert math.isfinite(metrics.log_loss([1], [0.0]))
    assert metrics.log_loss([1], [0.0]) == pytest.approx(-math.log(1e-15))


def test_brier_hand_computed() -> None:
    assert metrics.brier([1, 0], [0.8, 0.4]) == pytest.approx((0.04 + 0.16) / 2)
    assert metrics.brier([1, 0, 1], [1.0, 0.0, 1.0]) == 0.0


def test_calibration_slope_saturated_two_groups() -> None:
    # Two distinct predictions: the recalibration fit reproduces each group's rate.
    # Group logit(p)=0 has rate 2/4 (logit 0); group logit(p)=1 has rate 3/4 (logit ln 3).
    p_high = 1 / (1 + math.exp(-1))
    y = [1, 1, 0, 0, 1, 1, 1, 0]
    p = [0.5] * 4 + [p_high] * 4
    assert metrics.calibration_slope(y, p) == pytest.approx(math.log(3), rel=1e-6)


def test_calibration_slope_halves_when_logits_double() -> None:
    rng = np.random.default_rng(1)
    logit = rng.normal(0, 1.5, 4000)
    p = 1 / (1 + np.exp(-logit))
    y = (rng.random(4000) < p).astype(int)
    slope = metrics.calibration_slope(y, p)
    doubled = 1 / (1 + np.exp(-2 * logit))
    assert metrics.calibration_slope(y, doubled) == pytest.approx(slope / 2, rel=1e-6)
    assert slope == pytest.approx(1.0, abs=0.15)


def test_top_decile_lift_hand_computed() -> None:
    # top 1 of 10 is a positive; base rate 2/10 -> lift 1 / 0.2 = 5
    y = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    score = list(range(10, 0, -1))
    assert metrics.top_decile_lift(y, score) == pytest.approx(5.0)


def test_top_decile_lift_shares_a_tied_boundary_block() -> None:
    # all scores tied: the top decile gets the average rate -> lift 1, whatever the order
    assert metrics.top_decile_lift([1, 0, 0, 0, 1, 0, 0, 0, 0, 0], [0.3] * 10) == pytest.approx(1.0)
    assert metrics.top_decile_lift([0, 0, 0, 0, 0], [0.1] * 5) != metrics.top_decile_lift([0, 1], [0.1, 0.2])


# --------------------------------------------------------------------------- uplift

# Four shoppers by decreasing score: T responder, C non-responder, T non-responder, C responder.
Y = [1, 0, 0, 1]
W = [1, 0, 1, 0]
S = [4, 3, 2, 1]


def test_qini_curve_hand_computed() -> None:
    # Q(k) = Y_T(k) - Y_C(k) N_T(k)/N_C(k): k=1: 1 (no control yet), k=2: 1, k=3: 1, k=4: 1 - 1*2/2 = 0
    x, q = metrics.qini_curve(Y, W, S)
    np.testing.assert_allclose(x, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(q, [0, 0.25, 0.25, 0.25, 0.0])


def test_qini_coefficient_hand_computed() -> None:
    # random line is flat (Q(N) = 0); trapezoids: .03125 + .0625 + .0625 + .03125
    assert metrics.qini_coefficient(Y, W, S) == pytest.approx(0.1875)


def test_qini_coefficient_subtracts_the_random_line() -> None:
    # y = 2 for treated, 0 for control, ranked T, C, T, C:
    # Q = [0, 2, 2, 4, 4] / 4 = [0, .5, .5, 1, 1]; line = x * 1
    # area(curve) = .0625 + .125 + .1875 + .25 = .625 ; area(line) = .5 -> .125
    assert metrics.qini_coefficient([2, 0, 2, 0], [1, 0, 1, 0], [4, 3, 2, 1]) == pytest.approx(0.125)


def test_qini_of_a_constant_score_is_zero() -> None:
    rng = np.random.default_rng(2)
    y, w = rng.normal(size=50), rng.integers(0, 2, 50)
    assert metrics.qini_coefficient(y, w, np.zeros(50)) == pytest.approx(0.0, abs=1e-12)


def test_auuc_hand_computed() -> None:
    # u(k) = (mean_T - mean_C) k / N: k=1: 0 (no control), k=2: 1*2/4, k=3: .5*3/4, k=4: 0
    x, u = metrics.uplift_curve(Y, W, S)
    np.testing.assert_allclose(u, [0, 0, 0.5, 0.375, 0])
    assert metrics.auuc(Y, W, S) == pytest.approx(0.0625 + 0.109375 + 0.046875)


def test_uplift_at_k_hand_computed() -> None:
    assert metrics.uplift_at_k(Y, W, S, fraction=0.5) == pytest.approx(1.0)
    assert metrics.uplift_at_k(Y, W, S, fraction=1.0) == pytest.approx(0.0)
    assert math.isnan(metrics.uplift_at_k(Y, W, S, fraction=0.25))  # only a treated row


def test_uplift_metrics_do_not_depend_on_row_order_with_ties() -> None:
    rng = np.random.default_rng(3)
    y, w = rng.normal(size=200), rng.integers(0, 2, 200)
    s = rng.integers(0, 5, 200).astype(float)
    perm = rng.permutation(200)
    for fn in (metrics.qini_coefficient, metrics.auuc, metrics.uplift_at_k):
        assert fn(y, w, s) == pytest.approx(fn(y[perm], w[perm], s[perm]))


def test_true_effect_ranks_better_than_its_reverse() -> None:
    rng = np.random.default_rng(4)
    n = 4000
    tau = rng.uniform(-1, 3, n)
    w = rng.integers(0, 2, n)
    y = rng.normal(size=n) + w * tau
    # theory: half the population treated, tau(u) = 3 - 4u at rank u -> Q(x)/N = (3x - 2x^2)/2,
    # random line x/2 -> coefficient = integral of (x - x^2) = 1/6
    assert metrics.qini_coefficient(y, w, tau) == pytest.approx(1 / 6, abs=0.03)
    assert metrics.qini_coefficient(y, w, -tau) < 0
    assert metrics.auuc(y, w, tau) > metrics.auuc(y, w, -tau)
    assert metrics.uplift_at_k(y, w, tau) > 2.0
