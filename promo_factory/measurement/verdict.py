"""Guard rules: when a measured lift must not be read as if nothing were wrong.

Rules, first that applies wins (most severe first):
1. `srm_failure`  the SRM chi-square p-value is below `srm_alpha` (0.001):
   the arms were not drawn as declared, the comparison is not randomised.
2. `contaminated` contaminated redemptions (redemptions by control
   shoppers) exceed `max_contamination_share` (10 %) of the control shoppers:
   the control arm was partly treated, ITT is biased towards zero.
3. `underpowered` an arm holds fewer than `min_shoppers_per_arm` (30)
   shoppers, or the estimate's skewness (`promo_factory.stats.skewness`:
   outcome skewness x arm imbalance) exceeds `max_estimate_skewness` (0.2,
   Cochran's bound): the normal approximation behind the Welch CI is not
   trusted. On the generator's zero-inflated outcome, rows with a skewness
   beyond 0.3 have Welch CIs covering the true effect 86-90 % of the time
   instead of 95 % (README, "Measured quality").
4. `ok`.
The pooled ALL row takes the most severe of its own verdict and its
retailers' verdicts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

VERDICTS: tuple[str, ...] = ("srm_failure", "contaminated", "underpowered", "ok")


@dataclass(frozen=True)
class VerdictThresholds:
    """Documented thresholds of the guard rules."""

    srm_alpha: float = 0.001
    max_contamination_share: float = 0.10
    min_shoppers_per_arm: int = 30
    max_estimate_skewness: float = 0.2


def contamination_share(contaminated_redemptions: int, n_control: int) -> float:
    """Contaminated redemptions per control shopper (NaN without control shoppers)."""
    return contaminated_redemptions / n_control if n_control > 0 else math.nan


def verdict(
    srm_p_value: float,
    contaminated_redemptions: int,
    n_treatment: int,
    n_control: int,
    thresholds: VerdictThresholds = VerdictThresholds(),
    estimate_skewness: float = math.nan,
) -> str:
    """The verdict of one campaign x retailer row (rules in the module docstring)."""
    if not math.isnan(srm_p_value) and srm_p_value < thresholds.srm_alpha:
        return "srm_failure"
    share = contamination_share(contaminated_redemptions, n_control)
    if contaminated_redemptions > 0 and (math.isnan(share) or share > thresholds.max_contamination_share):
        return "contaminated"
    if min(n_treatment, n_control) < thresholds.min_shoppers_per_arm:
        return "underpowered"
    if abs(estimate_skewness) > thresholds.max_estimate_skewness:
        return "underpowered"
    return "ok"


def most_severe(verdicts: Iterable[str]) -> str:
    """The first of `VERDICTS` present in `verdicts` (`ok` when empty)."""
    present = set(verdicts)
    return next((v for v in VERDICTS if v in present), "ok")
