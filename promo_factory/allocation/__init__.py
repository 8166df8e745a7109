"""Offer allocation: business-rule caps, exact optimisation across planned campaigns, random holdout."""

from promo_factory.allocation.allocate import ALLOCATION_VERSION, AllocationResult, allocate_offers
from promo_factory.allocation.audience import audience_capacity, draw_holdout, holdout_count
from promo_factory.allocation.optimiser import CampaignGroup, SolveStats, solve_allocation

__all__ = [
    "ALLOCATION_VERSION", "AllocationResult", "CampaignGroup", "SolveStats", "allocate_offers",
    "audience_capacity", "draw_holdout", "holdout_count", "solve_allocation",
]
