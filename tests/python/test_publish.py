"""The published snapshot: atomic, read-only, never locked by a build, untouched by a failed build or publish."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from dbt_process import dbt_environment
from promo_factory.publish import PublishError, failed_build_nodes, publish_snapshot, remove_stale_temporaries

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"


def make_warehouse(path: Path, lines: int) -> Path:
    """A stand-in warehouse: `lines` rows in marts.fct_sales_lines, a view in marts, a table outside marts."""
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema if not exists marts")
        connection.execute("create schema if not exists staging")
        connection.execute(
            "create or replace table marts.fct_sales_lines as "
            "select range as line_number, range * 1.5 as net_amount_eur from range(?)",
            [lines],
        )
        connection.execute("create or replace table marts.dq_reconciliation as select 'alpha_receipts' as source")
        connection.execute("create or replace view marts.big_lines as select * from marts.fct_sales_lines where line_number > 1")
        connection.execute("create or replace table staging.not_published as select 1 as x")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count_lines(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select count(*) from marts.fct_sales_lines").fetchone()[0]


def temporaries(published: Path) -> list[Path]:
    return sorted(published.parent.glob(f".{published.name}.*"))


def test_publish_copies_every_marts_relation_and_a_snapshot_table(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", 5)
    published = tmp_path / "out" / "published.duckdb"

    summary = publish_snapshot(warehouse, published)

    assert summary["row_counts"] == {"big_lines": 3, "dq_reconciliation": 1, "fct_sales_lines": 5}
    assert not os.stat(published).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), "the snapshot is read-only"
    assert temporaries(published) == []
    with duckdb.connect(str(published), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name, table_type from information_schema.tables order by all"
        ).fetchall()
        snapshot = connection.execute(
            "select table_name, row_count, source_warehouse from marts._snapshot order by table_name"
        ).fetchall()
        published_at = connection.execute("select distinct published_at from marts._snapshot").fetchall()
    assert tables == [
        ("marts", "_snapshot", "BASE TABLE"),
        ("marts", "big_lines", "BASE TABLE"),
        ("marts", "dq_reconciliation", "BASE TABLE"),
        ("marts", "fct_sales_lines", "BASE TABLE"),
    ]
    assert snapshot == [
        ("big_lines", 3, str(warehouse)),
        ("dq_reconciliation", 1, str(warehouse)),
        ("fct_sales_lines", 5, str(warehouse)),
    ]
    assert len(published_at) == 1


def test_a_reader_keeps_the_old_snapshot_while_a_new_one_is_published(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", 5)
    published = tmp_path / "published.duckdb"
    publish_snapshot(warehouse, published)

    with duckdb.connect(str(published), read_only=True) as reader:
        make_warehouse(warehouse, 8)
        publish_snapshot(warehouse, published)
        assert reader.execute("select count(*) from marts.fct_sales_lines").fetchone()[0] == 5
    assert count_lines(published) == 8


def test_a_publish_that_fails_midway_leaves_the_snapshot_byte_identical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", 5)
    published = tmp_path / "published.duckdb"
    publish_snapshot(warehouse, published)
    before = digest(published)
    make_warehouse(warehouse, 9)

    import promo_factory.publish as publish_module

    def broken_rename(temporary: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(publish_module, "_rename_into_place", broken_rename)
    with pytest.raises(OSError, match="disk full"):
        publish_snapshot(warehouse, published)
    assert digest(published) == before
    assert temporaries(published) == [], "a failed publish removes its temporary file"


def test_a_publish_killed_before_the_rename_leaves_the_snapshot_byte_identical(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", 5)
    published = tmp_path / "published.duckdb"
    publish_snapshot(warehouse, published)
    before = digest(published)
    make_warehouse(warehouse, 9)

    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, signal, sys\n"
            "from pathlib import Path\n"
            "import promo_factory.publish as p\n"
            "p._rename_into_place = lambda temporary, target: os.kill(os.getpid(), signal.SIGKILL)\n"
            "p.publish_snapshot(Path(sys.argv[1]), Path(sys.argv[2]))\n",
            str(warehouse),
            str(published),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert digest(published) == before
    assert count_lines(published) == 5
    assert temporaries(published), "SIGKILL leaves the temporary file behind"

    assert remove_stale_temporaries(published), "the dead publisher's temporary file is removed"
    publish_snapshot(warehouse, published)
    assert count_lines(published) == 9
    assert temporaries(published) == []


def test_publish_refuses_a_failed_build(tmp_path: Path) -> None:
    warehouse = make_warehouse(tmp_path / "warehouse.duckdb", 5)
    published = tmp_path / "published.duckdb"
    publish_snapshot(warehouse, published)
    before = digest(published)
    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.promo_factory.fct_sales_lines", "status": "success"},
                    {"unique_id": "test.promo_factory.not_null_x", "status": "fail"},
                    {"unique_id": "model.promo_factory.kpi_brand_weekly", "status": "skipped"},
                ]
            }
        )
    )
    assert failed_build_nodes(run_results) == ["test.promo_factory.not_null_x"]
    make_warehouse(warehouse, 9)
    with pytest.raises(PublishError, match="build failed"):
        publish_snapshot(warehouse, published, run_results=run_results)
    assert digest(published) == before


def test_publish_refuses_a_missing_warehouse(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="does not exist"):
        publish_snapshot(tmp_path / "absent.duckdb", tmp_path / "published.duckdb")
    assert not (tmp_path / "published.duckdb").exists()


# ---------------------------------------------------------------- end to end: dbt build + publish


def run_dbt_build(raw_dir: Path, work: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = dbt_environment(work, warehouse, raw_dir)
    return subprocess.run(
        [str(BIN / "dbt"), "build", "--no-use-colors"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


class SnapshotReader(threading.Thread):
    """Holds one read-only connection to the snapshot and queries it until stopped."""

    def __init__(self, published: Path) -> None:
        super().__init__(daemon=True)
        self.connection = duckdb.connect(str(published), read_only=True)
        self.counts: list[int] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.counts.append(self.connection.execute("select count(*) from marts.fct_sales_lines").fetchone()[0])
            except BaseException as error:  # noqa: BLE001 - any failure of the reader is the finding
                self.errors.append(error)
            time.sleep(0.2)


@pytest.mark.e2e
def test_a_build_never_locks_the_snapshot_and_a_failed_build_leaves_it_untouched(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    generated = subprocess.run(
        [str(BIN / "promo"), "generate", "--seed", "3", "--shoppers", "200", "--days", "60"]
        + ["--out", str(raw), "--truth", str(tmp_path / "truth"), "--clean", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert generated.returncode == 0, generated.stderr[-3000:]
    published = tmp_path / "published" / "published.duckdb"
    warehouse = tmp_path / "warehouse.duckdb"
    publish_snapshot(make_warehouse(tmp_path / "previous.duckdb", 7), published)

    reader = SnapshotReader(published)
    reader.start()
    try:
        build = run_dbt_build(raw, tmp_path / "build", warehouse)
        assert build.returncode == 0, build.stdout[-5000:]
        summary = publish_snapshot(warehouse, published, run_results=tmp_path / "build" / "target" / "run_results.json")
        time.sleep(0.5)
    finally:
        reader.stop.set()
        reader.join(timeout=30)
        reader.connection.close()
    assert reader.errors == [], "the reader kept working during the build and the publish"
    assert len(reader.counts) > 10 and set(reader.counts) == {7}, "the reader saw the old snapshot throughout"

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        built_lines = connection.execute("select count(*) from marts.fct_sales_lines").fetchone()[0]
        built_kpis = connection.execute("select count(*) from marts.kpi_brand_weekly").fetchone()[0]
    assert built_lines > 1000
    assert count_lines(published) == built_lines == summary["row_counts"]["fct_sales_lines"]
    assert summary["row_counts"]["kpi_brand_weekly"] == built_kpis

    # A landing zone without its catalog folder makes the build fail; the snapshot stays byte-identical
    # and publishing the failed build is refused.
    broken = tmp_path / "raw_without_catalog"
    shutil.copytree(raw, broken)
    shutil.rmtree(broken / "catalog")
    before = digest(published)
    failed = run_dbt_build(broken, tmp_path / "failed", warehouse)
    assert failed.returncode != 0, failed.stdout[-3000:]
    assert digest(published) == before
    with pytest.raises(PublishError):
        publish_snapshot(warehouse, published, run_results=tmp_path / "failed" / "target" / "run_results.json")
    assert digest(published) == before
    assert count_lines(published) == built_lines
