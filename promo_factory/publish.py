"""Publish the `marts` schema to a read-only DuckDB snapshot, atomically.

Analysts, dashboards and the offers API open the snapshot (`PROMO_PUBLISHED`,
default `data/published.duckdb`) read-only while the next build writes the
warehouse. Publishing never writes the snapshot in place:

1. open the warehouse read-only (DuckDB allows one writer per file; a reader
   does not block a later build once it is closed);
2. write every table and view of schema `marts` as a table into a new file
   next to the snapshot (`.<name>.<pid>.<random>.tmp`), plus `marts._snapshot`
   (one row per table: published_at, source warehouse, row count);
3. CHECKPOINT, close, fsync the file, make it read-only (0444);
4. `os.replace` it onto the snapshot path and fsync the directory.

A reader that holds the old snapshot keeps its (unlinked) file until it
closes; new readers see the new one. A failed or killed build, or a publish
that fails or is killed before step 4, leaves the last good snapshot
byte-identical (a killed publish leaves a temporary file that the next
publish removes).
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb

from promo_factory import settings

SCHEMA = "marts"
SNAPSHOT_TABLE = "_snapshot"


class PublishError(RuntimeError):
    """The snapshot was not published (the previous one is untouched)."""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def failed_build_nodes(run_results: Path) -> list[str]:
    """unique_ids of the nodes dbt reported as error / fail / runtime error in a run_results.json."""
    results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    bad = {"error", "fail", "runtime error"}
    return [str(result.get("unique_id")) for result in results if str(result.get("status")).lower() in bad]


def _temporary_path(published: Path) -> Path:
    return published.with_name(f".{published.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(published: Path) -> list[Path]:
    """Delete the temporary files left by killed publishes (their process no longer exists)."""
    removed = []
    for candidate in published.parent.glob(f".{published.name}.*.tmp*"):
        parts = candidate.name[len(published.name) + 2 :].split(".")
        if parts and parts[0].isdigit() and _pid_alive(int(parts[0])) and int(parts[0]) != os.getpid():
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_marts(connection: duckdb.DuckDBPyConnection, warehouse: Path, published_at: datetime) -> dict[str, int]:
    """Copy every relation of source.marts into the new file's marts schema; return row counts."""
    # Attached under the warehouse's own catalog name, so that views of marts whose SQL
    # names their relations fully qualified (as dbt writes them) still resolve.
    source = warehouse.name.split(".")[0] or "source"
    if source.lower() in {"memory", "system", "temp", "main"}:
        source = "source"
    connection.execute(f"attach {_literal(str(warehouse))} as {_quote(source)} (read_only)")
    relations = [
        name
        for (name,) in connection.execute(
            """
            select table_name
            from information_schema.tables
            where table_catalog = ? and table_schema = ?
            order by table_name
            """,
            [source, SCHEMA],
        ).fetchall()
        if name != SNAPSHOT_TABLE
    ]
    if not relations:
        raise PublishError(f"schema {SCHEMA} of {warehouse} holds no table: nothing to publish")
    connection.execute(f"create schema {SCHEMA}")
    row_counts: dict[str, int] = {}
    for name in relations:
        target = f"{SCHEMA}.{_quote(name)}"
        connection.execute(f"create table {target} as select * from {_quote(source)}.{SCHEMA}.{_quote(name)}")
        row_counts[name] = int(connection.execute(f"select count(*) from {target}").fetchone()[0])
    connection.execute(f"detach {_quote(source)}")
    connection.execute(
        f"""
        create table {SCHEMA}.{SNAPSHOT_TABLE} (
            table_name varchar,
            row_count bigint,
            published_at timestamp,
            source_warehouse varchar
        )
        """
    )
    connection.executemany(
        f"insert into {SCHEMA}.{SNAPSHOT_TABLE} values (?, ?, ?, ?)",
        [(name, rows, published_at.replace(tzinfo=None), str(warehouse)) for name, rows in row_counts.items()],
    )
    return row_counts


def _rename_into_place(temporary: Path, published: Path) -> None:
    os.replace(temporary, published)
    _fsync(published.parent)


def publish_snapshot(
    warehouse: Path | None = None,
    published: Path | None = None,
    run_results: Path | None = None,
) -> dict[str, Any]:
    """Atomically replace the snapshot `published` with a copy of schema marts of `warehouse`.

    `run_results`: when given, the dbt run_results.json of the build; publishing is
    refused (PublishError, snapshot untouched) if it reports a failed node.
    Returns the path, source warehouse, publication time, row count per table and seconds taken.
    """
    started = time.perf_counter()
    warehouse = Path(warehouse) if warehouse is not None else settings.warehouse_path()
    published = Path(published) if published is not None else settings.published_path()
    if not warehouse.exists():
        raise PublishError(f"warehouse {warehouse} does not exist: run the build first")
    if run_results is not None:
        if not Path(run_results).exists():
            raise PublishError(f"{run_results} does not exist: the build did not run to the end")
        failed = failed_build_nodes(Path(run_results))
        if failed:
            raise PublishError(f"the build failed ({len(failed)} nodes, e.g. {failed[0]}): snapshot not published")

    published.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(published)
    temporary = _temporary_path(published)
    published_at = datetime.now(timezone.utc).replace(microsecond=0)
    try:
        connection = duckdb.connect(str(temporary), config={"preserve_insertion_order": False})
        try:
            connection.execute("set enable_progress_bar = false")
            row_counts = _copy_marts(connection, warehouse, published_at)
            connection.execute("checkpoint")
        finally:
            connection.close()
        _fsync(temporary)
        temporary.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        _rename_into_place(temporary, published)
    except BaseException:
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            leftover.unlink(missing_ok=True)
        raise

    summary: dict[str, Any] = {
        "published": str(published),
        "warehouse": str(warehouse),
        "published_at": published_at.isoformat(),
        "tables": len(row_counts),
        "row_counts": row_counts,
        "seconds": round(time.perf_counter() - started, 3),
    }
    print(
        f"published {len(row_counts)} tables of {warehouse} to {published} in {summary['seconds']} s",
        flush=True,
    )
    return summary
