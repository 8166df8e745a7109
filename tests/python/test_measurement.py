"""campaign_results and campaign_power orchestration on small synthetic frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from promo_factory.measurement import RESULT_COLUMNS, VerdictThresholds, campaign_power, campaign_results, verdict
from promo_factory.measurement.power import planned_audience
from promo_factory.measurement.results import CONTRACT_COLUMNS
from promo_factory.stats import (
    cuped_diff,
    diff_shape,
    minimum_detectable_effect,
    skew_adjusted_interval,
    srm_chi_square,
    welch_diff,
)


def _outcomes(seed: int = 0, n: dict[str, tuple[int, int]] | None = None, effect: float = 3.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = n or {"ALPHA": (80, 40), "GAMMA": (60, 30)}
    rows = []
    for retailer, (n_t, n_c) in sizes.items():
        for i in range(n_t + n_c):
            arm = "treatment" if i < n_t else "control"
            pre = float(rng.gamma(1.5, 10.0))
            y = max(0.0, 0.7 * pre + rng.normal(0, 4) + (effect if arm == "treatment" else 0.0))
            rows.append(
                {
                    "campaign_id": "CMP-1",
                    "retailer": retailer,
                    "shopper_key": f"{retailer}-{i:04d}",
                    "arm": arm,
                    "outcome_sales_eur": round(y, 2),
                    "pre_period_sales_eur": round(pre, 2),
                    "is_buyer": y > 5.0,
                }
            )
    return pd.DataFrame(rows)


CAMPAIGNS = pd.DataFrame({"campaign_id": ["CMP-1"], "holdout_share": [1.0 / 3.0]})
REDEMPTIONS = pd.DataFrame(
    {
        "campaign_id": ["CMP-1", "CMP-1"],
        "retailer": ["ALPHA", "GAMMA"],
        "redemptions": [30, 20],
        "contaminated_redemptions": [1, 0],
        "cost_eur": [45.0, 30.0],
    }
)


def _row(frame: pd.DataFrame, retailer: str) -> pd.Series:
    return frame.loc[frame["retailer"] == retailer].iloc[0]


def test_columns_start_with_the_contract() -> None:
    result = campaign_results(_outcomes(), CAMPAIGNS, REDEMPTIONS)
    assert list(result.columns[: len(CONTRACT_COLUMNS)]) == list(CONTRACT_COLUMNS)
    assert list(result.columns) == list(RESULT_COLUMNS)
    assert list(result["retailer"]) == ["ALPHA", "GAMMA", "ALL"]


def test_retailer_row_matches_the_statistics() -> None:
    data = _outcomes()
    result = campaign_results(data, CAMPAIGNS, REDEMPTIONS)
    alpha = data[data["retailer"] == "ALPHA"]
    t, c = alpha[alpha["arm"] == "treatment"], alpha[alpha["arm"] == "control"]
    welch = welch_diff(t["outcome_sales_eur"], c["outcome_sales_eur"])
    cuped = cuped_diff(t["outcome_sales_eur"], t["pre_period_sales_eur"], c["outcome_sales_eur"], c["pre_period_sales_eur"])
    row = _row(result, "ALPHA")
    assert (row["n_treatment"], row["n_control"]) == (80, 40)
    assert row["mean_sales_treatment"] == pytest.approx(t["outcome_sales_eur"].mean())
    assert row["mean_sales_control"] == pytest.approx(c["outcome_sales_eur"].mean())
    assert row["incremental_sales_per_shopper"] == pytest.approx(welch.estimate)
    assert (row["ci_low"], row["ci_high"], row["p_value"]) == pytest.approx((welch.ci_low, welch.ci_high, welch.p_value))
    assert row["cuped_incremental_sales_per_shopper"] == pytest.approx(cuped.diff.estimate)
    assert (row["cuped_ci_low"], row["cuped_ci_high"]) == pytest.approx((cuped.diff.ci_low, cuped.diff.ci_high))
    assert row["incremental_sales_eur"] == pytest.approx(welch.estimate * 80)
    assert row["buyer_rate_treatment"] == pytest.approx(t["is_buyer"].mean())
    assert row["cost_eur"] == 45.0 and row["redemptions"] == 30 and row["contaminated_redemptions"] == 1
    assert row["iroas"] == pytest.approx(welch.estimate * 80 / 45.0)
    assert row["srm_p_value"] == pytest.approx(srm_chi_square(80, 40, 1.0 / 3.0)[1])
    assert row["srm_p_value"] == pytest.approx(1.0)
    assert row["relative_lift"] == pytest.approx(t["outcome_sales_eur"].mean() / c["outcome_sales_eur"].mean() - 1)


def test_all_row_is_n_treatment_weighted() -> None:
    result = campaign_results(_outcomes(), CAMPAIGNS, REDEMPTIONS)
    a, g, total = _row(result, "ALPHA"), _row(result, "GAMMA"), _row(result, "ALL")
    w_a, w_g = 80 / 140, 60 / 140
    assert (total["n_treatment"], total["n_control"]) == (140, 70)
    for column in ("incremental_sales_per_shopper", "cuped_incremental_sales_per_shopper", "mean_sales_control"):
        assert total[column] == pytest.approx(w_a * a[column] + w_g * g[column])
    assert total["mean_sales_treatment"] - total["mean_sales_control"] == pytest.approx(
        total["incremental_sales_per_shopper"]
    )
    assert total["incremental_sales_eur"] == pytest.approx(a["incremental_sales_eur"] + g["incremental_sales_eur"])
    assert total["incremental_sales_eur"] == pytest.approx(total["incremental_sales_per_shopper"] * 140)
    assert total["cost_eur"] == 75.0 and total["redemptions"] == 50
    # variance of the pooled estimate: sum of w^2 * se_r^2, se_r from the retailer's CI half-width
    assert total["ci_high"] - total["ci_low"] < max(a["ci_high"] - a["ci_low"], g["ci_high"] - g["ci_low"])


def test_swapping_arms_flips_the_sign() -> None:
    data = _outcomes()
    swapped = data.assign(arm=data["arm"].map({"treatment": "control", "control": "treatment"}))
    campaigns = CAMPAIGNS.assign(holdout_share=2.0 / 3.0)
    a = campaign_results(data, CAMPAIGNS, REDEMPTIONS)
    b = campaign_results(swapped, campaigns, REDEMPTIONS)
    for retailer in ("ALPHA", "GAMMA"):
        ra, rb = _row(a, retailer), _row(b, retailer)
        assert rb["incremental_sales_per_shopper"] == pytest.approx(-ra["incremental_sales_per_shopper"])
        assert rb["cuped_incremental_sales_per_shopper"] == pytest.approx(-ra["cuped_incremental_sales_per_shopper"])
        assert (rb["ci_low"], rb["ci_high"]) == pytest.approx((-ra["ci_high"], -ra["ci_low"]))
        assert rb["p_value"] == pytest.approx(ra["p_value"])


def test_row_order_does_not_matter() -> None:
    data = _outcomes()
    shuffled = data.sample(frac=1.0, random_state=5).reset_index(drop=True)
    a = campaign_results(data, CAMPAIGNS, REDEMPTIONS)
    b = campaign_results(shuffled, CAMPAIGNS, REDEMPTIONS)
    pd.testing.assert_frame_equal(a, b)


def test_detects_a_planted_effect_and_cuped_narrows_the_ci() -> None:
    result = campaign_results(_outcomes(effect=6.0, n={"ALPHA": (400, 200)}), CAMPAIGNS, REDEMPTIONS)
    row = _row(result, "ALL")
    assert row["ci_low"] > 0 and row["p_value"] < 0.05
    assert row["cuped_ci_high"] - row["cuped_ci_low"] < row["ci_high"] - row["ci_low"]


def test_iroas_null_without_cost() -> None:
    result = campaign_results(_outcomes(), CAMPAIGNS, REDEMPTIONS.iloc[0:0])
    assert (result["redemptions"] == 0).all()
    assert result["iroas"].isna().all()


def test_verdict_rules_in_order() -> None:
    assert verdict(0.0005, 100, 100, 10) == "srm_failure"
    assert verdict(0.5, 11, 100, 100) == "contaminated"
    assert verdict(0.5, 10, 100, 100) == "ok"  # exactly 10 % is tolerated
    assert verdict(0.5, 0, 100, 29) == "underpowered"
    assert verdict(math.nan, 0, 100, 100) == "ok"
    assert verdict(0.5, 0, 10, 10, VerdictThresholds(min_shoppers_per_arm=5)) == "ok"


def test_verdict_flags_a_too_skewed_estimate() -> None:
    assert verdict(0.5, 0, 400, 40, estimate_skewness=-0.21) == "underpowered"
    assert verdict(0.5, 0, 400, 40, estimate_skewness=0.19) == "ok"
    assert verdict(0.5, 0, 400, 40, estimate_skewness=math.nan) == "ok"
    assert verdict(0.5, 0, 400, 40, VerdictThresholds(max_estimate_skewness=0.5), -0.3) == "ok"


def _zero_inflated(n_t: int, n_c: int) -> pd.DataFrame:
    """One shopper in ten spends 50 EUR, the others nothing (skewness 2.67), in both arms."""
    spend = lambda n: [50.0 if i % 10 == 0 else 0.0 for i in range(n)]  # noqa: E731
    return pd.DataFrame({
        "campaign_id": "CMP-1",
        "retailer": "ALPHA",
        "shopper_key": [f"S{i:04d}" for i in range(n_t + n_c)],
        "arm": ["treatment"] * n_t + ["control"] * n_c,
        "outcome_sales_eur": spend(n_t) + spend(n_c),
        "pre_period_sales_eur": 0.0,
        "is_buyer": [y > 0 for y in spend(n_t) + spend(n_c)],
    })


def test_skewed_outcome_with_a_small_arm_is_underpowered() -> None:
    # 400 / 40: skew(d) = 2.67 * (1/400^2 - 1/40^2) / (1/400 + 1/40)^1.5 = -0.36; 220 / 220: 0
    unbalanced = _zero_inflated(400, 40)
    campaigns = CAMPAIGNS.assign(holdout_share=40 / 440)
    row = _row(campaign_results(unbalanced, campaigns, REDEMPTIONS.iloc[0:0]), "ALPHA")
    expected = diff_shape([50.0 if i % 10 == 0 else 0.0 for i in range(400)],
                          [50.0 if i % 10 == 0 else 0.0 for i in range(40)]).skewness
    assert row["estimate_skewness"] == pytest.approx(expected)
    assert row["estimate_skewness"] == pytest.approx(-0.36, abs=0.01)
    assert row["verdict"] == "underpowered"
    balanced = _row(campaign_results(_zero_inflated(220, 220), CAMPAIGNS.assign(holdout_share=0.5),
                                     REDEMPTIONS.iloc[0:0]), "ALPHA")
    assert balanced["estimate_skewness"] == pytest.approx(0.0, abs=1e-12)
    assert balanced["verdict"] == "ok"


def test_skew_adjusted_interval_is_published_next_to_welch() -> None:
    results = campaign_results(_zero_inflated(400, 40), CAMPAIGNS.assign(holdout_share=40 / 440), REDEMPTIONS.iloc[0:0])
    row = _row(results, "ALPHA")
    welch = welch_diff([50.0 if i % 10 == 0 else 0.0 for i in range(400)],
                       [50.0 if i % 10 == 0 else 0.0 for i in range(40)])
    low, high = skew_adjusted_interval(welch, row["estimate_skewness"])
    assert (row["skew_adjusted_ci_low"], row["skew_adjusted_ci_high"]) == pytest.approx((low, high))
    # a small, right-skewed control arm: the interval moves down, its lower side stretched
    assert row["skew_adjusted_ci_low"] < row["ci_low"] - 0.5
    assert row["skew_adjusted_ci_high"] < row["ci_high"]
    # one retailer: the ALL row carries the same interval
    pooled = _row(results, "ALL")
    assert (pooled["skew_adjusted_ci_low"], pooled["skew_adjusted_ci_high"]) == pytest.approx((low, high))
    balanced = _row(campaign_results(_zero_inflated(220, 220), CAMPAIGNS.assign(holdout_share=0.5),
                                     REDEMPTIONS.iloc[0:0]), "ALPHA")
    # equal arms: no skewness, the interval is symmetric around the estimate
    centre = balanced["incremental_sales_per_shopper"]
    assert centre - balanced["skew_adjusted_ci_low"] == pytest.approx(balanced["skew_adjusted_ci_high"] - centre)


def test_all_row_takes_the_most_severe_verdict() -> None:
    data = _outcomes(n={"ALPHA": (80, 40), "GAMMA": (40, 20)})
    result = campaign_results(data, CAMPAIGNS, REDEMPTIONS)
    assert _row(result, "ALPHA")["verdict"] == "ok"
    assert _row(result, "GAMMA")["verdict"] == "underpowered"
    assert _row(result, "ALL")["verdict"] == "underpowered"


def test_srm_failure_is_flagged() -> None:
    data = _outcomes(n={"ALPHA": (300, 80)})
    result = campaign_results(data, CAMPAIGNS, REDEMPTIONS)
    assert _row(result, "ALPHA")["srm_p_value"] < 0.001
    assert set(result["verdict"]) == {"srm_failure"}


def test_planned_audience_is_capped_by_budget() -> None:
    assert planned_audience(1000, 0.2, budget_eur=400.0, cost_per_offer_eur=1.0) == 500
    assert planned_audience(300, 0.2, budget_eur=400.0, cost_per_offer_eur=1.0) == 300
    assert planned_audience(300, 0.2, budget_eur=0.0, cost_per_offer_eur=1.0) == 300


def test_campaign_power_hand_computed() -> None:
    y = np.array([0.0, 10.0, 20.0, 30.0] * 50)  # mean 15, sd (ddof 1) computed below
    eligible = pd.DataFrame({"campaign_id": "CMP-9", "retailer": "ALPHA", "shopper_key": range(200), "outcome_sales_eur": y})
    campaigns = pd.DataFrame(
        {"campaign_id": ["CMP-9", "CMP-8"], "holdout_share": [0.25, 0.1], "budget_eur": [1e6, 1e6], "cost_per_offer_eur": [1.0, 1.0]}
    )
    result = campaign_power(eligible, campaigns, target_lift_pct=0.5).set_index("campaign_id")
    row = result.loc["CMP-9"]
    sd = float(y.std(ddof=1))
    assert (row["n_treatment_planned"], row["n_control_planned"]) == (150, 50)
    assert row["mde_eur_per_shopper"] == pytest.approx(minimum_detectable_effect(sd, 150, 50))
    assert row["target_effect_eur_per_shopper"] == pytest.approx(7.5)
    h = row["required_holdout_share"]
    assert minimum_detectable_effect(sd, 200 * (1 - h), 200 * h) == pytest.approx(7.5)
    assert result.loc["CMP-8", "n_eligible"] == 0 and math.isnan(result.loc["CMP-8", "mde_eur_per_shopper"])


# --- campaign report ---------------------------------------------------------------


def test_report_renders_every_campaign_self_contained() -> None:
    from promo_factory.report import render_campaign_report

    results = campaign_results(_outcomes(n={"ALPHA": (80, 40), "GAMMA": (40, 20)}), CAMPAIGNS, REDEMPTIONS)
    dates = pd.date_range("2026-01-05", periods=5).date
    daily = pd.DataFrame(
        [
            {
                "campaign_id": "CMP-1",
                "retailer": "ALPHA",
                "arm": arm,
                "business_date": d,
                "n_shoppers": n,
                "sales_eur": 10.0,
                "cumulative_sales_eur": 10.0 * (i + 1) * (1.2 if arm == "treatment" else 1.0),
            }
            for arm, n in (("treatment", 80), ("control", 40))
            for i, d in enumerate(dates)
        ]
    )
    html = render_campaign_report(results, daily)
    assert html.startswith("<!DOCTYPE html>") and html.endswith("</html>")
    assert "CMP-1" in html and "underpowered" in html and "(skew-adjusted)" in html
    assert html.count("<svg") == 2  # one forest plot and one cumulative chart for the single campaign
    assert "<polyline" in html and "<script" not in html
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_cumulative_curve_carries_a_retailer_over_days_without_sales() -> None:
    from promo_factory.report.campaign import cumulative_per_shopper

    d1, d2, d3 = pd.Timestamp("2026-01-05"), pd.Timestamp("2026-01-06"), pd.Timestamp("2026-01-07")
    rows = [
        # ALPHA sells every day, GAMMA has no business date on d2
        ("ALPHA", d1, 10.0), ("ALPHA", d2, 15.0), ("ALPHA", d3, 20.0),
        ("GAMMA", d1, 5.0), ("GAMMA", d3, 9.0),
    ]
    daily = pd.DataFrame(
        [
            {"campaign_id": "C", "retailer": r, "arm": "treatment", "business_date": d, "n_shoppers": 10,
             "sales_eur": 0.0, "cumulative_sales_eur": c}
            for r, d, c in rows
        ]
    )
    series = cumulative_per_shopper(daily)
    # per shopper over 20 shoppers: (10+5)/20, (15+5)/20, (20+9)/20
    assert series["treatment"] == [(1, 0.75), (2, 1.0), (3, 1.45)]
    assert "control" not in series
