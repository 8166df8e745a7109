"""All dbt models, seeds and Python models as assets; dbt tests as asset checks.

One `dbt build` per run (subset to the selected assets by dagster-dbt). DuckDB
has a single writer and the dbt process holds the warehouse for the whole
build, so the figures attached to each materialisation (row count, columns,
KPIs, model metrics) are read once dbt has exited: events are collected,
then yielded with their metadata.
"""

from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project, load_manifest
from orchestration.metadata import model_metrics_metadata, table_metadata
from orchestration.resources import WarehouseResource
from orchestration.translator import TRANSLATOR, layer_of
from promo_factory import settings

WAREHOUSE_POOL = "duckdb_warehouse"
DBT_ASSETS_NAME = "dbt_models"


class DbtBuildConfig(dg.Config):
    """`full_refresh` rebuilds incremental models from scratch (the daily schedule sets it)."""

    full_refresh: bool = False


def _node(manifest: Mapping[str, Any], unique_id: str | None) -> Mapping[str, Any] | None:
    if not unique_id:
        return None
    return manifest.get("nodes", {}).get(unique_id)


def _unique_id(event: Any) -> str | None:
    value = event.metadata.get("unique_id") if isinstance(event, dg.Output) else None
    return getattr(value, "value", value)


def known_asset_events(invocation: DbtCliInvocation, context: dg.AssetExecutionContext) -> Iterator[Any]:
    """`invocation.stream()`, minus the nodes the loaded manifest does not know.

    dbt re-parses the project when it runs; a model or test added after the
    definitions were loaded is built by dbt (and fails the step if it fails)
    but has no asset yet: it is logged, and appears once the code location reloads.
    """
    nodes = invocation.manifest["nodes"]
    unknown: list[str] = []
    for event in invocation.stream_raw_events():
        node_info = (event.raw_event.get("data") or {}).get("node_info") or {}
        unique_id = node_info.get("unique_id")
        if unique_id and unique_id.split(".")[0] in ("model", "seed", "snapshot", "test") and unique_id not in nodes:
            if unique_id not in unknown:
                unknown.append(unique_id)
            continue
        yield from event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=context,
            target_path=invocation.target_path,
            project=invocation.project,
        )
    if unknown:
        context.log.warning(f"{len(unknown)} dbt node(s) newer than the loaded definitions (reload): {unknown[:10]}")


def with_warehouse_metadata(
    events: list[Any], manifest: Mapping[str, Any], warehouse: WarehouseResource, log: Any
) -> Iterator[Any]:
    """The dbt events, each model's Output enriched with what the warehouse says about its table."""
    if not warehouse.warehouse_path().exists():
        yield from events
        return
    try:
        connection = duckdb.connect(str(warehouse.warehouse_path()), read_only=True)
    except duckdb.Error as error:  # another writer: keep the events, skip the figures
        log.warning(f"warehouse metadata skipped: {error}")
        yield from events
        return
    try:
        for event in events:
            node = _node(manifest, _unique_id(event))
            if node is None or node.get("resource_type") not in ("model", "seed", "snapshot"):
                yield event
                continue
            schema, name = node["schema"], node.get("alias") or node["name"]
            descriptions = {column: props.get("description") or "" for column, props in node.get("columns", {}).items()}
            extra = table_metadata(connection, schema, name, descriptions)
            if layer_of(node) == "scores":
                extra.update(model_metrics_metadata(connection, schema, name))
            yield dg.Output(value=event.value, output_name=event.output_name, metadata={**event.metadata, **extra})
    finally:
        connection.close()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name=DBT_ASSETS_NAME,
    pool=WAREHOUSE_POOL,
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
) -> Iterator[Any]:
    args = ["build", *settings.DBT_DATA_RUN_ARGS, *(["--full-refresh"] if config.full_refresh else [])]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    events = list(known_asset_events(invocation, context))
    yield from with_warehouse_metadata(events, load_manifest(), warehouse, context.log)
    if not invocation.is_successful():
        raise dg.Failure(
            description=f"dbt {' '.join(args)} failed (return code {invocation.process.returncode})",
            metadata={"dbt_logs": dg.MetadataValue.path(str(invocation.target_path))},
        )
