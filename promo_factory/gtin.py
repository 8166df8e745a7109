"""GTIN helpers (GS1 General Specifications, section 7.9: check digit calculation).

A GTIN is 8, 12, 13 or 14 digits whose last digit is a check digit: weights
3, 1, 3, 1, ... are applied from the right to the digits *before* the check
digit, and the check digit is ``(10 - sum % 10) % 10``. Left-padding with
zeros changes neither the sum nor the product, so every padding of the same
digits is the same GTIN; the project stores the 14-digit form.

Scalar functions take text; the ``*_array`` variants take numpy int64 arrays
of the digits *without* the check digit and are used by the generator.
"""

from __future__ import annotations

import numpy as np

GTIN_LENGTH = 14


def check_digit(body: str) -> int:
    """GS1 check digit of ``body`` (the digits before the check digit)."""
    if not body.isdigit():
        raise ValueError(f"not digits: {body!r}")
    total = sum(int(digit) * (3 if position % 2 == 0 else 1) for position, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def with_check_digit(body: str) -> str:
    """``body`` followed by its GS1 check digit."""
    return body + str(check_digit(body))


def is_valid(text: str | None) -> bool:
    """True when ``text`` (spaces ignored) is 1-14 digits with a correct check digit."""
    return normalise(text) is not None


def normalise(text: str | None) -> str | None:
    """The 14-digit GTIN of ``text``, or None when it is not a valid GTIN.

    Rules (docs/CONVENTIONS.md): strip spaces; 1-14 digits; left-pad to 14;
    the check digit must match.
    """
    if text is None:
        return None
    digits = "".join(str(text).split())
    if not digits or len(digits) > GTIN_LENGTH or not digits.isdigit():
        return None
    padded = digits.zfill(GTIN_LENGTH)
    if check_digit(padded[:-1]) != int(padded[-1]):
        return None
    return padded


def check_digit_array(bodies: np.ndarray) -> np.ndarray:
    """Vectorised :func:`check_digit` for int64 bodies (at most 13 digits)."""
    remaining = np.asarray(bodies, dtype=np.int64).copy()
    total = np.zeros_like(remaining)
    weight = 3
    for _ in range(GTIN_LENGTH - 1):
        total += (remaining % 10) * weight
        remaining //= 10
        weight = 4 - weight
    return (10 - total % 10) % 10


def gtin_from_body_array(bodies: np.ndarray) -> np.ndarray:
    """int64 GTINs (body * 10 + check digit) for int64 bodies."""
    bodies = np.asarray(bodies, dtype=np.int64)
    return bodies * 10 + check_digit_array(bodies)


def wrong_check_digit_array(gtins: np.ndarray) -> np.ndarray:
    """The same GTINs with a check digit that is guaranteed to be wrong."""
    gtins = np.asarray(gtins, dtype=np.int64)
    last = gtins % 10
    return gtins - last + (last + 1 + (gtins // 10) % 8) % 10
