"""Welch two-sample difference in means (unequal variances)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

NAN = float("nan")


@dataclass(frozen=True)
class DiffEstimate:
    """A difference in means (treatment - control) with its uncertainty.

    `se` is the standard error, `df` the degrees of freedom of the t
    reference distribution (`inf` for a normal reference), `ci_low`/`ci_high`
    the two-sided confidence interval at level 1 - alpha.
    """

    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float
    p_value: float


def t_interval(estimate: float, se: float, df: float, alpha: float = 0.05) -> DiffEstimate:
    """CI and two-sided p-value of `estimate` with standard error `se` on a t(df) reference.

    CI = estimate +/- t_{1-alpha/2, df} * se; p = 2 * P(T_df > |estimate / se|).
    `df = inf` gives the normal reference. A zero standard error gives a
    degenerate interval and p = 1 when the estimate is 0, else p = 0;
    a missing estimate or standard error gives NaN everywhere.
    """
    if not (math.isfinite(estimate) and math.isfinite(se)) or se < 0 or not df > 0:
        return DiffEstimate(estimate, se, df, NAN, NAN, NAN)
    if se == 0.0:
        return DiffEstimate(estimate, se, df, estimate, estimate, 1.0 if estimate == 0.0 else 0.0)
    quantile = float(stats.t.ppf(1.0 - alpha / 2.0, df)) if math.isfinite(df) else float(stats.norm.ppf(1.0 - alpha / 2.0))
    statistic = abs(estimate) / se
    p_value = float(2.0 * (stats.t.sf(statistic, df) if math.isfinite(df) else stats.norm.sf(statistic)))
    return DiffEstimate(estimate, se, df, estimate - quantile * se, estimate + quantile * se, min(p_value, 1.0))


def welch_from_moments(
    mean_t: float, var_t: float, n_t: int, mean_c: float, var_c: float, n_c: int, alpha: float = 0.05
) -> DiffEstimate:
    """Welch test from summary statistics (sample variances with ddof = 1).

    d = mean_t - mean_c;  se^2 = var_t / n_t + var_c / n_c;
    df = se^4 / ((var_t / n_t)^2 / (n_t - 1) + (var_c / n_c)^2 / (n_c - 1))
    (Welch-Satterthwaite); CI = d +/- t_{1-alpha/2, df} * se;
    p = 2 * P(T_df > |d| / se).
    Reference: Welch, B. L. (1947), Biometrika 34(1/2), 28-35.
    Fewer than 2 observations in an arm gives NaN uncertainty.
    """
    if n_t < 2 or n_c < 2:
        return DiffEstimate(mean_t - mean_c if n_t and n_c else NAN, NAN, NAN, NAN, NAN, NAN)
    term_t = var_t / n_t
    term_c = var_c / n_c
    se2 = term_t + term_c
    estimate = float(mean_t - mean_c)
    if se2 == 0.0:
        return t_interval(estimate, 0.0, math.inf, alpha)
    df = se2**2 / (term_t**2 / (n_t - 1) + term_c**2 / (n_c - 1))
    return t_interval(estimate, math.sqrt(se2), float(df), alpha)


def welch_diff(treatment: ArrayLike, control: ArrayLike, alpha: float = 0.05) -> DiffEstimate:
    """Welch difference in means of two independent samples (treatment - control).

    See `welch_from_moments` for the formulas; variances are the unbiased
    sample variances (ddof = 1).
    """
    y_t = np.asarray(treatment, dtype=float)
    y_c = np.asarray(control, dtype=float)
    n_t, n_c = y_t.size, y_c.size
    mean_t = float(y_t.mean()) if n_t else NAN
    mean_c = float(y_c.mean()) if n_c else NAN
    var_t = float(y_t.var(ddof=1)) if n_t > 1 else NAN
    var_c = float(y_c.var(ddof=1)) if n_c > 1 else NAN
    return welch_from_moments(mean_t, var_t, n_t, mean_c, var_c, n_c, alpha)
