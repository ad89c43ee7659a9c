"""`PaperBroker`: a deterministic in-process broker for notebooks, the demo and tests.

Deterministic from its seed and inputs: the same orders against the same quotes give
the same fills (`PaperFills` sets slippage, latency, partial fills and rejections). A
market order fills at the quote (a buy at the ask, a sell at the bid) moved by the
slippage against the trader, onto the price tick. A limit order
at or inside the spread fills at its limit (a patient counterparty); one through
the spread fills at the quote, never past its limit; one outside the spread (a buy
below the bid) rests. A plain price ``p`` for a symbol is a two-tick market,
``p - tick`` / ``p + tick`` (mid ``p``): a bid equal to the ask is a locked market,
which the core's quote checks rightly refuse. Like a real broker it refuses a
buy that cash cannot pay for and a sell of more than is held (HTTP 403 at Alpaca).
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

import attrs

from alchemiser_adapters.brokers.port import (
    BrokerOrder,
    BrokerRejectedError,
    DuplicateClientOrderIdError,
    OrderRequest,
    OrderStatus,
)
from alchemiser_adapters.ledger.model import average_price, canonical
from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    InvalidInputError,
    Quote,
    Side,
    ceil_to_increment,
    default_tick,
    floor_to_increment,
    to_decimal,
)

__all__ = ["PaperBroker", "PaperFills"]

_BPS = Decimal("0.0001")


def _probability(_: object, field: attrs.Attribute[float], value: object) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise InvalidInputError(field.name, "a probability in [0, 1]", value)


def _polls(_: object, field: attrs.Attribute[int], value: object) -> None:
    if type(value) is not int or value < 0:
        raise InvalidInputError(field.name, "an int >= 0", value)


def _to_slippage_bps(value: object) -> Decimal:
    number = to_decimal(value, "slippage_bps")
    if number < 0:
        raise InvalidInputError("slippage_bps", "a number >= 0", value)
    return number


@attrs.frozen(slots=True)
class PaperFills:
    """How the paper market behaves: the same seed and inputs give the same fills.

    `slippage_bps` moves market fills against the trader; `fill_after_polls` keeps an
    order open for that many status look-ups (latency); `partial_fill_probability`
    fills half of a qualifying order on one look-up and the rest later;
    `reject_probability` rejects an order on arrival.
    """

    seed: int = 0
    slippage_bps: Decimal = attrs.field(default=Decimal(0), converter=_to_slippage_bps)
    fill_after_polls: int = attrs.field(default=0, validator=_polls)
    partial_fill_probability: float = attrs.field(default=0.0, validator=_probability)
    reject_probability: float = attrs.field(default=0.0, validator=_probability)


@attrs.define
class _PaperOrder:
    order: BrokerOrder
    polls_left: int
    filled_notional: Decimal = Decimal(0)


class PaperBroker:
    """A simulated account. `quotes` maps symbol to a `Quote` or a price p (p -/+ one tick).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2026, 11, 27, 15, tzinfo=timezone.utc)
    >>> broker = PaperBroker(cash=1000, quotes={"SPY": 500}, clock=lambda: t)
    >>> broker.submit(OrderRequest("alc-x-0", "SPY", "buy", qty=1)).status
    <OrderStatus.FILLED: 'filled'>
    >>> broker.snapshot().cash, broker.snapshot().positions["SPY"]  # a market buy at the ask, 500.01
    (Decimal('499.99'), Decimal('1'))
    """

    def __init__(
        self,
        *,
        cash: object,
        quotes: Mapping[str, object],
        positions: Mapping[str, object] | None = None,
        rules: Mapping[str, AssetRules] | None = None,
        account_id: str = "paper",
        fills: PaperFills | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.fills = fills or PaperFills()
        self.account_id = account_id
        self._clock = clock or (lambda: datetime.now(UTC))
        self._cash = to_decimal(cash, "cash")
        self._positions = {
            s: to_decimal(q, f"positions[{s!r}]") for s, q in (positions or {}).items()
        }
        self._rules = dict(rules or {})
        self._quotes: dict[str, Quote] = {}
        for symbol, quote in quotes.items():
            self.set_quote(symbol, quote)
        self._slippage = self.fills.slippage_bps * _BPS
        self._random = random.Random(self.fills.seed)  # noqa: S311 - a simulation, not a secret
        self._ids = itertools.count(1)
        self._orders: dict[str, _PaperOrder] = {}  # by client order id
        self._by_broker_id: dict[str, str] = {}
        self._lock = threading.Lock()
        self.requests = 0  # every call, as a rate-limited broker would count them

    # -- the market ------------------------------------------------------------------

    def set_quote(self, symbol: str, quote: object) -> None:
        """Move the market: a `Quote`, or a price (bid = ask = price)."""
        if isinstance(quote, Quote):
            self._quotes[symbol] = quote
        else:
            price = to_decimal(quote, f"quotes[{symbol!r}]")
            tick = default_tick(price)
            self._quotes[symbol] = Quote(price - tick, price + tick, 100, 100, ts=self._clock())

    # -- the port ----------------------------------------------------------------------

    def snapshot(self, symbols: Iterable[str] = ()) -> AccountSnapshot:
        with self._lock:
            self.requests += 1
            held = {symbol: qty for symbol, qty in self._positions.items() if qty}
            wanted = set(held) | set(symbols)
            prices = {s: self._quotes[s].mid for s in wanted if s in self._quotes}
            return AccountSnapshot(
                cash=self._cash,
                positions=held,
                prices=prices,
                as_of=self._clock(),
                account_id=self.account_id,
                rules={s: r for s, r in self._rules.items() if s in wanted},
            )

    def quotes(self, symbols: Iterable[str]) -> dict[str, Quote]:
        with self._lock:
            self.requests += 1
            now = self._clock()
            return {s: attrs.evolve(self._quotes[s], ts=now) for s in symbols if s in self._quotes}

    def submit(self, request: OrderRequest) -> BrokerOrder:
        with self._lock:
            self.requests += 1
            if request.client_order_id in self._orders:
                raise DuplicateClientOrderIdError(
                    f"client_order_id {request.client_order_id!r} must be unique", 422
                )
            if request.symbol not in self._quotes:
                raise BrokerRejectedError(f"asset {request.symbol!r} not found", 422)
            self._check_funds(request)
            broker_id = f"paper-{next(self._ids)}"
            status = (
                OrderStatus.REJECTED
                if self._random.random() < self.fills.reject_probability
                else OrderStatus.NEW
            )
            order = BrokerOrder(
                broker_order_id=broker_id,
                client_order_id=request.client_order_id,
                symbol=request.symbol,
                side=request.side,
                qty=request.qty,
                order_type=request.order_type,
                status=status,
                limit_price=request.limit_price,
                updated_at=self._clock(),
            )
            entry = _PaperOrder(order, self.fills.fill_after_polls)
            self._orders[request.client_order_id] = entry
            self._by_broker_id[broker_id] = request.client_order_id
            self._work(entry)
            return entry.order

    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None:
        with self._lock:
            self.requests += 1
            entry = self._orders.get(client_order_id)
            if entry is None:
                return None
            self._work(entry)
            return entry.order

    def orders(self, client_order_ids: Iterable[str]) -> dict[str, BrokerOrder]:
        with self._lock:
            self.requests += 1
            found = {}
            for client_order_id in client_order_ids:
                entry = self._orders.get(client_order_id)
                if entry is not None:
                    self._work(entry)
                    found[client_order_id] = entry.order
            return found

    def cancel(self, broker_order_id: str) -> None:
        with self._lock:
            self.requests += 1
            client_order_id = self._by_broker_id.get(broker_order_id)
            if client_order_id is None:
                raise BrokerRejectedError(f"order {broker_order_id!r} not found", 404)
            entry = self._orders[client_order_id]
            if not entry.order.is_terminal:
                entry.order = attrs.evolve(
                    entry.order, status=OrderStatus.CANCELED, updated_at=self._clock()
                )

    # -- the simulation ------------------------------------------------------------------

    def _check_funds(self, request: OrderRequest) -> None:
        if request.side is Side.BUY:
            price = request.limit_price or self._fill_price(request.symbol, Side.BUY)
            cost = request.qty * price + self._open_buy_cost()
            if cost > self._cash:
                raise BrokerRejectedError("insufficient buying power", 403)
        else:
            selling = sum(
                (e.order.qty - e.order.filled_qty for e in self._orders.values()
                 if e.order.symbol == request.symbol and e.order.side is Side.SELL
                 and not e.order.is_terminal),
                Decimal(0),
            )  # fmt: skip
            if request.qty + selling > self._positions.get(request.symbol, Decimal(0)):
                raise BrokerRejectedError("insufficient qty available for order", 403)

    def _open_buy_cost(self) -> Decimal:
        return sum(
            ((e.order.qty - e.order.filled_qty) * (e.order.limit_price or self._fill_price(
                e.order.symbol, Side.BUY)) for e in self._orders.values()
             if e.order.side is Side.BUY and not e.order.is_terminal),
            Decimal(0),
        )  # fmt: skip

    def _fill_price(self, symbol: str, side: Side) -> Decimal:
        quote = self._quotes[symbol]
        if side is Side.BUY:
            moved = quote.ask * (1 + self._slippage)
            return ceil_to_increment(moved, default_tick(moved))
        moved = quote.bid * (1 - self._slippage)
        return floor_to_increment(moved, default_tick(moved))

    def _execution_price(self, order: BrokerOrder) -> Decimal | None:
        """Where `order` trades now, or None if it rests (see the class docstring)."""
        market = self._fill_price(order.symbol, order.side)
        limit = order.limit_price
        if limit is None:
            return market
        quote = self._quotes[order.symbol]
        if order.side is Side.BUY:
            return None if limit < quote.bid else min(limit, market)
        return None if limit > quote.ask else max(limit, market)

    def _work(self, entry: _PaperOrder) -> None:
        """Advance one order by one look-up: wait out its latency, then fill what it can."""
        order = entry.order
        if order.is_terminal:
            return
        if entry.polls_left:
            entry.polls_left -= 1
            return
        price = self._execution_price(order)
        if price is None:
            return  # a limit outside the spread: rests
        remaining = order.qty - order.filled_qty
        qty = remaining
        grid = Decimal(1) if remaining == remaining.to_integral_value() else Decimal("1e-9")
        if remaining > grid and self._random.random() < self.fills.partial_fill_probability:
            qty = floor_to_increment(remaining / 2, grid)
        notional = qty * price
        if order.side is Side.BUY:
            self._cash -= notional
            self._positions[order.symbol] = self._positions.get(order.symbol, Decimal(0)) + qty
        else:
            self._cash += notional
            self._positions[order.symbol] = self._positions.get(order.symbol, Decimal(0)) - qty
        entry.filled_notional += notional
        filled = canonical(order.filled_qty + qty)
        entry.order = attrs.evolve(
            order,
            filled_qty=filled,
            filled_avg_price=average_price(entry.filled_notional, filled),
            status=OrderStatus.FILLED if filled == order.qty else OrderStatus.PARTIALLY_FILLED,
            updated_at=self._clock(),
        )
        self._cash = canonical(self._cash)
