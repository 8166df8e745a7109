"""Sample landing-zone generator with its ground truth (LANDING_ZONE.md, docs/CONVENTIONS.md).

``generate_landing_zone`` simulates shoppers of three retailers, their baskets,
brand campaigns with randomised holdouts and a heterogeneous causal effect,
writes every partner file with its conventions and planted defects, and
writes under ``truth`` exactly what a correct build must publish.
"""

from __future__ import annotations

import shutil
import sys
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from promo_factory.generator import defects
from promo_factory.generator.baskets import simulate_baseline
from promo_factory.generator.campaigns import define_campaigns, planned_uplift, simulate_past_campaigns
from promo_factory.generator.catalog import build_catalog
from promo_factory.generator.config import RETAILERS, Calendar
from promo_factory.generator.market import build_market
from promo_factory.generator.records import (
    World,
    alpha_records,
    assign_transaction_ids,
    base_outcome,
    beta_items,
    gamma_records,
)
from promo_factory.generator.shoppers import build_shoppers
from promo_factory.generator.stores import build_stores
from promo_factory.generator.truth import campaign_effects, products_truth, quality_truth, sales_lines, write_truth
from promo_factory.generator.writers import (
    sku_codes,
    write_alpha,
    write_beta,
    write_catalog,
    write_gamma,
    write_reference_files,
)

LANDING_FOLDERS = ("alpha", "beta", "gamma", "catalog", "stores", "campaigns", "privacy")
TRUTH_ENTRIES = ("sales_lines.parquet", "products.parquet", "quarantine.parquet", "reconciliation.parquet",
                 "exclusions.parquet", "campaign_effects.parquet", "planned_uplift.parquet", "manifest.json", "redelivered")

__all__ = ["generate_landing_zone"]


def _clean(out: Path, truth: Path | None) -> None:
    """Remove what a previous run wrote (only the generator's own folders and files)."""
    for name in LANDING_FOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)
    if truth is not None:
        for name in TRUTH_ENTRIES:
            target = truth / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def _choose_erased(rng: np.random.Generator, world_trips: dict, world_lines: dict, shopper_retailer: np.ndarray,
                   assigned: pd.DataFrame) -> np.ndarray:
    """~1 % of identified shoppers, including a redeemer and an assigned control shopper."""
    seen = np.unique(world_trips["shopper"][world_trips["shopper"] >= 0])
    count = max(2, int(round(0.01 * seen.size)))
    chosen: list[int] = []
    redeemer_lines = world_lines["campaign"] >= 0
    redeemers = np.unique(world_trips["shopper"][world_lines["trip"][redeemer_lines]])
    if redeemers.size:
        chosen.append(int(rng.choice(redeemers)))
    controls = assigned.loc[assigned["arm"] == "control", "shopper"].to_numpy() if not assigned.empty else np.array([])
    controls = np.setdiff1d(controls, chosen)
    if controls.size:
        chosen.append(int(rng.choice(controls)))
    for retailer in range(3):  # every retailer has an erased shopper
        members = seen[shopper_retailer[seen] == retailer]
        if members.size and not np.isin(members, chosen).any():
            chosen.append(int(rng.choice(members)))
    rest = np.setdiff1d(seen, chosen)
    chosen += [int(s) for s in rng.choice(rest, size=min(rest.size, max(0, count - len(chosen))), replace=False)]
    erased = np.zeros(shopper_retailer.size, dtype=bool)
    erased[chosen] = True
    return erased


def generate_landing_zone(
    out: Path,
    truth: Path | None,
    seed: int = 42,
    shoppers: int = 2000,
    days: int = 182,
    start_date: date = date(2025, 10, 1),
    clean: bool = False,
    progress: bool = False,
    broken_randomisation: bool = False,
) -> dict:
    """Write a landing zone under ``out`` and its ground truth under ``truth``; return the manifest."""
    out, truth = Path(out), (Path(truth) if truth is not None else None)
    if truth is not None and truth.resolve().is_relative_to(out.resolve()):
        raise ValueError("the truth folder must not be inside the landing zone")
    if days < 14 or shoppers < 10:
        raise ValueError("need at least 14 days and 10 shoppers")
    if clean:
        _clean(out, truth)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cal = Calendar.build(start_date, days)

    catalog = build_catalog(rng, datetime.combine(start_date, time(6, 0)))
    market = build_market(rng, catalog)
    stores = build_stores(rng, shoppers, start_date)
    people = build_shoppers(rng, shoppers, days, stores, market)
    bar = tqdm(range(days), desc="simulating days", unit="day", file=sys.stderr, disable=not progress)
    trips, lines = simulate_baseline(rng, cal, people, stores, catalog, market, progress=bar)
    steps = tqdm(total=7, desc="campaigns", unit="step", file=sys.stderr, disable=not progress)
    campaigns = define_campaigns(rng, cal, catalog, lines, trips)
    trips, lines, outcome = simulate_past_campaigns(rng, cal, campaigns, trips, lines, catalog, people, stores,
                                                    broken_randomisation)
    erased = _choose_erased(rng, trips, lines, people.retailer, outcome.shoppers)
    world = World(rng=rng, cal=cal, catalog=catalog, stores=stores, shoppers=people, campaigns=campaigns,
                  trips=trips, lines=lines, erased=erased)
    world.trip_ids = assign_transaction_ids(world)
    outcome_of_line = base_outcome(world)

    # One source at a time (records built, defects planted, files written, records dropped) to bound memory.
    skus = sku_codes(world)
    planted: dict[str, dict[str, int]] = {}
    first_redelivery = next(d for d in range(days // 4, days) if d not in (cal.missing_alpha_day, cal.empty_alpha_day))

    steps.update()
    steps.set_description("ALPHA receipts")
    alpha = alpha_records(world, outcome_of_line)
    alpha, planted["alpha_receipts"] = defects.plant_alpha(world, alpha, defects.defects_per_kind(len(alpha)))
    planted["alpha_receipts"]["erased_shopper"] = int((alpha.outcome == "erased_shopper").sum())
    alpha_ledger, redelivered = write_alpha(out, truth, world, alpha, first_redelivery)
    del alpha

    steps.update()
    steps.set_description("GAMMA transactions")
    gamma = gamma_records(world, outcome_of_line, skus)
    gamma, planted["gamma_transactions"] = defects.plant_gamma(
        world, gamma, defects.defects_per_kind(len(gamma)), set(skus[catalog.assortment[2]]))
    planted["gamma_transactions"]["erased_shopper"] = int((gamma.outcome == "erased_shopper").sum())
    gamma_ledger = write_gamma(out, world, gamma)
    del gamma

    steps.update()
    steps.set_description("BETA orders")
    beta = beta_items(world, outcome_of_line)
    beta, planted["beta_orders"] = defects.plant_beta(world, beta, defects.defects_per_kind(len(beta.items)),
                                                      world.trip_ids)
    planted["beta_orders"]["erased_shopper"] = int((beta.items["outcome_final"].to_numpy() == "erased_shopper").sum())
    beta_ledger, redelivered_beta = write_beta(out, truth, world, beta, first_redelivery + 1)
    del beta

    raw_catalog = catalog.raw_rows["outcome"]
    planted["catalog_products"] = {reason: int(n) for reason, n in raw_catalog[raw_catalog != "loaded"].value_counts().items()}
    ledgers = [alpha_ledger, beta_ledger, gamma_ledger, write_catalog(out, world)]

    steps.update()
    steps.set_description("reference files")
    assignments, redemptions = _campaign_files(world, outcome)
    counts = write_reference_files(out, world, skus, assignments, redemptions.drop(columns=["erased"]))
    steps.update()
    steps.set_description("truth")
    truth_sales = sales_lines(world, outcome_of_line)
    for ledger in ledgers[:3]:
        retailer = RETAILERS[("alpha_receipts", "beta_orders", "gamma_transactions").index(ledger.source)]
        loaded = int(np.sum(truth_sales.column("retailer").to_numpy(zero_copy_only=False) == retailer))
        assert ledger.outcomes["loaded"] == loaded, (ledger.source, ledger.outcomes["loaded"], loaded)

    identified_days = shoppers * days
    manifest = {
        "generator": "promo_factory.generator",
        "seed": seed,
        "scale": {"shoppers": shoppers, "days": days, "start_date": start_date.isoformat()},
        "first_business_date": cal.start.isoformat(),
        "last_business_date": cal.last.isoformat(),
        "missing_alpha_file_date": cal.date_of(cal.missing_alpha_day).isoformat(),
        "header_only_alpha_file_date": cal.date_of(cal.empty_alpha_day).isoformat(),
        "counts": {
            "files": {ledger.source: len(ledger.files) for ledger in ledgers},
            "records_read": {ledger.source: ledger.rows_read for ledger in ledgers},
            "sales_lines": truth_sales.num_rows,
            "sales_lines_per_shopper_day": round(truth_sales.num_rows / identified_days, 4),
            "products": catalog.n_products,
            **counts,
        },
        "planted_defects": planted,
        "redelivered_files": redelivered + redelivered_beta,
        "broken_randomisation_campaign": outcome.broken_campaign,
        "campaigns": {
            "past": [c.campaign_id for c in campaigns if not c.planned],
            "planned": [c.campaign_id for c in campaigns if c.planned],
        },
    }
    if truth is not None:
        quarantine, reconciliation, exclusions = quality_truth(ledgers)
        tables = {
            "sales_lines": truth_sales,
            "products": products_truth(world),
            "quarantine": quarantine,
            "reconciliation": reconciliation,
            "exclusions": exclusions,
            "campaign_effects": campaign_effects(world, outcome, redemptions),
            "planned_uplift": planned_uplift(cal, campaigns, trips, lines, catalog, market, people, erased),
        }
        write_truth(truth, tables, manifest)
    steps.update(steps.total - steps.n)
    steps.close()
    return manifest


def _campaign_files(world: World, outcome) -> tuple[pd.DataFrame, pd.DataFrame]:
    """assignments.csv (minus the dropped controls of a broken campaign) and redemptions.csv rows."""
    assigned = outcome.shoppers
    campaigns = world.campaigns
    keep = np.array([(int(k), int(s)) not in outcome.dropped_controls
                     for k, s in zip(assigned["campaign"], assigned["shopper"])], dtype=bool)
    assigned = assigned[keep]
    assignments = pd.DataFrame({
        "campaign_id": [campaigns[k].campaign_id for k in assigned["campaign"]],
        "retailer": [RETAILERS[r] for r in assigned["retailer"]],
        "customer_ref": world.shoppers.ref[assigned["shopper"].to_numpy()],
        "arm": assigned["arm"].to_numpy(),
        "assigned_at": [world.cal.date_of(campaigns[k].start_day - 1).isoformat() for k in assigned["campaign"]],
    })
    lines = world.lines
    redeemed = np.flatnonzero(lines["campaign"] >= 0)
    trip = lines["trip"][redeemed]
    shopper = world.trips["shopper"][trip]
    stamps = pd.to_datetime(world.trips["utc_s"][trip], unit="s").strftime("%Y-%m-%dT%H:%M:%SZ")
    discount = lines["discount"][redeemed]
    redemptions = pd.DataFrame({
        "campaign_id": [campaigns[k].campaign_id for k in lines["campaign"][redeemed]],
        "retailer": [RETAILERS[r] for r in world.trips["retailer"][trip]],
        "customer_ref": world.shoppers.ref[shopper],
        "redeemed_at": np.asarray(stamps),
        "transaction_ref": world.trip_ids[trip],
        "discount_eur": [f"{d // 100}.{d % 100:02d}" for d in discount],
        "erased": world.erased[shopper],
    }).sort_values(["redeemed_at", "transaction_ref"], kind="stable").reset_index(drop=True)
    return assignments, redemptions
