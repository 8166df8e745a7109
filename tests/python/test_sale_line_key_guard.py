"""The sale-line key is checked as int_core__sales_records writes it (macros/core/sale_line_keys.sql).

On DuckDB the unique test of fct_sales_lines is replaced by a post-hook of int_core__sales_records that checks
only the transactions a run rewrote, which is exact only if no committed state of the table ever held a repeated
key. So the hook must fail the run and roll it back, in an incremental run and in a full refresh, even under a
plain `dbt run` (no tests). Here a copy of the project whose deduplication rule is broken (every record of a
repeated key is loaded) meets a re-delivered ALPHA file with a repeated line: both runs must fail naming the
model and leave the table as it was; the intact project loads the same landing zone and excludes the copy.
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
SELECTION = "+int_core__sales_records"
PROJECT_PARTS = ["dbt_project.yml", "profiles.yml", "models", "python_models", "macros", "seeds", "analyses", "tests"]
KEY_NAME = "(retailer, transaction_id, line_number)"
HELD = "held by more than one loaded record"
SALES_RECORDS = Path("models/intermediate/core/int_core__sales_records.sql")


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


def break_deduplication(project: Path) -> None:
    """Every record of a repeated key is loaded: the rank that excludes the later ones is ignored."""
    model = project / SALES_RECORDS
    sql = model.read_text()
    assert sql.count("when duplicate_rank > 1 then") == 2, "the deduplication rule moved: update this test"
    model.write_text(sql.replace("when duplicate_rank > 1 then", "when false then"))


def sales_records_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(
            "select * from intermediate.int_core__sales_records order by all"
        ).fetchall()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("sale_line_keys")
    landing = work / "landing"
    subprocess.run(
        [str(PROMO), "generate", "--seed", "5", "--shoppers", "40", "--days", "14", "--out", str(landing),
         "--truth", str(work / "truth"), "--clean", "--quiet"],
        cwd=REPO, check=True, timeout=300,
    )
    intact = copy_project(work / "intact")
    broken = copy_project(work / "broken")
    break_deduplication(broken)
    warehouse = work / "warehouse.duckdb"
    result = run_dbt(intact, ["run", "--full-refresh"], landing, warehouse)
    assert result.returncode == 0, result.stdout[-5000:]
    return {"work": work, "landing": landing, "intact": intact, "broken": broken, "warehouse": warehouse}


def redeliver_with_a_repeated_line(landing: Path) -> tuple[str, str]:
    """Re-deliver the second ALPHA receipts file with its first line twice; returns that line's (ticket, line)."""
    receipts = sorted((landing / "alpha" / "receipts").glob("*.csv"))[1]
    header, first, *rest = receipts.read_text(encoding="utf-8").splitlines()
    receipts.write_text("\n".join([header, first, first, *rest]) + "\n", encoding="utf-8")
    ticket_id, line_number = first.split(";")[:2]
    return ticket_id, line_number


def test_a_repeated_loaded_key_fails_the_run_and_rolls_it_back(workspace: dict[str, Path]) -> None:
    landing, warehouse = workspace["landing"], workspace["warehouse"]
    before = sales_records_rows(warehouse)
    ticket_id, line_number = redeliver_with_a_repeated_line(landing)

    # the incremental run checks the transactions of the re-delivered file: the planted key only; the full
    # refresh checks every record (the generator plants repeated keys of its own)
    for args, expected in ((["run"], f"1 sale-line key(s) {KEY_NAME} {HELD}, e.g. ALPHA / {ticket_id} / {int(line_number)};"),
                           (["run", "--full-refresh"], HELD)):
        result = run_dbt(workspace["broken"], args, landing, warehouse)
        assert result.returncode != 0, f"{args}: the broken rule loaded a repeated key unnoticed"
        assert expected in result.stdout, result.stdout[-5000:]
        assert sales_records_rows(warehouse) == before, f"{args}: the failed run was not rolled back"

    # the same landing zone with the intact rule: the run passes and the repeated line is excluded
    result = run_dbt(workspace["intact"], ["run"], landing, warehouse)
    assert result.returncode == 0, result.stdout[-5000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        outcomes = connection.execute(
            "select outcome, reason from intermediate.int_core__sales_records"
            " where retailer = 'ALPHA' and transaction_id = ? and line_number = ? order by outcome",
            [ticket_id, int(line_number)],
        ).fetchall()
    assert outcomes == [("excluded", "duplicate_record"), ("loaded", None)]
