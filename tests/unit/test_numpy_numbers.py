"""NumPy scalars, what `dict(series)` and arrays hand a notebook user, convert exactly.

Integer types convert as their Python int would; floating types through the shortest
repr in their own precision, as a Python float does through its repr.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    InvalidInputError,
    TargetAllocation,
    plan_rebalance,
    size_position,
    to_decimal,
)

D = Decimal
INTEGER_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOAT_TYPES = [np.float16, np.float32, np.float64, np.longdouble]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.float64(0.1), D("0.1")),  # a float subclass whose repr is "np.float64(0.1)"
        (np.float32(0.1), D("0.1")),  # float32's shortest text, not 0.100000001490116...
        (np.float16(0.1), D("0.1")),  # float16(0.1) is 0.0999755859375; shortest is "0.1"
        (np.float32(16777217), D("16777216")),  # 2**24 + 1 is not a float32: it is 2**24
        # float16's largest value, 65504, is spelt "6.55e+04": 65500 reads back as 65504
        # (float16 steps by 32 there), just as the Python float 1e23 is "1e+23".
        (np.float16(65504), D("65500")),
        (np.float64(-0.0), D("0")),
        (np.longdouble("0.25"), D("0.25")),
        (np.int64(3), D("3")),
        (np.uint64(999_999_999_999_999), D("999999999999999")),  # the largest accepted
        (np.int8(-128), D("-128")),
    ],
)
def test_numpy_scalars_convert_exactly(value: object, expected: Decimal) -> None:
    result = to_decimal(value, "x")

    assert result == expected
    assert str(result) == str(expected)  # canonical spelling too


@pytest.mark.parametrize(
    "value",
    [
        np.float64("nan"),
        np.float32("inf"),
        np.float16("-inf"),
        np.bool_(True),  # a flag is not a quantity
        np.complex128(1),
        np.array([1.0]),
        np.array(1.0),  # 0-d array: not a scalar
        np.datetime64("2026-01-01"),
    ],
    ids=repr,
)
def test_numpy_non_numbers_are_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^price: expected") as caught:
        to_decimal(value, "price")

    assert caught.value.field == "price"


@pytest.mark.parametrize("kind", INTEGER_TYPES, ids=lambda kind: kind.__name__)
@given(data=st.data())
def test_every_integer_type_converts_as_its_python_int(kind: type, data: st.DataObject) -> None:
    info = np.iinfo(kind)
    # Within the type's range and to_decimal's bound of 10^15.
    value = data.draw(st.integers(max(info.min, -(10**15) + 1), min(info.max, 10**15 - 1)))

    assert to_decimal(kind(value), "x") == to_decimal(value, "x")


@pytest.mark.parametrize(
    ("kind", "width"), [(np.float16, 16), (np.float32, 32), (np.float64, 64)], ids=str
)
@given(data=st.data())
def test_every_float_type_converts_through_its_shortest_repr(
    kind: type, width: Literal[16, 32, 64], data: st.DataObject
) -> None:
    value = kind(data.draw(st.floats(width=width, allow_nan=False, allow_infinity=False)))
    try:
        result = to_decimal(value, "x")
    except InvalidInputError as error:
        # Past 10^15 or 30 decimal places: refused for every input type alike.
        assert "smaller than" in error.expected or "decimal places" in error.expected
        return

    # Reads back to the very same value in the scalar's own precision ...
    assert kind(str(result)) == value
    # ... and a float64 is exactly what the Python float gives.
    if kind is np.float64:
        assert result == to_decimal(float(value), "x")


def test_a_pandas_style_dict_of_numpy_values_plans_like_python_numbers() -> None:
    as_of = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    weights = np.array([0.5, 0.3], dtype=np.float64)
    prices = np.array([150.25, 400.5], dtype=np.float32)
    quantities = np.array([10, 0], dtype=np.int64)
    symbols = ["AAPL", "MSFT"]

    from_numpy = plan_rebalance(
        AccountSnapshot(
            cash=np.float64(10_000),
            positions=dict(zip(symbols, quantities, strict=True)),
            prices=dict(zip(symbols, prices, strict=True)),
            as_of=as_of,
        ),
        TargetAllocation(dict(zip(symbols, weights, strict=True))),
    )
    from_python = plan_rebalance(
        AccountSnapshot(
            cash="10000",
            positions={"AAPL": 10, "MSFT": 0},
            prices={"AAPL": "150.25", "MSFT": "400.5"},
            as_of=as_of,
        ),
        TargetAllocation({"AAPL": "0.5", "MSFT": "0.3"}),
    )

    assert from_numpy == from_python
    assert from_numpy.plan_id == from_python.plan_id


def test_size_position_takes_numpy_arguments() -> None:
    # floor(1000 / 333.34) = 2
    assert size_position(np.float64(1000), np.float32(333.34)) == 2
