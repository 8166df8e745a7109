"""Feature preparation, white-box propensity with reasons, uplift learners and their selection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression

from promo_factory.ml import features, metrics, propensity, uplift


def _synthetic_propensity(n: int = 3000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n) * 5 + 2, "noise": rng.normal(size=n)})
    logit = 1.5 * x["a"] - 0.4 * (x["b"] - 2) - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y.to_numpy()


# --------------------------------------------------------------------------- features


def test_model_matrix_fills_shoppers_without_brand_history() -> None:
    frame = pd.DataFrame(
        {
            "shopper_key": ["a", "b"],
            "days_since_last_purchase": [3, None],
            "baskets_365d": [10, None],
            "brand_status": ["loyal", None],
            "brand_spend_365d_eur": [40.0, None],
        }
    )
    m = features.model_matrix(frame)
    assert list(m.columns) == features.PROPENSITY_COLUMNS
    assert not m.isna().any().any()
    assert m.loc[1, "status_never"] == 1.0 and m.loc[1, "status_loyal"] == 0.0
    assert m.loc[0, "status_loyal"] == 1.0
    assert m.loc[1, "log_days_since_last_purchase"] == pytest.approx(np.log1p(365))
    assert m.loc[0, "log_brand_spend"] == pytest.approx(np.log1p(40.0))
    assert m.loc[1, "log_baskets_365d"] == 0.0


def test_model_matrix_campaign_columns() -> None:
    frame = pd.DataFrame({"offer_type": ["pct_off", "cash_off"], "offer_value": [20, 1.5], "campaign_days": [14, 7]})
    m = features.model_matrix(frame, with_campaign=True)
    assert list(m.columns) == features.UPLIFT_COLUMNS
    assert m["offer_pct"].tolist() == [20.0, 0.0]
    assert m["offer_cash"].tolist() == [0.0, 1.5]


def test_every_model_column_has_words() -> None:
    for column in features.UPLIFT_COLUMNS:
        assert column in features.FEATURE_WORDS


def test_key_sample_is_deterministic_and_order_free() -> None:
    keys = pd.Series([f"k{i}" for i in range(1000)])
    mask = features.key_sample(keys, 200)
    assert 150 <= mask.sum() <= 250
    shuffled = keys.sample(frac=1, random_state=1).reset_index(drop=True)
    kept = set(keys[mask])
    assert kept == set(shuffled[features.key_sample(shuffled, 200)])
    assert features.key_sample(keys[:10], 200).all()


# --------------------------------------------------------------------------- propensity


def test_white_box_matches_sklearn_on_standardised_data() -> None:
    x, y = _synthetic_propensity()
    box = propensity.fit_white_box(x, y, c=0.5)
    z = (x - x.mean()) / x.std(ddof=0)
    reference = LogisticRegression(C=0.5, max_iter=500).fit(z, y)
    np.testing.assert_allclose(box.predict_proba(x), reference.predict_proba(z)[:, 1], atol=1e-6)
    # signs of the planted effects are recovered, noise is small
    coef = dict(zip(box.features, box.coefficients))
    assert coef["a"] > 0.5 and coef["b"] < -0.5 and abs(coef["noise"]) < 0.15


def test_white_box_is_deterministic() -> None:
    x, y = _synthetic_propensity()
    assert propensity.fit_white_box(x, y).version() == propensity.fit_white_box(x, y).version()


def test_reasons_hand_computed() -> None:
    box = propensity.WhiteBoxModel(
        features=["log_brand_days_since", "promo_spend_share", "status_lapsed", "log_tenure_days"],
        means=np.zeros(4), scales=np.ones(4), coefficients=np.array([-1.0, 0.5, 2.0, 0.1]), intercept=0.0,
    )
    x = pd.DataFrame(
        {"log_brand_days_since": [-2.0], "promo_spend_share": [-1.0], "status_lapsed": [1.0], "log_tenure_days": [1.0]}
    )
    # contributions: +2.0, -0.5, +2.0, +0.1 -> ties kept in feature order
    assert box.reasons(x) == [
        "bought the brand recently (+2.00); lapsed buyer of the brand (+2.00); rarely buys on promotion (-0.50)"
    ]
    assert box.contributions(x).sum() == pytest.approx(3.6)


def test_time_split_trains_on_earlier_dates_only() -> None:
    dates = pd.Series(pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01", "2026-02-01"]))
    train, valid = propensity.time_split(dates)
    assert valid.tolist() == [False, False, True, False]
    assert train.tolist() == [True, True, False, True]


def test_train_and_validate_reports_out_of_time_metrics() -> None:
    x, y = _synthetic_propensity(4000)
    dates = pd.Series(np.repeat(pd.to_datetime(["2026-01-01", "2026-01-29", "2026-02-26", "2026-03-26"]), 1000))
    result = propensity.train_and_validate(x, y, dates)
    assert result.validation_date == "2026-03-26" and result.validation_rows == 1000
    assert result.training_rows == 3000 and "2026-03-26" not in result.train_dates
    assert result.white_box_metrics["auc"] > 0.75
    assert result.challenger_metrics["auc"] > 0.7
    assert 0.7 < result.white_box_metrics["calibration_slope"] < 1.3


# --------------------------------------------------------------------------- uplift


def _synthetic_uplift(n: int = 6000, seed: int = 0, campaigns: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    tau = np.where(x1 > 0, 3.0, -0.5) + 0.5 * x2
    w = rng.integers(0, 2, n)
    y = 5 + 2 * x2 + w * tau + rng.normal(size=n)
    return pd.DataFrame(
        {
            "x1": x1, "x2": x2, "tau": tau, "w": w, "y": y,
            "campaign_id": [f"C{i % campaigns}" for i in range(n)],
            "start_date": pd.to_datetime("2026-01-01") + pd.to_timedelta([7 * (i % campaigns) for i in range(n)], "D"),
            "shopper_key": [f"s{i}" for i in range(n)],
        }
    )


def test_transformed_outcome_hand_computed() -> None:
    # e = 1/2: y* = y (w - 1/2) / (1/4) = 2y (treated), -2y (control)
    np.testing.assert_allclose(uplift.transformed_outcome([2.0, 3.0], [1, 0], 0.5), [4.0, -6.0])
    # e = 0.8, treated: y (0.2) / 0.16 = 1.25 y
    np.testing.assert_allclose(uplift.transformed_outcome([4.0], [1], 0.8), [5.0])


@pytest.mark.parametrize("name", sorted(set(uplift.CANDIDATES) - {"uplift_interaction_ridge"}))
def test_every_learner_ranks_a_planted_effect(name: str) -> None:
    data = _synthetic_uplift()
    train, test = data.iloc[:4500], data.iloc[4500:]
    learner = uplift.CANDIDATES[name](uplift.SEED).fit(train[["x1", "x2"]], train["y"], train["w"])
    tau_hat = learner.predict(test[["x1", "x2"]])
    assert spearmanr(tau_hat, test["tau"]).statistic > 0.5
    scores = uplift.uplift_metrics(test["y"], test["w"], tau_hat)
    assert scores["qini_coefficient"] > 0


def test_learners_are_deterministic() -> None:
    data = _synthetic_uplift(2000)
    a = uplift.fit_learner("uplift_x_learner_hgb", data[["x1", "x2"]], data["y"], data["w"]).predict(data[["x1", "x2"]])
    b = uplift.fit_learner("uplift_x_learner_hgb", data[["x1", "x2"]], data["y"], data["w"]).predict(data[["x1", "x2"]])
    np.testing.assert_array_equal(a, b)


def test_holdout_campaigns_are_the_latest() -> None:
    campaigns = pd.DataFrame(
        {"campaign_id": ["A", "B", "C", "D", "E", "F"], "start_date": pd.to_datetime(
            ["2026-01-01", "2026-03-01", "2026-02-01", "2026-04-01", "2026-05-01", "2026-06-01"])}
    )
    assert uplift.holdout_campaigns(campaigns) == {"E", "F"}
    assert uplift.holdout_campaigns(campaigns.iloc[:1]) == set()


def test_select_learner_keeps_the_best_qini_on_held_out_campaigns() -> None:
    data = _synthetic_uplift(6000)

    class Oracle:
        def fit(self, x, y, w):
            return self

        def predict(self, x):
            return np.where(np.asarray(x)[:, 0] > 0, 3.0, -0.5) + 0.5 * np.asarray(x)[:, 1]

    class Backwards(Oracle):
        def predict(self, x):
            return -super().predict(x)

    selection = uplift.select_learner(
        data[["x1", "x2"]], data["y"], data["w"], data["campaign_id"], data["start_date"], data["shopper_key"],
        candidates={"backwards": lambda seed: Backwards(), "oracle": lambda seed: Oracle()}, default="backwards",
    )
    assert selection.chosen == "oracle"  # wins beyond the noise: replaces the default
    assert selection.holdout == ["C0", "C1", "C2"]  # every campaign held out once
    assert selection.scores["oracle"]["qini_coefficient"] > selection.scores["backwards"]["qini_coefficient"]
    assert selection.qini_difference_low["oracle"] > 0
    assert selection.holdout_rows == 6000 and selection.training_rows == 4000


def test_select_learner_keeps_the_default_when_a_challenger_wins_by_noise() -> None:
    data = _synthetic_uplift(6000)
    noise = np.random.default_rng(3).normal(size=len(data))

    class Oracle:
        def fit(self, x, y, w):
            return self

        def predict(self, x):
            return np.where(np.asarray(x)[:, 0] > 0, 3.0, -0.5) + 0.5 * np.asarray(x)[:, 1]

    class Jittered(Oracle):
        """The oracle plus a tiny perturbation: any Qini difference with it is noise."""

        def predict(self, x):
            return super().predict(x) + 1e-3 * noise[: len(x)]

    candidates = {"oracle": lambda seed: Oracle(), "jittered": lambda seed: Jittered()}
    for default in candidates:
        selection = uplift.select_learner(
            data[["x1", "x2"]], data["y"], data["w"], data["campaign_id"], data["start_date"], data["shopper_key"],
            candidates=candidates, default=default, n_boot=50,
        )
        assert selection.chosen == default
        other = "jittered" if default == "oracle" else "oracle"
        assert selection.qini_difference_low[other] <= 0


def test_campaign_folds_hold_out_every_campaign_once() -> None:
    ids = np.array(["B", "A", "C", "A", "D", "B"])
    starts = pd.to_datetime(["2026-02-01", "2026-01-01", "2026-03-01", "2026-01-01", "2026-04-01", "2026-02-01"])
    folds = uplift.campaign_folds(ids, starts.to_numpy(), 3)
    assert len(folds) == 3
    np.testing.assert_array_equal(np.sum(folds, axis=0), np.ones(len(ids)))  # each row held out exactly once
    assert set(ids[folds[0]]) == {"A", "D"} and set(ids[folds[1]]) == {"B"} and set(ids[folds[2]]) == {"C"}


def test_interaction_learner_recovers_status_driven_effects() -> None:
    rng = np.random.default_rng(7)
    n = 8000
    status = rng.integers(0, 3, n)
    promo = rng.uniform(0, 1, n)
    x = pd.DataFrame({
        "status_lapsed": (status == 0).astype(float), "status_active": (status == 1).astype(float),
        "status_loyal": (status == 2).astype(float), "promo_spend_share": promo,
        "category_share_of_wallet": rng.uniform(0, 1, n), "campaign_days": np.full(n, 14.0),
    })
    tau = np.array([3.0, 1.0, -1.0])[status] * (0.4 + 2 * promo)
    w = rng.integers(0, 2, n)
    y = 2 + 3 * x["status_loyal"] + w * tau + rng.normal(size=n)
    learner = uplift.InteractionLearner().fit(x, y, w)
    tau_hat = learner.predict(x)
    assert np.corrcoef(tau_hat, tau)[0, 1] > 0.95
    assert np.mean(tau_hat[status == 0]) == pytest.approx(np.mean(tau[status == 0]), abs=0.2)
    contributions, names = learner.contributions(x)
    intercept, _ = learner.effect_coefficients()
    np.testing.assert_allclose(intercept + contributions.sum(axis=1), tau_hat)
    assert len(names) == contributions.shape[1] == 9  # 3 statuses x (alone, x promo, x affinity)


def test_interaction_learner_is_robust_to_a_few_huge_outcomes() -> None:
    rng = np.random.default_rng(11)
    n = 6000
    x = pd.DataFrame({"status_lapsed": (rng.random(n) < 0.5).astype(float), "promo_spend_share": rng.uniform(0, 1, n)})
    x["status_loyal"] = 1.0 - x["status_lapsed"]
    w = rng.integers(0, 2, n)
    tau = np.where(x["status_lapsed"] == 1, 2.0, -1.0)
    y = 5 + w * tau + rng.normal(size=n)
    y[:10] = 10_000.0  # a few giant baskets
    tau_hat = uplift.InteractionLearner().fit(x, y, w).predict(x)
    assert np.mean(tau_hat[x["status_lapsed"] == 1]) > np.mean(tau_hat[x["status_loyal"] == 1]) + 2.0


def test_bootstrap_qini_of_unit_counts_is_the_qini() -> None:
    rng = np.random.default_rng(5)
    y, w = rng.normal(size=200), rng.integers(0, 2, 200)
    tau = np.round(rng.normal(size=200), 1)  # ties
    sorted_campaign = uplift._SortedCampaign(y, w, tau)
    assert sorted_campaign.qini(np.ones(200, dtype=int)) == pytest.approx(metrics.qini_coefficient(y, w, tau))
    counts = rng.integers(0, 3, 200)
    repeated = np.repeat(np.arange(200), counts)
    assert sorted_campaign.qini(counts) == pytest.approx(metrics.qini_coefficient(y[repeated], w[repeated], tau[repeated]))


def test_uplift_scoring_without_randomised_history_returns_typed_empty_table() -> None:
    import duckdb
    import pandas as pd

    from promo_factory.ml.pipeline import run_uplift_scoring

    campaigns = pd.DataFrame({"campaign_id": ["C1"], "brand": ["B"], "campaign_status": ["planned"]})
    scores = run_uplift_scoring(pd.DataFrame(), pd.DataFrame(), campaigns, pd.DataFrame(), "interaction_ridge")
    types = dict(duckdb.sql("describe select * from scores").fetchall() and
                 [(row[0], row[1]) for row in duckdb.sql("describe select * from scores").fetchall()])
    assert scores.empty
    assert types["shopper_key"] == "VARCHAR" and types["expected_incremental_sales_eur"] == "DOUBLE"
