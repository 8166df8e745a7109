"""The Spark build (make test-spark) equals the generator's truth, like the DuckDB CI build.

dbt's data tests check invariants; they passed on Spark while a CSV reader quarantined most ALPHA lines. These
tests read the Parquet files of the Spark warehouse (PROMO_SPARK_DIR/spark-warehouse/<schema>.db/<table>/) and
compare the published core and data-quality tables with truth/ row for row. Skipped unless PROMO_SPARK_DIR is set.
"""

from __future__ import annotations

import datetime
import decimal
import os
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

# (truth file, Spark table in schema marts)
TRUTH_TABLES = [
    ("sales_lines", "fct_sales_lines"),
    ("quarantine", "dq_quarantine"),
    ("reconciliation", "dq_reconciliation"),
    ("exclusions", "dq_exclusions"),
    ("products", "dim_products"),
]


@pytest.fixture(scope="module")
def spark_dir() -> Path:
    """PROMO_SPARK_DIR: spark-warehouse/ built by `make test-spark` from raw/, and truth/ beside it."""
    value = os.environ.get("PROMO_SPARK_DIR")
    if not value:
        pytest.skip("PROMO_SPARK_DIR is unset: `make test-spark` runs these tests after the Spark build")
    path = Path(value)
    if not (path / "spark-warehouse").is_dir() or not (path / "truth" / "sales_lines.parquet").exists():
        pytest.fail(f"PROMO_SPARK_DIR={path} lacks spark-warehouse/ or truth/: run `make test-spark`")
    return path


def read_spark_table(spark_dir: Path, schema: str, table: str) -> pd.DataFrame:
    """All rows of a Spark managed Parquet table, read from its files."""
    pattern = spark_dir / "spark-warehouse" / f"{schema}.db" / table / "*.parquet"
    return duckdb.sql(f"select * from read_parquet('{pattern}')").df()


def canonical(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns in a comparable form (numbers as floats rounded to 1e-6, dates as text), sorted."""
    out = frame[columns].copy()
    for column in columns:
        values = out[column].dropna()
        first = values.iloc[0] if len(values) else None
        if isinstance(first, (decimal.Decimal, float, int, bool, np.number, np.bool_)):
            out[column] = out[column].astype(float).round(6)
        elif isinstance(first, (datetime.date, pd.Timestamp)) or str(out[column].dtype).startswith("datetime"):
            out[column] = pd.to_datetime(out[column]).astype(str)
        else:
            out[column] = out[column].astype(str)
    return out.sort_values(columns).reset_index(drop=True)


def test_canonical_detects_a_changed_amount() -> None:
    """The comparison is sensitive to one amount changed by one cent (the helper is no tautology)."""
    truth = pd.DataFrame({"id": ["a", "b"], "amount": [decimal.Decimal("1.10"), decimal.Decimal("2.00")]})
    changed = pd.DataFrame({"id": ["b", "a"], "amount": [2.0, 1.11]})
    same = pd.DataFrame({"id": ["b", "a"], "amount": [2.0, 1.1]})
    assert not canonical(changed, ["id", "amount"]).equals(canonical(truth, ["id", "amount"]))
    assert canonical(same, ["id", "amount"]).equals(canonical(truth, ["id", "amount"]))


@pytest.mark.parametrize(("truth_name", "table"), TRUTH_TABLES)
def test_spark_table_equals_truth(spark_dir: Path, truth_name: str, table: str) -> None:
    truth = pd.read_parquet(spark_dir / "truth" / f"{truth_name}.parquet")
    built = read_spark_table(spark_dir, "marts", table)
    columns = list(truth.columns)
    missing = [column for column in columns if column not in built.columns]
    assert not missing, f"{table} lacks columns {missing}"
    expected, actual = canonical(truth, columns), canonical(built, columns)
    assert len(actual) == len(expected), f"{table}: {len(actual)} rows on Spark, {len(expected)} in the truth"
    differences = actual.merge(expected, how="outer", indicator=True).query("_merge != 'both'")
    assert differences.empty, f"{table} differs from the truth:\n{differences.head(20)}"
