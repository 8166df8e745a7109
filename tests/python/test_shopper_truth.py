"""dim_shoppers and kpi_shopper_rfm of the CI warehouse against pandas computations from the generator's truth.

Both models sum the shoppers' days (int_shopper_store_days) rather than their lines; here every column is
recomputed from the truth's sale lines (what fct_sales_lines must hold) straight from the definitions in the
models' YAML, and every row must match exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

SHOPPER_COLUMNS = [
    "shopper_key", "retailer", "first_purchase_date", "last_purchase_date", "n_baskets", "n_lines",
    "n_return_lines", "total_units", "total_net_amount_eur", "avg_basket_eur", "n_active_weeks", "n_stores",
    "main_store_code",
]
RFM_COLUMNS = [
    "retailer", "shopper_key", "as_of_date", "last_basket_date", "recency_days", "baskets", "sales_eur",
    "r_score", "f_score", "m_score", "rfm_segment",
]
RFM_WINDOW_DAYS = 364


def _truth_lines(ci_dir: Path) -> pd.DataFrame:
    lines = pd.read_parquet(ci_dir / "truth" / "sales_lines.parquet")
    lines["business_date"] = [value if isinstance(value, date) else value.date() for value in lines["business_date"]]
    lines["net_amount_eur"] = [Decimal(value) for value in lines["net_amount_eur"]]
    return lines


def _decimal_sum(values: pd.Series) -> Decimal:
    return sum(values, Decimal(0))


def expected_shoppers(lines: pd.DataFrame) -> dict[str, dict[str, Any]]:
    rows = {}
    for shopper_key, group in lines[lines["shopper_key"].notna()].groupby("shopper_key"):
        lines_per_store = group.groupby("store_code").size()
        most_lines = lines_per_store[lines_per_store == lines_per_store.max()]
        total = _decimal_sum(group["net_amount_eur"])
        baskets = group["transaction_id"].nunique()
        rows[shopper_key] = {
            "shopper_key": shopper_key,
            "retailer": group["retailer"].min(),
            "first_purchase_date": group["business_date"].min(),
            "last_purchase_date": group["business_date"].max(),
            "n_baskets": baskets,
            "n_lines": len(group),
            "n_return_lines": int((group["units"] < 0).sum()),
            "total_units": int(group["units"].sum()),
            "total_net_amount_eur": total,
            "avg_basket_eur": total / baskets,
            "n_active_weeks": len({day - timedelta(days=day.weekday()) for day in group["business_date"]}),
            "n_stores": group["store_code"].nunique(),
            "main_store_code": min(most_lines.index),
        }
    return rows


def ntile(position: int, rows: int, buckets: int = 5) -> int:
    """SQL ntile(buckets) of the row at 0-based `position` among `rows`: the first rows % buckets tiles get one more."""
    size, larger = divmod(rows, buckets)
    if position < larger * (size + 1):
        return position // (size + 1) + 1
    return larger + (position - larger * (size + 1)) // size + 1


def _segment(r_score: int, f_score: int) -> str:
    if r_score >= 4 and f_score >= 4:
        return "champions"
    if f_score >= 4:
        return "loyal"
    if r_score >= 4:
        return "recent"
    if r_score <= 2 and f_score >= 3:
        return "at_risk"
    if r_score == 1:
        return "lost"
    return "occasional"


def expected_rfm(lines: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    as_of = lines["business_date"].max()
    window = lines[lines["shopper_key"].notna() & (lines["business_date"] > as_of - timedelta(days=RFM_WINDOW_DAYS))]
    buyers = []
    for (retailer, shopper_key), group in window.groupby(["retailer", "shopper_key"]):
        sold = group[group["units"] > 0]
        if sold.empty:
            continue
        last = sold["business_date"].max()
        buyers.append({
            "retailer": retailer, "shopper_key": shopper_key, "as_of_date": as_of, "last_basket_date": last,
            "recency_days": (as_of - last).days, "baskets": sold["transaction_id"].nunique(),
            "sales_eur": _decimal_sum(group["net_amount_eur"]),
        })
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for retailer in {buyer["retailer"] for buyer in buyers}:
        group = [buyer for buyer in buyers if buyer["retailer"] == retailer]
        orders = {
            "r_score": sorted(group, key=lambda b: (-b["recency_days"], b["shopper_key"])),
            "f_score": sorted(group, key=lambda b: (b["baskets"], b["shopper_key"])),
            "m_score": sorted(group, key=lambda b: (b["sales_eur"], b["shopper_key"])),
        }
        scores = {
            (score, buyer["shopper_key"]): ntile(position, len(group))
            for score, ordered in orders.items()
            for position, buyer in enumerate(ordered)
        }
        for buyer in group:
            row = {**buyer, **{score: scores[(score, buyer["shopper_key"])] for score in orders}}
            row["rfm_segment"] = _segment(row["r_score"], row["f_score"])
            rows[(retailer, buyer["shopper_key"])] = row
    return rows


def test_ntile_matches_sql_on_small_counts() -> None:
    # 7 rows in 5 tiles: 2, 2, 1, 1, 1; 3 rows: 1, 2, 3
    assert [ntile(i, 7) for i in range(7)] == [1, 1, 2, 2, 3, 4, 5]
    assert [ntile(i, 3) for i in range(3)] == [1, 2, 3]
    assert [ntile(i, 10) for i in range(10)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def _published(ci_dir: Path, table: str, columns: list[str]) -> list[dict[str, Any]]:
    with duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True) as connection:
        values = connection.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
    return [dict(zip(columns, row)) for row in values]


def _mismatches(actual: dict, expected: dict, columns: list[str], close: frozenset[str] = frozenset()) -> list:
    assert set(actual) == set(expected), (
        f"missing: {sorted(set(expected) - set(actual))[:5]}, unexpected: {sorted(set(actual) - set(expected))[:5]}"
    )
    return [
        (key, column, actual[key][column], expected[key][column])
        for key in sorted(expected)
        for column in columns
        if (abs(actual[key][column] - expected[key][column]) > Decimal("0.000001") if column in close
            else actual[key][column] != expected[key][column])
    ]


@pytest.fixture(scope="module")
def truth_lines(ci_dir: Path) -> pd.DataFrame:
    return _truth_lines(ci_dir)


def test_dim_shoppers_matches_truth(ci_dir: Path, truth_lines: pd.DataFrame) -> None:
    expected = expected_shoppers(truth_lines)
    actual = {row["shopper_key"]: row for row in _published(ci_dir, "dim_shoppers", SHOPPER_COLUMNS)}
    assert len(expected) > 100, "the CI landing zone should give many shoppers"
    # avg_basket_eur is a quotient rounded to 6 decimals: equal to the exact one within that rounding
    mismatches = _mismatches(actual, expected, SHOPPER_COLUMNS, close=frozenset({"avg_basket_eur"}))
    assert not mismatches, f"{len(mismatches)} mismatching cells, e.g. {mismatches[:5]}"


def test_kpi_shopper_rfm_matches_truth(ci_dir: Path, truth_lines: pd.DataFrame) -> None:
    expected = expected_rfm(truth_lines)
    actual = {(row["retailer"], row["shopper_key"]): row for row in _published(ci_dir, "kpi_shopper_rfm", RFM_COLUMNS)}
    assert len(expected) > 100, "the CI landing zone should give many RFM buyers"
    mismatches = _mismatches(actual, expected, RFM_COLUMNS)
    assert not mismatches, f"{len(mismatches)} mismatching cells, e.g. {mismatches[:5]}"
