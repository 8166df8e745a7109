"""int_campaign_power_shopper_outcomes of the CI warehouse against a pandas computation from the generator's truth.

The model finds the eligible shoppers in the shoppers' days (int_shopper_store_days) and their outcome in the sale
lines; here both come from the truth's sale lines and products, straight from the definitions in the model's YAML,
with the campaigns as dim_campaigns holds them. Every row must match exactly.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

ELIGIBILITY_DAYS = 365


def _truth_lines(ci_dir: Path) -> pd.DataFrame:
    lines = pd.read_parquet(ci_dir / "truth" / "sales_lines.parquet")
    products = pd.read_parquet(ci_dir / "truth" / "products.parquet", columns=["gtin", "brand", "category_l2"])
    lines = lines[lines["shopper_key"].notna()].merge(products, on="gtin", how="left", validate="many_to_one")
    lines["business_date"] = [value if isinstance(value, date) else value.date() for value in lines["business_date"]]
    lines["net_amount_eur"] = [Decimal(value) for value in lines["net_amount_eur"]]
    return lines


def expected_power_outcomes(
    lines: pd.DataFrame, campaigns: pd.DataFrame, last_business_date: date
) -> dict[tuple[str, str, str], Decimal]:
    """Outcome (EUR) of each (campaign, retailer, eligible shopper) of the planned campaigns."""
    rows: dict[tuple[str, str, str], Decimal] = {}
    for campaign in campaigns.itertuples():
        start_date, end_date = campaign.start_date, campaign.end_date
        outcome_start = last_business_date - (end_date - start_date)
        category_l2 = campaign.category_l2.strip() or None if isinstance(campaign.category_l2, str) else None
        for retailer in campaign.retailers.split("|"):
            at_retailer = lines[lines["retailer"] == retailer]
            eligible = at_retailer[
                (at_retailer["business_date"] >= start_date - timedelta(days=ELIGIBILITY_DAYS))
                & (at_retailer["business_date"] < start_date)
                & (at_retailer["units"] > 0)
            ]["shopper_key"].unique()
            in_scope = at_retailer[
                (at_retailer["business_date"] >= outcome_start)
                & (at_retailer["business_date"] <= last_business_date)
                & (at_retailer["brand"] == campaign.brand)
                & ((category_l2 is None) | (at_retailer["category_l2"] == category_l2))
            ]
            sales = in_scope.groupby("shopper_key")["net_amount_eur"].agg(lambda values: sum(values, Decimal(0)))
            for shopper_key in eligible:
                rows[(campaign.campaign_id, retailer, shopper_key)] = sales.get(shopper_key, Decimal(0))
    return rows


def test_power_outcomes_match_truth(ci_dir: Path) -> None:
    with duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True) as connection:
        campaigns = connection.execute(
            "select campaign_id, brand, category_l2, retailers, start_date, end_date from marts.dim_campaigns"
            " where campaign_status = 'planned'"
        ).df()
        actual = {
            (campaign_id, retailer, shopper_key): outcome
            for campaign_id, retailer, shopper_key, outcome in connection.execute(
                "select campaign_id, retailer, shopper_key, outcome_sales_eur"
                " from intermediate.int_campaign_power_shopper_outcomes"
            ).fetchall()
        }
    for column in ("start_date", "end_date"):
        campaigns[column] = [pd.Timestamp(value).date() for value in campaigns[column]]
    lines = _truth_lines(ci_dir)
    all_lines = pd.read_parquet(ci_dir / "truth" / "sales_lines.parquet", columns=["business_date"])
    last_business_date = pd.Timestamp(all_lines["business_date"].max()).date()
    expected = expected_power_outcomes(lines, campaigns, last_business_date)

    assert len(campaigns) >= 2 and len(expected) > 100, "the CI landing zone should plan campaigns with many shoppers"
    assert any(value != 0 for value in expected.values()), "some eligible shopper should have in-scope sales"
    assert set(actual) == set(expected), (
        f"missing: {sorted(set(expected) - set(actual))[:5]}, unexpected: {sorted(set(actual) - set(expected))[:5]}"
    )
    mismatches = [(key, actual[key], value) for key, value in sorted(expected.items()) if actual[key] != value]
    assert not mismatches, f"{len(mismatches)} mismatching outcomes, e.g. {mismatches[:5]}"
