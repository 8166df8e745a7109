"""Raw records of each partner, built from the simulated lines, each with its outcome.

Every record carries the outcome the project must give it (docs/CONVENTIONS.md):
``loaded`` or an exclusion / quarantine reason. Defects are planted on top
by :mod:`promo_factory.generator.defects`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from promo_factory.generator import fmt
from promo_factory.generator.baskets import (
    CANCELLED_AT_ONCE,
    LATER_CANCELLED,
    LATER_RETURNED,
    RESENT_DELIVERED,
    SALE_STATUSES,
)
from promo_factory.generator.campaigns import Campaign
from promo_factory.generator.catalog import Catalog
from promo_factory.generator.config import ALPHA, BETA, GAMMA, Calendar
from promo_factory.generator.shoppers import Shoppers
from promo_factory.generator.table import Table

LOADED = "loaded"


@dataclass
class World:
    """Everything simulated, shared by the record builders, the writers and the truth."""

    rng: np.random.Generator
    cal: Calendar
    catalog: Catalog
    stores: pd.DataFrame
    shoppers: Shoppers
    campaigns: list[Campaign]
    trips: Table
    lines: Table
    erased: np.ndarray  # bool per shopper
    trip_ids: np.ndarray = field(default_factory=lambda: np.array([], dtype=object))

    def line_trip(self, name: str) -> np.ndarray:
        return self.trips[name][self.lines["trip"]]


def _yymmdd(cal: Calendar, day: np.ndarray) -> np.ndarray:
    return np.array([cal.date_of(d).strftime("%y%m%d") for d in range(int(day.max()) + 1)], dtype=object)[day] if day.size else day


def assign_transaction_ids(world: World) -> np.ndarray:
    """Raw transaction ids per trip: ALPHA ``A017-251003-00042``, BETA ``B-0001234``, GAMMA ``T251003-017-0042``."""
    trips = world.trips
    frame = pd.DataFrame({
        "retailer": trips["retailer"],
        "store": trips["store"],
        "day": trips["day"],
        "utc": trips["utc_s"],
        "position": np.arange(trips["day"].size),
    }).sort_values(["retailer", "store", "day", "utc", "position"], kind="stable")
    frame["seq"] = frame.groupby(["retailer", "store", "day"]).cumcount() + 1
    codes = world.stores["store_code"].to_numpy()
    ids = np.empty(len(frame), dtype=object)
    dates = _yymmdd(world.cal, frame["day"].to_numpy())
    for r in (ALPHA, GAMMA):
        part = (frame["retailer"] == r).to_numpy()
        sub = frame[part]
        store_text = codes[sub["store"].to_numpy()]
        if r == ALPHA:
            ids[sub["position"].to_numpy()] = [f"{s}-{d}-{q:05d}" for s, d, q in zip(store_text, dates[part], sub["seq"])]
        else:
            ids[sub["position"].to_numpy()] = [f"T{d}-{s[1:]}-{q:04d}" for s, d, q in zip(store_text, dates[part], sub["seq"])]
    beta = frame[frame["retailer"] == BETA].sort_values(["utc", "position"], kind="stable")
    ids[beta["position"].to_numpy()] = [f"B-{k:07d}" for k in range(1, len(beta) + 1)]
    return ids


def base_outcome(world: World) -> np.ndarray:
    """Outcome of every simulated line in its final version (defects and versions aside)."""
    shopper = world.line_trip("shopper")
    status = world.line_trip("status")
    outcome = np.full(shopper.size, LOADED, dtype=object)
    erased = (shopper >= 0) & world.erased[np.maximum(shopper, 0)]
    outcome[erased] = "erased_shopper"
    outcome[~np.isin(status, SALE_STATUSES)] = "order_not_delivered"
    return outcome


@dataclass
class SourceRecords:
    """Rows of one source in file order: output columns, file of each row, outcome and record_ref."""

    columns: dict[str, pa.Array]
    file_day: np.ndarray  # int: business day (ALPHA, BETA) or UTC day index (GAMMA) of the file
    order: np.ndarray  # float sort key within the source
    outcome: np.ndarray  # object
    record_ref: np.ndarray  # object
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def append(self, other: "SourceRecords") -> "SourceRecords":
        return SourceRecords(
            columns={name: pa.concat_arrays([self.columns[name], other.columns[name].cast(self.columns[name].type)])
                     for name in self.columns},
            file_day=np.concatenate([self.file_day, other.file_day]),
            order=np.concatenate([self.order, other.order]),
            outcome=np.concatenate([self.outcome, other.outcome]),
            record_ref=np.concatenate([self.record_ref, other.record_ref]),
            extra={name: np.concatenate([self.extra[name], other.extra[name]]) for name in self.extra},
        )

    def take(self, index: np.ndarray) -> "SourceRecords":
        arrow_index = pa.array(np.asarray(index, dtype=np.int64))
        return SourceRecords(
            columns={name: column.take(arrow_index) for name, column in self.columns.items()},
            file_day=self.file_day[index],
            order=self.order[index],
            outcome=self.outcome[index],
            record_ref=self.record_ref[index],
            extra={name: values[index] for name, values in self.extra.items()},
        )

    def sorted(self) -> "SourceRecords":
        return self.take(np.lexsort((self.order, self.file_day)))

    def __len__(self) -> int:
        return int(self.file_day.size)


def _line_order(world: World, mask: np.ndarray) -> np.ndarray:
    """File order of lines: by trip time then line number (float keys leave room for inserted rows)."""
    trip = world.lines["trip"][mask]
    rank = np.empty(world.trips["utc_s"].size, dtype=np.int64)
    rank[np.argsort(world.trips["utc_s"], kind="stable")] = np.arange(rank.size)
    return rank[trip].astype(np.float64) * 1_000.0 + world.lines["line"][mask]


def alpha_records(world: World, outcome: np.ndarray) -> SourceRecords:
    lines, catalog = world.lines, world.catalog
    mask = world.line_trip("retailer") == ALPHA
    rng = world.rng
    product = lines["product"][mask]
    trip = lines["trip"][mask]
    shopper = world.trips["shopper"][trip]
    products = catalog.products
    ean_full = products["ean_text"].to_numpy()
    ean_stripped = np.array([text.lstrip("0") for text in ean_full], dtype=object)
    strip = rng.random(product.size) < 0.7
    ean = fmt.take(list(ean_full) + list(ean_stripped), product + strip * len(ean_full))
    grams = lines["grams"][mask]
    discount = lines["discount"][mask]
    campaign = lines["campaign"][mask]
    campaign_ids = np.array([c.campaign_id for c in world.campaigns] + [""], dtype=object)
    refs = list(world.shoppers.ref) + [""]
    line_number = lines["line"][mask]
    columns = {
        "ticket_id": fmt.take(world.trip_ids.tolist(), trip),
        "ligne": fmt.integers(line_number),
        "store_code": fmt.take(world.stores["store_code"].to_numpy(), world.trips["store"][trip]),
        "date_heure": fmt.strftime(world.trips["local_s"][trip], "%d/%m/%Y %H:%M:%S"),
        "carte_fidelite": fmt.take(refs, np.where(shopper >= 0, shopper, len(refs) - 1)),
        "ean": ean,
        "libelle": fmt.take(products["label"].to_numpy(), product),
        "qte": fmt.integers(lines["units"][mask]),
        "poids_kg": fmt.where(grams != 0, fmt.fixed(grams, 3, ","), ""),
        "prix_unitaire": fmt.fixed(lines["price"][mask], 2, ","),
        "remise": fmt.where(discount > 0, fmt.fixed(discount, 2, ","),
                            fmt.where(rng.random(product.size) < 0.5, "", "0,00")),
        "code_promo": pa.array(campaign_ids[campaign], type=pa.string()),
    }
    return SourceRecords(
        columns=columns,
        file_day=world.trips["day"][trip].astype(np.int64),
        order=_line_order(world, mask),
        outcome=outcome[mask],
        record_ref=np.full(product.size, None, dtype=object),  # only planted records are ever quarantined
        extra={"trip": trip, "line": line_number.astype(np.int64), "product": product.astype(np.int64)},
    )


def gamma_records(world: World, outcome: np.ndarray, sku_of_product: np.ndarray) -> SourceRecords:
    lines = world.lines
    mask = world.line_trip("retailer") == GAMMA
    trip = lines["trip"][mask]
    shopper = world.trips["shopper"][trip]
    codes = world.stores["store_code"].to_numpy()
    shop_numbers = np.array([int(code[1:]) if code.startswith("G") else -1 for code in codes], dtype=np.int32)
    shop_id = shop_numbers[world.trips["store"][trip]]
    campaign_ids = np.array([c.campaign_id for c in world.campaigns] + [None], dtype=object)
    utc = world.trips["utc_s"][trip]
    line_number = lines["line"][mask]
    units = lines["units"][mask].astype(np.int64)
    price = lines["price"][mask]
    discount = lines["discount"][mask]
    member = np.where(shopper >= 0, world.shoppers.member_id[np.maximum(shopper, 0)], 0)
    columns = {
        "txn_id": fmt.take(world.trip_ids.tolist(), trip),
        "line_no": pa.array(line_number.astype(np.int32), type=pa.int32()),
        "shop_id": pa.array(shop_id, type=pa.int32()),
        "ts_utc": pa.array(utc.astype("datetime64[s]").astype("datetime64[us]"), type=pa.timestamp("us")),
        "member_id": pa.array(member, type=pa.int64(), mask=shopper < 0),
        "sku": fmt.take(sku_of_product, lines["product"][mask]),
        "quantity": pa.array(units.astype(np.float64), type=pa.float64()),
        "amount_cents": pa.array(units * price - discount, type=pa.int64()),
        "discount_cents": pa.array(discount, type=pa.int64()),
        "promo_ref": pa.array(campaign_ids[lines["campaign"][mask]], type=pa.string()),
    }
    epoch_day_zero = int(world.cal.epoch_day(0))
    return SourceRecords(
        columns=columns,
        file_day=(utc // 86_400 - epoch_day_zero).astype(np.int64),
        order=_line_order(world, mask),
        outcome=outcome[mask],
        record_ref=np.full(trip.size, None, dtype=object),  # only planted records are ever quarantined
        extra={"trip": trip, "line": line_number.astype(np.int64), "product": lines["product"][mask].astype(np.int64)},
    )


@dataclass
class BetaRecords:
    """BETA items (one per line, plus planted ones) and the order versions that carry them."""

    items: pd.DataFrame  # trip, position, outcome_final (outcome when in the final version), record_ref
    json: pa.Array  # item JSON text, parallel to items
    versions: pd.DataFrame  # trip, file_day, status, event_s, final (bool)
    malformed: list[tuple[int, str]] = field(default_factory=list)  # (file_day, text)


def beta_items(world: World, outcome: np.ndarray) -> BetaRecords:
    lines = world.lines
    mask = world.line_trip("retailer") == BETA
    rng = world.rng
    trip = lines["trip"][mask]
    product = lines["product"][mask]
    discount = lines["discount"][mask]
    campaign = lines["campaign"][mask]
    campaign_ids = np.array([c.campaign_id for c in world.campaigns] + [""], dtype=object)
    gtins = world.catalog.products["gtin"].to_numpy()
    show_zero = rng.random(product.size) < 0.2
    discount_part = fmt.where(
        discount > 0,
        fmt.join(', "discount": "', fmt.fixed(discount, 2, "."), '"'),
        fmt.where(show_zero, ', "discount": "0.00"', ""),
    )
    coupon_part = fmt.where(campaign >= 0, fmt.join(', "coupon": "', pa.array(campaign_ids[campaign], type=pa.string()), '"'), "")
    text = fmt.join('{"gtin": "', fmt.take(gtins, product), '", "qty": ', fmt.integers(lines["units"][mask]),
                    ', "unit_price": "', fmt.fixed(lines["price"][mask], 2, "."), '"', discount_part, coupon_part, "}")
    items = pd.DataFrame({
        "trip": trip,
        "position": lines["line"][mask].astype(np.int64),
        "outcome_final": outcome[mask],
        "product": product.astype(np.int64),
    })
    items["record_ref"] = np.full(trip.size, None, dtype=object)  # only planted items are ever quarantined
    return BetaRecords(items=items, json=text, versions=beta_versions(world))


def beta_versions(world: World) -> pd.DataFrame:
    """One row per (order, delivered file): the lifecycle of each BETA order."""
    trips = world.trips
    orders = np.flatnonzero(trips["retailer"] == BETA)
    status = trips["status"][orders]
    day = trips["day"][orders].astype(np.int64)
    change = trips["change_day"][orders].astype(np.int64)
    first_status = np.where(status == CANCELLED_AT_ONCE, "cancelled", "delivered")
    two = np.isin(status, (LATER_CANCELLED, LATER_RETURNED, RESENT_DELIVERED))
    second_status = np.select([status == LATER_CANCELLED, status == LATER_RETURNED], ["cancelled", "returned"], "delivered")
    change_time = (world.cal.epoch_day(change) * 86_400 + world.rng.integers(6 * 3_600, 22 * 3_600, size=orders.size))
    first = pd.DataFrame({"trip": orders, "file_day": day, "status": first_status, "event_s": trips["utc_s"][orders],
                          "final": ~two})
    second = pd.DataFrame({"trip": orders[two], "file_day": change[two], "status": second_status[two],
                           "event_s": change_time[two], "final": True})
    return pd.concat([first, second], ignore_index=True)
