"""Ground truth written next to (never inside) the landing zone: what a correct build must publish."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from promo_factory.generator import fmt
from promo_factory.generator.campaigns import CampaignOutcome, net_micro
from promo_factory.generator.config import RETAILERS
from promo_factory.generator.records import LOADED, World
from promo_factory.generator.writers import EXCLUSION_REASONS, QUARANTINE_REASONS, Ledger

AMOUNT = pa.decimal128(18, 6)
SALES_SCHEMA = pa.schema([
    ("retailer", pa.string()),
    ("store_code", pa.string()),
    ("transaction_id", pa.string()),
    ("line_number", pa.int32()),
    ("shopper_key", pa.string()),
    ("gtin", pa.string()),
    ("business_date", pa.date32()),
    ("sold_at_utc", pa.timestamp("us")),
    ("units", pa.int32()),
    ("net_amount_eur", AMOUNT),
    ("discount_eur", AMOUNT),
    ("is_promo", pa.bool_()),
    ("campaign_id", pa.string()),
])


def micro_to_decimal(micro: np.ndarray) -> pa.Array:
    """decimal128(18, 6) from integer micro-euros, exactly (two's complement 128-bit buffers)."""
    micro = np.asarray(micro, dtype=np.int64)
    words = np.empty((micro.size, 2), dtype=np.int64)
    words[:, 0] = micro
    words[:, 1] = np.where(micro < 0, -1, 0)
    return pa.Array.from_buffers(AMOUNT, micro.size, [None, pa.py_buffer(words.tobytes())])


def sales_lines(world: World, outcome: np.ndarray) -> pa.Table:
    """Rows fct_sales_lines must hold, sorted by retailer, transaction_id, line_number.

    Per-line text columns are taken from small per-entity arrow arrays (no Python object per line).
    """
    trip_rank = np.empty(world.trip_ids.size, dtype=np.int64)
    trip_rank[np.argsort(world.trip_ids.astype(str), kind="stable")] = np.arange(world.trip_ids.size)
    loaded = np.flatnonzero(outcome == LOADED)
    all_trips = world.lines["trip"][loaded]
    order = loaded[np.lexsort((world.lines["line"][loaded], trip_rank[all_trips], world.trips["retailer"][all_trips]))]
    lines = {name: column[order] for name, column in world.lines.items()}
    trip = lines["trip"]
    shopper = world.trips["shopper"][trip]
    products = world.catalog.products
    campaign_ids = [c.campaign_id for c in world.campaigns] + [None]
    keys = list(world.shoppers.key) + [None]
    frame = pa.table({
        "retailer": fmt.take(list(RETAILERS), world.trips["retailer"][trip]),
        "store_code": fmt.take(world.stores["store_code"].tolist(), world.trips["store"][trip]),
        "transaction_id": fmt.take(world.trip_ids.tolist(), trip),
        "line_number": pa.array(lines["line"].astype(np.int32), type=pa.int32()),
        "shopper_key": fmt.take(keys, np.where(shopper >= 0, shopper, len(keys) - 1)),
        "gtin": fmt.take(products["gtin"].tolist(), lines["product"]),
        "business_date": pa.array(world.cal.epoch_day(world.trips["day"][trip]).astype(np.int32), type=pa.int32()).cast(pa.date32()),
        "sold_at_utc": pa.array(world.trips["utc_s"][trip] * 1_000_000, type=pa.int64()).cast(pa.timestamp("us")),
        "units": pa.array(lines["units"].astype(np.int32), type=pa.int32()),
        "net_amount_eur": micro_to_decimal(net_micro(lines)),
        "discount_eur": micro_to_decimal(lines["discount"] * 10_000),
        "is_promo": pa.array(lines["discount"] > 0, type=pa.bool_()),
        "campaign_id": fmt.take(campaign_ids, np.where(lines["campaign"] >= 0, lines["campaign"], len(campaign_ids) - 1)),
    }, schema=SALES_SCHEMA)
    return frame


def products_truth(world: World) -> pd.DataFrame:
    products = world.catalog.products
    frame = pd.DataFrame({
        "gtin": products["gtin"],
        "product_name": products["product_name"],
        "brand": products["brand_norm"],
        "manufacturer": products["manufacturer"],
        "category_l1": products["category_l1"],
        "category_l2": products["category_l2"],
        "category_l3": products["category_l3"],
    })
    return frame.sort_values("gtin").reset_index(drop=True)


def quality_truth(ledgers: list[Ledger]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """quarantine, reconciliation and exclusions tables from the writers' ledgers."""
    quarantine = pd.DataFrame(
        [(ledger.source, *row) for ledger in ledgers for row in ledger.quarantine],
        columns=["source", "source_file", "record_ref", "reason"],
    ).sort_values(["source", "source_file", "record_ref"]).reset_index(drop=True)
    reconciliation, exclusions = [], []
    for ledger in ledgers:
        unknown = set(ledger.outcomes) - QUARANTINE_REASONS - EXCLUSION_REASONS - {LOADED}
        assert not unknown, f"unknown outcomes {unknown}"
        excluded = sum(n for reason, n in ledger.outcomes.items() if reason in EXCLUSION_REASONS)
        quarantined = sum(n for reason, n in ledger.outcomes.items() if reason in QUARANTINE_REASONS)
        reconciliation.append((ledger.source, ledger.rows_read, ledger.outcomes[LOADED], excluded, quarantined))
        exclusions += [(ledger.source, reason, n) for reason, n in sorted(ledger.outcomes.items())
                       if reason in EXCLUSION_REASONS and n > 0]
    return (
        quarantine,
        pd.DataFrame(reconciliation, columns=["source", "rows_read", "rows_loaded", "rows_excluded", "rows_quarantined"]).astype(
            {"rows_read": "int64", "rows_loaded": "int64", "rows_excluded": "int64", "rows_quarantined": "int64"}),
        pd.DataFrame(exclusions, columns=["source", "reason", "rows"]).astype({"rows": "int64"}),
    )


def campaign_effects(world: World, outcome: CampaignOutcome, redemptions: pd.DataFrame) -> pd.DataFrame:
    """Per past campaign x retailer: arm sizes and means as the files show them, and the true effects.

    Over the randomised shoppers the files keep (erased shoppers and the dropped
    controls of a broken randomisation left out):
    - ``true_effect_per_treated`` (ATT): mean over the treatment arm of Y1 - Y0,
      Y0 the outcome without the campaign;
    - ``true_itt_effect``, the estimand of the intention-to-treat contrast:
      mean over both arms of Y(assigned to treatment) - Y(assigned to control).
      Y(treatment) - Y0 = the offer's change to the shopper's own purchases +
      the expected value of the extra purchases it causes (`effects`);
      Y(control) - Y0 = contamination (a control shopper who redeems anyway),
      drawn by the generator for the control arm only, so its mean is taken
      over that arm (``true_contamination_effect``). Both are potential
      outcomes of the simulation, never computed from the files.
    """
    shoppers = outcome.shoppers.copy()
    if shoppers.empty:
        return pd.DataFrame()
    dropped = {(k, s) for k, s in outcome.dropped_controls}
    keep = ~world.erased[shoppers["shopper"].to_numpy()]
    keep &= ~np.array([(int(k), int(s)) in dropped for k, s in zip(shoppers["campaign"], shoppers["shopper"])], dtype=bool)
    shoppers = shoppers[keep]
    rows = []
    for k, campaign in enumerate(world.campaigns):
        if campaign.planned:
            continue
        for retailer in campaign.retailers:
            group = shoppers[(shoppers["campaign"] == k) & (shoppers["retailer"] == retailer)]
            treated = group[group["arm"] == "treatment"]
            control = group[group["arm"] == "control"]
            control_refs = set(world.shoppers.ref[control["shopper"].to_numpy()])
            mine = redemptions[(redemptions["campaign_id"] == campaign.campaign_id)
                               & (redemptions["retailer"] == RETAILERS[retailer]) & ~redemptions["erased"]]
            rows.append({
                "campaign_id": campaign.campaign_id,
                "retailer": RETAILERS[retailer],
                "n_treatment": len(treated),
                "n_control": len(control),
                "mean_outcome_treatment": float(treated["y1_micro"].mean() / 1e6) if len(treated) else np.nan,
                "mean_outcome_control": float(control["y1_micro"].mean() / 1e6) if len(control) else np.nan,
                "true_effect_per_treated": float((treated["y1_micro"] - treated["y0_micro"]).mean() / 1e6) if len(treated) else np.nan,
                "true_itt_effect": _itt_effect(group, control),
                "true_contamination_effect": float((control["y1_micro"] - control["y0_natural_micro"]).mean() / 1e6)
                if len(control) else np.nan,
                "contaminated_redemptions": int(mine["customer_ref"].isin(control_refs).sum()),
                "redemptions": len(mine),
                "is_broken_randomisation": campaign.campaign_id == outcome.broken_campaign,
            })
    return pd.DataFrame(rows).astype({"n_treatment": "int64", "n_control": "int64",
                                      "contaminated_redemptions": "int64", "redemptions": "int64"})


def _itt_effect(group: pd.DataFrame, control: pd.DataFrame) -> float:
    """mean over the arms of (offer change + expected extra) - mean over control of (Y1 - Y0), EUR."""
    if group.empty or control.empty:
        return np.nan
    if_treated = (group["offer_change_micro"] + group["expected_extra_micro"]).mean()
    if_control = (control["y1_micro"] - control["y0_natural_micro"]).mean()
    return float((if_treated - if_control) / 1e6)


def write_truth(truth: Path, tables: dict[str, pa.Table | pd.DataFrame], manifest: dict) -> None:
    truth.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        arrow = table if isinstance(table, pa.Table) else pa.Table.from_pandas(table, preserve_index=False)
        pq.write_table(arrow, truth / f"{name}.parquet")
    (truth / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
