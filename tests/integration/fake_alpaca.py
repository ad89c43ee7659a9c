"""A server on 127.0.0.1 that speaks Alpaca's REST shapes and keeps order state.

alpaca-py's real clients talk real HTTP to it. It serves the trading API (account,
positions, assets, orders including ``:by_client_order_id``) and the data API's
latest quotes, checks the API key headers, fills orders at the quote, and injects
faults on request: a status code before or after the order is accepted, a stall
past the client's time-out after acceptance, a hook run after acceptance (to kill
the client), a latency on every request. Every response parses in alpaca-py's own
models (checked in the tests), so the shapes are the real ones.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY_ID = "fake-key-id"
SECRET = "fake-secret-key"  # noqa: S105 - the loopback server's test credential


@dataclass
class Fault:
    """What to do to the next `times` requests matching `method` and `path`.

    `mode`: "before" (answer `status` without acting), "after" (act, then answer
    `status`), "stall" (act, then wait `seconds` before answering), "hook" (act, run
    `hook`, then answer normally).
    """

    method: str
    path: str
    mode: str
    status: int = 504
    times: int = 1
    seconds: float = 0.0
    hook: Callable[[], None] | None = None
    message: str = "injected"


@dataclass
class _Order:
    data: dict[str, Any]
    notional: Decimal = Decimal(0)
    born: float = field(default_factory=time.monotonic)


@dataclass
class FakeAlpaca:
    """The server's state; `start()` serves it on an ephemeral port."""

    cash: Decimal = Decimal(100_000)
    positions: dict[str, Decimal] = field(default_factory=dict)
    quotes: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # bid, ask
    never_fill: set[str] = field(default_factory=set)
    partial_fills: bool = False
    latency: float = 0.0
    fill_delay: float = 0.0  # seconds an order rests before it can fill
    faults: list[Fault] = field(default_factory=list)
    orders: list[_Order] = field(default_factory=list)
    requests: list[tuple[float, str, str]] = field(default_factory=list)
    posts_by_client_id: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.RLock()
        self.server: ThreadingHTTPServer | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> str:
        state = self

        class Handler(_Handler):
            fake = state

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # -- what the tests read ------------------------------------------------------------

    def client_order_ids(self) -> list[str]:
        with self.lock:
            return [order.data["client_order_id"] for order in self.orders]

    def fills(self) -> dict[str, tuple[Decimal, Decimal | None]]:
        """client order id -> (filled qty, average price) for every order with a fill."""
        with self.lock:
            return {
                o.data["client_order_id"]: (
                    Decimal(o.data["filled_qty"]),
                    None
                    if o.data["filled_avg_price"] is None
                    else Decimal(o.data["filled_avg_price"]),
                )
                for o in self.orders
                if Decimal(o.data["filled_qty"])
            }

    def max_requests_in_a_minute(self) -> int:
        times = sorted(t for t, _, _ in self.requests)
        return max((sum(1 for u in times if t <= u < t + 60) for t in times), default=0)

    # -- the market and the book ----------------------------------------------------------

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times and fault.method == method and path.startswith(fault.path):
                fault.times -= 1
                return fault
        return None

    def _quote_json(self, symbol: str) -> dict[str, Any]:
        bid, ask = self.quotes[symbol]
        return {
            "t": _now(), "ax": "V", "ap": float(ask), "as": 3, "bx": "V", "bp": float(bid),
            "bs": 2, "c": ["R"], "z": "C",
        }  # fmt: skip

    def _work(self, order: _Order) -> None:
        """Fill what the market allows: market at the quote, limits when marketable."""
        data = order.data
        if data["status"] not in ("new", "accepted", "partially_filled"):
            return
        symbol = data["symbol"]
        if symbol in self.never_fill or time.monotonic() - order.born < self.fill_delay:
            return
        bid, ask = self.quotes[symbol]
        buy = data["side"] == "buy"
        price = ask if buy else bid
        limit = data["limit_price"]
        if limit is not None:
            limit = Decimal(limit)
            if (buy and limit < bid) or (not buy and limit > ask):
                return
            price = min(limit, ask) if buy else max(limit, bid)
        qty = Decimal(data["qty"])
        filled = Decimal(data["filled_qty"])
        take = qty - filled
        if self.partial_fills and filled == 0 and take > 1:
            take = (take / 2).to_integral_value(rounding="ROUND_FLOOR")
        notional = take * price
        self.cash += -notional if buy else notional
        self.positions[symbol] = self.positions.get(symbol, Decimal(0)) + (take if buy else -take)
        order.notional += notional
        filled += take
        data["filled_qty"] = str(filled)
        data["filled_avg_price"] = str(order.notional / filled)
        data["status"] = "filled" if filled == qty else "partially_filled"
        data["updated_at"] = _now()
        if filled == qty:
            data["filled_at"] = data["updated_at"]

    def _submit(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        client_order_id = body.get("client_order_id") or str(uuid.uuid4())
        self.posts_by_client_id[client_order_id] = (
            self.posts_by_client_id.get(client_order_id, 0) + 1
        )
        if any(o.data["client_order_id"] == client_order_id for o in self.orders):
            return 422, {"code": 40010001, "message": "client_order_id must be unique"}
        symbol = body["symbol"]
        if symbol not in self.quotes:
            return 422, {"code": 40010001, "message": f"asset {symbol} not found"}
        qty = Decimal(str(body["qty"]))
        side = body["side"]
        limit = body.get("limit_price")
        if side == "buy":
            price = Decimal(str(limit)) if limit is not None else self.quotes[symbol][1]
            if qty * price > self.cash:
                return 403, {"code": 40310000, "message": "insufficient buying power"}
        elif qty > self.positions.get(symbol, Decimal(0)):
            return 403, {"code": 40310000, "message": "insufficient qty available for order"}
        now = _now()
        data = {
            "id": str(uuid.uuid4()), "client_order_id": client_order_id, "created_at": now,
            "updated_at": now, "submitted_at": now, "filled_at": None, "expired_at": None,
            "canceled_at": None, "failed_at": None, "replaced_at": None, "replaced_by": None,
            "replaces": None, "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)),
            "symbol": symbol, "asset_class": "us_equity", "notional": None, "qty": str(qty),
            "filled_qty": "0", "filled_avg_price": None, "order_class": "simple",
            "order_type": body["type"], "type": body["type"], "side": side,
            "time_in_force": body["time_in_force"],
            "limit_price": None if limit is None else str(Decimal(str(limit))),
            "stop_price": None, "status": "new", "extended_hours": False, "legs": None,
            "trail_percent": None, "trail_price": None, "hwm": None,
        }  # fmt: skip
        order = _Order(data)
        self.orders.append(order)
        self._work(order)
        return 200, data

    def route(  # noqa: PLR0912 - one branch per Alpaca endpoint the fake serves
        self, method: str, target: str, body: dict[str, Any] | None
    ) -> tuple[int, Any]:
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if method == "GET" and path == "/v2/account":
            return 200, self._account()
        if method == "GET" and path == "/v2/positions":
            return 200, [self._position(s, q) for s, q in sorted(self.positions.items()) if q]
        if method == "GET" and path == "/v2/assets":
            return 200, [_asset(symbol) for symbol in sorted(self.quotes)]
        if method == "GET" and path.startswith("/v2/assets/"):
            symbol = path.rsplit("/", 1)[1]
            if symbol not in self.quotes:
                return 404, {"code": 40410000, "message": "asset not found"}
            return 200, _asset(symbol)
        if method == "GET" and path == "/v2/stocks/quotes/latest":
            symbols = query.get("symbols", [""])[0].split(",")
            return 200, {"quotes": {s: self._quote_json(s) for s in symbols if s in self.quotes}}
        if method == "POST" and path == "/v2/orders":
            return self._submit(body or {})
        if method == "GET" and path == "/v2/orders:by_client_order_id":
            wanted = query.get("client_order_id", [""])[0]
            for order in self.orders:
                if order.data["client_order_id"] == wanted:
                    self._work(order)
                    return 200, order.data
            return 404, {"code": 40410000, "message": "order not found"}
        if method == "GET" and path.startswith("/v2/orders/"):
            order_id = path.rsplit("/", 1)[1]
            for order in self.orders:
                if order.data["id"] == order_id:
                    self._work(order)
                    return 200, order.data
            return 404, {"code": 40410000, "message": "order not found"}
        if method == "GET" and path == "/v2/orders":
            limit = int(query.get("limit", ["50"])[0])
            for order in self.orders:
                self._work(order)
            return 200, [o.data for o in reversed(self.orders)][:limit]
        if method == "DELETE" and path.startswith("/v2/orders/"):
            order_id = path.rsplit("/", 1)[1]
            for order in self.orders:
                if order.data["id"] == order_id:
                    if order.data["status"] in ("filled", "canceled", "expired", "rejected"):
                        return 422, {"code": 42210000, "message": "order is not cancelable"}
                    order.data["status"] = "canceled"
                    order.data["canceled_at"] = order.data["updated_at"] = _now()
                    return 204, None
            return 404, {"code": 40410000, "message": "order not found"}
        return 404, {"code": 40410000, "message": f"no route {method} {path}"}

    def _account(self) -> dict[str, Any]:
        equity = self.cash + sum(
            (q * (self.quotes[s][0] + self.quotes[s][1]) / 2 for s, q in self.positions.items()),
            Decimal(0),
        )
        return {
            "id": "2d9a2b8c-1a1a-4c4c-9d9d-0123456789ab", "account_number": "PA3FAKE0001",
            "status": "ACTIVE", "crypto_status": "ACTIVE", "currency": "USD",
            "buying_power": str(self.cash), "regt_buying_power": str(self.cash),
            "daytrading_buying_power": "0", "non_marginable_buying_power": str(self.cash),
            "cash": str(self.cash), "accrued_fees": "0", "pending_transfer_out": None,
            "pending_transfer_in": "0", "portfolio_value": str(equity),
            "pattern_day_trader": False, "trading_blocked": False, "transfers_blocked": False,
            "account_blocked": False, "created_at": "2024-01-02T15:00:00Z",
            "trade_suspended_by_user": False, "multiplier": "1", "shorting_enabled": False,
            "equity": str(equity), "last_equity": str(equity), "long_market_value": "0",
            "short_market_value": "0", "initial_margin": "0", "maintenance_margin": "0",
            "last_maintenance_margin": "0", "sma": "0", "daytrade_count": 0,
        }  # fmt: skip

    def _position(self, symbol: str, qty: Decimal) -> dict[str, Any]:
        bid, ask = self.quotes[symbol]
        price = (bid + ask) / 2
        return {
            "asset_id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)), "symbol": symbol,
            "exchange": "NASDAQ", "asset_class": "us_equity", "asset_marginable": True,
            "avg_entry_price": str(price), "qty": str(qty), "side": "long",
            "market_value": str(qty * price), "cost_basis": str(qty * price),
            "unrealized_pl": "0", "unrealized_plpc": "0", "unrealized_intraday_pl": "0",
            "unrealized_intraday_plpc": "0", "current_price": str(price),
            "lastday_price": str(price), "change_today": "0", "qty_available": str(qty),
        }  # fmt: skip


def _asset(symbol: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_DNS, symbol)), "class": "us_equity",
        "exchange": "NASDAQ", "symbol": symbol, "name": f"{symbol} Inc.", "status": "active",
        "tradable": True, "marginable": True, "shortable": True, "easy_to_borrow": True,
        "fractionable": True, "min_order_size": None, "min_trade_increment": None,
        "price_increment": None, "attributes": [],
    }  # fmt: skip


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client killed or timed out mid-request is part of the tests, not news


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAlpaca
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the tests read the state, not the log

    def _handle(self, method: str) -> None:
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        if fake.latency:
            time.sleep(fake.latency)
        if (self.headers.get("APCA-API-KEY-ID"), self.headers.get("APCA-API-SECRET-KEY")) != (
            KEY_ID,
            SECRET,
        ):
            self._send(401, {"code": 40110000, "message": "request is not authorized"})
            return
        path = urlsplit(self.path).path
        with fake.lock:
            fake.requests.append((time.monotonic(), method, path))
            fault = fake._fault(method, path)
            if fault is not None and fault.mode == "before":
                status, payload = (
                    fault.status,
                    {"code": fault.status * 100000, "message": fault.message},
                )
            else:
                status, payload = fake.route(method, self.path, body)
        if fault is not None and fault.mode == "after":
            status, payload = (
                fault.status,
                {"code": fault.status * 100000, "message": "injected after accept"},
            )
        if fault is not None and fault.mode == "stall":
            time.sleep(fault.seconds)
        if fault is not None and fault.mode == "hook" and fault.hook is not None:
            fault.hook()
        self._send(status, payload)

    def _send(self, status: int, payload: Any) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a time-out) or died: nothing to tell it

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def two_cent_market() -> FakeAlpaca:
    """An account of 10,000 cash, 40 AAPL and 30 XOM, with two-cent markets around round
    prices (AAPL 150, MSFT 400, SPY 600, XOM 100): the ladder's 0.75 step lands on the mid."""
    return FakeAlpaca(
        cash=Decimal(10_000),
        positions={"AAPL": Decimal(40), "XOM": Decimal(30)},
        quotes={
            symbol: (Decimal(price) - Decimal("0.01"), Decimal(price) + Decimal("0.01"))
            for symbol, price in {"AAPL": 150, "MSFT": 400, "SPY": 600, "XOM": 100}.items()
        },
    )
