"""propensity_scores: probability to buy each scored brand within 28 days, with the white box's top-3 reasons."""

from promo_factory.ml import warehouse


def model(dbt, session):
    dbt.config(materialized="table")
    refs = {
        "int_feature_as_of_dates": dbt.ref("int_feature_as_of_dates"),
        "int_shopper_features": dbt.ref("int_shopper_features"),
        "int_shopper_brand_features": dbt.ref("int_shopper_brand_features"),
        "int_shopper_brand_targets": dbt.ref("int_shopper_brand_targets"),
    }
    return warehouse.build_propensity_scores(refs.__getitem__, int(dbt.config.get("max_training_rows") or 300000))
