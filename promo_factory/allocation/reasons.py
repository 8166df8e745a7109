"""Reasons of an allocation, in words."""

from __future__ import annotations

from collections.abc import Sequence


def treatment_reason(
    expected_eur: float, rank: int, eligible: int, drivers: str | None, rules: Sequence[tuple[str, str]]
) -> str:
    """E.g. `expected +3.20 EUR incremental sales if offered (rank 12 of 840 eligible); drivers: ...; rules: ...`."""
    parts = [f"expected {expected_eur:+.2f} EUR incremental sales if offered (rank {rank} of {eligible} eligible)"]
    if isinstance(drivers, str) and drivers:
        parts.append(f"drivers: {drivers}")
    if rules:
        parts.append("rules applied: " + "; ".join(f"{rid} {text}" for rid, text in rules))
    return "; ".join(parts)


def holdout_reason(holdout_share: float, seed: int, chosen_reason: str) -> str:
    """Why a chosen shopper gets no offer: the random holdout, then why they were chosen."""
    return (
        f"random holdout ({holdout_share:.1%} of the chosen audience, seed {seed}): no offer, kept to measure "
        f"the campaign; chosen because {chosen_reason}"
    )
