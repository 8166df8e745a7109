"""Relative lift (delta method) and buyer-rate (proportion) lift."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

NAN = float("nan")


@dataclass(frozen=True)
class RelativeLift:
    """mean_t / mean_c - 1 with its delta-method standard error and normal CI."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ProportionDiff:
    """Difference of two proportions (treatment - control) with Wald CI and z-test p-value."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float


def relative_lift(
    mean_t: float, var_mean_t: float, mean_c: float, var_mean_c: float, alpha: float = 0.05
) -> RelativeLift:
    """Relative lift L = m_t / m_c - 1 and its delta-method CI.

    For independent arm means m_t, m_c with sampling variances
    V_t = Var(m_t) (= s_t^2 / n_t) and V_c = Var(m_c), the first-order Taylor
    expansion of the ratio gives
    Var(m_t / m_c) ~= V_t / m_c^2 + m_t^2 V_c / m_c^4,
    CI = L +/- z_{1-alpha/2} * sqrt(Var).
    Reference: Deng, Knoblich & Lu, "Applying the Delta Method in Metric
    Analytics", KDD 2018, section 3.
    Undefined (NaN) when m_c <= 0: a lift relative to a non-positive
    baseline has no meaning.
    """
    values = (mean_t, var_mean_t, mean_c, var_mean_c)
    if any(not math.isfinite(v) for v in values) or mean_c <= 0.0:
        return RelativeLift(NAN, NAN, NAN, NAN)
    estimate = mean_t / mean_c - 1.0
    variance = var_mean_t / mean_c**2 + mean_t**2 * var_mean_c / mean_c**4
    se = math.sqrt(max(variance, 0.0))
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    return RelativeLift(estimate, se, estimate - z * se, estimate + z * se)


def proportion_diff(buyers_t: int, n_t: int, buyers_c: int, n_c: int, alpha: float = 0.05) -> ProportionDiff:
    """Buyer-rate lift p_t - p_c, p = buyers / n.

    CI (Wald, unpooled): d +/- z_{1-alpha/2} sqrt(p_t (1 - p_t) / n_t + p_c (1 - p_c) / n_c).
    p-value: two-proportion z-test with the pooled rate
    p = (b_t + b_c) / (n_t + n_c), z = d / sqrt(p (1 - p) (1 / n_t + 1 / n_c)).
    Reference: Agresti, Categorical Data Analysis (3rd ed.), section 2.2.
    """
    if n_t <= 0 or n_c <= 0:
        return ProportionDiff(NAN, NAN, NAN, NAN, NAN)
    p_t = buyers_t / n_t
    p_c = buyers_c / n_c
    estimate = p_t - p_c
    se = math.sqrt(p_t * (1.0 - p_t) / n_t + p_c * (1.0 - p_c) / n_c)
    z = float(stats.norm.ppf(1.0 - alpha / 2.0))
    pooled = (buyers_t + buyers_c) / (n_t + n_c)
    se_pooled = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_t + 1.0 / n_c))
    if se_pooled == 0.0:
        p_value = 1.0 if estimate == 0.0 else 0.0
    else:
        p_value = float(2.0 * stats.norm.sf(abs(estimate) / se_pooled))
    return ProportionDiff(estimate, se, estimate - z * se, estimate + z * se, p_value)
