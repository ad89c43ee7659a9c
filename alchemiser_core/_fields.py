"""Converters shared by the value classes: each knows its field's name for the error."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from alchemiser_core.errors import InvalidInputError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import to_decimal
from alchemiser_core.symbols import validate_symbol

_V = TypeVar("_V")


def decimal_in(
    value: object,
    field: str,
    *,
    ge: Decimal | None = None,
    gt: Decimal | None = None,
    le: Decimal | None = None,
    lt: Decimal | None = None,
) -> Decimal:
    """`to_decimal` plus bounds, naming `field` in any error."""
    number = to_decimal(value, field)
    check_bounds(number, field, value, ge=ge, gt=gt, le=le, lt=lt)
    return number


def symbol_map(
    value: object, field: str, convert_value: Callable[[object, str], _V]
) -> FrozenMap[_V]:
    """Any mapping of symbol -> value, checked key by key, as a `FrozenMap`."""
    if not isinstance(value, Mapping):
        raise InvalidInputError(field, "a mapping of symbol to value", value)
    items: dict[str, _V] = {}
    for symbol, item in value.items():
        checked = validate_symbol(symbol, f"{field} key")
        items[checked] = convert_value(item, f"{field}[{checked!r}]")
    return FrozenMap(items)


def strict_bool(value: object, field: str) -> bool:
    """Accept only real booleans: ``"no"`` is truthy, which is how bots lose money."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, "True or False", value)
    return value


def check_bounds(
    number: Decimal,
    field: str,
    original: object,
    *,
    ge: Decimal | None = None,
    gt: Decimal | None = None,
    le: Decimal | None = None,
    lt: Decimal | None = None,
) -> None:
    """Raise `InvalidInputError` unless `number` lies within the bounds given."""
    if ge is not None and number < ge:
        raise InvalidInputError(field, f"a number >= {ge}", original)
    if gt is not None and number <= gt:
        raise InvalidInputError(field, f"a number > {gt}", original)
    if le is not None and number > le:
        raise InvalidInputError(field, f"a number <= {le}", original)
    if lt is not None and number >= lt:
        raise InvalidInputError(field, f"a number < {lt}", original)


def aware_datetime(value: object, field: str) -> datetime:
    """Accept only timezone-aware datetimes: a naive one has no trading day."""
    if not isinstance(value, datetime):
        raise InvalidInputError(field, "a timezone-aware datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(field, "a timezone-aware datetime (naive given)", value)
    return value


def identifier(value: object, field: str, *, max_length: int = 64) -> str:
    """A non-empty printable identifier such as an account id."""
    if (
        not isinstance(value, str)
        or not value
        or len(value) > max_length
        or not value.isprintable()
        or value != value.strip()
    ):
        raise InvalidInputError(
            field, f"a non-empty printable string of at most {max_length} characters", value
        )
    return value
