"""Resources: the dbt CLI and the DuckDB warehouse (read-only, after dbt has released it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_executable, dbt_project
from promo_factory import settings


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse dbt builds. Paths default to the settings read at run time."""

    path: str | None = None

    def warehouse_path(self) -> Path:
        return Path(self.path) if self.path else settings.warehouse_path()

    @contextmanager
    def read_only(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection; DuckDB has one writer, so only open it when no dbt run is writing."""
        connection = duckdb.connect(str(self.warehouse_path()), read_only=True)
        try:
            yield connection
        finally:
            connection.close()


def build_resources() -> dict[str, object]:
    return {
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir), dbt_executable=dbt_executable()
        ),
        "warehouse": WarehouseResource(),
    }
