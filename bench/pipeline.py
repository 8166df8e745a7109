"""Whole-process benchmark of the pipeline (issue: scale).

For each scale (sale lines in the history), median over several runs of the
wall time, CPU time (user + sys) and peak resident memory of each step, every step a separate
process as a user would run it:

- ``generate``   the sample generator (history + one extra day),
- ``replicate``  with ``--copies N`` only: the generated history copied N-1 times further back in time
  (``bench.replicate``; the generator holds the whole history in memory, so 100M lines are built as
  10 copies of a 10M history),
- ``floor``      DuckDB reading every raw file of the history once,
- ``full_build`` ``dbt build --full-refresh`` of the SQL graph (staging, shared schema, data quality,
  KPIs, campaign outcome tables, features, with their tests) on the history,
- ``incremental_day`` the same ``dbt build`` after the extra day has landed,
- ``unchanged_day`` the same ``dbt build`` once more, nothing new landed: the part of a daily run that does
  not depend on the new data (dbt's start and its ~200 nodes, the tables rebuilt whole), which a day at
  this scale cannot go below,
- ``publish``    the read-only snapshot,
- ``score_allocate`` ``dbt build`` of the dbt Python models (campaign statistics, propensity and uplift
  training and scoring, offer allocation) and of what depends on them.

The Python models are measured apart from the SQL build because they do not scale with the sale lines
(they train on samples of shoppers) and would hide the SQL engine's ratio to the floor.

Usage: ``python -m bench [--lines 1M,10M] [--runs 3]`` (``make bench``); results go to
``bench/results/pipeline.json``. On demand: ``--lines 100M --copies 10 --runs 1 --out bench/results/pipeline_100M.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from promo_factory.settings import DBT_DATA_RUN_ARGS

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results"
CALIBRATION_SHOPPERS = 400
DAYS = 182
START_DATE = date(2025, 10, 1)


@dataclass
class Step:
    scale: str
    step: str
    lines: int
    seconds: list[float]
    peak_mb: list[float]
    # user + sys of the process and its children: unlike the wall time, barely moved by other load on the machine
    cpu_seconds: list[float]

    @property
    def median_seconds(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_cpu_seconds(self) -> float:
        return statistics.median(self.cpu_seconds)

    @property
    def median_peak_mb(self) -> float:
        return statistics.median(self.peak_mb)


def parse_lines(text: str) -> int:
    """'10M' -> 10_000_000, '500k' -> 500_000."""
    multipliers = {"k": 1_000, "m": 1_000_000}
    suffix = text[-1].lower()
    return int(float(text[:-1]) * multipliers[suffix]) if suffix in multipliers else int(text)


def run_measured(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """Run one process to completion; return (wall seconds, peak RSS in MB, CPU seconds: user + sys) of it and
    its children. The wall and CPU times are also printed and appended to the log."""
    with log.open("ab") as sink:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    note = f"[bench] {command[1] if len(command) > 1 else command[0]}: wall {elapsed:.1f} s, cpu (user+sys) {cpu:.1f} s"
    print(note, flush=True)
    with log.open("a") as sink:
        sink.write(note + "\n")
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command)} failed ({process.returncode}); log {log}:\n{tail}")
    return elapsed, usage.ru_maxrss / 1024, cpu


def generator_command(out: Path, truth: Path, shoppers: int, days: int, seed: int) -> list[str]:
    return [
        str(BIN / "promo"), "generate", "--seed", str(seed), "--shoppers", str(shoppers),
        "--days", str(days), "--start-date", START_DATE.isoformat(),
        "--out", str(out), "--truth", str(truth), "--clean", "--quiet",
    ]


def lines_per_shopper(workdir: Path, env: dict[str, str]) -> float:
    """Calibrate the generator: loaded sale lines per identified shopper over DAYS days."""
    out, truth = workdir / "calibration" / "raw", workdir / "calibration" / "truth"
    run_measured(generator_command(out, truth, CALIBRATION_SHOPPERS, DAYS, 1), env, workdir / "calibration.log")
    lines = duckdb.execute(f"select count(*) from read_parquet('{truth}/sales_lines.parquet')").fetchone()[0]
    return lines / CALIBRATION_SHOPPERS


def split_last_day(full: Path, history: Path, last_day: date) -> list[Path]:
    """Hard-link the landing zone into `history` without the daily files of `last_day`; return those files."""
    shutil.rmtree(history, ignore_errors=True)
    day = last_day.isoformat()
    held_back: list[Path] = []
    for source in full.rglob("*"):
        if source.is_dir():
            continue
        relative = source.relative_to(full)
        if day in relative.as_posix():
            held_back.append(relative)
            continue
        target = history / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
    return held_back


def land(full: Path, history: Path, files: list[Path]) -> None:
    for relative in files:
        target = history / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(full / relative, target)


FLOOR_SCRIPT = """
import duckdb, sys
raw = sys.argv[1]
con = duckdb.connect()
con.execute(f"create table alpha as select * from read_csv('{raw}/alpha/receipts/*.csv', delim=';', header=true, all_varchar=true, filename=true)")
con.execute(f"create table beta as select * from read_text('{raw}/beta/orders/*.jsonl')")
con.execute(f"create table gamma as select * from read_parquet('{raw}/gamma/transactions/*/*.parquet', union_by_name=true, filename=true)")
"""


def bench_scale(label: str, target_lines: int, runs: int, ratio: float, workdir: Path, env: dict[str, str],
                copies: int = 1) -> list[Step]:
    scale_dir = workdir / label
    scale_dir.mkdir(parents=True, exist_ok=True)
    shoppers = max(50, round(target_lines / copies / ratio))
    generated, truth, history = scale_dir / "raw_full", scale_dir / "truth", scale_dir / "raw"
    full = scale_dir / "raw_copies" if copies > 1 else generated
    warehouse, published = scale_dir / "warehouse.duckdb", scale_dir / "published.duckdb"
    step_env = {
        **env,
        "PROMO_RAW_DIR": str(history),
        "PROMO_WAREHOUSE": str(warehouse),
        "PROMO_PUBLISHED": str(published),
        "DBT_TARGET_PATH": str(scale_dir / "target"),
        "DBT_LOG_PATH": str(scale_dir / "logs"),
    }
    log = scale_dir / "bench.log"
    timings: dict[str, list[tuple[float, float, float]]] = {}
    lines = 0
    python_models = "path:python_models+"
    dbt_build = [str(BIN / "dbt"), "build", *DBT_DATA_RUN_ARGS]
    for run in range(runs):
        print(f"[{label}] run {run + 1}/{runs}", flush=True)
        timings.setdefault("generate", []).append(
            run_measured(generator_command(generated, truth, shoppers, DAYS + 1, 42), env, log)
        )
        if copies > 1:
            timings.setdefault("replicate", []).append(run_measured(
                [str(BIN / "python"), "-m", "bench.replicate", str(generated), str(full), "--copies", str(copies)], env, log
            ))
        held_back = split_last_day(full, history, START_DATE + timedelta(days=DAYS))
        if run == 0:
            lines = duckdb.execute(
                f"select count(*) from read_parquet('{truth}/sales_lines.parquet') "
                f"where business_date < date '{(START_DATE + timedelta(days=DAYS)).isoformat()}'"
            ).fetchone()[0] * copies
        timings.setdefault("floor", []).append(
            run_measured([str(BIN / "python"), "-c", FLOOR_SCRIPT, str(history)], step_env, log)
        )
        for stale in (warehouse, published):
            stale.unlink(missing_ok=True)
        timings.setdefault("full_build", []).append(
            run_measured([*dbt_build, "--full-refresh", "--exclude", python_models], step_env, log)
        )
        land(full, history, held_back)
        timings.setdefault("incremental_day", []).append(
            run_measured([*dbt_build, "--exclude", python_models], step_env, log)
        )
        timings.setdefault("unchanged_day", []).append(
            run_measured([*dbt_build, "--exclude", python_models], step_env, log)
        )
        timings.setdefault("publish", []).append(run_measured([str(BIN / "promo"), "publish"], step_env, log))
        timings.setdefault("score_allocate", []).append(
            run_measured([*dbt_build, "--select", python_models], step_env, log)
        )
    return [
        Step(label, name, lines, [t for t, _, _ in values], [m for _, m, _ in values], [c for _, _, c in values])
        for name, values in timings.items()
    ]


def print_table(steps: list[Step]) -> None:
    print(f"{'scale':>6} {'step':<16} {'lines':>11} {'median s':>9} {'cpu s':>7} {'peak MB':>8}")
    for step in steps:
        print(f"{step.scale:>6} {step.step:<16} {step.lines:>11,} {step.median_seconds:>9.1f} "
              f"{step.median_cpu_seconds:>7.1f} {step.median_peak_mb:>8.0f}")
    for scale in dict.fromkeys(step.scale for step in steps):
        by_name = {step.step: step for step in steps if step.scale == scale}
        full, floor = by_name["full_build"].median_seconds, by_name["floor"].median_seconds
        incremental = by_name["incremental_day"].median_seconds
        unchanged = by_name["unchanged_day"].median_seconds
        print(f"{scale:>6} full_build / floor = {full / floor:.2f}   incremental_day / full_build = {incremental / full:.2%}"
              f"   unchanged_day / full_build = {unchanged / full:.2%}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", default="1M,10M", help="comma-separated scales in sale lines (e.g. 1M,10M,100M)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1,
                        help="generate lines / copies and copy that history back in time (100M: --copies 10)")
    parser.add_argument("--workdir", default=str(REPO / "build" / "bench"))
    parser.add_argument("--out", default=str(RESULTS / "pipeline.json"),
                        help="results file (a 100M run goes to its own: --out bench/results/pipeline_100M.json)")
    args = parser.parse_args(argv)

    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO), "DO_NOT_TRACK": "1"}
    ratio = lines_per_shopper(workdir, env)
    print(f"calibration: {ratio:.1f} sale lines per shopper over {DAYS} days", flush=True)

    steps: list[Step] = []
    for label in args.lines.split(","):
        steps += bench_scale(label, parse_lines(label), args.runs, ratio, workdir, env, args.copies)
        for scratch in ("raw_full", "raw_copies"):
            shutil.rmtree(workdir / label / scratch, ignore_errors=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "machine": {"cores": os.cpu_count()},
        "runs": args.runs,
        "copies": args.copies,
        "steps": [
            asdict(step) | {
                "median_seconds": step.median_seconds,
                "median_cpu_seconds": step.median_cpu_seconds,
                "median_peak_mb": step.median_peak_mb,
            }
            for step in steps
        ],
    }
    out.write_text(json.dumps(payload, indent=2))
    print_table(steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
