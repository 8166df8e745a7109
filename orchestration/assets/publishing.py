"""What analysts and the offers API receive once the warehouse is built: snapshot, report, export.

Each reads the warehouse read-only after dbt has finished (the assets depend
on the marts they read). Default outputs sit next to the warehouse
(`data/warehouse.duckdb` -> `data/reports/`, `data/exports/`), so a test or a
second landing zone never writes into another's folders.
"""


import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.assets.dbt import WAREHOUSE_POOL
from orchestration.dbt_project import load_manifest
from orchestration.resources import WarehouseResource
from orchestration.translator import PUBLISHED_FRESHNESS, TRANSLATOR, is_published
from promo_factory import settings

PUBLISHED_GROUP = "published"
REPORT_INPUTS = ("campaign_results", "int_campaign_daily_arm_sales", "dim_campaigns")
EXPORT_INPUTS = ("offer_allocations", "uplift_scores", "offer_targeting_comparison", "model_metrics")


def published_model_keys(manifest: Mapping[str, Any]) -> list[dg.AssetKey]:
    """Keys of the published dbt models (schema marts)."""
    keys = [TRANSLATOR.get_asset_key(node) for node in manifest.get("nodes", {}).values() if is_published(node)]
    return sorted(keys, key=lambda key: key.to_user_string())


def model_keys(manifest: Mapping[str, Any], names: Iterable[str]) -> list[dg.AssetKey]:
    """Keys of the dbt models named `names` that exist; all published models when none does yet."""
    models = {node["name"]: node for node in manifest.get("nodes", {}).values() if node["resource_type"] == "model"}
    chosen = [TRANSLATOR.get_asset_key(models[name]) for name in names if name in models]
    return chosen or published_model_keys(manifest)


def default_report_path(warehouse: Path) -> Path:
    return warehouse.parent / "reports" / "campaign_report.html"


def default_export_dir(warehouse: Path) -> Path:
    configured = os.environ.get("PROMO_EXPORT_DIR")
    return Path(configured) if configured else warehouse.parent / "exports"


def _file_metadata(paths: Iterable[Path]) -> dict[str, Any]:
    paths = [Path(path) for path in paths]
    return {
        "files": dg.MetadataValue.md("\n".join(f"- `{path}`" for path in paths) or "(none)"),
        "file_count": len(paths),
        "bytes": sum(path.stat().st_size for path in paths if path.exists()),
    }


_MANIFEST = load_manifest()


@dg.asset(
    key=dg.AssetKey([PUBLISHED_GROUP, "snapshot"]),
    group_name=PUBLISHED_GROUP,
    deps=published_model_keys(_MANIFEST),
    kinds={"duckdb", "python"},
    pool=WAREHOUSE_POOL,
    freshness_policy=PUBLISHED_FRESHNESS,
    description="Read-only DuckDB snapshot of schema marts for analysts (PROMO_PUBLISHED), replaced atomically.",
)
def published_snapshot(warehouse: WarehouseResource) -> dg.MaterializeResult:
    from promo_factory.publish import publish_snapshot

    summary = publish_snapshot(warehouse=warehouse.warehouse_path(), published=settings.published_path())
    metadata: dict[str, Any] = {"path": dg.MetadataValue.path(str(settings.published_path()))}
    for name, value in (summary or {}).items():
        if isinstance(value, (int, float, str, bool)):
            metadata[f"snapshot/{name}"] = value
        elif isinstance(value, Mapping):
            metadata[f"snapshot/{name}"] = dg.MetadataValue.json({str(k): v for k, v in value.items()})
    return dg.MaterializeResult(metadata=metadata)


class CampaignReportConfig(dg.Config):
    """`out`: the HTML file to write; empty = `reports/campaign_report.html` next to the warehouse."""

    out: str = ""


@dg.asset(
    key=dg.AssetKey([PUBLISHED_GROUP, "campaign_report"]),
    group_name=PUBLISHED_GROUP,
    deps=model_keys(_MANIFEST, REPORT_INPUTS),
    kinds={"html", "python"},
    pool=WAREHOUSE_POOL,
    freshness_policy=PUBLISHED_FRESHNESS,
    description="Static HTML campaign report (causal results per campaign) an analyst pastes into a client deck.",
)
def campaign_report(warehouse: WarehouseResource, config: CampaignReportConfig) -> dg.MaterializeResult:
    from promo_factory.report import write_campaign_report

    out = Path(config.out) if config.out else default_report_path(warehouse.warehouse_path())
    written = write_campaign_report(warehouse.warehouse_path(), out)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(written)), **_file_metadata([written])})


class OffersExportConfig(dg.Config):
    """`out_dir`: the export folder; empty = PROMO_EXPORT_DIR, else `exports/` next to the warehouse."""

    out_dir: str = ""


@dg.asset(
    key=dg.AssetKey([PUBLISHED_GROUP, "offers_export"]),
    group_name=PUBLISHED_GROUP,
    deps=model_keys(_MANIFEST, EXPORT_INPUTS),
    kinds={"parquet", "python"},
    pool=WAREHOUSE_POOL,
    freshness_policy=PUBLISHED_FRESHNESS,
    description="Per planned campaign, the audience as Parquet plus a JSON manifest for the offers API.",
)
def offers_export(warehouse: WarehouseResource, config: OffersExportConfig) -> dg.MaterializeResult:
    from promo_factory.export import export_offers

    out_dir = Path(config.out_dir) if config.out_dir else default_export_dir(warehouse.warehouse_path())
    written = export_offers(warehouse.warehouse_path(), out_dir)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(out_dir)), **_file_metadata(written)})


PUBLISHING_ASSETS = [published_snapshot, campaign_report, offers_export]
