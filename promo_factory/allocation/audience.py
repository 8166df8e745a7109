"""Audience sizing under a budget, and the random holdout drawn from the chosen audience."""

from __future__ import annotations

import math
import zlib

import numpy as np


def holdout_count(audience: int, holdout_share: float) -> int:
    """Holdout size H = round(holdout_share x audience), halves rounded up: |H - share x A| <= 1/2."""
    return int(math.floor(holdout_share * audience + 0.5))


def treatment_budget_offers(budget_eur: float, cost_per_offer_eur: float) -> int:
    """floor(budget_eur / cost_per_offer_eur): the treatment offers the budget pays for (0 if unpriced)."""
    if not cost_per_offer_eur or cost_per_offer_eur <= 0 or not budget_eur or budget_eur <= 0:
        return 0
    # A tiny tolerance so that 100.00 / 0.10 is 1000 and not 999 in binary floating point.
    return int(math.floor(budget_eur / cost_per_offer_eur + 1e-9))


def audience_capacity(treatment_offers: int, holdout_share: float) -> int:
    """Largest audience A whose treatment part A - holdout_count(A) fits `treatment_offers`.

    A - holdout_count(A) never decreases with A (it grows by 0 or 1 per shopper),
    so every audience up to the returned size also fits the budget.
    """
    share = min(max(float(holdout_share or 0.0), 0.0), 0.999)
    if treatment_offers <= 0:
        return 0
    audience = int(treatment_offers / (1.0 - share)) + 2
    while audience - holdout_count(audience, share) > treatment_offers:
        audience -= 1
    return audience


def draw_holdout(shopper_keys: np.ndarray, holdout_share: float, seed: int, campaign_id: str) -> np.ndarray:
    """Boolean mask of the holdout: a simple random sample of holdout_count(n) shoppers.

    The draw depends only on the seed, the campaign id and the set of keys (not on
    their order), so it is reproducible and treatment and holdout are exchangeable.
    """
    keys = np.asarray(shopper_keys).astype(str)
    n_holdout = holdout_count(len(keys), float(holdout_share or 0.0))
    order = np.argsort(keys, kind="stable")
    rng = np.random.default_rng([int(seed), zlib.crc32(str(campaign_id).encode())])
    picked = rng.choice(len(keys), size=n_holdout, replace=False) if n_holdout else np.array([], dtype=int)
    mask = np.zeros(len(keys), dtype=bool)
    mask[order[picked]] = True
    return mask
