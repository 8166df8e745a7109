"""Trips and sale lines of the baseline world (no brand campaign), one day at a time, vectorised."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from promo_factory.generator.catalog import Catalog
from promo_factory.generator.config import (
    ALPHA,
    ANONYMOUS_RATE,
    BETA,
    BETA_STATUS_PROBS,
    EXTRA_UNITS_MEAN,
    GAMMA,
    HOUR_WEIGHTS,
    PROMO_PCT_WEIGHTS,
    PROMO_PCTS,
    RETURN_RATE,
    Calendar,
    paris_to_utc_seconds,
    utc_to_paris_seconds,
)
from promo_factory.generator.market import Market
from promo_factory.generator.shoppers import Shoppers
from promo_factory.generator.table import Table, concat

# BETA order lifecycle codes (config.BETA_STATUS_PROBS order).
DELIVERED, CANCELLED_AT_ONCE, LATER_CANCELLED, LATER_RETURNED, RESENT_DELIVERED = range(5)
SALE_STATUSES = (DELIVERED, RESENT_DELIVERED)


def _pick_stores(rng: np.random.Generator, retailer: np.ndarray, owner: np.ndarray, shoppers: Shoppers,
                 stores: pd.DataFrame) -> np.ndarray:
    home = shoppers.home_store[owner]
    store = home.copy()
    web = int(np.flatnonzero(stores["store_code"].to_numpy() == "B-WEB")[0])
    for r, stay in ((ALPHA, 0.85), (GAMMA, 0.70)):
        members = np.flatnonzero((retailer == r) & (rng.random(retailer.size) >= stay))
        local = np.flatnonzero(stores["retailer_idx"].to_numpy() == r)
        store[members] = rng.choice(local, size=members.size)
    beta = retailer == BETA
    online = beta & (rng.random(retailer.size) >= shoppers.drive_share[owner])
    store[online] = web
    return store


def trip_times(rng: np.random.Generator, cal: Calendar, retailer: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local wall-clock and UTC epoch seconds of trips, per each retailer's opening hours."""
    hour = np.zeros(retailer.size, dtype=np.int64)
    for r in range(3):
        members = np.flatnonzero(retailer == r)
        hour[members] = rng.choice(24, size=members.size, p=HOUR_WEIGHTS[r])
    local = cal.epoch_day(day) * 86_400 + hour * 3_600 + rng.integers(0, 3_600, size=retailer.size)
    utc = paris_to_utc_seconds(local, rng)
    return utc_to_paris_seconds(utc), utc


def draw_products(rng: np.random.Generator, market: Market, shoppers: Shoppers, owner: np.ndarray, retailer: np.ndarray,
                  day: np.ndarray) -> np.ndarray:
    """Product of each line: category ~ preferences, brand ~ loyalty / segment shares, product uniform."""
    n = owner.size
    cdf = np.cumsum(shoppers.category_pref[owner], axis=1)
    category = np.minimum((cdf < rng.random(n)[:, None] * cdf[:, -1:]).sum(axis=1), cdf.shape[1] - 1)
    favourite = shoppers.favourite[owner, category].astype(np.int64)
    lapsed = (shoppers.brand_lapse_category[owner] == category) & (day >= shoppers.brand_lapse_day[owner])
    use_favourite = (favourite >= 0) & ~lapsed & (rng.random(n) < shoppers.loyalty[owner])
    brand = favourite.copy()
    todo = np.flatnonzero(~use_favourite)
    segment = shoppers.segment[owner]
    for _ in range(100):  # a sole stocked brand cannot be dropped: give up redrawing after 100 tries
        if not todo.size:
            break
        share_cdf = np.cumsum(market.brand_share[retailer[todo], segment[todo], category[todo]], axis=1)
        draws = rng.random(todo.size)[:, None] * share_cdf[:, -1:]
        brand[todo] = (share_cdf < draws).sum(axis=1)
        # A shopper who dropped the favourite never picks it: redraw (= renormalised shares).
        todo = todo[lapsed[todo] & (brand[todo] == favourite[todo])]
    count = market.product_count[retailer, brand, category]
    offset = market.product_offset[retailer, brand, category]
    return market.product_flat[offset + np.floor(rng.random(n) * count).astype(np.int64)]


def line_quantities(rng: np.random.Generator, catalog: Catalog, shoppers: Shoppers, product: np.ndarray,
                    retailer: np.ndarray, owner: np.ndarray, allow_returns: bool = True) -> Table:
    """Units, grams, shelf price and retailer-funded discount (cents) of lines."""
    n = product.size
    weighed = catalog.products["weighed"].to_numpy()[product]
    units = np.where(weighed, 1, 1 + rng.poisson(EXTRA_UNITS_MEAN, size=n)).astype(np.int32)
    grams = np.where(weighed, np.clip(np.round(rng.lognormal(np.log(650), 0.5, size=n)), 80, 3_000), 0).astype(np.int32)
    if allow_returns:
        returned = rng.random(n) < RETURN_RATE[retailer]
        units[returned] *= -1
        grams[returned] *= -1
    price = catalog.shelf_price[retailer, product]
    promo = (~weighed) & (rng.random(n) < shoppers.promo_rate[owner])
    pct = PROMO_PCTS[rng.choice(PROMO_PCTS.size, size=n, p=PROMO_PCT_WEIGHTS)]
    discount = np.where(promo, np.round(pct * np.abs(units) * price), 0).astype(np.int64)
    return {"units": units, "grams": grams, "price": price.astype(np.int64), "discount": discount}


def simulate_day(rng: np.random.Generator, cal: Calendar, day: int, shoppers: Shoppers, stores: pd.DataFrame,
                 catalog: Catalog, market: Market, pending_statuses: list[int]) -> tuple[Table, Table]:
    traffic = np.array([cal.traffic(r, day) for r in range(3)])
    rate = shoppers.trip_rate * traffic[shoppers.retailer] * (day < shoppers.lapse_day)
    trips_per_shopper = rng.poisson(rate)
    owner = np.repeat(np.arange(len(shoppers)), trips_per_shopper)
    n_trips = owner.size
    retailer = shoppers.retailer[owner].astype(np.int8)
    anonymous = rng.random(n_trips) < ANONYMOUS_RATE[retailer]
    days = np.full(n_trips, day, dtype=np.int32)
    local, utc = trip_times(rng, cal, retailer, days)
    status = np.where(retailer == BETA, rng.choice(5, size=n_trips, p=BETA_STATUS_PROBS), DELIVERED).astype(np.int8)
    change_day = days + rng.integers(1, 8, size=n_trips)
    status[(status >= LATER_CANCELLED) & (change_day > cal.days - 1)] = DELIVERED
    # Every lifecycle shows up even at tiny scale: the first BETA orders of the first days take each one.
    beta_trips = np.flatnonzero(retailer == BETA)
    if pending_statuses and beta_trips.size and day + 8 < cal.days:
        status[beta_trips[0]] = pending_statuses.pop(0)
    # Likewise a GAMMA basket after midnight (local), i.e. on the previous UTC date, every fifth day.
    gamma_trips = np.flatnonzero(retailer == GAMMA)
    if day % 5 == 0 and gamma_trips.size:
        first = gamma_trips[:1]
        late = cal.epoch_day(day) * 86_400 + rng.integers(0, 3_600)
        local[first] = late
        utc[first] = paris_to_utc_seconds(np.array([late]))
    trips = {
        "retailer": retailer,
        "store": _pick_stores(rng, retailer, owner, shoppers, stores),
        "owner": owner.astype(np.int64),
        "shopper": np.where(anonymous, -1, owner).astype(np.int64),
        "day": days,
        "local_s": local,
        "utc_s": utc,
        "status": status,
        "change_day": change_day.astype(np.int32),
    }
    n_lines = 1 + rng.poisson(np.maximum(shoppers.lines_mean[owner] - 1.0, 0.0))
    trip_of_line = np.repeat(np.arange(n_trips), n_lines)
    starts = np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    line_owner = owner[trip_of_line]
    line_retailer = retailer[trip_of_line]
    product = draw_products(rng, market, shoppers, line_owner, line_retailer, np.full(trip_of_line.size, day))
    quantities = line_quantities(rng, catalog, shoppers, product, line_retailer, line_owner)
    lines = {
        "trip": trip_of_line.astype(np.int64),
        "line": (np.arange(trip_of_line.size) - starts + 1).astype(np.int32),
        "product": product.astype(np.int32),
        **quantities,
        "campaign": np.full(trip_of_line.size, -1, dtype=np.int16),
    }
    return trips, lines


def simulate_baseline(rng: np.random.Generator, cal: Calendar, shoppers: Shoppers, stores: pd.DataFrame,
                      catalog: Catalog, market: Market, progress: Iterable[int] | None = None) -> tuple[Table, Table]:
    """All trips and lines of the history; ``lines['trip']`` indexes the trips table."""
    all_trips: list[Table] = []
    all_lines: list[Table] = []
    offset = 0
    pending = [CANCELLED_AT_ONCE, LATER_CANCELLED, LATER_RETURNED, RESENT_DELIVERED]
    for day in progress if progress is not None else range(cal.days):
        trips, lines = simulate_day(rng, cal, day, shoppers, stores, catalog, market, pending)
        lines["trip"] += offset
        offset += trips["day"].size
        all_trips.append(trips)
        all_lines.append(lines)
    return concat(all_trips), concat(all_lines)


def append_trips(trips: Table, lines: Table, new_trips: Table, new_lines: Table) -> tuple[Table, Table]:
    """Add trips (and their lines, whose ``trip`` indexes ``new_trips``)."""
    shifted = dict(new_lines)
    shifted["trip"] = new_lines["trip"] + trips["day"].size
    return concat([trips, new_trips]), concat([lines, shifted])
