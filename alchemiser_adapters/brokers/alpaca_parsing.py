"""Alpaca's JSON (as alpaca-py returns it with ``raw_data=True``) into Alchemiser's values.

The one place where the venue's shapes are read. Money arrives as strings from the
trading API ("12500.5") and as JSON numbers from the data API (150.25); both become
exact Decimals (a JSON number through its shortest repr, which is the text that was
sent). Requests go the other way in `order_fields`: quantities and prices are
already on their grid, and become floats only there, because alpaca-py's request
models take floats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from alchemiser_adapters.brokers.port import BrokerOrder, OrderRequest, OrderType
from alchemiser_core import AccountSnapshot, AssetRules, InvalidInputError, Quote, to_decimal
from alchemiser_core.venue import ALPACA

__all__ = [
    "account_snapshot",
    "asset_rules",
    "broker_order",
    "order_fields",
    "quote",
]

_NANOS = re.compile(r"(\.\d+)")


def _decimal(value: object, field: str) -> Decimal:
    if value is None:
        raise InvalidInputError(field, "a number from Alpaca", value)
    return to_decimal(value, field)


def _time(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(field, "an RFC 3339 timestamp", value)
    # Alpaca writes nanoseconds ("...:00.123456789Z"); datetime keeps microseconds.
    text = _NANOS.sub(lambda m: m.group(1)[:7], value.replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(field, "an RFC 3339 timestamp", value) from None


def quote(payload: Mapping[str, Any], symbol: str) -> Quote:
    """A latest-quote entry (``{"bp": .., "ap": .., "bs": .., "as": .., "t": ..}``)."""
    ts = _time(payload.get("t"), f"quotes[{symbol!r}].t")
    return Quote(
        bid=_decimal(payload.get("bp"), f"quotes[{symbol!r}].bp"),
        ask=_decimal(payload.get("ap"), f"quotes[{symbol!r}].ap"),
        bid_size=_decimal(payload.get("bs", 0), f"quotes[{symbol!r}].bs"),
        ask_size=_decimal(payload.get("as", 0), f"quotes[{symbol!r}].as"),
        ts=ts,
    )


def asset_rules(payload: Mapping[str, Any]) -> AssetRules:
    """Tradable and fractionable from the asset; whole shares unless fractions are allowed.

    Alpaca's fractional trading takes nine decimal places and at least $1 notional.
    """
    fractionable = bool(payload.get("fractionable", False))
    price_increment = payload.get("price_increment")
    return AssetRules(
        tradable=bool(payload.get("tradable", False)) and payload.get("status") == "active",
        fractionable=fractionable,
        qty_increment=1,
        min_notional=ALPACA.fractional_min_notional if fractionable else 0,
        price_increment=None
        if price_increment is None
        else to_decimal(price_increment, "price_increment"),
        fractional_increment=ALPACA.fractional_increment,
    )


def account_snapshot(
    *,
    account: Mapping[str, Any],
    positions: list[Mapping[str, Any]],
    quotes: Mapping[str, Quote],
    assets: Mapping[str, Mapping[str, Any]],
    as_of: datetime,
) -> AccountSnapshot:
    """The account at `as_of`: reference prices are quote mids, else the position's price."""
    held = {
        p["symbol"]: _decimal(p.get("qty"), f"positions[{p.get('symbol')!r}].qty")
        for p in positions
    }
    prices = {symbol: q.mid for symbol, q in quotes.items() if q.bid > 0 and q.ask > 0}
    for position in positions:
        symbol = position["symbol"]
        if symbol not in prices and position.get("current_price") is not None:
            prices[symbol] = _decimal(
                position["current_price"], f"positions[{symbol!r}].current_price"
            )
    return AccountSnapshot(
        cash=_decimal(account.get("cash"), "account.cash"),
        positions=held,
        prices=prices,
        as_of=as_of,
        account_id=str(account.get("account_number") or account.get("id")),
        rules={symbol: asset_rules(payload) for symbol, payload in assets.items()},
    )


def broker_order(payload: Mapping[str, Any]) -> BrokerOrder:
    """An order object of the trading API."""
    average = payload.get("filled_avg_price")
    limit = payload.get("limit_price")
    return BrokerOrder(
        broker_order_id=str(payload["id"]),
        client_order_id=payload["client_order_id"],
        symbol=payload["symbol"],
        side=payload["side"],
        qty=_decimal(payload.get("qty"), "order.qty"),
        order_type=payload.get("order_type") or payload.get("type"),
        status=payload["status"],
        filled_qty=_decimal(payload.get("filled_qty") or 0, "order.filled_qty"),
        filled_avg_price=None if average is None else _decimal(average, "order.filled_avg_price"),
        limit_price=None if limit is None else _decimal(limit, "order.limit_price"),
        updated_at=_time(payload.get("updated_at"), "order.updated_at"),
    )


def order_fields(request: OrderRequest) -> dict[str, Any]:
    """The keyword arguments of alpaca-py's Market/LimitOrderRequest for `request`.

    The quantity and the limit price are already on their grids (the plan's lot, the
    tick), so the float each becomes reads back to the same decimal text.
    """
    fields: dict[str, Any] = {
        "symbol": request.symbol,
        "qty": float(request.qty),
        "side": request.side.value,
        "time_in_force": "day",
        "client_order_id": request.client_order_id,
    }
    if request.order_type is OrderType.LIMIT:
        assert request.limit_price is not None
        fields["limit_price"] = float(request.limit_price)
    return fields
