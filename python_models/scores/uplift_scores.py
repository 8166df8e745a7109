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
    max_rows = int(dbt.config.get("max_training_rows") or 300000)
    inputs = warehouse.uplift_training_inputs(refs.__getitem__, max_rows)
    models = pipeline.fit_uplift_models(
        inputs["training"], inputs["campaigns"], pipeline.selected_learner(dbt.ref("uplift_model_metrics").df()),
        min_same_brand_rows=int(dbt.config.get("min_same_brand_rows") or 2000), max_rows=max_rows,
    )
    del inputs["training"]
    return warehouse.uplift_scores(refs.__getitem__, models, inputs["campaigns"])
