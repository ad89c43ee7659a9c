"""The ledger's decisions, written once for every backend.

Each backend reads the rows a step needs inside its own transaction, asks these
functions what to do, and writes the answer in the same transaction. Keeping the
rules here means a backend holds only storage, so the contract tests check one
set of rules four times over rather than four sets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs

from alchemiser_adapters.ledger.model import (
    Fill,
    Lease,
    LedgerConflictError,
    OrderRecord,
    Reservation,
    StaleLeaseError,
    exact_add,
    exact_sub,
    non_negative,
    positive,
    text,
    trading_date,
)
from alchemiser_core import InvalidInputError

__all__ = [
    "DENIED",
    "HELD",
    "RELEASED",
    "SETTLED",
    "Held",
    "ReserveRequest",
    "add_within_cap",
    "answer_reservation",
    "check_fence",
    "check_lease",
    "check_lease_args",
    "check_reserve",
    "grant_lease",
    "release_step",
    "released_lease",
    "renewed_lease",
    "repeat_reservation",
    "same_fill",
    "same_order",
    "settle_step",
]

# What a reservation row holds after each step.
HELD = "held"  # granted; `held` still counts toward the day's use
SETTLED = "settled"  # what traded counts; the rest went back
RELEASED = "released"  # granted, then given back whole
DENIED = "denied"  # not granted: nothing ever counted


@attrs.frozen(slots=True)
class ReserveRequest:
    """`reserve`'s arguments, checked."""

    account_id: str
    day: date
    key: str
    amount: Decimal
    cap: Decimal


def check_reserve(
    account_id: object, day: object, key: object, amount: object, cap: object
) -> ReserveRequest:
    return ReserveRequest(
        text(account_id, "account_id"),
        trading_date(day),
        text(key, "key"),
        positive(amount, "amount"),
        positive(cap, "cap"),
    )


def answer_reservation(request: ReserveRequest, used: Decimal, *, granted: bool) -> Reservation:
    """The answer the ledger gives, and repeats: `used` is the day's use after it."""
    return Reservation(
        key=request.key,
        account_id=request.account_id,
        day=request.day,
        amount=request.amount,
        cap=request.cap,
        granted=granted,
        used=used,
        headroom=max(Decimal(0), exact_sub(request.cap, used)),
    )


def add_within_cap(used: Decimal, amount: Decimal, cap: Decimal) -> Decimal | None:
    """used + amount if that stays <= cap, else None (for stores that read, then write)."""
    after = exact_add(used, amount)
    return after if after <= cap else None


def repeat_reservation(request: ReserveRequest, first: Reservation) -> Reservation:
    """The first answer again, if the key came back with the same arguments."""
    asked = (request.account_id, request.day, request.amount, request.cap)
    if asked != (first.account_id, first.day, first.amount, first.cap):
        raise LedgerConflictError(
            f"reservation {request.key!r} exists for {first.account_id} {first.day}"
            f" amount {first.amount} cap {first.cap}; asked again with"
            f" {request.account_id} {request.day} amount {request.amount} cap {request.cap}"
        )
    return first


@attrs.frozen(slots=True)
class Held:
    """A reservation's state row: what it still holds and what it settled to."""

    state: str
    held: Decimal
    settled: Decimal | None


def settle_step(key: str, row: Held | None, amount: object) -> tuple[Held, Decimal]:
    """(the new row, the amount going back to the day's headroom) for `settle(key, amount)`."""
    traded = non_negative(amount, "amount")
    if row is None:
        raise InvalidInputError("key", "a key reserved before", key)
    if row.state == HELD:
        if traded > row.held:
            raise InvalidInputError("amount", f"at most the {row.held} held under {key!r}", amount)
        return Held(SETTLED, Decimal(0), traded), exact_sub(row.held, traded)
    if row.state == SETTLED and row.settled == traded:
        return row, Decimal(0)  # the same call again
    if row.state == DENIED and not traded:
        return row, Decimal(0)
    raise LedgerConflictError(
        f"reservation {key!r} is {row.state} (settled {row.settled}); cannot settle {traded}"
    )


def release_step(key: str, row: Held | None) -> tuple[Held, Decimal]:
    """(the new row, the amount going back) for `release(key)`: only what is still held."""
    if row is None:
        raise InvalidInputError("key", "a key reserved before", key)
    if row.state == HELD:
        return Held(RELEASED, Decimal(0), None), row.held
    return row, Decimal(0)


def same_fill(stored: Fill, new: Fill) -> bool:
    """False if identical (a duplicate report); raise if different under one id."""
    if stored == new:
        return False
    raise LedgerConflictError(
        f"fill {new.fill_id!r} of account {new.account_id!r} is recorded as {stored};"
        f" a different fill came under the same id: {new}"
    )


def same_order(stored: OrderRecord, new: OrderRecord) -> bool:
    if stored == new:
        return False
    raise LedgerConflictError(
        f"order {new.client_order_id!r} is recorded as {stored}; a different one came: {new}"
    )


def grant_lease(
    current: Lease | None, name: str, holder: str, ttl: timedelta, now: datetime
) -> Lease | None:
    """The grant `acquire_lease` makes, or None while another holder's lease runs.

    The current holder asking again (a retry) keeps its token, with a new expiry;
    anyone else, once the lease expired or was released, gets the next token.
    """
    if current is not None and current.expires_at > now:
        if current.holder != holder:
            return None
        return attrs.evolve(current, expires_at=now + ttl)
    token = current.token + 1 if current is not None else 1
    return Lease(name=name, holder=holder, token=token, expires_at=now + ttl)


def check_fence(current: Lease | None, lease: Lease, now: datetime) -> None:
    """Raise `StaleLeaseError` unless `lease` is the current, unexpired grant of its name."""
    if current is None or current.token != lease.token or current.holder != lease.holder:
        newer = "none" if current is None else f"token {current.token} ({current.holder})"
        raise StaleLeaseError(
            f"lease {lease.name!r} token {lease.token} ({lease.holder}) is not current: {newer}"
        )
    if current.expires_at <= now:
        raise StaleLeaseError(
            f"lease {lease.name!r} token {lease.token} expired at {current.expires_at.isoformat()}"
        )


def renewed_lease(current: Lease | None, lease: Lease, ttl: timedelta, now: datetime) -> Lease:
    check_fence(current, lease, now)
    return attrs.evolve(lease, expires_at=now + ttl)


def released_lease(current: Lease | None, lease: Lease) -> Lease | None:
    """The row after `release_lease`: expired now, token kept (so the next grant is newer);
    None (nothing to write) when `lease` is not the current grant."""
    if current is None or current.token != lease.token or current.holder != lease.holder:
        return None
    return attrs.evolve(current, expires_at=_EPOCH)


def check_lease_args(name: object, holder: object) -> tuple[str, str]:
    return text(name, "name"), text(holder, "holder")


def check_lease(value: object) -> Lease:
    if not isinstance(value, Lease):
        raise InvalidInputError("lease", "a Lease from acquire_lease", value)
    return value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
