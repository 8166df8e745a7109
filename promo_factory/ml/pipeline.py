"""The scoring pipelines behind the dbt Python models: DataFrames in, DataFrames out.

The dbt Python models (python_models/scores/) only read their refs and call
these functions, so that everything here runs and is tested without a warehouse.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from promo_factory.ml import features, propensity, uplift

MODEL_METRIC_COLUMNS = ["model_name", "model_version", "trained_at", "metric", "value", "brand", "evaluated_on"]
WHITE_BOX = "propensity_logreg"
CHALLENGER = "propensity_hgb_challenger"

# The columns and types of the score tables, whether returned whole (pandas) or chunk by chunk (Arrow).
PROPENSITY_SCORE_SCHEMA = pa.schema([
    ("shopper_key", pa.string()), ("retailer", pa.string()), ("brand", pa.string()), ("as_of_date", pa.date32()),
    ("score", pa.float64()), ("reasons", pa.string()), ("model_version", pa.string()),
])
UPLIFT_SCORE_SCHEMA = pa.schema([
    ("campaign_id", pa.string()), ("retailer", pa.string()), ("shopper_key", pa.string()),
    ("expected_incremental_sales_eur", pa.float64()), ("model_version", pa.string()),
    ("training_pool", pa.string()), ("reasons", pa.string()),
])


def empty_scores(schema: pa.Schema) -> pd.DataFrame:
    """Nothing to score: an empty table that still has typed columns
    (untyped empty pandas columns would reach the warehouse as type NULL)."""
    return schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)


def key_prefix_bound(rate: float) -> str | None:
    """Upper bound on the 4 first hex digits of md5 keys that keeps about ``rate`` of them (None = keep all).

    shopper_key is an md5 in hex, uniformly spread: ``shopper_key < bound`` is a
    deterministic sample that the warehouse can apply before loading anything.
    """
    if rate >= 1:
        return None
    return f"{max(1, int(rate * 65536)):04x}"


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.normalize()


def _trained_at(scoring_date: date | pd.Timestamp) -> datetime:
    """The as-of (scoring) date at midnight: a deterministic training time."""
    return pd.Timestamp(scoring_date).to_pydatetime().replace(hour=0, minute=0, second=0, microsecond=0)


def _keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["as_of_date"] = _dates(out["as_of_date"])
    return out


# --------------------------------------------------------------------------- propensity


def propensity_training_frame(
    shopper_features: pd.DataFrame, brand_features: pd.DataFrame, targets: pd.DataFrame, brand: str
) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """(model matrix, 0/1 target, as_of_date) for one brand over the labelled as-of dates given."""
    population = _keys(shopper_features)[features.KEYS]
    brand_rows = _keys(brand_features[brand_features["brand"] == brand])
    frame = features.join_brand_features(population, _keys(shopper_features), brand_rows)
    positives = _keys(targets[targets["brand"] == brand])[features.KEYS].drop_duplicates()
    positives["target"] = 1
    frame = frame.merge(positives, on=features.KEYS, how="left")
    y = frame["target"].fillna(0).astype(int).to_numpy()
    return features.model_matrix(frame), y, frame["as_of_date"]


PropensityModels = dict[str, tuple[propensity.WhiteBoxModel, str]]  # brand -> (white box, model_version)


def train_propensity(
    training_features: pd.DataFrame,
    training_brand_features: pd.DataFrame,
    targets: pd.DataFrame,
    brands: list[str],
    scoring_date: date,
    with_challenger: bool = False,
) -> tuple[PropensityModels, pd.DataFrame]:
    """Train per brand (earlier as-of dates), validate (latest labelled date).

    Returns (white box per brand, metrics in the `model_metrics` layout).
    """
    trained_at = _trained_at(scoring_date)
    models: PropensityModels = {}
    metric_rows = []
    for brand in sorted(brands):
        x, y, as_of = propensity_training_frame(training_features, training_brand_features, targets, brand)
        if len(x) == 0:
            continue
        result = propensity.train_and_validate(x, y, as_of, with_challenger=with_challenger)
        version = result.white_box.version(WHITE_BOX)
        models[brand] = (result.white_box, version)
        evaluated_on = f"as_of_date {result.validation_date}, trained on {', '.join(result.train_dates)}"
        rows = {
            (WHITE_BOX, version): {**result.white_box_metrics, "training_rows": result.training_rows,
                                   "validation_rows": result.validation_rows},
        }
        if with_challenger and result.challenger_metrics:
            rows[(CHALLENGER, version.replace(WHITE_BOX, CHALLENGER))] = {
                **result.challenger_metrics, "training_rows": result.training_rows,
                "validation_rows": result.validation_rows,
            }
        for (name, model_version), values in rows.items():
            for metric, value in values.items():
                metric_rows.append((name, model_version, trained_at, metric, float(value), brand, evaluated_on))
    return models, pd.DataFrame(metric_rows, columns=MODEL_METRIC_COLUMNS)


def score_propensity(
    models: PropensityModels, scoring_features: pd.DataFrame, scoring_brand_features: pd.DataFrame
) -> pd.DataFrame:
    """Score and explain every shopper of ``scoring_features`` for every trained brand.

    Shoppers are independent: the caller may pass any subset of them (a chunk)
    and concatenate the results.
    """
    scoring = _keys(scoring_features)
    parts = []
    for brand, (white_box, version) in sorted(models.items()):
        brand_rows = _keys(scoring_brand_features[scoring_brand_features["brand"] == brand])
        frame = features.join_brand_features(scoring[features.KEYS], scoring, brand_rows)
        matrix = features.model_matrix(frame)
        parts.append(
            pd.DataFrame(
                {
                    "shopper_key": frame["shopper_key"].to_numpy(),
                    "retailer": frame["retailer"].to_numpy(),
                    "brand": brand,
                    "as_of_date": frame["as_of_date"].dt.date.to_numpy(),
                    "score": white_box.predict_proba(matrix),
                    "reasons": white_box.reasons(matrix),
                    "model_version": version,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else empty_scores(PROPENSITY_SCORE_SCHEMA)


def run_propensity(
    training_features: pd.DataFrame,
    training_brand_features: pd.DataFrame,
    targets: pd.DataFrame,
    scoring_features: pd.DataFrame,
    scoring_brand_features: pd.DataFrame,
    brands: list[str],
    scoring_date: date,
    with_challenger: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`train_propensity`, then `score_propensity` on the scoring date: (scores, metrics)."""
    models, metrics = train_propensity(training_features, training_brand_features, targets, brands,
                                       scoring_date, with_challenger)
    return score_propensity(models, scoring_features, scoring_brand_features), metrics


# --------------------------------------------------------------------------- uplift


def _campaign_descriptors(campaigns: pd.DataFrame) -> pd.DataFrame:
    out = campaigns[["campaign_id", "brand", "category_l2", "offer_type", "offer_value", "start_date", "end_date"]].copy()
    out["start_date"] = _dates(out["start_date"])
    out["end_date"] = _dates(out["end_date"])
    out["offer_value"] = pd.to_numeric(out["offer_value"]).astype(float)
    out["campaign_days"] = (out["end_date"] - out["start_date"]).dt.days + 1
    out["has_category_scope"] = out["category_l2"].notna().astype(float)
    return out.drop(columns=["category_l2"])


def uplift_frame(
    population: pd.DataFrame, campaigns: pd.DataFrame, shopper_features: pd.DataFrame, campaign_features: pd.DataFrame
) -> pd.DataFrame:
    """Population (campaign_id, retailer, shopper_key, ...) with its features as of each start_date."""
    frame = population.merge(_campaign_descriptors(campaigns), on="campaign_id", how="inner")
    frame["as_of_date"] = frame["start_date"]
    shopper_cols = [c for c in features.KEYS + features.SHOPPER_COLUMNS if c in shopper_features.columns]
    frame = frame.merge(_keys(shopper_features)[shopper_cols], on=features.KEYS, how="left")
    scope_cols = [c for c in ["campaign_id", "shopper_key", "retailer"] + features.BRAND_COLUMNS
                  if c in campaign_features.columns]
    return frame.merge(campaign_features[scope_cols], on=["campaign_id", "shopper_key", "retailer"], how="left")


def uplift_training_frame(
    outcomes: pd.DataFrame, campaigns: pd.DataFrame, shopper_features: pd.DataFrame,
    campaign_features: pd.DataFrame, last_business_date: date,
) -> pd.DataFrame:
    """Assigned shoppers of the past campaigns whose whole window is observed, with w and y."""
    done = campaigns[_dates(campaigns["end_date"]) <= pd.Timestamp(last_business_date)]
    population = outcomes[outcomes["campaign_id"].isin(done["campaign_id"])][
        ["campaign_id", "retailer", "shopper_key", "arm", "outcome_sales_eur"]
    ].copy()
    population["w"] = (population["arm"] == "treatment").astype(int)
    population["y"] = pd.to_numeric(population["outcome_sales_eur"]).astype(float)
    frame = uplift_frame(population, done, shopper_features, campaign_features)
    return frame.sort_values(["campaign_id", "retailer", "shopper_key"], kind="mergesort").reset_index(drop=True)


def _uplift_version(name: str, frame: pd.DataFrame) -> str:
    payload = json.dumps({"learner": name, "campaigns": sorted(frame["campaign_id"].unique().tolist()),
                          "rows": int(len(frame)), "y": round(float(frame["y"].sum()), 6)}, sort_keys=True)
    return f"{name}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


def run_uplift_selection(training: pd.DataFrame, scoring_date: date, max_rows: int = 50_000) -> pd.DataFrame:
    """Evaluate every candidate learner on held-out campaigns: rows in the `model_metrics` layout.

    The training rows are sampled to ``max_rows`` by key hash (the selection
    fits every candidate once per fold). The chosen learner carries metric
    ``is_selected`` = 1 (0 for the others); ``is_default`` flags the declared
    default; ``qini_difference_vs_default`` and ``qini_difference_ci_low`` (the
    paired-bootstrap 2.5 % quantile) are the noise test of `uplift.select_learner`.
    """
    trained_at = _trained_at(scoring_date)
    if training.empty or training["w"].nunique() < 2:
        return pd.DataFrame(columns=MODEL_METRIC_COLUMNS)
    keep = features.key_sample(training["shopper_key"] + training["campaign_id"], max_rows, salt="uplift")
    data = training[keep].reset_index(drop=True)
    x = features.model_matrix(data, with_campaign=True)
    selection = uplift.select_learner(x, data["y"], data["w"], data["campaign_id"], data["start_date"],
                                      data["shopper_key"])
    evaluated_on = "held-out campaigns (each once, grouped folds) " + (
        ", ".join(selection.holdout) or "(30 % of shoppers by key)")
    rows = []
    for name, values in sorted(selection.scores.items()):
        version = _uplift_version(name, data)
        extra = {"is_selected": float(name == selection.chosen), "is_default": float(name == selection.default),
                 "training_rows": selection.training_rows, "validation_rows": selection.holdout_rows}
        if name in selection.qini_difference:
            extra["qini_difference_vs_default"] = selection.qini_difference[name]
            extra["qini_difference_ci_low"] = selection.qini_difference_low[name]
        for metric, value in {**values, **extra}.items():
            rows.append((name, version, trained_at, metric, float(value), None, evaluated_on))
    return pd.DataFrame(rows, columns=MODEL_METRIC_COLUMNS)


def selected_learner(model_metrics: pd.DataFrame) -> str:
    """Name of the learner flagged ``is_selected`` (the declared default when nothing was selected)."""
    chosen = model_metrics[(model_metrics["metric"] == "is_selected") & (model_metrics["value"] == 1)]
    return str(chosen["model_name"].iloc[0]) if len(chosen) else uplift.DEFAULT_LEARNER


UpliftModels = dict[str, tuple[object, str, str]]  # planned campaign_id -> (learner, model_version, pool)


def fit_uplift_models(
    training: pd.DataFrame, campaigns: pd.DataFrame, learner: str, min_same_brand_rows: int = 2000,
    max_rows: int = 300_000,
) -> UpliftModels:
    """Fit the chosen learner for each planned campaign's training pool.

    Training pool: past campaigns of the same brand when they hold at least
    ``min_same_brand_rows`` assignments, else every past campaign (the
    features are relative to each campaign's scope, so campaigns pool).
    Campaigns that share a pool share one fit.
    """
    planned = campaigns[campaigns["campaign_status"] == "planned"]
    if training.empty or planned.empty:
        return {}
    brand_of = training.groupby("campaign_id")["brand"].first()
    models: UpliftModels = {}
    fitted: dict[tuple[str, str], tuple[object, str]] = {}
    for campaign in planned.sort_values("campaign_id").itertuples():
        same = training[training["campaign_id"].map(brand_of) == campaign.brand]
        pool_name = "same_brand" if len(same) >= min_same_brand_rows and same["w"].nunique() == 2 else "all"
        pool = same if pool_name == "same_brand" else training
        pool_key = (pool_name, campaign.brand if pool_name == "same_brand" else "*")
        if pool_key not in fitted:
            keep = features.key_sample(pool["shopper_key"] + pool["campaign_id"], max_rows, salt="uplift")
            data = pool[keep]
            model = uplift.fit_learner(learner, features.model_matrix(data, with_campaign=True), data["y"], data["w"])
            fitted[pool_key] = (model, _uplift_version(learner, data))
        models[campaign.campaign_id] = (*fitted[pool_key], pool_name)
    return models


def score_uplift(
    models: UpliftModels, audiences: pd.DataFrame, campaigns: pd.DataFrame, shopper_features: pd.DataFrame
) -> pd.DataFrame:
    """Expected incremental sales and reasons for each eligible shopper of each fitted planned campaign.

    Shoppers are independent: ``audiences`` may be any subset of them (a chunk).
    """
    parts = []
    for campaign_id, (model, version, pool_name) in sorted(models.items()):
        audience = audiences[audiences["campaign_id"] == campaign_id][["campaign_id", "retailer", "shopper_key"]]
        frame = uplift_frame(audience, campaigns[campaigns["campaign_id"] == campaign_id], shopper_features, audiences)
        if frame.empty:
            continue
        matrix = features.model_matrix(frame, with_campaign=True)
        parts.append(pd.DataFrame({
            "campaign_id": frame["campaign_id"].to_numpy(), "retailer": frame["retailer"].to_numpy(),
            "shopper_key": frame["shopper_key"].to_numpy(), "expected_incremental_sales_eur": model.predict(matrix),
            "model_version": version, "training_pool": pool_name,
            "reasons": uplift.uplift_reasons(model, matrix),
        }))
    return pd.concat(parts, ignore_index=True) if parts else empty_scores(UPLIFT_SCORE_SCHEMA)


def run_uplift_scoring(
    training: pd.DataFrame, audiences: pd.DataFrame, campaigns: pd.DataFrame, shopper_features: pd.DataFrame,
    learner: str, min_same_brand_rows: int = 2000, max_rows: int = 300_000,
) -> pd.DataFrame:
    """`fit_uplift_models`, then `score_uplift` on every planned audience."""
    models = fit_uplift_models(training, campaigns, learner, min_same_brand_rows, max_rows)
    return score_uplift(models, audiences, campaigns, shopper_features)
