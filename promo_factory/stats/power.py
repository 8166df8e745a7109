"""Power analysis for a two-arm difference in means."""

from __future__ import annotations

import math

from scipy import stats


def _z_total(alpha: float, power: float) -> float:
    return float(stats.norm.ppf(1.0 - alpha / 2.0) + stats.norm.ppf(power))


def minimum_detectable_effect(
    sd: float, n_treatment: float, n_control: float, alpha: float = 0.05, power: float = 0.8
) -> float:
    """MDE = (z_{1-alpha/2} + z_{power}) * sigma * sqrt(1 / n_t + 1 / n_c).

    The smallest true difference in means a two-sided test at level alpha
    detects with probability `power` (normal approximation, common sigma).
    Reference: Kohavi, Tang & Xu, Trustworthy Online Controlled Experiments
    (2020), ch. 17; Cohen, Statistical Power Analysis (1988).
    NaN when an arm is empty or sigma is missing.
    """
    if n_treatment <= 0 or n_control <= 0 or not math.isfinite(sd):
        return math.nan
    return _z_total(alpha, power) * sd * math.sqrt(1.0 / n_treatment + 1.0 / n_control)


def required_holdout_share(
    sd: float, n_total: float, effect: float, alpha: float = 0.05, power: float = 0.8
) -> float:
    """Smallest holdout share h such that the MDE with N units equals `effect`.

    Solving effect = (z_a + z_b) sigma sqrt(1 / (N (1 - h)) + 1 / (N h)):
    h (1 - h) = 1 / K with K = N effect^2 / ((z_a + z_b)^2 sigma^2), so
    h = (1 - sqrt(1 - 4 / K)) / 2 (the root below 1/2: the fewest shoppers
    kept out of the offer). NaN when K < 4, i.e. even a 50/50 split cannot
    detect `effect` with N units; 0 when sigma = 0.
    """
    if n_total <= 0 or effect <= 0 or not math.isfinite(sd) or not math.isfinite(effect):
        return math.nan
    if sd == 0.0:
        return 0.0
    k = n_total * effect**2 / (_z_total(alpha, power) ** 2 * sd**2)
    if k < 4.0:
        return math.nan
    return (1.0 - math.sqrt(1.0 - 4.0 / k)) / 2.0
