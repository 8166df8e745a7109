"""Validation of offer allocation (issue 6): targeting efficiency against the generator's true uplift, and solve time.

1. Efficiency. For each generator seed, a small landing zone and its truth are written and the real
   pipeline (``dbt run --select +offer_allocations +propensity_scores``) builds the offer_rules seed, offer_eligibility and the
   scores into a temporary warehouse. For each planned campaign, on its eligible shoppers that the truth
   scores (``planned_uplift.parquet``), n offers are sent (n = min(floor(budget / cost),
   --offer-share x eligible): at demo scale the budgets would cover everybody) to:
   - the n best by predicted uplift (uplift_scores, what the optimiser maximises),
   - the n best by propensity for the campaign's brand (propensity-only targeting),
   - the n best by true uplift (oracle), and a random n (expected value: n x mean true uplift).
   Efficiency E = (true uplift of chosen - random) / (oracle - random), per campaign and pooled
   (sums of numerators and denominators over campaigns and seeds). Target: uplift E >= 0.6.
2. Solve time of the exact optimiser for --timing-shoppers shoppers x 5 planned campaigns (synthetic scores,
   overlapping campaigns, the seed's cap rules: at most 1 concurrent offer, 14 days between offers), for the
   solver alone and for allocate_offers end to end (keys, holdout, reasons). Target <= 30 s.

Usage: ``.venv/bin/python -m bench.allocation_validation [--seeds 3] [--timing-shoppers 1000000]``.
Writes ``bench/results/allocation_validation.json``.
"""

from __future__ import annotations

import argparse
import json
import os
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
RESULTS = REPO / "bench" / "results" / "allocation_validation.json"


def _generate(out: Path, truth: Path, seed: int, shoppers: int, days: int) -> None:
    from promo_factory.generator import generate_landing_zone

    generate_landing_zone(out=out, truth=truth, seed=seed, shoppers=shoppers, days=days,
                          start_date=date(2025, 10, 1), clean=True, progress=False)


def _dbt_run(raw: Path, warehouse: Path, work: Path) -> float:
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO), "PROMO_RAW_DIR": str(raw), "PROMO_WAREHOUSE": str(warehouse),
           "DBT_TARGET_PATH": str(work / "target"), "DBT_LOG_PATH": str(work / "logs"), "DO_NOT_TRACK": "1"}
    started = time.perf_counter()
    for command in (["seed", "--select", "offer_rules"], ["run", "--select", "+offer_allocations", "+propensity_scores"]):
        result = subprocess.run([str(BIN / "dbt"), *command], cwd=REPO, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(result.stdout[-4000:])
    return time.perf_counter() - started


def efficiency(true: np.ndarray, score: np.ndarray, n: int) -> tuple[float, float, float]:
    """(chosen - random, oracle - random, E) for the top n by `score`, valued by `true` (ties: input order)."""
    order = np.lexsort((np.arange(len(score)), -score))[:n]
    oracle = np.sort(true)[::-1][:n].sum()
    random = n * true.mean() if len(true) else 0.0
    gain, span = float(true[order].sum() - random), float(oracle - random)
    return gain, span, gain / span if span > 0 else float("nan")


def validate_seed(seed: int, shoppers: int, days: int, offer_share: float, work_root: Path) -> dict:
    work = work_root / f"seed_{seed}"
    raw, truth, warehouse = work / "raw", work / "truth", work / "warehouse.duckdb"
    _generate(raw, truth, seed, shoppers, days)
    warehouse.unlink(missing_ok=True)
    build_seconds = _dbt_run(raw, warehouse, work)
    true = pd.read_parquet(truth / "planned_uplift.parquet")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        eligibility = con.execute("select * from marts.offer_eligibility where is_eligible").df()
        campaigns = con.execute("select * from marts.dim_campaigns where campaign_status = 'planned'").df()
        propensity = con.execute(
            "select shopper_key, brand, score from marts.propensity_scores "
            "where as_of_date = (select max(as_of_date) from marts.propensity_scores)"
        ).df()
    pool = eligibility.merge(true, on=["campaign_id", "shopper_key"], how="inner", suffixes=("", "_truth"))
    pool = pool.merge(campaigns[["campaign_id", "brand", "budget_eur", "cost_per_offer_eur"]], on="campaign_id")
    pool = pool.merge(propensity, on=["shopper_key", "brand"], how="left").fillna({"score": 0.0})
    rows = []
    for campaign_id, group in pool.sort_values(["campaign_id", "shopper_key"]).groupby("campaign_id"):
        budget_offers = int(float(group["budget_eur"].iloc[0]) // float(group["cost_per_offer_eur"].iloc[0]))
        n = min(budget_offers, int(round(offer_share * len(group))))
        t = group["true_expected_incremental_sales_eur"].to_numpy(dtype=float)
        row = {"seed": seed, "campaign_id": campaign_id, "eligible": len(group), "offers": n}
        for name, score in [("uplift", group["expected_incremental_sales_eur"]), ("propensity", group["score"])]:
            gain, span, e = efficiency(t, score.to_numpy(dtype=float), n)
            row[f"{name}_gain_eur"], row["oracle_gain_eur"], row[f"{name}_efficiency"] = gain, span, e
        rows.append(row)
    return {"seed": seed, "dbt_run_seconds": round(build_seconds, 1), "campaigns": rows}


def timing(shoppers: int, seed: int = 0) -> dict:
    from promo_factory.allocation import allocate_offers
    from promo_factory.allocation.optimiser import solve_allocation
    from promo_factory.allocation.rules import campaign_groups

    rng = np.random.default_rng(seed)
    n_campaigns = 5
    campaigns = pd.DataFrame({
        "campaign_id": [f"CMP-{i}" for i in range(n_campaigns)],
        "start_date": pd.to_datetime(["2026-06-01", "2026-06-08", "2026-06-20", "2026-07-01", "2026-07-20"]),
        "end_date": pd.to_datetime(["2026-06-21", "2026-06-30", "2026-07-10", "2026-07-25", "2026-08-10"]),
        "budget_eur": [4000.0, 3000.0, 6000.0, 2000.0, 5000.0],
        "cost_per_offer_eur": [0.2] * n_campaigns,
        "holdout_share": [0.1, 0.2, 0.1, 0.25, 0.15],
    })
    rules = pd.DataFrame({
        "rule_id": ["R02", "R04"], "rule_type": ["max_concurrent_offers", "min_days_between_offers"],
        "action": ["cap", "exclude"], "param_days": [None, 14], "param_count": [1, None], "is_active": [True, True],
        "description": ["at most 1 concurrent offer", "14 days between offers"],
    })
    base = rng.gamma(1.0, 1.0, shoppers)
    value = np.repeat(base, n_campaigns) * rng.lognormal(0.0, 0.5, shoppers * n_campaigns) - 0.5
    keys = np.char.add("s", np.arange(shoppers).astype(str))
    eligibility = pd.DataFrame({
        "campaign_id": np.tile(campaigns["campaign_id"].to_numpy(), shoppers),
        "retailer": "ALPHA",
        "shopper_key": np.repeat(keys, n_campaigns),
        "expected_incremental_sales_eur": value,
        "is_eligible": True, "rules_fired": None, "priority_weight": 1.0,
    })
    from promo_factory.allocation.allocate import campaign_capacities

    capacity = campaign_capacities(campaigns)["audience_capacity"].to_numpy()
    groups = [g for _, g in campaign_groups(campaigns, rules)]
    started = time.perf_counter()
    chosen, stats = solve_allocation(np.repeat(np.arange(shoppers), n_campaigns), np.tile(np.arange(n_campaigns),
                                     shoppers), value, capacity, groups)
    solver_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = allocate_offers(eligibility, campaigns, rules, seed=1)
    end_to_end_seconds = time.perf_counter() - started
    return {
        "shoppers": shoppers, "campaigns": n_campaigns, "pairs": int(shoppers * n_campaigns),
        "audience_capacity": capacity.tolist(), "groups": [sorted(g.campaigns) for g in groups],
        "solver_seconds": round(solver_seconds, 2), "allocate_offers_seconds": round(end_to_end_seconds, 2),
        "pruned_pairs": stats.pruned_pairs, "free_pairs_for_milp": stats.free_pairs,
        "objective": stats.objective, "upper_bound": stats.upper_bound,
        "allocated_rows": len(result.allocations), "chosen_pairs": int(chosen.sum()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=101)
    parser.add_argument("--shoppers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=240)
    parser.add_argument("--offer-share", type=float, default=0.3)
    parser.add_argument("--timing-shoppers", type=int, default=1_000_000)
    parser.add_argument("--work", default=os.environ.get("PROMO_BENCH_DIR", "/tmp/promo_allocation_bench"))
    args = parser.parse_args(argv)

    seeds = [validate_seed(s, args.shoppers, args.days, args.offer_share, Path(args.work))
             for s in range(args.first_seed, args.first_seed + args.seeds)]
    rows = pd.DataFrame([r for s in seeds for r in s["campaigns"]])
    summary = {}
    if len(rows):
        for name in ("uplift", "propensity"):
            summary[f"{name}_efficiency_pooled"] = float(rows[f"{name}_gain_eur"].sum() / rows["oracle_gain_eur"].sum())
            summary[f"{name}_efficiency_mean"] = float(rows[f"{name}_efficiency"].mean())
    report = {
        "settings": vars(args), "efficiency": summary, "per_seed": seeds,
        "timing": timing(args.timing_shoppers) if args.timing_shoppers else None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(rows.to_string(index=False) if len(rows) else "no planned campaign")
    print(json.dumps({"efficiency": summary, "timing": report["timing"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
