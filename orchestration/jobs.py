"""Jobs: the incremental build (sensor), the full graph (daily), re-score only, and the demo generator.

Every job that touches the warehouse carries WAREHOUSE_TAG: the run queue lets
one such run at a time (dagster.yaml, DuckDB has one writer), and the run is
retried once, from the failed step, if it fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg

from orchestration.assets.dbt import DBT_ASSETS_NAME, dbt_models
from orchestration.assets.landing import demo_landing_zone
from orchestration.assets.publishing import PUBLISHING_ASSETS, offers_export, published_snapshot
from orchestration.dbt_project import load_manifest
from orchestration.translator import TRANSLATOR, layer_of

WAREHOUSE_TAG_KEY = "promo_factory/warehouse"
WAREHOUSE_TAG = {WAREHOUSE_TAG_KEY: "duckdb"}
RETRY_TAGS = {"dagster/max_retries": "1", "dagster/retry_strategy": "FROM_FAILURE"}
RESCORE_LAYERS = ("scores", "offers")


def full_refresh_run_config(full_refresh: bool) -> dict[str, Any]:
    """Run config of the dbt step (`dbt build --full-refresh` when true)."""
    return {"ops": {DBT_ASSETS_NAME: {"config": {"full_refresh": full_refresh}}}}


def rescore_keys(manifest: Mapping[str, Any]) -> list[dg.AssetKey]:
    """The dbt Python models of the scores and offers layers."""
    return sorted(
        (
            TRANSLATOR.get_asset_key(node)
            for node in manifest.get("nodes", {}).values()
            if node["resource_type"] == "model" and layer_of(node) in RESCORE_LAYERS
        ),
        key=lambda key: key.to_user_string(),
    )


_WAREHOUSE = dg.AssetSelection.assets(dbt_models, *PUBLISHING_ASSETS)

dbt_build_job = dg.define_asset_job(
    name="dbt_build_job",
    selection=_WAREHOUSE,
    tags={**WAREHOUSE_TAG, **RETRY_TAGS},
    description="Incremental dbt build (new or re-delivered files), then snapshot, report and export.",
)

full_graph_job = dg.define_asset_job(
    name="full_graph_job",
    selection=_WAREHOUSE,
    tags={**WAREHOUSE_TAG, **RETRY_TAGS},
    config=full_refresh_run_config(True),
    description="Every asset from scratch: dbt build --full-refresh, then snapshot, report and export.",
)

_RESCORED = rescore_keys(load_manifest())
rescore_job = dg.define_asset_job(
    name="rescore_job",
    selection=(
        (dg.AssetSelection.assets(*_RESCORED).downstream() if _RESCORED else dg.AssetSelection.assets())
        | dg.AssetSelection.assets(published_snapshot, offers_export)
    )
    - dg.AssetSelection.assets(demo_landing_zone),
    tags={**WAREHOUSE_TAG, **RETRY_TAGS},
    description=(
        "Re-score and re-allocate only: the scores and offers Python models, what depends on them, "
        "snapshot and export."
    ),
)

demo_landing_zone_job = dg.define_asset_job(
    name="demo_landing_zone_job",
    selection=dg.AssetSelection.assets(demo_landing_zone),
    description="Demo only: write a synthetic landing zone into PROMO_RAW_DIR (the sensor then builds).",
)

JOBS = [dbt_build_job, full_graph_job, rescore_job, demo_landing_zone_job]
