"""Reading the feature tables for the dbt Python models (DuckDB relations from ``dbt.ref``).

Filters and the training sample are pushed down to the warehouse, so that
only the rows a model needs are loaded into memory: the training sample is
``shopper_key < bound`` (md5 keys are uniform), the scoring rows are those of
the scoring date only.
"""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from promo_factory.ml.pipeline import key_prefix_bound

Ref = Callable[[str], Any]  # dbt.ref: model name -> DuckDBPyRelation


def _date_list(dates: pd.Series) -> str:
    return ", ".join(f"date '{pd.Timestamp(d).date()}'" for d in dates) or "null"


def as_of_dates(ref: Ref) -> tuple[pd.DataFrame, Any, Any]:
    """(as-of date table, scoring date, last business date)."""
    dates = ref("int_feature_as_of_dates").df()
    scoring_date = pd.Timestamp(dates.loc[dates["is_scoring_date"], "as_of_date"].iloc[0]).date()
    last = pd.Timestamp(dates["last_business_date"].iloc[0]).date()
    return dates, scoring_date, last


def propensity_inputs(ref: Ref, max_rows: int) -> dict[str, Any]:
    """Keyword arguments of `pipeline.run_propensity`, sampled for training."""
    dates, scoring_date, _ = as_of_dates(ref)
    labelled = _date_list(dates.loc[dates["is_training_grid"] & dates["has_full_target_window"], "as_of_date"])
    features = ref("int_shopper_features")
    brand_features = ref("int_shopper_brand_features")
    n_training = features.filter(f"as_of_date in ({labelled})").aggregate("count(*)").fetchall()[0][0]
    bound = key_prefix_bound(max_rows / max(n_training, 1))
    sample = f" and shopper_key < '{bound}'" if bound else ""
    return {
        "training_features": features.filter(f"as_of_date in ({labelled}){sample}").df(),
        "training_brand_features": brand_features.filter(f"as_of_date in ({labelled}){sample}").df(),
        "targets": ref("int_shopper_brand_targets").filter(f"true{sample}").df(),
        "scoring_features": features.filter(f"as_of_date = date '{scoring_date}'").df(),
        "scoring_brand_features": brand_features.filter(f"as_of_date = date '{scoring_date}'").df(),
        "brands": sorted(brand_features.aggregate("brand").df()["brand"].tolist()),
        "scoring_date": scoring_date,
    }


def _id_list(values: pd.Series) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "null"


def uplift_inputs(ref: Ref, max_rows: int = 300_000) -> dict[str, Any]:
    """Training frame (completed past campaigns, sampled) and the planned campaigns' audiences (all).

    The training sample is pushed down: when the completed campaigns hold more
    than ``max_rows`` assignments, only shoppers with ``shopper_key < bound``
    are loaded (outcomes, scope features and shopper features at the past
    start dates). The planned audiences are loaded whole (everyone is scored),
    with the shopper features of the planned start dates only.
    """
    from promo_factory.ml.pipeline import uplift_training_frame

    dates, scoring_date, last = as_of_dates(ref)
    campaigns = ref("dim_campaigns").df()
    done = campaigns.loc[pd.to_datetime(campaigns["end_date"]) <= pd.Timestamp(last), "campaign_id"]
    planned = campaigns.loc[campaigns["campaign_status"] == "planned", "campaign_id"]
    outcomes = ref("int_campaign_shopper_outcomes").filter(f"campaign_id in ({_id_list(done)})")
    n_training = outcomes.aggregate("count(*)").fetchall()[0][0]
    bound = key_prefix_bound(max_rows / max(n_training, 1))
    sample = f" and shopper_key < '{bound}'" if bound else ""
    past = _date_list(dates.loc[dates["is_past_campaign_start"], "as_of_date"])
    planned_dates = _date_list(dates.loc[dates["is_planned_campaign_start"], "as_of_date"])
    shopper_features = ref("int_shopper_features")
    campaign_features = ref("int_shopper_campaign_features")
    training_features = shopper_features.filter(f"as_of_date in ({past}){sample}").df()
    training = uplift_training_frame(
        outcomes.filter(f"true{sample}").df(), campaigns, training_features,
        campaign_features.filter(f"campaign_id in ({_id_list(done)}){sample}").df(), last,
    )
    del training_features
    return {
        "training": training,
        "audiences": campaign_features.filter(f"campaign_id in ({_id_list(planned)})").df(),
        "campaigns": campaigns,
        "shopper_features": shopper_features.filter(f"as_of_date in ({planned_dates})").df(),
        "scoring_date": scoring_date,
    }
