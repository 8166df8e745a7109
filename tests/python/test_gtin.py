"""GTIN helpers on real codes and on their defining properties."""

from __future__ import annotations

import numpy as np
import pytest

from promo_factory import gtin


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("4006381333931", 1),  # EAN-13 from the GS1 / Wikipedia example
        ("03017620422003", 3),  # GTIN-14 form of a French EAN-13
        ("3017620422003", 3),
        ("96385074", 4),  # EAN-8 example
        ("036000291452", 2),  # UPC-A
    ],
)
def test_check_digit_of_real_codes(code: str, expected: int) -> None:
    assert gtin.check_digit(code[:-1]) == expected
    assert gtin.is_valid(code)


@pytest.mark.parametrize("code", ["4006381333932", "03017620422004", "96385075", "036000291453"])
def test_wrong_check_digit_is_invalid(code: str) -> None:
    assert not gtin.is_valid(code)
    assert gtin.normalise(code) is None


def test_normalise_pads_every_length_to_the_same_gtin14() -> None:
    assert gtin.normalise("96385074") == "00000096385074"
    assert gtin.normalise("3017620422003") == gtin.normalise("03017620422003") == "03017620422003"
    assert gtin.normalise("036000291452") == gtin.normalise("0036000291452") == "00036000291452"
    assert gtin.normalise(" 3017620422003 ") == "03017620422003"


@pytest.mark.parametrize("text", [None, "", "abc", "30176204220x3", "123456789012345", "2x"])
def test_normalise_rejects_non_gtins(text: str | None) -> None:
    assert gtin.normalise(text) is None


def test_vectorised_check_digit_matches_scalar() -> None:
    rng = np.random.default_rng(0)
    bodies = rng.integers(0, 10**13, size=500)
    vector = gtin.check_digit_array(bodies)
    scalar = [gtin.check_digit(str(int(b)).zfill(13)) for b in bodies]
    assert vector.tolist() == scalar
    full = gtin.gtin_from_body_array(bodies)
    assert all(gtin.is_valid(str(int(value))) for value in full)


def test_wrong_check_digit_array_is_always_wrong() -> None:
    rng = np.random.default_rng(1)
    good = gtin.gtin_from_body_array(rng.integers(0, 10**12, size=500))
    bad = gtin.wrong_check_digit_array(good)
    assert np.all(bad // 10 == good // 10)
    assert not any(gtin.is_valid(str(int(value))) for value in bad)
