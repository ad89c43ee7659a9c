"""The conversion point and the rounding helpers, by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alchemiser_core import (
    InvalidInputError,
    ceil_to_increment,
    default_tick,
    floor_to_increment,
    round_price_to_tick,
    to_decimal,
)
from alchemiser_core.numeric import exact_sum

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, D("0.1")),  # shortest repr, not 0.1000000000000000055511151231257827
        (1e-5, D("0.00001")),
        (3, D(3)),
        ("  42.50 ", D("42.5")),  # canonical: trailing zero dropped
        (D("100.00"), D("100")),
        ("1E+3", D("1000")),  # written out, not 1E+3
        (D("-0"), D("0")),
    ],
)
def test_to_decimal_accepts_numbers_exactly(value: object, expected: Decimal) -> None:
    result = to_decimal(value, "x")

    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize(
    "value",
    [
        True,
        False,
        float("nan"),
        float("inf"),
        D("NaN"),
        D("sNaN"),
        D("-Infinity"),
        "ten",
        "",
        None,
        [1],
        b"1",
    ],
)
def test_to_decimal_rejects_junk_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^my_field: expected") as caught:
        to_decimal(value, "my_field")

    assert caught.value.field == "my_field"
    assert isinstance(caught.value, ValueError)


def test_to_decimal_bounds_magnitude_and_places() -> None:
    with pytest.raises(InvalidInputError, match="smaller than") as too_big:
        to_decimal("1e15", "x")
    with pytest.raises(InvalidInputError, match="at most 30 decimal places") as too_fine:
        to_decimal("1e-31", "y")

    assert (too_big.value.field, too_big.value.value) == ("x", "1e15")
    assert (too_fine.value.field, too_fine.value.value) == ("y", "1e-31")
    assert to_decimal("-999999999999999.9", "x") == D("-999999999999999.9")  # just under
    # Trailing zeros beyond 30 places are fine: the value itself has one place.
    assert to_decimal("0.1" + "0" * 40, "x") == D("0.1")


@pytest.mark.parametrize(
    ("value", "increment", "floor", "ceiling"),
    [
        (D("7.2273576"), D("0.001"), D("7.227"), D("7.228")),
        (D("10"), D("0.01"), D("10"), D("10")),  # already on the grid
        (D("-0.5"), D("1"), D("-1"), D("0")),  # floor goes down for negatives too
        (D("0.000000001"), D("0.000000001"), D("0.000000001"), D("0.000000001")),
    ],
)
def test_floor_and_ceiling_to_increment(
    value: Decimal, increment: Decimal, floor: Decimal, ceiling: Decimal
) -> None:
    assert floor_to_increment(value, increment) == floor
    assert ceil_to_increment(value, increment) == ceiling


def test_sub_penny_rule() -> None:
    # >= $1 trades in cents, below in 1/100 cent.
    assert default_tick(D("1.00")) == D("0.01")
    assert default_tick(D("0.9999")) == D("0.0001")


def test_limit_prices_round_towards_the_passive_side() -> None:
    # Buy 10.019 -> 10.01 (pay less); sell 10.011 -> 10.02 (receive more); sub-dollar buy on 0.0001.
    assert round_price_to_tick(D("10.019"), side_is_buy=True) == D("10.01")
    assert round_price_to_tick(D("10.011"), side_is_buy=False) == D("10.02")
    assert round_price_to_tick(D("0.123456"), side_is_buy=True) == D("0.1234")
    assert round_price_to_tick(D("10.07"), side_is_buy=True, tick=D("0.05")) == D("10.05")


@pytest.mark.parametrize(
    ("call", "field", "expected"),
    [
        (lambda: floor_to_increment("7.5", 0), "increment", "a number > 0"),  # was DivisionByZero
        (lambda: floor_to_increment(D("NaN"), 1), "value", "a finite number"),
        (lambda: ceil_to_increment(1.5, "0.01x"), "increment", "a numeric string"),
        (lambda: default_tick(None), "price", "a number"),
        (lambda: default_tick(-1), "price", "a number > 0"),
        (lambda: round_price_to_tick(float("nan"), True), "price", "a finite number"),
        (lambda: round_price_to_tick(10, "yes"), "side_is_buy", "True or False"),  # type: ignore[arg-type]
        (lambda: round_price_to_tick(10, True, tick=0), "tick", "a number > 0"),
    ],
)
def test_rounding_helpers_check_their_arguments(call: object, field: str, expected: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected {expected}"):
        call()  # type: ignore[operator]


def test_rounding_helpers_read_any_number_like_the_value_classes() -> None:
    # 7.5 floored to 0.25 is 7.5; "10.011" sells up to 10.02; 0.5 is under $1: 0.0001 tick.
    assert floor_to_increment("7.5", 0.25) == D("7.5")
    assert round_price_to_tick("10.011", side_is_buy=False) == D("10.02")
    assert default_tick(0.5) == D("0.0001")


def test_exact_sum_is_a_decimal_even_of_nothing() -> None:
    # sum() of nothing is the int 0; a money total must stay a Decimal.
    total = exact_sum([])

    assert type(total) is Decimal and total == 0
    assert exact_sum([D("1e-30"), D("999999999999999")]) == D("999999999999999." + "0" * 29 + "1")
