"""Point in time: features as of a date D are unchanged when every sale from D on is deleted.

Builds the feature models (models/intermediate/features, with the day table they
read, int_shopper_store_days) twice with dbt into a temporary DuckDB warehouse
whose upstream marts are a small seeded synthetic history: once on the full
history, once after deleting every line with business_date >= D. Every feature
row as of D or earlier must be identical.
"""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dbt_process import dbt_environment

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
FIRST_DAY = date(2025, 1, 6)
DAYS = 200
FEATURE_MODELS = {
    "int_shopper_features": ["shopper_key", "retailer", "as_of_date"],
    "int_shopper_brand_features": ["shopper_key", "retailer", "brand", "as_of_date"],
    "int_shopper_campaign_features": ["campaign_id", "shopper_key", "retailer"],
}


def _upstream(seed: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {
            "store_code": ["A001", "A002", "B-WEB", "G001"],
            "retailer": ["ALPHA", "ALPHA", "BETA", "GAMMA"],
            "format": ["hyper", "super", "online", "proximity"],
            "postal_code": ["75011", "20000", None, "97400"],
        }
    )
    brands = ["ACME", "BRAVO", "COCO"]
    products = pd.DataFrame(
        {
            "gtin": [f"{i:014d}" for i in range(12)],
            "brand": [brands[i % 3] for i in range(12)],
            "category_l2": [["Biscuits", "Eaux"][i % 2] for i in range(12)],
            "category_l3": [["Sec", "Gaz", "Plat"][i % 3] for i in range(12)],
        }
    )
    rows = []
    for shopper in range(40):
        retailer_stores = stores.iloc[[0, 1]] if shopper % 3 == 0 else stores.iloc[[2]] if shopper % 3 == 1 else stores.iloc[[3]]
        visits = np.sort(rng.choice(DAYS, size=int(rng.integers(3, 30)), replace=False))
        for day in visits:
            store = retailer_stores.iloc[int(rng.integers(len(retailer_stores)))]
            for line in range(1, int(rng.integers(1, 5)) + 1):
                units = int(rng.choice([1, 1, 2, 3, -1]))
                price = float(rng.uniform(0.5, 6.0))
                discount = float(rng.choice([0.0, 0.0, 0.3]))
                rows.append(
                    {
                        "retailer": store["retailer"],
                        "store_code": store["store_code"],
                        "transaction_id": f"T{shopper}-{day}",
                        "line_number": line,
                        "shopper_key": f"{shopper:032x}" if shopper % 10 else None,
                        "gtin": f"{int(rng.integers(12)):014d}",
                        "business_date": FIRST_DAY + timedelta(days=int(day)),
                        "units": units,
                        "net_amount_eur": units * price - discount,
                        "discount_eur": discount,
                        "is_promo": discount > 0,
                        "campaign_id": "CMP-1" if discount > 0 and line == 1 else None,
                    }
                )
    sales = pd.DataFrame(rows)
    campaigns = pd.DataFrame(
        {
            "campaign_id": ["CMP-1", "CMP-2", "CMP-3"],
            "brand": ["ACME", "BRAVO", "COCO"],
            "category_l2": [None, "Eaux", None],
            "start_date": [FIRST_DAY + timedelta(days=100), FIRST_DAY + timedelta(days=150),
                           FIRST_DAY + timedelta(days=DAYS + 10)],
            "end_date": [FIRST_DAY + timedelta(days=120), FIRST_DAY + timedelta(days=170),
                         FIRST_DAY + timedelta(days=DAYS + 30)],
            "retailers": ["ALPHA|BETA", "GAMMA", "ALPHA|BETA|GAMMA"],
        }
    )
    retailers = pd.DataFrame(
        [(c, r) for c, rs in zip(campaigns["campaign_id"], campaigns["retailers"]) for r in rs.split("|")],
        columns=["campaign_id", "retailer"],
    )
    return {"sales": sales, "products": products, "stores": stores, "campaigns": campaigns, "retailers": retailers}


def _build(tmp: Path, name: str, data: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    warehouse = tmp / f"{name}.duckdb"
    sales, campaigns = data["sales"], data["campaigns"].copy()
    last = sales["business_date"].max()
    campaigns["campaign_status"] = np.where(campaigns["start_date"] > last, "planned", "past_or_running")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create schema intermediate")
        for table, frame in {
            "marts.fct_sales_lines": sales, "marts.dim_products": data["products"], "marts.dim_stores": data["stores"],
            "marts.dim_campaigns": campaigns, "intermediate.int_campaign_retailers": data["retailers"],
        }.items():
            con.register("frame", frame)
            con.execute(f"create table {table} as select * from frame")
            con.unregister("frame")
        con.execute("alter table marts.fct_sales_lines alter business_date type date")
        con.execute("alter table marts.fct_sales_lines alter net_amount_eur type decimal(18, 6)")
        con.execute("alter table marts.dim_campaigns alter start_date type date")
        con.execute("alter table marts.dim_campaigns alter end_date type date")
    env = dbt_environment(tmp / name, warehouse, tmp / "raw")
    result = subprocess.run(
        [str(DBT), "run", "--select", "path:models/intermediate/features", "int_shopper_store_days",
         "--no-partial-parse"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return duckdb.connect(str(warehouse), read_only=True)


@pytest.mark.e2e
@pytest.mark.skipif(not DBT.exists(), reason="needs the project's .venv")
def test_features_ignore_data_after_the_as_of_date(tmp_path: Path) -> None:
    data = _upstream()
    full = _build(tmp_path, "full", data)
    dates = full.sql("select as_of_date from intermediate.int_feature_as_of_dates where is_training_grid").df()
    cutoff = pd.Timestamp(dates["as_of_date"].max()).date()  # latest training-grid date of the full build
    truncated_data = {**data, "sales": data["sales"][data["sales"]["business_date"] < cutoff]}
    truncated = _build(tmp_path, "truncated", truncated_data)
    cut = pd.Timestamp(cutoff)
    compared = 0
    for model, keys in FEATURE_MODELS.items():
        a = full.sql(f"select * from intermediate.{model}").df()
        b = truncated.sql(f"select * from intermediate.{model}").df()
        a, b = a[a["as_of_date"] <= cut], b[b["as_of_date"] <= cut]
        if "brand" in keys:  # the scored brands depend on which campaigns are still planned
            common = set(a["brand"]) & set(b["brand"])
            a, b = a[a["brand"].isin(common)], b[b["brand"].isin(common)]
            b = b[b["as_of_date"].isin(a["as_of_date"])]
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
        assert len(a) > 0, model
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-12)
        compared += len(a)
    # the cut-off date itself is a feature date in both builds (grid in one, scoring date in the other)
    assert (truncated.sql("select * from intermediate.int_shopper_features").df()["as_of_date"] == cut).any()
    assert compared > 100
