"""Keys checked as the models write them (macros/core/written_keys.sql).

On DuckDB the unique tests of fct_sales_lines and int_shopper_store_days are replaced by post-hooks of
int_core__sales_records and int_shopper_store_days that check only what a run rewrote (transactions, business
dates), which is exact only if no committed state of the table ever held a repeated key. So a hook must fail the
run and roll it back, in an incremental run and in a full refresh, even under a plain `dbt run` (no tests). Here
copies of the project with a broken rule (every record of a repeated sale-line key is loaded; every day row is
written twice) meet a re-delivered ALPHA file with a repeated line: both runs must fail naming the model and leave
its table as it was; the intact project loads the same landing zone and excludes the repeated line.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dbt_process import dbt_environment

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
PROMO = REPO / ".venv" / "bin" / "promo"
SELECTION = "+int_shopper_store_days"
PROJECT_PARTS = ["dbt_project.yml", "profiles.yml", "models", "python_models", "macros", "seeds", "analyses", "tests"]
HELD = "held by more than one written row"
SALES_RECORDS = "models/intermediate/core/int_core__sales_records.sql"
STORE_DAYS = "models/intermediate/core/int_shopper_store_days.sql"


def run_dbt(project: Path, args: list[str], landing: Path, warehouse: Path) -> subprocess.CompletedProcess:
    env = dbt_environment(project, warehouse, landing, project=project)
    command = [str(DBT), *args, "--no-use-colors", "--project-dir", str(project), "--select", SELECTION]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def copy_project(destination: Path) -> Path:
    destination.mkdir()
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(source, destination / part)
    return destination


def rewrite(project: Path, model: str, old: str, new: str, occurrences: int) -> None:
    path = project / model
    sql = path.read_text()
    assert sql.count(old) == occurrences, f"{model} changed: update this test"
    path.write_text(sql.replace(old, new))


def break_deduplication(project: Path) -> None:
    """Every record of a repeated key is loaded: the rank that excludes the later ones is ignored."""
    rewrite(project, SALES_RECORDS, "when duplicate_rank > 1 then", "when false then", 1)


def write_day_rows_twice(project: Path) -> None:
    rewrite(project, STORE_DAYS, "\nselect * from final\n", "\nselect * from final\nunion all\nselect * from final\n", 1)


def table_rows(warehouse: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"select * from intermediate.{table} order by all").fetchall()


def redeliver_with_a_repeated_line(landing: Path) -> tuple[str, str]:
    """Re-deliver the second ALPHA receipts file with its first line twice; returns that line's (ticket, line)."""
    receipts = sorted((landing / "alpha" / "receipts").glob("*.csv"))[1]
    header, first, *rest = receipts.read_text(encoding="utf-8").splitlines()
    receipts.write_text("\n".join([header, first, first, *rest]) + "\n", encoding="utf-8")
    ticket_id, line_number = first.split(";")[:2]
    return ticket_id, line_number


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("written_keys")
    landing = work / "landing"
    subprocess.run(
        [str(PROMO), "generate", "--seed", "5", "--shoppers", "40", "--days", "14", "--out", str(landing),
         "--truth", str(work / "truth"), "--clean", "--quiet"],
        cwd=REPO, check=True, timeout=300,
    )
    intact = copy_project(work / "intact")
    broken_sales = copy_project(work / "broken_sales")
    break_deduplication(broken_sales)
    broken_days = copy_project(work / "broken_days")
    write_day_rows_twice(broken_days)
    warehouse = work / "warehouse.duckdb"
    result = run_dbt(intact, ["run", "--full-refresh"], landing, warehouse)
    assert result.returncode == 0, result.stdout[-5000:]
    ticket_id, line_number = redeliver_with_a_repeated_line(landing)
    return {
        "landing": landing, "warehouse": warehouse, "intact": intact, "broken_sales": broken_sales,
        "broken_days": broken_days, "key": (ticket_id, int(line_number)),
    }


def assert_both_runs_fail_and_roll_back(workspace: dict, project: Path, table: str, incremental_message: str) -> None:
    landing, warehouse = workspace["landing"], workspace["warehouse"]
    before = table_rows(warehouse, table)
    for args, expected in ((["run"], incremental_message), (["run", "--full-refresh"], f"{table}: ")):
        result = run_dbt(project, args, landing, warehouse)
        assert result.returncode != 0, f"{args}: the broken rule wrote a repeated key unnoticed"
        assert expected in result.stdout and HELD in result.stdout, result.stdout[-5000:]
        assert table_rows(warehouse, table) == before, f"{args}: the failed run was not rolled back"


def test_a_repeated_sale_line_key_fails_the_run_and_rolls_it_back(workspace: dict) -> None:
    ticket_id, line_number = workspace["key"]
    # the incremental run checks the transactions of the re-delivered file only: the planted key alone; the full
    # refresh checks every record (the generator plants repeated keys of its own)
    assert_both_runs_fail_and_roll_back(
        workspace, workspace["broken_sales"], "int_core__sales_records",
        f"int_core__sales_records: 1 key(s) (retailer, transaction_id, line_number) {HELD},"
        f" e.g. ALPHA / {ticket_id} / {line_number};",
    )


def test_a_repeated_day_row_fails_the_run_and_rolls_it_back(workspace: dict) -> None:
    # every row of the rewritten business dates is written twice (in the full refresh, every row)
    assert_both_runs_fail_and_roll_back(
        workspace, workspace["broken_days"], "int_shopper_store_days",
        "int_shopper_store_days: ",
    )


def test_the_intact_rules_load_the_same_landing_zone(workspace: dict) -> None:
    ticket_id, line_number = workspace["key"]
    result = run_dbt(workspace["intact"], ["run"], workspace["landing"], workspace["warehouse"])
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(workspace["warehouse"]), read_only=True) as connection:
        reasons = connection.execute(
            "select reason from intermediate.int_core__sales_records"
            " where retailer = 'ALPHA' and transaction_id = ? and line_number = ? order by reason nulls last",
            [ticket_id, line_number],
        ).fetchall()
    # one record loaded (no reason), the other excluded as a duplicate
    assert reasons == [("duplicate_record",), (None,)]
