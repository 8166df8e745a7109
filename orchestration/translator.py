"""Asset keys and groups of the dbt resources, decided in one place.

- key: `[schema, name]` for models and seeds (`marts/fct_sales_lines`: the
  table's address in the warehouse), `[landing_zone, source, table]` for the
  partner files behind the dbt sources;
- group: the layer, i.e. the first folder under `models/` or `python_models/`
  (staging, intermediate, marts, measurement, scores, offers), `seeds` for
  seeds, `landing_zone` for sources;
- published tables (schema `marts`) carry a freshness policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAYERS = ("staging", "intermediate", "marts", "measurement", "scores", "offers")
LANDING_GROUP = "landing_zone"
SEEDS_GROUP = "seeds"
OTHER_GROUP = "dbt"
PUBLISHED_SCHEMA = "marts"

# The published tables are rebuilt at least daily (schedule) and whenever files land (sensor).
PUBLISHED_FRESHNESS = dg.FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str:
    """The group of a dbt resource: its layer folder, `seeds`, or `landing_zone`."""
    resource_type = dbt_resource_props["resource_type"]
    if resource_type == "source":
        return LANDING_GROUP
    if resource_type == "seed":
        return SEEDS_GROUP
    fqn = dbt_resource_props.get("fqn") or []
    # fqn = [project, folder, ..., name]: a model at the root of a model path has no folder.
    if len(fqn) > 2 and fqn[1] in LAYERS:
        return fqn[1]
    return OTHER_GROUP


def is_published(dbt_resource_props: Mapping[str, Any]) -> bool:
    """True for the models that land in the published schema `marts`."""
    return dbt_resource_props["resource_type"] == "model" and dbt_resource_props.get("schema") == PUBLISHED_SCHEMA


class PromoDbtTranslator(DagsterDbtTranslator):
    """Keys by warehouse address, groups by layer, freshness on the published tables."""

    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([LANDING_GROUP, dbt_resource_props["source_name"], dbt_resource_props["name"]])
        name = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([dbt_resource_props.get("schema") or "main", name])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props)

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        return {**super().get_tags(dbt_resource_props), "layer": layer_of(dbt_resource_props)}

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if is_published(self.get_resource_props(manifest, unique_id)):
            spec = spec.replace_attributes(freshness_policy=PUBLISHED_FRESHNESS)
        return spec


TRANSLATOR = PromoDbtTranslator()
