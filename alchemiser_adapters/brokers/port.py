"""The `Broker` port and the values that cross it: order requests, broker orders, errors.

Money is Decimal here as in the core; a broker adapter turns its venue's answers into
these values in one parsing module, and nothing else of the venue leaks past it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Protocol

import attrs

from alchemiser_adapters.ledger.model import (
    canonical,
    non_negative,
    positive,
    side_of,
    text_field,
    to_qty,
    utc,
)
from alchemiser_core import AccountSnapshot, AlchemiserError, InvalidInputError, Quote, Side

__all__ = [
    "Broker",
    "BrokerError",
    "BrokerOrder",
    "BrokerRejectedError",
    "BrokerUnavailableError",
    "DuplicateClientOrderIdError",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
]


class BrokerError(AlchemiserError):
    """Root of the broker adapters' errors."""


class BrokerUnavailableError(BrokerError):
    """The broker did not answer definitely (time-out, connection lost, 429, 5xx).

    For a submission the outcome is unknown: the order may exist. Look it up by its
    client order id before doing anything else; never send it again blind.
    """


class BrokerRejectedError(BrokerError):
    """The broker refused the request for good (4xx): `status` and its message."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DuplicateClientOrderIdError(BrokerRejectedError):
    """An order with this client order id exists already: look it up, it is ours."""


class OrderType(enum.StrEnum):
    MARKET = "market"
    LIMIT = "limit"


class OrderStatus(enum.StrEnum):
    """Alpaca's order statuses (a paper broker uses the same words)."""

    NEW = "new"
    PENDING_NEW = "pending_new"
    ACCEPTED = "accepted"
    ACCEPTED_FOR_BIDDING = "accepted_for_bidding"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    DONE_FOR_DAY = "done_for_day"
    CANCELED = "canceled"
    EXPIRED = "expired"
    REPLACED = "replaced"
    PENDING_CANCEL = "pending_cancel"
    PENDING_REPLACE = "pending_replace"
    PENDING_REVIEW = "pending_review"
    STOPPED = "stopped"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CALCULATED = "calculated"
    HELD = "held"

    @property
    def is_terminal(self) -> bool:
        """No more fills can come (what is filled is final)."""
        return self in _TERMINAL


_TERMINAL = frozenset(
    {
        OrderStatus.FILLED,
        OrderStatus.CANCELED,
        OrderStatus.EXPIRED,
        OrderStatus.REPLACED,
        OrderStatus.REJECTED,
        OrderStatus.DONE_FOR_DAY,
    }
)


def _order_type(value: object) -> OrderType:
    if isinstance(value, str) and value in ("market", "limit"):
        return OrderType(value)
    raise InvalidInputError("order_type", "'market' or 'limit'", value)


def _optional_limit_price(value: object) -> Decimal | None:
    return None if value is None else positive(value, "limit_price")


@attrs.frozen(slots=True)
class OrderRequest:
    """One order to send: a DAY market or limit order under the plan's client order id.

    >>> OrderRequest("alc-ab-0", "AAPL", "buy", qty=3, order_type="limit", limit_price="150.1")
    OrderRequest(client_order_id='alc-ab-0', symbol='AAPL', side=<Side.BUY: 'buy'>, qty=Decimal('3'), order_type=<OrderType.LIMIT: 'limit'>, limit_price=Decimal('150.1'))
    """

    client_order_id: str = attrs.field(validator=text_field)
    symbol: str = attrs.field(validator=text_field)
    side: Side = attrs.field(converter=side_of)
    qty: Decimal = attrs.field(converter=to_qty)
    order_type: OrderType = attrs.field(default=OrderType.MARKET, converter=_order_type)
    limit_price: Decimal | None = attrs.field(default=None, converter=_optional_limit_price)

    def __attrs_post_init__(self) -> None:
        if (self.order_type is OrderType.LIMIT) != (self.limit_price is not None):
            raise InvalidInputError(
                "limit_price", "a price exactly when the order type is limit", self.limit_price
            )


def _status(value: object) -> OrderStatus:
    if isinstance(value, str) and value in _STATUSES:
        return OrderStatus(value)
    raise InvalidInputError("status", "an order status", value)


_STATUSES = frozenset(status.value for status in OrderStatus)


def _to_filled_qty(value: object) -> Decimal:
    return non_negative(value, "filled_qty")


def _optional_price(value: object) -> Decimal | None:
    return None if value is None else positive(value, "price")


def _optional_utc(value: object) -> datetime | None:
    return None if value is None else utc(value, "updated_at")


@attrs.frozen(slots=True)
class BrokerOrder:
    """An order as the broker holds it: what was asked, where it stands, what filled."""

    broker_order_id: str = attrs.field(validator=text_field)
    client_order_id: str = attrs.field(validator=text_field)
    symbol: str = attrs.field(validator=text_field)
    side: Side = attrs.field(converter=side_of)
    qty: Decimal = attrs.field(converter=to_qty)
    order_type: OrderType = attrs.field(converter=_order_type)
    status: OrderStatus = attrs.field(converter=_status)
    filled_qty: Decimal = attrs.field(default=Decimal(0), converter=_to_filled_qty)
    filled_avg_price: Decimal | None = attrs.field(default=None, converter=_optional_price)
    limit_price: Decimal | None = attrs.field(default=None, converter=_optional_price)
    updated_at: datetime | None = attrs.field(default=None, converter=_optional_utc)

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal

    @property
    def filled_notional(self) -> Decimal:
        """filled qty x average fill price, exact (0 with nothing filled)."""
        if not self.filled_qty or self.filled_avg_price is None:
            return Decimal(0)
        return canonical(self.filled_qty * self.filled_avg_price)


class Broker(Protocol):
    """What the executor needs from a broker."""

    def snapshot(self, symbols: Iterable[str] = ()) -> AccountSnapshot:
        """Cash, positions, reference prices (latest quotes) for the held and given symbols,
        and `AssetRules` for them."""
        ...

    def quotes(self, symbols: Iterable[str]) -> dict[str, Quote]:
        """The latest quote of each symbol that has one."""
        ...

    def submit(self, request: OrderRequest) -> BrokerOrder:
        """Send one order. `BrokerUnavailableError`: outcome unknown, look it up;
        `DuplicateClientOrderIdError`: it exists already; `BrokerRejectedError`: refused."""
        ...

    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None:
        """The order sent under `client_order_id`, or None if the broker has none."""
        ...

    def orders(self, client_order_ids: Iterable[str]) -> dict[str, BrokerOrder]:
        """The orders found under these client ids, in as few requests as the broker allows."""
        ...

    def cancel(self, broker_order_id: str) -> None:
        """Ask to cancel; an order that already ended is not an error."""
        ...
