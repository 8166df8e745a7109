"""uplift_model_metrics: every candidate uplift learner scored on held-out past campaigns; the chosen one is flagged."""

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
    inputs = warehouse.uplift_training_inputs(refs.__getitem__, int(dbt.config.get("max_training_rows") or 300000))
    selection_rows = int(dbt.config.get("selection_max_rows") or 50000)
    return pipeline.run_uplift_selection(inputs["training"], inputs["scoring_date"], max_rows=selection_rows)
