"""Field converters for the value classes: one function per kind of value, told the field's name.

Each converter takes the value and the name of the field it fills, so that every
error names the field, what was expected and what came. A class opts in with
``@attrs.frozen(slots=True, field_transformer=value_fields)``: for every field whose
converter is one of the functions below, `value_fields` binds the field's name (and
its bounds, from ``metadata=bounds(...)``) into the converter once, when the class
is made. This is `attrs.Converter(..., takes_field=True)` done at class creation:
mypy's attrs plugin accepts only plain named functions as converters, and a bound
name costs nothing per call.

    qty: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from alchemiser_core.errors import InvalidInputError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.notebook import is_pandas, series_items
from alchemiser_core.numeric import to_decimal
from alchemiser_core.symbols import validate_symbol

__all__ = [
    "aware_datetime",
    "bounds",
    "check_bounds",
    "identifier",
    "label",
    "member",
    "number",
    "one_of",
    "optional_number",
    "strict_bool",
    "symbol_map",
    "valid_symbol",
    "value_fields",
    "whole_number",
]

_V = TypeVar("_V")


def value_fields(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """attrs field transformer: bind each field's name and metadata into its converter."""
    del cls  # every class binds the same way
    return [
        _bind_name(field) if field.converter in _FIELD_CONVERTERS else field for field in fields
    ]


def _bind_name(field: attrs.Attribute[Any]) -> attrs.Attribute[Any]:
    convert: Callable[..., Any] = field.converter  # type: ignore[assignment]  # one of ours
    name = field.metadata.get("label", field.name)
    return field.evolve(
        converter=functools.partial(convert, field=name, **field.metadata.get("bounds", {}))
    )


def bounds(**limits: object) -> dict[str, object]:
    """Field metadata for `number`'s bounds (``ge``, ``gt``, ``le``, ``lt``) or an enum (``of``)."""
    return {"bounds": limits}


def label(name: str, **limits: object) -> dict[str, object]:
    """Field metadata naming the field otherwise in errors (``drift_band.absolute``)."""
    return {"label": name, "bounds": limits}


def number(
    value: object,
    field: str = "value",
    *,
    ge: Decimal | None = None,
    gt: Decimal | None = None,
    le: Decimal | None = None,
    lt: Decimal | None = None,
) -> Decimal:
    """`to_decimal` plus bounds, naming `field` in any error."""
    converted = to_decimal(value, field)
    check_bounds(converted, field, value, ge=ge, gt=gt, le=le, lt=lt)
    return converted


def optional_number(
    value: object, field: str = "value", **bounds: Decimal | None
) -> Decimal | None:
    """None, or `number` with its bounds (``ge``, ``gt``, ``le``, ``lt``)."""
    return None if value is None else number(value, field, **bounds)


def whole_number(value: object, field: str = "value", *, ge: int = 0) -> int:
    """A Python int >= `ge` (bool, an int subclass, is refused: ``True`` orders is a bug)."""
    if type(value) is not int or value < ge:
        raise InvalidInputError(field, f"an integer >= {ge}", value)
    return value


def strict_bool(value: object, field: str = "value") -> bool:
    """Accept only real booleans: ``"no"`` is truthy, which is how bots lose money."""
    if not isinstance(value, bool):
        raise InvalidInputError(field, "True or False", value)
    return value


def aware_datetime(value: object, field: str = "value") -> datetime:
    """Accept only timezone-aware datetimes: a naive one has no trading day."""
    if not isinstance(value, datetime):
        raise InvalidInputError(field, "a timezone-aware datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(field, "a timezone-aware datetime (naive given)", value)
    return value


def identifier(value: object, field: str = "value", *, max_length: int = 64) -> str:
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


def valid_symbol(value: object, field: str = "value") -> str:
    """A well-formed symbol (`validate_symbol`)."""
    return validate_symbol(value, field)


def one_of(value: object, field: str = "value", *, choices: tuple[str, ...] = ()) -> Any:
    """One of the strings `choices` (a `Literal` field such as ``rounding``)."""
    if isinstance(value, str) and value in choices:
        return value
    raise InvalidInputError(field, f"one of {choices}", value)


def member(value: object, field: str = "value", *, of: type[enum.Enum] | None = None) -> Any:
    """A member of the enum `of`, given as the member or its value (``"buy"``)."""
    if of is None:
        raise TypeError("member() needs the enum: metadata=bounds(of=...)")
    if isinstance(value, of):
        return value
    try:
        return of(value)
    except ValueError:
        choices = ", ".join(repr(item.value) for item in of)
        raise InvalidInputError(field, f"one of {choices}", value) from None


def symbol_map(
    value: object, field: str, convert_value: Callable[[object, str], _V]
) -> FrozenMap[_V]:
    """Any mapping (or pandas Series) of symbol -> value, checked key by key, as a `FrozenMap`."""
    if is_pandas(value, "Series"):
        value = series_items(value, field)
    if not isinstance(value, Mapping):
        raise InvalidInputError(field, "a mapping of symbol to value", value)
    items: dict[str, _V] = {}
    key: object = None
    try:
        for key, item in value.items():
            items[validate_symbol(key, f"{field} key")] = convert_value(item, field)
    except InvalidInputError as error:
        if error.field != field:
            raise
        # Name the entry only when it is wrong: formatting a label per entry costs a
        # tenth of building the map.
        raise type(error)(f"{field}[{key!r}]", error.expected, error.value) from None
    return FrozenMap(items)


def check_bounds(
    value: Decimal,
    field: str,
    original: object,
    *,
    ge: Decimal | None = None,
    gt: Decimal | None = None,
    le: Decimal | None = None,
    lt: Decimal | None = None,
) -> None:
    """Raise `InvalidInputError` unless `value` lies within the bounds given."""
    if ge is not None and value < ge:
        raise InvalidInputError(field, f"a number >= {ge}", original)
    if gt is not None and value <= gt:
        raise InvalidInputError(field, f"a number > {gt}", original)
    if le is not None and value > le:
        raise InvalidInputError(field, f"a number <= {le}", original)
    if lt is not None and value >= lt:
        raise InvalidInputError(field, f"a number < {lt}", original)


# The converters `value_fields` binds a field's name into. A set literal rather than a
# registering decorator: mypy's attrs plugin reads a converter's signature only from
# an undecorated function.
_FIELD_CONVERTERS: frozenset[object] = frozenset(
    {
        number,
        optional_number,
        whole_number,
        strict_bool,
        aware_datetime,
        identifier,
        valid_symbol,
        one_of,
        member,
    }
)
