"""Campaign measurement: per-shopper outcomes in, `campaign_results` out.

`results.campaign_results` orchestrates the pure statistics of
`promo_factory.stats`; `verdict` holds the guard rules; `power` designs
planned campaigns (`campaign_power`).
"""

from promo_factory.measurement.power import campaign_power
from promo_factory.measurement.results import RESULT_COLUMNS, campaign_results
from promo_factory.measurement.verdict import VerdictThresholds, verdict

__all__ = ["RESULT_COLUMNS", "VerdictThresholds", "campaign_power", "campaign_results", "verdict"]
