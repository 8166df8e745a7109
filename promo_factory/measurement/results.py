"""`campaign_results`: intention-to-treat per campaign x retailer, plus the pooled ALL row.

Input frames (built by the SQL models of `models/intermediate/measurement`):
- outcomes: one row per campaign x retailer x assigned shopper:
  `campaign_id, retailer, shopper_key, arm, outcome_sales_eur,
  pre_period_sales_eur, is_buyer`.
- campaigns: `campaign_id, holdout_share`.
- redemptions: one row per campaign x retailer with any redemption:
  `campaign_id, retailer, redemptions, contaminated_redemptions, cost_eur`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from promo_factory.measurement.verdict import VerdictThresholds, contamination_share, most_severe, verdict
from promo_factory.stats import (
    DiffShape,
    cuped_diff,
    diff_shape,
    pooled_shape,
    proportion_diff,
    relative_lift,
    skew_adjusted_interval,
    srm_chi_square,
    weighted_pool,
    welch_diff,
)
from promo_factory.stats.welch import DiffEstimate

ALL = "ALL"

CONTRACT_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "retailer",
    "n_treatment",
    "n_control",
    "mean_sales_treatment",
    "mean_sales_control",
    "incremental_sales_per_shopper",
    "ci_low",
    "ci_high",
    "p_value",
    "cuped_incremental_sales_per_shopper",
    "cuped_ci_low",
    "cuped_ci_high",
    "incremental_sales_eur",
    "buyer_rate_treatment",
    "buyer_rate_control",
    "redemptions",
    "contaminated_redemptions",
    "cost_eur",
    "iroas",
    "srm_p_value",
)

EXTRA_COLUMNS: tuple[str, ...] = (
    "holdout_share",
    "cuped_p_value",
    "cuped_theta",
    "relative_lift",
    "relative_lift_ci_low",
    "relative_lift_ci_high",
    "buyer_rate_lift",
    "buyer_rate_lift_ci_low",
    "buyer_rate_lift_ci_high",
    "buyer_rate_p_value",
    "contamination_share",
    "estimate_skewness",
    "skew_adjusted_ci_low",
    "skew_adjusted_ci_high",
    "verdict",
)

RESULT_COLUMNS: tuple[str, ...] = CONTRACT_COLUMNS + EXTRA_COLUMNS


@dataclass(frozen=True)
class _Stratum:
    """Everything measured on one campaign x retailer, kept for pooling."""

    row: dict[str, object]
    welch: DiffEstimate
    cuped: DiffEstimate
    var_mean_t: float
    var_mean_c: float
    buyer_diff_se: float
    shape: DiffShape


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator and not math.isnan(denominator) else math.nan


def _measure_stratum(
    group: pd.DataFrame,
    campaign_id: str,
    retailer: str,
    holdout_share: float,
    redemption: dict[str, float],
    thresholds: VerdictThresholds,
) -> _Stratum:
    treated = group["arm"].to_numpy() == "treatment"
    control = group["arm"].to_numpy() == "control"
    y = group["outcome_sales_eur"].to_numpy(dtype=float)
    x = group["pre_period_sales_eur"].to_numpy(dtype=float)
    bought = group["is_buyer"].to_numpy(dtype=bool)
    y_t, y_c, x_t, x_c = y[treated], y[control], x[treated], x[control]
    n_t, n_c = int(treated.sum()), int(control.sum())

    welch = welch_diff(y_t, y_c)
    shape = diff_shape(y_t, y_c)
    cuped = cuped_diff(y_t, x_t, y_c, x_c)
    mean_t = float(y_t.mean()) if n_t else math.nan
    mean_c = float(y_c.mean()) if n_c else math.nan
    var_mean_t = float(y_t.var(ddof=1)) / n_t if n_t > 1 else math.nan
    var_mean_c = float(y_c.var(ddof=1)) / n_c if n_c > 1 else math.nan
    lift = relative_lift(mean_t, var_mean_t, mean_c, var_mean_c)
    buyers_t, buyers_c = int(bought[treated].sum()), int(bought[control].sum())
    buyer_diff = proportion_diff(buyers_t, n_t, buyers_c, n_c)
    _, srm_p = srm_chi_square(n_t, n_c, holdout_share)

    redemptions = int(redemption.get("redemptions", 0))
    contaminated = int(redemption.get("contaminated_redemptions", 0))
    cost = float(redemption.get("cost_eur", 0.0))
    incremental_eur = welch.estimate * n_t
    row: dict[str, object] = {
        "campaign_id": campaign_id,
        "retailer": retailer,
        "n_treatment": n_t,
        "n_control": n_c,
        "mean_sales_treatment": mean_t,
        "mean_sales_control": mean_c,
        "incremental_sales_per_shopper": welch.estimate,
        "ci_low": welch.ci_low,
        "ci_high": welch.ci_high,
        "p_value": welch.p_value,
        "cuped_incremental_sales_per_shopper": cuped.diff.estimate,
        "cuped_ci_low": cuped.diff.ci_low,
        "cuped_ci_high": cuped.diff.ci_high,
        "incremental_sales_eur": incremental_eur,
        "buyer_rate_treatment": _ratio(buyers_t, n_t),
        "buyer_rate_control": _ratio(buyers_c, n_c),
        "redemptions": redemptions,
        "contaminated_redemptions": contaminated,
        "cost_eur": cost,
        "iroas": _ratio(incremental_eur, cost),
        "srm_p_value": srm_p,
        "holdout_share": holdout_share,
        "cuped_p_value": cuped.diff.p_value,
        "cuped_theta": cuped.theta,
        "relative_lift": lift.estimate,
        "relative_lift_ci_low": lift.ci_low,
        "relative_lift_ci_high": lift.ci_high,
        "buyer_rate_lift": buyer_diff.estimate,
        "buyer_rate_lift_ci_low": buyer_diff.ci_low,
        "buyer_rate_lift_ci_high": buyer_diff.ci_high,
        "buyer_rate_p_value": buyer_diff.p_value,
        "contamination_share": contamination_share(contaminated, n_c),
        "estimate_skewness": shape.skewness,
    }
    row["skew_adjusted_ci_low"], row["skew_adjusted_ci_high"] = skew_adjusted_interval(welch, shape.skewness)
    row["verdict"] = verdict(srm_p, contaminated, n_t, n_c, thresholds, shape.skewness)
    return _Stratum(row, welch, cuped.diff, var_mean_t, var_mean_c, buyer_diff.se, shape)


def _pool(campaign_id: str, holdout_share: float, strata: list[_Stratum], thresholds: VerdictThresholds) -> dict:
    """The ALL row: retailer estimates weighted by n_treatment, variances sum_r w_r^2 Var_r."""
    rows = [s.row for s in strata]
    n_t = np.array([r["n_treatment"] for r in rows], dtype=float)
    n_c_total = int(sum(int(r["n_control"]) for r in rows))
    n_t_total = int(n_t.sum())
    w = n_t / n_t.sum() if n_t.sum() > 0 else np.full(len(rows), math.nan)

    def weighted(column: str) -> float:
        return float((w * np.array([r[column] for r in rows], dtype=float)).sum())

    welch = weighted_pool(
        [s.welch.estimate for s in strata], [s.welch.se**2 for s in strata], n_t, [s.welch.df for s in strata]
    )
    cuped = weighted_pool(
        [s.cuped.estimate for s in strata], [s.cuped.se**2 for s in strata], n_t, [s.cuped.df for s in strata]
    )
    mean_t, mean_c = weighted("mean_sales_treatment"), weighted("mean_sales_control")
    var_mean_t = float((w**2 * np.array([s.var_mean_t for s in strata])).sum())
    var_mean_c = float((w**2 * np.array([s.var_mean_c for s in strata])).sum())
    lift = relative_lift(mean_t, var_mean_t, mean_c, var_mean_c)
    buyer = weighted_pool(
        [float(r["buyer_rate_lift"]) for r in rows], [s.buyer_diff_se**2 for s in strata], n_t
    )
    _, srm_p = srm_chi_square(n_t_total, n_c_total, holdout_share)
    redemptions = int(sum(int(r["redemptions"]) for r in rows))
    contaminated = int(sum(int(r["contaminated_redemptions"]) for r in rows))
    cost = float(sum(float(r["cost_eur"]) for r in rows))
    incremental_eur = float(sum(float(r["incremental_sales_eur"]) for r in rows))
    shape = pooled_shape(w, [s.shape for s in strata])
    own_verdict = verdict(srm_p, contaminated, n_t_total, n_c_total, thresholds, shape.skewness)
    skew_adjusted_low, skew_adjusted_high = skew_adjusted_interval(welch, shape.skewness)
    return {
        "campaign_id": campaign_id,
        "retailer": ALL,
        "n_treatment": n_t_total,
        "n_control": n_c_total,
        "mean_sales_treatment": mean_t,
        "mean_sales_control": mean_c,
        "incremental_sales_per_shopper": welch.estimate,
        "ci_low": welch.ci_low,
        "ci_high": welch.ci_high,
        "p_value": welch.p_value,
        "cuped_incremental_sales_per_shopper": cuped.estimate,
        "cuped_ci_low": cuped.ci_low,
        "cuped_ci_high": cuped.ci_high,
        "incremental_sales_eur": incremental_eur,
        "buyer_rate_treatment": weighted("buyer_rate_treatment"),
        "buyer_rate_control": weighted("buyer_rate_control"),
        "redemptions": redemptions,
        "contaminated_redemptions": contaminated,
        "cost_eur": cost,
        "iroas": _ratio(incremental_eur, cost),
        "srm_p_value": srm_p,
        "holdout_share": holdout_share,
        "cuped_p_value": cuped.p_value,
        "cuped_theta": math.nan,
        "relative_lift": lift.estimate,
        "relative_lift_ci_low": lift.ci_low,
        "relative_lift_ci_high": lift.ci_high,
        "buyer_rate_lift": buyer.estimate,
        "buyer_rate_lift_ci_low": buyer.ci_low,
        "buyer_rate_lift_ci_high": buyer.ci_high,
        "buyer_rate_p_value": buyer.p_value,
        "contamination_share": contamination_share(contaminated, n_c_total),
        "estimate_skewness": shape.skewness,
        "skew_adjusted_ci_low": skew_adjusted_low,
        "skew_adjusted_ci_high": skew_adjusted_high,
        "verdict": most_severe([own_verdict, *(str(r["verdict"]) for r in rows)]),
    }


def campaign_results(
    outcomes: pd.DataFrame,
    campaigns: pd.DataFrame,
    redemptions: pd.DataFrame,
    thresholds: VerdictThresholds = VerdictThresholds(),
) -> pd.DataFrame:
    """One row per campaign x retailer with assigned shoppers, plus one ALL row per campaign.

    Intention to treat: every assigned shopper counts with their outcome,
    redeemed or not. Per retailer: Welch difference in means and CI
    (`stats.welch`), CUPED with the pre-period covariate (`stats.cuped`,
    theta fitted per retailer), relative lift by the delta method, buyer-rate
    difference, SRM test against the campaign's holdout_share, verdict.
    ALL row: the retailers' per-shopper estimates weighted by n_treatment
    (`stats.pooling.weighted_pool`), counts, EUR and costs summed, SRM on
    the summed counts. Rows are sorted by campaign_id, then retailer with
    ALL last.
    """
    holdout = {
        str(c): float(h) for c, h in zip(campaigns["campaign_id"], campaigns["holdout_share"], strict=True)
    }
    redeemed = {
        (str(r["campaign_id"]), str(r["retailer"])): r
        for r in redemptions.to_dict("records")
    }
    rows: list[dict] = []
    data = outcomes.sort_values(["campaign_id", "retailer", "shopper_key"], kind="stable")
    for campaign_id, campaign_rows in data.groupby("campaign_id", sort=True):
        share = holdout.get(str(campaign_id), math.nan)
        strata = [
            _measure_stratum(
                group, str(campaign_id), str(retailer), share, redeemed.get((str(campaign_id), str(retailer)), {}), thresholds
            )
            for retailer, group in campaign_rows.groupby("retailer", sort=True)
        ]
        rows.extend(s.row for s in strata)
        rows.append(_pool(str(campaign_id), share, strata, thresholds))
    frame = pd.DataFrame(rows, columns=list(RESULT_COLUMNS))
    for column in ("n_treatment", "n_control", "redemptions", "contaminated_redemptions"):
        frame[column] = frame[column].astype("int64")
    return frame
