"""Stores of the three retailers, geolocated in several French regions."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from promo_factory.generator.config import ALPHA, BETA, GAMMA

# city, postal code (text: some start with 0), latitude, longitude
CITIES: list[tuple[str, str, float, float]] = [
    ("Paris", "75011", 48.8590, 2.3800),
    ("Lyon", "69003", 45.7600, 4.8590),
    ("Marseille", "13008", 43.2400, 5.3800),
    ("Lille", "59000", 50.6330, 3.0580),
    ("Toulouse", "31000", 43.6045, 1.4440),
    ("Nantes", "44000", 47.2180, -1.5530),
    ("Bordeaux", "33000", 44.8370, -0.5790),
    ("Strasbourg", "67000", 48.5830, 7.7450),
    ("Nice", "06000", 43.7030, 7.2660),
    ("Rennes", "35000", 48.1110, -1.6800),
    ("Grenoble", "38000", 45.1880, 5.7240),
    ("Montpellier", "34000", 43.6110, 3.8770),
    ("Dijon", "21000", 47.3220, 5.0410),
    ("Bourg-en-Bresse", "01000", 46.2050, 5.2250),
    ("Troyes", "10000", 48.2970, 4.0740),
    ("Ajaccio", "20000", 41.9190, 8.7380),
]

STORE_COLUMNS = ["store_code", "retailer", "store_name", "format", "latitude", "longitude", "postal_code", "city", "opened_on"]


def build_stores(rng: np.random.Generator, shoppers: int, start: date) -> pd.DataFrame:
    """One row per store, plus ``retailer_idx`` (0, 1, 2) used by the simulation."""
    n_alpha = int(np.clip(shoppers // 150, 3, 40))
    n_gamma = int(np.clip(shoppers // 100, 3, 120))
    n_drive = 3
    rows = []

    def place(name_prefix: str) -> tuple[str, str, float, float]:
        city, postal, lat, lon = CITIES[int(rng.integers(len(CITIES)))]
        return city, postal, lat + float(rng.normal(0, 0.03)), lon + float(rng.normal(0, 0.03))

    def opened() -> str:
        return (start - timedelta(days=int(rng.integers(200, 9000)))).isoformat()

    for number in range(1, n_alpha + 1):
        city, postal, lat, lon = place("ALPHA")
        store_format = "hyper" if number % 3 == 1 else "super"
        rows.append((f"A{number:03d}", "ALPHA", f"ALPHA {store_format.capitalize()} {city} {number}", store_format,
                     round(lat, 6), round(lon, 6), postal, city, opened(), ALPHA))
    rows.append(("B-WEB", "BETA", "BETA en ligne", "online", None, None, None, None, "2015-03-02", BETA))
    for number in range(1, n_drive + 1):
        city, postal, lat, lon = place("BETA")
        rows.append((f"B-D{number:02d}", "BETA", f"BETA Drive {city}", "drive", round(lat, 6), round(lon, 6), postal,
                     city, opened(), BETA))
    for number in range(1, n_gamma + 1):
        city, postal, lat, lon = place("GAMMA")
        rows.append((f"G{number:03d}", "GAMMA", f"GAMMA Proxi {city} {number}", "proximity", round(lat, 6),
                     round(lon, 6), postal, city, opened(), GAMMA))
    return pd.DataFrame(rows, columns=[*STORE_COLUMNS, "retailer_idx"])
