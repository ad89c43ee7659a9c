"""The `Ledger` methods once, over any store with transactions (memory, SQLite, PostgreSQL).

A backend supplies `_transaction()`, a context manager yielding a `Transaction`:
storage primitives that run inside one atomic transaction, committed when the
block ends normally and rolled back on any exception. The order of the steps is
what makes them safe under concurrency:

* a reservation, fill or order first *claims its key* (an insert that does
  nothing if the key exists), so two callers with one key cannot both go on: the
  second waits for the first's commit, then finds its row and repeats its answer;
* the day's counter moves by a conditional add (`used + amount <= cap`), which a
  store makes atomic in its own way (a serialised transaction, or one UPDATE
  ... WHERE that READ COMMITTED re-evaluates on the row it locks);
* a fenced write reads the lease row with a shared lock first, so a new grant of
  that lease cannot commit between the check and the write.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Protocol, Self

from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger.model import (
    Fill,
    Lease,
    OrderRecord,
    Reservation,
    positive_ttl,
    text,
    trading_date,
)
from alchemiser_core import InvalidInputError

__all__ = ["Clock", "Transaction", "TransactionalLedger", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC. Lease expiry is judged by each instance's clock: keep them in sync
    (NTP); the fencing token keeps writes safe even when they are not."""
    return datetime.now(UTC)


class Transaction(Protocol):
    """Storage primitives, all inside one transaction."""

    def lease(self, name: str, *, for_update: bool) -> Lease | None: ...

    def put_lease(self, lease: Lease) -> None: ...

    def claim_reservation(self, request: rules.ReserveRequest) -> Reservation | None:
        """Insert a placeholder row for `request.key`; the stored answer if it existed."""
        ...

    def reservation(self, key: str) -> tuple[Reservation, rules.Held] | None:
        """The reservation and its state, locked for update."""
        ...

    def write_reservation(self, reservation: Reservation, row: rules.Held) -> None: ...

    def add_usage(
        self, account_id: str, day: date, amount: Decimal, cap: Decimal
    ) -> Decimal | None:
        """Add `amount` to the day's use iff the result stays <= cap: the new use, or None."""
        ...

    def usage(self, account_id: str, day: date) -> Decimal: ...

    def give_back(self, account_id: str, day: date, amount: Decimal) -> None: ...

    def claim_fill(self, fill: Fill) -> Fill | None:
        """Insert `fill` unless its key exists; the stored fill if it did."""
        ...

    def claim_order(self, record: OrderRecord) -> OrderRecord | None: ...

    def order(self, client_order_id: str) -> OrderRecord | None: ...

    def fills(
        self, account_id: str, day: date | None, plan_id: str | None, symbol: str | None
    ) -> list[Fill]: ...


class TransactionalLedger:
    """`Ledger` over a store's transactions; subclasses provide `_transaction` and `close`."""

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or system_clock

    def _transaction(self) -> AbstractContextManager[Transaction]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the daily counter -----------------------------------------------------------

    def reserve(
        self,
        account_id: str,
        day: date,
        key: str,
        amount: Decimal | int | str,
        cap: Decimal | int | str,
        *,
        lease: Lease | None = None,
    ) -> Reservation:
        request = rules.check_reserve(account_id, day, key, amount, cap)
        with self._fenced(lease) as tx:
            first = tx.claim_reservation(request)
            if first is not None:
                return rules.repeat_reservation(request, first)
            used = tx.add_usage(request.account_id, request.day, request.amount, request.cap)
            if used is None:
                answer = rules.answer_reservation(
                    request, tx.usage(request.account_id, request.day), granted=False
                )
                row = rules.Held(rules.DENIED, Decimal(0), None)
            else:
                answer = rules.answer_reservation(request, used, granted=True)
                row = rules.Held(rules.HELD, request.amount, None)
            tx.write_reservation(answer, row)
            return answer

    def settle(self, key: str, amount: Decimal | int | str, *, lease: Lease | None = None) -> None:
        checked = text(key, "key")
        with self._fenced(lease) as tx:
            found = tx.reservation(checked)
            new_row, back = rules.settle_step(checked, found and found[1], amount)
            self._write_step(tx, found, new_row, back)

    def release(self, key: str, *, lease: Lease | None = None) -> None:
        checked = text(key, "key")
        with self._fenced(lease) as tx:
            found = tx.reservation(checked)
            new_row, back = rules.release_step(checked, found and found[1])
            self._write_step(tx, found, new_row, back)

    @staticmethod
    def _write_step(
        tx: Transaction,
        found: tuple[Reservation, rules.Held] | None,
        new_row: rules.Held,
        back: Decimal,
    ) -> None:
        assert found is not None  # the step raised otherwise
        reservation, old_row = found
        if new_row == old_row:
            return
        tx.write_reservation(reservation, new_row)
        if back:
            tx.give_back(reservation.account_id, reservation.day, back)

    def used(self, account_id: str, day: date) -> Decimal:
        account = text(account_id, "account_id")
        checked_day = trading_date(day)
        with self._transaction() as tx:
            return tx.usage(account, checked_day)

    # -- orders and fills ------------------------------------------------------------

    def record_order(self, record: OrderRecord, *, lease: Lease | None = None) -> bool:
        if not isinstance(record, OrderRecord):
            raise InvalidInputError("record", "an OrderRecord", record)
        with self._fenced(lease) as tx:
            stored = tx.claim_order(record)
            return True if stored is None else rules.same_order(stored, record)

    def order(self, client_order_id: str) -> OrderRecord | None:
        checked = text(client_order_id, "client_order_id")
        with self._transaction() as tx:
            return tx.order(checked)

    def record_fill(self, fill: Fill, *, lease: Lease | None = None) -> bool:
        if not isinstance(fill, Fill):
            raise InvalidInputError("fill", "a Fill", fill)
        with self._fenced(lease) as tx:
            stored = tx.claim_fill(fill)
            return True if stored is None else rules.same_fill(stored, fill)

    def fills(
        self,
        account_id: str,
        day: date | None = None,
        plan_id: str | None = None,
        symbol: str | None = None,
    ) -> tuple[Fill, ...]:
        account = text(account_id, "account_id")
        checked_day = None if day is None else trading_date(day)
        plan = None if plan_id is None else text(plan_id, "plan_id")
        checked_symbol = None if symbol is None else text(symbol, "symbol")
        with self._transaction() as tx:
            found = tx.fills(account, checked_day, plan, checked_symbol)
        return tuple(sorted(found, key=lambda fill: (fill.ts, fill.fill_id)))

    # -- leases ------------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease | None:
        checked_name, checked_holder = rules.check_lease_args(name, holder)
        duration = positive_ttl(ttl)
        with self._transaction() as tx:
            current = tx.lease(checked_name, for_update=True)
            granted = rules.grant_lease(
                current, checked_name, checked_holder, duration, self._clock()
            )
            if granted is not None:
                tx.put_lease(granted)
            return granted

    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease:
        checked = rules.check_lease(lease)
        duration = positive_ttl(ttl)
        with self._transaction() as tx:
            renewed = rules.renewed_lease(
                tx.lease(checked.name, for_update=True), checked, duration, self._clock()
            )
            tx.put_lease(renewed)
            return renewed

    def release_lease(self, lease: Lease) -> None:
        checked = rules.check_lease(lease)
        with self._transaction() as tx:
            ended = rules.released_lease(tx.lease(checked.name, for_update=True), checked)
            if ended is not None:
                tx.put_lease(ended)

    def _fenced(self, lease: Lease | None) -> AbstractContextManager[Transaction]:
        """A transaction that first checks `lease` (if any) is current."""
        return _FencedTransaction(self, None if lease is None else rules.check_lease(lease))


class _FencedTransaction(AbstractContextManager[Transaction]):
    def __init__(self, ledger: TransactionalLedger, lease: Lease | None) -> None:
        self._inner = ledger._transaction()
        self._lease = lease
        self._clock = ledger._clock

    def __enter__(self) -> Transaction:
        tx = self._inner.__enter__()
        if self._lease is not None:
            try:
                rules.check_fence(
                    tx.lease(self._lease.name, for_update=False), self._lease, self._clock()
                )
            except BaseException as error:
                self._inner.__exit__(type(error), error, error.__traceback__)
                raise
        return tx

    def __exit__(self, *exc_info: object) -> bool | None:
        return self._inner.__exit__(*exc_info)  # type: ignore[arg-type]
