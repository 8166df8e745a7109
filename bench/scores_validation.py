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


def _resample(frame: pd.DataFrame, key_map: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``frame`` for every (new key <- source key) pair of ``key_map``."""
    out = key_map.merge(frame, left_on="source_key", right_on="shopper_key", how="inner", suffixes=("", "_old"))
    return out.drop(columns=["source_key", "shopper_key"]).rename(columns={"new_key": "shopper_key"})


def scale_child(warehouse: Path, shoppers: int) -> dict:
    """Runs in a child process: resample to ``shoppers``, train and score both models, time each step."""
    from promo_factory.ml import pipeline

    with duckdb.connect(str(warehouse), read_only=True) as con:
        q = lambda sql: con.sql(sql).df()  # noqa: E731
        dates = q("select * from intermediate.int_feature_as_of_dates")
        sf = q("select * from intermediate.int_shopper_features")
        bf = q("select * from intermediate.int_shopper_brand_features")
        tg = q("select * from intermediate.int_shopper_brand_targets")
        cf = q("select * from intermediate.int_shopper_campaign_features")
        outcomes = q("select * from intermediate.int_campaign_shopper_outcomes")
        campaigns = q("select * from marts.dim_campaigns")
    rng = np.random.default_rng(0)
    source = sf["shopper_key"].unique()
    key_map = pd.DataFrame({"source_key": rng.choice(source, shoppers),
                            "new_key": [hashlib.md5(f"bench:{i}".encode()).hexdigest() for i in range(shoppers)]})
    started = time.perf_counter()
    sf, bf, tg, cf = (_resample(f, key_map) for f in (sf, bf, tg, cf))
    outcomes = _resample(outcomes, key_map)
    prepare = time.perf_counter() - started
    scoring_date = pd.Timestamp(dates.loc[dates["is_scoring_date"], "as_of_date"].iloc[0]).date()
    last = pd.Timestamp(dates["last_business_date"].iloc[0]).date()
    labelled = dates.loc[dates["is_training_grid"] & dates["has_full_target_window"], "as_of_date"]
    train_rows = sf[sf["as_of_date"].isin(labelled)]
    bound = pipeline.key_prefix_bound(300_000 / max(len(train_rows), 1))
    if bound:
        train_rows = train_rows[train_rows["shopper_key"] < bound]
    timings = {"resample_seconds": round(prepare, 1), "shoppers": shoppers}
    started = time.perf_counter()
    scores, _ = pipeline.run_propensity(
        train_rows, bf[bf["as_of_date"].isin(labelled)], tg, sf[sf["as_of_date"] == pd.Timestamp(scoring_date)],
        bf[bf["as_of_date"] == pd.Timestamp(scoring_date)], sorted(bf["brand"].unique()), scoring_date,
    )
    timings["propensity_train_and_score_seconds"] = round(time.perf_counter() - started, 1)
    timings["propensity_rows_scored"] = int(len(scores))
    del scores
    started = time.perf_counter()
    training = pipeline.uplift_training_frame(outcomes, campaigns, sf, cf, last)
    selection = pipeline.run_uplift_selection(training, scoring_date)
    timings["uplift_selection_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    planned = campaigns.loc[campaigns["campaign_status"] == "planned", "campaign_id"]
    uplift_scores = pipeline.run_uplift_scoring(training, cf[cf["campaign_id"].isin(planned)], campaigns, sf,
                                                pipeline.selected_learner(selection))
    timings["uplift_fit_and_score_seconds"] = round(time.perf_counter() - started, 1)
    timings["uplift_training_rows"] = int(len(training))
    timings["uplift_rows_scored"] = int(len(uplift_scores))
    timings["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0)
    return timings


def run_scale(warehouse: Path, shoppers: int) -> dict:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.scores_validation", "--scale-child", str(shoppers), "--warehouse", str(warehouse)],
        cwd=REPO, capture_output=True, text=True,
    )
    if result.returncode != 0:
        return {"shoppers": shoppers, "error": result.stderr[-2000:]}
    out = json.loads(result.stdout.strip().splitlines()[-1])
    out["wall_seconds"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--shoppers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--scale", type=int, nargs="*", default=[100_000])
    parser.add_argument("--scale-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--warehouse", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale_child:
        print(json.dumps(scale_child(Path(args.warehouse), args.scale_child)))
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
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"settings": vars(args), "summary": summary, "seeds": seeds, "scale": scale},
                                  indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
