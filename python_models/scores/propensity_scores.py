"""propensity_scores: probability to buy each scored brand within 28 days, with the white box's top-3 reasons."""

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
    models, _ = pipeline.train_propensity(**training, with_challenger=False)
    return warehouse.propensity_scores(refs.__getitem__, models)
