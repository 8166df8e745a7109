"""The one `Definitions` of promo_factory: partner files -> dbt layers -> published outputs.

Groups: demo, landing_zone, seeds, staging, intermediate, marts, measurement,
scores, offers, published. Jobs, schedule and sensors in their own modules.
Steps run in the run's process: the warehouse steps are serialised anyway
(pool duckdb_warehouse), and a subprocess per step would reload the code.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_models
from orchestration.assets.landing import demo_landing_zone, landing_zone
from orchestration.assets.publishing import PUBLISHING_ASSETS
from orchestration.jobs import JOBS
from orchestration.resources import build_resources
from orchestration.schedules import daily_full_graph
from orchestration.sensors import landing_zone_sensor

defs = dg.Definitions(
    assets=[demo_landing_zone, *landing_zone, dbt_models, *PUBLISHING_ASSETS],
    jobs=JOBS,
    schedules=[daily_full_graph],
    sensors=[landing_zone_sensor],
    resources=build_resources(),
    executor=dg.in_process_executor,
)
