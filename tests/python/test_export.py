"""export_offers: one Parquet + one manifest per planned campaign, checksummed and written atomically."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from promo_factory.export import export_dir, export_offers


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    campaigns = pd.DataFrame({
        "campaign_id": ["CMP-1", "CMP-2", "CMP-OLD"],
        "brand": ["A", "B", "A"],
        "start_date": pd.to_datetime(["2026-06-01", "2026-06-10", "2026-01-01"]).date,
        "end_date": pd.to_datetime(["2026-06-15", "2026-06-25", "2026-01-10"]).date,
        "retailers": ["ALPHA", "ALPHA|GAMMA", "ALPHA"],
        "budget_eur": [10.0, 5.0, 100.0],
        "cost_per_offer_eur": [0.5, 1.0, 1.0],
        "holdout_share": [0.2, 0.0, 0.1],
        "campaign_status": ["planned", "planned", "past_or_running"],
    })
    allocations = pd.DataFrame({
        "campaign_id": ["CMP-1"] * 5 + ["CMP-2"] * 2,
        "retailer": ["ALPHA"] * 7,
        "shopper_key": ["k1", "k2", "k3", "k4", "k5", "k1", "k6"],
        "arm": ["treatment", "treatment", "holdout", "treatment", "treatment", "treatment", "treatment"],
        "expected_incremental_sales_eur": [1.0, 2.0, 3.0, 0.5, 0.25, 4.0, 1.5],
        "expected_cost_eur": [0.5, 0.5, 0.0, 0.5, 0.5, 1.0, 1.0],
        "reasons": ["r"] * 7,
        "holdout_seed": [9] * 7,
        "allocation_version": ["v1"] * 7,
    })
    metrics = pd.DataFrame({"model_name": ["uplift_t_hgb", "propensity_logreg"], "model_version": ["u1", "p1"],
                            "metric": ["auuc", "auc"], "value": [0.1, 0.7]})
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        for name, frame in [("dim_campaigns", campaigns), ("offer_allocations", allocations),
                            ("model_metrics", metrics)]:
            con.register("frame", frame)
            con.execute(f"create table marts.{name} as select * from frame")
            con.unregister("frame")
    return path


def test_one_parquet_and_manifest_per_planned_campaign(warehouse: Path, tmp_path: Path):
    out = tmp_path / "exports"
    written = export_offers(warehouse, out)
    assert sorted(p.name for p in written) == [
        "CMP-1.manifest.json", "CMP-1.parquet", "CMP-2.manifest.json", "CMP-2.parquet",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temporary file left
    manifest = json.loads((out / "CMP-1.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256((out / "CMP-1.parquet").read_bytes()).hexdigest()
    assert manifest["counts"] == {"audience": 5, "treatment": 4, "holdout": 1}
    assert manifest["budget_used_eur"] == pytest.approx(2.0)
    assert manifest["expected_incremental_sales_eur"] == pytest.approx(3.75)
    assert manifest["holdout_seed"] == 9
    assert (manifest["start_date"], manifest["end_date"]) == ("2026-06-01", "2026-06-15")
    assert manifest["model_versions"] == {"offer_allocation": ["v1"], "propensity_logreg": ["p1"],
                                          "uplift_t_hgb": ["u1"]}
    rows = pd.read_parquet(out / "CMP-2.parquet")
    assert list(rows["shopper_key"]) == ["k1", "k6"]
    assert "holdout_seed" not in rows.columns


def test_export_is_reproducible_and_replaces_files(warehouse: Path, tmp_path: Path):
    out = tmp_path / "exports"
    export_offers(warehouse, out)
    first = json.loads((out / "CMP-1.manifest.json").read_text())["sha256"]
    (out / "CMP-1.parquet").write_bytes(b"stale")
    export_offers(warehouse, out)
    assert json.loads((out / "CMP-1.manifest.json").read_text())["sha256"] == first
    assert hashlib.sha256((out / "CMP-1.parquet").read_bytes()).hexdigest() == first


def test_missing_allocations_is_an_error(tmp_path: Path):
    path = tmp_path / "empty.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
    with pytest.raises(FileNotFoundError):
        export_offers(path, tmp_path / "exports")


def test_export_dir_follows_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PROMO_EXPORT_DIR", str(tmp_path / "x"))
    assert export_dir() == tmp_path / "x"
    monkeypatch.delenv("PROMO_EXPORT_DIR")
    assert export_dir().parts[-2:] == ("data", "exports")
