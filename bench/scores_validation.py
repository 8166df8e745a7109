"""Validation of the individual scores (issue 5) against the generator's planted truth, and their cost at scale.

Quality, per generator seed: the generator writes a landing zone and its
truth; the real pipeline (``dbt run --select +propensity_model_metrics
+uplift_scores``, one dbt process per seed) builds the scores into a
temporary warehouse. Reported per seed:
- propensity out-of-time AUC of the white box and of the challenger (mean over brands);
- uplift: the selected learner and its Qini coefficient / AUUC on held-out campaigns;
- Spearman correlation between uplift_scores.expected_incremental_sales_eur and
  the generator's true_expected_incremental_sales_eur (planned_uplift.parquet),
  pooled over planned campaigns and per campaign (target >= 0.6).

Scale: training + scoring time and peak memory (max RSS of a child process)
at N shoppers, on feature tables resampled from a generated seed's warehouse
(shoppers bootstrapped with fresh keys), so that the model code runs on N
shoppers without building a warehouse of that size.

Usage: ``.venv/bin/python -m bench.scores_validation --seeds 3 --shoppers 1500 --scale 100000 1000000``.
Writes ``bench/results/scores_validation.json`` and prints a summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results" / "scores_validation.json"
WORK = Path(os.environ.get("SCORES_BENCH_DIR", "/tmp/scores/bench"))


def _generate(out: Path, truth: Path, seed: int, shoppers: int, days: int) -> None:
    from promo_factory.generator import generate_landing_zone

    generate_landing_zone(out=out, truth=truth, seed=seed, shoppers=shoppers, days=days,
                          start_date=date(2025, 10, 1), clean=True, progress=False)


def _dbt_run(raw: Path, warehouse: Path, work: Path) -> float:
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO), "PROMO_RAW_DIR": str(raw), "PROMO_WAREHOUSE": str(warehouse),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"), "DO_NOT_TRACK": "1"}
    started = time.perf_counter()
    result = subprocess.run(
        [str(BIN / "dbt"), "run", "--select", "+propensity_model_metrics", "+propensity_scores", "+uplift_scores"],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-4000:])
    return time.perf_counter() - started


def validate_seed(seed: int, shoppers: int, days: int) -> dict:
    work = WORK / f"seed{seed}"
    if work.exists():
        shutil.rmtree(work)
    raw, truth, warehouse = work / "raw", work / "truth", work / "warehouse.duckdb"
    _generate(raw, truth, seed, shoppers, days)
    build_seconds = _dbt_run(raw, warehouse, work)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        metrics = con.sql("select * from marts.propensity_model_metrics").df()
        uplift_metrics = con.sql("select * from marts.uplift_model_metrics").df()
        scores = con.sql("select * from marts.uplift_scores").df()
    true = pd.read_parquet(truth / "planned_uplift.parquet")
    spearman_by_learner = _spearman_every_learner(warehouse, true)
    joined = true.merge(scores, on=["campaign_id", "shopper_key"], how="outer", indicator=True)
    both = joined[joined["_merge"] == "both"]
    per_campaign = {
        c: float(spearmanr(g["expected_incremental_sales_eur"], g["true_expected_incremental_sales_eur"]).statistic)
        for c, g in both.groupby("campaign_id")
    }
    auc = metrics[metrics["metric"] == "auc"].groupby("model_name")["value"].mean().to_dict()
    selected = uplift_metrics[(uplift_metrics["metric"] == "is_selected") & (uplift_metrics["value"] == 1)]
    chosen = selected["model_name"].iloc[0] if len(selected) else None
    learners = uplift_metrics[uplift_metrics["metric"].isin(["qini_coefficient", "auuc", "uplift_at_10pct"])]
    return {
        "seed": seed,
        "shoppers": shoppers,
        "dbt_run_seconds": round(build_seconds, 1),
        "propensity_auc_white_box": auc.get("propensity_logreg"),
        "propensity_auc_challenger": auc.get("propensity_hgb_challenger"),
        "propensity_auc_by_brand": metrics[metrics["metric"] == "auc"][["model_name", "brand", "value"]]
        .to_dict(orient="records"),
        "uplift_selected_learner": chosen,
        "uplift_heldout_metrics": learners.pivot_table(index="model_name", columns="metric", values="value")
        .round(4).to_dict(orient="index"),
        "uplift_qini_selected": float(learners[(learners["model_name"] == chosen)
                                               & (learners["metric"] == "qini_coefficient")]["value"].iloc[0])
        if chosen else None,
        "uplift_spearman_pooled": float(spearmanr(both["expected_incremental_sales_eur"],
                                                  both["true_expected_incremental_sales_eur"]).statistic),
        "uplift_spearman_by_campaign": per_campaign,
        "uplift_spearman_mean_campaign": float(np.mean(list(per_campaign.values()))) if per_campaign else None,
        "uplift_spearman_pooled_by_learner": spearman_by_learner,
        "population_rows_truth_only": int((joined["_merge"] == "left_only").sum()),
        "population_rows_scores_only": int((joined["_merge"] == "right_only").sum()),
    }


def _spearman_every_learner(warehouse: Path, true: pd.DataFrame) -> dict[str, float]:
    """Pooled Spearman with the truth of every candidate learner (not only the selected one)."""
    from promo_factory.ml import pipeline, uplift

    with duckdb.connect(str(warehouse), read_only=True) as con:
        dates = con.sql("select * from intermediate.int_feature_as_of_dates").df()
        sf = con.sql("select * from intermediate.int_shopper_features").df()
        cf = con.sql("select * from intermediate.int_shopper_campaign_features").df()
        outcomes = con.sql("select * from intermediate.int_campaign_shopper_outcomes").df()
        campaigns = con.sql("select * from marts.dim_campaigns").df()
    last = pd.Timestamp(dates["last_business_date"].iloc[0]).date()
    training = pipeline.uplift_training_frame(outcomes, campaigns, sf, cf, last)
    planned = campaigns.loc[campaigns["campaign_status"] == "planned", "campaign_id"]
    out = {}
    for name in sorted(uplift.CANDIDATES):
        scores = pipeline.run_uplift_scoring(training, cf[cf["campaign_id"].isin(planned)], campaigns, sf, name)
        both = true.merge(scores, on=["campaign_id", "shopper_key"])
        out[name] = round(float(spearmanr(both["expected_incremental_sales_eur"],
                                          both["true_expected_incremental_sales_eur"]).statistic), 4)
    return out


# --------------------------------------------------------------------------- scale

SCALED_TABLES = ["int_shopper_features", "int_shopper_brand_features", "int_shopper_brand_targets",
                 "int_shopper_campaign_features", "int_campaign_shopper_outcomes"]


def build_scaled_warehouse(source: Path, target: Path, shoppers: int) -> float:
    """A warehouse whose feature tables hold ``shoppers`` shoppers, bootstrapped from ``source``.

    Every new shopper (fresh md5 key) copies all the feature, target and outcome
    rows of a shopper of the source drawn with replacement (numpy seed 0);
    dim_campaigns and int_feature_as_of_dates are copied as they are. Returns seconds.
    """
    started = time.perf_counter()
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        con.execute("create schema intermediate; create schema marts")
        keys = con.sql("select distinct shopper_key from src.intermediate.int_shopper_features order by 1").df()
        rng = np.random.default_rng(0)
        key_map = pd.DataFrame({"source_key": rng.choice(keys["shopper_key"].to_numpy(), shoppers),
                                "new_key": [hashlib.md5(f"bench:{i}".encode()).hexdigest() for i in range(shoppers)]})
        con.register("key_map_df", key_map)
        con.execute("create table key_map as select * from key_map_df")
        for table in SCALED_TABLES:
            con.execute(f"create table intermediate.{table} as select t.* replace (key_map.new_key as shopper_key) "
                        f"from src.intermediate.{table} as t inner join key_map on t.shopper_key = key_map.source_key")
        con.execute("create table intermediate.int_feature_as_of_dates as "
                    "select * from src.intermediate.int_feature_as_of_dates")
        con.execute("create table marts.dim_campaigns as select * from src.marts.dim_campaigns")
        con.execute("drop table key_map")
    return time.perf_counter() - started


def scale_child(warehouse: Path, step: str) -> dict:
    """One dbt Python model's work in a fresh process, reading the warehouse as the model does (warehouse.py)."""
    from promo_factory.ml import pipeline, uplift, warehouse as wh

    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute("set threads = 1")

    def ref(name: str):
        return con.table(f"{'marts' if name == 'dim_campaigns' else 'intermediate'}.{name}")

    started = time.perf_counter()
    out: dict = {"step": step}
    if step == "propensity_scores":
        out["rows_scored"] = wh.build_propensity_scores(ref, 300_000).num_rows
    elif step == "uplift_selection":
        inputs = wh.uplift_training_inputs(ref, 300_000)
        selection = pipeline.run_uplift_selection(inputs["training"], inputs["scoring_date"], max_rows=50_000)
        out["training_rows_loaded"] = int(len(inputs["training"]))
        out["selected"] = pipeline.selected_learner(selection)
    elif step == "uplift_scoring":
        scores = wh.build_uplift_scores(ref, uplift.DEFAULT_LEARNER, max_training_rows=300_000,
                                        min_same_brand_rows=2000)
        out["rows_scored"] = scores.num_rows
    out["seconds"] = round(time.perf_counter() - started, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return out


def run_scale(source: Path, shoppers: int) -> dict:
    """Scaled warehouse, then each step in its own process (peak memory of each)."""
    target = WORK / f"scale_{shoppers}.duckdb"
    result: dict = {"shoppers": shoppers, "build_scaled_warehouse_seconds": round(
        build_scaled_warehouse(source, target, shoppers), 1)}
    for step in ("propensity_scores", "uplift_selection", "uplift_scoring"):
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, "-m", "bench.scores_validation", "--scale-child", step, "--warehouse", str(target)],
            cwd=REPO, capture_output=True, text=True,
        )
        if child.returncode != 0:
            result[step] = {"error": child.stderr[-2000:]}
            continue
        result[step] = json.loads(child.stdout.strip().splitlines()[-1])
        result[step]["wall_seconds"] = round(time.perf_counter() - started, 1)
    target.unlink(missing_ok=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--shoppers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--scale", type=int, nargs="*", default=[100_000])
    parser.add_argument("--scale-child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scale-only", default=None, help="skip the seeds: scale runs from this warehouse")
    parser.add_argument("--out", default=str(RESULTS), help="results file (JSON)")
    parser.add_argument("--warehouse", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_child:
        print(json.dumps(scale_child(Path(args.warehouse), args.scale_child)))
        return 0
    if args.scale_only:
        scale = [run_scale(Path(args.scale_only), n) for n in args.scale]
        for row in scale:
            print(f"scale: {row}")
        # one file for every scale measured so far: a run at one scale keeps the others' figures
        path = RESULTS.with_name("scores_validation_scale.json")
        earlier = json.loads(path.read_text())["scale"] if path.exists() else []
        measured = {row["shoppers"] for row in scale}
        scale = sorted([row for row in earlier if row["shoppers"] not in measured] + scale,
                       key=lambda row: row["shoppers"])
        path.write_text(json.dumps({"settings": vars(args), "scale": scale}, indent=1, default=str))
        return 0
    seeds = [validate_seed(s, args.shoppers, args.days)
             for s in range(args.first_seed, args.first_seed + args.seeds)]
    for row in seeds:
        print(f"seed {row['seed']}: AUC white box {row['propensity_auc_white_box']:.3f} vs challenger "
              f"{row['propensity_auc_challenger']:.3f}; uplift {row['uplift_selected_learner']} Qini "
              f"{row['uplift_qini_selected']:.3f}; Spearman pooled {row['uplift_spearman_pooled']:.3f}, "
              f"mean per campaign {row['uplift_spearman_mean_campaign']:.3f}")
    scale = [run_scale(WORK / f"seed{args.first_seed}" / "warehouse.duckdb", n) for n in args.scale]
    for row in scale:
        print(f"scale: {row}")
    summary = {
        "mean_auc_white_box": float(np.mean([r["propensity_auc_white_box"] for r in seeds])),
        "mean_auc_challenger": float(np.mean([r["propensity_auc_challenger"] for r in seeds])),
        "mean_uplift_qini_selected": float(np.mean([r["uplift_qini_selected"] for r in seeds])),
        "mean_uplift_spearman_pooled": float(np.mean([r["uplift_spearman_pooled"] for r in seeds])),
        "mean_uplift_spearman_per_campaign": float(np.mean([r["uplift_spearman_mean_campaign"] for r in seeds])),
        "mean_uplift_spearman_pooled_by_learner": pd.DataFrame([r["uplift_spearman_pooled_by_learner"] for r in seeds])
        .mean().round(4).to_dict(),
        "selected_learners": [r["uplift_selected_learner"] for r in seeds],
        "spearman_target": 0.6,
    }
    print(json.dumps(summary, indent=1))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"settings": vars(args), "summary": summary, "seeds": seeds, "scale": scale},
                                  indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
