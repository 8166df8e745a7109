"""uplift_scores: expected incremental sales (EUR) of each eligible shopper of each planned campaign."""

from promo_factory.ml import pipeline, warehouse


def model(dbt, session):
    dbt.config(materialized="table")
    refs = {
        "int_feature_as_of_dates": dbt.ref("int_feature_as_of_dates"),
        "int_shopper_features": dbt.ref("int_shopper_features"),
        "int_shopper_campaign_features": dbt.ref("int_shopper_campaign_features"),
        "int_campaign_shopper_outcomes": dbt.ref("int_campaign_shopper_outcomes"),
        "dim_campaigns": dbt.ref("dim_campaigns"),
    }
    return warehouse.build_uplift_scores(
        refs.__getitem__, pipeline.selected_learner(dbt.ref("uplift_model_metrics").df()),
        max_training_rows=int(dbt.config.get("max_training_rows") or 300000),
        min_same_brand_rows=int(dbt.config.get("min_same_brand_rows") or 2000),
    )
