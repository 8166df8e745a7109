"""Fixtures shared by the tests that read the CI build (`make ci-build`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def ci_dir() -> Path:
    """PROMO_CI_DIR: warehouse.duckdb built by dbt from raw/, and the generator's truth/ beside it."""
    value = os.environ.get("PROMO_CI_DIR")
    if not value:
        pytest.skip("PROMO_CI_DIR is unset: run `make ci-build` then `make pytest` to compare with the truth")
    path = Path(value)
    if not (path / "warehouse.duckdb").exists() or not (path / "truth" / "sales_lines.parquet").exists():
        pytest.fail(f"PROMO_CI_DIR={path} lacks warehouse.duckdb or truth/sales_lines.parquet: run `make ci-build`")
    return path
