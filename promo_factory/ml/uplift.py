"""Uplift (conditional average treatment effect) learners and their selection on held-out campaigns.

Training data are the randomised assignments of past campaigns: features as
of the campaign's start date, ``w`` = 1 for treatment, ``y`` = the contract's
campaign outcome (in-scope net sales at that retailer over the campaign days).
Every learner estimates tau(x) = E[y | x, w=1] - E[y | x, w=0] in EUR.

- T-learner (two models): mu1 fitted on the treated, mu0 on the controls,
  tau = mu1 - mu0.
- Transformed outcome ("class transformation" generalised to a continuous
  outcome; Athey & Imbens 2015): y* = y (w - e) / (e (1 - e)) with e the
  treatment share, so E[y* | x] = tau(x); one regressor on y*.
- X-learner (Kunzel, Sekhon, Bickel & Yu, PNAS 2019): imputed effects
  d1 = y1 - mu0(x1), d0 = mu1(x0) - y0, regressors tau1 and tau0,
  tau = e tau0 + (1 - e) tau1.

- Interaction regression (Lo 2002): y ~ x + w + w z, ridge; tau = the w terms.

The learner is chosen on held-out campaigns (leave one campaign out) by
Qini coefficient, AUUC breaking ties; it is then refitted on every campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge

from promo_factory.ml import metrics
from promo_factory.ml.features import key_sample
from promo_factory.ml.runtime import one_thread

SEED = 20260101


class Regressor(Protocol):
    def fit(self, x: np.ndarray, y: np.ndarray) -> "Regressor": ...

    def predict(self, x: np.ndarray) -> np.ndarray: ...


def hgb_regressor(seed: int = SEED) -> Regressor:
    return HistGradientBoostingRegressor(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=100,
        l2_regularization=1.0, early_stopping=False, random_state=seed,
    )


def ridge_regressor(seed: int = SEED) -> Regressor:
    return Ridge(alpha=10.0)


def _arrays(x: pd.DataFrame | np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(w, dtype=int)


class TLearner:
    """Two outcome models; tau = mu1(x) - mu0(x)."""

    def __init__(self, base: Callable[[int], Regressor] = hgb_regressor, seed: int = SEED) -> None:
        self.base, self.seed = base, seed

    @one_thread
    def fit(self, x: pd.DataFrame | np.ndarray, y: np.ndarray, w: np.ndarray) -> "TLearner":
        x_arr, y_arr, w_arr = _arrays(x, y, w)
        self.mu1 = self.base(self.seed).fit(x_arr[w_arr == 1], y_arr[w_arr == 1])
        self.mu0 = self.base(self.seed).fit(x_arr[w_arr == 0], y_arr[w_arr == 0])
        return self

    @one_thread
    def predict(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        x_arr = np.asarray(x, dtype=float)
        return self.mu1.predict(x_arr) - self.mu0.predict(x_arr)


def transformed_outcome(y: np.ndarray, w: np.ndarray, e: float) -> np.ndarray:
    """y* = y (w - e) / (e (1 - e)): an unbiased signal of the individual effect when P(w=1) = e."""
    y_arr, w_arr = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    return y_arr * (w_arr - e) / (e * (1.0 - e))


class TransformedOutcomeLearner:
    """One regressor on the transformed outcome; predicts tau directly."""

    def __init__(self, base: Callable[[int], Regressor] = hgb_regressor, seed: int = SEED) -> None:
        self.base, self.seed = base, seed

    @one_thread
    def fit(self, x: pd.DataFrame | np.ndarray, y: np.ndarray, w: np.ndarray) -> "TransformedOutcomeLearner":
        x_arr, y_arr, w_arr = _arrays(x, y, w)
        self.e = float(np.clip(w_arr.mean(), 0.01, 0.99))
        self.model = self.base(self.seed).fit(x_arr, transformed_outcome(y_arr, w_arr, self.e))
        return self

    @one_thread
    def predict(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        return self.model.predict(np.asarray(x, dtype=float))


class XLearner:
    """X-learner with a constant propensity (randomised assignment)."""

    def __init__(self, base: Callable[[int], Regressor] = hgb_regressor, seed: int = SEED) -> None:
        self.base, self.seed = base, seed

    @one_thread
    def fit(self, x: pd.DataFrame | np.ndarray, y: np.ndarray, w: np.ndarray) -> "XLearner":
        x_arr, y_arr, w_arr = _arrays(x, y, w)
        x1, y1, x0, y0 = x_arr[w_arr == 1], y_arr[w_arr == 1], x_arr[w_arr == 0], y_arr[w_arr == 0]
        mu1 = self.base(self.seed).fit(x1, y1)
        mu0 = self.base(self.seed).fit(x0, y0)
        self.tau1 = self.base(self.seed).fit(x1, y1 - mu0.predict(x1))
        self.tau0 = self.base(self.seed).fit(x0, mu1.predict(x0) - y0)
        self.e = float(np.clip(w_arr.mean(), 0.01, 0.99))
        return self

    @one_thread
    def predict(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        x_arr = np.asarray(x, dtype=float)
        return self.e * self.tau0.predict(x_arr) + (1.0 - self.e) * self.tau1.predict(x_arr)


class InteractionLearner:
    """Outcome regression with treatment interactions (Lo 2002): y ~ x + w + w * z, ridge-penalised.

    z = the brand status indicators, each alone and times promotion share,
    category share of wallet and campaign days, plus the baseline offer cost;
    tau(x) = coefficient of w + z . coefficients of w * z. A white box: the
    coefficients of w * z say which shoppers respond.
    """

    def __init__(self, alpha: float = 1.0, seed: int = SEED) -> None:
        self.alpha, self.seed = alpha, seed

    @staticmethod
    def effect_terms(x: pd.DataFrame) -> np.ndarray:
        statuses = [c for c in x.columns if c.startswith("status_")]
        promo = x["promo_spend_share"].to_numpy()
        affinity = np.minimum(x["category_share_of_wallet"].to_numpy(), 0.5)
        days = x["campaign_days"].to_numpy() / 28.0 if "campaign_days" in x else np.ones(len(x))
        terms = []
        for status in statuses:
            s = x[status].to_numpy()
            terms += [s, s * promo, s * affinity, s * promo * affinity, s * days, s * days * promo * affinity]
        if "offer_cost_baseline" in x:
            terms.append(x["offer_cost_baseline"].to_numpy())
        return np.column_stack(terms) if terms else np.zeros((len(x), 0))

    def _design(self, x: pd.DataFrame, w: np.ndarray) -> np.ndarray:
        z = self.effect_terms(x)
        return np.column_stack([x.to_numpy(dtype=float), w, w[:, None] * z])

    @one_thread
    def fit(self, x: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> "InteractionLearner":
        x = pd.DataFrame(x).reset_index(drop=True)
        w_arr = np.asarray(w, dtype=float)
        design = self._design(x, w_arr)
        self.n_x = x.shape[1]
        self.scale = np.where(design.std(axis=0) > 1e-12, design.std(axis=0), 1.0)
        self.model = Ridge(alpha=self.alpha).fit(design / self.scale, np.asarray(y, dtype=float))
        return self

    @one_thread
    def predict(self, x: pd.DataFrame) -> np.ndarray:
        x = pd.DataFrame(x).reset_index(drop=True)
        coef = self.model.coef_ / self.scale
        z = self.effect_terms(x)
        return coef[self.n_x] + z @ coef[self.n_x + 1:]


CANDIDATES: dict[str, Callable[[int], object]] = {
    "uplift_t_learner_hgb": lambda seed: TLearner(hgb_regressor, seed),
    "uplift_t_learner_ridge": lambda seed: TLearner(ridge_regressor, seed),
    "uplift_x_learner_hgb": lambda seed: XLearner(hgb_regressor, seed),
    "uplift_transformed_outcome_hgb": lambda seed: TransformedOutcomeLearner(hgb_regressor, seed),
    "uplift_interaction_ridge": lambda seed: InteractionLearner(1.0, seed),
}


def uplift_metrics(y: np.ndarray, w: np.ndarray, tau: np.ndarray, campaign: np.ndarray | None = None) -> dict[str, float]:
    """Qini coefficient, AUUC and uplift@10 %, averaged over campaigns weighted by their rows.

    Per campaign, because arms and outcome scales differ from one campaign to the next.
    """
    y_arr, w_arr, t_arr = np.asarray(y, float), np.asarray(w, int), np.asarray(tau, float)
    groups = np.asarray(campaign) if campaign is not None else np.zeros(len(y_arr))
    totals = {"qini_coefficient": 0.0, "auuc": 0.0, "uplift_at_10pct": 0.0}
    weights = {k: 0.0 for k in totals}
    for group in pd.unique(groups):
        mask = groups == group
        if w_arr[mask].min() == w_arr[mask].max():
            continue
        values = {
            "qini_coefficient": metrics.qini_coefficient(y_arr[mask], w_arr[mask], t_arr[mask]),
            "auuc": metrics.auuc(y_arr[mask], w_arr[mask], t_arr[mask]),
            "uplift_at_10pct": metrics.uplift_at_k(y_arr[mask], w_arr[mask], t_arr[mask], 0.1),
        }
        for name, value in values.items():
            if np.isfinite(value):
                totals[name] += value * mask.sum()
                weights[name] += mask.sum()
    return {k: (totals[k] / weights[k] if weights[k] else float("nan")) for k in totals}


def holdout_campaigns(campaigns: pd.DataFrame, share: float = 0.34) -> set[str]:
    """The latest past campaigns (by start_date, then campaign_id), about ``share`` of them, at least one.

    Empty when there are fewer than two campaigns (the caller then splits by shopper).
    """
    ordered = campaigns.drop_duplicates("campaign_id").sort_values(["start_date", "campaign_id"])
    n = len(ordered)
    if n < 2:
        return set()
    k = min(n - 1, max(1, int(round(share * n))))
    return set(ordered["campaign_id"].iloc[n - k:])


@dataclass
class Selection:
    chosen: str
    scores: dict[str, dict[str, float]]
    holdout: list[str]
    training_rows: int
    holdout_rows: int


def select_learner(
    x: pd.DataFrame, y: np.ndarray, w: np.ndarray, campaign_id: pd.Series, start_date: pd.Series,
    shopper_key: pd.Series, candidates: dict[str, Callable[[int], object]] | None = None, seed: int = SEED,
    max_folds: int = 6,
) -> Selection:
    """Leave-one-campaign-out: each of the latest ``max_folds`` campaigns is held out in turn, every
    candidate is fitted on the other campaigns and scored on it; the best mean Qini (then AUUC) wins.

    A single held-out split on a handful of campaigns is too noisy to choose
    between learners; rotating the held-out campaign uses every campaign once.
    With a single campaign, 30 % of its shoppers (by key hash) are held out.
    """
    candidates = candidates or CANDIDATES
    campaigns = pd.DataFrame({"campaign_id": campaign_id.to_numpy(), "start_date": start_date.to_numpy()})
    ordered = campaigns.drop_duplicates("campaign_id").sort_values(["start_date", "campaign_id"])["campaign_id"]
    if len(ordered) >= 2:
        held = list(ordered.iloc[-max_folds:])
        folds = [campaign_id.to_numpy() == c for c in held]
    else:
        held = []
        folds = [~key_sample(shopper_key, int(0.7 * len(shopper_key)), salt="uplift-holdout")]
    y_arr, w_arr = np.asarray(y, float), np.asarray(w, int)
    tested = np.zeros(len(y_arr), dtype=bool)
    predictions = {name: np.full(len(y_arr), np.nan) for name in candidates}
    train_rows = []
    for test in folds:
        train = ~test
        if np.unique(w_arr[train]).size < 2 or np.unique(w_arr[test]).size < 2:
            continue
        tested |= test
        train_rows.append(int(train.sum()))
        for name, make in candidates.items():
            learner = make(seed).fit(x[train], y_arr[train], w_arr[train])
            predictions[name][test] = learner.predict(x[test])
    groups = campaign_id.to_numpy()[tested]
    scores = {name: uplift_metrics(y_arr[tested], w_arr[tested], tau[tested], groups)
              for name, tau in predictions.items()}

    def rank(name: str) -> tuple[float, float, str]:
        s = scores[name]
        q = s["qini_coefficient"] if np.isfinite(s["qini_coefficient"]) else -np.inf
        a = s["auuc"] if np.isfinite(s["auuc"]) else -np.inf
        return (-q, -a, name)

    chosen = sorted(scores, key=rank)[0]
    return Selection(chosen, scores, sorted(held), int(np.mean(train_rows)) if train_rows else 0, int(tested.sum()))


def fit_learner(name: str, x: pd.DataFrame, y: np.ndarray, w: np.ndarray, seed: int = SEED) -> object:
    """Fit the named candidate on all the rows given."""
    return CANDIDATES[name](seed).fit(x, np.asarray(y, float), np.asarray(w, int))
