"""The causal model of a brand campaign: pure functions, testable without files.

A treated shopper, during the campaign, (a) gets the offer on in-scope
purchases they make anyway (the discount replaces any retailer promotion)
and (b) makes extra in-scope purchases at a daily rate driven by their
observable state at the start date:

    rate = BASE_RATE[status] x (0.4 + 2 x promo_share) x (0.5 + 2 x min(affinity, 0.5))

status: the shopper's history with the campaign's scope (brand, and
category_l2 when set) - see :func:`brand_status`; promo_share: share of
past spend on promotion; affinity: share of past spend in the scope's
categories. The effect per shopper is Y1 - Y0 = extra sales - offer
discount on baseline purchases + retailer discount they replace.
"""

from __future__ import annotations

import numpy as np

STATUS_NAMES = ("never_in_category", "category_buyer", "lapsed_brand_buyer", "occasional_brand_buyer", "loyal_heavy_buyer")
NEVER_IN_CATEGORY, CATEGORY_BUYER, LAPSED, OCCASIONAL, LOYAL_HEAVY = range(5)
# Extra in-scope purchases per campaign day for a shopper of average promo share and affinity.
BASE_RATE = np.array([0.006, 0.045, 0.080, 0.045, 0.010])
HEAVY_LINES = 3  # in-scope purchase lines in the recency window that make a heavy buyer


def recency_window(history_days: int) -> int:
    """Days before the start that define 'recent' (56, or half the available history)."""
    return int(max(1, min(56, history_days // 2)))


def brand_status(recent_scope_lines: np.ndarray, older_scope_lines: np.ndarray, category_lines: np.ndarray) -> np.ndarray:
    """Observable state of shoppers towards a scope.

    loyal heavy: >= 3 in-scope purchase lines in the recency window; occasional:
    1-2; lapsed: none recently but some before; category buyer: never the
    scope but its categories; never in category otherwise.
    """
    recent = np.asarray(recent_scope_lines)
    older = np.asarray(older_scope_lines)
    category = np.asarray(category_lines)
    status = np.full(recent.shape, NEVER_IN_CATEGORY, dtype=np.int8)
    status[category > 0] = CATEGORY_BUYER
    status[(recent == 0) & (older > 0)] = LAPSED
    status[(recent > 0) & (recent < HEAVY_LINES)] = OCCASIONAL
    status[recent >= HEAVY_LINES] = LOYAL_HEAVY
    return status


def extra_purchase_rate(status: np.ndarray, promo_share: np.ndarray, affinity: np.ndarray) -> np.ndarray:
    """Extra in-scope purchases per day for a treated shopper (see module docstring)."""
    return BASE_RATE[np.asarray(status)] * (0.4 + 2.0 * np.asarray(promo_share)) * (
        0.5 + 2.0 * np.minimum(np.asarray(affinity), 0.5)
    )


def offer_discount_cents(price_cents: np.ndarray, units: np.ndarray, offer_type: str, offer_value: float) -> np.ndarray:
    """Discount of the offer on a line (cents): pct_off of the line, or cash_off per unit."""
    price = np.asarray(price_cents, dtype=np.int64)
    units = np.abs(np.asarray(units, dtype=np.int64))
    if offer_type == "pct_off":
        return np.round(price * units * (offer_value / 100.0)).astype(np.int64)
    return np.full(price.shape, int(round(offer_value * 100)), dtype=np.int64) * units


def expected_incremental_cents(
    extra_rate: np.ndarray,
    days: int,
    extra_line_value_cents: float,
    expected_scope_units: np.ndarray,
    expected_scope_gross_cents: np.ndarray,
    promo_rate: np.ndarray,
    mean_promo_pct: float,
    offer_type: str,
    offer_value: float,
) -> np.ndarray:
    """E[Y1 - Y0] in cents for shoppers of known state.

    = extra_rate x days x value of an extra line (one unit at the offer price)
    - E[offer discount on baseline in-scope purchase lines]
    + E[retailer discount on those lines, replaced by the offer]
    where the baseline expectations are the expected in-scope units and gross
    amount (cents) bought over the campaign window on identified, kept sales.
    """
    extra = np.asarray(extra_rate) * days * extra_line_value_cents
    if offer_type == "pct_off":
        offer = (offer_value / 100.0) * np.asarray(expected_scope_gross_cents)
    else:
        offer = offer_value * 100.0 * np.asarray(expected_scope_units)
    replaced = np.asarray(promo_rate) * mean_promo_pct * np.asarray(expected_scope_gross_cents)
    return extra - offer + replaced
