"""Feature preparation: from the point-in-time feature tables to a numeric model matrix.

The SQL models `int_shopper_features` (shopper x as_of_date) and
`int_shopper_brand_features` (shopper x brand x as_of_date) compute the raw,
readable features from fct_sales_lines strictly before each as_of_date. This
module joins them for one brand, fills the rows of shoppers who never bought
the brand or its categories, and applies the transforms every learner shares
(log of counts and amounts, capped recencies, one-hot brand status).

Every model column has words attached (`FEATURE_WORDS`) so that a linear
model's contributions can be read out as reasons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["shopper_key", "retailer", "as_of_date"]
HISTORY_DAYS = 365
BRAND_STATUSES = ("never", "category_buyer", "lapsed", "active", "loyal")
STORE_FORMATS = ("hyper", "super", "proximity", "drive", "online")

# Raw shopper-level columns of int_shopper_features used by the models.
SHOPPER_COLUMNS = [
    "days_since_last_purchase",
    "tenure_days",
    "baskets_90d",
    "baskets_365d",
    "spend_90d_eur",
    "spend_365d_eur",
    "avg_basket_eur",
    "avg_basket_units",
    "promo_spend_share",
    "offers_used_365d",
    "price_index",
    "mean_interpurchase_days",
    "sd_interpurchase_days",
    "categories_365d",
    *[f"{fmt}_spend_share" for fmt in STORE_FORMATS],
]

# Raw shopper x brand columns of int_shopper_brand_features.
BRAND_COLUMNS = [
    "brand_spend_365d_eur",
    "brand_baskets_365d",
    "brand_days_since_last_purchase",
    "brand_share_of_wallet",
    "category_share_of_wallet",
    "brand_share_of_category",
    "brand_promo_share",
    "brand_status",
    "scope_spend_recent_eur",
    "brand_lines_recent",
]

# Model column -> (words when high, words when low).
FEATURE_WORDS: dict[str, tuple[str, str]] = {
    "log_days_since_last_purchase": ("no visit for a long time", "visited recently"),
    "log_tenure_days": ("long-standing customer", "new customer"),
    "log_baskets_90d": ("many visits in the last 90 days", "few visits in the last 90 days"),
    "log_baskets_365d": ("frequent shopper over the year", "infrequent shopper over the year"),
    "log_spend_365d": ("high yearly spend", "low yearly spend"),
    "log_avg_basket": ("large baskets", "small baskets"),
    "log_avg_basket_units": ("many items per basket", "few items per basket"),
    "promo_spend_share": ("buys a lot on promotion", "rarely buys on promotion"),
    "log_offers_used": ("has used past offers", "has not used past offers"),
    "price_index": ("buys premium-priced products", "buys low-priced products"),
    "log_interpurchase_days": ("long gaps between visits", "short gaps between visits"),
    "cv_interpurchase": ("irregular visits", "regular visits"),
    "log_categories": ("shops many categories", "shops few categories"),
    **{
        f"{fmt}_spend_share": (f"shops mostly in {fmt} stores", f"seldom shops in {fmt} stores")
        for fmt in STORE_FORMATS
    },
    "log_brand_spend": ("spends a lot on the brand", "spends little on the brand"),
    "log_brand_baskets": ("buys the brand often", "seldom buys the brand"),
    "log_brand_days_since": ("has not bought the brand for a long time", "bought the brand recently"),
    "brand_share_of_wallet": ("brand is a large share of spend", "brand is a small share of spend"),
    "category_share_of_wallet": ("strong affinity for the brand's category", "weak affinity for the brand's category"),
    "brand_share_of_category": ("brand leads their category spend", "buys other brands of the category"),
    "brand_promo_share": ("buys the brand on promotion", "buys the brand at full price"),
    "status_never": ("never bought the brand nor its category", "has bought the brand or its category"),
    "log_scope_spend_recent": ("spends on the offer's scope lately", "no recent spend on the offer's scope"),
    "status_category_buyer": ("buys the category but not the brand", "not a category-only buyer"),
    "status_lapsed": ("lapsed buyer of the brand", "not a lapsed brand buyer"),
    "status_active": ("active buyer of the brand", "not an active brand buyer"),
    "status_loyal": ("loyal buyer of the brand", "not a loyal brand buyer"),
    # campaign descriptors (uplift only)
    "offer_pct": ("generous percentage offer", "small percentage offer"),
    "offer_cash": ("generous cash-off offer", "small cash-off offer"),
    "campaign_days": ("long campaign", "short campaign"),
    "has_category_scope": ("offer limited to one category", "offer on the whole brand"),
    "offer_cost_baseline": ("would get the discount on purchases made anyway", "little baseline purchase to discount"),
}

SHOPPER_MODEL_COLUMNS = [
    "log_days_since_last_purchase",
    "log_tenure_days",
    "log_baskets_90d",
    "log_baskets_365d",
    "log_spend_365d",
    "log_avg_basket",
    "log_avg_basket_units",
    "promo_spend_share",
    "log_offers_used",
    "price_index",
    "log_interpurchase_days",
    "cv_interpurchase",
    "log_categories",
    *[f"{fmt}_spend_share" for fmt in STORE_FORMATS],
]
BRAND_MODEL_COLUMNS = [
    "log_brand_spend",
    "log_brand_baskets",
    "log_brand_days_since",
    "brand_share_of_wallet",
    "category_share_of_wallet",
    "brand_share_of_category",
    "brand_promo_share",
    *[f"status_{status}" for status in BRAND_STATUSES],
]
CAMPAIGN_MODEL_COLUMNS = ["log_scope_spend_recent", "offer_cost_baseline", "offer_pct", "offer_cash", "campaign_days", "has_category_scope"]
PROPENSITY_COLUMNS = SHOPPER_MODEL_COLUMNS + BRAND_MODEL_COLUMNS
UPLIFT_COLUMNS = SHOPPER_MODEL_COLUMNS + BRAND_MODEL_COLUMNS + CAMPAIGN_MODEL_COLUMNS


def join_brand_features(
    population: pd.DataFrame, shopper_features: pd.DataFrame, brand_features: pd.DataFrame
) -> pd.DataFrame:
    """Left-join a population (shopper_key, retailer, as_of_date, ...) to its shopper and brand features.

    ``brand_features`` must already be filtered to the brand of interest; the
    shoppers absent from it never bought the brand nor its categories in the
    window, and get zeros and status ``never`` in `model_matrix`.
    """
    shopper_cols = [c for c in KEYS + SHOPPER_COLUMNS if c in shopper_features.columns]
    brand_cols = [c for c in KEYS + BRAND_COLUMNS if c in brand_features.columns]
    out = population.merge(shopper_features[shopper_cols], on=KEYS, how="left")
    return out.merge(brand_features[brand_cols], on=KEYS, how="left")


def _num(frame: pd.DataFrame, column: str, fill: float) -> np.ndarray:
    if column not in frame.columns:
        return np.full(len(frame), fill, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float).fillna(fill).to_numpy()


def model_matrix(frame: pd.DataFrame, with_campaign: bool = False) -> pd.DataFrame:
    """Numeric, gap-free model matrix (columns `PROPENSITY_COLUMNS` or `UPLIFT_COLUMNS`).

    Missing shopper features (no purchase in the window) mean an inactive
    shopper: counts and amounts 0, recencies = the window length (365 days).
    """
    cap = float(HISTORY_DAYS)
    out: dict[str, np.ndarray] = {}
    out["log_days_since_last_purchase"] = np.log1p(np.minimum(_num(frame, "days_since_last_purchase", cap), cap))
    out["log_tenure_days"] = np.log1p(np.clip(_num(frame, "tenure_days", 0.0), 0, cap))
    out["log_baskets_90d"] = np.log1p(np.maximum(_num(frame, "baskets_90d", 0.0), 0))
    out["log_baskets_365d"] = np.log1p(np.maximum(_num(frame, "baskets_365d", 0.0), 0))
    out["log_spend_365d"] = np.log1p(np.maximum(_num(frame, "spend_365d_eur", 0.0), 0))
    out["log_avg_basket"] = np.log1p(np.maximum(_num(frame, "avg_basket_eur", 0.0), 0))
    out["log_avg_basket_units"] = np.log1p(np.maximum(_num(frame, "avg_basket_units", 0.0), 0))
    out["promo_spend_share"] = np.clip(_num(frame, "promo_spend_share", 0.0), 0, 1)
    out["log_offers_used"] = np.log1p(np.maximum(_num(frame, "offers_used_365d", 0.0), 0))
    out["price_index"] = np.clip(_num(frame, "price_index", 1.0), 0, 5)
    out["log_interpurchase_days"] = np.log1p(np.clip(_num(frame, "mean_interpurchase_days", cap), 0, cap))
    mean_gap = _num(frame, "mean_interpurchase_days", 0.0)
    sd_gap = _num(frame, "sd_interpurchase_days", 0.0)
    out["cv_interpurchase"] = np.clip(np.divide(sd_gap, mean_gap, out=np.zeros_like(sd_gap), where=mean_gap > 0), 0, 5)
    out["log_categories"] = np.log1p(np.maximum(_num(frame, "categories_365d", 0.0), 0))
    for fmt in STORE_FORMATS:
        out[f"{fmt}_spend_share"] = np.clip(_num(frame, f"{fmt}_spend_share", 0.0), 0, 1)
    out["log_brand_spend"] = np.log1p(np.maximum(_num(frame, "brand_spend_365d_eur", 0.0), 0))
    out["log_brand_baskets"] = np.log1p(np.maximum(_num(frame, "brand_baskets_365d", 0.0), 0))
    out["log_brand_days_since"] = np.log1p(
        np.minimum(_num(frame, "brand_days_since_last_purchase", cap + 1), cap + 1)
    )
    out["brand_share_of_wallet"] = np.clip(_num(frame, "brand_share_of_wallet", 0.0), 0, 1)
    out["category_share_of_wallet"] = np.clip(_num(frame, "category_share_of_wallet", 0.0), 0, 1)
    out["brand_share_of_category"] = np.clip(_num(frame, "brand_share_of_category", 0.0), 0, 1)
    out["brand_promo_share"] = np.clip(_num(frame, "brand_promo_share", 0.0), 0, 1)
    status = (
        frame["brand_status"].fillna("never").astype(str).to_numpy()
        if "brand_status" in frame.columns
        else np.full(len(frame), "never")
    )
    for name in BRAND_STATUSES:
        out[f"status_{name}"] = (status == name).astype(float)
    columns = PROPENSITY_COLUMNS
    if with_campaign:
        is_pct = (frame["offer_type"].astype(str).to_numpy() == "pct_off") if "offer_type" in frame else np.zeros(len(frame), bool)
        value = _num(frame, "offer_value", 0.0)
        out["offer_pct"] = np.where(is_pct, value, 0.0)
        out["offer_cash"] = np.where(is_pct, 0.0, value)
        out["campaign_days"] = _num(frame, "campaign_days", 0.0)
        out["has_category_scope"] = _num(frame, "has_category_scope", 0.0)
        recent_spend = np.maximum(_num(frame, "scope_spend_recent_eur", 0.0), 0)
        out["log_scope_spend_recent"] = np.log1p(recent_spend)
        # discount the offer would give on the in-scope purchases of the last 56 days, scaled to the campaign
        recent_lines = np.maximum(_num(frame, "brand_lines_recent", 0.0), 0)
        out["offer_cost_baseline"] = (
            out["offer_pct"] / 100.0 * recent_spend + out["offer_cash"] * recent_lines
        ) * out["campaign_days"] / 56.0
        columns = UPLIFT_COLUMNS
    return pd.DataFrame({c: out[c] for c in columns}, index=frame.index)


def key_sample(keys: pd.Series, max_rows: int, salt: str = "") -> np.ndarray:
    """Deterministic boolean mask keeping about ``max_rows`` rows, chosen by a hash of the key.

    Independent of row order and of the machine: the same keys are kept by every run.
    """
    n = len(keys)
    if n <= max_rows:
        return np.ones(n, dtype=bool)
    hashed = pd.util.hash_pandas_object(keys.astype(str) + salt, index=False).to_numpy()
    threshold = np.quantile(hashed.astype(np.float64), max_rows / n)
    return hashed.astype(np.float64) <= threshold
