"""Dagster orchestration: definitions load from a fresh clone, the sensor, and the whole graph end to end.

The definitions parse the dbt project at import time when no manifest exists,
so the in-process tests point DBT_TARGET_PATH at a temporary folder unless it
is already set (then the existing manifest is reused).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# `dagster dev -m orchestration` runs from the repository root; import the package from there too
# (an editable install made before orchestration/__init__.py existed sees only a namespace package).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("orchestration")


@pytest.fixture(scope="module")
def orchestration(work_dir: Path) -> Iterator[Any]:
    """The `orchestration` package, imported with every path in a temporary folder."""
    saved = dict(os.environ)
    os.environ.setdefault("DBT_TARGET_PATH", str(work_dir / "target"))
    os.environ.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    os.environ.update(
        {
            "PROMO_RAW_DIR": str(work_dir / "raw"),
            "PROMO_WAREHOUSE": str(work_dir / "warehouse.duckdb"),
            "PROMO_PUBLISHED": str(work_dir / "published.duckdb"),
            "PROMO_EXPORT_DIR": str(work_dir / "exports"),
        }
    )
    try:
        yield importlib.import_module("orchestration")
    finally:
        os.environ.clear()
        os.environ.update(saved)


# --- pure helpers ---------------------------------------------------------------------------------


def test_changed_files_sees_new_redelivered_and_removed_files() -> None:
    from orchestration.sensors import changed_files

    previous = {"a.csv": "1:10", "b.csv": "1:10", "c.csv": "1:10"}
    current = {"a.csv": "1:10", "b.csv": "2:12", "d.csv": "1:5"}
    assert changed_files(previous, current) == ["b.csv", "c.csv", "d.csv"]
    assert changed_files(current, dict(current)) == []


def test_next_cursor_keeps_files_in_flight_at_their_previous_state() -> None:
    from orchestration.sensors import next_cursor

    previous = {"a.csv": "1:10", "b.csv": "1:10"}
    settled = {"a.csv": "1:10"}
    assert next_cursor(previous, settled, in_flight={"b.csv", "new.csv"}) == {"a.csv": "1:10", "b.csv": "1:10"}


def test_translator_keys_and_groups_follow_the_dbt_path() -> None:
    from orchestration.translator import TRANSLATOR, layer_of

    def model(name: str, schema: str, *folders: str) -> dict[str, Any]:
        return {"resource_type": "model", "name": name, "schema": schema, "fqn": ["promo_factory", *folders, name]}

    staging = model("stg_x", "staging", "staging", "alpha")
    scores = model("uplift_scores", "marts", "scores")
    root = model("lonely", "main")
    source = {"resource_type": "source", "source_name": "alpha", "name": "receipts", "fqn": ["promo_factory", "alpha"]}
    seed = {"resource_type": "seed", "name": "rules", "schema": "seeds", "fqn": ["promo_factory", "rules"]}
    assert [layer_of(props) for props in (staging, scores, root, source, seed)] == [
        "staging", "scores", "dbt", "landing_zone", "seeds",
    ]
    assert TRANSLATOR.get_asset_key(scores).path == ["marts", "uplift_scores"]
    assert TRANSLATOR.get_asset_key(source).path == ["landing_zone", "alpha", "receipts"]


# --- definitions ----------------------------------------------------------------------------------


def test_definitions_load_on_a_fresh_clone_without_manifest(tmp_path: Path) -> None:
    """A new process with an empty target folder parses the project itself and loads every group."""
    target = tmp_path / "target"
    script = (
        "import json, time; start = time.perf_counter(); import orchestration; "
        "graph = orchestration.defs.resolve_asset_graph(); "
        "print(json.dumps({'seconds': time.perf_counter() - start, "
        "'groups': sorted({graph.get(key).group_name for key in graph.get_all_asset_keys()}), "
        "'jobs': sorted(job.name for job in orchestration.defs.resolve_all_job_defs()), "
        "'keys': sorted(key.to_user_string() for key in graph.get_all_asset_keys())}))"
    )
    env = {**os.environ, "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(tmp_path / "logs"),
           "DBT_PROFILES_DIR": str(REPO_ROOT)}
    env.pop("DAGSTER_IS_DEV_CLI", None)
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded = json.loads(completed.stdout.strip().splitlines()[-1])
    print(f"definitions loaded from a fresh clone in {loaded['seconds']:.1f} s")
    assert (target / "manifest.json").exists()
    assert {"demo", "landing_zone", "staging", "published"} <= set(loaded["groups"])
    assert {"dbt_build_job", "full_graph_job", "rescore_job", "demo_landing_zone_job"} <= set(loaded["jobs"])
    manifest = json.loads((target / "manifest.json").read_text())
    for source in manifest["sources"].values():
        assert f"landing_zone/{source['source_name']}/{source['name']}" in loaded["keys"]
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed"):
            assert f"{node['schema']}/{node.get('alias') or node['name']}" in loaded["keys"]


def test_published_assets_carry_a_freshness_policy(orchestration: Any) -> None:
    graph = orchestration.defs.resolve_asset_graph()
    published = [key for key in graph.get_all_asset_keys() if key.path[0] in ("marts", "published")]
    assert published
    assert all(graph.get(key).freshness_policy is not None for key in published)


# --- sensor ---------------------------------------------------------------------------------------


def _deliver(root: Path, name: str, content: str, age_seconds: float = 60.0) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    past = time.time() - age_seconds
    os.utime(path, (past, past))


def test_sensor_requests_a_build_for_new_or_redelivered_files_only(orchestration: Any, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from orchestration.sensors import landing_zone_sensor

    root = tmp_path / "raw"
    monkeypatch.setenv("PROMO_RAW_DIR", str(root))
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor: str | None) -> Any:
        return landing_zone_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor))

    assert tick(None).run_requests == []  # no landing zone yet

    _deliver(root, "alpha/receipts/2025-10-01.csv", "ticket_id;ligne\n1;1\n")
    first = tick(None)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].job_name in (None, "dbt_build_job")

    unchanged = tick(first.cursor)
    assert unchanged.run_requests == []
    assert unchanged.skip_message

    _deliver(root, "alpha/receipts/2025-10-01.csv", "ticket_id;ligne\n1;1\n1;2\n", age_seconds=30)
    redelivered = tick(first.cursor)
    assert len(redelivered.run_requests) == 1
    assert redelivered.run_requests[0].run_key != first.run_requests[0].run_key

    _deliver(root, "beta/orders/2025-10-02.jsonl", "{}\n", age_seconds=0)  # still being written
    assert tick(redelivered.cursor).run_requests == []

    _deliver(root, ".hidden/notes.txt", "not a partner file")
    assert tick(redelivered.cursor).run_requests == []


def test_sensor_waits_while_a_warehouse_run_is_in_progress(orchestration: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import dagster as dg

    from orchestration.jobs import WAREHOUSE_TAG
    from orchestration.sensors import landing_zone_sensor

    root = tmp_path / "raw"
    monkeypatch.setenv("PROMO_RAW_DIR", str(root))
    _deliver(root, "gamma/sku_map.csv", "sku,gtin\n")
    instance = dg.DagsterInstance.ephemeral()
    instance.add_run(dg.DagsterRun(job_name="dbt_build_job", status=dg.DagsterRunStatus.STARTED, tags=WAREHOUSE_TAG))
    busy = landing_zone_sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=None))
    assert busy.run_requests == []
    assert busy.cursor is None  # the change is not consumed: it is picked up after the run


# --- end to end -----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_materialise_the_whole_graph_on_a_small_generated_landing_zone(orchestration: Any, work_dir: Path) -> None:
    import dagster as dg

    from orchestration.assets.landing import demo_landing_zone
    from orchestration.dbt_project import load_manifest

    defs = orchestration.defs
    instance = dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    generated = dg.materialize(
        [demo_landing_zone],
        instance=instance,
        run_config={"ops": {demo_landing_zone.op.name: {"config": {"seed": 7, "shoppers": 150, "days": 60}}}},
    )
    assert generated.success
    assert any((work_dir / "raw").rglob("*.csv"))

    everything = [asset for asset in defs.assets if asset is not demo_landing_zone]
    built = dg.materialize(everything, instance=instance, resources=defs.resources, raise_on_error=False)
    print(f"whole graph materialised in {time.perf_counter() - started:.1f} s")
    failures = [event.message for event in built.all_events if event.is_failure]
    assert built.success, failures[:3]

    materialised = {event.asset_key for event in built.get_asset_materialization_events()}
    expected = {key for asset in everything if isinstance(asset, dg.AssetsDefinition) for key in asset.keys}
    assert materialised == expected
    evaluations = built.get_asset_check_evaluations()
    assert all(evaluation.passed for evaluation in evaluations), [
        evaluation.check_name for evaluation in evaluations if not evaluation.passed
    ]
    tests = [node for node in load_manifest()["nodes"].values() if node["resource_type"] == "test"]
    assert len(evaluations) >= len([test for test in tests if test.get("attached_node")])

    metadata = {event.asset_key: event.materialization.metadata for event in built.get_asset_materialization_events()}
    sales = dg.AssetKey(["marts", "fct_sales_lines"])
    if sales in metadata:
        assert metadata[sales]["dagster/row_count"].value > 0
        assert "kpi/net_sales_eur" in metadata[sales]
    reconciliation = dg.AssetKey(["marts", "dq_reconciliation"])
    if reconciliation in metadata:
        assert metadata[reconciliation]["kpi/is_balanced"].value is True
    assert (work_dir / "published.duckdb").exists()
