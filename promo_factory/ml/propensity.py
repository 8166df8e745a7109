"""Propensity to buy a brand within 28 days: white-box logistic regression and a gradient-boosting challenger.

- White box: features standardised (z = (x - mean) / sd), L2-regularised
  logistic regression. Its contribution of feature j for a shopper is
  coef_j x z_j (in log-odds); the three largest in absolute value are the
  shopper's reasons, in words (`features.FEATURE_WORDS`).
- Challenger: `HistGradientBoostingClassifier`, reported in the metrics only.
- Split by time: train on the earlier as-of dates, validate on the latest
  labelled one; never a random split across time.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from promo_factory.ml import metrics
from promo_factory.ml.features import FEATURE_WORDS
from promo_factory.ml.runtime import one_thread

SEED = 20260101


@dataclass
class WhiteBoxModel:
    """A fitted, standardised logistic regression: everything needed to score and explain."""

    features: list[str]
    means: np.ndarray
    scales: np.ndarray
    coefficients: np.ndarray
    intercept: float
    params: dict = field(default_factory=dict)

    def standardise(self, x: pd.DataFrame) -> np.ndarray:
        return (x[self.features].to_numpy(dtype=float) - self.means) / self.scales

    def contributions(self, x: pd.DataFrame) -> np.ndarray:
        """Per-row, per-feature contributions to the log-odds: coef_j x z_j."""
        return self.standardise(x) * self.coefficients

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        logit = self.contributions(x).sum(axis=1) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -35, 35)))

    def reasons(self, x: pd.DataFrame, top_n: int = 3) -> list[str]:
        """Top-n contributions in words, e.g. ``bought the brand recently (+0.84); ...``."""
        return reasons_from_contributions(self.contributions(x), self.standardise(x), self.features, top_n)

    def version(self, prefix: str = "logreg") -> str:
        """Content hash of the fitted parameters: the same data and settings give the same version."""
        payload = json.dumps(
            {
                "features": self.features,
                "coef": np.round(self.coefficients, 10).tolist(),
                "intercept": round(self.intercept, 10),
                "params": self.params,
            },
            sort_keys=True,
        )
        return f"{prefix}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


def reasons_from_contributions(
    contributions: np.ndarray, standardised: np.ndarray, features: list[str], top_n: int = 3
) -> list[str]:
    """Words for the ``top_n`` contributions of largest magnitude of each row, signed in log-odds."""
    if contributions.shape[0] == 0:
        return []
    k = min(top_n, contributions.shape[1])
    # stable order: by |contribution| descending, then by feature position
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    words_high = np.array([FEATURE_WORDS.get(f, (f + " high", f + " low"))[0] for f in features], dtype=object)
    words_low = np.array([FEATURE_WORDS.get(f, (f + " high", f + " low"))[1] for f in features], dtype=object)
    rows = np.arange(contributions.shape[0])[:, None]
    chosen_c = contributions[rows, order]
    chosen_z = standardised[rows, order]
    texts = np.where(chosen_z >= 0, words_high[order], words_low[order])
    out = []
    for text_row, c_row in zip(texts, chosen_c):
        out.append("; ".join(f"{t} ({c:+.2f})" for t, c in zip(text_row, c_row) if abs(c) > 0))
    return out


@one_thread
def fit_white_box(x: pd.DataFrame, y: np.ndarray, c: float = 0.5, max_iter: int = 500) -> WhiteBoxModel:
    """Standardise, then fit an L2 logistic regression (lbfgs, deterministic)."""
    features = list(x.columns)
    values = x.to_numpy(dtype=float)
    means = values.mean(axis=0)
    scales = values.std(axis=0)
    scales = np.where(scales > 1e-12, scales, 1.0)
    z = (values - means) / scales
    y_arr = np.asarray(y, dtype=int)
    if y_arr.min() == y_arr.max():  # a single class: constant model at the observed rate
        rate = float(np.clip(y_arr.mean(), 1e-6, 1 - 1e-6))
        coef, intercept = np.zeros(len(features)), float(np.log(rate / (1 - rate)))
    else:
        fit = LogisticRegression(C=c, max_iter=max_iter).fit(z, y_arr)
        coef, intercept = fit.coef_[0], float(fit.intercept_[0])
    return WhiteBoxModel(features, means, scales, coef, intercept, {"C": c, "penalty": "l2", "standardised": True})


@one_thread
def fit_challenger(x: pd.DataFrame, y: np.ndarray, seed: int = SEED) -> HistGradientBoostingClassifier | None:
    """Gradient-boosted trees with early stopping off (deterministic). None when y has one class."""
    y_arr = np.asarray(y, dtype=int)
    if y_arr.min() == y_arr.max():
        return None
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=40,
        l2_regularization=1.0, early_stopping=False, random_state=seed,
    )
    return model.fit(x.to_numpy(dtype=float), y_arr)


def classification_metrics(y: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """The propensity metrics of model_metrics, on held-out rows."""
    return {
        "auc": metrics.auc(y, probability),
        "log_loss": metrics.log_loss(y, probability),
        "brier": metrics.brier(y, probability),
        "calibration_slope": metrics.calibration_slope(y, probability),
        "top_decile_lift": metrics.top_decile_lift(y, probability),
        "positive_rate": float(np.mean(y)) if len(y) else float("nan"),
    }


def time_split(as_of_dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(train mask, validation mask): validation = the latest as-of date, train = every earlier one.

    With a single as-of date there is nothing earlier: both masks are that date
    and the caller must report the metrics as in-sample (it does, see `train_and_validate`).
    """
    dates = pd.to_datetime(as_of_dates)
    latest = dates.max()
    valid = (dates == latest).to_numpy()
    train = ~valid
    if not train.any():
        train = valid.copy()
    return train, valid


@dataclass
class PropensityResult:
    white_box: WhiteBoxModel
    white_box_metrics: dict[str, float]
    challenger_metrics: dict[str, float]
    training_rows: int
    validation_rows: int
    train_dates: list[str]
    validation_date: str


@one_thread
def train_and_validate(
    x: pd.DataFrame, y: np.ndarray, as_of_dates: pd.Series, with_challenger: bool = True, seed: int = SEED
) -> PropensityResult:
    """Fit on earlier as-of dates, evaluate white box (and challenger) on the latest one.

    The fitted white box is the one that scores: its metrics are genuinely out of time.
    """
    train, valid = time_split(as_of_dates)
    y_arr = np.asarray(y, dtype=int)
    box = fit_white_box(x[train], y_arr[train])
    box_metrics = classification_metrics(y_arr[valid], box.predict_proba(x[valid]))
    challenger_metrics: dict[str, float] = {}
    if with_challenger:
        challenger = fit_challenger(x[train], y_arr[train], seed)
        if challenger is not None:
            p = challenger.predict_proba(x[valid].to_numpy(dtype=float))[:, 1]
            challenger_metrics = classification_metrics(y_arr[valid], p)
    dates = pd.to_datetime(as_of_dates)
    return PropensityResult(
        white_box=box,
        white_box_metrics=box_metrics,
        challenger_metrics=challenger_metrics,
        training_rows=int(train.sum()),
        validation_rows=int(valid.sum()),
        train_dates=sorted({d.date().isoformat() for d in dates[train]}),
        validation_date=dates[valid].max().date().isoformat(),
    )
