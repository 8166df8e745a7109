"""Identified shoppers: identity per retailer and latent behaviour."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from promo_factory.generator.config import ALPHA, BETA, GAMMA, LINES_PER_TRIP, RETAILER_SHARE, RETAILERS, TRIP_RATE
from promo_factory.generator.market import PRICE_SEGMENTS, Market

NEVER = 10**6  # a day index that is never reached


@dataclass
class Shoppers:
    retailer: np.ndarray  # int8
    ref: np.ndarray  # object: customer_ref text as delivered
    key: np.ndarray  # object: md5(retailer:ref)
    member_id: np.ndarray  # int64 (GAMMA member id, else 0)
    email_sha256: np.ndarray  # object (BETA) or None
    home_store: np.ndarray  # int64 row of the stores table
    drive_share: np.ndarray  # float: BETA share of orders picked up at a drive
    trip_rate: np.ndarray  # float: trips per open day before traffic weights
    lines_mean: np.ndarray  # float: mean lines per trip (>= 1)
    category_pref: np.ndarray  # float (S, C), rows sum to 1
    segment: np.ndarray  # int8 price segment
    favourite: np.ndarray  # int16 (S, C): favourite brand, -1 when none
    loyalty: np.ndarray  # float: probability to pick the favourite
    promo_rate: np.ndarray  # float: probability that a line carries a retailer promotion
    lapse_day: np.ndarray  # int: first day without trips (NEVER if no lapse)
    brand_lapse_category: np.ndarray  # int: category in which the favourite is dropped (-1 none)
    brand_lapse_day: np.ndarray  # int: day from which it is dropped

    def __len__(self) -> int:
        return int(self.retailer.size)


def shopper_key(retailer: str, ref: str) -> str:
    """The contract's key: md5 hex of ``RETAILER:customer_ref``."""
    return hashlib.md5(f"{retailer}:{ref}".encode()).hexdigest()


def build_shoppers(rng: np.random.Generator, n: int, days: int, stores: pd.DataFrame, market: Market) -> Shoppers:
    retailer = rng.choice(3, size=n, p=RETAILER_SHARE).astype(np.int8)
    # Make sure every retailer has shoppers even at tiny scale.
    for r in range(3):
        if n >= 3 and not (retailer == r).any():
            retailer[r] = r
    ref = np.empty(n, dtype=object)
    member_id = np.zeros(n, dtype=np.int64)
    email = np.full(n, None, dtype=object)

    alpha = np.flatnonzero(retailer == ALPHA)
    cards = rng.choice(10**12, size=alpha.size, replace=False)
    leading_zero = rng.random(alpha.size) < 0.15
    leading_zero[:3] = True  # present even at tiny scale
    first_digit = np.where(leading_zero, 0, rng.integers(1, 10, size=alpha.size))
    ref[alpha] = [f"{d}{c:012d}" for d, c in zip(first_digit, cards)]

    beta = np.flatnonzero(retailer == BETA)
    hex_ids = rng.choice(16**6 - 16**5, size=beta.size, replace=False) + 16**5
    ref[beta] = [f"{value:x}" for value in hex_ids]
    email[beta] = [hashlib.sha256(f"client{value:x}@example.fr".encode()).hexdigest() for value in hex_ids]

    gamma = np.flatnonzero(retailer == GAMMA)
    member_id[gamma] = 4_000_000_000 + rng.choice(5_000_000_000, size=gamma.size, replace=False)
    ref[gamma] = [str(value) for value in member_id[gamma]]
    key = np.array([shopper_key(RETAILERS[r], text) for r, text in zip(retailer, ref)], dtype=object)

    home = np.zeros(n, dtype=np.int64)
    drive_share = np.zeros(n)
    for r in range(3):
        members = np.flatnonzero(retailer == r)
        if r == BETA:
            drives = np.flatnonzero((stores["retailer_idx"] == BETA) & (stores["format"] == "drive"))
            home[members] = rng.choice(drives, size=members.size)
            drive_share[members] = np.where(rng.random(members.size) < 0.3, rng.uniform(0.5, 1.0, members.size), 0.0)
        else:
            local = np.flatnonzero(stores["retailer_idx"] == r)
            home[members] = rng.choice(local, size=members.size)

    trip_rate = TRIP_RATE[retailer] * rng.gamma(2.0, 0.5, size=n)
    lines_mean = np.maximum(1.0, LINES_PER_TRIP[retailer] * rng.gamma(4.0, 0.25, size=n))
    n_c = market.n_categories
    popularity = rng.uniform(0.5, 1.5, size=n_c)
    pref = rng.dirichlet(0.6 * popularity, size=n) + 1e-4
    pref *= market.category_available[retailer]
    pref /= pref.sum(axis=1, keepdims=True)
    segment = rng.choice(PRICE_SEGMENTS, size=n, p=[0.3, 0.45, 0.25]).astype(np.int8)

    favourite = np.full((n, n_c), -1, dtype=np.int16)
    for r in range(3):
        for g in range(PRICE_SEGMENTS):
            members = np.flatnonzero((retailer == r) & (segment == g))
            if members.size == 0:
                continue
            cdf = np.cumsum(market.brand_share[r, g], axis=1)  # (C, B)
            draws = rng.random((members.size, n_c))
            for c in range(n_c):
                if cdf[c, -1] <= 0:
                    continue
                favourite[members, c] = np.minimum((cdf[c][None, :] < draws[:, c : c + 1]).sum(axis=1), cdf.shape[1] - 1)
    loyalty = rng.beta(2.0, 2.0, size=n)
    promo_rate = np.clip(rng.beta(1.2, 6.0, size=n), 0.0, 0.6)
    lapse_day = np.where(rng.random(n) < 0.10, rng.integers(days // 4, max(days // 4 + 1, days), size=n), NEVER)
    brand_lapse = rng.random(n) < 0.15
    brand_lapse_category = np.where(brand_lapse, pref.argmax(axis=1), -1)
    brand_lapse_day = np.where(brand_lapse, rng.integers(days // 4, max(days // 4 + 1, days), size=n), NEVER)
    return Shoppers(
        retailer=retailer,
        ref=ref,
        key=key,
        member_id=member_id,
        email_sha256=email,
        home_store=home,
        drive_share=drive_share,
        trip_rate=trip_rate,
        lines_mean=lines_mean,
        category_pref=pref,
        segment=segment,
        favourite=favourite,
        loyalty=loyalty,
        promo_rate=promo_rate,
        lapse_day=lapse_day.astype(np.int64),
        brand_lapse_category=brand_lapse_category.astype(np.int64),
        brand_lapse_day=brand_lapse_day.astype(np.int64),
    )
