"""Statistical validation of campaign measurement against planted truth (issue 4).

For each seed, the generator writes a small landing zone and its truth; the
real pipeline (``dbt run --select +campaign_results``, one dbt process
per seed) builds campaign_results into a temporary warehouse; each
campaign x retailer row is compared with the planted
``true_effect_per_treated`` of ``campaign_effects.parquet``. One more seed
is generated with ``broken_randomisation=True`` to check SRM detection.

Reported:
- coverage: share of 95 % CIs (Welch, and CUPED) covering the true effect
  (target 93-97 %), on rows whose randomisation is intact;
- CUPED: average CI width reduction, 1 - width_cuped / width_welch;
- bias: mean of estimate - true effect;
- SRM: on the broken seed, share of broken rows with srm_p_value < 0.001;
  on the regular seeds, the false alarm rate.

Usage: ``.venv/bin/python -m bench.campaign_validation --seeds 50``.
Writes ``bench/results/campaign_validation.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results" / "campaign_validation.json"
KEY = ["campaign_id", "retailer"]


def _generate(out: Path, truth: Path, seed: int, shoppers: int, days: int, broken: bool) -> None:
    from promo_factory.generator import generate_landing_zone

    kwargs = {"broken_randomisation": True} if broken else {}
    generate_landing_zone(
        out=out,
        truth=truth,
        seed=seed,
        shoppers=shoppers,
        days=days,
        start_date=date(2025, 10, 1),
        clean=True,
        progress=False,
        **kwargs,
    )


def _build(raw: Path, warehouse: Path, work: Path) -> None:
    """dbt run --select +campaign_results on `raw` into `warehouse` (the real project, one process).

    The paths stay the same from seed to seed so that dbt's partial parsing
    reuses the manifest of the previous seed.
    """
    env = {
        **os.environ,
        "PROMO_RAW_DIR": str(raw),
        "PROMO_WAREHOUSE": str(warehouse),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(BIN / "dbt"), "run", "--select", "+campaign_results", "--project-dir", str(REPO), "--quiet"]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dbt run failed on {raw}:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")


def _one_seed(seed: int, shoppers: int, days: int, work: Path, broken: bool = False) -> pd.DataFrame:
    """campaign_results rows of one generated landing zone joined with the truth (ALL rows kept apart)."""
    raw, truth, warehouse = work / "raw", work / "truth", work / "warehouse.duckdb"
    warehouse.unlink(missing_ok=True)
    _generate(raw, truth, seed, shoppers, days, broken)
    _build(raw, warehouse, work)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results").df()
    expected = pd.read_parquet(truth / "campaign_effects.parquet")
    pooled_truth = expected.groupby("campaign_id", as_index=False)["is_broken_randomisation"].any()
    expected = pd.concat([expected, pooled_truth.assign(retailer="ALL")], ignore_index=True)
    merged = results.merge(expected, on=KEY, how="inner", suffixes=("", "_truth"))
    merged["seed"] = seed
    merged["broken_seed"] = broken
    return merged


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else math.nan


def summarise(all_rows: pd.DataFrame, all_broken_rows: pd.DataFrame) -> dict[str, object]:
    """The validation figures (module docstring) from the per-row comparison."""
    rows = all_rows[all_rows["retailer"] != "ALL"]
    broken_rows = all_broken_rows[all_broken_rows["retailer"] != "ALL"]
    broken_pooled = all_broken_rows[(all_broken_rows["retailer"] == "ALL") & all_broken_rows["is_broken_randomisation"]]
    intact = rows[~rows["is_broken_randomisation"].astype(bool)]
    finite = intact[np.isfinite(intact["ci_low"]) & np.isfinite(intact["cuped_ci_low"])]
    truth = finite["true_effect_per_treated"].astype(float)
    covered = (finite["ci_low"] <= truth) & (truth <= finite["ci_high"])
    covered_cuped = (finite["cuped_ci_low"] <= truth) & (truth <= finite["cuped_ci_high"])
    width = finite["ci_high"] - finite["ci_low"]
    width_cuped = finite["cuped_ci_high"] - finite["cuped_ci_low"]
    ok = finite["verdict"] == "ok"
    broken = broken_rows[broken_rows["is_broken_randomisation"].astype(bool)]
    return {
        "rows": int(len(rows)),
        "rows_with_ci": int(len(finite)),
        "coverage_welch": _share(covered),
        "coverage_cuped": _share(covered_cuped),
        "coverage_welch_verdict_ok": _share(covered[ok]),
        "coverage_cuped_verdict_ok": _share(covered_cuped[ok]),
        "coverage_se": math.sqrt(0.95 * 0.05 / len(finite)) if len(finite) else math.nan,
        "mean_ci_width_welch": float(width.mean()),
        "mean_ci_width_cuped": float(width_cuped.mean()),
        "cuped_width_reduction_mean": float((1.0 - width_cuped / width).mean()),
        "cuped_width_reduction_of_means": float(1.0 - width_cuped.mean() / width.mean()),
        "bias_welch": float((finite["incremental_sales_per_shopper"] - truth).mean()),
        "bias_cuped": float((finite["cuped_incremental_sales_per_shopper"] - truth).mean()),
        "mean_true_effect": float(truth.mean()),
        "srm_false_alarm_rate": _share(intact["srm_p_value"] < 0.001),
        "srm_broken_rows": int(len(broken)),
        "srm_detection_rate": _share(broken["srm_p_value"] < 0.001),
        "srm_broken_verdict_srm_failure": _share(broken["verdict"] == "srm_failure"),
        "srm_broken_p_values": [float(p) for p in broken["srm_p_value"]],
        "srm_broken_pooled_p_value": [float(p) for p in broken_pooled["srm_p_value"]],
        "srm_broken_pooled_verdict": [str(v) for v in broken_pooled["verdict"]],
        "verdict_counts": {str(k): int(v) for k, v in rows["verdict"].value_counts().items()},
    }


def _print(summary: dict, seeds: int, seconds: float) -> None:
    lines = [
        ("seeds", f"{seeds}"),
        ("campaign x retailer rows (with CI)", f"{summary['rows']} ({summary['rows_with_ci']})"),
        ("coverage 95 % CI, Welch", f"{summary['coverage_welch']:.1%}  (target 93-97 %, se {summary['coverage_se']:.1%})"),
        ("coverage 95 % CI, CUPED", f"{summary['coverage_cuped']:.1%}"),
        ("coverage Welch / CUPED, verdict ok", f"{summary['coverage_welch_verdict_ok']:.1%} / {summary['coverage_cuped_verdict_ok']:.1%}"),
        ("mean CI width Welch / CUPED (EUR)", f"{summary['mean_ci_width_welch']:.3f} / {summary['mean_ci_width_cuped']:.3f}"),
        ("CUPED CI width reduction (mean of rows)", f"{summary['cuped_width_reduction_mean']:.1%}"),
        ("bias Welch / CUPED (EUR / shopper)", f"{summary['bias_welch']:+.4f} / {summary['bias_cuped']:+.4f}"),
        ("mean true effect (EUR / shopper)", f"{summary['mean_true_effect']:.4f}"),
        ("SRM false alarms (p < 0.001), intact rows", f"{summary['srm_false_alarm_rate']:.1%}"),
        ("SRM detection on the broken seed", f"{summary['srm_detection_rate']:.1%} of {summary['srm_broken_rows']} broken rows"),
        ("broken rows with verdict srm_failure", f"{summary['srm_broken_verdict_srm_failure']:.1%}"),
        ("SRM p-values of the broken rows", ", ".join(f"{p:.2e}" for p in summary["srm_broken_p_values"])),
        ("SRM p-value / verdict of its ALL row", f"{summary['srm_broken_pooled_p_value']} {summary['srm_broken_pooled_verdict']}"),
        ("verdicts", ", ".join(f"{k} {v}" for k, v in summary["verdict_counts"].items())),
        ("wall time", f"{seconds:.0f} s"),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key:<{width}}  {value}")


def _write(out: Path, args: argparse.Namespace, rows: pd.DataFrame, broken_rows: pd.DataFrame, seconds: float) -> dict:
    summary = summarise(rows, broken_rows)
    columns = [
        "seed", *KEY, "n_treatment", "n_control", "true_effect_per_treated", "incremental_sales_per_shopper",
        "ci_low", "ci_high", "cuped_incremental_sales_per_shopper", "cuped_ci_low", "cuped_ci_high",
        "srm_p_value", "verdict", "is_broken_randomisation",
    ]
    report = {
        "config": {
            "seeds_requested": args.seeds,
            "seeds_completed": int(rows["seed"].nunique()),
            "first_seed": args.first_seed,
            "shoppers": args.shoppers,
            "days": args.days,
            "broken_seed_shoppers": args.broken_shoppers,
        },
        "summary": summary,
        "wall_seconds": seconds,
        "broken_seed_rows": json.loads(broken_rows[columns].to_json(orient="records", date_format="iso")),
        "rows": json.loads(rows[columns].to_json(orient="records", date_format="iso")),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--shoppers", type=int, default=300)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument(
        "--broken-shoppers", type=int, default=2000, help="scale of the broken-randomisation seed (SRM needs arms)"
    )
    parser.add_argument("--max-minutes", type=float, default=None, help="stop starting new seeds after this")
    parser.add_argument("--work", default="/tmp/promo_campaign_validation", help="scratch folder (emptied)")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--resume", action="store_true", help="keep the seeds already in --out, run the others")
    args = parser.parse_args(argv)

    work, out = Path(args.work), Path(args.out)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    started = time.perf_counter()
    frames: list[pd.DataFrame] = []
    if args.resume and out.exists():
        previous = json.loads(out.read_text())
        started -= float(previous["wall_seconds"])
        broken_rows = pd.DataFrame(previous["broken_seed_rows"])
        frames.append(pd.DataFrame(previous["rows"]))
    else:
        broken_rows = _one_seed(args.first_seed + args.seeds, args.broken_shoppers, args.days, work, broken=True)
        print(f"broken-randomisation seed done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    done_seeds = set(frames[0]["seed"]) if frames else set()
    for i, seed in enumerate(range(args.first_seed, args.first_seed + args.seeds)):
        if seed in done_seeds:
            continue
        if args.max_minutes is not None and time.perf_counter() - started > args.max_minutes * 60:
            print(f"time budget reached after {i} seeds", file=sys.stderr)
            break
        frames.append(_one_seed(seed, args.shoppers, args.days, work))
        rows = pd.concat(frames, ignore_index=True)
        _write(out, args, rows, broken_rows, time.perf_counter() - started)  # checkpoint after every seed
        print(f"seed {seed} done ({i + 1}/{args.seeds}, {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    rows = pd.concat(frames, ignore_index=True)
    seconds = time.perf_counter() - started
    summary = _write(out, args, rows, broken_rows, seconds)
    _print(summary, int(rows["seed"].nunique()), seconds)
    print(f"written {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
