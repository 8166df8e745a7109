"""Vectorised text formatting with pyarrow compute (no Python loop per line)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def join(*parts: pa.Array | str) -> pa.Array:
    """Element-wise concatenation of string arrays and scalars."""
    return pc.binary_join_element_wise(*parts, "")


def integers(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def fixed(values: np.ndarray, decimals: int, separator: str) -> pa.Array:
    """Integers in units of 10^-decimals written with ``decimals`` decimals: 349 -> '3,49'."""
    values = np.asarray(values, dtype=np.int64)
    scale = 10**decimals
    magnitude = np.abs(values)
    sign = pa.array(np.where(values < 0, "-", ""))
    whole = integers(magnitude // scale)
    fraction = pc.utf8_lpad(integers(magnitude % scale), width=decimals, padding="0")
    return join(sign, whole, separator, fraction)


def strftime(epoch_seconds: np.ndarray, pattern: str) -> pa.Array:
    """Format naive epoch seconds (wall clock) with a strftime pattern."""
    stamps = pa.array(np.asarray(epoch_seconds, dtype=np.int64).astype("datetime64[s]"))
    return pc.strftime(stamps, format=pattern)


def where(mask: np.ndarray, then: pa.Array | str, otherwise: pa.Array | str) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), then, otherwise)


def take(values: np.ndarray | list, index: np.ndarray) -> pa.Array:
    """values[index] as a pyarrow string array (values: per-entity strings)."""
    return pc.take(pa.array(values, type=pa.string()), pa.array(np.asarray(index, dtype=np.int64)))
