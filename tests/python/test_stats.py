"""Statistics of campaign measurement: hand-computed small cases, then properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from promo_factory.stats import (
    DiffEstimate,
    cuped_adjust,
    cuped_diff,
    cuped_theta,
    cuped_variance,
    diff_shape,
    inverse_variance_pool,
    minimum_detectable_effect,
    pooled_shape,
    proportion_diff,
    relative_lift,
    hall_inverse,
    required_holdout_share,
    skew_adjusted_interval,
    srm_chi_square,
    weighted_pool,
    welch_diff,
)

T = [1.0, 2.0, 3.0, 4.0]
C = [2.0, 3.0, 5.0]


# --- Welch -------------------------------------------------------------------


def test_welch_hand_computed() -> None:
    # mean_t = 5/2, var_t = 5/3; mean_c = 10/3, var_c = 7/3
    # se^2 = 5/12 + 7/9 = 43/36; df = (43/36)^2 / ((5/12)^2/3 + (7/9)^2/2) = 1849/467
    result = welch_diff(T, C)
    assert result.estimate == pytest.approx(2.5 - 10.0 / 3.0)
    assert result.se == pytest.approx(math.sqrt(43.0 / 36.0))
    assert result.df == pytest.approx(1849.0 / 467.0)
    q = sps.t.ppf(0.975, 1849.0 / 467.0)
    assert result.ci_low == pytest.approx(-5.0 / 6.0 - q * math.sqrt(43.0 / 36.0))
    assert result.ci_high == pytest.approx(-5.0 / 6.0 + q * math.sqrt(43.0 / 36.0))
    tstat = (5.0 / 6.0) / math.sqrt(43.0 / 36.0)
    assert result.p_value == pytest.approx(2.0 * sps.t.sf(tstat, 1849.0 / 467.0))


def test_welch_matches_scipy_ttest() -> None:
    rng = np.random.default_rng(3)
    y_t, y_c = rng.gamma(2.0, 5.0, 40), rng.gamma(2.0, 4.0, 25)
    ours = welch_diff(y_t, y_c)
    ref = sps.ttest_ind(y_t, y_c, equal_var=False)
    assert ours.p_value == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval(0.95)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((ci.low, ci.high))


def test_welch_swap_arms_flips_sign() -> None:
    a, b = welch_diff(T, C), welch_diff(C, T)
    assert b.estimate == pytest.approx(-a.estimate)
    assert (b.ci_low, b.ci_high) == pytest.approx((-a.ci_high, -a.ci_low))
    assert b.p_value == pytest.approx(a.p_value)


def test_welch_row_order_invariant() -> None:
    rng = np.random.default_rng(0)
    y_t, y_c = rng.normal(5, 2, 30), rng.normal(4, 3, 20)
    a = welch_diff(y_t, y_c)
    b = welch_diff(rng.permutation(y_t), rng.permutation(y_c))
    assert (b.estimate, b.se, b.df, b.p_value) == pytest.approx((a.estimate, a.se, a.df, a.p_value))


def test_welch_too_small_arm_is_nan() -> None:
    result = welch_diff([1.0], [2.0, 3.0])
    assert result.estimate == pytest.approx(-1.5)
    assert math.isnan(result.ci_low) and math.isnan(result.p_value)


def test_welch_zero_variance() -> None:
    same = welch_diff([2.0, 2.0], [2.0, 2.0])
    assert same.p_value == 1.0 and same.ci_low == same.ci_high == 0.0
    apart = welch_diff([3.0, 3.0], [2.0, 2.0])
    assert apart.p_value == 0.0


# --- CUPED -------------------------------------------------------------------

Y = [2.0, 4.0, 6.0, 8.0]
X = [1.0, 2.0, 3.0, 5.0]


def test_cuped_theta_hand_computed() -> None:
    # cov(Y, X) = 13/3, var(X) = 8.75/3 -> theta = 13 / 8.75
    assert cuped_theta(Y, X) == pytest.approx(13.0 / 8.75)


def test_cuped_variance_hand_computed() -> None:
    # Var(Y) = 20/3, rho^2 = (13/3)^2 / ((8.75/3)(20/3)) = 169/175 -> Var(Y_cv) = 20/3 * 6/175
    rho = np.corrcoef(Y, X)[0, 1]
    assert rho**2 == pytest.approx(169.0 / 175.0)
    assert cuped_variance(20.0 / 3.0, rho) == pytest.approx(20.0 / 3.0 * 6.0 / 175.0)
    adjusted = cuped_adjust(Y, X, cuped_theta(Y, X), float(np.mean(X)))
    assert adjusted.var(ddof=1) == pytest.approx(20.0 / 3.0 * 6.0 / 175.0)
    assert adjusted.mean() == pytest.approx(np.mean(Y))


def test_cuped_constant_covariate_is_plain_welch() -> None:
    fit = cuped_diff(T, [0.0] * 4, C, [0.0] * 3)
    plain = welch_diff(T, C)
    assert fit.theta == 0.0
    assert (fit.diff.estimate, fit.diff.ci_low, fit.diff.p_value) == pytest.approx(
        (plain.estimate, plain.ci_low, plain.p_value)
    )


def test_cuped_hand_computed_small_case() -> None:
    # arms: t = (y 3, 5 | x 1, 2), c = (y 1, 4 | x 0, 2); pooled x mean 5/4, y mean 13/4
    # cov = (-1.25*-0.25 + 0.75*1.75 + -1.25*-2.25 + 0.75*0.75) / 3 = 4.75/3
    # var x = (1.5625 + 0.5625 + 0.0625 + 0.5625) / 3 = 2.75/3 -> theta = 4.75 / 2.75
    theta = 4.75 / 2.75
    fit = cuped_diff([3.0, 5.0], [1.0, 2.0], [1.0, 4.0], [0.0, 2.0])
    assert fit.theta == pytest.approx(theta)
    adj_t = [3.0 - theta * (1.0 - 1.25), 5.0 - theta * (2.0 - 1.25)]
    adj_c = [1.0 - theta * (0.0 - 1.25), 4.0 - theta * (2.0 - 1.25)]
    assert fit.diff.estimate == pytest.approx(np.mean(adj_t) - np.mean(adj_c))
    assert fit.diff.se == pytest.approx(math.sqrt(np.var(adj_t, ddof=1) / 2 + np.var(adj_c, ddof=1) / 2))


def test_cuped_reduces_variance_with_correlated_covariate() -> None:
    rng = np.random.default_rng(1)
    x = rng.gamma(2.0, 10.0, 2000)
    y = 0.8 * x + rng.normal(0, 5, 2000)
    arm = rng.random(2000) < 0.5
    y = y + 2.0 * arm
    plain = welch_diff(y[arm], y[~arm])
    fit = cuped_diff(y[arm], x[arm], y[~arm], x[~arm])
    assert fit.diff.se < 0.5 * plain.se


def test_cuped_swap_arms_flips_sign() -> None:
    rng = np.random.default_rng(2)
    x_t, x_c = rng.normal(10, 2, 15), rng.normal(10, 2, 12)
    y_t, y_c = x_t + rng.normal(1, 1, 15), x_c + rng.normal(0, 1, 12)
    a = cuped_diff(y_t, x_t, y_c, x_c)
    b = cuped_diff(y_c, x_c, y_t, x_t)
    assert b.theta == pytest.approx(a.theta)
    assert b.diff.estimate == pytest.approx(-a.diff.estimate)
    assert (b.diff.ci_low, b.diff.ci_high) == pytest.approx((-a.diff.ci_high, -a.diff.ci_low))


def test_cuped_row_order_invariant() -> None:
    rng = np.random.default_rng(4)
    x_t, x_c = rng.normal(10, 2, 15), rng.normal(10, 2, 12)
    y_t, y_c = x_t + rng.normal(1, 1, 15), x_c + rng.normal(0, 1, 12)
    a = cuped_diff(y_t, x_t, y_c, x_c)
    order_t, order_c = rng.permutation(15), rng.permutation(12)
    b = cuped_diff(y_t[order_t], x_t[order_t], y_c[order_c], x_c[order_c])
    assert (b.theta, b.diff.estimate, b.diff.se) == pytest.approx((a.theta, a.diff.estimate, a.diff.se))


# --- SRM ---------------------------------------------------------------------


def test_srm_hand_computed() -> None:
    # expected 500 / 500: chi2 = 20^2/500 + 20^2/500 = 1.6; chi2_1 sf(x) = erfc(sqrt(x / 2))
    chi2, p = srm_chi_square(520, 480, 0.5)
    assert chi2 == pytest.approx(1.6)
    assert p == pytest.approx(math.erfc(math.sqrt(0.8)))


def test_srm_uneven_split() -> None:
    # holdout 0.2 of 1000: expected 800 / 200; observed 760 / 240 -> 40^2/800 + 40^2/200 = 10
    chi2, p = srm_chi_square(760, 240, 0.2)
    assert chi2 == pytest.approx(10.0)
    assert p == pytest.approx(math.erfc(math.sqrt(5.0)))
    assert p < 0.01


def test_srm_exact_split_and_invalid() -> None:
    assert srm_chi_square(800, 200, 0.2) == (0.0, 1.0)
    assert all(math.isnan(v) for v in srm_chi_square(0, 0, 0.2))
    assert all(math.isnan(v) for v in srm_chi_square(10, 10, 0.0))


# --- relative lift and buyer rate -----------------------------------------------


def test_relative_lift_delta_method_hand_computed() -> None:
    # L = 12/10 - 1 = 0.2; Var = 1/100 + 144 * 0.5 / 10^4 = 0.0172
    lift = relative_lift(12.0, 1.0, 10.0, 0.5)
    z = sps.norm.ppf(0.975)
    assert lift.estimate == pytest.approx(0.2)
    assert lift.se == pytest.approx(math.sqrt(0.0172))
    assert (lift.ci_low, lift.ci_high) == pytest.approx((0.2 - z * math.sqrt(0.0172), 0.2 + z * math.sqrt(0.0172)))


def test_relative_lift_non_positive_baseline_is_nan() -> None:
    assert math.isnan(relative_lift(1.0, 0.1, 0.0, 0.1).estimate)


def test_proportion_diff_hand_computed() -> None:
    # 30/100 vs 20/100: d = 0.1, se = sqrt(0.21/100 + 0.16/100); pooled 0.25
    result = proportion_diff(30, 100, 20, 100)
    assert result.estimate == pytest.approx(0.1)
    assert result.se == pytest.approx(math.sqrt(0.0037))
    z = 0.1 / math.sqrt(0.25 * 0.75 * 0.02)
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2.0)))
    table = np.array([[30, 70], [20, 80]])
    assert result.p_value == pytest.approx(sps.chi2_contingency(table, correction=False).pvalue)


def test_proportion_diff_swap_arms() -> None:
    a, b = proportion_diff(30, 100, 20, 90), proportion_diff(20, 90, 30, 100)
    assert b.estimate == pytest.approx(-a.estimate)
    assert b.p_value == pytest.approx(a.p_value)


# --- pooling -------------------------------------------------------------------


def test_weighted_pool_hand_computed() -> None:
    # shares 1/4, 3/4: 0.25 * 1 + 0.75 * 3 = 2.5; Var = 1/16 * 0.5 + 9/16 * 1
    pooled = weighted_pool([1.0, 3.0], [0.5, 1.0], [1.0, 3.0])
    assert pooled.estimate == pytest.approx(2.5)
    assert pooled.se == pytest.approx(math.sqrt(0.5 / 16 + 9 / 16))
    assert math.isinf(pooled.df)


def test_weighted_pool_single_stratum_is_identity() -> None:
    single = welch_diff(T, C)
    pooled = weighted_pool([single.estimate], [single.se**2], [4.0], [single.df])
    assert (pooled.estimate, pooled.ci_low, pooled.ci_high, pooled.p_value) == pytest.approx(
        (single.estimate, single.ci_low, single.ci_high, single.p_value)
    )


def test_weighted_pool_order_invariant() -> None:
    a = weighted_pool([1.0, 3.0, -2.0], [0.5, 1.0, 2.0], [1.0, 3.0, 2.0], [10.0, 20.0, 30.0])
    b = weighted_pool([-2.0, 1.0, 3.0], [2.0, 0.5, 1.0], [2.0, 1.0, 3.0], [30.0, 10.0, 20.0])
    assert (a.estimate, a.se, a.df) == pytest.approx((b.estimate, b.se, b.df))


def test_inverse_variance_pool_hand_computed() -> None:
    # w = 2, 1: (2 * 1 + 1 * 4) / 3 = 2; Var = 1/3
    pooled = inverse_variance_pool([1.0, 4.0], [0.5, 1.0])
    assert pooled.estimate == pytest.approx(2.0)
    assert pooled.se == pytest.approx(math.sqrt(1.0 / 3.0))


# --- power -----------------------------------------------------------------------


def test_mde_hand_computed() -> None:
    z = sps.norm.ppf(0.975) + sps.norm.ppf(0.8)
    assert minimum_detectable_effect(10.0, 100, 100) == pytest.approx(z * 10.0 * math.sqrt(0.02))
    assert z == pytest.approx(2.8016, abs=1e-4)


def test_required_holdout_share_round_trip() -> None:
    h = required_holdout_share(10.0, 1000, 2.0)
    assert 0.0 < h < 0.5
    assert minimum_detectable_effect(10.0, 1000 * (1 - h), 1000 * h) == pytest.approx(2.0)


def test_required_holdout_share_impossible_is_nan() -> None:
    # even 50/50 gives MDE = 2.8 * 10 * sqrt(4 / 100) = 5.6 > 1
    assert math.isnan(required_holdout_share(10.0, 100, 1.0))
    assert required_holdout_share(0.0, 100, 1.0) == 0.0


# --- skewness of a difference in means ----------------------------------------


def test_diff_shape_hand_computed() -> None:
    # residuals -1, -1, 2 (treatment, mean 1) and -1, 1 (control, mean 2): m2 = 8/5, m3 = 6/5
    shape = diff_shape([0.0, 0.0, 3.0], [1.0, 3.0])
    assert shape.third_cumulant == pytest.approx(1.2 * (1 / 9 - 1 / 4))  # -1/6
    assert shape.variance == pytest.approx(1.6 * (1 / 3 + 1 / 2))  # 4/3
    assert shape.skewness == pytest.approx(-(1 / 6) / (4 / 3) ** 1.5)  # -0.10825


def test_diff_shape_equal_arms_cancel_and_swapping_flips_the_sign() -> None:
    rng = np.random.default_rng(3)
    y = rng.exponential(size=600)
    assert diff_shape(y[:300], y[300:]).skewness == pytest.approx(0.0, abs=1e-12)
    small, large = y[:50], y[50:]
    assert diff_shape(large, small).skewness < -0.1  # the small control arm's right skew, mirrored
    assert diff_shape(small, large).skewness == pytest.approx(-diff_shape(large, small).skewness)


def test_diff_shape_matches_the_skewness_of_simulated_differences() -> None:
    # exponential outcome (skewness 2), arms of 900 and 100: skew(d) = 2 (1/900^2 - 1/100^2) / (1/900 + 1/100)^1.5
    expected = 2 * (1 / 900**2 - 1 / 100**2) / (1 / 900 + 1 / 100) ** 1.5
    rng = np.random.default_rng(11)
    draws = rng.exponential(size=(20_000, 1000))
    differences = draws[:, :900].mean(axis=1) - draws[:, 900:].mean(axis=1)
    assert sps.skew(differences) == pytest.approx(expected, abs=0.05)
    assert diff_shape(draws[0, :900], draws[0, 900:]).skewness == pytest.approx(expected, abs=0.1)


def test_diff_shape_degenerate_cases() -> None:
    assert math.isnan(diff_shape([1.0], [1.0, 2.0]).skewness)
    assert diff_shape([2.0, 2.0], [5.0, 5.0, 5.0]).skewness == 0.0


def test_pooled_shape_adds_cumulants() -> None:
    a = diff_shape([0.0, 0.0, 3.0], [1.0, 3.0])
    b = type(a)(third_cumulant=0.5, variance=2.0, skewness=0.5 / 2.0**1.5)
    pooled = pooled_shape([0.5, 0.5], [a, b])
    assert pooled.third_cumulant == pytest.approx(0.125 * (-1 / 6 + 0.5))
    assert pooled.variance == pytest.approx(0.25 * (4 / 3 + 2.0))
    assert pooled.skewness == pytest.approx((0.125 / 3) / (0.25 * 10 / 3) ** 1.5)  # 0.05477
    assert pooled_shape([1.0], [a]).skewness == pytest.approx(a.skewness)


# --- skewness-adjusted interval (Hall's transformation) ----------------------


def test_skew_adjusted_interval_hand_computed() -> None:
    # normal reference (df = inf), z = 1.959964; skewness 0.6: a = 0.2, b = 0.1
    # g^-1(z)  = ((1 + 0.6 (1.959964 - 0.1))^(1/3) - 1) / 0.2 = (2.115978^(1/3) - 1) / 0.2 = 1.419094
    # g^-1(-z) = ((1 + 0.6 (-1.959964 - 0.1))^(1/3) - 1) / 0.2 = (-0.617956 - 1) / 0.2 = -8.089779
    diff = DiffEstimate(2.0, 0.5, math.inf, math.nan, math.nan, math.nan)
    low, high = skew_adjusted_interval(diff, 0.6)
    assert low == pytest.approx(2.0 - 0.5 * 1.419094, abs=1e-6)  # 1.290453
    assert high == pytest.approx(2.0 + 0.5 * 8.089779, abs=1e-6)  # 6.044889


def test_skew_adjusted_interval_without_skewness_is_the_normal_interval() -> None:
    welch = welch_diff(T, C)
    z = sps.norm.ppf(0.975)
    assert skew_adjusted_interval(welch, 0.0) == pytest.approx(
        (welch.estimate - z * welch.se, welch.estimate + z * welch.se), abs=1e-12
    )


def test_hall_inverse_inverts_the_monotone_transformation() -> None:
    for skewness in (-1.5, -0.4, -0.05, 0.05, 0.4, 1.5):
        a, b = skewness / 3, skewness / 6
        ys = np.linspace(-4, 4, 41)
        ts = [hall_inverse(float(y), skewness) for y in ys]
        assert all(later > earlier for earlier, later in zip(ts, ts[1:]))
        for y, t in zip(ys, ts):
            assert t + a * t**2 + a**2 * t**3 / 3 + b == pytest.approx(y, abs=1e-9)


def test_skew_adjusted_interval_moves_against_the_skewness() -> None:
    # a negative skewness (small, right-skewed control arm) means t has a long right tail:
    # the interval moves down; a positive one moves it up; both keep the estimate inside
    diff = DiffEstimate(1.0, 0.5, 40.0, math.nan, math.nan, math.nan)
    welch = (1.0 - 0.5 * sps.norm.ppf(0.975), 1.0 + 0.5 * sps.norm.ppf(0.975))
    down = skew_adjusted_interval(diff, -0.3)
    up = skew_adjusted_interval(diff, 0.3)
    assert down[0] < welch[0] and down[1] < welch[1]
    assert up[0] > welch[0] and up[1] > welch[1]
    assert down[0] < 1.0 < down[1] and up[0] < 1.0 < up[1]
    assert up == pytest.approx((2.0 - down[1], 2.0 - down[0]))  # mirror images around the estimate


def test_skew_adjusted_interval_degenerate_cases() -> None:
    missing = skew_adjusted_interval(DiffEstimate(1.0, 0.5, 10.0, 0.0, 2.0, 0.1), math.nan)
    assert all(math.isnan(v) for v in missing)
    assert skew_adjusted_interval(DiffEstimate(1.0, 0.0, math.inf, 1.0, 1.0, 0.0), 0.4) == (1.0, 1.0)
