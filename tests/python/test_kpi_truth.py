"""kpi_brand_weekly of the CI warehouse against an independent pandas computation from the generator's truth.

`make ci-build` writes PROMO_CI_DIR/warehouse.duckdb from a generated landing zone and the generator's ground
truth to PROMO_CI_DIR/truth (sales_lines.parquet = what fct_sales_lines must hold, products.parquet = what
dim_products must hold). Here every column of PUBLISHED.md's kpi_brand_weekly is recomputed in pandas straight
from its definition (ISO weeks from `date.isocalendar()`), and every row must match exactly: counts and
Decimal sums to the cent-millionth, ratios as the same IEEE double.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

KEY = ["retailer", "brand", "week_start"]
COLUMNS = [
    "retailer",
    "brand",
    "iso_year",
    "iso_week",
    "week_start",
    "sales_eur",
    "units",
    "baskets",
    "buyers",
    "active_shoppers",
    "penetration",
    "frequency",
    "spend_per_buyer",
    "promo_sales_share",
]


def _decimal_sum(values: pd.Series) -> Decimal:
    return sum((Decimal(value) for value in values), Decimal(0))


def _ratio(numerator: Any, denominator: Any) -> float | None:
    """PUBLISHED.md: any ratio with a zero denominator is null."""
    if denominator == 0:
        return None
    return float(numerator) / float(denominator)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def expected_brand_weekly(sales_lines: pd.DataFrame, products: pd.DataFrame) -> dict[tuple, dict[str, Any]]:
    """kpi_brand_weekly recomputed from its definition in PUBLISHED.md, one dict per (retailer, brand, week_start)."""
    lines = sales_lines.copy()
    lines["business_date"] = [value if isinstance(value, date) else value.date() for value in lines["business_date"]]
    lines["week_start"] = [_week_start(day) for day in lines["business_date"]]
    lines["identified"] = lines["shopper_key"].notna()
    brand_lines = lines.merge(products[["gtin", "brand"]], on="gtin", how="inner", validate="many_to_one")
    assert len(brand_lines) == len(lines), "every truth line has its product in the truth catalog"

    active = lines[lines["identified"]].groupby(["retailer", "week_start"])["shopper_key"].nunique().to_dict()
    rows: dict[tuple, dict[str, Any]] = {}
    for key, group in brand_lines.groupby(KEY, sort=False):
        retailer, brand, week_start = key
        sold = group[group["units"] > 0]
        identified_sold = sold[sold["identified"]]
        sales_eur = _decimal_sum(group["net_amount_eur"])
        buyers = identified_sold["shopper_key"].nunique()
        active_shoppers = active.get((retailer, week_start), 0)
        iso_year, iso_week, _ = week_start.isocalendar()
        rows[key] = {
            "retailer": retailer,
            "brand": brand,
            "iso_year": iso_year,
            "iso_week": iso_week,
            "week_start": week_start,
            "sales_eur": sales_eur,
            "units": int(group["units"].sum()),
            "baskets": sold["transaction_id"].nunique(),
            "buyers": buyers,
            "active_shoppers": active_shoppers,
            "penetration": _ratio(buyers, active_shoppers),
            "frequency": _ratio(identified_sold["transaction_id"].nunique(), buyers),
            "spend_per_buyer": _ratio(_decimal_sum(group.loc[group["identified"], "net_amount_eur"]), buyers),
            "promo_sales_share": _ratio(_decimal_sum(group.loc[group["is_promo"], "net_amount_eur"]), sales_eur),
        }
    return rows


def test_expected_brand_weekly_on_a_hand_case() -> None:
    """The reference itself, on a tiny case: a return, an anonymous basket, ISO week 53 and week 1."""
    sales_lines = pd.DataFrame(
        [
            ("ALPHA", "T1", "s1", "g1", date(2026, 12, 31), 2, Decimal("4.00"), True),
            ("ALPHA", "T2", None, "g1", date(2027, 1, 2), 1, Decimal("2.50"), False),
            ("ALPHA", "T3", "s1", "g1", date(2027, 1, 3), -1, Decimal("-2.00"), True),
            ("ALPHA", "T4", "s2", "g2", date(2026, 12, 28), 1, Decimal("1.00"), False),
            ("ALPHA", "T5", "s1", "g1", date(2025, 12, 29), 1, Decimal("2.00"), False),
        ],
        columns=["retailer", "transaction_id", "shopper_key", "gtin", "business_date", "units", "net_amount_eur", "is_promo"],
    )
    products = pd.DataFrame({"gtin": ["g1", "g2"], "brand": ["ACME", "BRAVO"]})
    rows = expected_brand_weekly(sales_lines, products)
    w53 = rows[("ALPHA", "ACME", date(2026, 12, 28))]
    assert (w53["iso_year"], w53["iso_week"]) == (2026, 53)
    assert (w53["sales_eur"], w53["units"], w53["baskets"], w53["buyers"], w53["active_shoppers"]) == (
        Decimal("4.50"),
        2,
        2,
        1,
        2,
    )
    assert (w53["penetration"], w53["frequency"], w53["spend_per_buyer"]) == (0.5, 1.0, 2.0)
    assert w53["promo_sales_share"] == 2.0 / 4.5
    w01 = rows[("ALPHA", "ACME", date(2025, 12, 29))]
    assert (w01["iso_year"], w01["iso_week"]) == (2026, 1)


def test_kpi_brand_weekly_matches_truth(ci_dir: Path) -> None:
    sales_lines = pd.read_parquet(ci_dir / "truth" / "sales_lines.parquet")
    products = pd.read_parquet(ci_dir / "truth" / "products.parquet")
    expected = expected_brand_weekly(sales_lines, products)

    with duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True) as connection:
        cursor = connection.execute(f"select {', '.join(COLUMNS)} from marts.kpi_brand_weekly")
        actual = {
            (row["retailer"], row["brand"], row["week_start"]): row
            for row in (dict(zip(COLUMNS, values)) for values in cursor.fetchall())
        }

    assert len(expected) > 50, "the CI landing zone should give many brand-weeks"
    assert set(actual) == set(expected), (
        f"missing: {sorted(set(expected) - set(actual))[:5]}, unexpected: {sorted(set(actual) - set(expected))[:5]}"
    )
    mismatches = [
        (key, column, actual[key][column], expected[key][column])
        for key in sorted(expected)
        for column in COLUMNS
        if actual[key][column] != expected[key][column]
    ]
    assert not mismatches, f"{len(mismatches)} mismatching cells, e.g. {mismatches[:5]}"
