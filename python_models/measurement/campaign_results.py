"""campaign_results: intention-to-treat lift per campaign x retailer plus the pooled ALL row.

Thin wrapper: the statistics live in promo_factory.measurement / promo_factory.stats.
"""

from promo_factory.measurement import campaign_results


def _to_pandas(relation):
    return relation.df() if hasattr(relation, "df") else relation.toPandas()


def model(dbt, session):
    dbt.config(materialized="table")
    outcomes = _to_pandas(dbt.ref("int_campaign_shopper_outcomes"))
    campaigns = _to_pandas(dbt.ref("dim_campaigns"))
    redemptions = _to_pandas(dbt.ref("int_campaign_redemption_totals"))
    return campaign_results(outcomes, campaigns, redemptions)
