"""propensity_model_metrics: out-of-time metrics of the white box and of its gradient-boosting challenger."""

from promo_factory.ml import pipeline, warehouse


def model(dbt, session):
    dbt.config(materialized="table")
    refs = {
        "int_feature_as_of_dates": dbt.ref("int_feature_as_of_dates"),
        "int_shopper_features": dbt.ref("int_shopper_features"),
        "int_shopper_brand_features": dbt.ref("int_shopper_brand_features"),
        "int_shopper_brand_targets": dbt.ref("int_shopper_brand_targets"),
    }
    max_rows = int(dbt.config.get("max_training_rows") or 300000)
    training = warehouse.propensity_training_inputs(refs.__getitem__, max_rows)
    _, metrics = pipeline.train_propensity(**training, with_challenger=True)
    return metrics
