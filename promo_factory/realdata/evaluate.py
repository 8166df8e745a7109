"""Propensity model on real data against a recency-frequency baseline, read from a built warehouse.

The baseline scores a (shopper, brand, as_of_date) row by the brand's baskets in the 365 days before
the as-of date (frequency), ties broken by recency (fewer days since the last brand purchase is
better): score = baskets_365d - days_since_last / 1000 (days capped at 999; never bought = -1).
It is evaluated on the same out-of-time date as the model (the latest labelled training-grid date),
label = a purchase of the brand within 28 days (intermediate.int_shopper_brand_targets).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from promo_factory.ml.metrics import auc


def rf_scores(baskets_365d: np.ndarray, days_since_last: np.ndarray) -> np.ndarray:
    """Recency-frequency score: frequency first, recency as the tie-break (pure function)."""
    days = np.where(np.isnan(days_since_last), 999.0, np.minimum(days_since_last, 999.0))
    frequency = np.nan_to_num(np.asarray(baskets_365d, dtype=float), nan=0.0)
    return np.where(frequency > 0, frequency - days / 1000.0, -1.0)


def propensity_vs_rf(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(RF baseline AUC per brand on the out-of-time date, the model AUC rows of marts.model_metrics)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(
            """
            with grid as (
                select max(as_of_date) as as_of_date
                from intermediate.int_feature_as_of_dates
                where is_training_grid and has_full_target_window
            )
            select
                features.brand,
                features.brand_baskets_365d,
                features.brand_days_since_last_purchase,
                case when targets.shopper_key is null then 0 else 1 end as label
            from intermediate.int_shopper_brand_features as features
            inner join grid on features.as_of_date = grid.as_of_date
            left join intermediate.int_shopper_brand_targets as targets
                on features.shopper_key = targets.shopper_key
                and features.brand = targets.brand
                and features.as_of_date = targets.as_of_date
            """
        ).df()
        metrics = con.sql("select * from marts.model_metrics where metric = 'auc'").df()
    results = []
    for brand, frame in rows.groupby("brand"):
        score = rf_scores(frame["brand_baskets_365d"].to_numpy(dtype=float),
                          frame["brand_days_since_last_purchase"].to_numpy(dtype=float))
        results.append({"brand": brand, "rows": len(frame), "positives": int(frame["label"].sum()),
                        "rf_auc": auc(frame["label"].to_numpy(), score)})
    return pd.DataFrame(results), metrics


def main() -> None:
    """Print the model's AUC and the RF baseline's per brand for $PROMO_WAREHOUSE."""
    from promo_factory.settings import warehouse_path

    baseline, metrics = propensity_vs_rf(warehouse_path())
    pd.set_option("display.width", 160)
    print("recency-frequency baseline (out-of-time date):")
    print(baseline.to_string(index=False))
    print("model_metrics (auc):")
    print(metrics.drop(columns=[c for c in metrics.columns if c == "trained_at"]).to_string(index=False))


if __name__ == "__main__":
    main()
