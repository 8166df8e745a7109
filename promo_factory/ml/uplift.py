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

- Interaction regression (Lo 2002): y ~ x + b + w + w z, ridge; tau = the w terms.

Selection rule: the interaction regression is the declared default (a white
box whose effect terms follow the behaviours that drive a promotion's effect,
and the most stable learner on a handful of campaigns). Every candidate is
scored on held-out campaigns (grouped folds: each past campaign is held out
exactly once); a challenger replaces the default only when its pooled held-out
Qini beats the default's by more than the noise: the 2.5 % quantile of the
paired two-stage bootstrap of the Qini difference (campaigns resampled, then
shoppers within each campaign; the same draws for both learners) must be above 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import Ridge, RidgeCV

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


RIDGE_ALPHAS = np.logspace(-1, 4, 21)
WINSOR_QUANTILE = 0.995


class InteractionLearner:
    """Outcome regression with treatment interactions (Lo 2002): y ~ x + b + w + w * z, ridge-penalised.

    z (the effect terms): for each status towards the offer's scope (never,
    category buyer, lapsed, active, loyal), the indicator times campaign length
    (days / 28), alone, times the promotion share of spend (promotion
    sensitivity) and times the category share of wallet capped at 0.5
    (category affinity); plus the baseline offer cost (the discount the offer
    would give on what the shopper buys anyway). b: baseline outcome terms in
    EUR (recent and yearly scope spend scaled to the campaign's length, the
    baseline offer cost), so that the outcome's scale is explained before the
    effect is estimated. tau(x) = coefficient of w + z . coefficients of w * z;
    each w * z term is a readable reason.

    Fitting: the outcome is winsorised at its 99.5 % quantile (heavy baskets
    would otherwise dominate a few thousand rows); the standardised design is
    fitted by ridge with the penalty chosen by generalised cross-validation
    (efficient leave-one-out, RidgeCV) over ``alphas``, on the training rows only.
    """

    def __init__(self, alphas: np.ndarray | None = None, seed: int = SEED,
                 winsor_quantile: float = WINSOR_QUANTILE) -> None:
        self.alphas = RIDGE_ALPHAS if alphas is None else np.asarray(alphas, float)
        self.seed, self.winsor_quantile = seed, winsor_quantile

    @staticmethod
    def _col(x: pd.DataFrame, name: str, fill: float) -> np.ndarray:
        return x[name].to_numpy(dtype=float) if name in x else np.full(len(x), fill)

    @classmethod
    def effect_terms(cls, x: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        """(z matrix, term names): the shopper characteristics the effect may depend on."""
        statuses = [c for c in x.columns if c.startswith("status_")]
        promo = cls._col(x, "promo_spend_share", 0.0)
        affinity = np.minimum(cls._col(x, "category_share_of_wallet", 0.0), 0.5)
        days = cls._col(x, "campaign_days", 28.0) / 28.0
        terms, names = [], []
        for status in statuses:
            s = x[status].to_numpy(dtype=float) * days
            terms += [s, s * promo, s * affinity]
            names += [status, f"{status}:promo_spend_share", f"{status}:category_share_of_wallet"]
        if "offer_cost_baseline" in x:
            terms.append(x["offer_cost_baseline"].to_numpy(dtype=float))
            names.append("offer_cost_baseline")
        z = np.column_stack(terms) if terms else np.zeros((len(x), 0))
        return z, names

    @classmethod
    def baseline_terms(cls, x: pd.DataFrame) -> np.ndarray:
        """Baseline outcome terms in EUR over the campaign (zeros when the columns are absent)."""
        days = cls._col(x, "campaign_days", 28.0)
        recent = np.expm1(cls._col(x, "log_scope_spend_recent", 0.0))
        yearly = np.expm1(cls._col(x, "log_brand_spend", 0.0))
        cost = cls._col(x, "offer_cost_baseline", 0.0)
        return np.column_stack([recent * days / 56.0, yearly * days / 365.0, cost])

    def _design(self, x: pd.DataFrame, w: np.ndarray) -> np.ndarray:
        z, _ = self.effect_terms(x)
        return np.column_stack([x.to_numpy(dtype=float), self.baseline_terms(x), w, w[:, None] * z])

    @one_thread
    def fit(self, x: pd.DataFrame, y: np.ndarray, w: np.ndarray) -> "InteractionLearner":
        x = pd.DataFrame(x).reset_index(drop=True)
        w_arr = np.asarray(w, dtype=float)
        y_arr = np.asarray(y, dtype=float)
        y_arr = np.minimum(y_arr, np.quantile(y_arr, self.winsor_quantile)) if len(y_arr) else y_arr
        design = self._design(x, w_arr)
        self.n_base = x.shape[1] + 3
        std = design.std(axis=0)
        self.scale = np.where(std > 1e-12, std, 1.0)
        self.model = RidgeCV(alphas=self.alphas).fit(design / self.scale, y_arr)
        self.alpha_ = float(self.model.alpha_)
        return self

    def effect_coefficients(self) -> tuple[float, np.ndarray]:
        """(coefficient of w, coefficients of w * z) in the original units."""
        coef = self.model.coef_ / self.scale
        return float(coef[self.n_base]), coef[self.n_base + 1:]

    @one_thread
    def predict(self, x: pd.DataFrame) -> np.ndarray:
        x = pd.DataFrame(x).reset_index(drop=True)
        intercept, coef = self.effect_coefficients()
        z, _ = self.effect_terms(x)
        return intercept + z @ coef

    def contributions(self, x: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        """Per row and effect term, its contribution to tau in EUR (z_j x coefficient_j), and the term names."""
        x = pd.DataFrame(x).reset_index(drop=True)
        _, coef = self.effect_coefficients()
        z, names = self.effect_terms(x)
        return z * coef[None, :], names


def term_words(name: str) -> str:
    """Words for an effect term of `InteractionLearner` (e.g. ``lapsed buyer of the brand, buys a lot on promotion``)."""
    from promo_factory.ml.features import FEATURE_WORDS

    parts = name.split(":")
    return ", ".join(FEATURE_WORDS.get(part, (part, part))[0] for part in parts)


def uplift_reasons(learner: object, x: pd.DataFrame, top_n: int = 2) -> list[str]:
    """The ``top_n`` largest effect-term contributions (EUR) of each row in words.

    Only the interaction learner has additive terms; for any other learner the
    reason says which learner scored (no per-shopper decomposition).
    """
    if not isinstance(learner, InteractionLearner):
        return [f"scored by {type(learner).__name__} (no per-term reasons)"] * len(x)
    contributions, names = learner.contributions(x)
    if contributions.shape[0] == 0 or contributions.shape[1] == 0:
        return [""] * contributions.shape[0]
    k = min(top_n, contributions.shape[1])
    order = np.argsort(-np.abs(contributions), axis=1, kind="stable")[:, :k]
    words = np.array([term_words(n) for n in names], dtype=object)
    rows = np.arange(contributions.shape[0])[:, None]
    texts, values = words[order], contributions[rows, order]
    return ["; ".join(f"{t} ({c:+.2f} EUR)" for t, c in zip(t_row, c_row) if abs(c) >= 0.005)
            for t_row, c_row in zip(texts, values)]


DEFAULT_LEARNER = "uplift_interaction_ridge"

CANDIDATES: dict[str, Callable[[int], object]] = {
    "uplift_t_learner_hgb": lambda seed: TLearner(hgb_regressor, seed),
    "uplift_t_learner_ridge": lambda seed: TLearner(ridge_regressor, seed),
    "uplift_x_learner_hgb": lambda seed: XLearner(hgb_regressor, seed),
    "uplift_transformed_outcome_hgb": lambda seed: TransformedOutcomeLearner(hgb_regressor, seed),
    "uplift_interaction_ridge": lambda seed: InteractionLearner(seed=seed),
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
    default: str = DEFAULT_LEARNER
    # per candidate: Qini minus the default's Qini on the held-out rows, and its bootstrap 2.5 % quantile
    qini_difference: dict[str, float] = field(default_factory=dict)
    qini_difference_low: dict[str, float] = field(default_factory=dict)


def campaign_folds(campaign_id: np.ndarray, start_date: np.ndarray, n_folds: int) -> list[np.ndarray]:
    """Grouped folds: campaigns ordered by (start_date, campaign_id), campaign i goes to fold i mod n_folds.

    Each campaign is held out exactly once; folds are boolean masks of the held-out rows.
    """
    campaigns = pd.DataFrame({"campaign_id": campaign_id, "start_date": start_date})
    ordered = campaigns.drop_duplicates("campaign_id").sort_values(["start_date", "campaign_id"])["campaign_id"]
    k = min(n_folds, len(ordered))
    fold_of = {c: i % k for i, c in enumerate(ordered)}
    fold = pd.Series(campaign_id).map(fold_of).to_numpy()
    return [fold == i for i in range(k)]


class _SortedCampaign:
    """One campaign's held-out rows sorted by a learner's score, with the ends of the tied blocks."""

    def __init__(self, y: np.ndarray, w: np.ndarray, tau: np.ndarray) -> None:
        self.order = np.argsort(-tau, kind="mergesort")
        s = tau[self.order]
        self.y, self.w = y[self.order], w[self.order].astype(float)
        self.block_end = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]

    def qini(self, counts: np.ndarray) -> float:
        """`metrics.qini_coefficient` of the sample that holds row i ``counts[i]`` times (original row order)."""
        c = counts[self.order].astype(float)

        def cumulate(values: np.ndarray) -> np.ndarray:
            return np.r_[0.0, np.cumsum(values)[self.block_end]]

        n, n_t = cumulate(c), cumulate(c * self.w)
        n_c, y_t, y_c = n - n_t, cumulate(c * self.w * self.y), cumulate(c * (1 - self.w) * self.y)
        ratio = np.divide(n_t, n_c, out=np.zeros_like(n_t), where=n_c > 0)
        x, q = n / n[-1], (y_t - y_c * ratio) / n[-1]
        return float(np.trapezoid(q - x * q[-1], x))


def _bootstrap_qini(y: np.ndarray, w: np.ndarray, taus: dict[str, np.ndarray], groups: np.ndarray,
                    n_boot: int, seed: int) -> dict[str, np.ndarray]:
    """Per learner, ``n_boot`` values of the row-weighted per-campaign Qini on paired two-stage bootstrap samples.

    Two stages (a cluster bootstrap): campaigns are drawn with replacement, then
    rows with replacement within each drawn campaign, so that both the
    campaign-to-campaign variation and the shopper noise enter the interval.
    The same draw serves every learner (paired). A row resample is a vector of
    multinomial counts, so each learner sorts each campaign once.
    """
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(groups == g) for g in pd.unique(groups)]
    sorted_ = {name: [_SortedCampaign(y[rows], w[rows], tau[rows]) for rows in members] for name, tau in taus.items()}
    out = {name: np.full(n_boot, np.nan) for name in taus}
    for b in range(n_boot):
        totals = {name: 0.0 for name in taus}
        weight = 0
        for pick in rng.integers(0, len(members), len(members)):
            rows = members[pick]
            counts = rng.multinomial(len(rows), np.full(len(rows), 1.0 / len(rows)))
            w_rows = w[rows]
            if counts[w_rows == 1].sum() == 0 or counts[w_rows == 0].sum() == 0:
                continue
            weight += len(rows)
            for name in taus:
                totals[name] += sorted_[name][pick].qini(counts) * len(rows)
        if weight:
            for name in taus:
                out[name][b] = totals[name] / weight
    return out


def select_learner(
    x: pd.DataFrame, y: np.ndarray, w: np.ndarray, campaign_id: pd.Series, start_date: pd.Series,
    shopper_key: pd.Series, candidates: dict[str, Callable[[int], object]] | None = None, seed: int = SEED,
    n_folds: int = 3, default: str = DEFAULT_LEARNER, n_boot: int = 200,
) -> Selection:
    """Score every candidate on held-out campaigns; keep the default unless a challenger wins beyond the noise.

    Grouped folds by campaign (`campaign_folds`): every candidate is fitted on
    the other campaigns and predicts the held-out ones, so each campaign is
    predicted once by a model that never saw it. Metrics are pooled over the
    held-out rows (per campaign, weighted by rows). A challenger replaces the
    default when the 2.5 % quantile of its paired-bootstrap Qini difference with
    the default is above 0; among several such challengers the best mean Qini
    wins. With a single campaign, 30 % of its shoppers (by key hash) are held out.
    When ``default`` is not a candidate, the best Qini (then AUUC) is chosen.
    """
    candidates = candidates or CANDIDATES
    campaign_arr = campaign_id.to_numpy()
    if pd.unique(campaign_arr).size >= 2:
        folds = campaign_folds(campaign_arr, start_date.to_numpy(), n_folds)
        held = sorted(pd.unique(campaign_arr).tolist())
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
    groups = campaign_arr[tested]
    y_t, w_t = y_arr[tested], w_arr[tested]
    taus = {name: tau[tested] for name, tau in predictions.items()}
    scores = {name: uplift_metrics(y_t, w_t, tau, groups) for name, tau in taus.items()}

    def rank(name: str) -> tuple[float, float, str]:
        s = scores[name]
        q = s["qini_coefficient"] if np.isfinite(s["qini_coefficient"]) else -np.inf
        a = s["auuc"] if np.isfinite(s["auuc"]) else -np.inf
        return (-q, -a, name)

    difference, low = {}, {}
    if default in candidates and tested.any():
        boot = _bootstrap_qini(y_t, w_t, taus, groups, n_boot, seed)
        for name in candidates:
            diff = boot[name] - boot[default]
            difference[name] = float(scores[name]["qini_coefficient"] - scores[default]["qini_coefficient"])
            low[name] = float(np.nanquantile(diff, 0.025)) if np.isfinite(diff).any() else float("nan")
        winners = [name for name in candidates if name != default and low[name] > 0]
        chosen = sorted(winners, key=rank)[0] if winners else default
    else:
        chosen = sorted(scores, key=rank)[0]
    return Selection(chosen, scores, held, int(np.mean(train_rows)) if train_rows else 0, int(tested.sum()),
                     default, difference, low)


def fit_learner(name: str, x: pd.DataFrame, y: np.ndarray, w: np.ndarray, seed: int = SEED) -> object:
    """Fit the named candidate on all the rows given."""
    return CANDIDATES[name](seed).fit(x, np.asarray(y, float), np.asarray(w, int))
