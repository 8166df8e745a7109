"""From eligibility to offer_allocations: optimise all planned campaigns at once, then draw the holdouts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from promo_factory.allocation.audience import audience_capacity, draw_holdout, treatment_budget_offers
from promo_factory.allocation.optimiser import SolveStats, solve_allocation
from promo_factory.allocation.reasons import holdout_reason, treatment_reason
from promo_factory.allocation.rules import campaign_groups

ALLOCATION_VERSION = "exact-lagrangian-milp-1"
OUTPUT_COLUMNS = [
    "campaign_id", "retailer", "shopper_key", "arm", "expected_incremental_sales_eur", "expected_cost_eur",
    "reasons", "priority_weight", "holdout_seed", "allocation_version",
]


@dataclass(frozen=True)
class AllocationResult:
    """The allocation rows and what the solver did."""

    allocations: pd.DataFrame
    stats: SolveStats | None


def campaign_capacities(campaigns: pd.DataFrame) -> pd.DataFrame:
    """Per campaign: treatment_offers = floor(budget / cost), audience_capacity so that treatment fits."""
    frame = campaigns.copy()
    frame["treatment_offers"] = [
        treatment_budget_offers(float(b or 0), float(c or 0))
        for b, c in zip(frame["budget_eur"].fillna(0), frame["cost_per_offer_eur"].fillna(0))
    ]
    frame["audience_capacity"] = [
        audience_capacity(t, float(h)) for t, h in zip(frame["treatment_offers"], frame["holdout_share"].fillna(0))
    ]
    return frame


def allocate_offers(
    eligibility: pd.DataFrame,
    campaigns: pd.DataFrame,
    rules: pd.DataFrame,
    seed: int,
    drivers: pd.DataFrame | None = None,
) -> AllocationResult:
    """Choose each planned campaign's audience and split it into treatment and holdout.

    eligibility: campaign_id, retailer, shopper_key, expected_incremental_sales_eur,
        is_eligible, rules_fired, priority_weight (offer_eligibility);
    campaigns: campaign_id, start_date, end_date, budget_eur, cost_per_offer_eur,
        holdout_share of the planned campaigns (dim_campaigns);
    rules: the seed offer_rules; drivers: optional campaign_id, shopper_key, drivers
        (uplift drivers in words). The objective is sum(priority_weight x expected
        incremental sales) over eligible pairs with positive expected sales.
    """
    campaigns = campaign_capacities(campaigns.sort_values("campaign_id").reset_index(drop=True))
    index_of = {cid: i for i, cid in enumerate(campaigns["campaign_id"])}
    pool = eligibility[eligibility["is_eligible"].astype(bool) & eligibility["campaign_id"].isin(index_of)]
    pool = pool[pool["expected_incremental_sales_eur"] > 0]
    pool = pool.sort_values(["campaign_id", "shopper_key"], kind="mergesort").reset_index(drop=True)
    if pool.empty:
        return AllocationResult(pd.DataFrame(columns=OUTPUT_COLUMNS), None)

    shopper_codes = pd.factorize(pool["shopper_key"], sort=True)[0]
    weight = pool["priority_weight"].fillna(1.0).to_numpy(dtype=float) if "priority_weight" in pool else 1.0
    value = pool["expected_incremental_sales_eur"].to_numpy(dtype=float) * weight
    named_groups = campaign_groups(campaigns, rules)
    chosen, stats = solve_allocation(
        shopper_codes,
        pool["campaign_id"].map(index_of).to_numpy(),
        value,
        campaigns["audience_capacity"].to_numpy(),
        [group for _, group in named_groups],
    )
    audience = pool[chosen].copy()
    if drivers is not None and len(drivers):
        audience = audience.merge(drivers[["campaign_id", "shopper_key", "drivers"]],
                                  on=["campaign_id", "shopper_key"], how="left")
    else:
        audience["drivers"] = None

    rule_text = rules.set_index("rule_id")["description"].to_dict() if len(rules) else {}
    parts = []
    for campaign in campaigns.itertuples():
        rows = audience[audience["campaign_id"] == campaign.campaign_id].reset_index(drop=True)
        if rows.empty:
            continue
        cap_rules = sorted({rid for rid, g in named_groups if index_of[campaign.campaign_id] in g.campaigns})
        in_holdout = draw_holdout(rows["shopper_key"].to_numpy(), float(campaign.holdout_share or 0), seed,
                                  campaign.campaign_id)
        eligible_count = int((pool["campaign_id"] == campaign.campaign_id).sum())
        rank = rows["expected_incremental_sales_eur"].rank(ascending=False, method="first").astype(int)
        reasons = []
        for row, r, hold in zip(rows.itertuples(), rank, in_holdout):
            fired = [x for x in str(row.rules_fired).split(",") if x] if isinstance(row.rules_fired, str) else []
            applied = [(rid, rule_text.get(rid, rid)) for rid in cap_rules + fired]
            text = treatment_reason(row.expected_incremental_sales_eur, r, eligible_count, row.drivers, applied)
            reasons.append(holdout_reason(float(campaign.holdout_share), seed, text) if hold else text)
        cost = float(campaign.cost_per_offer_eur)
        parts.append(pd.DataFrame({
            "campaign_id": rows["campaign_id"],
            "retailer": rows["retailer"],
            "shopper_key": rows["shopper_key"],
            "arm": np.where(in_holdout, "holdout", "treatment"),
            "expected_incremental_sales_eur": rows["expected_incremental_sales_eur"].astype(float),
            "expected_cost_eur": np.where(in_holdout, 0.0, cost),
            "reasons": reasons,
            "priority_weight": rows["priority_weight"].astype(float) if "priority_weight" in rows else 1.0,
            "holdout_seed": int(seed),
            "allocation_version": ALLOCATION_VERSION,
        }))
    allocations = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OUTPUT_COLUMNS)
    return AllocationResult(allocations[OUTPUT_COLUMNS], stats)


def propensity_drivers(pairs: pd.DataFrame, campaigns: pd.DataFrame, propensity: pd.DataFrame) -> pd.DataFrame:
    """campaign_id, shopper_key, drivers: the reasons of the shopper's latest propensity score for the campaign's brand."""
    if propensity is None or propensity.empty or "reasons" not in propensity:
        return pd.DataFrame(columns=["campaign_id", "shopper_key", "drivers"])
    latest = propensity[propensity["as_of_date"] == propensity["as_of_date"].max()]
    latest = latest[["shopper_key", "brand", "score", "reasons"]].drop_duplicates(["shopper_key", "brand"])
    frame = pairs[["campaign_id", "shopper_key"]].merge(campaigns[["campaign_id", "brand"]], on="campaign_id")
    frame = frame.merge(latest, on=["shopper_key", "brand"], how="inner")
    frame["drivers"] = [f"propensity {s:.0%} to buy the brand ({r})" for s, r in zip(frame["score"], frame["reasons"])]
    return frame[["campaign_id", "shopper_key", "drivers"]]
