"""A minimal column store: a dict of equally long numpy arrays."""

from __future__ import annotations

import numpy as np

Table = dict[str, np.ndarray]


def take(table: Table, index: np.ndarray) -> Table:
    """Rows ``index`` (integer positions or a boolean mask) of every column."""
    return {name: column[index] for name, column in table.items()}


def concat(tables: list[Table]) -> Table:
    """Stack tables with the same columns."""
    tables = [t for t in tables if t]
    if not tables:
        return {}
    names = list(tables[0])
    return {name: np.concatenate([t[name] for t in tables]) for name in names}


def length(table: Table) -> int:
    return int(next(iter(table.values())).size) if table else 0
