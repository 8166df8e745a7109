"""campaign_power: minimum detectable effect and required holdout share of planned campaigns.

Thin wrapper: the maths lives in promo_factory.measurement.power / promo_factory.stats.power.
The target lift (share of the mean outcome) is the model's config meta `target_lift_pct`,
set from the dbt var `power_target_lift_pct` (default 0.10).
"""

from promo_factory.measurement import campaign_power


def _to_pandas(relation):
    return relation.df() if hasattr(relation, "df") else relation.toPandas()


def model(dbt, session):
    dbt.config(materialized="table")
    target_lift_pct = dbt.config.meta_get("target_lift_pct", 0.10)
    eligible = _to_pandas(dbt.ref("int_campaign_power_shopper_outcomes"))
    campaigns = _to_pandas(dbt.ref("dim_campaigns"))
    planned = campaigns[campaigns["campaign_status"] == "planned"]
    return campaign_power(eligible, planned, target_lift_pct=float(target_lift_pct))
