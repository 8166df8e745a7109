"""CUPED: Controlled-experiment Using Pre-Experiment Data.

Reference: Deng, Xu, Kohavi & Walker, "Improving the Sensitivity of Online
Controlled Experiments by Utilizing Pre-Experiment Data", WSDM 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from promo_factory.stats.welch import DiffEstimate, welch_diff


@dataclass(frozen=True)
class CupedFit:
    """A CUPED-adjusted difference in means and the theta that produced it."""

    theta: float
    diff: DiffEstimate


def cuped_theta(outcome: ArrayLike, covariate: ArrayLike) -> float:
    """theta = cov(Y, X) / var(X), the slope that minimises var(Y - theta X).

    Computed on all units of the experiment, both arms pooled (Deng et al.
    2013, section 3.2): randomisation makes X independent of the arm, so the
    adjusted estimator stays unbiased. Returns 0 when X is constant (no
    adjustment possible) or fewer than 2 units.
    """
    y = np.asarray(outcome, dtype=float)
    x = np.asarray(covariate, dtype=float)
    if y.size != x.size:
        raise ValueError("outcome and covariate must have the same length")
    if y.size < 2:
        return 0.0
    var_x = float(x.var(ddof=1))
    if var_x == 0.0:
        return 0.0
    cov_xy = float(((x - x.mean()) * (y - y.mean())).sum() / (x.size - 1))
    return cov_xy / var_x


def cuped_adjust(outcome: ArrayLike, covariate: ArrayLike, theta: float, covariate_mean: float) -> np.ndarray:
    """Y_cv = Y - theta * (X - E[X]); E[X] is the mean over both arms.

    Centring keeps the mean of the adjusted outcome on the scale of Y.
    """
    y = np.asarray(outcome, dtype=float)
    x = np.asarray(covariate, dtype=float)
    return y - theta * (x - covariate_mean)


def cuped_variance(var_outcome: float, correlation: float) -> float:
    """Var(Y_cv) = Var(Y) * (1 - rho^2) at the optimal theta (Deng et al. 2013, eq. 4).

    rho is the correlation between the outcome Y and the covariate X.
    """
    return var_outcome * (1.0 - correlation**2)


def cuped_diff(
    outcome_t: ArrayLike,
    covariate_t: ArrayLike,
    outcome_c: ArrayLike,
    covariate_c: ArrayLike,
    alpha: float = 0.05,
) -> CupedFit:
    """CUPED difference in means: Welch test on Y_cv = Y - theta (X - mean(X)).

    theta and mean(X) are estimated on both arms pooled (`cuped_theta`);
    the estimate is mean(Y_cv | treatment) - mean(Y_cv | control), whose
    variance is Var(Y_cv,t)/n_t + Var(Y_cv,c)/n_c, each at most the
    unadjusted one up to sampling noise (Deng et al. 2013).
    """
    y_t = np.asarray(outcome_t, dtype=float)
    y_c = np.asarray(outcome_c, dtype=float)
    x_t = np.asarray(covariate_t, dtype=float)
    x_c = np.asarray(covariate_c, dtype=float)
    y_all = np.concatenate([y_t, y_c])
    x_all = np.concatenate([x_t, x_c])
    theta = cuped_theta(y_all, x_all)
    x_mean = float(x_all.mean()) if x_all.size else 0.0
    diff = welch_diff(cuped_adjust(y_t, x_t, theta, x_mean), cuped_adjust(y_c, x_c, theta, x_mean), alpha)
    return CupedFit(theta=theta, diff=diff)
