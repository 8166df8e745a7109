"""Constants of the simulated market and the calendar of a run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

RETAILERS: tuple[str, ...] = ("ALPHA", "BETA", "GAMMA")
ALPHA, BETA, GAMMA = 0, 1, 2
SOURCES: tuple[str, ...] = ("alpha_receipts", "beta_orders", "gamma_transactions")

# Share of identified shoppers per retailer.
RETAILER_SHARE = np.array([0.45, 0.20, 0.35])
# Probability that a trip is anonymous (no card / no app / guest checkout).
ANONYMOUS_RATE = np.array([0.20, 0.10, 0.20])
# Probability that a line is a returned item.
RETURN_RATE = np.array([0.015, 0.0, 0.010])
# Mean trips per shopper per open day, and mean lines per trip.
TRIP_RATE = np.array([1 / 7, 1 / 12, 2.5 / 7])
LINES_PER_TRIP = np.array([12.0, 15.0, 4.0])
# Shelf price factor of each retailer (proximity is dearer).
PRICE_FACTOR = np.array([1.00, 1.03, 1.12])
# Retailer-funded promotions: percent off and its weights.
PROMO_PCTS = np.array([0.20, 0.25, 0.30, 0.50])
PROMO_PCT_WEIGHTS = np.array([0.35, 0.25, 0.30, 0.10])
MEAN_PROMO_PCT = float(PROMO_PCTS @ PROMO_PCT_WEIGHTS)
# Extra units beyond the first one: Poisson mean (E[units] = 1 + this).
EXTRA_UNITS_MEAN = 0.35
# BETA lifecycle of an order: delivered, cancelled at once, delivered then
# cancelled, delivered then returned, delivered then re-sent unchanged.
BETA_STATUS_PROBS = np.array([0.90, 0.03, 0.02, 0.03, 0.02])
BETA_NOT_DELIVERED = float(BETA_STATUS_PROBS[1] + BETA_STATUS_PROBS[2] + BETA_STATUS_PROBS[3])

# Day-of-week traffic (Monday first), normalised to mean 1.
DOW_WEIGHTS = np.array(
    [
        [0.8, 0.8, 0.9, 0.9, 1.2, 1.6, 0.8],
        [1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 1.0],
        [1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 0.8],
    ]
)
DOW_WEIGHTS = DOW_WEIGHTS / DOW_WEIGHTS.mean(axis=1, keepdims=True)

# Local opening hours and the weight of each hour (index = local hour).
HOUR_WEIGHTS = np.zeros((3, 24))
HOUR_WEIGHTS[ALPHA, 8:21] = [3, 5, 7, 8, 9, 7, 6, 7, 8, 9, 9, 7, 4]
HOUR_WEIGHTS[BETA, :] = [2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 7, 8, 8, 6, 4]
HOUR_WEIGHTS[GAMMA, 0] = 2
HOUR_WEIGHTS[GAMMA, 7:24] = [4, 7, 6, 5, 6, 8, 7, 5, 5, 6, 8, 10, 9, 6, 4, 3, 3]
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum(axis=1, keepdims=True)

# Public holidays on which a store format is closed (month, day).
CLOSED_HOLIDAYS = {ALPHA: {(12, 25), (1, 1), (5, 1)}, BETA: set(), GAMMA: {(12, 25)}}

EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Calendar:
    """The business days of a run, and which retailer is open on which day."""

    start: date
    days: int
    missing_alpha_day: int
    empty_alpha_day: int

    @classmethod
    def build(cls, start: date, days: int) -> "Calendar":
        middle = days // 2
        return cls(start=start, days=days, missing_alpha_day=middle, empty_alpha_day=min(middle + 2, days - 1))

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=int(day))

    @property
    def last(self) -> date:
        return self.date_of(self.days - 1)

    def epoch_day(self, day: np.ndarray | int) -> np.ndarray:
        """Days since 1970-01-01 of business day index ``day``."""
        return np.asarray(day, dtype=np.int64) + (self.start - EPOCH).days

    def dow(self, day: int) -> int:
        return self.date_of(day).weekday()

    def is_open(self, retailer: int, day: int) -> bool:
        """Open on a business day (day may lie after the history, for planned campaigns)."""
        current = self.date_of(day)
        if (current.month, current.day) in CLOSED_HOLIDAYS[retailer]:
            return False
        if retailer == ALPHA and day in (self.missing_alpha_day, self.empty_alpha_day):
            return False
        return True

    def traffic(self, retailer: int, day: int) -> float:
        """Trip-rate multiplier of a retailer on a day (0 when closed)."""
        return float(DOW_WEIGHTS[retailer, self.dow(day)]) if self.is_open(retailer, day) else 0.0


def paris_to_utc_seconds(local_seconds: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
    """UTC epoch seconds of naive Europe/Paris wall-clock epoch seconds.

    Ambiguous autumn times are resolved at random (both readings exist);
    non-existent spring times are shifted forward to 03:00.
    """
    local_seconds = np.asarray(local_seconds, dtype=np.int64)
    if local_seconds.size == 0:
        return local_seconds.copy()
    index = pd.DatetimeIndex(local_seconds.astype("datetime64[s]"))
    ambiguous = rng.random(local_seconds.size) < 0.5 if rng is not None else np.ones(local_seconds.size, dtype=bool)
    aware = index.tz_localize("Europe/Paris", ambiguous=ambiguous, nonexistent="shift_forward")
    return aware.tz_convert("UTC").tz_localize(None).as_unit("s").asi8


def utc_to_paris_seconds(utc_seconds: np.ndarray) -> np.ndarray:
    """Naive Europe/Paris wall-clock epoch seconds of UTC epoch seconds."""
    utc_seconds = np.asarray(utc_seconds, dtype=np.int64)
    if utc_seconds.size == 0:
        return utc_seconds.copy()
    index = pd.DatetimeIndex(utc_seconds.astype("datetime64[s]")).tz_localize("UTC").tz_convert("Europe/Paris")
    return index.tz_localize(None).as_unit("s").asi8
