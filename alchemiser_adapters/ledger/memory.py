"""`MemoryLedger`: the ledger in a Python process, for tests and notebooks (`memory://`).

Thread-safe: one lock serialises transactions. Writes are buffered and applied only
when the transaction ends normally, so an error half-way leaves nothing behind,
as in the durable backends. Nothing survives the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger._transactional import Clock, Transaction, TransactionalLedger
from alchemiser_adapters.ledger.model import Fill, Lease, OrderRecord, Reservation, exact_sub

__all__ = ["MemoryLedger"]

_CLAIMED = object()  # a reservation key claimed in this transaction, answer not yet written


class MemoryLedger(TransactionalLedger):
    """The `Ledger` in memory.

    >>> from datetime import date
    >>> ledger = MemoryLedger()
    >>> ledger.reserve("acct", date(2026, 11, 27), "k1", 70, cap=100).granted
    True
    >>> ledger.reserve("acct", date(2026, 11, 27), "k2", 70, cap=100).granted  # 140 > 100
    False
    >>> ledger.settle("k1", 50); ledger.used("acct", date(2026, 11, 27))
    Decimal('50')
    """

    def __init__(self, clock: Clock | None = None) -> None:
        super().__init__(clock)
        self._lock = threading.Lock()
        self._tables: dict[str, dict[Any, Any]] = {
            "leases": {},
            "reservations": {},
            "usage": {},
            "fills": {},
            "orders": {},
        }
        self._closed = False

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._lock:
            if self._closed:
                raise RuntimeError("the ledger is closed")
            tx = _MemoryTransaction(self._tables)
            yield tx
            for table, writes in tx.pending.items():
                self._tables[table].update(writes)

    def close(self) -> None:
        self._closed = True


class _MemoryTransaction:
    def __init__(self, tables: dict[str, dict[Any, Any]]) -> None:
        self._tables = tables
        self.pending: dict[str, dict[Any, Any]] = {name: {} for name in tables}

    def _get(self, table: str, key: object) -> Any:
        pending = self.pending[table]
        return pending[key] if key in pending else self._tables[table].get(key)

    def _put(self, table: str, key: object, value: object) -> None:
        self.pending[table][key] = value

    def lease(self, name: str, *, for_update: bool) -> Lease | None:
        found: Lease | None = self._get("leases", name)
        return found

    def put_lease(self, lease: Lease) -> None:
        self._put("leases", lease.name, lease)

    def claim_reservation(self, request: rules.ReserveRequest) -> Reservation | None:
        found = self._get("reservations", request.key)
        if found is not None:
            reservation: Reservation = found[0]
            return reservation
        self._put("reservations", request.key, _CLAIMED)
        return None

    def reservation(self, key: str) -> tuple[Reservation, rules.Held] | None:
        found: tuple[Reservation, rules.Held] | None = self._get("reservations", key)
        return found

    def write_reservation(self, reservation: Reservation, row: rules.Held) -> None:
        self._put("reservations", reservation.key, (reservation, row))

    def add_usage(
        self, account_id: str, day: date, amount: Decimal, cap: Decimal
    ) -> Decimal | None:
        after = rules.add_within_cap(self.usage(account_id, day), amount, cap)
        if after is not None:
            self._put("usage", (account_id, day), after)
        return after

    def usage(self, account_id: str, day: date) -> Decimal:
        found: Decimal | None = self._get("usage", (account_id, day))
        return Decimal(0) if found is None else found

    def give_back(self, account_id: str, day: date, amount: Decimal) -> None:
        self._put("usage", (account_id, day), exact_sub(self.usage(account_id, day), amount))

    def claim_fill(self, fill: Fill) -> Fill | None:
        found: Fill | None = self._get("fills", (fill.account_id, fill.fill_id))
        if found is None:
            self._put("fills", (fill.account_id, fill.fill_id), fill)
        return found

    def claim_order(self, record: OrderRecord) -> OrderRecord | None:
        found: OrderRecord | None = self._get("orders", record.client_order_id)
        if found is None:
            self._put("orders", record.client_order_id, record)
        return found

    def order(self, client_order_id: str) -> OrderRecord | None:
        found: OrderRecord | None = self._get("orders", client_order_id)
        return found

    def fills(
        self, account_id: str, day: date | None, plan_id: str | None, symbol: str | None
    ) -> list[Fill]:
        stored: list[Fill] = list(self._tables["fills"].values())
        return [
            fill
            for fill in stored
            if fill.account_id == account_id
            and (day is None or fill.day == day)
            and (plan_id is None or fill.plan_id == plan_id)
            and (symbol is None or fill.symbol == symbol)
        ]
