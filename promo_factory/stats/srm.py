"""Sample-ratio mismatch (SRM) test."""

from __future__ import annotations

import math

from scipy import stats


def srm_chi_square(n_treatment: int, n_control: int, holdout_share: float) -> tuple[float, float]:
    """Pearson chi-square goodness-of-fit of the arm counts against the declared split.

    N = n_t + n_c; expected control E_c = N * h, expected treatment
    E_t = N * (1 - h) with h the declared holdout_share;
    chi2 = (n_t - E_t)^2 / E_t + (n_c - E_c)^2 / E_c, 1 degree of freedom;
    p = P(chi2_1 > chi2). Returns (chi2, p).
    Reference: Fabijan et al., "Diagnosing Sample Ratio Mismatch in Online
    Controlled Experiments", KDD 2019. NaN when N = 0 or h is not in (0, 1).
    """
    total = n_treatment + n_control
    if total <= 0 or not 0.0 < holdout_share < 1.0 or math.isnan(holdout_share):
        return float("nan"), float("nan")
    expected_c = total * holdout_share
    expected_t = total - expected_c
    chi2 = (n_treatment - expected_t) ** 2 / expected_t + (n_control - expected_c) ** 2 / expected_c
    return float(chi2), float(stats.chi2.sf(chi2, df=1))
