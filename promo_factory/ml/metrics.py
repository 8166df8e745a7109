"""Model quality metrics, implemented from their definitions (no scoring library).

Classification (propensity): AUC, log loss, Brier score, calibration slope,
top-decile lift. Uplift (treatment effect ranking): Qini curve and coefficient,
uplift curve and AUUC, uplift@k.

Conventions
-----------
- ``y`` is the outcome (0/1 for classification, any real number for uplift),
  ``score`` the model's prediction, ``treated`` a 0/1 treatment indicator.
- Ranking metrics sort by decreasing score. Tied scores are treated as one
  block: curves are only evaluated at the end of a block of ties, so the result
  does not depend on the order of the input rows.
- Every function returns ``nan`` when the metric is undefined (e.g. AUC with a
  single class).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

_EPS = 1e-15


def _as_float(values: ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float).ravel()


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, ties receiving the mean of the ranks they span."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=float)
    block_start = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
    block_end = np.r_[block_start[1:], len(values)]
    for start, end in zip(block_start, block_end):
        ranks[order[start:end]] = (start + 1 + end) / 2.0
    return ranks


# --------------------------------------------------------------------------- classification


def auc(y: ArrayLike, score: ArrayLike) -> float:
    """Area under the ROC curve, as the Mann-Whitney statistic.

    AUC = (sum of the ranks of the positives - n1 (n1 + 1) / 2) / (n1 n0),
    ranks averaged over ties (a tie between a positive and a negative counts 1/2).
    """
    y_arr, s_arr = _as_float(y), _as_float(score)
    n1 = float(np.sum(y_arr == 1))
    n0 = float(np.sum(y_arr == 0))
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = _average_ranks(s_arr)
    return float((ranks[y_arr == 1].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def log_loss(y: ArrayLike, probability: ArrayLike) -> float:
    """Mean negative log-likelihood: -mean(y log p + (1 - y) log(1 - p)), p clipped to [1e-15, 1 - 1e-15]."""
    y_arr = _as_float(y)
    p = np.clip(_as_float(probability), _EPS, 1 - _EPS)
    if len(y_arr) == 0:
        return float("nan")
    return float(-np.mean(y_arr * np.log(p) + (1 - y_arr) * np.log(1 - p)))


def brier(y: ArrayLike, probability: ArrayLike) -> float:
    """Brier score: mean((p - y)^2)  (Brier 1950)."""
    y_arr, p = _as_float(y), _as_float(probability)
    if len(y_arr) == 0:
        return float("nan")
    return float(np.mean((p - y_arr) ** 2))


def calibration_slope(y: ArrayLike, probability: ArrayLike, max_iter: int = 100) -> float:
    """Slope b of the logistic recalibration model logit P(y=1) = a + b logit(p)  (Cox 1958).

    Fitted by unpenalised Newton-Raphson. 1 = well calibrated; < 1 = predictions
    too extreme (over-fitting); > 1 = predictions too timid.
    """
    y_arr = _as_float(y)
    p = np.clip(_as_float(probability), 1e-9, 1 - 1e-9)
    if len(y_arr) == 0 or y_arr.min() == y_arr.max():
        return float("nan")
    x = np.log(p / (1 - p))
    if np.ptp(x) == 0:
        return float("nan")
    design = np.column_stack([np.ones_like(x), x])
    beta = np.array([0.0, 1.0])
    for _ in range(max_iter):
        eta = np.clip(design @ beta, -35, 35)
        mu = 1.0 / (1.0 + np.exp(-eta))
        weight = mu * (1 - mu)
        gradient = design.T @ (y_arr - mu)
        hessian = design.T @ (design * weight[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            return float("nan")
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[1])


def top_decile_lift(y: ArrayLike, score: ArrayLike, fraction: float = 0.1) -> float:
    """Positive rate among the top ``fraction`` by score divided by the overall positive rate.

    The top group holds ceil(fraction x n) rows; ties at its boundary enter
    with their block's average rate, so row order never matters.
    """
    y_arr, s_arr = _as_float(y), _as_float(score)
    n = len(y_arr)
    base = y_arr.mean() if n else 0.0
    if n == 0 or base == 0:
        return float("nan")
    k = int(np.ceil(fraction * n))
    return float(_top_k_sum(y_arr, s_arr, k) / k / base)


def _top_k_sum(values: np.ndarray, score: np.ndarray, k: int) -> float:
    """Sum of ``values`` over the k highest scores, sharing a tied block pro rata."""
    order = np.argsort(-score, kind="mergesort")
    sorted_score, sorted_values = score[order], values[order]
    threshold = sorted_score[k - 1]
    above = sorted_score > threshold
    tied = sorted_score == threshold
    needed = k - int(above.sum())
    return float(sorted_values[above].sum() + needed * sorted_values[tied].mean())


# --------------------------------------------------------------------------- uplift


@dataclass(frozen=True)
class UpliftCurve:
    """Cumulative counts after each block of tied scores, highest scores first.

    ``n`` rows targeted so far, of which ``n_t`` treated and ``n_c`` control;
    ``y_t`` / ``y_c`` the sums of their outcomes. Index 0 is the origin (nothing targeted).
    """

    n: np.ndarray
    n_t: np.ndarray
    n_c: np.ndarray
    y_t: np.ndarray
    y_c: np.ndarray


def uplift_curve_counts(y: ArrayLike, treated: ArrayLike, score: ArrayLike) -> UpliftCurve:
    """Cumulative treated / control counts and outcome sums by decreasing score."""
    y_arr, w, s = _as_float(y), _as_float(treated), _as_float(score)
    order = np.argsort(-s, kind="mergesort")
    y_arr, w, s = y_arr[order], w[order], s[order]
    block_end = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1] if len(s) else np.array([], dtype=int)

    def cumulate(values: np.ndarray) -> np.ndarray:
        return np.r_[0.0, np.cumsum(values)[block_end]] if len(s) else np.array([0.0])

    return UpliftCurve(
        n=cumulate(np.ones_like(w)),
        n_t=cumulate(w),
        n_c=cumulate(1 - w),
        y_t=cumulate(y_arr * w),
        y_c=cumulate(y_arr * (1 - w)),
    )


def qini_curve(y: ArrayLike, treated: ArrayLike, score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Qini curve (Radcliffe 2007): x = fraction targeted, q = incremental outcome per head of population.

    Q(k) = Y_T(k) - Y_C(k) x N_T(k) / N_C(k)  (0 when N_C(k) = 0), divided by the
    population size N so that the curve is in outcome units per shopper.
    """
    c = uplift_curve_counts(y, treated, score)
    total = c.n[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(c.n_c > 0, c.n_t / np.where(c.n_c > 0, c.n_c, 1.0), 0.0)
    q = c.y_t - c.y_c * ratio
    return c.n / total, q / total


def qini_coefficient(y: ArrayLike, treated: ArrayLike, score: ArrayLike) -> float:
    """Area between the Qini curve and the random-targeting line, x in [0, 1] (trapezoids).

    The random line joins (0, 0) to (1, Q(N) / N). Positive = the model ranks
    responders to the treatment before the others; 0 = no better than random.
    Unnormalised (outcome units per shopper) so it is defined for continuous outcomes.
    """
    x, q = qini_curve(y, treated, score)
    if len(x) < 2:
        return float("nan")
    return float(np.trapezoid(q - x * q[-1], x))


def uplift_curve(y: ArrayLike, treated: ArrayLike, score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Uplift curve: x = fraction targeted, u = (mean_T(k) - mean_C(k)) x k / N.

    The difference in means is taken as 0 while one arm is still empty.
    """
    c = uplift_curve_counts(y, treated, score)
    total = c.n[-1]
    safe_t = np.where(c.n_t > 0, c.n_t, 1.0)
    safe_c = np.where(c.n_c > 0, c.n_c, 1.0)
    diff = np.where((c.n_t > 0) & (c.n_c > 0), c.y_t / safe_t - c.y_c / safe_c, 0.0)
    return c.n / total, diff * c.n / total


def auuc(y: ArrayLike, treated: ArrayLike, score: ArrayLike) -> float:
    """Area under the uplift curve, x in [0, 1] (trapezoids), outcome units per shopper."""
    x, u = uplift_curve(y, treated, score)
    if len(x) < 2:
        return float("nan")
    return float(np.trapezoid(u, x))


def uplift_at_k(y: ArrayLike, treated: ArrayLike, score: ArrayLike, fraction: float = 0.1) -> float:
    """Mean outcome of the treated minus mean outcome of the controls among the top ``fraction`` by score.

    The top group holds ceil(fraction x n) rows; a tied block at its boundary
    enters whole (both arms need rows). nan if one arm is empty in the group.
    """
    y_arr, w, s = _as_float(y), _as_float(treated), _as_float(score)
    n = len(y_arr)
    if n == 0:
        return float("nan")
    k = int(np.ceil(fraction * n))
    threshold = np.sort(s)[::-1][k - 1]
    top = s >= threshold
    in_t, in_c = top & (w == 1), top & (w == 0)
    if not in_t.any() or not in_c.any():
        return float("nan")
    return float(y_arr[in_t].mean() - y_arr[in_c].mean())
