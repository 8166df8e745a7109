"""campaign_results against the generator's planted truth (the `make ci-build` warehouse).

Reads PROMO_CI_DIR/warehouse.duckdb (marts.campaign_results) and
PROMO_CI_DIR/truth/campaign_effects.parquet. Arm sizes, per-arm means of the
outcome and contaminated redemptions are deterministic functions of the
landing zone: they must match exactly (up to float rounding of the means).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

CI_DIR = os.environ.get("PROMO_CI_DIR")

pytestmark = pytest.mark.skipif(
    not CI_DIR, reason="PROMO_CI_DIR is unset: run `make ci-build` then `make pytest` to compare with the truth"
)

KEY = ["campaign_id", "retailer"]


@pytest.fixture(scope="module")
def compared() -> pd.DataFrame:
    root = Path(CI_DIR or "")
    warehouse, truth = root / "warehouse.duckdb", root / "truth" / "campaign_effects.parquet"
    assert warehouse.exists(), f"{warehouse} missing: run `make ci-build` first"
    assert truth.exists(), f"{truth} missing: run `make ci-build` first"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results where retailer <> 'ALL'").df()
    expected = pd.read_parquet(truth)
    assert not expected.empty, "the truth holds no past campaign: nothing would be checked"
    merged = expected.merge(results, on=KEY, how="outer", suffixes=("_truth", ""), indicator=True)
    return merged


def test_same_campaign_retailer_rows(compared: pd.DataFrame) -> None:
    missing = compared.loc[compared["_merge"] != "both", [*KEY, "_merge"]]
    assert missing.empty, f"rows only on one side:\n{missing}"


def test_arm_sizes_exact(compared: pd.DataFrame) -> None:
    both = compared[compared["_merge"] == "both"]
    for side in ("n_treatment", "n_control"):
        diff = both.loc[both[f"{side}_truth"] != both[side], [*KEY, f"{side}_truth", side]]
        assert diff.empty, f"{side} differs:\n{diff}"


@pytest.mark.parametrize(
    ("truth_column", "column"),
    [("mean_outcome_treatment", "mean_sales_treatment"), ("mean_outcome_control", "mean_sales_control")],
)
def test_arm_means_exact(compared: pd.DataFrame, truth_column: str, column: str) -> None:
    both = compared[compared["_merge"] == "both"]
    for row in both.to_dict("records"):
        assert row[column] == pytest.approx(float(row[truth_column]), rel=1e-9, abs=1e-9), (
            f"{row['campaign_id']} {row['retailer']}: {column} {row[column]} != truth {row[truth_column]}"
        )


def test_contaminated_redemptions_exact(compared: pd.DataFrame) -> None:
    both = compared[compared["_merge"] == "both"]
    truth = both["contaminated_redemptions_truth"].astype("int64")
    diff = both.loc[truth != both["contaminated_redemptions"], [*KEY, "contaminated_redemptions_truth", "contaminated_redemptions"]]
    assert diff.empty, f"contaminated_redemptions differs:\n{diff}"


def test_all_row_sums_the_retailers() -> None:
    root = Path(CI_DIR or "")
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results").df()
    pooled = results[results["retailer"] == "ALL"].set_index("campaign_id")
    parts = results[results["retailer"] != "ALL"].groupby("campaign_id")
    assert set(pooled.index) == set(parts.groups)
    sums = parts[["n_treatment", "n_control", "redemptions", "contaminated_redemptions"]].sum()
    pd.testing.assert_frame_equal(pooled[sums.columns].sort_index(), sums.sort_index(), check_dtype=False)
