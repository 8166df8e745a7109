"""Brand campaigns: definitions, randomised assignment, simulated effects and their truth."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from promo_factory.generator import effects
from promo_factory.generator.baskets import (
    SALE_STATUSES,
    DELIVERED,
    append_trips,
    trip_times,
    _pick_stores,
)
from promo_factory.generator.catalog import Catalog
from promo_factory.generator.config import (
    ANONYMOUS_RATE,
    BETA,
    BETA_NOT_DELIVERED,
    EXTRA_UNITS_MEAN,
    MEAN_PROMO_PCT,
    RETAILERS,
    RETURN_RATE,
    Calendar,
)
from promo_factory.generator.market import Market
from promo_factory.generator.shoppers import Shoppers
from promo_factory.generator.table import Table

CONTAMINATION_RATE = 0.02


@dataclass
class Campaign:
    campaign_id: str
    brand_idx: int
    brand_text: str  # as written in campaigns.csv (case and spaces vary)
    l2_idx: int  # -1 when the campaign has no category_l2
    offer_type: str
    offer_value: float
    start_day: int
    end_day: int  # inclusive
    retailers: list[int]
    holdout_share: float
    cost_per_offer_eur: float
    budget_eur: float
    planned: bool

    @property
    def days(self) -> int:
        return self.end_day - self.start_day + 1


@dataclass
class CampaignOutcome:
    """What the simulation of past campaigns produced."""

    shoppers: pd.DataFrame = field(default_factory=pd.DataFrame)  # campaign, retailer, shopper, arm, y0, y1, ...
    broken_campaign: str | None = None
    dropped_controls: set[tuple[int, int]] = field(default_factory=set)  # (campaign index, shopper)


def scope_mask(catalog: Catalog, campaign: Campaign) -> np.ndarray:
    """Products in scope: the campaign's brand, and its category_l2 when set."""
    products = catalog.products
    mask = products["brand_idx"].to_numpy() == campaign.brand_idx
    if campaign.l2_idx >= 0:
        mask &= products["l2_idx"].to_numpy() == campaign.l2_idx
    return mask


def scope_categories(catalog: Catalog, campaign: Campaign) -> np.ndarray:
    """category_l2 indices of the scope (its category, or every category of the brand)."""
    if campaign.l2_idx >= 0:
        return np.array([campaign.l2_idx])
    products = catalog.products
    return np.unique(products.loc[products["brand_idx"] == campaign.brand_idx, "l2_idx"].to_numpy())


def define_campaigns(rng: np.random.Generator, cal: Calendar, catalog: Catalog, lines: Table, trips: Table,
                     n_past: int = 6, n_planned: int = 3) -> list[Campaign]:
    """~6 past campaigns inside the history (pre-period inside too) and ~3 planned ones."""
    products = catalog.products
    weighed_brands = set(products.loc[products["weighed"], "brand_idx"])
    sales = np.bincount(products["brand_idx"].to_numpy()[lines["product"]], minlength=len(catalog.brands))
    candidates = [b for b in np.argsort(-sales) if b not in weighed_brands and catalog.brands[b] != "Premier Prix"]
    chosen = list(rng.permutation(candidates[: max(n_past + n_planned, 12)])[: n_past + n_planned])
    numbers = rng.choice(np.arange(10, 999), size=n_past + n_planned, replace=False)
    numbers.sort()
    campaigns = []
    max_length = max(3, min(28, cal.days // 3))
    min_length = min(14, max_length)
    for position, brand in enumerate(chosen):
        planned = position >= n_past
        length = int(rng.integers(min_length, max_length + 1))
        if planned:
            start = cal.days - 1 + 7 + int(rng.integers(0, 15))
        else:
            start = int(rng.integers(length, cal.days - length + 1))
        brand_products = products[products["brand_idx"] == brand]
        l2_choices = np.unique(brand_products["l2_idx"].to_numpy())
        l2 = int(rng.choice(l2_choices)) if (l2_choices.size > 1 and rng.random() < 0.6) else -1
        scope = (products["brand_idx"].to_numpy() == brand) & ((products["l2_idx"].to_numpy() == l2) | (l2 < 0))
        stocked = [r for r in range(3) if (catalog.assortment[r] & scope).any()]
        n_retailers = int(rng.integers(1, len(stocked) + 1))
        retailers = sorted(int(r) for r in rng.choice(stocked, size=n_retailers, replace=False))
        min_price = catalog.shelf_price[:, scope & catalog.assortment.any(axis=0)].min() / 100.0
        if rng.random() < 0.6:
            offer_type, offer_value = "pct_off", float(rng.choice([10, 15, 20, 25, 30]))
        else:
            cash = [value for value in (0.3, 0.5, 0.8, 1.0, 1.5) if value <= 0.5 * min_price] or [0.1]
            offer_type, offer_value = "cash_off", float(rng.choice(cash))
        name = catalog.brands[brand]
        text = [name, name.upper(), name.lower(), f" {name} "][int(rng.integers(4))]
        campaigns.append(
            Campaign(
                campaign_id=f"CMP-{numbers[position]:04d}",
                brand_idx=int(brand),
                brand_text=text,
                l2_idx=l2,
                offer_type=offer_type,
                offer_value=offer_value,
                start_day=start,
                end_day=start + length - 1,
                retailers=retailers,
                holdout_share=float(rng.choice([0.1, 0.2, 0.25, 0.3, 0.4, 0.5])),
                cost_per_offer_eur=float(rng.choice([0.05, 0.08, 0.10, 0.15, 0.20, 0.30])),
                budget_eur=float(rng.choice([500, 1_000, 2_000, 5_000, 10_000])),
                planned=planned,
            )
        )
    return campaigns


def net_micro(lines: Table) -> np.ndarray:
    """Line net amount in micro-euros (exact): weight or units x price - discount."""
    gross = np.where(lines["grams"] != 0, lines["grams"].astype(np.int64) * lines["price"] * 10,
                     lines["units"].astype(np.int64) * lines["price"] * 10_000)
    return gross - lines["discount"] * 10_000


@dataclass
class LineView:
    """Per-line attributes looked up from trips (recomputed after lines are added)."""

    retailer: np.ndarray
    shopper: np.ndarray
    day: np.ndarray
    sale: np.ndarray

    @classmethod
    def of(cls, trips: Table, lines: Table) -> "LineView":
        trip = lines["trip"]
        return cls(
            retailer=trips["retailer"][trip],
            shopper=trips["shopper"][trip],
            day=trips["day"][trip],
            sale=np.isin(trips["status"][trip], SALE_STATUSES),
        )


def observed_state(view: LineView, lines: Table, catalog: Catalog, campaign: Campaign, retailer: int, start_day: int,
                   n_shoppers: int) -> dict[str, np.ndarray]:
    """Per shopper (arrays of length n_shoppers): observable history before start_day at a retailer."""
    products = catalog.products
    base = ((view.retailer == retailer) & (view.shopper >= 0) & view.sale & (view.day < start_day)
            & (view.day >= start_day - 365))
    bought = base & (lines["units"] > 0)
    shopper = view.shopper
    in_scope = scope_mask(catalog, campaign)[lines["product"]]
    in_category = np.isin(products["l2_idx"].to_numpy()[lines["product"]], scope_categories(catalog, campaign))
    window = effects.recency_window(start_day)
    recent = bought & in_scope & (view.day >= start_day - window)
    older = bought & in_scope & (view.day < start_day - window)
    net = net_micro(lines).astype(np.float64)
    promo = lines["discount"] > 0

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(shopper[mask], weights=None if weights is None else weights[mask], minlength=n_shoppers)

    spend = count(bought, net)
    with np.errstate(divide="ignore", invalid="ignore"):
        promo_share = np.where(spend > 0, count(bought & promo, net) / spend, 0.0)
        affinity = np.where(spend > 0, count(bought & in_category, net) / spend, 0.0)
    status = effects.brand_status(count(recent), count(older), count(bought & in_category))
    return {
        "eligible": count(bought) > 0,
        "status": status,
        "promo_share": np.clip(promo_share, 0.0, 1.0),
        "affinity": np.clip(affinity, 0.0, 1.0),
    }


def outcome_cents(view: LineView, lines: Table, scope: np.ndarray, retailer: int, campaign: Campaign,
                  n_shoppers: int) -> np.ndarray:
    """Outcome per shopper (micro-euros): in-scope net sales at the retailer within the window."""
    mask = ((view.retailer == retailer) & (view.shopper >= 0) & view.sale & scope[lines["product"]]
            & (view.day >= campaign.start_day) & (view.day <= campaign.end_day))
    totals = np.bincount(view.shopper[mask], weights=net_micro(lines)[mask].astype(np.float64), minlength=n_shoppers)
    return np.round(totals).astype(np.int64)


def _extra_trips(rng: np.random.Generator, cal: Calendar, campaign: Campaign, retailer: int, shopper: np.ndarray,
                 counts: np.ndarray, scope_products: np.ndarray, catalog: Catalog, shoppers: Shoppers,
                 stores: pd.DataFrame) -> tuple[Table, Table]:
    """One trip with one in-scope line at the offer price per extra purchase."""
    open_days = np.array([d for d in range(campaign.start_day, campaign.end_day + 1) if cal.is_open(retailer, d)])
    owner = np.repeat(shopper, counts)
    if owner.size == 0 or open_days.size == 0 or scope_products.size == 0:
        return {}, {}
    n = owner.size
    day = rng.choice(open_days, size=n).astype(np.int32)
    retailer_arr = np.full(n, retailer, dtype=np.int8)
    local, utc = trip_times(rng, cal, retailer_arr, day)
    trips = {
        "retailer": retailer_arr,
        "store": _pick_stores(rng, retailer_arr, owner, shoppers, stores),
        "owner": owner.astype(np.int64),
        "shopper": owner.astype(np.int64),
        "day": day,
        "local_s": local,
        "utc_s": utc,
        "status": np.full(n, DELIVERED, dtype=np.int8),
        "change_day": day + 1,
    }
    product = rng.choice(scope_products, size=n).astype(np.int32)
    price = catalog.shelf_price[retailer, product].astype(np.int64)
    units = np.ones(n, dtype=np.int32)
    lines = {
        "trip": np.arange(n, dtype=np.int64),
        "line": np.ones(n, dtype=np.int32),
        "product": product,
        "units": units,
        "grams": np.zeros(n, dtype=np.int32),
        "price": price,
        "discount": effects.offer_discount_cents(price, units, campaign.offer_type, campaign.offer_value),
        "campaign": np.full(n, -1, dtype=np.int16),
    }
    return trips, lines


def _offer_change_micro(view: LineView, lines: Table, window_scope: np.ndarray, campaign: Campaign,
                        n_shoppers: int) -> np.ndarray:
    """Per shopper (micro-euros): outcome change if the offer replaced the discount of their in-window purchases.

    = sum over the shopper's in-scope sale lines with units > 0 in the window of
    (current discount - offer discount); usually negative (the discount on what
    they buy anyway). Pure: the lines are not modified.
    """
    offer = effects.offer_discount_cents(lines["price"][window_scope], lines["units"][window_scope],
                                         campaign.offer_type, campaign.offer_value)
    change = (lines["discount"][window_scope].astype(np.int64) - offer) * 10_000
    return np.bincount(view.shopper[window_scope], weights=change.astype(np.float64), minlength=n_shoppers)


def _expected_extra_micro(cal: Calendar, campaign: Campaign, retailer: int, state: dict[str, np.ndarray],
                          eligible: np.ndarray, scope_products: np.ndarray, catalog: Catalog) -> np.ndarray:
    """Per eligible shopper (micro-euros): E[value of the extra purchases] if assigned to treatment.

    = extra_purchase_rate x campaign days x mean over the scope's stocked products
    of one unit at the offer price (what `_extra_trips` draws: Poisson counts,
    products uniform); 0 when nothing can be drawn (no open day or product).
    """
    open_days = [d for d in range(campaign.start_day, campaign.end_day + 1) if cal.is_open(retailer, d)]
    if not open_days or scope_products.size == 0:
        return np.zeros(eligible.size)
    price = catalog.shelf_price[retailer, scope_products].astype(np.int64)
    value = price - effects.offer_discount_cents(price, np.ones_like(price), campaign.offer_type, campaign.offer_value)
    rate = effects.extra_purchase_rate(state["status"][eligible], state["promo_share"][eligible],
                                       state["affinity"][eligible])
    return rate * campaign.days * float(value.mean()) * 10_000


def simulate_past_campaigns(rng: np.random.Generator, cal: Calendar, campaigns: list[Campaign], trips: Table,
                            lines: Table, catalog: Catalog, shoppers: Shoppers, stores: pd.DataFrame,
                            broken_randomisation: bool) -> tuple[Table, Table, CampaignOutcome]:
    """Assign arms, apply the offer and the extra purchases; keep Y0 and Y1 of every assigned shopper."""
    records = []
    outcome = CampaignOutcome()
    n_shoppers = len(shoppers)
    past = [(k, c) for k, c in enumerate(campaigns) if not c.planned]
    if broken_randomisation and past:
        outcome.broken_campaign = past[int(rng.integers(len(past)))][1].campaign_id
    for k, campaign in sorted(past, key=lambda item: item[1].start_day):
        scope = scope_mask(catalog, campaign)
        for retailer in campaign.retailers:
            view = LineView.of(trips, lines)
            state = observed_state(view, lines, catalog, campaign, retailer, campaign.start_day, n_shoppers)
            eligible = np.flatnonzero(state["eligible"] & (shoppers.retailer == retailer))
            control = rng.random(eligible.size) < campaign.holdout_share
            treated, controls = eligible[~control], eligible[control]
            y0 = outcome_cents(view, lines, scope, retailer, campaign, n_shoppers)
            # Control shoppers who redeem the offer anyway (contamination).
            window_scope = ((view.retailer == retailer) & (view.shopper >= 0) & view.sale & scope[lines["product"]]
                            & (view.day >= campaign.start_day) & (view.day <= campaign.end_day) & (lines["units"] > 0))
            # Potential outcomes under assignment (no random draw): the offer's change to the shopper's
            # own in-window purchases, and the expected value of the extra purchases it would cause.
            offer_change = _offer_change_micro(view, lines, window_scope, campaign, n_shoppers)
            scope_products = np.flatnonzero(scope & catalog.assortment[retailer])
            expected_extra = _expected_extra_micro(cal, campaign, retailer, state, eligible, scope_products, catalog)
            contaminated = controls[rng.random(controls.size) < CONTAMINATION_RATE]
            if contaminated.size == 0:
                buyers = np.intersect1d(controls, np.unique(view.shopper[window_scope]))
                if buyers.size:
                    contaminated = buyers[: 1]
            redeemers = np.zeros(n_shoppers, dtype=bool)
            redeemers[treated] = True
            redeemers[contaminated] = True
            applied = window_scope & redeemers[np.maximum(view.shopper, 0)]
            lines["discount"][applied] = effects.offer_discount_cents(
                lines["price"][applied], lines["units"][applied], campaign.offer_type, campaign.offer_value)
            lines["campaign"][applied] = k
            rate = effects.extra_purchase_rate(state["status"][treated], state["promo_share"][treated],
                                               state["affinity"][treated])
            counts = rng.poisson(rate * campaign.days)
            new_trips, new_lines = _extra_trips(rng, cal, campaign, retailer, treated, counts, scope_products, catalog,
                                                shoppers, stores)
            if new_trips:
                new_lines["campaign"][:] = k
                trips, lines = append_trips(trips, lines, new_trips, new_lines)
            view = LineView.of(trips, lines)
            y1 = outcome_cents(view, lines, scope, retailer, campaign, n_shoppers)
            is_contaminated = np.isin(eligible, contaminated)
            records.append(pd.DataFrame({
                "campaign": k,
                "retailer": retailer,
                "shopper": eligible,
                "arm": np.where(control, "control", "treatment"),
                "status": state["status"][eligible],
                "y0_micro": np.where(control, y1[eligible], y0[eligible]),
                "y1_micro": y1[eligible],
                "contaminated": is_contaminated,
                "y0_natural_micro": y0[eligible],
                "offer_change_micro": offer_change[eligible],
                "expected_extra_micro": expected_extra,
            }))
            if campaign.campaign_id == outcome.broken_campaign:
                dropped = controls[rng.random(controls.size) < 0.30]
                outcome.dropped_controls.update((k, int(s)) for s in dropped)
    outcome.shoppers = pd.concat(records, ignore_index=True) if records else pd.DataFrame(
        columns=["campaign", "retailer", "shopper", "arm", "status", "y0_micro", "y1_micro", "contaminated",
                 "y0_natural_micro", "offer_change_micro", "expected_extra_micro"])
    return trips, lines, outcome


def _scope_draw_expectations(market: Market, shoppers: Shoppers, members: np.ndarray, retailer: int,
                             scope: np.ndarray, price: np.ndarray, lapsed: np.ndarray, catalog: Catalog
                             ) -> tuple[np.ndarray, np.ndarray]:
    """Per shopper: P(a drawn line is in scope) and E[shelf price x 1(in scope)] of one drawn line (cents).

    Mirrors baskets.draw_products exactly: category ~ preferences, brand =
    favourite with probability loyalty (unless dropped), else segment shares
    (renormalised without a dropped favourite), product uniform in (r, b, c).
    """
    products = catalog.products
    n_b, n_c = market.n_brands, market.n_categories
    stocked = catalog.assortment[retailer]
    brand_idx = products["brand_idx"].to_numpy()
    l2_idx = products["l2_idx"].to_numpy()
    count = market.product_count[retailer].astype(np.float64)  # (B, C)
    scope_count = np.zeros((n_b, n_c))
    scope_price = np.zeros((n_b, n_c))
    np.add.at(scope_count, (brand_idx[scope & stocked], l2_idx[scope & stocked]), 1.0)
    np.add.at(scope_price, (brand_idx[scope & stocked], l2_idx[scope & stocked]), price[scope & stocked])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_count = np.where(count > 0, scope_count / count, 0.0)  # (B, C)
        ratio_price = np.where(count > 0, scope_price / count, 0.0)
    results = []
    segment = shoppers.segment[members].astype(np.int64)
    favourite = shoppers.favourite[members].astype(np.int64)  # (M, C)
    has_favourite = favourite >= 0
    safe = np.maximum(favourite, 0)
    categories = np.arange(n_c)[None, :]
    share_rg = market.brand_share[retailer]  # (G, C, B)
    fav_share = share_rg[segment[:, None], categories, safe]  # (M, C)
    for ratio in (ratio_count, ratio_price):
        mixed = (share_rg * ratio.T[None, :, :]).sum(axis=2)[segment]  # (M, C)
        fav_ratio = ratio.T[categories, safe]  # (M, C)
        loyalty = shoppers.loyalty[members][:, None]
        dropped = lapsed & has_favourite & (fav_share < 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            renormalised = np.where(fav_share < 1.0, (mixed - fav_share * fav_ratio) / (1.0 - fav_share), fav_ratio)
        per_category = np.where(has_favourite, loyalty * fav_ratio + (1.0 - loyalty) * mixed, mixed)
        per_category = np.where(dropped, renormalised, per_category)
        results.append((shoppers.category_pref[members] * per_category).sum(axis=1))
    return results[0], results[1]


def planned_uplift(cal: Calendar, campaigns: list[Campaign], trips: Table, lines: Table, catalog: Catalog,
                   market: Market, shoppers: Shoppers, erased: np.ndarray) -> pd.DataFrame:
    """Per planned campaign x eligible shopper: E[Y1 - Y0] (EUR) under the effect model, analytic."""
    frames = []
    view = LineView.of(trips, lines)
    n_shoppers = len(shoppers)
    for campaign in campaigns:
        if not campaign.planned:
            continue
        scope = scope_mask(catalog, campaign)
        for retailer in campaign.retailers:
            state = observed_state(view, lines, catalog, campaign, retailer, campaign.start_day, n_shoppers)
            members = np.flatnonzero(state["eligible"] & (shoppers.retailer == retailer) & ~erased)
            if members.size == 0:
                continue
            price = catalog.shelf_price[retailer].astype(np.float64)
            units_per_line = 1.0 + EXTRA_UNITS_MEAN
            keep = (1.0 - ANONYMOUS_RATE[retailer]) * (1.0 - RETURN_RATE[retailer]) * (
                1.0 - BETA_NOT_DELIVERED if retailer == BETA else 1.0)
            expected_units = np.zeros(members.size)
            expected_gross = np.zeros(members.size)
            for day in range(campaign.start_day, campaign.end_day + 1):
                trips_per_day = shoppers.trip_rate[members] * cal.traffic(retailer, day) * (day < shoppers.lapse_day[members])
                lines_per_day = trips_per_day * shoppers.lines_mean[members] * keep
                lapsed = ((shoppers.brand_lapse_category[members][:, None] == np.arange(market.n_categories)[None, :])
                          & (day >= shoppers.brand_lapse_day[members])[:, None])
                p_scope, price_scope = _scope_draw_expectations(market, shoppers, members, retailer, scope, price,
                                                                lapsed, catalog)
                expected_units += lines_per_day * p_scope * units_per_line
                expected_gross += lines_per_day * price_scope * units_per_line
            scope_products = np.flatnonzero(scope & catalog.assortment[retailer])
            unit_price = catalog.shelf_price[retailer, scope_products]
            extra_value = float(np.mean(unit_price - effects.offer_discount_cents(
                unit_price, np.ones_like(unit_price), campaign.offer_type, campaign.offer_value)))
            rate = effects.extra_purchase_rate(state["status"][members], state["promo_share"][members],
                                               state["affinity"][members])
            cents = effects.expected_incremental_cents(rate, campaign.days, extra_value, expected_units, expected_gross,
                                                       shoppers.promo_rate[members], MEAN_PROMO_PCT,
                                                       campaign.offer_type, campaign.offer_value)
            frames.append(pd.DataFrame({
                "campaign_id": campaign.campaign_id,
                "retailer": RETAILERS[retailer],
                "shopper_key": shoppers.key[members].astype(str),
                "true_expected_incremental_sales_eur": cents / 100.0,
            }))
    if not frames:
        return pd.DataFrame(columns=["campaign_id", "retailer", "shopper_key", "true_expected_incremental_sales_eur"])
    return pd.concat(frames, ignore_index=True)
