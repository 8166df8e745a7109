"""Run the staging + core + dq part of the dbt project in-process on one landing zone, and read the result.

dbt is invoked through ``dbtRunner`` with a manifest parsed once per session (parsing costs more than
building a tiny landing zone). Every case builds into its own folder ``<case>/warehouse.duckdb``: the
file name stays ``warehouse`` because dbt-duckdb names the database after it and the parsed manifest
holds that name. Messages dbt prints are collected from its events, so a failing build can be checked
for what a user would read.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SELECT = ["+fct_sales_lines", "+dq_reconciliation", "+dq_quarantine", "+dq_exclusions"]
WAREHOUSE_NAME = "warehouse.duckdb"
KEY = ["retailer", "transaction_id", "line_number"]


@dataclass
class BuildResult:
    """Outcome of one dbt invocation: success flag, every error/warning text, the exception if any."""

    success: bool
    messages: list[str] = field(default_factory=list)
    exception: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.messages + ([self.exception] if self.exception else []))


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class DbtSession:
    """Parse the project once, then build any number of landing zones with the parsed manifest."""

    def __init__(self, work: Path) -> None:
        from dbt.cli.main import dbtRunner

        self.work = work
        self._runner_class = dbtRunner
        self._base_env = {
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PROMO_KEY_SALT": "",
        }
        parse_dir = work / "parse"
        (parse_dir / "raw").mkdir(parents=True, exist_ok=True)
        with _environment({**self._base_env, **self._case_env(parse_dir)}):
            result = dbtRunner().invoke(["parse", "--quiet", "--project-dir", str(REPO)])
        if not result.success:
            raise RuntimeError(f"dbt parse failed: {result.exception}")
        self.manifest = result.result

    @staticmethod
    def _case_env(case_dir: Path) -> dict[str, str]:
        return {"PROMO_RAW_DIR": str(case_dir / "raw"), "PROMO_WAREHOUSE": str(case_dir / WAREHOUSE_NAME)}

    def build(self, case_dir: Path) -> BuildResult:
        """dbt build of the selection on ``case_dir/raw`` into ``case_dir/warehouse.duckdb``."""
        messages: list[str] = []

        def collect(event: Any) -> None:
            if event.info.level in ("error", "warn"):
                messages.append(str(event.info.msg))

        args = ["build", "--select", *SELECT, "--indirect-selection", "cautious", "--quiet",
                "--project-dir", str(REPO)]
        with _environment({**self._base_env, **self._case_env(case_dir)}):
            result = self._runner_class(manifest=self.manifest, callbacks=[collect]).invoke(args)
        _release_duckdb()
        exception = None if result.exception is None else f"{type(result.exception).__name__}: {result.exception}"
        return BuildResult(success=bool(result.success), messages=messages, exception=exception)


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process, so the warehouse can be read."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
    gc.collect()


@dataclass
class Tables:
    """The published tables a fuzz case compares with the baseline."""

    sales: pd.DataFrame
    quarantine: Counter
    reconciliation: dict[str, tuple[int, int, int, int]]
    exclusions: dict[tuple[str, str], int]


def read_tables(warehouse: Path) -> Tables:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sales = con.sql("select * from marts.fct_sales_lines").df()
        quarantine = con.sql("select source, source_file, record_ref, reason from marts.dq_quarantine").fetchall()
        reconciliation = con.sql(
            "select source, rows_read, rows_loaded, rows_excluded, rows_quarantined from marts.dq_reconciliation"
        ).fetchall()
        exclusions = con.sql("select source, reason, rows from marts.dq_exclusions").fetchall()
    return Tables(
        sales=sales.sort_values(KEY, kind="mergesort").reset_index(drop=True),
        quarantine=Counter(quarantine),
        reconciliation={row[0]: tuple(int(v) for v in row[1:]) for row in reconciliation},
        exclusions={(row[0], row[1]): int(row[2]) for row in exclusions},
    )


def read_records(warehouse: Path) -> pd.DataFrame:
    """Every sale record of a build with its source, reference, outcome (intermediate.int_core__record_outcomes)
    and key count."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(
            """
            select
                records.*,
                count(*) over (partition by retailer, transaction_id, line_number) as key_count,
                count(distinct source_file || ':' || coalesce(cast(row_order as varchar), ''))
                    over (partition by retailer, transaction_id) as order_versions
            from intermediate.int_core__record_outcomes as records
            where retailer is not null
            """
        ).df()
