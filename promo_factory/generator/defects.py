"""Planted bad records: each one a copy of a good line, corrupted in exactly one way.

A planted record is added to an existing basket with a new line number (so
the other lines of the basket still load), except the exact duplicates,
which repeat a loaded line right after it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pyarrow as pa

from promo_factory import gtin as gtin_lib
from promo_factory.generator.records import LOADED, BetaRecords, SourceRecords, World

ALPHA_KINDS = ("invalid_gtin", "invalid_quantity", "invalid_timestamp", "invalid_amount", "unknown_store",
               "unknown_product", "duplicate_record")
BETA_KINDS = ("malformed_json", "invalid_gtin", "invalid_quantity")
GAMMA_KINDS = ("unknown_sku", "invalid_quantity", "duplicate_record")


def defects_per_kind(n_records: int) -> int:
    """At least one per kind at tiny scale, at least three at the default scale."""
    return int(np.clip(1 + n_records // 40_000, 1, 12))


def _hosts(rng: np.random.Generator, candidates: np.ndarray, trip: np.ndarray, count: int) -> np.ndarray:
    """``count`` candidate rows from distinct baskets (fewer if there are not enough)."""
    if candidates.size == 0:
        return candidates
    shuffled = rng.permutation(candidates)
    _, first = np.unique(trip[shuffled], return_index=True)
    distinct = shuffled[np.sort(first)]
    return distinct[:count]


def _next_lines(records: SourceRecords, hosts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A new line number and a file-order key after the last line, for each host's basket."""
    frame = pd.DataFrame({"trip": records.extra["trip"], "line": records.extra["line"], "order": records.order})
    last = frame.groupby("trip").agg(line=("line", "max"), order=("order", "max"))
    trip = records.extra["trip"][hosts]
    used: Counter[int] = Counter()
    lines = np.empty(hosts.size, dtype=np.int64)
    orders = np.empty(hosts.size)
    for position, t in enumerate(trip):
        used[int(t)] += 1
        lines[position] = int(last.at[t, "line"]) + used[int(t)]
        orders[position] = float(last.at[t, "order"]) + 0.01 * used[int(t)]
    return lines, orders


def _unknown_gtins(rng: np.random.Generator, known: set[int], count: int) -> list[str]:
    found: list[str] = []
    while len(found) < count:
        body = int(3_700_000_000_000 // 10 + rng.integers(0, 10**10))
        value = int(gtin_lib.gtin_from_body_array(np.array([body]))[0])
        if value not in known:
            found.append(str(value).zfill(13))
    return found


def _replace(column: pa.Array, position: int, value: str | None) -> pa.Array:
    values = column.to_pylist()
    values[position] = value
    return pa.array(values, type=column.type)


def plant_alpha(world: World, records: SourceRecords, count: int) -> tuple[SourceRecords, dict[str, int]]:
    rng = world.rng
    products = world.catalog.products
    weighed = products["weighed"].to_numpy()[records.extra["product"]]
    code = records.columns["code_promo"].to_numpy(zero_copy_only=False)
    qte = records.columns["qte"].cast(pa.int64()).to_numpy()
    ok = np.flatnonzero((records.outcome == LOADED) & ~weighed & (code == "") & (qte > 0))
    hosts = _hosts(rng, ok, records.extra["trip"], count * len(ALPHA_KINDS))
    kinds = np.resize(np.array(ALPHA_KINDS), hosts.size)
    planted = records.take(hosts)
    lines, orders = _next_lines(records, hosts)
    columns = {name: column for name, column in planted.columns.items()}
    ligne = [str(v) for v in lines]
    known = set(products["gtin_int"].tolist())
    unknown = iter(_unknown_gtins(rng, known, int((kinds == "unknown_product").sum())))
    references = []
    for position, kind in enumerate(kinds):
        ticket = columns["ticket_id"][position].as_py()
        if kind == "duplicate_record":
            orders[position] = planted.order[position] + 0.001
            references.append(f"{ticket}/{columns['ligne'][position].as_py()}")
            continue
        columns["ligne"] = _replace(columns["ligne"], position, ligne[position])
        references.append(f"{ticket}/{ligne[position]}")
        variant = position // len(ALPHA_KINDS)
        if kind == "invalid_gtin":
            value = int(products["gtin_int"].iloc[planted.extra["product"][position]])
            wrong = int(gtin_lib.wrong_check_digit_array(np.array([value]))[0])
            columns["ean"] = _replace(columns["ean"], position, str(wrong).zfill(13))
        elif kind == "invalid_quantity":
            text = ["2x", "1,5", "deux"][variant % 3]
            columns["qte"] = _replace(columns["qte"], position, text)
        elif kind == "invalid_timestamp":
            stamp = columns["date_heure"][position].as_py()
            broken = ["32" + stamp[2:], stamp[:3] + "13" + stamp[5:], "##/##/#### ##:##:##"][variant % 3]
            columns["date_heure"] = _replace(columns["date_heure"], position, broken)
        elif kind == "invalid_amount":
            if variant % 3 == 2:
                columns["remise"] = _replace(columns["remise"], position, "-0,50")
            else:
                columns["prix_unitaire"] = _replace(columns["prix_unitaire"], position, ["N/A", "3,4,9"][variant % 3])
        elif kind == "unknown_store":
            columns["store_code"] = _replace(columns["store_code"], position, "A999")
        elif kind == "unknown_product":
            columns["ean"] = _replace(columns["ean"], position, next(unknown))
    planted = SourceRecords(
        columns=columns,
        file_day=planted.file_day,
        order=orders,
        outcome=kinds.astype(object),
        record_ref=np.array(references, dtype=object),
        extra={"trip": planted.extra["trip"], "line": np.where(kinds == "duplicate_record", planted.extra["line"], lines),
               "product": planted.extra["product"]},
    )
    return records.append(planted), dict(Counter(kinds.tolist()))


def plant_gamma(world: World, records: SourceRecords, count: int, known_skus: set[str]) -> tuple[SourceRecords, dict[str, int]]:
    rng = world.rng
    promo = records.columns["promo_ref"].is_null().to_numpy(zero_copy_only=False)
    quantity = records.columns["quantity"].to_numpy()
    ok = np.flatnonzero((records.outcome == LOADED) & promo & (quantity > 0))
    hosts = _hosts(rng, ok, records.extra["trip"], count * len(GAMMA_KINDS))
    kinds = np.resize(np.array(GAMMA_KINDS), hosts.size)
    planted = records.take(hosts)
    lines, orders = _next_lines(records, hosts)
    columns = dict(planted.columns)
    price = world.catalog.shelf_price[2, planted.extra["product"]]
    line_no = np.where(kinds == "duplicate_record", planted.extra["line"], lines)
    orders = np.where(kinds == "duplicate_record", planted.order + 0.001, orders)
    columns["line_no"] = pa.array(line_no.astype(np.int32), type=pa.int32())
    skus = columns["sku"].to_pylist()
    quantities = columns["quantity"].to_pylist()
    amounts = columns["amount_cents"].to_pylist()
    discounts = columns["discount_cents"].to_pylist()
    for position, kind in enumerate(kinds):
        if kind == "unknown_sku":
            sku = f"GS{900_000 + position:06d}"
            assert sku not in known_skus
            skus[position] = sku
        elif kind == "invalid_quantity":
            quantities[position] = 1.5
            amounts[position] = int(round(1.5 * int(price[position])))
            discounts[position] = 0
    columns["sku"] = pa.array(skus, type=pa.string())
    columns["quantity"] = pa.array(quantities, type=pa.float64())
    columns["amount_cents"] = pa.array(amounts, type=pa.int64())
    columns["discount_cents"] = pa.array(discounts, type=pa.int64())
    txn = columns["txn_id"].to_pylist()
    planted = SourceRecords(
        columns=columns,
        file_day=planted.file_day,
        order=orders,
        outcome=kinds.astype(object),
        record_ref=np.array([f"{t}/{n}" for t, n in zip(txn, line_no)], dtype=object),
        extra={"trip": planted.extra["trip"], "line": line_no, "product": planted.extra["product"]},
    )
    return records.append(planted), dict(Counter(kinds.tolist()))


def plant_beta(world: World, beta: BetaRecords, count: int, trip_ids: np.ndarray) -> tuple[BetaRecords, dict[str, int]]:
    """Invalid items appended to single-version delivered orders, and non-JSON lines in some files."""
    rng = world.rng
    items = beta.items
    single = beta.versions.groupby("trip")["status"].transform("size") == 1
    delivered_once = set(beta.versions.loc[single & (beta.versions["status"] == "delivered"), "trip"])
    ok = np.flatnonzero((items["outcome_final"].to_numpy() == LOADED) & items["trip"].isin(delivered_once).to_numpy())
    hosts = _hosts(rng, ok, items["trip"].to_numpy(), 2 * count)
    kinds = np.resize(np.array(["invalid_gtin", "invalid_quantity"]), hosts.size)
    last = items.groupby("trip")["position"].max()
    products = world.catalog.products
    rows, texts = [], []
    used: Counter[int] = Counter()
    for position, (host, kind) in enumerate(zip(hosts, kinds)):
        trip = int(items["trip"].iat[host])
        used[trip] += 1
        item_position = int(last.at[trip]) + used[trip]
        value = int(products["gtin_int"].iat[int(items["product"].iat[host])])
        price = world.catalog.shelf_price[1, int(items["product"].iat[host])]
        price_text = f"{price // 100}.{price % 100:02d}"
        if kind == "invalid_gtin":
            wrong = int(gtin_lib.wrong_check_digit_array(np.array([value]))[0])
            texts.append(f'{{"gtin": "{str(wrong).zfill(14)}", "qty": 1, "unit_price": "{price_text}"}}')
        else:
            texts.append(f'{{"gtin": "{str(value).zfill(14)}", "qty": "two", "unit_price": "{price_text}"}}')
        rows.append({"trip": trip, "position": item_position, "outcome_final": kind,
                     "product": int(items["product"].iat[host]), "record_ref": f"{trip_ids[trip]}/{item_position}"})
    planted_items = pd.DataFrame(rows, columns=items.columns)
    all_items = pd.concat([items, planted_items], ignore_index=True)
    json = pa.concat_arrays([beta.json, pa.array(texts, type=pa.string())])
    order = np.lexsort((all_items["position"].to_numpy(), all_items["trip"].to_numpy()))
    malformed_days = rng.choice(world.cal.days, size=count, replace=count > world.cal.days)
    fragments = [
        '{"order_id": "B-99{n:05d}", "placed_at": "2025-',
        'HTTP/1.1 502 Bad Gateway',
        '{"order_id": "B-98{n:05d}", "status": "delivered", "items": [{"gtin": "0',
    ]
    malformed = [(int(day), fragments[k % 3].replace("{n:05d}", f"{k:05d}")) for k, day in enumerate(malformed_days)]
    counts = dict(Counter(kinds.tolist()))
    counts["malformed_json"] = len(malformed)
    return BetaRecords(items=all_items.iloc[order].reset_index(drop=True), json=json.take(pa.array(order)),
                       versions=beta.versions, malformed=malformed), counts
