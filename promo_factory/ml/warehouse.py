"""Reading the feature tables for the dbt Python models (DuckDB relations from ``dbt.ref``).

Filters and the training sample are pushed down to the warehouse, so that
only the rows a model needs are loaded into memory: the training sample is
``shopper_key < bound`` (md5 keys are uniform). Everyone is scored, but in
chunks of shopper keys (`key_range_filters`): each chunk is loaded, scored and
turned into compact Arrow columns before the next one is read, so memory
holds one chunk's pandas frames plus the Arrow result, not every shopper's
features and Python strings at once (1M shoppers: 5.7 GB -> see the bench).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import pandas as pd
import pyarrow as pa

from promo_factory.ml import pipeline
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


SCORING_CHUNK_ROWS = 200_000

def key_range_filters(n_chunks: int) -> list[str]:
    """SQL predicates on ``shopper_key`` that split every key into ``n_chunks`` disjoint ranges.

    The ranges cut the 4-hex-digit md5 prefix space evenly; the first is open
    below and the last open above, so any string key (md5 or not) falls in
    exactly one of them.
    """
    bounds = [f"{round(i * 65536 / n_chunks):04x}" for i in range(1, max(n_chunks, 1))]
    predicates = []
    for low, high in zip([None, *bounds], [*bounds, None]):
        parts = ([f"shopper_key >= '{low}'"] if low else []) + ([f"shopper_key < '{high}'"] if high else [])
        predicates.append(" and ".join(parts) or "true")
    return predicates


def scores_in_chunks(score_chunk: Callable[[str], pd.DataFrame], n_rows: int, schema: pa.Schema,
                     chunk_rows: int = SCORING_CHUNK_ROWS) -> pa.Table:
    """Call ``score_chunk(key predicate)`` for each key range and stack the results as one Arrow table."""
    n_chunks = max(1, math.ceil(n_rows / chunk_rows))
    return pa.concat_tables([
        pa.Table.from_pandas(score_chunk(predicate), schema=schema, preserve_index=False).replace_schema_metadata()
        for predicate in key_range_filters(n_chunks)
    ])


def _count(relation: Any) -> int:
    return int(relation.aggregate("count(*)").fetchall()[0][0])


def propensity_training_inputs(ref: Ref, max_rows: int) -> dict[str, Any]:
    """Keyword arguments of `pipeline.train_propensity`, sampled for training."""
    dates, scoring_date, _ = as_of_dates(ref)
    labelled = _date_list(dates.loc[dates["is_training_grid"] & dates["has_full_target_window"], "as_of_date"])
    features = ref("int_shopper_features")
    brand_features = ref("int_shopper_brand_features")
    bound = key_prefix_bound(max_rows / max(_count(features.filter(f"as_of_date in ({labelled})")), 1))
    sample = f" and shopper_key < '{bound}'" if bound else ""
    return {
        "training_features": features.filter(f"as_of_date in ({labelled}){sample}").df(),
        "training_brand_features": brand_features.filter(f"as_of_date in ({labelled}){sample}").df(),
        "targets": ref("int_shopper_brand_targets").filter(f"true{sample}").df(),
        "brands": sorted(brand_features.aggregate("brand").df()["brand"].tolist()),
        "scoring_date": scoring_date,
    }


def propensity_scores(ref: Ref, models: pipeline.PropensityModels,
                      chunk_rows: int = SCORING_CHUNK_ROWS) -> pa.Table:
    """Every shopper of the scoring date scored by `pipeline.score_propensity`, chunk by chunk."""
    _, scoring_date, _ = as_of_dates(ref)
    on_date = f"as_of_date = date '{scoring_date}'"
    features = ref("int_shopper_features").filter(on_date)
    brand_features = ref("int_shopper_brand_features").filter(on_date)
    return scores_in_chunks(
        lambda keys: pipeline.score_propensity(models, features.filter(keys).df(), brand_features.filter(keys).df()),
        _count(features), pipeline.PROPENSITY_SCORE_SCHEMA, chunk_rows,
    )


def build_propensity_scores(ref: Ref, max_training_rows: int) -> pa.Table:
    """The propensity_scores table: train on the sample, release the training frames, then score everyone."""
    training = propensity_training_inputs(ref, max_training_rows)
    models, _ = pipeline.train_propensity(**training, with_challenger=False)
    del training
    return propensity_scores(ref, models)


def _id_list(values: pd.Series) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) or "null"


def uplift_training_inputs(ref: Ref, max_rows: int = 300_000) -> dict[str, Any]:
    """Training frame (completed past campaigns, sampled), the campaigns and the scoring date.

    The training sample is pushed down: when the completed campaigns hold more
    than ``max_rows`` assignments, only shoppers with ``shopper_key < bound``
    are loaded (outcomes, scope features and shopper features at the past
    start dates).
    """
    dates, scoring_date, last = as_of_dates(ref)
    campaigns = ref("dim_campaigns").df()
    done = _id_list(campaigns.loc[pd.to_datetime(campaigns["end_date"]) <= pd.Timestamp(last), "campaign_id"])
    outcomes = ref("int_campaign_shopper_outcomes").filter(f"campaign_id in ({done})")
    bound = key_prefix_bound(max_rows / max(_count(outcomes), 1))
    sample = f" and shopper_key < '{bound}'" if bound else ""
    past = _date_list(dates.loc[dates["is_past_campaign_start"], "as_of_date"])
    training_features = ref("int_shopper_features").filter(f"as_of_date in ({past}){sample}").df()
    training = pipeline.uplift_training_frame(
        outcomes.filter(f"true{sample}").df(), campaigns, training_features,
        ref("int_shopper_campaign_features").filter(f"campaign_id in ({done}){sample}").df(), last,
    )
    del training_features
    return {"training": training, "campaigns": campaigns, "scoring_date": scoring_date}


def uplift_scores(ref: Ref, models: pipeline.UpliftModels, campaigns: pd.DataFrame,
                  chunk_rows: int = SCORING_CHUNK_ROWS) -> pa.Table:
    """Every eligible shopper of the planned campaigns scored by `pipeline.score_uplift`, chunk by chunk."""
    dates, _, _ = as_of_dates(ref)
    planned = _id_list(campaigns.loc[campaigns["campaign_status"] == "planned", "campaign_id"])
    planned_dates = _date_list(dates.loc[dates["is_planned_campaign_start"], "as_of_date"])
    audiences = ref("int_shopper_campaign_features").filter(f"campaign_id in ({planned})")
    shopper_features = ref("int_shopper_features").filter(f"as_of_date in ({planned_dates})")
    return scores_in_chunks(
        lambda keys: pipeline.score_uplift(models, audiences.filter(keys).df(), campaigns,
                                           shopper_features.filter(keys).df()),
        _count(audiences), pipeline.UPLIFT_SCORE_SCHEMA, chunk_rows,
    )


def build_uplift_scores(ref: Ref, learner: str, max_training_rows: int, min_same_brand_rows: int) -> pa.Table:
    """The uplift_scores table: fit ``learner`` per training pool, release the training frame, then score."""
    inputs = uplift_training_inputs(ref, max_training_rows)
    models = pipeline.fit_uplift_models(inputs.pop("training"), inputs["campaigns"], learner,
                                        min_same_brand_rows, max_training_rows)
    return uplift_scores(ref, models, inputs["campaigns"])
