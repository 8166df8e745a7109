"""Statistical validation of campaign measurement against planted truth (issue 4).

For each seed, the generator writes a small landing zone and its truth; the
real pipeline (``dbt run --select +campaign_results``) builds
campaign_results into a fresh warehouse; each campaign x retailer row is
compared with the planted ``true_itt_effect`` of ``campaign_effects.parquet``
(the intention-to-treat effect: mean over both arms of Y(assigned to
treatment) - Y(assigned to control), contamination inside Y(control)). The
ALL row's truth is the retailers' truths weighted by n_treatment, like its
estimate. One more seed is generated with ``broken_randomisation=True`` to
check SRM detection.

dbt runs in this process (``dbtRunner``): the project is parsed once and the
manifest reused for every seed (same landing-zone path, one warehouse file
per seed), so a seed costs the generator plus the execution of the models
``campaign_results`` needs, not a dbt start-up and parse.

Reported:
- coverage: share of 95 % CIs (Welch, CUPED, and the skewness-adjusted
  interval of ``promo_factory.stats.skew_adjusted``) covering the true ITT effect
  (target 93-97 %), on rows whose randomisation is intact; also by control
  arm size, on the pooled ALL rows, and against the old per-treated truth
  (ATT) for reference;
- CUPED: average CI width reduction, 1 - width_cuped / width_welch;
- bias: mean of estimate - true effect;
- SRM: on the broken seed, share of broken rows with srm_p_value < 0.001;
  on the regular seeds, the false alarm rate;
- placebo (A/A): the same Welch CI computed on the pre-period outcome of the
  same arms (no effect can exist before the start), its coverage of 0. It
  needs no truth and tells how well the Welch t-interval itself covers on
  this outcome distribution (zero-inflated, right-skewed) at these arm sizes.

Usage: ``.venv/bin/python -m bench.campaign_validation --seeds 50``.
Writes ``bench/results/campaign_validation.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "campaign_validation.json"
KEY = ["campaign_id", "retailer"]
TRUTHS = ["true_itt_effect", "true_effect_per_treated"]
CONTROL_SIZE_BINS = [0, 10, 20, 40, 80, 10**9]
SKEWNESS_BINS = [0.0, 0.1, 0.2, 0.3, 0.5, math.inf]


def _generate(out: Path, truth: Path, seed: int, shoppers: int, days: int, broken: bool) -> None:
    from promo_factory.generator import generate_landing_zone

    generate_landing_zone(
        out=out,
        truth=truth,
        seed=seed,
        shoppers=shoppers,
        days=days,
        start_date=date(2025, 10, 1),
        clean=True,
        progress=False,
        broken_randomisation=broken,
    )


class Pipeline:
    """dbt in this process: parse once, then `run --select +campaign_results` per landing zone.

    The landing-zone macros list the files at execution time, not at parse
    time, so one manifest serves every seed written to the same `raw` path.
    Each run writes a new warehouse file: dbt-duckdb closes its database when
    the run ends, so the file can then be read and removed.
    """

    def __init__(self, raw: Path, work: Path) -> None:
        from dbt.cli.main import dbtRunner

        os.environ.update({
            "PROMO_RAW_DIR": str(raw),
            "PROMO_WAREHOUSE": str(work / "parse" / "warehouse.duckdb"),
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        })
        parsed = dbtRunner().invoke(["parse", "--project-dir", str(REPO), "--quiet"])
        if not parsed.success:
            raise RuntimeError(f"dbt parse failed: {parsed.exception}")
        self._runner = dbtRunner(manifest=parsed.result)
        self._work = work

    def build(self, label: str) -> Path:
        """A new warehouse holding marts.campaign_results of the current landing zone."""
        warehouse = self._work / f"build-{label}" / "warehouse.duckdb"
        shutil.rmtree(warehouse.parent, ignore_errors=True)
        warehouse.parent.mkdir(parents=True)
        os.environ["PROMO_WAREHOUSE"] = str(warehouse)
        done = self._runner.invoke(
            ["run", "--select", "+campaign_results", "--project-dir", str(REPO), "--quiet"]
        )
        if not done.success:
            failures = [f"{r.node.name}: {r.message}" for r in (done.result or []) if r.status != "success"]
            raise RuntimeError(f"dbt run failed ({label}): {done.exception or failures}")
        self._release()
        return warehouse

    @staticmethod
    def _release() -> None:
        """Close dbt-duckdb's database (it stays open in this process after the run) so it can be read."""
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager.close_all_connections()
        if environment is not None:
            environment.close()
        gc.collect()


def _with_pooled_truth(expected: pd.DataFrame) -> pd.DataFrame:
    """Add one ALL row per campaign: truths weighted by n_treatment (the ALL row's estimator)."""
    frame = expected.copy()
    weight = frame["n_treatment"].astype(float)
    pooled = frame.assign(**{c: frame[c].astype(float) * weight for c in TRUTHS}, weight=weight)
    pooled = pooled.groupby("campaign_id", as_index=False).agg(
        **{c: (c, "sum") for c in TRUTHS},
        weight=("weight", "sum"),
        n_treatment=("n_treatment", "sum"),
        n_control=("n_control", "sum"),
        retailers=("retailer", "size"),
        is_broken_randomisation=("is_broken_randomisation", "any"),
    )
    for column in TRUTHS:
        pooled[column] = np.where(pooled["weight"] > 0, pooled[column] / pooled["weight"], np.nan)
    frame["retailers"] = 1
    columns = ["campaign_id", "n_treatment", "n_control", "retailers", "is_broken_randomisation", *TRUTHS]
    return pd.concat([frame[["retailer", *columns]], pooled[columns].assign(retailer="ALL")], ignore_index=True)


def _check_exact(results: pd.DataFrame, expected: pd.DataFrame, label: str) -> None:
    """Guard: the warehouse is this seed's build (arm sizes and means equal the truth exactly)."""
    merged = expected.merge(results, on=KEY, how="left", suffixes=("_truth", ""))
    sizes_ok = (merged["n_treatment_truth"] == merged["n_treatment"]) & (merged["n_control_truth"] == merged["n_control"])
    means_ok = np.isclose(merged["mean_outcome_treatment"], merged["mean_sales_treatment"], atol=1e-9, equal_nan=True)
    means_ok &= np.isclose(merged["mean_outcome_control"], merged["mean_sales_control"], atol=1e-9, equal_nan=True)
    if not (sizes_ok & means_ok).all():
        raise RuntimeError(f"{label}: campaign_results differs from the truth's arm sizes or means")


def placebo_welch(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per campaign x retailer: Welch difference of the pre-period outcome between the arms (an A/A test)."""
    from promo_factory.stats import welch_diff

    rows = []
    for (campaign_id, retailer), group in outcomes.groupby(KEY, sort=True):
        x = group["pre_period_sales_eur"].to_numpy(dtype=float)
        arm = group["arm"].to_numpy()
        diff = welch_diff(x[arm == "treatment"], x[arm == "control"])
        rows.append({"campaign_id": campaign_id, "retailer": retailer, "placebo_estimate": diff.estimate,
                     "placebo_ci_low": diff.ci_low, "placebo_ci_high": diff.ci_high})
    return pd.DataFrame(rows, columns=[*KEY, "placebo_estimate", "placebo_ci_low", "placebo_ci_high"])


def one_seed(pipeline: Pipeline, seed: int, shoppers: int, days: int, work: Path, broken: bool = False) -> pd.DataFrame:
    """campaign_results rows of one generated landing zone joined with the truth (ALL rows included)."""
    raw, truth = work / "raw", work / "truth"
    _generate(raw, truth, seed, shoppers, days, broken)
    warehouse = pipeline.build(str(seed))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results").df()
        outcomes = con.sql(
            "select campaign_id, retailer, arm, pre_period_sales_eur from intermediate.int_campaign_shopper_outcomes"
        ).df()
    shutil.rmtree(warehouse.parent)
    expected = pd.read_parquet(truth / "campaign_effects.parquet")
    _check_exact(results, expected, f"seed {seed}")
    merged = results.merge(_with_pooled_truth(expected), on=KEY, how="inner", suffixes=("", "_truth"))
    merged = merged.merge(placebo_welch(outcomes), on=KEY, how="left")
    merged["seed"] = seed
    merged["broken_seed"] = broken
    return merged


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else math.nan


def _covers(rows: pd.DataFrame, prefix: str, truth: pd.Series) -> pd.Series:
    """Rows whose interval `<prefix>ci_low` .. `<prefix>ci_high` holds the truth."""
    return (rows[f"{prefix}ci_low"] <= truth) & (truth <= rows[f"{prefix}ci_high"])


def _coverage(rows: pd.DataFrame, truth_column: str) -> dict[str, float]:
    truth = rows[truth_column].astype(float)
    return {
        "rows": int(len(rows)),
        "coverage_welch": _share(_covers(rows, "", truth)),
        "coverage_cuped": _share(_covers(rows, "cuped_", truth)),
        "coverage_skew_adjusted": _share(_covers(rows, "skew_adjusted_", truth)),
        "skew_adjusted_ci_above_truth": _share(rows["skew_adjusted_ci_low"] > truth),
        "skew_adjusted_ci_below_truth": _share(rows["skew_adjusted_ci_high"] < truth),
        "welch_ci_above_truth": _share(rows["ci_low"] > truth),
        "welch_ci_below_truth": _share(rows["ci_high"] < truth),
        "bias_welch": float((rows["incremental_sales_per_shopper"] - truth).mean()),
        "bias_cuped": float((rows["cuped_incremental_sales_per_shopper"] - truth).mean()),
        "mean_true_effect": float(truth.mean()),
    }


def _coverage_brief(rows: pd.DataFrame) -> dict[str, float]:
    """Rows and Welch / CUPED coverage of the true ITT effect (the per-bin figures)."""
    brief = ("rows", "coverage_welch", "coverage_cuped", "coverage_skew_adjusted")
    return {k: v for k, v in _coverage(rows, "true_itt_effect").items() if k in brief}


def summarise(all_rows: pd.DataFrame, all_broken_rows: pd.DataFrame) -> dict[str, object]:
    """The validation figures (module docstring) from the per-row comparison."""
    rows = all_rows[all_rows["retailer"] != "ALL"]
    intact = rows[~rows["is_broken_randomisation"].astype(bool)]
    finite = intact[np.isfinite(intact["ci_low"]) & np.isfinite(intact["cuped_ci_low"])]
    pooled = all_rows[(all_rows["retailer"] == "ALL") & (all_rows["retailers"] > 1)
                      & ~all_rows["is_broken_randomisation"].astype(bool)]
    pooled = pooled[np.isfinite(pooled["ci_low"]) & np.isfinite(pooled["cuped_ci_low"])]
    itt = _coverage(finite, "true_itt_effect")
    width = finite["ci_high"] - finite["ci_low"]
    width_cuped = finite["cuped_ci_high"] - finite["cuped_ci_low"]
    width_skew_adjusted = finite["skew_adjusted_ci_high"] - finite["skew_adjusted_ci_low"]
    by_size = {}
    bins = pd.cut(finite["n_control"], CONTROL_SIZE_BINS, right=False)
    for interval, group in finite.groupby(bins, observed=True):
        label = f"n_control {int(interval.left)}-{int(interval.right) - 1}" if interval.right < 10**9 else (
            f"n_control >= {int(interval.left)}")
        by_size[label] = _coverage_brief(group)
    by_skewness = {}
    skew_bins = pd.cut(finite["estimate_skewness"].abs(), SKEWNESS_BINS, right=False)
    for interval, group in finite.groupby(skew_bins, observed=True):
        by_skewness[f"|estimate_skewness| {interval.left:g}-{interval.right:g}"] = _coverage_brief(group)
    ok = finite["verdict"] == "ok"
    verdict_ok = _coverage(finite[ok], "true_itt_effect")
    placebo = finite[np.isfinite(finite["placebo_ci_low"])] if "placebo_ci_low" in finite else finite.iloc[:0]
    broken_rows = all_broken_rows[all_broken_rows["retailer"] != "ALL"]
    broken = broken_rows[broken_rows["is_broken_randomisation"].astype(bool)]
    broken_pooled = all_broken_rows[(all_broken_rows["retailer"] == "ALL")
                                    & all_broken_rows["is_broken_randomisation"].astype(bool)]
    return {
        "truth": "true_itt_effect",
        "rows": int(len(rows)),
        "rows_with_ci": int(len(finite)),
        **{k: v for k, v in itt.items() if k != "rows"},
        "coverage_se": math.sqrt(0.95 * 0.05 / len(finite)) if len(finite) else math.nan,
        "coverage_welch_verdict_ok": verdict_ok["coverage_welch"],
        "coverage_skew_adjusted_verdict_ok": verdict_ok["coverage_skew_adjusted"],
        "coverage_cuped_verdict_ok": verdict_ok["coverage_cuped"],
        "coverage_by_control_size": by_size,
        "coverage_by_estimate_skewness": by_skewness,
        "rows_verdict_ok": int(ok.sum()),
        "pooled_all_rows": _coverage(pooled, "true_itt_effect"),
        "placebo_pre_period": {
            "rows": int(len(placebo)),
            "coverage_of_zero_welch": _share((placebo["placebo_ci_low"] <= 0) & (0 <= placebo["placebo_ci_high"])),
            "ci_above_zero": _share(placebo["placebo_ci_low"] > 0),
            "ci_below_zero": _share(placebo["placebo_ci_high"] < 0),
        },
        "against_att_truth": _coverage(finite, "true_effect_per_treated"),
        "mean_ci_width_welch": float(width.mean()),
        "mean_ci_width_cuped": float(width_cuped.mean()),
        "mean_ci_width_skew_adjusted": float(width_skew_adjusted.mean()),
        "median_width_ratio_skew_adjusted_to_welch": float((width_skew_adjusted / width).median()),
        "cuped_width_reduction_mean": float((1.0 - width_cuped / width).mean()),
        "cuped_width_reduction_of_means": float(1.0 - width_cuped.mean() / width.mean()),
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
    att, pooled = summary["against_att_truth"], summary["pooled_all_rows"]
    lines = [
        ("seeds", f"{seeds}"),
        ("campaign x retailer rows (with CI)", f"{summary['rows']} ({summary['rows_with_ci']})"),
        ("coverage 95 % CI, Welch (true ITT)", f"{summary['coverage_welch']:.1%}  (target 93-97 %, se {summary['coverage_se']:.1%})"),
        ("coverage 95 % CI, CUPED (true ITT)", f"{summary['coverage_cuped']:.1%}"),
        ("Welch misses: CI above / below truth", f"{summary['welch_ci_above_truth']:.1%} / {summary['welch_ci_below_truth']:.1%}"),
        ("coverage 95 % CI, skew-adjusted (true ITT)", f"{summary['coverage_skew_adjusted']:.1%}  (misses above / below "
         f"{summary['skew_adjusted_ci_above_truth']:.1%} / {summary['skew_adjusted_ci_below_truth']:.1%}; "
         f"verdict ok {summary['coverage_skew_adjusted_verdict_ok']:.1%})"),
        ("skew-adjusted width: mean EUR, median ratio to Welch", f"{summary['mean_ci_width_skew_adjusted']:.3f}, "
         f"{summary['median_width_ratio_skew_adjusted_to_welch']:.2f}"),
        ("coverage Welch / CUPED, verdict ok", f"{summary['coverage_welch_verdict_ok']:.1%} / "
         f"{summary['coverage_cuped_verdict_ok']:.1%} of {summary['rows_verdict_ok']}"),
        *[(f"  {label} ({v['rows']} rows)", f"Welch {v['coverage_welch']:.1%} / CUPED {v['coverage_cuped']:.1%} / "
                                             f"skew-adjusted {v['coverage_skew_adjusted']:.1%}")
          for label, v in summary["coverage_by_control_size"].items()],
        *[(f"  {label} ({v['rows']} rows)", f"Welch {v['coverage_welch']:.1%} / CUPED {v['coverage_cuped']:.1%} / "
                                             f"skew-adjusted {v['coverage_skew_adjusted']:.1%}")
          for label, v in summary["coverage_by_estimate_skewness"].items()],
        ("ALL rows, multi-retailer (Welch / CUPED / skew-adjusted)",
         f"{pooled['coverage_welch']:.1%} / {pooled['coverage_cuped']:.1%} / {pooled['coverage_skew_adjusted']:.1%} "
         f"of {pooled['rows']}"),
        ("placebo A/A on the pre-period: Welch covers 0",
         f"{summary['placebo_pre_period']['coverage_of_zero_welch']:.1%} of {summary['placebo_pre_period']['rows']} "
         f"(CI above / below 0: {summary['placebo_pre_period']['ci_above_zero']:.1%} / "
         f"{summary['placebo_pre_period']['ci_below_zero']:.1%})"),
        ("old truth (ATT): coverage Welch / CUPED", f"{att['coverage_welch']:.1%} / {att['coverage_cuped']:.1%}"),
        ("mean CI width Welch / CUPED (EUR)", f"{summary['mean_ci_width_welch']:.3f} / {summary['mean_ci_width_cuped']:.3f}"),
        ("CUPED CI width reduction (mean of rows)", f"{summary['cuped_width_reduction_mean']:.1%}"),
        ("bias Welch / CUPED vs ITT (EUR / shopper)", f"{summary['bias_welch']:+.4f} / {summary['bias_cuped']:+.4f}"),
        ("bias Welch / CUPED vs ATT (EUR / shopper)", f"{att['bias_welch']:+.4f} / {att['bias_cuped']:+.4f}"),
        ("mean true ITT / ATT effect (EUR / shopper)", f"{summary['mean_true_effect']:.4f} / {att['mean_true_effect']:.4f}"),
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


COLUMNS = [
    "seed", *KEY, "n_treatment", "n_control", "retailers", *TRUTHS, "incremental_sales_per_shopper",
    "ci_low", "ci_high", "cuped_incremental_sales_per_shopper", "cuped_ci_low", "cuped_ci_high",
    "srm_p_value", "estimate_skewness", "skew_adjusted_ci_low", "skew_adjusted_ci_high", "verdict",
    "is_broken_randomisation", "placebo_estimate", "placebo_ci_low",
    "placebo_ci_high",
]


def _write(out: Path, args: argparse.Namespace, rows: pd.DataFrame, broken_rows: pd.DataFrame, seconds: float) -> dict:
    summary = summarise(rows, broken_rows)
    report = {
        "config": {
            "seeds_requested": args.seeds,
            "seeds_completed": int(rows["seed"].nunique()),
            "first_seed": args.first_seed,
            "shoppers": args.shoppers,
            "days": args.days,
            "broken_seed": args.first_seed + args.seeds,
            "broken_seed_shoppers": args.broken_shoppers,
        },
        "summary": summary,
        "wall_seconds": seconds,
        "broken_seed_rows": json.loads(broken_rows.reindex(columns=COLUMNS).to_json(orient="records", date_format="iso")),
        "rows": json.loads(rows.reindex(columns=COLUMNS).to_json(orient="records", date_format="iso")),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
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
    pipeline = Pipeline(work / "raw", work)
    print(f"dbt project parsed ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    frames: list[pd.DataFrame] = []
    if args.resume and out.exists():
        previous = json.loads(out.read_text())
        started -= float(previous["wall_seconds"])
        broken_rows = pd.DataFrame(previous["broken_seed_rows"])
        frames.append(pd.DataFrame(previous["rows"]))
    else:
        broken_rows = one_seed(pipeline, args.first_seed + args.seeds, args.broken_shoppers, args.days, work, broken=True)
        print(f"broken-randomisation seed done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    done_seeds = set(frames[0]["seed"]) if frames else set()
    for i, seed in enumerate(range(args.first_seed, args.first_seed + args.seeds)):
        if seed in done_seeds:
            continue
        if args.max_minutes is not None and time.perf_counter() - started > args.max_minutes * 60:
            print(f"time budget reached after {i} seeds", file=sys.stderr)
            break
        seed_started = time.perf_counter()
        frames.append(one_seed(pipeline, seed, args.shoppers, args.days, work))
        rows = pd.concat(frames, ignore_index=True)
        _write(out, args, rows, broken_rows, time.perf_counter() - started)  # checkpoint after every seed
        print(f"seed {seed} done ({i + 1}/{args.seeds}, {time.perf_counter() - seed_started:.0f} s, "
              f"total {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    rows = pd.concat(frames, ignore_index=True)
    seconds = time.perf_counter() - started
    summary = _write(out, args, rows, broken_rows, seconds)
    _print(summary, int(rows["seed"].nunique()), seconds)
    print(f"written {out}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
