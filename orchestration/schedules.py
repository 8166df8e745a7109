"""Daily schedule: the full graph from scratch every morning (Paris time), when there is data."""


import dagster as dg

from orchestration.assets.landing import landing_files
from orchestration.jobs import full_graph_job
from promo_factory import settings


@dg.schedule(
    job=full_graph_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Europe/Paris",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="06:00 Europe/Paris: dbt build --full-refresh, snapshot, report, export.",
)
def daily_full_graph(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    if not landing_files(settings.raw_dir()):
        return dg.SkipReason(f"the landing zone {settings.raw_dir()} is empty")
    return dg.RunRequest(run_key=context.scheduled_execution_time.isoformat())
