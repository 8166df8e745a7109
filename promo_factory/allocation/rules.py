"""Cap rules of seeds/offer_rules.csv turned into per-shopper campaign groups for the optimiser."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pandas as pd

from promo_factory.allocation.optimiser import CampaignGroup


def interval_cliques(intervals: Sequence[tuple[date, date]]) -> list[frozenset[int]]:
    """Maximal sets of intervals (inclusive) sharing a day: the maximal cliques of an interval graph.

    Every maximal clique contains a point that is some interval's start, so testing the starts suffices.
    """
    cliques = {
        frozenset(i for i, (start, end) in enumerate(intervals) if start <= point <= end)
        for point, _ in intervals
    }
    return sorted((c for c in cliques if not any(c < other for other in cliques)), key=sorted)


def campaign_groups(campaigns: pd.DataFrame, rules: pd.DataFrame) -> list[tuple[str, CampaignGroup]]:
    """(rule_id, group) for every active cap rule, campaigns indexed by their row position in `campaigns`.

    - max_concurrent_offers (param_count N): at most N offers among campaigns whose
      [start_date, end_date] windows share a day;
    - min_days_between_offers (param_days D): at most 1 offer among campaigns whose
      start dates are less than D days apart (windows [start, start + D - 1] overlapping).
    """
    active = rules[rules["is_active"].astype(bool)] if len(rules) else rules
    starts = [pd.Timestamp(d).date() for d in campaigns["start_date"]]
    ends = [pd.Timestamp(d).date() for d in campaigns["end_date"]]
    out: list[tuple[str, CampaignGroup]] = []
    for rule in active.sort_values("rule_id").itertuples():
        if rule.rule_type == "max_concurrent_offers" and pd.notna(rule.param_count):
            windows = list(zip(starts, ends))
            limit = int(rule.param_count)
        elif rule.rule_type == "min_days_between_offers" and pd.notna(rule.param_days) and rule.param_days > 0:
            windows = [(s, s + timedelta(days=int(rule.param_days) - 1)) for s in starts]
            limit = 1
        else:
            continue
        for clique in interval_cliques(windows):
            if len(clique) > limit:
                out.append((str(rule.rule_id), CampaignGroup(clique, limit)))
    return out
