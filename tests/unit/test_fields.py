"""The field converters and the transformer that tells each one its field's name.

The value classes are made at import time, before any test runs; the classes here
are made inside the tests, so the transformer's own rules are checked as it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

import attrs
import pytest

from alchemiser_core import InvalidInputError
from alchemiser_core._fields import (
    aware_datetime,
    bounds,
    identifier,
    label,
    member,
    number,
    one_of,
    optional_number,
    strict_bool,
    value_fields,
    whole_number,
)
from alchemiser_core.planning.orders import Side


def _probe_class() -> type:
    @attrs.frozen(slots=True, field_transformer=value_fields)
    class Probe:
        price: Decimal = attrs.field(converter=number, metadata=bounds(gt=Decimal(0)))
        band: Decimal = attrs.field(
            default=Decimal(0), converter=number, metadata=label("probe.band", ge=Decimal(0))
        )
        side: Side = attrs.field(default=Side.BUY, converter=member, metadata=bounds(of=Side))
        plain: str = attrs.field(default="", converter=str)  # not one of ours: left alone
        flag: bool = attrs.field(default=False, converter=strict_bool)  # ours, no metadata

    return Probe


def test_value_fields_converts_with_the_fields_own_bounds() -> None:
    probe = _probe_class()(price="1.50", band="0.1", side="sell", plain=5, flag=True)

    assert (probe.price, probe.band, probe.side, probe.plain, probe.flag) == (
        Decimal("1.5"),
        Decimal("0.1"),
        Side.SELL,
        "5",
        True,
    )


@pytest.mark.parametrize(
    ("fields", "field", "expected", "value"),
    [
        ({"price": 0}, "price", "a number > 0", 0),
        ({"price": 1, "band": -1}, "probe.band", "a number >= 0", -1),
        ({"price": 1, "side": "hold"}, "side", "one of 'buy', 'sell'", "hold"),
    ],
)
def test_value_fields_names_the_field_or_its_label(
    fields: dict[str, object], field: str, expected: str, value: object
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        _probe_class()(**fields)

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        field,
        expected,
        value,
    )


def test_whole_number_takes_plain_ints_from_its_lower_bound() -> None:
    assert whole_number(0) == 0
    assert whole_number(3, "n", ge=3) == 3
    for bad in (-1, True, 1.0, "1"):
        with pytest.raises(InvalidInputError) as raised:
            whole_number(bad, "n")
        assert (raised.value.field, raised.value.expected) == ("n", "an integer >= 0")


def test_optional_number_keeps_none_and_checks_the_rest() -> None:
    assert optional_number(None, "cap", gt=Decimal(0)) is None
    assert optional_number("2.50", "cap", gt=Decimal(0)) == Decimal("2.5")
    with pytest.raises(InvalidInputError) as raised:
        optional_number(0, "cap", gt=Decimal(0))
    assert raised.value.expected == "a number > 0"


def test_one_of_takes_only_the_listed_strings() -> None:
    assert one_of("floor", "rounding", choices=("floor", "optimal")) == "floor"
    with pytest.raises(InvalidInputError) as raised:
        one_of(1, "rounding", choices=("floor", "optimal"))
    assert raised.value.expected == "one of ('floor', 'optimal')"


def test_member_needs_its_enum() -> None:
    with pytest.raises(TypeError, match="needs the enum"):
        member("buy", "side")


def test_a_converter_called_without_a_field_name_says_value() -> None:
    with pytest.raises(InvalidInputError) as raised:
        whole_number(-1)

    assert raised.value.field == "value"


def test_an_error_shows_a_long_value_cut_to_120_characters() -> None:
    long_value = "x" * 200
    exact = "y" * 118  # its repr, with quotes, is exactly 120 characters

    assert str(InvalidInputError("f", "e", long_value)) == f"f: expected e, got '{'x' * 116}..."
    assert str(InvalidInputError("f", "e", exact)) == f"f: expected e, got '{exact}'"


def test_an_error_survives_a_value_whose_repr_raises() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert (
        str(InvalidInputError("f", "e", Hostile()))
        == "f: expected e, got <unrepresentable Hostile>"
    )


def test_symbol_and_enum_converters_default_to_the_name_value() -> None:
    from alchemiser_core._fields import valid_symbol

    with pytest.raises(InvalidInputError) as symbol:
        valid_symbol("a")
    with pytest.raises(InvalidInputError) as side:
        member("hold", of=Side)

    assert (symbol.value.field, side.value.field) == ("value", "value")
    assert side.value.expected == "one of 'buy', 'sell'"


def test_member_without_its_enum_says_how_to_give_it() -> None:
    with pytest.raises(TypeError) as raised:
        member("buy", "side")

    assert str(raised.value) == "member() needs the enum: metadata=bounds(of=...)"


@pytest.mark.parametrize(
    ("convert", "bad"),
    [
        (strict_bool, "no"),
        (aware_datetime, "2024-01-02"),
        (identifier, ""),
        (one_of, "x"),
        (number, "abc"),
        (optional_number, "abc"),
    ],
)
def test_every_converter_names_value_when_told_no_field(
    convert: Callable[[object], object], bad: object
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        convert(bad)

    assert raised.value.field == "value"


class _NoOffset(tzinfo):
    """A tzinfo that knows no offset: a datetime carrying it is naive for Python."""

    def utcoffset(self, moment: datetime | None) -> timedelta | None:
        return None

    def dst(self, moment: datetime | None) -> timedelta | None:
        return None

    def tzname(self, moment: datetime | None) -> str | None:
        return None


def test_aware_datetime_refuses_a_tzinfo_without_an_offset() -> None:
    # Python's rule: aware means tzinfo is set *and* utcoffset() is not None.
    moment = datetime(2024, 1, 2, 15, 0, tzinfo=_NoOffset())

    with pytest.raises(InvalidInputError) as raised:
        aware_datetime(moment, "as_of")

    assert raised.value.field == "as_of"
    assert raised.value.expected == "a timezone-aware datetime (naive given)"


def test_aware_datetime_names_a_naive_datetime_as_naive() -> None:
    with pytest.raises(InvalidInputError) as naive:
        aware_datetime(datetime(2024, 1, 2, 15, 0), "as_of")  # noqa: DTZ001 - naive on purpose
    with pytest.raises(InvalidInputError) as not_a_datetime:
        aware_datetime("2024-01-02", "as_of")

    assert naive.value.expected == "a timezone-aware datetime (naive given)"
    assert not_a_datetime.value.expected == "a timezone-aware datetime"


def test_an_identifier_of_exactly_the_maximum_length_is_accepted() -> None:
    assert identifier("a" * 64, "account_id") == "a" * 64
    assert identifier("x" * 10, "id", max_length=10) == "x" * 10
    with pytest.raises(InvalidInputError):
        identifier("x" * 11, "id", max_length=10)
