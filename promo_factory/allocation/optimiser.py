"""Exact offer allocation: which shopper x campaign pairs to offer, across all planned campaigns at once.

Problem (a weighted bipartite b-matching with side constraints)::

    maximise    sum_{(s, c)} v_sc x_sc                       x_sc in {0, 1}
    subject to  sum_s x_sc <= K_c                            for every campaign c (audience size)
                sum_{c in g} x_sc <= L_g                     for every shopper s and every group g

v_sc is the expected incremental sales of offering campaign c to shopper s
(pairs with v_sc <= 0 are never chosen); a group g is a set of campaigns of
which a shopper may receive at most L_g (campaigns running at the same time,
campaigns starting too close to each other).

The solution is proven optimal, in four steps:

1. **Safe pruning.** Let L_c be the smallest limit of a group holding c. Some
   optimal solution only uses, for c, its N_c = K_c + floor(sum_{c' != c} K_c' / L_c)
   best pairs: if a chosen shopper s were outside that list, at most K_c - 1
   other listed shoppers hold c and at most sum_{c' != c} K_c' / L_c are blocked
   by a full group (each uses L_c offers of other campaigns), so a listed
   shopper t is free for c with v_tc >= v_sc, and swapping s for t loses nothing.
   Campaigns that share no group are solved separately.
2. **Lagrangian bound.** Relaxing the campaign capacities with prices
   lambda_c >= 0, each shopper picks its best feasible set of campaigns
   ("pattern") p for sum_{c in p} (v_sc - lambda_c), and
   U(lambda) = sum_c K_c lambda_c + sum_s max(0, max_p ...) bounds every
   allocation from above. lambda is found by exact coordinate minimisation
   (lambda_c = the K_c-th largest gain of c over the shopper's best pattern without c).
3. **Incumbent.** The shoppers' best patterns, trimmed to the capacities
   (lowest values dropped), then topped up greedily: a feasible allocation of
   value Z.
4. **Reduced-cost fixing + integer programme.** A shopper whose best pattern
   beats its second best by more than U - Z keeps its best pattern in every
   allocation better than the incumbent (leaving it costs at least that margin
   against the bound). The remaining shoppers are solved exactly by
   scipy.optimize.milp (HiGHS branch and cut) on the residual capacities; the
   better of that and the incumbent is optimal.

Tested against brute force on small instances (tests/python/test_allocation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

MAX_PATTERN_CAMPAIGNS = 12
_TOL = 1e-9


@dataclass(frozen=True)
class CampaignGroup:
    """At most `limit` offers per shopper among the campaigns (indices) in `campaigns`."""

    campaigns: frozenset[int]
    limit: int


@dataclass(frozen=True)
class SolveStats:
    """What the solver did, for logs and benchmarks."""

    candidate_pairs: int
    pruned_pairs: int
    free_pairs: int
    upper_bound: float
    objective: float


def pruning_depth(capacity: np.ndarray, groups: Sequence[CampaignGroup]) -> np.ndarray:
    """N_c = K_c + floor(sum_{c' != c} K_c' / L_c), or K_c when no group holds c (module docstring)."""
    capacity = np.asarray(capacity, dtype=np.int64)
    total = int(capacity.sum())
    depth = capacity.copy()
    for c in range(len(capacity)):
        limits = [g.limit for g in groups if c in g.campaigns]
        if limits:
            depth[c] = capacity[c] + (total - int(capacity[c])) // max(1, min(limits))
    return depth


def _top_per_campaign(campaign: np.ndarray, value: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Sorted positions of `keep[c]` highest values of each campaign (ties at the cut: a deterministic choice)."""
    picked = []
    for c in range(len(keep)):
        rows = np.flatnonzero(campaign == c)
        k = int(keep[c])
        if len(rows) > k:
            rows = rows[np.argpartition(-value[rows], k - 1)[:k]] if k > 0 else rows[:0]
        picked.append(rows)
    return np.sort(np.concatenate(picked)) if picked else np.array([], dtype=np.int64)


def _components(n_campaigns: int, groups: Sequence[CampaignGroup]) -> list[list[int]]:
    """Campaigns linked by shared groups (union-find), each list sorted."""
    parent = list(range(n_campaigns))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for group in groups:
        members = sorted(group.campaigns)
        for other in members[1:]:
            parent[find(other)] = find(members[0])
    found: dict[int, list[int]] = {}
    for c in range(n_campaigns):
        found.setdefault(find(c), []).append(c)
    return list(found.values())


def _feasible_patterns(k: int, groups: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """Boolean matrix (patterns x k) of the non-empty campaign sets every group allows."""
    masks = np.arange(1, 1 << k)
    bits = ((masks[:, None] >> np.arange(k)) & 1).astype(bool)
    ok = np.ones(len(masks), dtype=bool)
    for members, limit in groups:
        ok &= bits[:, members].sum(axis=1) <= limit
    return bits[ok]


def _pattern_values(values: np.ndarray, present: np.ndarray, patterns: np.ndarray) -> np.ndarray:
    """Value of each (shopper, pattern); -inf when the pattern uses a campaign the shopper lacks."""
    out = values @ patterns.T.astype(np.float64)
    allowed = (present.astype(np.int32) @ patterns.T.astype(np.int32)) == patterns.sum(axis=1)
    return np.where(allowed, out, -np.inf)


def _solve_milp(
    values: np.ndarray, present: np.ndarray, capacity: np.ndarray, groups: Sequence[tuple[np.ndarray, int]]
) -> np.ndarray:
    """Exact x (shoppers x campaigns, bool) by HiGHS on the direct formulation."""
    shopper_idx, campaign_idx = np.nonzero(present)
    n = len(shopper_idx)
    if n == 0:
        return np.zeros_like(present)
    rows = [campaign_idx]
    cols = [np.arange(n)]
    upper = [capacity.astype(np.float64)]
    next_row = len(capacity)
    for members, limit in groups:
        in_group = np.flatnonzero(np.isin(campaign_idx, members))
        counts = np.bincount(shopper_idx[in_group], minlength=present.shape[0])
        binding = in_group[counts[shopper_idx[in_group]] > limit]
        if len(binding) == 0:
            continue
        _, row_of = np.unique(shopper_idx[binding], return_inverse=True)
        rows.append(next_row + row_of)
        cols.append(binding)
        upper.append(np.full(int(row_of.max()) + 1, float(limit)))
        next_row += int(row_of.max()) + 1
    matrix = sparse.csr_array(
        (np.ones(sum(len(r) for r in rows)), (np.concatenate(rows), np.concatenate(cols))), shape=(next_row, n)
    )
    # HiGHS presolve (probing on many small set-packing rows) is far slower than the solve itself here.
    result = milp(
        c=-values[shopper_idx, campaign_idx],
        integrality=np.ones(n),
        bounds=(0, 1),
        constraints=LinearConstraint(matrix, -np.inf, np.concatenate(upper)),
        options={"presolve": False},
    )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"allocation solver did not prove optimality: {result.message}")
    x = np.zeros_like(present)
    x[shopper_idx, campaign_idx] = result.x > 0.5
    return x


def _greedy_fill(
    x: np.ndarray, values: np.ndarray, present: np.ndarray, capacity: np.ndarray,
    groups: Sequence[tuple[np.ndarray, int]],
) -> np.ndarray:
    """Trim x to the capacities (lowest values out), then add the best feasible pairs campaign by campaign."""
    x = x.copy()
    for c in range(x.shape[1]):
        holders = np.flatnonzero(x[:, c])
        excess = len(holders) - int(capacity[c])
        if excess > 0:
            drop = holders[np.lexsort((holders, values[holders, c]))[:excess]]
            x[drop, c] = False
    for c in np.argsort(-capacity, kind="stable"):
        room = int(capacity[c]) - int(x[:, c].sum())
        if room <= 0:
            continue
        can = present[:, c] & ~x[:, c] & (values[:, c] > 0)
        for members, limit in groups:
            if c in members:
                can &= x[:, members].sum(axis=1) < limit
        candidates = np.flatnonzero(can)
        best = candidates[np.lexsort((candidates, -values[candidates, c]))[:room]]
        x[best, c] = True
    return x


def _solve_component(
    values: np.ndarray, present: np.ndarray, capacity: np.ndarray, groups: Sequence[tuple[np.ndarray, int]],
    max_rounds: int = 30,
) -> tuple[np.ndarray, float, int]:
    """Exact allocation of one component (shoppers x campaigns matrices). Returns x, upper bound, free pairs."""
    n_shoppers, k = values.shape
    if k > MAX_PATTERN_CAMPAIGNS:
        x = _solve_milp(values, present, capacity, groups)
        return x, float(values[x].sum()), int(present.sum())
    patterns = _feasible_patterns(k, groups)
    base = _pattern_values(values, present, patterns)
    price = np.zeros(k)
    # Patterns x shoppers, so that selecting the patterns with / without c copies contiguous rows.
    reduced = np.ascontiguousarray(base.T)
    with_rows = [np.flatnonzero(patterns[:, c]) for c in range(k)]
    without_rows = [np.flatnonzero(~patterns[:, c]) for c in range(k)]
    for _ in range(max_rounds):
        previous = price.copy()
        for c in range(k):
            best_with = reduced[with_rows[c]].max(axis=0) + price[c]
            best_without = np.zeros(n_shoppers)
            if len(without_rows[c]):
                best_without = np.maximum(best_without, reduced[without_rows[c]].max(axis=0))
            gain = np.sort((best_with - best_without)[np.isfinite(best_with)])[::-1]
            cap = int(capacity[c])
            new_price = 0.0
            if np.sum(gain > 0) > cap:
                upper_gain = gain[cap - 1] if cap > 0 else gain[0]
                new_price = max(0.0, (upper_gain + gain[cap]) / 2)
            reduced[with_rows[c]] -= new_price - price[c]
            price[c] = new_price
        if np.max(np.abs(price - previous)) <= 1e-9 * max(1.0, float(np.max(np.abs(price)))):
            break
    reduced = base - (patterns.astype(np.float64) @ price)[None, :]
    scored = np.concatenate([np.zeros((n_shoppers, 1)), reduced], axis=1)  # column 0 = no offer
    order = np.argsort(-scored, axis=1, kind="stable")
    best_col = order[:, 0]
    best = scored[np.arange(n_shoppers), best_col]
    second = scored[np.arange(n_shoppers), order[:, 1]] if scored.shape[1] > 1 else np.full(n_shoppers, -np.inf)
    bound = float(capacity @ price + best.sum())

    chosen_patterns = np.zeros((n_shoppers, k), dtype=bool)
    has_offer = best_col > 0
    chosen_patterns[has_offer] = patterns[best_col[has_offer] - 1]
    incumbent = _greedy_fill(chosen_patterns, values, present, capacity, groups)
    incumbent_value = float(values[incumbent].sum())
    gap = bound - incumbent_value
    if gap <= _TOL * max(1.0, abs(bound)):
        return incumbent, bound, 0

    fixed = (best - second) > gap + _TOL * max(1.0, abs(bound))
    residual = capacity - chosen_patterns[fixed].sum(axis=0)
    if np.any(residual < 0):
        # No allocation better than the incumbent can keep every fixed shopper: the incumbent is optimal.
        return incumbent, bound, 0
    free = np.flatnonzero(~fixed)
    x_free = _solve_milp(values[free], present[free], residual, groups)
    candidate = np.zeros_like(present)
    candidate[fixed] = chosen_patterns[fixed]
    candidate[free] = x_free
    if float(values[candidate].sum()) >= incumbent_value:
        return candidate, bound, int(present[free].sum())
    return incumbent, bound, int(present[free].sum())


def solve_allocation(
    shopper: np.ndarray,
    campaign: np.ndarray,
    value: np.ndarray,
    capacity: np.ndarray,
    groups: Sequence[CampaignGroup] = (),
) -> tuple[np.ndarray, SolveStats]:
    """Choose the pairs maximising total value under the campaign capacities and per-shopper groups.

    shopper, campaign: integer codes (campaign codes index `capacity`), one row per
    distinct (shopper, campaign) pair; value: the objective weight of each pair.
    Returns a boolean mask over the input pairs and solve statistics. Deterministic
    for the same inputs in the same order.
    """
    shopper = np.asarray(shopper, dtype=np.int64)
    campaign = np.asarray(campaign, dtype=np.int64)
    value = np.asarray(value, dtype=np.float64)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    chosen = np.zeros(len(value), dtype=bool)
    groups = [g for g in groups if len(g.campaigns) > g.limit]

    positive = np.flatnonzero(value > 0)
    kept = positive[_top_per_campaign(campaign[positive], value[positive], pruning_depth(capacity, groups))]
    bound_total = 0.0
    free_total = 0
    for members in _components(len(capacity), groups):
        local = {c: i for i, c in enumerate(members)}
        in_component = kept[np.isin(campaign[kept], members)]
        if len(in_component) == 0:
            continue
        shopper_codes, row = np.unique(shopper[in_component], return_inverse=True)
        lookup = np.full(len(capacity), -1, dtype=np.int64)
        lookup[members] = np.arange(len(members))
        col = lookup[campaign[in_component]]
        values = np.zeros((len(shopper_codes), len(members)))
        present = np.zeros_like(values, dtype=bool)
        values[row, col] = value[in_component]
        present[row, col] = True
        local_groups = [
            (np.array(sorted(local[c] for c in g.campaigns)), g.limit)
            for g in groups
            if set(g.campaigns) <= set(members)
        ]
        x, bound, free = _solve_component(values, present, capacity[members], local_groups)
        chosen[in_component] = x[row, col]
        bound_total += bound
        free_total += free
    stats = SolveStats(len(positive), len(kept), free_total, bound_total, float(value[chosen].sum()))
    return chosen, stats
