"""Dagster orchestration of promo_factory: `dagster dev -m orchestration` loads `defs`."""

from orchestration.definitions import defs

__all__ = ["defs"]
