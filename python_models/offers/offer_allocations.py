"""offer_allocations: the audience of each planned campaign, treatment and random holdout (promo_factory/allocation)."""

from promo_factory.allocation.allocate import allocate_offers, propensity_drivers


def model(dbt, session):
    dbt.config(materialized="table")
    eligibility = dbt.ref("offer_eligibility").df()
    campaigns = dbt.ref("dim_campaigns").df()
    campaigns = campaigns[campaigns["campaign_status"] == "planned"]
    rules = dbt.ref("offer_rules").df()
    drivers = propensity_drivers(eligibility, campaigns, dbt.ref("propensity_scores").df())
    seed = int(dbt.config.get("holdout_seed") or 20260101)
    return allocate_offers(eligibility, campaigns, rules, seed=seed, drivers=drivers).allocations
