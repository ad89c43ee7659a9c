"""`AlpacaBroker`: the `Broker` port on alpaca-py (`TradingClient`, `StockHistoricalDataClient`).

Three things alpaca-py does not do, done here:

* **No blind re-POST.** alpaca-py retries a request on 429 and 504 by sending it
  again; for an order that may already have been accepted that is a duplicate
  waiting to happen. Its retry count is set to 0 (its own argument cannot: 0 reads
  as "default"), so the executor decides, after looking the order up.
* **A time-out on every request** (alpaca-py sets none: a hung socket hangs the bot).
* **A client-side rate limit** (default 200 requests a minute, Alpaca's own limit), so
  a large plan slows down instead of tripping 429.

Credentials come from the arguments or ``APCA_API_KEY_ID`` / ``APCA_API_SECRET_KEY``
and appear in no repr, log record or error message of this module. All of Alpaca's
JSON is read in `alchemiser_adapters.brokers.alpaca_parsing`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import requests
from alpaca.common.exceptions import APIError
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import StockLatestQuoteRequest
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import AssetStatus, QueryOrderStatus
from alpaca.trading.requests import (
    GetAssetsRequest,
    GetOrdersRequest,
    LimitOrderRequest,
    MarketOrderRequest,
)

from alchemiser_adapters.brokers import alpaca_parsing as parsing
from alchemiser_adapters.brokers.port import (
    BrokerOrder,
    BrokerRejectedError,
    BrokerUnavailableError,
    DuplicateClientOrderIdError,
    OrderRequest,
    OrderType,
)
from alchemiser_core import AccountSnapshot, InvalidInputError, Quote

__all__ = ["AlpacaBroker", "RateLimiter"]

LOG = logging.getLogger("alchemiser.alpaca")
_BULK_ORDERS = 500  # Alpaca's largest page of orders
_ONE_BY_ONE = 5  # above this many unknown assets, one listing request beats one each


class RateLimiter:
    """At most `per_minute` requests in any 60 s window (a sliding window of send times).

    >>> now = [0.0]
    >>> limiter = RateLimiter(2, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    >>> limiter.acquire(); limiter.acquire(); limiter.acquire()  # the third waits a minute
    >>> now[0]
    60.0
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if type(per_minute) is not int or per_minute < 1:
            raise InvalidInputError("requests_per_minute", "a positive int", per_minute)
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: list[float] = []
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                self._sent = [t for t in self._sent if t > now - 60.0]
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return
                self._sleep(self._sent[0] + 60.0 - now)


class _GuardedSession(requests.Session):
    """A session whose every request waits for the rate limiter and has a time-out."""

    def __init__(self, timeout: float, limiter: RateLimiter) -> None:
        super().__init__()
        self._timeout = timeout
        self._limiter = limiter

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self._limiter.acquire()
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, *args, **kwargs)


class AlpacaBroker:
    """Alpaca through alpaca-py; `base_url` / `data_url` point it at another server."""

    def __init__(  # noqa: PLR0913 - the keyword arguments DESIGN.md documents
        self,
        key_id: str | None = None,
        secret_key: str | None = None,
        *,
        paper: bool = True,
        base_url: str | None = None,
        data_url: str | None = None,
        timeout: float = 10.0,
        requests_per_minute: int = 200,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        # First, so that the repr works even on an instance whose construction failed
        # (a traceback shows it).
        self.paper = paper
        self.base_url = base_url
        key = key_id or os.environ.get("APCA_API_KEY_ID")
        secret = secret_key or os.environ.get("APCA_API_SECRET_KEY")
        if not key or not secret:
            raise InvalidInputError(
                "credentials",
                "a key id and secret (arguments, or APCA_API_KEY_ID and APCA_API_SECRET_KEY)",
                "<missing>",
            )
        self.limiter = RateLimiter(requests_per_minute)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._trading = TradingClient(
            key, secret, paper=paper, raw_data=True, url_override=base_url
        )
        self._data = StockHistoricalDataClient(key, secret, raw_data=True, url_override=data_url)
        for client in (self._trading, self._data):
            client._retry = 0  # no re-POST on 429/504: see the module's docstring
            client._session = _GuardedSession(timeout, self.limiter)
        self._assets: dict[str, dict[str, Any]] = {}

    def __repr__(self) -> str:
        return f"AlpacaBroker(paper={self.paper}, base_url={self.base_url!r})"

    # -- the port ---------------------------------------------------------------------

    def snapshot(self, symbols: Iterable[str] = ()) -> AccountSnapshot:
        account = self._call("account", self._trading.get_account)
        positions = self._call("positions", self._trading.get_all_positions)
        wanted = sorted({p["symbol"] for p in positions} | set(symbols))
        return parsing.account_snapshot(
            account=account,
            positions=positions,
            quotes=self.quotes(wanted),
            assets=self._assets_of(wanted),
            as_of=self._clock(),
        )

    def quotes(self, symbols: Iterable[str]) -> dict[str, Quote]:
        wanted = sorted(set(symbols))
        if not wanted:
            return {}
        raw = self._call(
            "latest quotes",
            lambda: self._data.get_stock_latest_quote(
                StockLatestQuoteRequest(symbol_or_symbols=wanted)
            ),
        )
        return {symbol: parsing.quote(payload, symbol) for symbol, payload in raw.items()}

    def submit(self, request: OrderRequest) -> BrokerOrder:
        fields = parsing.order_fields(request)
        model = (
            LimitOrderRequest(**fields)
            if request.order_type is OrderType.LIMIT
            else MarketOrderRequest(**fields)
        )
        LOG.info(
            "submit %s", request.client_order_id, extra={"client_order_id": request.client_order_id}
        )
        return parsing.broker_order(self._call("submit", lambda: self._trading.submit_order(model)))

    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None:
        try:
            payload = self._call(
                "order look-up", lambda: self._trading.get_order_by_client_id(client_order_id)
            )
        except BrokerRejectedError as error:
            if error.status == 404:
                return None
            raise
        return parsing.broker_order(payload)

    def orders(self, client_order_ids: Iterable[str]) -> dict[str, BrokerOrder]:
        wanted = set(client_order_ids)
        if not wanted:
            return {}
        recent = self._call(
            "orders",
            lambda: self._trading.get_orders(
                GetOrdersRequest(status=QueryOrderStatus.ALL, limit=_BULK_ORDERS, nested=False)
            ),
        )
        found = {
            p["client_order_id"]: parsing.broker_order(p)
            for p in recent
            if p["client_order_id"] in wanted
        }
        for missing in sorted(wanted - found.keys()):  # older than the newest page: one by one
            order = self.order_by_client_id(missing)
            if order is not None:
                found[missing] = order
        return found

    def cancel(self, broker_order_id: str) -> None:
        self._call("cancel", lambda: self._trading.cancel_order_by_id(broker_order_id))

    # -- plumbing ------------------------------------------------------------------------

    def _assets_of(self, symbols: list[str]) -> dict[str, dict[str, Any]]:
        """Asset rules, cached: a few symbols one by one, more in one listing request."""
        missing = [symbol for symbol in symbols if symbol not in self._assets]
        if len(missing) > _ONE_BY_ONE:
            listing = self._call(
                "assets",
                lambda: self._trading.get_all_assets(GetAssetsRequest(status=AssetStatus.ACTIVE)),
            )
            self._assets.update({asset["symbol"]: asset for asset in listing})
        for symbol in missing:
            if symbol not in self._assets:
                self._assets[symbol] = self._call("asset", partial(self._trading.get_asset, symbol))
        return {symbol: self._assets[symbol] for symbol in symbols}

    def _call(self, what: str, call: Callable[[], object]) -> Any:
        """Run one request; map every failure to the port's errors (no secret in them).

        The clients run with ``raw_data=True``, so the answer is Alpaca's JSON (typed as
        Any: `alchemiser_adapters.brokers.alpaca_parsing` reads and checks it).
        """
        try:
            return call()
        except APIError as error:
            status = error.status_code
            message = _message(error)
            if status is None or status == 429 or status >= 500:
                raise BrokerUnavailableError(f"{what}: HTTP {status}: {message}") from None
            if status == 422 and "client_order_id" in message and "unique" in message:
                raise DuplicateClientOrderIdError(f"{what}: {message}", status) from None
            raise BrokerRejectedError(f"{what}: HTTP {status}: {message}", status) from None
        except requests.RequestException as error:
            raise BrokerUnavailableError(f"{what}: {type(error).__name__}") from None


def _message(error: APIError) -> str:
    try:
        return str(error.message)
    except (ValueError, KeyError, TypeError):
        return str(error)[:200]
