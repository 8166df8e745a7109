"""Landing-zone sensor: a new or re-delivered partner file launches the incremental build.

The cursor is the fingerprint of the landing zone, `{relative path: "mtime_ns:size"}`.
A file still being written (modified less than SETTLE_SECONDS ago) waits for
the next tick. While a warehouse run is queued or in progress the sensor
skips without moving its cursor, so the change is picked up afterwards.
"""


import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path

import dagster as dg

from orchestration.assets.landing import landing_files
from orchestration.jobs import WAREHOUSE_TAG_KEY, dbt_build_job
from promo_factory import settings

SETTLE_SECONDS = 10.0
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]

Fingerprint = dict[str, str]


def fingerprint(root: Path, now: float, settle_seconds: float = SETTLE_SECONDS) -> tuple[Fingerprint, set[str]]:
    """(settled files -> "mtime_ns:size", files still being written) under the landing zone root."""
    settled: Fingerprint = {}
    in_flight: set[str] = set()
    for path in landing_files(root):
        stat = path.stat()
        name = path.relative_to(root).as_posix()
        if now - stat.st_mtime < settle_seconds:
            in_flight.add(name)
        else:
            settled[name] = f"{stat.st_mtime_ns}:{stat.st_size}"
    return settled, in_flight


def changed_files(previous: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Files added, re-delivered (other mtime or size) or removed since the previous fingerprint."""
    return sorted(name for name in set(previous) | set(current) if previous.get(name) != current.get(name))


def next_cursor(previous: Mapping[str, str], settled: Mapping[str, str], in_flight: set[str]) -> Fingerprint:
    """The settled fingerprint; files in flight keep their previous entry until they settle."""
    return {**{name: previous[name] for name in in_flight if name in previous}, **settled}


def decode_cursor(cursor: str | None) -> Fingerprint:
    return json.loads(cursor) if cursor else {}


def encode_cursor(files: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(files.items())), separators=(",", ":"))


def warehouse_run_in_progress(instance: dg.DagsterInstance) -> bool:
    """True when a run of the build job, or any other warehouse writer, is queued or running."""
    for filters in (
        dg.RunsFilter(job_name=dbt_build_job.name, statuses=IN_FLIGHT),
        dg.RunsFilter(tags={WAREHOUSE_TAG_KEY: "duckdb"}, statuses=IN_FLIGHT),
    ):
        if instance.get_runs_count(filters=filters) > 0:
            return True
    return False


@dg.sensor(
    job=dbt_build_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches PROMO_RAW_DIR; new or re-delivered files launch the incremental build.",
)
def landing_zone_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    previous = decode_cursor(context.cursor)
    settled, in_flight = fingerprint(settings.raw_dir(), now=time.time())
    current = next_cursor(previous, settled, in_flight)
    changes = changed_files(previous, current)
    if not changes:
        waiting = f" ({len(in_flight)} file(s) still being written)" if in_flight else ""
        return dg.SkipReason(f"no new or re-delivered file in {settings.raw_dir()}{waiting}")
    if warehouse_run_in_progress(context.instance):
        return dg.SkipReason(f"{len(changes)} changed file(s) wait: a warehouse run is in progress")
    cursor = encode_cursor(current)
    shown = ", ".join(changes[:5]) + (f" and {len(changes) - 5} more" if len(changes) > 5 else "")
    context.log.info(f"{len(changes)} changed file(s): {shown}")
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(
                run_key=hashlib.sha256(cursor.encode()).hexdigest()[:16],
                tags={"promo_factory/changed_files": str(len(changes))},
            )
        ],
        cursor=cursor,
    )
