"""Pooling of independent stratum estimates (one stratum = one retailer)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from promo_factory.stats.welch import DiffEstimate, t_interval


def weighted_pool(
    estimates: Sequence[float],
    variances: Sequence[float],
    weights: Sequence[float],
    dfs: Sequence[float] | None = None,
    alpha: float = 0.05,
) -> DiffEstimate:
    """Fixed-weight pooling: theta = sum_r w_r theta_r with w_r = n_r / sum n.

    Var(theta) = sum_r w_r^2 Var(theta_r) (independent strata);
    df by Welch-Satterthwaite: df = Var^2 / sum_r (w_r^2 Var_r)^2 / df_r
    (normal reference when `dfs` is None). The contract's ALL row uses
    w_r proportional to n_treatment, which makes sum_r theta_r n_t,r =
    theta * sum_r n_t,r: the incremental EUR of the ALL row is the sum of
    the retailers'. Any missing stratum value makes the result NaN.
    Reference: Cochran, Sampling Techniques (3rd ed.), section 5.3
    (stratified estimator); Satterthwaite (1946), Biometrics Bulletin 2(6).
    """
    est = np.asarray(estimates, dtype=float)
    var = np.asarray(variances, dtype=float)
    w = np.asarray(weights, dtype=float)
    if est.size == 0 or w.sum() <= 0:
        return DiffEstimate(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    share = w / w.sum()
    estimate = float((share * est).sum())
    parts = share**2 * var
    variance = float(parts.sum())
    if dfs is None:
        df = math.inf
    else:
        d = np.asarray(dfs, dtype=float)
        denominator = float((parts**2 / d).sum())
        df = variance**2 / denominator if denominator > 0 else math.inf
    se = math.sqrt(variance) if variance >= 0 else math.nan
    return t_interval(estimate, se, df, alpha)


def inverse_variance_pool(
    estimates: Sequence[float], variances: Sequence[float], alpha: float = 0.05
) -> DiffEstimate:
    """Fixed-effect meta-analysis: theta = sum w_r theta_r / sum w_r, w_r = 1 / Var_r.

    Var(theta) = 1 / sum_r w_r; normal CI. The minimum-variance combination
    when every stratum estimates the same effect; strata with a zero or
    missing variance are rejected (NaN result).
    Reference: Borenstein et al., Introduction to Meta-Analysis (2009), ch. 11.
    """
    est = np.asarray(estimates, dtype=float)
    var = np.asarray(variances, dtype=float)
    if est.size == 0 or not np.all(np.isfinite(var)) or np.any(var <= 0):
        return DiffEstimate(math.nan, math.nan, math.nan, math.nan, math.nan, math.nan)
    w = 1.0 / var
    estimate = float((w * est).sum() / w.sum())
    return t_interval(estimate, math.sqrt(1.0 / float(w.sum())), math.inf, alpha)
