"""Paths and settings shared by every entry point, read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# `dbt build` arguments of a data run (the Dagster jobs, `make build`, bench/): dbt's unit tests are skipped.
# Their inputs are fixed, so only a change of the SQL can make them fail, and `make test` (CI) and `make demo`
# run them; on a data run they cost ~6 s whatever the size of the data.
DBT_DATA_RUN_ARGS = ("--exclude-resource-type", "unit_test")


def _path(variable: str, default: str) -> Path:
    value = Path(os.environ.get(variable, default))
    return value if value.is_absolute() else REPO_ROOT / value


def raw_dir() -> Path:
    """Landing zone root (LANDING_ZONE.md)."""
    return _path("PROMO_RAW_DIR", "data/raw")


def warehouse_path() -> Path:
    """The DuckDB file dbt builds."""
    return _path("PROMO_WAREHOUSE", "data/warehouse.duckdb")


def published_path() -> Path:
    """The read-only snapshot analysts open."""
    return _path("PROMO_PUBLISHED", "data/published.duckdb")
