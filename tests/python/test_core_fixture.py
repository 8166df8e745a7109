"""dbt build on the hand-made landing zone `tests/fixtures/landing_min/`, compared with the hand-computed
expectations of `tests/fixtures/landing_min_expected/`; and the landing-zone contract violations that must
fail the build (missing source folder, missing required column)."""

from __future__ import annotations

import csv
import hashlib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dbt_process import dbt_environment

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "landing_min"
EXPECTED = REPO / "tests" / "fixtures" / "landing_min_expected"
DBT = REPO / ".venv" / "bin" / "dbt"
CORE_SELECTION = ["staging", "intermediate.core", "marts.core", "marts.dq", "path:tests/dbt/core"]


def run_dbt(command: str, raw_dir: Path, work: Path, select: list[str] | None = None) -> subprocess.CompletedProcess:
    env = dbt_environment(work, work / "warehouse.duckdb", raw_dir)
    args = [str(DBT), command, "--no-use-colors", "--indirect-selection", "cautious"]
    if select:
        args += ["--select", *select]
    return subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("core_fixture")
    result = run_dbt("build", FIXTURE, work, CORE_SELECTION)
    assert result.returncode == 0, result.stdout[-5000:]
    return work / "warehouse.duckdb"


def read_expected(name: str) -> list[dict[str, str]]:
    with (EXPECTED / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def shopper_key(shopper: str) -> str | None:
    return hashlib.md5(shopper.encode()).hexdigest() if shopper else None


def test_fct_sales_lines_matches_hand_computed_rows(warehouse: Path) -> None:
    expected = sorted(
        (
            row["retailer"], row["store_code"], row["transaction_id"], int(row["line_number"]),
            shopper_key(row["shopper"]), row["gtin"], row["business_date"], row["sold_at_utc"],
            int(row["units"]), Decimal(row["net_amount_eur"]), Decimal(row["discount_eur"]),
            row["is_promo"] == "true", row["campaign_id"] or None, row["source_file"],
        )
        for row in read_expected("fct_sales_lines")
    )
    actual = sorted(
        (
            retailer, store_code, transaction_id, line_number, key, gtin, business_date.isoformat(),
            sold_at_utc.isoformat(sep=" "), units, net_amount_eur, discount_eur, is_promo, campaign_id, source_file,
        )
        for (retailer, store_code, transaction_id, line_number, key, gtin, business_date, sold_at_utc, units,
             net_amount_eur, discount_eur, is_promo, campaign_id, source_file) in query(
            warehouse,
            "select retailer, store_code, transaction_id, line_number, shopper_key, gtin, business_date,"
            " sold_at_utc, units, net_amount_eur, discount_eur, is_promo, campaign_id, source_file"
            " from marts.fct_sales_lines",
        )
    )
    assert [row for row in expected if row not in actual] == []
    assert [row for row in actual if row not in expected] == []
    assert len(actual) == len(expected)


def test_fct_sales_lines_column_types(warehouse: Path) -> None:
    types = dict(query(
        warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_sales_lines'",
    ))
    assert types["line_number"] == "INTEGER"
    assert types["units"] == "INTEGER"
    assert types["business_date"] == "DATE"
    assert types["sold_at_utc"] == "TIMESTAMP"
    assert types["net_amount_eur"] == "DECIMAL(18,6)"
    assert types["discount_eur"] == "DECIMAL(18,6)"
    assert types["is_promo"] == "BOOLEAN"
    assert types["gtin"] == "VARCHAR"


def test_dq_quarantine_matches_hand_computed_rows(warehouse: Path) -> None:
    expected = sorted(tuple(row.values()) for row in read_expected("dq_quarantine"))
    actual = sorted(query(warehouse, "select source, source_file, record_ref, reason from marts.dq_quarantine"))
    assert actual == expected


def test_dq_reconciliation_matches_hand_computed_counts(warehouse: Path) -> None:
    expected = sorted(
        (row["source"], *(int(row[column]) for column in ("rows_read", "rows_loaded", "rows_excluded", "rows_quarantined")))
        for row in read_expected("dq_reconciliation")
    )
    actual = sorted(query(
        warehouse,
        "select source, rows_read, rows_loaded, rows_excluded, rows_quarantined from marts.dq_reconciliation",
    ))
    assert actual == expected


def test_dq_exclusions_matches_hand_computed_counts(warehouse: Path) -> None:
    expected = sorted((row["source"], row["reason"], int(row["rows"])) for row in read_expected("dq_exclusions"))
    actual = sorted(query(warehouse, "select source, reason, rows from marts.dq_exclusions"))
    assert actual == expected


def test_no_published_row_about_an_erased_shopper(warehouse: Path) -> None:
    erased = [shopper_key(s) for s in ("ALPHA:9990000000001", "BETA:c-erased", "GAMMA:777")]
    for table in ("fct_sales_lines", "dim_shoppers", "fct_campaign_assignments", "fct_campaign_redemptions"):
        rows = query(warehouse, f"select count(*) from marts.{table} where shopper_key in {tuple(erased)}")
        assert rows == [(0,)], table


def test_contamination_flagged(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select campaign_id, retailer, arm, is_contaminated from marts.fct_campaign_redemptions order by retailer",
    )
    assert rows == [("CMP-1", "ALPHA", "treatment", False), ("CMP-1", "BETA", "control", True)]


def test_planned_campaign_status(warehouse: Path) -> None:
    rows = query(warehouse, "select campaign_id, brand, campaign_status from marts.dim_campaigns order by 1")
    assert rows == [
        ("CMP-1", "FERRERO", "past_or_running"),
        ("CMP-2", "DANONE", "past_or_running"),
        ("CMP-3", "BRASSERIE X", "planned"),
    ]


def _copy_fixture(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURE, raw)
    return raw


def test_missing_source_folder_fails_the_build_naming_it(tmp_path: Path) -> None:
    raw = _copy_fixture(tmp_path)
    shutil.rmtree(raw / "beta")
    result = run_dbt("run", raw, tmp_path, ["stg_beta__order_items"])
    assert result.returncode != 0
    assert "beta/orders/" in result.stdout
    assert "missing source folder" in result.stdout


def test_missing_required_column_fails_the_build_naming_file_and_column(tmp_path: Path) -> None:
    raw = _copy_fixture(tmp_path)
    receipts = raw / "alpha" / "receipts" / "2025-10-26.csv"
    lines = receipts.read_text(encoding="utf-8").splitlines()
    # drop the column `ean` (6th) from the header and every row of one file among several
    receipts.write_text("\n".join(";".join(field for i, field in enumerate(line.split(";")) if i != 5)
                                  for line in lines) + "\n", encoding="utf-8")
    result = run_dbt("run", raw, tmp_path, ["+int_core__sales_records"])
    assert result.returncode != 0
    assert "2025-10-26.csv" in result.stdout
    assert "has no column ean" in result.stdout or "has no column 'ean'" in result.stdout


def test_missing_required_parquet_column_fails_the_build(tmp_path: Path) -> None:
    raw = _copy_fixture(tmp_path)
    path = raw / "gamma" / "transactions" / "date=2025-10-26" / "part-0.parquet"
    with duckdb.connect() as connection:
        connection.sql(f"copy (select * exclude (sku) from read_parquet('{path}')) to '{path}.tmp' (format parquet)")
    Path(f"{path}.tmp").replace(path)
    result = run_dbt("run", raw, tmp_path, ["stg_gamma__transaction_lines"])
    assert result.returncode != 0
    assert "date=2025-10-26/part-0.parquet" in result.stdout
    assert "has no column 'sku'" in result.stdout
