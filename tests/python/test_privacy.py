"""Privacy: erasure everywhere, pseudonymised keys (PROMO_KEY_SALT), raw refs never outside staging.

Reads the CI build (`make ci-build`: $PROMO_CI_DIR/warehouse.duckdb built from $PROMO_CI_DIR/raw)
read-only; what must be written (exports, a published snapshot, a salted build) goes to tmp_path.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dbt_process import dbt_environment

REPO = Path(__file__).resolve().parents[2]
DBT = REPO / ".venv" / "bin" / "dbt"
CI_DIR = Path(os.environ.get("PROMO_CI_DIR", REPO / "build" / "ci"))
CI_DIR = CI_DIR if CI_DIR.is_absolute() else REPO / CI_DIR
WAREHOUSE = CI_DIR / "warehouse.duckdb"
RAW = CI_DIR / "raw"
# Intermediate tables allowed to hold erased shoppers' keys: the erasure list itself, the record ledger (every raw
# record with its outcome, `erased_shopper` included) and the copy of the erasure list the ledger was computed
# against (macros/core/applied_erasures.sql, rewritten every run), none published nor used for training.
ERASURE_LEDGERS = {
    "int_core__erased_shoppers", "int_core__sales_records", "int_core__record_outcomes",
    "int_core__sales_records__erased_shoppers",
}

pytestmark = pytest.mark.skipif(not WAREHOUSE.exists(), reason="needs the CI build (make ci-build)")


def contract_key(retailer: str, ref: str, salt: str = "") -> str:
    return hashlib.md5(f"{salt}{retailer}:{ref}".encode()).hexdigest()


def normalised_ref(retailer: str, ref: str) -> str:
    ref = str(ref).strip()
    if retailer == "ALPHA" and ref.isdigit():
        return ref.zfill(13)
    if retailer == "GAMMA":
        try:
            return str(int(float(ref)))
        except ValueError:
            return ref
    return ref


def erased_keys() -> set[str]:
    requests = pd.read_csv(RAW / "privacy" / "erasure_requests.csv", dtype=str)
    return {contract_key(r.retailer.strip().upper(), normalised_ref(r.retailer.strip().upper(), r.customer_ref))
            for r in requests.itertuples()}


def raw_refs() -> dict[str, set[str]]:
    """Every raw shopper identifier of the landing zone, by kind."""
    cards: set[str] = set()
    for path in sorted((RAW / "alpha" / "receipts").glob("*.csv")):
        frame = pd.read_csv(path, sep=";", dtype=str, usecols=["carte_fidelite"], on_bad_lines="skip")
        cards |= {c.strip() for c in frame["carte_fidelite"].dropna() if c.strip()}
    customers: set[str] = set()
    emails: set[str] = set()
    for path in sorted((RAW / "beta" / "orders").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                customer = json.loads(line).get("customer")
            except (ValueError, AttributeError):
                continue
            if isinstance(customer, dict):
                customers.add(str(customer.get("id", "")).strip())
                emails.add(str(customer.get("email_sha256", "")).strip())
    members: set[str] = set()
    for path in sorted((RAW / "gamma" / "transactions").glob("date=*/*.parquet")):
        column = pq.read_table(path, columns=["member_id"]).column("member_id").drop_null()
        members |= {str(m) for m in column.to_pylist()}
    return {"card": cards - {""}, "customer_id": customers - {""}, "member_id": members - {""},
            "email_sha256": emails - {""}}


def shopper_columns(con: duckdb.DuckDBPyConnection, catalog: str, schemas: tuple[str, ...]) -> list[tuple[str, ...]]:
    """(schema, table, column, type) of every column that could hold a shopper identifier."""
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        f"""
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ? and table_schema in ({placeholders})
            and (data_type like 'VARCHAR%' or data_type = 'VARCHAR[]' or data_type in ('BIGINT', 'HUGEINT'))
        order by all
        """,
        [catalog, *schemas],
    ).fetchall()


def scan(database: Path, schemas: tuple[str, ...], needles: set[str], skip: frozenset[str] = frozenset()) -> list[str]:
    """`schema.table.column` of every text, text-list or bigint column holding one of `needles`."""
    hits = []
    with duckdb.connect() as con:
        con.execute(f"attach '{database}' as w (read_only)")
        con.execute("create temp table needles as select unnest(?::varchar[]) as needle", [sorted(needles)])
        for schema, table, column, data_type in shopper_columns(con, "w", schemas):
            if table in skip:
                continue
            values = (f'(select unnest("{column}") as v from w."{schema}"."{table}")' if data_type.endswith("[]")
                      else f'(select "{column}" as v from w."{schema}"."{table}")')
            found = con.execute(
                f"select count(*) from {values} as t where cast(v as varchar) in (select needle from needles)"
            ).fetchone()[0]
            if found:
                hits.append(f"{schema}.{table}.{column} ({found} rows)")
    return hits


def test_the_ci_landing_zone_has_erased_shoppers_who_bought() -> None:
    keys = erased_keys()
    assert len(keys) >= 3
    with duckdb.connect(str(WAREHOUSE), read_only=True) as con:
        excluded = con.execute("select coalesce(sum(rows), 0) from marts.dq_exclusions where reason = 'erased_shopper'").fetchone()[0]
    assert excluded > 0, "the scan below would prove nothing"


def test_no_published_table_holds_an_erased_shopper() -> None:
    assert scan(WAREHOUSE, ("marts",), erased_keys()) == []


def test_no_feature_or_training_table_holds_an_erased_shopper() -> None:
    with duckdb.connect(str(WAREHOUSE), read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'intermediate'").fetchall()}
    assert {"int_shopper_features", "int_shopper_brand_features", "int_shopper_brand_targets"} <= tables
    keys = erased_keys()
    assert scan(WAREHOUSE, ("intermediate",), keys, skip=frozenset(ERASURE_LEDGERS)) == []
    # positive control: the scan does see the keys where they legitimately are (the record ledger)
    assert any(hit.startswith("intermediate.int_core__sales_records.shopper_key") for hit in
               scan(WAREHOUSE, ("intermediate",), keys))


def test_no_export_file_and_no_published_snapshot_holds_an_erased_shopper(tmp_path: Path) -> None:
    from promo_factory.export import export_offers
    from promo_factory.publish import publish_snapshot

    keys = erased_keys()
    written = export_offers(WAREHOUSE, tmp_path / "exports")
    assert any(p.suffix == ".parquet" for p in written)
    for path in written:
        if path.suffix == ".parquet":
            frame = pq.read_table(path).to_pandas()
            assert not frame.isin(list(keys)).any().any(), path.name
        else:
            text = path.read_text(encoding="utf-8")
            assert not any(key in text for key in keys), path.name
    published = tmp_path / "published.duckdb"
    publish_snapshot(WAREHOUSE, published)
    assert scan(published, ("marts",), keys) == []


def test_raw_refs_never_leave_staging() -> None:
    refs = raw_refs()
    assert all(len(values) > 5 for values in refs.values()), {k: len(v) for k, v in refs.items()}
    needles = set().union(*refs.values())
    with duckdb.connect(str(WAREHOUSE), read_only=True) as con:
        schemas = tuple(s for (s,) in con.execute("select distinct table_schema from information_schema.tables "
                                              "where table_schema <> 'staging'").fetchall())
    assert "marts" in schemas and "intermediate" in schemas
    assert scan(WAREHOUSE, schemas, needles) == []


@pytest.mark.e2e
@pytest.mark.skipif(not DBT.exists(), reason="needs the project's .venv")
def test_salted_keys_hide_the_contract_md5_and_keep_the_join_structure(tmp_path: Path) -> None:
    salt = "s3cr3t-pepper"
    env = dbt_environment(tmp_path, tmp_path / "warehouse.duckdb", RAW, key_salt=salt)
    result = subprocess.run(
        [str(DBT), "run", "--select", "+fct_sales_lines", "+fct_campaign_assignments", "+dim_shoppers", "--quiet"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-3000:]
    key = ["retailer", "transaction_id", "line_number"]
    with duckdb.connect(str(WAREHOUSE), read_only=True) as con:
        plain = con.execute("select retailer, transaction_id, line_number, shopper_key from marts.fct_sales_lines").df()
        plain_assign = con.execute("select campaign_id, retailer, arm, shopper_key from marts.fct_campaign_assignments").df()
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        salted = con.execute("select retailer, transaction_id, line_number, shopper_key from marts.fct_sales_lines").df()
        salted_assign = con.execute("select campaign_id, retailer, arm, shopper_key from marts.fct_campaign_assignments").df()
        salted_keys = {k for (k,) in con.execute(
            "select shopper_key from marts.dim_shoppers union select shopper_key from marts.fct_campaign_assignments"
        ).fetchall()}

    unsalted = {contract_key(r, normalised_ref(r, ref)) for kind, r in
                (("card", "ALPHA"), ("customer_id", "BETA"), ("member_id", "GAMMA")) for ref in raw_refs()[kind]}
    assert salted_keys and not (salted_keys & unsalted), "a salted key equals the contract's md5"
    assert not (salted_keys & set(plain["shopper_key"].dropna()))

    pairs = plain.merge(salted, on=key, suffixes=("_plain", "_salted"), how="outer", indicator=True)
    assert (pairs["_merge"] == "both").all()
    assert (pairs["shopper_key_plain"].isna() == pairs["shopper_key_salted"].isna()).all()
    known = pairs.dropna(subset=["shopper_key_plain"])
    mapping = known.groupby("shopper_key_plain")["shopper_key_salted"].nunique()
    inverse = known.groupby("shopper_key_salted")["shopper_key_plain"].nunique()
    assert (mapping == 1).all() and (inverse == 1).all(), "salting must be a bijection on shoppers"
    translate = dict(zip(known["shopper_key_plain"], known["shopper_key_salted"]))
    plain_assign = plain_assign.assign(shopper_key=plain_assign["shopper_key"].map(translate))
    assigned = plain_assign.dropna(subset=["shopper_key"]).sort_values(["campaign_id", "shopper_key"])
    salted_sub = salted_assign[salted_assign["shopper_key"].isin(set(assigned["shopper_key"]))]
    pd.testing.assert_frame_equal(assigned.reset_index(drop=True),
                                  salted_sub.sort_values(["campaign_id", "shopper_key"]).reset_index(drop=True))
