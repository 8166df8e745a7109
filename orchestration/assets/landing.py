"""The landing zone: partner files as external assets, and the demo generator that imitates the partners.

Each dbt source (models/staging/*/_*__sources.yml) is one external asset,
keyed like the source (`landing_zone/<source>/<table>`), so lineage starts at
the partner files. Dagster never writes them, except the demo generator.
"""

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.dbt_project import load_manifest
from orchestration.translator import LANDING_GROUP, TRANSLATOR
from promo_factory import settings

DEMO_GROUP = "demo"
DEMO_MARKER = ".promo_factory_demo"


def _location(source: Mapping[str, Any]) -> str | None:
    """The source's files as declared: `meta.landing_path` under PROMO_RAW_DIR, or dbt-duckdb's external location."""
    meta = {**(source.get("source_meta") or {}), **(source.get("meta") or {})}
    if meta.get("landing_path"):
        return f"<PROMO_RAW_DIR>/{meta['landing_path']}"
    external = source.get("external") or {}
    location = meta.get("external_location") or (external.get("location") if isinstance(external, dict) else None)
    return str(location) if location else None


def _column_schema(source: Mapping[str, Any]) -> dg.TableSchema | None:
    columns = source.get("columns") or {}
    if not columns:
        return None
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=name, type=column.get("data_type") or "text", description=column.get("description"))
            for name, column in columns.items()
        ]
    )


def landing_zone_specs(manifest: Mapping[str, Any], upstream: Sequence[dg.AssetKey] = ()) -> list[dg.AssetSpec]:
    """One external AssetSpec per dbt source of the manifest."""
    specs = []
    for source in sorted(manifest.get("sources", {}).values(), key=lambda item: item["unique_id"]):
        location = _location(source)
        column_schema = _column_schema(source)
        specs.append(
            dg.AssetSpec(
                key=TRANSLATOR.get_asset_key(source),
                description=source.get("description") or f"Partner files of source {source['source_name']}.",
                group_name=LANDING_GROUP,
                deps=list(upstream),
                kinds={"file"},
                metadata={"dbt_source": f"{source['source_name']}.{source['name']}"}
                | ({"location": dg.MetadataValue.path(location)} if location else {})
                | ({"dagster/column_schema": column_schema} if column_schema else {}),
            )
        )
    return specs


def landing_files(root: Path) -> list[Path]:
    """The partner files under the landing zone root (hidden files left out)."""
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


class DemoLandingZoneConfig(dg.Config):
    """Size and seed of the generated landing zone (`promo generate` options)."""

    seed: int = 42
    shoppers: int = 2000
    days: int = 182
    start_date: str = "2025-10-01"
    truth_dir: str | None = None


@dg.asset(
    key=dg.AssetKey([DEMO_GROUP, "generated_landing_zone"]),
    group_name=DEMO_GROUP,
    kinds={"python"},
    output_required=False,
    description=(
        "Demo only: writes a synthetic landing zone into PROMO_RAW_DIR, imitating the partners. "
        "Runs only when materialised on its own, and never over files it did not write; "
        "the landing-zone sensor then builds the rest."
    ),
)
def demo_landing_zone(
    context: dg.AssetExecutionContext, config: DemoLandingZoneConfig
) -> Iterator[dg.MaterializeResult]:
    selection = context.run.asset_selection
    if selection is not None and len(selection) > 1:
        context.log.warning("demo generator skipped: materialise it on its own (job demo_landing_zone_job)")
        return
    root = settings.raw_dir()
    if landing_files(root) and not (root / DEMO_MARKER).exists():
        raise dg.Failure(f"{root} holds partner files that the demo generator did not write: refusing to replace them")

    from promo_factory.generator import generate_landing_zone

    generate_landing_zone(
        out=root,
        truth=Path(config.truth_dir) if config.truth_dir else None,
        seed=config.seed,
        shoppers=config.shoppers,
        days=config.days,
        start_date=date.fromisoformat(config.start_date),
        clean=True,
        progress=False,
    )
    (root / DEMO_MARKER).write_text(f"seed={config.seed}\n", encoding="utf-8")
    files = landing_files(root)
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(root)),
            "files": len(files),
            "bytes": sum(path.stat().st_size for path in files),
            "seed": config.seed,
            "shoppers": config.shoppers,
            "days": config.days,
        }
    )


landing_zone = landing_zone_specs(load_manifest(), upstream=[demo_landing_zone.key])
