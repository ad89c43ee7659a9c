"""Rows <-> ledger values, shared by the SQL backends.

SQLite stores money as exact text (never REAL) and times as ISO text; PostgreSQL
returns NUMERIC, date and timestamptz natively. The readers accept both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger.model import Fill, Lease, OrderRecord, Reservation, canonical

__all__ = [
    "FILL_COLUMNS",
    "ORDER_COLUMNS",
    "RESERVATION_COLUMNS",
    "decimal_of",
    "fill_from",
    "lease_from",
    "order_from",
    "reservation_from",
]

RESERVATION_COLUMNS = (
    "key, account_id, day, amount, cap, granted, used, headroom, state, held, settled"
)
FILL_COLUMNS = "account_id, fill_id, client_order_id, plan_id, symbol, side, qty, price, ts, day"
ORDER_COLUMNS = (
    "client_order_id, account_id, plan_id, symbol, side, qty, ref_price, limit_price, created_at"
)


def decimal_of(value: Any) -> Decimal:
    """Exact: text as written, NUMERIC as returned (both made canonical)."""
    return canonical(value if isinstance(value, Decimal) else Decimal(value))


def _date_of(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _datetime_of(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(UTC)


def reservation_from(row: tuple[Any, ...]) -> tuple[Reservation, rules.Held]:
    key, account_id, day, amount, cap, granted, used, headroom, state, held, settled = row
    reservation = Reservation(
        key=key,
        account_id=account_id,
        day=_date_of(day),
        amount=decimal_of(amount),
        cap=decimal_of(cap),
        granted=bool(granted),
        used=decimal_of(used),
        headroom=decimal_of(headroom),
    )
    held_row = rules.Held(state, decimal_of(held), None if settled is None else decimal_of(settled))
    return reservation, held_row


def fill_from(row: tuple[Any, ...]) -> Fill:
    account_id, fill_id, client_order_id, plan_id, symbol, side, qty, price, ts, _ = row
    return Fill(
        account_id, fill_id, client_order_id, plan_id, symbol, side,
        decimal_of(qty), decimal_of(price), _datetime_of(ts),
    )  # fmt: skip


def order_from(row: tuple[Any, ...]) -> OrderRecord:
    client_order_id, account_id, plan_id, symbol, side, qty, ref_price, limit_price, created = row
    return OrderRecord(
        account_id=account_id,
        client_order_id=client_order_id,
        plan_id=plan_id,
        symbol=symbol,
        side=side,
        qty=decimal_of(qty),
        ref_price=decimal_of(ref_price),
        created_at=_datetime_of(created),
        limit_price=None if limit_price is None else decimal_of(limit_price),
    )


def lease_from(row: tuple[Any, ...]) -> Lease:
    name, holder, token, expires_at = row
    return Lease(name=name, holder=holder, token=int(token), expires_at=_datetime_of(expires_at))
