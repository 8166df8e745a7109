"""The CI build against the generator's ground truth, line by line (issue: foundation).

`make ci-build` generates a small landing zone with every planted defect and
builds it with dbt; the generator wrote, beside it, exactly what the shared
schema and the data-quality tables must hold. Any row missing, extra or
different on either side fails, with examples in the message.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

SALES_COLUMNS = (
    "retailer, store_code, transaction_id, line_number, shopper_key, gtin, business_date, "
    "sold_at_utc, units, net_amount_eur, discount_eur, is_promo, campaign_id"
)
PRODUCT_COLUMNS = "gtin, product_name, brand, manufacturer, category_l1, category_l2, category_l3"
RECONCILIATION_COLUMNS = "source, rows_read, rows_loaded, rows_excluded, rows_quarantined"

# (published table, truth file, columns compared)
COMPARISONS = [
    ("fct_sales_lines", "sales_lines.parquet", SALES_COLUMNS),
    ("dim_products", "products.parquet", PRODUCT_COLUMNS),
    ("dq_quarantine", "quarantine.parquet", "source, source_file, record_ref, reason"),
    ("dq_reconciliation", "reconciliation.parquet", RECONCILIATION_COLUMNS),
    ("dq_exclusions", "exclusions.parquet", "source, reason, rows"),
]


@pytest.fixture(scope="module")
def warehouse(ci_dir: Path):
    with duckdb.connect(str(ci_dir / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


def _difference(connection, left: str, right: str, columns: str) -> tuple[int, list[tuple]]:
    query = f"select {columns} from {left} except all select {columns} from {right}"
    rows = connection.execute(query).fetchall()
    return len(rows), rows[:5]


@pytest.mark.parametrize(("table", "truth_file", "columns"), COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_published_table_equals_truth(warehouse, ci_dir: Path, table: str, truth_file: str, columns: str) -> None:
    truth = f"read_parquet('{ci_dir / 'truth' / truth_file}')"
    published = f"marts.{table}"
    missing, missing_examples = _difference(warehouse, truth, published, columns)
    extra, extra_examples = _difference(warehouse, published, truth, columns)
    assert (missing, extra) == (0, 0), (
        f"{table}: {missing} truth rows missing (e.g. {missing_examples}), "
        f"{extra} rows not in the truth (e.g. {extra_examples})"
    )


def test_truth_holds_every_planted_defect_kind(ci_dir: Path) -> None:
    """The CI landing zone really exercises each reason code (else the comparison above proves little)."""
    reasons = {
        row[0]
        for row in duckdb.execute(
            f"select distinct reason from read_parquet('{ci_dir / 'truth' / 'quarantine.parquet'}')"
        ).fetchall()
    }
    expected = {
        "malformed_json", "invalid_gtin", "invalid_quantity", "invalid_amount",
        "invalid_timestamp", "unknown_store", "unknown_product", "unknown_sku",
    }
    assert expected <= reasons, f"planted defect kinds missing from the CI landing zone: {expected - reasons}"


def test_reconciliation_balances_for_every_source(warehouse) -> None:
    rows = warehouse.execute(f"select {RECONCILIATION_COLUMNS} from marts.dq_reconciliation").fetchall()
    sources = {row[0] for row in rows}
    assert {"alpha_receipts", "beta_orders", "gamma_transactions"} <= sources
    for source, read, loaded, excluded, quarantined in rows:
        assert read == loaded + excluded + quarantined, f"{source}: {read} != {loaded} + {excluded} + {quarantined}"
