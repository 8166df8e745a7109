"""campaign_results against the generator's planted truth (the `make ci-build` warehouse).

Reads PROMO_CI_DIR/warehouse.duckdb (marts.campaign_results) and
PROMO_CI_DIR/truth/campaign_effects.parquet. Arm sizes, per-arm means of the
outcome and contaminated redemptions are deterministic functions of the
landing zone: they must match exactly (up to float rounding of the means).

The potential outcomes behind ``true_itt_effect`` are checked exactly on a
small generated landing zone (no warehouse needed).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import promo_factory.generator as generator
from promo_factory.generator import truth as truth_module

CI_DIR = os.environ.get("PROMO_CI_DIR")

requires_ci = pytest.mark.skipif(
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


@requires_ci
def test_same_campaign_retailer_rows(compared: pd.DataFrame) -> None:
    missing = compared.loc[compared["_merge"] != "both", [*KEY, "_merge"]]
    assert missing.empty, f"rows only on one side:\n{missing}"


@requires_ci
def test_arm_sizes_exact(compared: pd.DataFrame) -> None:
    both = compared[compared["_merge"] == "both"]
    for side in ("n_treatment", "n_control"):
        diff = both.loc[both[f"{side}_truth"] != both[side], [*KEY, f"{side}_truth", side]]
        assert diff.empty, f"{side} differs:\n{diff}"


@requires_ci
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


@requires_ci
def test_contaminated_redemptions_exact(compared: pd.DataFrame) -> None:
    both = compared[compared["_merge"] == "both"]
    truth = both["contaminated_redemptions_truth"].astype("int64")
    diff = both.loc[truth != both["contaminated_redemptions"], [*KEY, "contaminated_redemptions_truth", "contaminated_redemptions"]]
    assert diff.empty, f"contaminated_redemptions differs:\n{diff}"


@requires_ci
def test_all_row_sums_the_retailers() -> None:
    root = Path(CI_DIR or "")
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results").df()
    pooled = results[results["retailer"] == "ALL"].set_index("campaign_id")
    parts = results[results["retailer"] != "ALL"].groupby("campaign_id")
    assert set(pooled.index) == set(parts.groups)
    sums = parts[["n_treatment", "n_control", "redemptions", "contaminated_redemptions"]].sum()
    pd.testing.assert_frame_equal(pooled[sums.columns].sort_index(), sums.sort_index(), check_dtype=False)


@requires_ci
def test_every_welch_interval_has_its_skew_adjusted_interval(compared: pd.DataFrame) -> None:
    rows = compared[np.isfinite(compared["ci_low"].astype(float))]
    assert not rows.empty
    low, high = rows["skew_adjusted_ci_low"].astype(float), rows["skew_adjusted_ci_high"].astype(float)
    estimate = rows["incremental_sales_per_shopper"].astype(float)
    assert np.isfinite(low).all() and np.isfinite(high).all()
    assert ((low <= estimate) & (estimate <= high)).all()


@requires_ci
def test_truth_effects_are_defined_and_contamination_is_redeemed(compared: pd.DataFrame) -> None:
    """Every row with both arms has both truths; a contamination effect needs a contaminated redemption."""
    both = compared[(compared["_merge"] == "both") & (compared["n_treatment"] > 0) & (compared["n_control"] > 0)]
    assert not both.empty
    for column in ("true_itt_effect", "true_effect_per_treated", "true_contamination_effect"):
        assert np.isfinite(both[column].astype(float)).all(), column
    moved = both[both["true_contamination_effect"] != 0]
    assert (moved["contaminated_redemptions"] > 0).all(), moved[[*KEY, "contaminated_redemptions"]]


# --- the potential outcomes behind true_itt_effect, on a small generated landing zone -------------------------

SMALL = {"seed": 5, "shoppers": 150, "days": 60, "start_date": date(2025, 10, 1)}


@pytest.fixture(scope="module")
def potential_outcomes(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every assigned shopper's potential outcomes as simulated, campaign_effects truth) of one landing zone."""
    captured: list[pd.DataFrame] = []
    original = truth_module.campaign_effects

    def capture(world, outcome, redemptions):  # noqa: ANN001, ANN202 - same signature as the wrapped function
        frame = outcome.shoppers.copy()
        frame["erased"] = world.erased[frame["shopper"].to_numpy()]
        frame["campaign_id"] = [world.campaigns[k].campaign_id for k in frame["campaign"]]
        captured.append(frame)
        return original(world, outcome, redemptions)

    root = tmp_path_factory.mktemp("potential_outcomes")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generator, "campaign_effects", capture)
        generator.generate_landing_zone(root / "raw", root / "truth", clean=True, progress=False, **SMALL)
    assert len(captured) == 1
    return captured[0], pd.read_parquet(root / "truth" / "campaign_effects.parquet")


def test_control_outcome_moves_only_by_contamination(potential_outcomes: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Y(control) - Y0 is exactly the offer's change for a contaminated control shopper, 0 for the others."""
    shoppers, _ = potential_outcomes
    control = shoppers[shoppers["arm"] == "control"]
    moved = control["y1_micro"] - control["y0_natural_micro"]
    expected = np.where(control["contaminated"], control["offer_change_micro"], 0.0)
    assert np.array_equal(moved.to_numpy(dtype=float), expected)
    assert (control["contaminated"] & (control["offer_change_micro"] != 0)).any(), "no contamination to check"


def test_treated_outcome_is_offer_change_plus_extra_purchases(
    potential_outcomes: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Y(treatment) - Y0 - offer change = value of the extra purchases: never negative, positive for some."""
    shoppers, _ = potential_outcomes
    treated = shoppers[shoppers["arm"] == "treatment"]
    extra = treated["y1_micro"] - treated["y0_natural_micro"] - treated["offer_change_micro"]
    assert (extra >= 0).all()
    assert (extra > 0).any() and (treated["offer_change_micro"] < 0).any()
    assert (treated["y0_micro"] == treated["y0_natural_micro"]).all()
    assert (treated["expected_extra_micro"] > 0).all()


def test_itt_truth_is_the_mean_of_potential_outcome_differences(
    potential_outcomes: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """true_itt_effect = mean over both kept arms of E[Y(T) - Y0] - mean over control of (Y(C) - Y0)."""
    shoppers, effects = potential_outcomes
    kept = shoppers[~shoppers["erased"]]
    assert not effects["is_broken_randomisation"].any()  # no dropped controls in this landing zone
    names = {0: "ALPHA", 1: "BETA", 2: "GAMMA"}
    checked = 0
    for row in effects.itertuples():
        group = kept[(kept["campaign_id"] == row.campaign_id) & (kept["retailer"].map(names) == row.retailer)]
        control = group[group["arm"] == "control"]
        if group.empty or control.empty:
            assert np.isnan(row.true_itt_effect)
            continue
        if_treated = (group["offer_change_micro"] + group["expected_extra_micro"]).mean() / 1e6
        contamination = (control["y1_micro"] - control["y0_natural_micro"]).mean() / 1e6
        assert row.true_contamination_effect == pytest.approx(contamination, abs=1e-9)
        assert row.true_itt_effect == pytest.approx(if_treated - contamination, abs=1e-9)
        assert len(group) == row.n_treatment + row.n_control
        checked += 1
    assert checked >= 2
