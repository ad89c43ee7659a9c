"""The ledger's values (fills, order records, reservations, leases) and its errors.

Frozen attrs values with Decimal money, like the core's. Text written by a broker
(fill ids, symbols, client order ids) is stored verbatim, whatever it contains:
the ledger checks only that it is printable text, so nothing a venue reports is
refused or altered on its way to the record.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Context, Decimal, DivisionByZero, Inexact, InvalidOperation, Overflow, Rounded

import attrs

from alchemiser_core import AlchemiserError, InvalidInputError, Side, to_decimal, trading_day

__all__ = [
    "Fill",
    "Lease",
    "LedgerConflictError",
    "LedgerError",
    "OrderRecord",
    "Reservation",
    "StaleLeaseError",
]

#: Longest text the ledger stores in one field (ids, symbols, holder names).
MAX_TEXT = 200


# Sums and products of ledger amounts never round: a step that would, raises.
_EXACT = Context(
    prec=250, Emax=999_999, Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded],
)  # fmt: skip


def canonical(number: Decimal) -> Decimal:
    """One spelling per value (no trailing zeros, no positive exponent), as the core's."""
    if not number:
        return Decimal(0)
    reduced = number.normalize(_EXACT)
    exponent = reduced.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    return reduced.quantize(Decimal(1), context=_EXACT) if exponent > 0 else reduced


def average_price(notional: Decimal, qty: Decimal) -> Decimal:
    """notional / qty: exact when it divides (every fill at one price), else to 9 places.

    >>> average_price(Decimal("450.75"), Decimal(3)), average_price(Decimal(10), Decimal(3))
    (Decimal('150.25'), Decimal('3.333333333'))
    """
    try:
        return canonical(_EXACT.divide(notional, qty))
    except (Inexact, Rounded):
        return canonical(_ROUNDING.divide(notional, qty).quantize(_NINE_PLACES, context=_ROUNDING))


_ROUNDING = Context(prec=60)
_NINE_PLACES = Decimal("1e-9")


def exact_add(left: Decimal, right: Decimal) -> Decimal:
    return canonical(_EXACT.add(left, right))


def exact_sub(left: Decimal, right: Decimal) -> Decimal:
    return canonical(_EXACT.subtract(left, right))


class LedgerError(AlchemiserError):
    """Root of the ledger's own errors (input errors are `InvalidInputError`)."""


class LedgerConflictError(LedgerError):
    """A key the ledger already holds came again with different content: never overwritten."""


class StaleLeaseError(LedgerError):
    """A write under a lease that is no longer the current one (expired, or granted anew)."""


def text(value: object, field: str) -> str:
    """Non-empty printable text of at most `MAX_TEXT` characters, kept verbatim."""
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT or not value.isprintable():
        raise InvalidInputError(
            field, f"non-empty printable text of at most {MAX_TEXT} characters", value
        )
    return value


def positive(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    if number <= 0:
        raise InvalidInputError(field, "a number > 0", value)
    return number


def non_negative(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    if number < 0:
        raise InvalidInputError(field, "a number >= 0", value)
    return number


def utc(value: object, field: str) -> datetime:
    """An aware datetime, stored in UTC so every backend reads back an identical value."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(field, "a timezone-aware datetime", value)
    return value.astimezone(UTC)


def trading_date(value: object, field: str = "day") -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidInputError(field, "a date (the New York trading day)", value)
    return value


def positive_ttl(value: object) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInputError("ttl", "a positive timedelta", value)
    return value


def side_of(value: object) -> Side:
    """A `Side` from 'buy' / 'sell' (a `Side` is one), or an input error naming 'side'."""
    if isinstance(value, str) and value in (Side.BUY.value, Side.SELL.value):
        return Side(value)
    raise InvalidInputError("side", "'buy' or 'sell'", value)


def text_field(_: object, field: attrs.Attribute[str], value: object) -> None:
    """attrs validator: the field holds `text`, named by its own field name."""
    text(value, field.name)


def to_qty(value: object) -> Decimal:
    return positive(value, "qty")


def _to_price(value: object) -> Decimal:
    return positive(value, "price")


def _to_ref_price(value: object) -> Decimal:
    return positive(value, "ref_price")


def _to_ts(value: object) -> datetime:
    return utc(value, "ts")


def _to_created_at(value: object) -> datetime:
    return utc(value, "created_at")


@attrs.frozen(slots=True)
class Fill:
    """One execution the broker reported, keyed by `(account_id, fill_id)`.

    `day` is the New York trading day of `ts`: what the daily limit counts it in.
    """

    account_id: str = attrs.field(validator=text_field)
    fill_id: str = attrs.field(validator=text_field)
    client_order_id: str = attrs.field(validator=text_field)
    plan_id: str = attrs.field(validator=text_field)
    symbol: str = attrs.field(validator=text_field)
    side: Side = attrs.field(converter=side_of)
    qty: Decimal = attrs.field(converter=to_qty)
    price: Decimal = attrs.field(converter=_to_price)
    ts: datetime = attrs.field(converter=_to_ts)

    @property
    def day(self) -> date:
        return trading_day(self.ts)

    @property
    def notional(self) -> Decimal:
        return canonical(_EXACT.multiply(self.qty, self.price))


def _optional_price(value: object) -> Decimal | None:
    return None if value is None else positive(value, "limit_price")


@attrs.frozen(slots=True)
class OrderRecord:
    """The executor's intent for one order, written before it is sent (keyed by client id)."""

    account_id: str = attrs.field(validator=text_field)
    client_order_id: str = attrs.field(validator=text_field)
    plan_id: str = attrs.field(validator=text_field)
    symbol: str = attrs.field(validator=text_field)
    side: Side = attrs.field(converter=side_of)
    qty: Decimal = attrs.field(converter=to_qty)
    ref_price: Decimal = attrs.field(converter=_to_ref_price)
    created_at: datetime = attrs.field(converter=_to_created_at)
    limit_price: Decimal | None = attrs.field(default=None, converter=_optional_price)


@attrs.frozen(slots=True)
class Reservation:
    """The answer to `Ledger.reserve`: whether `amount` was held under `key`.

    `used` is the day's settled + held notional right after the answer (including
    `amount` when granted); `headroom` = max(0, cap - used). The same key asked
    again gets this same answer back.
    """

    key: str
    account_id: str
    day: date
    amount: Decimal
    cap: Decimal
    granted: bool
    used: Decimal
    headroom: Decimal


@attrs.frozen(slots=True)
class Lease:
    """A grant of the named lease to `holder` until `expires_at`.

    `token` grows with every grant of the name: it fences. A write made under a
    token older than the current grant, or after `expires_at`, raises
    `StaleLeaseError`, so a holder paused past its expiry cannot write over its
    successor.
    """

    name: str
    holder: str
    token: int
    expires_at: datetime
