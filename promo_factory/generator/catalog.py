"""The product universe: categories, brands, manufacturers, products and the raw catalog file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from promo_factory import gtin as gtin_lib
from promo_factory.generator.config import BETA, GAMMA

# category_l1 -> category_l2 -> (category_l3 list, price range in cents, weighed)
CATEGORIES: dict[str, dict[str, tuple[list[str], tuple[int, int], bool]]] = {
    "Épicerie sucrée": {
        "Petit-déjeuner": (["Céréales", "Pâtes à tartiner", "Confitures"], (180, 520), False),
        "Biscuits": (["Biscuits secs", "Biscuits chocolat"], (120, 380), False),
        "Chocolat": (["Tablettes", "Confiserie"], (110, 450), False),
    },
    "Épicerie salée": {
        "Pâtes & riz": (["Pâtes", "Riz"], (90, 320), False),
        "Conserves": (["Légumes en conserve", "Plats cuisinés"], (110, 480), False),
        "Apéritif": (["Chips", "Crackers"], (120, 340), False),
    },
    "Crèmerie": {
        "Yaourts": (["Yaourts nature", "Yaourts aux fruits", "Desserts lactés"], (140, 420), False),
        "Fromages": (["Pâte molle", "Pâte dure"], (190, 690), False),
        "Beurre & crème": (["Beurre", "Crème fraîche"], (150, 390), False),
    },
    "Boissons": {
        "Eaux": (["Eau plate", "Eau gazeuse"], (60, 360), False),
        "Sodas": (["Cola", "Limonade"], (90, 320), False),
        "Jus": (["Jus d'orange", "Multifruits"], (140, 420), False),
    },
    "Hygiène & beauté": {
        "Soins corps": (["Gels douche", "Déodorants"], (190, 640), False),
        "Capillaires": (["Shampooings", "Après-shampooings"], (220, 780), False),
    },
    "Fruits & légumes": {
        "Fruits frais": (["Pommes", "Agrumes", "Bananes"], (149, 549), True),
        "Légumes frais": (["Tomates", "Pommes de terre", "Carottes"], (99, 449), True),
    },
}

# brand -> (manufacturer, price index, category_l2 list, GS1 prefix kind: "fr" or "us")
BRANDS: dict[str, tuple[str, float, list[str], str]] = {
    "Danone": ("Danone SA", 1.10, ["Yaourts", "Beurre & crème"], "fr"),
    "Source Alpine": ("Danone SA", 1.00, ["Eaux"], "fr"),
    "Bulles d'Or": ("Maison Perrier & Fils", 1.15, ["Eaux", "Sodas"], "fr"),
    "Verger Bleu": ("Maison Perrier & Fils", 1.05, ["Jus"], "fr"),
    "P'tit Breton": ("Biscuiterie de l'Ouest", 1.00, ["Biscuits"], "fr"),
    "Croc'Malin": ("Biscuiterie de l'Ouest", 0.95, ["Biscuits", "Petit-déjeuner"], "fr"),
    "Cacao Royal": ("Chocolaterie Armand", 1.25, ["Chocolat", "Petit-déjeuner"], "fr"),
    "Noisetta": ("Chocolaterie Armand", 1.10, ["Petit-déjeuner"], "fr"),
    "Rossi": ("Pastificio Rossi", 1.05, ["Pâtes & riz"], "fr"),
    "Riz d'Or": ("Pastificio Rossi", 0.95, ["Pâtes & riz"], "fr"),
    "Soleil du Sud": ("Conserverie du Sud", 1.00, ["Conserves"], "fr"),
    "Mamie Jeanne": ("Conserverie du Sud", 1.20, ["Conserves", "Petit-déjeuner"], "fr"),
    "Crunchy": ("Snacks & Co", 1.00, ["Apéritif"], "us"),
    "Apéro Club": ("Snacks & Co", 0.90, ["Apéritif"], "us"),
    "Mont Blanc": ("Fromagerie des Alpes", 1.20, ["Fromages", "Beurre & crème"], "fr"),
    "Le Berger": ("Fromagerie des Alpes", 1.05, ["Fromages"], "fr"),
    "Normandie Crème": ("Laiterie Normande", 1.00, ["Beurre & crème", "Yaourts"], "fr"),
    "Kola": ("Cola Corp", 1.10, ["Sodas"], "us"),
    "Limo": ("Cola Corp", 0.90, ["Sodas", "Jus"], "us"),
    "Fleur de Savon": ("Beauté Nature", 1.10, ["Soins corps", "Capillaires"], "fr"),
    "Capilla": ("Beauté Nature", 1.20, ["Capillaires"], "fr"),
    "Fresh Men": ("Hygiena", 1.00, ["Soins corps", "Capillaires"], "us"),
    "Premier Prix": (
        "Distributeurs Associés",
        0.60,
        ["Biscuits", "Pâtes & riz", "Conserves", "Yaourts", "Eaux", "Sodas", "Soins corps"],
        "fr",
    ),
    "Vergers de France": ("Coopérative des Vergers", 1.00, ["Fruits frais"], "fr"),
    "Terroir Maraîcher": ("Coopérative des Vergers", 1.00, ["Légumes frais"], "fr"),
    "Bio Village": ("Bio Village SAS", 1.35, ["Fruits frais", "Légumes frais"], "fr"),
}

VARIANTS = ["Classique", "Original", "Bio", "Léger", "Familial", "Intense", "Douceur", "Extra", "Tradition", "Gourmand"]
PACKS = ["125g", "250g", "400g", "500g", "1kg", "4x125g", "6x100g", "1L", "1,5L", "6x1,5L", "33cl", "250ml"]


def normalise_brand(text: str) -> str:
    """docs/CONVENTIONS.md: trimmed, single spaces, upper case."""
    return re.sub(r"\s+", " ", text).strip().upper()


@dataclass
class Catalog:
    """Products as they really are, and the raw catalog rows as the file shows them."""

    products: pd.DataFrame  # one row per product (truth), index = product index
    raw_rows: pd.DataFrame  # rows of catalog/products.csv in file order, with their outcome
    brands: list[str]
    categories_l2: list[str]
    assortment: np.ndarray  # bool (retailer, product)
    shelf_price: np.ndarray  # int64 cents (retailer, product): unit price or price per kg

    @property
    def n_products(self) -> int:
        return len(self.products)


def _gtin_bodies(rng: np.random.Generator, kind: str, count: int, prefix: int) -> np.ndarray:
    if kind == "8":
        return 3_000_000 + rng.choice(7_000_000, size=count, replace=False)
    if kind == "us":  # GTIN-13 starting with 0 (a UPC-A with its leading zero)
        return prefix * 100_000 + rng.choice(100_000, size=count, replace=False)
    return prefix * 100_000 + rng.choice(100_000, size=count, replace=False)


def build_catalog(rng: np.random.Generator, updated_base: datetime) -> Catalog:
    """Draw the product universe and the raw catalog rows (with their defects)."""
    l2_names = [l2 for l1 in CATEGORIES.values() for l2 in l1]
    l1_of = {l2: l1 for l1, l2s in CATEGORIES.items() for l2 in l2s}
    brand_names = list(BRANDS)
    manufacturers = sorted({manufacturer for manufacturer, *_ in BRANDS.values()})
    company_prefix: dict[str, int] = {}
    for position, manufacturer in enumerate(manufacturers):
        company_prefix[manufacturer] = 3_010_000 + position * 1_013 + int(rng.integers(0, 900))

    rows = []
    for brand, (manufacturer, price_index, l2s, origin) in BRANDS.items():
        for l2 in l2s:
            l3s, (low, high), weighed = CATEGORIES[l1_of[l2]][l2]
            count = int(rng.integers(3, 6)) if brand == "Premier Prix" else int(rng.integers(5, 9) if weighed else rng.integers(6, 17))
            for _ in range(count):
                l3 = l3s[int(rng.integers(len(l3s)))]
                price = int(round(rng.uniform(low, high) * price_index))
                pack = "au kg" if weighed else PACKS[int(rng.integers(len(PACKS)))]
                variant = VARIANTS[int(rng.integers(len(VARIANTS)))]
                rows.append((brand, manufacturer, l1_of[l2], l2, l3, variant, pack, price, weighed, origin))
    products = pd.DataFrame(
        rows,
        columns=["brand", "manufacturer", "category_l1", "category_l2", "category_l3", "variant", "pack_size",
                 "price_cents", "weighed", "origin"],
    )
    products["product_name"] = products["brand"] + " " + products["category_l3"] + " " + products["variant"] + " " + products["pack_size"]
    dup_name = products.duplicated("product_name", keep=False)
    products.loc[dup_name, "product_name"] = (
        products.loc[dup_name, "product_name"] + " #" + (products.loc[dup_name].groupby("product_name").cumcount() + 1).astype(str)
    )

    # GTINs: French GTIN-13 per manufacturer prefix, US-style GTIN-13 starting with 0, and a few GTIN-8.
    n = len(products)
    kind = np.where(products["origin"].to_numpy() == "us", "us", "13")
    small = (~products["weighed"].to_numpy()) & (rng.random(n) < 0.06)
    kind[small] = "8"
    bodies = np.zeros(n, dtype=np.int64)
    for manufacturer, prefix in company_prefix.items():
        for current in ("13", "us"):
            mask = (products["manufacturer"].to_numpy() == manufacturer) & (kind == current)
            if mask.any():
                base = prefix if current == "13" else 410_000 + prefix % 90_000
                bodies[mask] = _gtin_bodies(rng, current, int(mask.sum()), base)
    mask8 = kind == "8"
    bodies[mask8] = _gtin_bodies(rng, "8", int(mask8.sum()), 0)
    gtin_int = gtin_lib.gtin_from_body_array(bodies)
    products["gtin_int"] = gtin_int
    products["gtin_kind"] = kind
    products["gtin"] = [str(value).zfill(14) for value in gtin_int]
    products["ean_text"] = [str(value).zfill(8 if k == "8" else 13) for value, k in zip(gtin_int, kind)]
    products["brand_norm"] = products["brand"].map(normalise_brand)
    products["brand_idx"] = products["brand"].map({name: i for i, name in enumerate(brand_names)}).astype(np.int16)
    products["l2_idx"] = products["category_l2"].map({name: i for i, name in enumerate(l2_names)}).astype(np.int16)
    products["label"] = (
        products["brand"].str.upper().str.replace(r"[^A-Z0-9' ]", "", regex=True).str.slice(0, 10)
        + " " + products["category_l3"].str.upper().str.slice(0, 12)
        + " " + products["pack_size"].str.upper()
    )
    assert products["gtin"].is_unique

    weighed = products["weighed"].to_numpy()
    assortment = np.ones((3, n), dtype=bool)
    assortment[BETA] = ~weighed
    assortment[GAMMA] = (~weighed) & (rng.random(n) < 0.65)
    base_price = products["price_cents"].to_numpy().astype(np.float64)
    shelf = np.stack([np.round(base_price * f).astype(np.int64) for f in (1.00, 1.03, 1.12)])
    shelf[:, weighed] = products.loc[weighed, "price_cents"].to_numpy()  # price per kg, ALPHA only
    raw_rows = _raw_catalog_rows(rng, products, updated_base)
    return Catalog(
        products=products,
        raw_rows=raw_rows,
        brands=brand_names,
        categories_l2=l2_names,
        assortment=assortment,
        shelf_price=shelf,
    )


def _brand_variant(rng: np.random.Generator, brand: str) -> str:
    choice = int(rng.integers(6))
    if choice == 1:
        return brand.upper() + " "
    if choice == 2:
        return " " + brand.lower()
    if choice == 3:
        return brand.replace(" ", "  ") + "  "
    return brand


def _gtin_text(rng: np.random.Generator, value: int, kind: str) -> str:
    """A padding of the GTIN as catalogs write it: 8, 12, 13 or 14 digits."""
    text13 = str(value).zfill(13)
    options = [text13, text13.zfill(14)]
    if kind == "8":
        options = [str(value).zfill(8), text13.zfill(14), text13]
    elif text13.startswith("0"):
        options = [text13, text13[1:], text13.zfill(14)]
    return options[int(rng.integers(len(options)))]


def _raw_catalog_rows(rng: np.random.Generator, products: pd.DataFrame, updated_base: datetime) -> pd.DataFrame:
    """Rows of catalog/products.csv: the latest version of each product plus planted defects.

    Outcomes: ``loaded`` (the winning row), ``superseded_version`` (an older
    row of the same GTIN, or the earlier row of an exact tie) and
    ``invalid_gtin`` (wrong check digit, quarantined).
    """
    records: list[dict] = []

    def row(position: int, name: str, l3: str, updated: datetime, outcome: str, text: str | None = None) -> dict:
        product = products.iloc[position]
        return {
            "gtin": text if text is not None else _gtin_text(rng, int(product["gtin_int"]), product["gtin_kind"]),
            "product_name": name,
            "brand": _brand_variant(rng, product["brand"]),
            "manufacturer": product["manufacturer"],
            "category_l1": product["category_l1"],
            "category_l2": product["category_l2"],
            "category_l3": l3,
            "pack_size": product["pack_size"],
            "updated_at": updated.strftime("%Y-%m-%d %H:%M:%S"),
            "outcome": outcome,
            "product": position,
            "order": float(position),
        }

    n = len(products)
    updated = [updated_base - timedelta(days=int(rng.integers(30, 400)), seconds=int(rng.integers(86_400))) for _ in range(n)]
    for position in range(n):
        product = products.iloc[position]
        records.append(row(position, product["product_name"], product["category_l3"], updated[position], "loaded"))
    # Older versions (renamed since): placed before or after the winning row in the file.
    older = rng.choice(n, size=max(3, n // 12), replace=False)
    for position in older:
        product = products.iloc[position]
        record = row(position, product["product_name"].replace(product["variant"], "Ancienne recette"),
                     product["category_l3"], updated[position] - timedelta(days=int(rng.integers(1, 200))),
                     "superseded_version")
        record["order"] = position + (0.5 if rng.random() < 0.5 else -0.5)
        records.append(record)
    # An exact tie on updated_at: the later row in the file wins.
    tie_candidates = np.setdiff1d(np.arange(n), older)
    for position in rng.choice(tie_candidates, size=2, replace=False):
        product = products.iloc[position]
        record = row(position, product["product_name"] + " (ancien libellé)", product["category_l3"],
                     updated[position], "superseded_version")
        record["order"] = position - 0.25
        records.append(record)
    # Wrong check digits: typos of real GTINs, quarantined.
    for position in rng.choice(n, size=3, replace=False):
        product = products.iloc[position]
        wrong = int(gtin_lib.wrong_check_digit_array(np.array([product["gtin_int"]]))[0])
        record = row(position, product["product_name"], product["category_l3"], updated[position] + timedelta(days=1),
                     "invalid_gtin", text=str(wrong).zfill(13))
        record["order"] = position + 0.75
        records.append(record)
    frame = pd.DataFrame.from_records(records).sort_values("order", kind="stable").reset_index(drop=True)
    return frame
