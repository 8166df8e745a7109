"""Incremental loads equal full rebuilds (issue 8, part 1).

A tiny generated landing zone is delivered in stages into an empty landing zone, `dbt build` running after
each stage into one warehouse: daily files arrive in batches, one daily file of each of ALPHA and BETA arrives
late (after files of later days), every re-delivered file first arrives as the superseded original of the
generator (`<truth>/redelivered/`) and is replaced by the corrected file in the next stage, a GAMMA daily file
leaves the landing zone in the second stage and comes back in the third, BETA orders get their later status in
later files, the GAMMA SKU map first arrives without its last rows and whole in the third stage (reference data
that changed: every record is validated again, their lines quarantined as unknown_sku are loaded), the erasure
requests arrive in the second stage (shoppers already loaded must drop out), one of them
is withdrawn in the third stage and made again in the fourth, and the last day arrives alone in a fifth stage,
with the campaigns' true retailers (first delivered at ALPHA alone: the campaign features must notice the changed
scopes). The history spans three calendar months and the last day falls in the third: the
fifth stage rewrites that month alone (the monthly marts keep the earlier ones), and a buyer of a brand in that
month who bought it in the first month but not in the second is recovered only if the first month is looked up
in the months kept. Then `dbt build --full-refresh` on the final landing zone builds a second warehouse: every
table of the `marts` and `intermediate` schemas must hold the same columns and the same rows (`except all` both
ways), and fct_sales_lines must equal the generator's truth. After every stage, the file-versions list of each
staging table and of int_core__sales_records must hold exactly the versions and row counts of its rows. Before the
full refresh, the same incremental build runs once more with no new file: it must change no table (idempotency).
The shopper features run on a training grid small enough for 45 days and kept in place (FEATURE_GRID_VARS), so
that their incremental runs keep some as-of dates and recompute others.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from dbt_process import dbt_environment

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
PROMO = REPO / ".venv" / "bin" / "promo"
# The core models and the models that are incremental downstream of them (KPI marts by week or month,
# shopper features by as-of date), with the models they read.
SELECTION = [
    "staging", "intermediate.core", "marts.core", "marts.dq", "path:tests/dbt/core",
    "intermediate.kpi", "marts.kpi", "kpi_french_departements",
    "int_feature_as_of_dates", "int_shopper_store_days", "int_shopper_category_days", "int_shopper_features",
    "int_shopper_brand_features", "int_shopper_campaign_features",
]
START = date(2025, 9, 24)  # three calendar months: September from the 24th, October, November to the 7th
DAYS = 45
SHOPPERS = 80
SEED = 11
HELD_BACK_SKUS = 20  # the last rows of the GAMMA SKU map, delivered in stage 3
# A training grid that fits the 45 days and stays in place as days arrive (`feature_grid_anchor: history_start`;
# with the default anchor every date moves each day and is recomputed anyway): a grid date from the 5th day on,
# every 3 days, with a 2-day target window. Later stages change transactions of earlier days (late and
# re-delivered files, status updates), so the feature tables must recompute exactly the dates whose window holds
# one and keep the others.
FEATURE_GRID_VARS = {
    "feature_grid_anchor": "history_start", "feature_min_history_days": 4, "feature_grid_step_days": 3,
    "propensity_horizon_days": 2,
}
# The tables that keep a list of the file versions they hold, checked against their rows after every stage.
FILE_VERSION_TABLES = [
    ("staging", "stg_alpha__receipt_lines"), ("staging", "stg_beta__order_items"),
    ("staging", "stg_gamma__transaction_lines"), ("intermediate", "int_core__sales_records"),
]
# Tables rebuilt whole by design, not expected to match between the two warehouses.
RUN_STATE_TABLES = {
    "int_core__changed_records", "int_core__changed_transactions", "int_kpi__changed_weeks", "int_kpi__changed_months",
}


def run_dbt(args: list[str], raw_dir: Path, work: Path) -> subprocess.CompletedProcess:
    env = dbt_environment(work, work / "warehouse.duckdb", raw_dir)
    command = [
        str(DBT), *args, "--no-use-colors", "--indirect-selection", "cautious", "--select", *SELECTION,
        # the unit tests (run by `make test`'s build) expect the project's grid vars
        "--vars", json.dumps(FEATURE_GRID_VARS), "--exclude-resource-type", "unit_test",
    ]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def day_of(relative: str) -> date | None:
    """The business day in a daily file's path (None for a reference file)."""
    for part in relative.replace("date=", "").replace(".", "/").split("/"):
        try:
            return date.fromisoformat(part)
        except ValueError:
            continue
    return None


def deliver(source: Path | None, landing: Path, relative: str) -> None:
    """Copy one file into the landing zone (a new file, modification time = now: a new delivery); None: take the
    file out of the landing zone."""
    target = landing / relative
    if source is None:
        target.unlink()
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def stages(full: Path, truth: Path) -> list[list[tuple[Path, str]]]:
    """The deliveries of each stage: (file to copy, its path in the landing zone)."""
    manifest = json.loads((truth / "manifest.json").read_text())
    redelivered = set(manifest["redelivered_files"])
    files = sorted(path.relative_to(full).as_posix() for path in full.rglob("*") if path.is_file())
    daily = [relative for relative in files if day_of(relative) is not None]
    reference = [relative for relative in files if day_of(relative) is None]
    cuts = [START + timedelta(days=6), START + timedelta(days=11)]
    late = {
        next(f for f in daily if f.startswith("alpha/") and day_of(f) == START + timedelta(days=2)),
        next(f for f in daily if f.startswith("beta/") and day_of(f) == START + timedelta(days=3)),
    }
    last_day = START + timedelta(days=DAYS - 1)
    # the day before the last in stage 4, the last day alone in stage 5: a run that changes one month and keeps the
    # earlier ones
    final_stages = {last_day - timedelta(days=1): 3, last_day: 4}
    batches: list[list[tuple[Path, str]]] = [[], [], [], [], []]
    for relative in daily:
        index = 0 if day_of(relative) < cuts[0] else 1 if day_of(relative) < cuts[1] else 2
        if relative in late:
            index += 1
        if relative in redelivered:
            batches[index].append((truth / "redelivered" / relative, relative))
            index += 1
        batches[final_stages.get(day_of(relative), min(index, 2))].append((full / relative, relative))
    erasures = "privacy/erasure_requests.csv"
    header_only = full.parent / "erasure_header_only.csv"
    header_only.write_text((full / erasures).read_text().splitlines()[0] + "\n")
    # the first request withdrawn in stage 3 and made again in stage 4: erasure flips both ways
    one_withdrawn = full.parent / "erasure_first_withdrawn.csv"
    header, _, *other_requests = (full / erasures).read_text().splitlines()
    one_withdrawn.write_text("\n".join([header, *other_requests]) + "\n")
    # the campaigns first arrive with every campaign at ALPHA alone, corrected in stage 5 (the last day alone,
    # outside the windows of the past campaigns): the campaign features must notice the changed scopes
    campaigns = "campaigns/campaigns.csv"
    first_campaigns = full.parent / "campaigns_at_alpha_only.csv"
    with (full / campaigns).open(newline="") as delivered, first_campaigns.open("w", newline="") as first:
        rows = list(csv.DictReader(delivered))
        writer = csv.DictWriter(first, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "retailers": "ALPHA"} for row in rows)
    # the SKU map first arrives incomplete, whole in stage 3: the reference data changes
    sku_map = "gamma/sku_map.csv"
    incomplete_sku_map = full.parent / "sku_map_incomplete.csv"
    header, *mappings = (full / sku_map).read_text().splitlines()
    incomplete_sku_map.write_text("\n".join([header, *mappings[:-HELD_BACK_SKUS]]) + "\n")
    staged_references = (erasures, campaigns, sku_map)
    batches[0] += [(full / relative, relative) for relative in reference if relative not in staged_references]
    batches[0] += [(header_only, erasures), (first_campaigns, campaigns), (incomplete_sku_map, sku_map)]
    batches[1].append((full / erasures, erasures))
    batches[2].append((one_withdrawn, erasures))
    batches[2].append((full / sku_map, sku_map))
    batches[3].append((full / erasures, erasures))
    batches[4].append((full / campaigns, campaigns))
    # a daily file of stage 1 leaves the landing zone in stage 2 (its rows must go) and comes back in stage 3
    removed = next(relative for source, relative in batches[0] if relative.startswith("gamma/"))
    batches[1].append((None, removed))
    batches[2].append((full / removed, removed))
    return batches


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    work = tmp_path_factory.mktemp("incremental")
    full, truth = work / "full", work / "truth"
    subprocess.run(
        [str(PROMO), "generate", "--seed", str(SEED), "--shoppers", str(SHOPPERS), "--days", str(DAYS),
         "--start-date", START.isoformat(), "--out", str(full), "--truth", str(truth), "--clean", "--quiet"],
        cwd=REPO, check=True, timeout=300,
    )
    manifest = json.loads((truth / "manifest.json").read_text())
    assert len(manifest["redelivered_files"]) >= 2, manifest["redelivered_files"]

    landing, incremental = work / "landing", work / "incremental"
    erased_by_stage, unknown_skus_by_stage, delivered_by_stage = [], [], []
    for number, batch in enumerate(stages(full, truth), start=1):
        for source, relative in batch:
            deliver(source, landing, relative)
        result = run_dbt(["build"], landing, incremental)
        assert result.returncode == 0, f"stage {number}:\n{result.stdout[-5000:]}"
        assert file_version_list_mismatches(incremental / "warehouse.duckdb") == {}, f"stage {number}"
        if number > 1:
            assert recounted_staging_file_version_lists(incremental / "logs" / "dbt.log") == [], f"stage {number}"
        erased_by_stage.append(erased_shoppers_with_lines(incremental / "warehouse.duckdb"))
        unknown_skus_by_stage.append(unknown_sku_records_by_file(incremental / "warehouse.duckdb"))
        delivered_by_stage.append(sorted(relative for _, relative in batch))
    (work / "erased_by_stage.json").write_text(json.dumps(erased_by_stage))
    (work / "unknown_skus_by_stage.json").write_text(json.dumps(
        {"unknown_sku_records": unknown_skus_by_stage, "delivered": delivered_by_stage}))

    # Idempotency: the same build again, with no new file, must change nothing.
    shutil.copyfile(incremental / "warehouse.duckdb", work / "before_rerun.duckdb")
    result = run_dbt(["build"], landing, incremental)
    assert result.returncode == 0, f"rerun:\n{result.stdout[-5000:]}"

    rebuilt = work / "rebuilt"
    result = run_dbt(["build", "--full-refresh"], landing, rebuilt)
    assert result.returncode == 0, result.stdout[-5000:]
    return incremental / "warehouse.duckdb", rebuilt / "warehouse.duckdb", truth


def file_version_list_mismatches(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Per table that keeps a file-versions list (macros/landing/file_versions.sql): entries only in the list, only
    in the table's rows (source_file, source_file_version, row count)."""
    mismatches = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for schema, table in FILE_VERSION_TABLES:
            listed = f"select source_file, source_file_version, n_rows from {schema}.{table}__file_versions"
            counted = (
                f"select source_file, source_file_version, count(*) from {schema}.{table}"
                " group by source_file, source_file_version"
            )
            only_listed = connection.sql(f"select count(*) from ({listed} except all {counted})").fetchall()[0][0]
            only_counted = connection.sql(f"select count(*) from ({counted} except all {listed})").fetchall()[0][0]
            if only_listed or only_counted:
                mismatches[table] = (only_listed, only_counted)
    return mismatches


def erased_shoppers_with_lines(warehouse: Path) -> dict[str, list[str]]:
    """The shoppers whose lines are excluded as erased_shopper, and the shoppers with loaded lines."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        erased, loaded = (
            sorted(row[0] for row in connection.sql(
                "select distinct shopper_key from intermediate.int_core__sales_records"
                f" where {condition} and shopper_key is not null"
            ).fetchall())
            for condition in ("reason = 'erased_shopper'", "reason is null")  # a loaded record has no reason
        )
    return {"erased": erased, "loaded": loaded}


def unknown_sku_records_by_file(warehouse: Path) -> dict[str, int]:
    """The records quarantined as unknown_sku, per raw file."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return dict(connection.sql(
            "select source_file, count(*) from intermediate.int_core__sales_records"
            " where reason = 'unknown_sku' group by source_file"
        ).fetchall())


def recounted_staging_file_version_lists(log: Path) -> list[str]:
    """The staging tables whose file-versions list the last dbt invocation in `log` counted again from every row:
    none in an incremental run, whose post-hooks count only the files that changed (a recount is the fallback for
    a list that lost track, which would hide a broken update behind a slow but correct result)."""
    text = log.read_text(errors="replace")
    last_run = text[text.rindex("Running with dbt="):]
    return sorted(set(re.findall(r'create or replace table "\w+"\."staging"\."(\w+)__file_versions"', last_run)))


def tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    return connection.sql(
        "select table_schema, table_name from information_schema.tables"
        f" where table_catalog = '{catalog}' and table_schema in ('marts', 'intermediate')"
        # views too: fct_sales_lines is a view of int_core__sales_records
        " and table_type in ('BASE TABLE', 'VIEW') order by 1, 2"
    ).fetchall()


def columns(connection: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list[tuple[str, str]]:
    return connection.sql(
        "select column_name, data_type from information_schema.columns"
        f" where table_catalog = '{catalog}' and table_schema = '{schema}' and table_name = '{table}'"
        " order by ordinal_position"
    ).fetchall()


def differing_tables(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Per table or view of `marts` and `intermediate` (run-state tables aside): rows only in left, only in right.
    Both warehouses must hold the same tables with the same columns."""
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_warehouse (read_only)")
        connection.execute(f"attach '{right}' as right_warehouse (read_only)")
        expected_tables = tables(connection, "right_warehouse")
        assert ("marts", "fct_sales_lines") in expected_tables
        assert ("marts", "dq_reconciliation") in expected_tables
        assert tables(connection, "left_warehouse") == expected_tables
        differences = {}
        for schema, table in expected_tables:
            if table in RUN_STATE_TABLES:
                continue
            assert columns(connection, "left_warehouse", schema, table) == columns(
                connection, "right_warehouse", schema, table)
            # a sum of doubles depends on the order DuckDB's threads add it up (2e-16 apart): doubles are
            # compared to 9 decimals, every other type exactly
            listed = ", ".join(
                f'round("{name}", 9)' if data_type in ("DOUBLE", "FLOAT") else f'"{name}"'
                for name, data_type in columns(connection, "right_warehouse", schema, table)
            )
            a = f"select {listed} from left_warehouse.{schema}.{table}"
            b = f"select {listed} from right_warehouse.{schema}.{table}"
            only_left = connection.sql(f"select count(*) from ({a} except all {b})").fetchall()[0][0]
            only_right = connection.sql(f"select count(*) from ({b} except all {a})").fetchall()[0][0]
            if only_left or only_right:
                differences[f"{schema}.{table}"] = (only_left, only_right)
    return differences


def test_incremental_runs_equal_a_full_refresh(warehouses: tuple[Path, Path, Path]) -> None:
    incremental, rebuilt, _ = warehouses
    assert differing_tables(incremental, rebuilt) == {}


def test_a_rerun_without_new_files_changes_nothing(warehouses: tuple[Path, Path, Path]) -> None:
    incremental, _, _ = warehouses
    before_rerun = incremental.parent.parent / "before_rerun.duckdb"
    assert differing_tables(incremental, before_rerun) == {}


def test_history_exercises_every_change(warehouses: tuple[Path, Path, Path]) -> None:
    """The staged history really contains what the test claims: superseded BETA versions, erased shoppers,
    several weeks of KPIs, recovered buyers in the month the last stage rewrites alone, shopper features at several
    as-of dates."""
    incremental, _, _ = warehouses
    with duckdb.connect(str(incremental), read_only=True) as connection:
        reasons = dict(connection.sql(
            "select reason, sum(rows) from marts.dq_exclusions group by reason"
        ).fetchall())
        balance = connection.sql(
            "select count(*) from marts.dq_reconciliation"
            " where rows_read <> rows_loaded + rows_excluded + rows_quarantined"
        ).fetchall()[0][0]
        weeks = connection.sql("select count(distinct week_start) from marts.kpi_brand_weekly").fetchall()[0][0]
        months, last_month_recovered_buyers = connection.sql(
            "select count(distinct period_start),"
            " sum(case when period_start = (select max(period_start) from marts.kpi_brand_buyer_dynamics_monthly)"
            " then recovered_buyers else 0 end)"
            " from marts.kpi_brand_buyer_dynamics_monthly"
        ).fetchall()[0]
        feature_dates = connection.sql(
            "select count(distinct as_of_date) from intermediate.int_shopper_features"
        ).fetchall()[0][0]
        campaign_feature_campaigns = connection.sql(
            "select count(distinct campaign_id) from intermediate.int_shopper_campaign_features"
            " where retailer <> 'ALPHA'"
        ).fetchall()[0][0]
        brand_grid_dates = connection.sql(
            "select count(distinct features.as_of_date) from intermediate.int_shopper_brand_features as features"
            " inner join intermediate.int_feature_as_of_dates as dates"
            " on features.as_of_date = dates.as_of_date and dates.is_training_grid"
        ).fetchall()[0][0]
    assert reasons.get("superseded_version", 0) > 0
    assert reasons.get("erased_shopper", 0) > 0
    assert balance == 0
    assert weeks >= 3
    assert months == 3
    assert last_month_recovered_buyers > 0  # stage 5 rewrites November: their first month is in September
    assert feature_dates >= 2  # the scoring date moved with every stage; campaign starts stayed or were redone
    assert brand_grid_dates >= 3  # grid dates kept, added or recomputed across the stages
    assert campaign_feature_campaigns >= 2  # campaigns whose scope gained retailers in stage 5


def test_a_withdrawn_erasure_reloads_the_lines_and_a_new_one_excludes_them(
    warehouses: tuple[Path, Path, Path]
) -> None:
    """Stage 2 delivers the erasure requests, stage 3 withdraws the first one, stage 4 makes it again: the
    incremental runs must exclude, load again, then exclude that shopper's lines."""
    incremental, _, _ = warehouses
    stages_seen = json.loads((incremental.parent.parent / "erased_by_stage.json").read_text())
    erased = [set(stage["erased"]) for stage in stages_seen]
    loaded = [set(stage["loaded"]) for stage in stages_seen]
    assert erased[0] == set() and erased[1], "the requests of stage 2 should exclude loaded shoppers"
    withdrawn = erased[1] - erased[2]
    # exactly one shopper leaves the erased set (later days may add erased shoppers whose lines arrive only then)
    assert len(withdrawn) == 1, (erased[1], erased[2])
    assert withdrawn <= loaded[2] and not withdrawn & loaded[1] and not withdrawn & loaded[3]
    assert erased[3] >= erased[1]


def test_incremental_fct_sales_lines_equals_the_truth(warehouses: tuple[Path, Path, Path]) -> None:
    incremental, _, truth = warehouses
    with duckdb.connect(str(incremental), read_only=True) as connection:
        truth_columns = [row[0] for row in connection.sql(
            f"describe select * from read_parquet('{truth / 'sales_lines.parquet'}')"
        ).fetchall()]
        listed = ", ".join(truth_columns)
        published = f"select {listed} from marts.fct_sales_lines"
        expected = f"select {listed} from read_parquet('{truth / 'sales_lines.parquet'}')"
        only_published = connection.sql(f"select count(*) from ({published} except all {expected})").fetchall()[0][0]
        only_truth = connection.sql(f"select count(*) from ({expected} except all {published})").fetchall()[0][0]
        n_lines = connection.sql("select count(*) from marts.fct_sales_lines").fetchall()[0][0]
    assert n_lines > 0
    assert (only_published, only_truth) == (0, 0)


def test_a_completed_reference_file_validates_the_records_of_unchanged_files_again(
    warehouses: tuple[Path, Path, Path]
) -> None:
    """Stage 3 completes the GAMMA SKU map: lines of earlier files quarantined as unknown_sku must be validated again
    although their files did not change (the reference data the records were validated against changed)."""
    incremental, _, _ = warehouses
    seen = json.loads((incremental.parent.parent / "unknown_skus_by_stage.json").read_text())
    before, after = seen["unknown_sku_records"][1], seen["unknown_sku_records"][2]
    unchanged_files = [source_file for source_file in before if source_file not in seen["delivered"][2]]
    assert sum(before[f] for f in unchanged_files) > 0, "the incomplete SKU map should quarantine earlier lines"
    assert sum(after.get(f, 0) for f in unchanged_files) < sum(before[f] for f in unchanged_files)
