"""`campaign_power`: design of planned campaigns from the historical outcome variance.

Input frames (built by `int_campaign_power_shopper_outcomes`):
- eligible: one row per planned campaign x eligible shopper:
  `campaign_id, retailer, shopper_key, outcome_sales_eur` (in-scope net
  sales over a window of the campaign's length ending on the last business
  date).
- campaigns: `campaign_id, holdout_share, budget_eur, cost_per_offer_eur`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from promo_factory.stats import minimum_detectable_effect, required_holdout_share

POWER_COLUMNS: tuple[str, ...] = (
    "campaign_id",
    "n_eligible",
    "audience_size",
    "holdout_share",
    "n_treatment_planned",
    "n_control_planned",
    "mean_outcome_eur",
    "sd_outcome_eur",
    "alpha",
    "power",
    "mde_eur_per_shopper",
    "mde_pct_of_mean",
    "target_lift_pct",
    "target_effect_eur_per_shopper",
    "required_holdout_share",
    "is_target_detectable",
)


def planned_audience(n_eligible: int, holdout_share: float, budget_eur: float, cost_per_offer_eur: float) -> int:
    """Shoppers the campaign can address: all eligible ones, capped by the budget.

    Treatment shoppers cost cost_per_offer_eur each and are (1 - h) of the
    audience, so audience <= floor(budget / cost) / (1 - h). Without a
    positive cost or budget, the audience is every eligible shopper.
    """
    if not (cost_per_offer_eur and cost_per_offer_eur > 0 and budget_eur and budget_eur > 0 and holdout_share < 1):
        return int(n_eligible)
    affordable = math.floor(budget_eur / cost_per_offer_eur)
    return int(min(n_eligible, math.floor(affordable / (1.0 - holdout_share))))


def campaign_power(
    eligible: pd.DataFrame,
    campaigns: pd.DataFrame,
    target_lift_pct: float = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """One row per planned campaign in `campaigns`.

    sigma is the standard deviation (ddof = 1) of the outcome among the
    eligible shoppers; the audience is split (1 - h) / h at the declared
    holdout_share h. MDE = (z_{1-alpha/2} + z_power) sigma
    sqrt(1 / n_t + 1 / n_c) (`stats.power.minimum_detectable_effect`); the
    target effect is target_lift_pct x the mean outcome; the required
    holdout share is the smallest h whose MDE equals the target
    (`stats.power.required_holdout_share`, null when even 50/50 is not
    enough).
    """
    rows: list[dict] = []
    by_campaign = {str(k): g for k, g in eligible.groupby("campaign_id", sort=True)}
    for campaign in campaigns.sort_values("campaign_id").to_dict("records"):
        campaign_id = str(campaign["campaign_id"])
        h = float(campaign["holdout_share"])
        group = by_campaign.get(campaign_id)
        y = group["outcome_sales_eur"].to_numpy(dtype=float) if group is not None else np.array([])
        n_eligible = int(y.size)
        audience = planned_audience(
            n_eligible, h, float(campaign.get("budget_eur") or 0.0), float(campaign.get("cost_per_offer_eur") or 0.0)
        )
        n_control = int(round(audience * h))
        n_treatment = audience - n_control
        mean = float(y.mean()) if y.size else math.nan
        sd = float(y.std(ddof=1)) if y.size > 1 else math.nan
        mde = minimum_detectable_effect(sd, n_treatment, n_control, alpha, power)
        target = target_lift_pct * mean if mean > 0 else math.nan
        required = required_holdout_share(sd, audience, target, alpha, power) if target > 0 else math.nan
        rows.append(
            {
                "campaign_id": campaign_id,
                "n_eligible": n_eligible,
                "audience_size": audience,
                "holdout_share": h,
                "n_treatment_planned": n_treatment,
                "n_control_planned": n_control,
                "mean_outcome_eur": mean,
                "sd_outcome_eur": sd,
                "alpha": alpha,
                "power": power,
                "mde_eur_per_shopper": mde,
                "mde_pct_of_mean": mde / mean if mean > 0 else math.nan,
                "target_lift_pct": target_lift_pct,
                "target_effect_eur_per_shopper": target,
                "required_holdout_share": required,
                "is_target_detectable": bool(mde <= target) if math.isfinite(mde) and math.isfinite(target) else False,
            }
        )
    frame = pd.DataFrame(rows, columns=list(POWER_COLUMNS))
    for column in ("n_eligible", "audience_size", "n_treatment_planned", "n_control_planned"):
        frame[column] = frame[column].astype("int64")
    return frame
