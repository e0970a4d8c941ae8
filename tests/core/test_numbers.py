"""display_number: the one display formatter for numbers."""

from decimal import Decimal

import pytest

from zgcfund.core.numbers import display_number


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (12, "12"), (-7, "-7"), (3.0, "3"), (12.5, "12.5"), (0.1, "0.1"),
    (Decimal("12.50"), "12.5"), (Decimal("100"), "100"), (Decimal("1E+2"), "100"), (Decimal("0.0001"), "0.0001"),
    (Decimal("-3.40"), "-3.4"), (-0.25, "-0.25"), (Decimal("-0.00"), "0"), ("12.500", "12.5"), (" 8 ", "8"),
])
def test_integers_and_decimals_lose_trailing_zeros(value, text):
    assert display_number(value) == text


def test_large_amounts_are_never_in_exponent_notation():
    assert display_number(1234567.0) == "1234567"  # f"{1234567.0:g}" would give 1.23457e+06
    assert display_number(Decimal("123456789012.5")) == "123456789012.5"
    assert display_number(10 ** 20) == "100000000000000000000"
    assert display_number(Decimal("1E+12")) == "1000000000000"
    assert display_number(Decimal("1234567.80"), grouping=True) == "1,234,567.8"
    assert display_number(1200, grouping=True) == "1,200"
    assert display_number(-1234567, grouping=True) == "-1,234,567"


def test_places_rounds_and_shows_every_place_of_a_fraction():
    assert display_number(Decimal("7.5"), places=2) == "7.50"
    assert display_number(Decimal("8.00"), places=2) == "8"
    assert display_number(Decimal("7.125"), places=2) == "7.12"  # half to even, like f"{x:.2f}"
    assert display_number(25.34, places=1) == "25.3"
    assert display_number(25.0, places=1) == "25"
    assert display_number(Decimal("-0.004"), places=2) == "0"
    assert display_number(Decimal("-1.5"), places=0) == "-2"


def test_none_and_booleans_are_empty():
    assert display_number(None) == ""
    assert display_number(None, empty="—") == "—"
    assert display_number(True, empty="—") == "—"


@pytest.mark.parametrize("value", ["abc", "", float("inf"), Decimal("NaN"), [1]])
def test_what_is_not_a_number_raises(value):
    with pytest.raises(ValueError):
        display_number(value)
