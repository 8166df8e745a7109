"""The sample landing-zone generator, checked against the contract by re-reading its files independently."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from promo_factory import gtin
from promo_factory.generator import effects, generate_landing_zone

TINY = {"seed": 11, "shoppers": 60, "days": 21, "start_date": date(2025, 10, 20)}
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("tiny")
    manifest = generate_landing_zone(root / "raw", root / "truth", clean=True, progress=False, **TINY)
    return root / "raw", root / "truth", manifest


@pytest.fixture(scope="module")
def raw(run: tuple[Path, Path, dict]) -> Path:
    return run[0]


@pytest.fixture(scope="module")
def truth(run: tuple[Path, Path, dict]) -> Path:
    return run[1]


@pytest.fixture(scope="module")
def sales(truth: Path) -> pd.DataFrame:
    return pd.read_parquet(truth / "sales_lines.parquet")


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _alpha_rows(raw: Path) -> pd.DataFrame:
    frames = []
    for path in sorted((raw / "alpha" / "receipts").glob("*.csv")):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        frame["source_file"] = f"alpha/receipts/{path.name}"
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _beta_lines(raw: Path) -> list[tuple[str, int, str]]:
    out = []
    for path in sorted((raw / "beta" / "orders").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            out.append((f"beta/orders/{path.name}", number, line))
    return out


def test_same_seed_gives_identical_bytes(run: tuple[Path, Path, dict], tmp_path: Path) -> None:
    raw, truth, _ = run
    generate_landing_zone(tmp_path / "raw", tmp_path / "truth", clean=True, progress=False, **TINY)
    assert _digest(tmp_path / "raw") == _digest(raw)
    assert _digest(tmp_path / "truth") == _digest(truth)


def test_other_seed_gives_other_data(raw: Path, tmp_path: Path) -> None:
    generate_landing_zone(tmp_path / "raw", None, clean=True, progress=False, **{**TINY, "seed": 12})
    assert _digest(tmp_path / "raw") != _digest(raw)


def test_truth_inside_landing_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_landing_zone(tmp_path / "raw", tmp_path / "raw" / "truth", **TINY)


CSV_HEADERS = {
    "catalog/products.csv": ["gtin", "product_name", "brand", "manufacturer", "category_l1", "category_l2",
                             "category_l3", "pack_size", "updated_at"],
    "stores/stores.csv": ["store_code", "retailer", "store_name", "format", "latitude", "longitude", "postal_code",
                          "city", "opened_on"],
    "campaigns/campaigns.csv": ["campaign_id", "brand", "category_l2", "offer_type", "offer_value", "start_date",
                                "end_date", "retailers", "budget_eur", "cost_per_offer_eur", "holdout_share"],
    "campaigns/assignments.csv": ["campaign_id", "retailer", "customer_ref", "arm", "assigned_at"],
    "campaigns/redemptions.csv": ["campaign_id", "retailer", "customer_ref", "redeemed_at", "transaction_ref",
                                  "discount_eur"],
    "privacy/erasure_requests.csv": ["retailer", "customer_ref", "requested_at"],
    "gamma/sku_map.csv": ["sku", "gtin"],
}
GAMMA_SCHEMA = [("txn_id", "string"), ("line_no", "int32"), ("shop_id", "int32"), ("ts_utc", "timestamp"),
                ("member_id", "int64"), ("sku", "string"), ("quantity", "double"), ("amount_cents", "int64"),
                ("discount_cents", "int64"), ("promo_ref", "string")]


@pytest.mark.parametrize("relative", sorted(CSV_HEADERS))
def test_reference_files_have_the_contract_columns(raw: Path, relative: str) -> None:
    frame = duckdb.sql(f"select * from read_csv('{raw / relative}', all_varchar = true)").df()
    assert list(frame.columns) == CSV_HEADERS[relative]
    assert len(frame) > 0


def test_every_partner_file_kind_is_present(raw: Path) -> None:
    alpha = _alpha_rows(raw)
    assert list(alpha.columns[:-1]) == ["ticket_id", "ligne", "store_code", "date_heure", "carte_fidelite", "ean",
                                        "libelle", "qte", "poids_kg", "prix_unitaire", "remise", "code_promo"]
    first = json.loads(_beta_lines(raw)[0][2])
    assert set(first) == {"order_id", "placed_at", "status", "channel", "store_code", "customer", "items"}
    parts = sorted((raw / "gamma" / "transactions").glob("date=*/*.parquet"))
    assert parts
    for path in parts:
        schema = pq.read_schema(path)
        assert [(f.name, str(f.type).split("[")[0]) for f in schema] == GAMMA_SCHEMA, path


def test_alpha_uses_semicolons_decimal_commas_and_both_line_endings(raw: Path, run: tuple[Path, Path, dict]) -> None:
    files = sorted((raw / "alpha" / "receipts").glob("*.csv"))
    endings = {b"\r\n" in p.read_bytes() for p in files}
    assert endings == {True, False}
    alpha = _alpha_rows(raw)
    assert alpha["prix_unitaire"].str.fullmatch(r"\d+,\d\d").mean() > 0.95
    assert not alpha["prix_unitaire"].str.contains(r"\.").any()
    assert alpha["date_heure"].str.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d").mean() > 0.95
    cards = alpha.loc[alpha["carte_fidelite"] != "", "carte_fidelite"]
    assert cards.str.fullmatch(r"\d{13}").all() and cards.str.startswith("0").any()
    assert (alpha["ean"].str.len() < 13).any()  # leading zeros lost
    assert (alpha["poids_kg"].str.fullmatch(r"-?\d+,\d{3}")).any()
    manifest = run[2]
    assert not (raw / "alpha" / "receipts" / f"{manifest['missing_alpha_file_date']}.csv").exists()
    empty = raw / "alpha" / "receipts" / f"{manifest['header_only_alpha_file_date']}.csv"
    assert len(empty.read_text().splitlines()) == 1


def test_alpha_amounts_follow_the_contract_formula(raw: Path, sales: pd.DataFrame) -> None:
    alpha = _alpha_rows(raw).drop_duplicates(["ticket_id", "ligne"])
    expected = sales[sales["retailer"] == "ALPHA"].copy()
    expected["ligne"] = expected["line_number"].astype(str)
    merged = expected.merge(alpha, left_on=["transaction_id", "ligne"], right_on=["ticket_id", "ligne"], how="left")
    assert merged["ticket_id"].notna().all()

    def dec(text: str) -> Decimal:
        return Decimal(text.replace(",", ".")) if text else Decimal(0)

    for row in merged.itertuples():
        quantity = dec(row.poids_kg) if row.poids_kg else Decimal(row.qte)
        net = quantity * dec(row.prix_unitaire) - dec(row.remise)
        assert net == row.net_amount_eur, row
        assert dec(row.remise) == row.discount_eur
        assert int(row.qte) == row.units
        assert gtin.normalise(row.ean) == row.gtin
        local = pd.Timestamp(pd.to_datetime(row.date_heure, format="%d/%m/%Y %H:%M:%S")).tz_localize(PARIS)
        assert local.tz_convert("UTC").tz_localize(None) == row.sold_at_utc
        assert local.date() == row.business_date


def test_gamma_folder_is_utc_date_and_business_date_is_paris(raw: Path, sales: pd.DataFrame) -> None:
    rows, zones = [], set()
    for path in sorted((raw / "gamma" / "transactions").glob("date=*/*.parquet")):
        table = pq.read_table(path)
        zones.add(table.schema.field("ts_utc").type.tz)
        frame = table.to_pandas()
        stamps = pd.to_datetime(frame["ts_utc"])
        frame["ts"] = stamps.dt.tz_convert("UTC").dt.tz_localize(None) if stamps.dt.tz is not None else stamps
        frame["folder"] = path.parent.name.removeprefix("date=")
        rows.append(frame)
    gamma = pd.concat(rows, ignore_index=True)
    assert zones == {None, "UTC"}
    assert (gamma["ts"].dt.strftime("%Y-%m-%d") == gamma["folder"]).all()
    assert gamma.groupby("folder")["ts"].size().size <= gamma["folder"].nunique()
    truth = sales[sales["retailer"] == "GAMMA"].merge(
        gamma, left_on=["transaction_id", "line_number"], right_on=["txn_id", "line_no"], how="left")
    assert truth["folder"].notna().all()
    paris = truth["ts"].dt.tz_localize("UTC").dt.tz_convert(PARIS).dt.date
    assert (paris == truth["business_date"]).all()
    assert (truth["folder"] != truth["business_date"].astype(str)).any(), "no basket crosses midnight UTC/Paris"
    assert (truth["amount_cents"] == (truth["net_amount_eur"] * 100).astype(int)).all()


def test_beta_gtins_are_gtin14_and_prices_strings(raw: Path) -> None:
    for _, _, line in _beta_lines(raw):
        try:
            order = json.loads(line)
        except json.JSONDecodeError:
            continue
        for item in order["items"]:
            assert isinstance(item["unit_price"], str)
            assert len(item["gtin"]) == 14 and item["gtin"].startswith("0")


def test_reconciliation_balances_and_counts_every_record(raw: Path, truth: Path) -> None:
    recon = pd.read_parquet(truth / "reconciliation.parquet").set_index("source")
    assert set(recon.index) == {"alpha_receipts", "beta_orders", "gamma_transactions", "catalog_products"}
    assert (recon["rows_read"] == recon["rows_loaded"] + recon["rows_excluded"] + recon["rows_quarantined"]).all()
    beta_records = 0
    for _, _, line in _beta_lines(raw):
        try:
            beta_records += len(json.loads(line)["items"])
        except json.JSONDecodeError:
            beta_records += 1
    gamma_rows = sum(pq.read_metadata(p).num_rows for p in (raw / "gamma" / "transactions").glob("date=*/*.parquet"))
    catalog_rows = len(pd.read_csv(raw / "catalog" / "products.csv", dtype=str))
    assert recon.loc["alpha_receipts", "rows_read"] == len(_alpha_rows(raw))
    assert recon.loc["beta_orders", "rows_read"] == beta_records
    assert recon.loc["gamma_transactions", "rows_read"] == gamma_rows
    assert recon.loc["catalog_products", "rows_read"] == catalog_rows
    exclusions = pd.read_parquet(truth / "exclusions.parquet").groupby("source")["rows"].sum()
    assert (exclusions.reindex(recon.index, fill_value=0) == recon["rows_excluded"]).all()


def test_loaded_rows_are_the_truth_sales_lines(truth: Path, sales: pd.DataFrame) -> None:
    recon = pd.read_parquet(truth / "reconciliation.parquet").set_index("source")
    counts = sales["retailer"].value_counts()
    assert recon.loc["alpha_receipts", "rows_loaded"] == counts["ALPHA"]
    assert recon.loc["beta_orders", "rows_loaded"] == counts["BETA"]
    assert recon.loc["gamma_transactions", "rows_loaded"] == counts["GAMMA"]
    assert not sales.duplicated(["retailer", "transaction_id", "line_number"]).any()


EXPECTED_QUARANTINE = {
    ("alpha_receipts", reason) for reason in
    ("invalid_gtin", "invalid_quantity", "invalid_timestamp", "invalid_amount", "unknown_store", "unknown_product")
} | {
    ("beta_orders", "malformed_json"), ("beta_orders", "invalid_gtin"), ("beta_orders", "invalid_quantity"),
    ("gamma_transactions", "unknown_sku"), ("gamma_transactions", "invalid_quantity"),
    ("catalog_products", "invalid_gtin"),
}
EXPECTED_EXCLUSIONS = {
    ("alpha_receipts", "duplicate_record"), ("gamma_transactions", "duplicate_record"),
    ("alpha_receipts", "erased_shopper"), ("beta_orders", "superseded_version"),
    ("beta_orders", "order_not_delivered"), ("catalog_products", "superseded_version"),
}


def test_every_planted_defect_kind_is_in_the_truth(truth: Path, run: tuple[Path, Path, dict]) -> None:
    quarantine = pd.read_parquet(truth / "quarantine.parquet")
    assert EXPECTED_QUARANTINE <= set(zip(quarantine["source"], quarantine["reason"]))
    exclusions = pd.read_parquet(truth / "exclusions.parquet")
    assert EXPECTED_EXCLUSIONS <= set(zip(exclusions["source"], exclusions["reason"]))
    planted = run[2]["planted_defects"]
    for source, reason in EXPECTED_QUARANTINE:
        assert (quarantine[(quarantine["source"] == source) & (quarantine["reason"] == reason)].shape[0]
                == planted[source][reason]), (source, reason)


def test_quarantined_records_exist_where_the_truth_says(raw: Path, truth: Path) -> None:
    quarantine = pd.read_parquet(truth / "quarantine.parquet")
    alpha = _alpha_rows(raw)
    alpha_refs = set(zip(alpha["source_file"], alpha["ticket_id"] + "/" + alpha["ligne"]))
    beta_lines = {(f, n): line for f, n, line in _beta_lines(raw)}
    for row in quarantine.itertuples():
        if row.source == "alpha_receipts":
            assert (row.source_file, row.record_ref) in alpha_refs
        elif row.source == "beta_orders" and row.reason == "malformed_json":
            number = int(row.record_ref.removeprefix("line "))
            with pytest.raises(json.JSONDecodeError):
                json.loads(beta_lines[(row.source_file, number)])
        elif row.source == "gamma_transactions":
            frame = pd.read_parquet(raw / row.source_file)
            assert row.record_ref in set(frame["txn_id"] + "/" + frame["line_no"].astype(str))
        elif row.source == "catalog_products":
            assert row.source_file == "catalog/products.csv"
            assert not gtin.is_valid(row.record_ref)


def test_no_erased_shopper_and_no_undelivered_order_in_sales(raw: Path, sales: pd.DataFrame) -> None:
    erased = pd.read_csv(raw / "privacy" / "erasure_requests.csv", dtype=str)
    keys = {hashlib.md5(f"{r}:{c.strip()}".encode()).hexdigest() for r, c in zip(erased["retailer"], erased["customer_ref"])}
    assert keys and not keys & set(sales["shopper_key"].dropna())
    latest: dict[str, str] = {}
    for _, _, line in _beta_lines(raw):  # files in date order, later lines win
        try:
            order = json.loads(line)
        except json.JSONDecodeError:
            continue
        latest[order["order_id"]] = order["status"]
    not_sales = {order for order, status in latest.items() if status != "delivered"}
    beta_sales = set(sales.loc[sales["retailer"] == "BETA", "transaction_id"])
    assert not_sales and not not_sales & beta_sales
    assert {s for s in latest.values()} == {"delivered", "cancelled", "returned"}


def test_sales_lines_schema(truth: Path) -> None:
    schema = pq.read_schema(truth / "sales_lines.parquet")
    assert [(f.name, f.type) for f in schema] == [
        ("retailer", pa.string()), ("store_code", pa.string()), ("transaction_id", pa.string()),
        ("line_number", pa.int32()), ("shopper_key", pa.string()), ("gtin", pa.string()),
        ("business_date", pa.date32()), ("sold_at_utc", pa.timestamp("us")), ("units", pa.int32()),
        ("net_amount_eur", pa.decimal128(18, 6)), ("discount_eur", pa.decimal128(18, 6)), ("is_promo", pa.bool_()),
        ("campaign_id", pa.string()),
    ]


def test_products_truth_is_latest_valid_row(raw: Path, truth: Path) -> None:
    catalog = pd.read_csv(raw / "catalog" / "products.csv", dtype=str, keep_default_na=False)
    catalog["gtin14"] = catalog["gtin"].map(gtin.normalise)
    catalog["position"] = np.arange(len(catalog))
    valid = catalog.dropna(subset=["gtin14"]).sort_values(["gtin14", "updated_at", "position"])
    latest = valid.groupby("gtin14").tail(1).set_index("gtin14")
    products = pd.read_parquet(truth / "products.parquet").set_index("gtin")
    assert set(products.index) == set(latest.index)
    assert (products["product_name"] == latest.loc[products.index, "product_name"]).all()
    normalised = latest["brand"].str.replace(r"\s+", " ", regex=True).str.strip().str.upper()
    assert (products["brand"] == normalised.loc[products.index]).all()
    assert catalog["brand"].nunique() > products["brand"].nunique()  # brands written several ways
    lengths = set(catalog["gtin"].str.len())
    assert {8, 12, 13, 14} <= lengths


def test_campaign_truth_matches_the_campaign_files(raw: Path, truth: Path, run: tuple[Path, Path, dict]) -> None:
    campaigns = pd.read_csv(raw / "campaigns" / "campaigns.csv", dtype=str, keep_default_na=False)
    last = run[2]["last_business_date"]
    past = campaigns[campaigns["start_date"] <= last]
    planned = campaigns[campaigns["start_date"] > last]
    assert len(past) >= 1 and len(planned) >= 1
    effects_truth = pd.read_parquet(truth / "campaign_effects.parquet")
    pairs = {(c, r) for c, rs in zip(past["campaign_id"], past["retailers"]) for r in rs.split("|")}
    assert set(zip(effects_truth["campaign_id"], effects_truth["retailer"])) == pairs
    erased = pd.read_csv(raw / "privacy" / "erasure_requests.csv", dtype=str)
    erased_refs = set(zip(erased["retailer"], erased["customer_ref"]))
    assignments = pd.read_csv(raw / "campaigns" / "assignments.csv", dtype=str)
    kept = assignments[[(r, c) not in erased_refs for r, c in zip(assignments["retailer"], assignments["customer_ref"])]]
    sizes = kept.groupby(["campaign_id", "retailer", "arm"]).size().unstack(fill_value=0)
    for row in effects_truth.itertuples():
        got = sizes.loc[(row.campaign_id, row.retailer)] if (row.campaign_id, row.retailer) in sizes.index else None
        assert row.n_treatment == (0 if got is None else got.get("treatment", 0))
        assert row.n_control == (0 if got is None else got.get("control", 0))
    redemptions = pd.read_csv(raw / "campaigns" / "redemptions.csv", dtype=str)
    assert redemptions["campaign_id"].isin(past["campaign_id"]).all()
    assert assignments["customer_ref"][assignments["retailer"] == "ALPHA"].str.fullmatch(r"\d{13}").all()
    uplift = pd.read_parquet(truth / "planned_uplift.parquet")
    assert set(uplift["campaign_id"]) <= set(planned["campaign_id"])
    assert not uplift.duplicated(["campaign_id", "shopper_key"]).any()
    assert np.isfinite(uplift["true_expected_incremental_sales_eur"]).all()


def test_redelivered_originals_are_in_the_truth_only(raw: Path, truth: Path, run: tuple[Path, Path, dict]) -> None:
    redelivered = run[2]["redelivered_files"]
    assert any(p.startswith("alpha/") for p in redelivered) and any(p.startswith("beta/") for p in redelivered)
    for relative in redelivered:
        original = (truth / "redelivered" / relative).read_bytes()
        assert (raw / relative).exists() and original != (raw / relative).read_bytes()


def test_broken_randomisation_is_recorded(tmp_path: Path) -> None:
    manifest = generate_landing_zone(tmp_path / "raw", tmp_path / "truth", broken_randomisation=True, **TINY)
    broken = manifest["broken_randomisation_campaign"]
    assert broken is not None
    effects_truth = pd.read_parquet(tmp_path / "truth" / "campaign_effects.parquet")
    assert set(effects_truth.loc[effects_truth["is_broken_randomisation"], "campaign_id"]) == {broken}


# --- the causal model, on hand-computed cases -------------------------------------------------------------------


def test_brand_status_on_hand_cases() -> None:
    status = effects.brand_status(np.array([0, 0, 0, 2, 5]), np.array([0, 0, 3, 0, 1]), np.array([0, 4, 4, 4, 9]))
    assert status.tolist() == [effects.NEVER_IN_CATEGORY, effects.CATEGORY_BUYER, effects.LAPSED, effects.OCCASIONAL,
                               effects.LOYAL_HEAVY]


def test_lapsed_buyers_respond_more_than_loyal_heavy_buyers() -> None:
    rate = effects.extra_purchase_rate(np.array([effects.LAPSED, effects.LOYAL_HEAVY]), np.array([0.2, 0.2]),
                                       np.array([0.1, 0.1]))
    assert rate[0] > 3 * rate[1]
    more_promo = effects.extra_purchase_rate(np.array([effects.LAPSED]), np.array([0.5]), np.array([0.1]))
    assert more_promo[0] > rate[0]


def test_offer_discount_and_expected_effect_by_hand() -> None:
    assert effects.offer_discount_cents(np.array([349]), np.array([2]), "pct_off", 20).tolist() == [140]
    assert effects.offer_discount_cents(np.array([349]), np.array([-2]), "cash_off", 0.5).tolist() == [100]
    # 0.1 extra/day x 10 days x 300 c - 20 % of 1000 c + 0.1 x 0.25 x 1000 c = 300 - 200 + 25
    value = effects.expected_incremental_cents(np.array([0.1]), 10, 300.0, np.array([4.0]), np.array([1000.0]),
                                               np.array([0.1]), 0.25, "pct_off", 20)
    assert value.tolist() == pytest.approx([125.0])
    cash = effects.expected_incremental_cents(np.array([0.0]), 10, 300.0, np.array([4.0]), np.array([1000.0]),
                                              np.array([0.0]), 0.25, "cash_off", 0.5)
    assert cash.tolist() == pytest.approx([-200.0])


def _scope_products(raw: Path, truth: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    campaigns = pd.read_csv(raw / "campaigns" / "campaigns.csv", dtype=str, keep_default_na=False)
    campaigns["brand_norm"] = campaigns["brand"].str.replace(r"\s+", " ", regex=True).str.strip().str.upper()
    return campaigns, pd.read_parquet(truth / "products.parquet")


def test_campaign_arm_means_follow_the_contract_outcome(raw: Path, truth: Path, sales: pd.DataFrame) -> None:
    """Outcome = in-scope net sales of the shopper at the retailer within [start, end], from the truth lines."""
    campaigns, products = _scope_products(raw, truth)
    assignments = pd.read_csv(raw / "campaigns" / "assignments.csv", dtype=str)
    assignments["shopper_key"] = [hashlib.md5(f"{r}:{c}".encode()).hexdigest()
                                  for r, c in zip(assignments["retailer"], assignments["customer_ref"])]
    erased = pd.read_csv(raw / "privacy" / "erasure_requests.csv", dtype=str)
    erased_keys = {hashlib.md5(f"{r}:{c}".encode()).hexdigest() for r, c in zip(erased["retailer"], erased["customer_ref"])}
    effects_truth = pd.read_parquet(truth / "campaign_effects.parquet")
    for row in effects_truth.itertuples():
        campaign = campaigns.set_index("campaign_id").loc[row.campaign_id]
        scope = products["brand"] == campaign["brand_norm"]
        if campaign["category_l2"]:
            scope &= products["category_l2"] == campaign["category_l2"]
        lines = sales[(sales["retailer"] == row.retailer) & sales["gtin"].isin(products.loc[scope, "gtin"])
                      & (sales["business_date"].astype(str) >= campaign["start_date"])
                      & (sales["business_date"].astype(str) <= campaign["end_date"])]
        per_shopper = lines.groupby("shopper_key")["net_amount_eur"].sum().map(float)
        arms = assignments[(assignments["campaign_id"] == row.campaign_id) & (assignments["retailer"] == row.retailer)
                           & ~assignments["shopper_key"].isin(erased_keys)]
        for arm, expected in (("treatment", row.mean_outcome_treatment), ("control", row.mean_outcome_control)):
            keys = arms.loc[arms["arm"] == arm, "shopper_key"]
            if len(keys):
                assert per_shopper.reindex(keys, fill_value=0.0).mean() == pytest.approx(expected, abs=1e-9)


def test_planned_uplift_covers_exactly_the_eligible_shoppers(raw: Path, truth: Path, sales: pd.DataFrame) -> None:
    """Eligible = identified, not erased, a purchase (units > 0) at the retailer in the 365 days before start."""
    campaigns, _ = _scope_products(raw, truth)
    uplift = pd.read_parquet(truth / "planned_uplift.parquet")
    last = sales["business_date"].max().isoformat()
    planned = campaigns[campaigns["start_date"] > last]
    bought = sales[sales["shopper_key"].notna() & (sales["units"] > 0)]
    for campaign in planned.itertuples():
        start = date.fromisoformat(campaign.start_date)
        for retailer in campaign.retailers.split("|"):
            window = bought[(bought["retailer"] == retailer)
                            & (bought["business_date"] >= start - pd.Timedelta(days=365).to_pytimedelta())
                            & (bought["business_date"] < start)]
            expected = set(window["shopper_key"])
            got = set(uplift.loc[(uplift["campaign_id"] == campaign.campaign_id) & (uplift["retailer"] == retailer),
                                 "shopper_key"])
            assert got == expected, (campaign.campaign_id, retailer)


def test_tiny_scale_with_few_tickets_per_day_still_redelivers(tmp_path: Path) -> None:
    """Seed 3 at 60 shoppers x 14 days once failed: the chosen re-delivery day had two tickets only."""
    manifest = generate_landing_zone(
        out=tmp_path / "raw", truth=tmp_path / "truth", seed=3, shoppers=60, days=14,
        start_date=date(2025, 10, 1), clean=True, progress=False,
    )
    for relative in manifest["redelivered_files"]:
        assert (tmp_path / "truth" / "redelivered" / relative).stat().st_size > 0
