"""Pure statistics for causal campaign measurement.

Every function takes numbers or numpy arrays and returns numbers or small
frozen dataclasses: no I/O, no DataFrames, no warehouse. Each docstring
states its formula and reference.

- `welch`: difference in means, Welch-Satterthwaite CI and p-value.
- `cuped`: CUPED variance reduction (Deng, Xu, Kohavi & Walker, WSDM 2013).
- `srm`: sample-ratio mismatch chi-square test.
- `lift`: relative lift (delta method) and buyer-rate (proportion) lift.
- `pooling`: n-weighted and inverse-variance pooling of stratum estimates.
- `power`: minimum detectable effect and required holdout share.
- `skewness`: skewness of a difference in means (when a Welch interval is not trusted).
- `skew_adjusted`: Hall's skewness-corrected interval for a difference in means.
"""

from promo_factory.stats.cuped import CupedFit, cuped_adjust, cuped_diff, cuped_theta, cuped_variance
from promo_factory.stats.lift import ProportionDiff, RelativeLift, proportion_diff, relative_lift
from promo_factory.stats.pooling import inverse_variance_pool, weighted_pool
from promo_factory.stats.power import minimum_detectable_effect, required_holdout_share
from promo_factory.stats.skew_adjusted import hall_inverse, skew_adjusted_interval
from promo_factory.stats.skewness import DiffShape, diff_shape, pooled_shape
from promo_factory.stats.srm import srm_chi_square
from promo_factory.stats.welch import DiffEstimate, welch_diff, welch_from_moments

__all__ = [
    "CupedFit",
    "DiffEstimate",
    "DiffShape",
    "ProportionDiff",
    "RelativeLift",
    "cuped_adjust",
    "cuped_diff",
    "cuped_theta",
    "cuped_variance",
    "diff_shape",
    "inverse_variance_pool",
    "minimum_detectable_effect",
    "pooled_shape",
    "proportion_diff",
    "relative_lift",
    "required_holdout_share",
    "hall_inverse",
    "skew_adjusted_interval",
    "srm_chi_square",
    "weighted_pool",
    "welch_diff",
    "welch_from_moments",
]
