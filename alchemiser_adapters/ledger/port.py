"""The `Ledger` port: what the executor needs from durable storage.

Every method is safe to call again with the same arguments: a retry after a crash
or a time-out never counts twice. Writes take an optional `lease`; given one, the
write happens only if that lease is still the current grant of its name, checked
in the same transaction as the write (else `StaleLeaseError`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from alchemiser_adapters.ledger.model import Fill, Lease, OrderRecord, Reservation

__all__ = ["Ledger"]


class Ledger(Protocol):
    """Daily traded-notional reservations, order intents, fills and fencing leases."""

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
        """Hold `amount` of the day's traded notional under `key` iff used + amount <= cap.

        The same key again returns the first answer (a different amount or cap under
        it raises `LedgerConflictError`).
        """
        ...

    def settle(self, key: str, amount: Decimal | int | str, *, lease: Lease | None = None) -> None:
        """The reservation becomes `amount` (<= held) of used notional; the rest is released."""
        ...

    def release(self, key: str, *, lease: Lease | None = None) -> None:
        """Drop what the reservation still holds (nothing, if settled or released already)."""
        ...

    def used(self, account_id: str, day: date) -> Decimal:
        """Settled + held notional of `account_id` on New York trading day `day`."""
        ...

    def record_order(self, record: OrderRecord, *, lease: Lease | None = None) -> bool:
        """Write the intent before submitting: True if new, False if identical to the stored."""
        ...

    def order(self, client_order_id: str) -> OrderRecord | None:
        """The recorded intent under `client_order_id`, if any."""
        ...

    def record_fill(self, fill: Fill, *, lease: Lease | None = None) -> bool:
        """True if new, False if an identical duplicate; a different fill under a known
        `(account_id, fill_id)` raises `LedgerConflictError`, never overwrites."""
        ...

    def fills(
        self,
        account_id: str,
        day: date | None = None,
        plan_id: str | None = None,
        symbol: str | None = None,
    ) -> tuple[Fill, ...]:
        """The account's fills, filtered, in (ts, fill_id) order."""
        ...

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease | None:
        """The lease, or None while another holder's grant runs. A new grant has a larger
        token than every grant before it; the holder asking again keeps its token."""
        ...

    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease:
        """Extend a current grant (`StaleLeaseError` if it expired or was granted anew)."""
        ...

    def release_lease(self, lease: Lease) -> None:
        """End a grant early; a no-op if it is not the current one."""
        ...

    def close(self) -> None:
        """Release connections; the ledger is unusable afterwards."""
        ...
