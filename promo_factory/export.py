"""Export for the offers API: per planned campaign, a Parquet file of its audience and a JSON manifest.

Files are written atomically (a temporary file in the same folder, then os.replace), so an API
reading the folder never sees a half-written file. The manifest's checksum is the sha256 of the
Parquet file's bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from promo_factory.settings import REPO_ROOT

EXPORT_COLUMNS = [
    "campaign_id", "retailer", "shopper_key", "arm", "expected_incremental_sales_eur", "expected_cost_eur", "reasons",
]


def export_dir() -> Path:
    """PROMO_EXPORT_DIR, default data/exports (relative paths from the repository root)."""
    value = Path(os.environ.get("PROMO_EXPORT_DIR", "data/exports"))
    return value if value.is_absolute() else REPO_ROOT / value


def _safe_name(campaign_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", campaign_id)


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    handle, temp = tempfile.mkstemp(suffix=".parquet")
    os.close(handle)
    try:
        frame.to_parquet(temp, index=False)
        return Path(temp).read_bytes()
    finally:
        Path(temp).unlink(missing_ok=True)


def _table(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame | None:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [name]
    ).fetchone()
    return con.execute(f"select * from marts.{name}").df() if found and found[0] else None


def _model_versions(metrics: pd.DataFrame | None, allocations: pd.DataFrame) -> dict[str, list[str]]:
    versions: dict[str, set[str]] = {}
    if metrics is not None and len(metrics):
        for name, version in metrics[["model_name", "model_version"]].dropna().drop_duplicates().itertuples(index=False):
            versions.setdefault(str(name), set()).add(str(version))
    if "allocation_version" in allocations:
        versions["offer_allocation"] = set(allocations["allocation_version"].dropna().astype(str))
    return {name: sorted(v) for name, v in sorted(versions.items())}


def export_offers(warehouse: Path, out_dir: Path) -> list[Path]:
    """Write <campaign>.parquet and <campaign>.manifest.json for every planned campaign; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        allocations = _table(con, "offer_allocations")
        campaigns = _table(con, "dim_campaigns")
        metrics = _table(con, "model_metrics")
        comparison = _table(con, "offer_targeting_comparison")
    if allocations is None or campaigns is None:
        raise FileNotFoundError(f"{warehouse} has no marts.offer_allocations / marts.dim_campaigns: build first")
    planned = campaigns[campaigns["campaign_status"] == "planned"].sort_values("campaign_id")
    versions = _model_versions(metrics, allocations)
    written: list[Path] = []
    for campaign in planned.itertuples():
        rows = allocations[allocations["campaign_id"] == campaign.campaign_id]
        rows = rows.sort_values(["arm", "shopper_key"], kind="mergesort")[EXPORT_COLUMNS].reset_index(drop=True)
        data = _parquet_bytes(rows)
        treatment = rows[rows["arm"] == "treatment"]
        name = _safe_name(str(campaign.campaign_id))
        parquet_path = out_dir / f"{name}.parquet"
        manifest = {
            "campaign_id": campaign.campaign_id,
            "brand": campaign.brand,
            "start_date": pd.Timestamp(campaign.start_date).date().isoformat(),
            "end_date": pd.Timestamp(campaign.end_date).date().isoformat(),
            "retailers": campaign.retailers,
            "file": parquet_path.name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "counts": {"audience": len(rows), "treatment": len(treatment), "holdout": len(rows) - len(treatment)},
            "budget_eur": float(campaign.budget_eur),
            "budget_used_eur": float(treatment["expected_cost_eur"].sum()),
            "expected_incremental_sales_eur": float(treatment["expected_incremental_sales_eur"].sum()),
            "holdout_share": float(campaign.holdout_share),
            "holdout_seed": (
                int(allocations.loc[allocations["campaign_id"] == campaign.campaign_id, "holdout_seed"].iloc[0])
                if "holdout_seed" in allocations and len(rows) else None
            ),
            "model_versions": versions,
        }
        if comparison is not None:
            mine = comparison[comparison["campaign_id"] == campaign.campaign_id].sort_values("strategy")
            manifest["targeting_comparison"] = [
                {"strategy": r.strategy, "n_offers": int(r.n_offers), "expected_cost_eur": float(r.expected_cost_eur),
                 "expected_incremental_sales_eur": float(r.expected_incremental_sales_eur)}
                for r in mine.itertuples()
            ]
        manifest_path = out_dir / f"{name}.manifest.json"
        # The data first, the manifest (which vouches for it) last.
        _atomic_write(parquet_path, data)
        _atomic_write(manifest_path, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
        written += [parquet_path, manifest_path]
    return written
