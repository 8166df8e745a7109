"""Crash safety and idempotency of the whole build.

A full `dbt build` of the CI landing zone ($PROMO_CI_DIR/raw, read-only) into tmp_path is killed
(SIGKILL to its process group) when the k-th node starts, k drawn from a seeded generator, twice;
the third run completes and must give the same marts as the uninterrupted CI build
($PROMO_CI_DIR/warehouse.duckdb) - which is also the proof that two builds of the same files give
the same tables. The published snapshot stays byte-identical and readable while killed builds come
and go, and a killed build cannot be published.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from promo_factory.publish import PublishError, publish_snapshot

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
CI_DIR = Path(os.environ.get("PROMO_CI_DIR", REPO / "build" / "ci"))
CI_DIR = CI_DIR if CI_DIR.is_absolute() else REPO / CI_DIR
REFERENCE = CI_DIR / "warehouse.duckdb"
SEED = 20261126
# Columns stamped with the wall-clock time of the run, not derived from the data.
RUN_TIME_COLUMNS = {"trained_at", "published_at", "scored_at", "generated_at", "built_at"}


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "DBT_PROFILES_DIR": str(REPO), "PROMO_RAW_DIR": str(CI_DIR / "raw"),
            "PROMO_WAREHOUSE": str(tmp_path / "warehouse.duckdb"), "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path / "logs"), "DO_NOT_TRACK": "1", "PROMO_KEY_SALT": ""}


def _build_killed_at(tmp_path: Path, node: int) -> tuple[int, str]:
    """Start `dbt build`, SIGKILL it when its `node`-th node starts; return the nodes started and the output."""
    process = subprocess.Popen([str(DBT), "build", "--no-use-colors"], cwd=REPO, env=_env(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    started = 0
    output: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if " START " in line:
            started += 1
            if started >= node:
                os.killpg(process.pid, signal.SIGKILL)
                break
    process.stdout.close()
    process.wait(timeout=120)
    return started, "".join(output[-30:])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def marts(path: Path) -> dict[str, pd.DataFrame]:
    """Every marts table, run-time stamps dropped, rows in a canonical order."""
    tables = {}
    with duckdb.connect(str(path), read_only=True) as con:
        names = [n for (n,) in con.execute("select table_name from information_schema.tables "
                                       "where table_schema = 'marts' order by 1").fetchall()]
        for name in names:
            frame = con.execute(f'select * from marts."{name}"').df()
            frame = frame.drop(columns=[c for c in frame.columns if c in RUN_TIME_COLUMNS])
            order = [c for c in frame.columns if frame[c].map(lambda v: isinstance(v, (list, dict))).sum() == 0]
            tables[name] = frame.sort_values(order, kind="mergesort").reset_index(drop=True) if order else frame
    return tables


def assert_same_marts(actual: dict[str, pd.DataFrame], expected: dict[str, pd.DataFrame]) -> None:
    assert sorted(actual) == sorted(expected)
    for name in expected:
        pd.testing.assert_frame_equal(actual[name], expected[name], check_exact=False, rtol=1e-9, obj=name)


@pytest.mark.e2e
@pytest.mark.skipif(not REFERENCE.exists() or not DBT.exists(), reason="needs the CI build (make ci-build)")
def test_killed_builds_rerun_to_the_same_tables_and_never_touch_the_snapshot(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    published = tmp_path / "published.duckdb"
    publish_snapshot(REFERENCE, published)
    snapshot = _digest(published)

    for low, high in ((2, 40), (40, 160)):
        node = rng.randint(low, high)
        started, output = _build_killed_at(tmp_path, node)
        assert started == node, f"the build ended before node {node}:\n{output}"
        assert _digest(published) == snapshot, "a killed build touched the published snapshot"
        with pytest.raises(PublishError):
            publish_snapshot(tmp_path / "warehouse.duckdb", published, run_results=tmp_path / "target" / "run_results.json")
        assert _digest(published) == snapshot, "a refused publish touched the snapshot"
        with duckdb.connect(str(published), read_only=True) as con:
            assert con.execute("select count(*) from marts._snapshot").fetchone()[0] > 0

    result = subprocess.run([str(DBT), "build", "--quiet"], cwd=REPO, env=_env(tmp_path),
                            capture_output=True, text=True, timeout=2400)
    assert result.returncode == 0, result.stdout[-4000:]
    assert_same_marts(marts(tmp_path / "warehouse.duckdb"), marts(REFERENCE))

    publish_snapshot(tmp_path / "warehouse.duckdb", published, run_results=tmp_path / "target" / "run_results.json")
    assert _digest(published) != snapshot
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_sales_lines").fetchone()[0] > 0
