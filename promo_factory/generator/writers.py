"""Writers of the landing-zone files (LANDING_ZONE.md layout), each returning its record ledger."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from promo_factory.generator import fmt
from promo_factory.generator.config import RETAILERS
from promo_factory.generator.records import BetaRecords, SourceRecords, World

QUARANTINE_REASONS = frozenset({
    "malformed_json", "missing_field", "invalid_timestamp", "invalid_quantity", "invalid_amount", "invalid_gtin",
    "unknown_sku", "unknown_store", "unknown_product",
})
EXCLUSION_REASONS = frozenset({"superseded_version", "duplicate_record", "order_not_delivered", "erased_shopper"})
ALPHA_COLUMNS = ["ticket_id", "ligne", "store_code", "date_heure", "carte_fidelite", "ean", "libelle", "qte",
                 "poids_kg", "prix_unitaire", "remise", "code_promo"]


@dataclass
class Ledger:
    """Outcome counts and quarantined records of one source, as a correct build must report them."""

    source: str
    outcomes: Counter = field(default_factory=Counter)
    quarantine: list[tuple[str, str, str]] = field(default_factory=list)  # (source_file, record_ref, reason)
    files: list[str] = field(default_factory=list)

    def add(self, source_file: str, outcomes: np.ndarray, refs: np.ndarray) -> None:
        self.outcomes.update(outcomes.tolist())
        quarantined = np.flatnonzero(np.isin(outcomes, list(QUARANTINE_REASONS)))
        for position in quarantined:
            assert refs[position] is not None, "a quarantined record needs its record_ref"
            self.quarantine.append((source_file, str(refs[position]), str(outcomes[position])))

    @property
    def rows_read(self) -> int:
        return int(sum(self.outcomes.values()))


def _day_slices(file_day: np.ndarray) -> dict[int, slice]:
    days, starts = np.unique(file_day, return_index=True)
    ends = np.append(starts[1:], file_day.size)
    return {int(d): slice(int(s), int(e)) for d, s, e in zip(days, starts, ends)}


def _write_alpha_csv(path: Path, table: pa.Table, eol: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write((";".join(ALPHA_COLUMNS) + eol).encode())
        if table.num_rows:
            pa_csv.write_csv(table, handle, pa_csv.WriteOptions(include_header=False, delimiter=";",
                                                                  quoting_style="none", eol=eol))


def write_alpha(out: Path, truth: Path | None, world: World, records: SourceRecords, redelivered_day: int
                ) -> tuple[Ledger, list[str]]:
    """One CSV per business day; the missing day has no file, the empty day a header only."""
    ledger = Ledger("alpha_receipts")
    records = records.sorted()
    slices = _day_slices(records.file_day)
    table = pa.table({name: records.columns[name] for name in ALPHA_COLUMNS})
    redelivered = []
    for day in range(world.cal.days):
        rows = slices.get(day, slice(0, 0))
        if day == world.cal.missing_alpha_day:
            assert rows.stop == rows.start, "no sale may happen on the missing day"
            continue
        relative = f"alpha/receipts/{world.cal.date_of(day).isoformat()}.csv"
        eol = "\r\n" if world.rng.random() < 0.4 else "\n"
        part = table.slice(rows.start, rows.stop - rows.start)
        _write_alpha_csv(out / relative, part, eol)
        ledger.files.append(relative)
        ledger.add(relative, records.outcome[rows], records.record_ref[rows])
        if day >= redelivered_day and not redelivered and truth is not None and part.num_rows > 4:
            tickets = part.column("ticket_id").to_numpy(zero_copy_only=False)
            dropped = set(pd.unique(tickets)[-2:])
            original = part.filter(pa.array([t not in dropped for t in tickets]))
            if original.num_rows == 0:  # two tickets or fewer that day: re-deliver a later day instead
                continue
            prices = original.column("prix_unitaire").to_pylist()
            prices[0] = "0,01"  # a price error the partner corrected in the re-delivery
            original = original.set_column(original.schema.get_field_index("prix_unitaire"), "prix_unitaire",
                                           pa.array(prices, type=pa.string()))
            _write_alpha_csv(truth / "redelivered" / relative, original, eol)
            redelivered.append(relative)
    return ledger, redelivered


def write_beta(out: Path, truth: Path | None, world: World, beta: BetaRecords, redelivered_day: int
               ) -> tuple[Ledger, list[str]]:
    """One JSONL file per business day; an order reappears in a later file when its status changes."""
    ledger = Ledger("beta_orders")
    items, trips = beta.items, world.trips
    trip_of_item = items["trip"].to_numpy()
    trip_u, starts = np.unique(trip_of_item, return_index=True)
    offsets = pa.array(np.append(starts, trip_of_item.size).astype(np.int32))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, beta.json), ", ")

    shopper = trips["shopper"][trip_u]
    refs = world.shoppers.ref
    customer = np.array(["null"] * trip_u.size, dtype=object)
    known = shopper >= 0
    customer[known] = [f'{{"id": "{refs[s]}", "email_sha256": "{world.shoppers.email_sha256[s]}"}}' for s in shopper[known]]
    offset_seconds = trips["local_s"][trip_u] - trips["utc_s"][trip_u]
    placed = fmt.join(fmt.strftime(trips["local_s"][trip_u], "%Y-%m-%dT%H:%M:%S"),
                      fmt.where(offset_seconds == 7_200, "+02:00", "+01:00"))
    codes = world.stores["store_code"].to_numpy()[trips["store"][trip_u]]
    channel = np.where(codes == "B-WEB", "web", "drive")

    versions = beta.versions.copy()
    versions["k"] = np.searchsorted(trip_u, versions["trip"].to_numpy())
    versions = versions.sort_values(["file_day", "event_s", "trip"], kind="stable").reset_index(drop=True)
    k = pa.array(versions["k"].to_numpy())
    text = fmt.join(
        '{"order_id": "', fmt.take(world.trip_ids[trip_u].astype(str), versions["k"].to_numpy()),
        '", "placed_at": "', placed.take(k),
        '", "status": "', pa.array(versions["status"].to_numpy(), type=pa.string()),
        '", "channel": "', pa.array(channel, type=pa.string()).take(k),
        '", "store_code": "', pa.array(codes.astype(str), type=pa.string()).take(k),
        '", "customer": ', pa.array(customer, type=pa.string()).take(k),
        ', "items": [', joined.take(k), "]}",
    ).to_numpy(zero_copy_only=False)

    item_count = np.diff(np.append(starts, trip_of_item.size))
    final_file = versions.loc[versions["final"], ["trip", "file_day"]].set_index("trip")["file_day"]
    items_file_day = final_file.reindex(trip_of_item).to_numpy()
    by_file = np.argsort(items_file_day, kind="stable")
    item_slices = _day_slices(items_file_day[by_file])
    item_outcome = items["outcome_final"].to_numpy(dtype=object)[by_file]
    item_refs = items["record_ref"].to_numpy(dtype=object)[by_file]
    version_final = versions["final"].to_numpy()
    version_k = versions["k"].to_numpy()
    slices = _day_slices(versions["file_day"].to_numpy())
    malformed: dict[int, list[str]] = {}
    for day, fragment in beta.malformed:
        malformed.setdefault(day, []).append(fragment)
    redelivered = []
    for day in range(world.cal.days):
        rows = slices.get(day, slice(0, 0))
        lines = [(False, line) for line in text[rows]]
        relative = f"beta/orders/{world.cal.date_of(day).isoformat()}.jsonl"
        for fragment in malformed.get(day, []):
            lines.insert(int(world.rng.integers(0, len(lines) + 1)), (True, fragment))
        # record_ref of a malformed line is its final 1-based line number in the file.
        bad_numbers = [number for number, (bad, _) in enumerate(lines, start=1) if bad]
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for _, line in lines), encoding="utf-8")
        ledger.files.append(relative)
        superseded = int(item_count[version_k[rows][~version_final[rows]]].sum())
        ledger.outcomes["superseded_version"] += superseded
        final_items = item_slices.get(day, slice(0, 0))
        ledger.add(relative, item_outcome[final_items], item_refs[final_items])
        ledger.add(relative, np.array(["malformed_json"] * len(bad_numbers), dtype=object),
                   np.array([f"line {n}" for n in bad_numbers], dtype=object))
        if day >= redelivered_day and not redelivered and truth is not None and len(lines) >= 3:
            original = [line for bad, line in lines if not bad][:-1]
            target = truth / "redelivered" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(line + "\n" for line in original), encoding="utf-8")
            redelivered.append(relative)
    return ledger, redelivered


def write_gamma(out: Path, world: World, records: SourceRecords) -> Ledger:
    """Parquet files per UTC date folder, some folders split in several parts, some with a time zone."""
    ledger = Ledger("gamma_transactions")
    records = records.sorted()
    table = pa.table(records.columns)
    for day, rows in _day_slices(records.file_day).items():
        folder = f"gamma/transactions/date={world.cal.date_of(day).isoformat()}"
        parts = int(world.rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))
        trip = records.extra["trip"][rows]
        part_of_row = trip % parts
        day_table = table.slice(rows.start, rows.stop - rows.start)
        for part in range(parts):
            mask = part_of_row == part
            if not mask.any():
                continue
            chunk = day_table.filter(pa.array(mask))
            if world.rng.random() < 0.5:
                position = chunk.schema.get_field_index("ts_utc")
                chunk = chunk.set_column(position, pa.field("ts_utc", pa.timestamp("us", tz="UTC")),
                                         chunk.column("ts_utc").cast(pa.timestamp("us", tz="UTC")))
            relative = f"{folder}/part-{part}.parquet"
            (out / folder).mkdir(parents=True, exist_ok=True)
            pq.write_table(chunk, out / relative)
            ledger.files.append(relative)
            ledger.add(relative, records.outcome[rows][mask], records.record_ref[rows][mask])
    return ledger


def write_catalog(out: Path, world: World) -> Ledger:
    ledger = Ledger("catalog_products")
    raw = world.catalog.raw_rows
    columns = ["gtin", "product_name", "brand", "manufacturer", "category_l1", "category_l2", "category_l3",
               "pack_size", "updated_at"]
    path = out / "catalog" / "products.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    raw[columns].to_csv(path, index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    ledger.files.append("catalog/products.csv")
    ledger.add("catalog/products.csv", raw["outcome"].to_numpy(dtype=object), raw["gtin"].to_numpy(dtype=object))
    return ledger


def sku_codes(world: World) -> np.ndarray:
    """GAMMA internal SKU of every product (only stocked ones appear in sku_map.csv)."""
    return np.array([f"GS{100_000 + 7 * i:06d}" for i in range(world.catalog.n_products)], dtype=object)


def write_reference_files(out: Path, world: World, skus: np.ndarray, assignments: pd.DataFrame,
                          redemptions: pd.DataFrame) -> dict[str, int]:
    """stores, sku_map, campaigns, assignments, redemptions, erasure requests; returns row counts."""
    rng = world.rng
    counts = {}
    stores = world.stores.drop(columns=["retailer_idx"])
    (out / "stores").mkdir(parents=True, exist_ok=True)
    stores.to_csv(out / "stores" / "stores.csv", index=False, lineterminator="\n")
    counts["stores"] = len(stores)

    products = world.catalog.products
    stocked = np.flatnonzero(world.catalog.assortment[2])
    text = products["ean_text"].to_numpy()[stocked]
    long_form = rng.random(stocked.size) < 0.2
    gtin_text = np.where(long_form, products["gtin"].to_numpy()[stocked], text)
    (out / "gamma").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"sku": skus[stocked], "gtin": gtin_text}).to_csv(out / "gamma" / "sku_map.csv", index=False,
                                                                   lineterminator="\n")
    counts["sku_map"] = int(stocked.size)

    rows = []
    for campaign in world.campaigns:
        rows.append({
            "campaign_id": campaign.campaign_id,
            "brand": campaign.brand_text,
            "category_l2": world.catalog.categories_l2[campaign.l2_idx] if campaign.l2_idx >= 0 else "",
            "offer_type": campaign.offer_type,
            "offer_value": f"{campaign.offer_value:g}",
            "start_date": world.cal.date_of(campaign.start_day).isoformat(),
            "end_date": world.cal.date_of(campaign.end_day).isoformat(),
            "retailers": "|".join(RETAILERS[r] for r in campaign.retailers),
            "budget_eur": f"{campaign.budget_eur:.2f}",
            "cost_per_offer_eur": f"{campaign.cost_per_offer_eur:.2f}",
            "holdout_share": f"{campaign.holdout_share:g}",
        })
    (out / "campaigns").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(out / "campaigns" / "campaigns.csv", index=False, lineterminator="\n")
    assignments.to_csv(out / "campaigns" / "assignments.csv", index=False, lineterminator="\n")
    redemptions.to_csv(out / "campaigns" / "redemptions.csv", index=False, lineterminator="\n")
    counts.update(campaigns=len(rows), assignments=len(assignments), redemptions=len(redemptions))

    erased = np.flatnonzero(world.erased)
    requested = [world.cal.date_of(int(rng.integers(max(0, world.cal.days - 30), world.cal.days))).isoformat() for _ in erased]
    (out / "privacy").mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "retailer": [RETAILERS[r] for r in world.shoppers.retailer[erased]],
        "customer_ref": world.shoppers.ref[erased],
        "requested_at": requested,
    }).to_csv(out / "privacy" / "erasure_requests.csv", index=False, lineterminator="\n")
    counts["erasure_requests"] = int(erased.size)
    return counts
