"""The `Ledger` contract, run on every backend: memory, SQLite, PostgreSQL, DynamoDB (moto).

Each test states one rule of the port with the arithmetic in its comments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from alchemiser_adapters.ledger import (
    Fill,
    Lease,
    Ledger,
    LedgerConflictError,
    OrderRecord,
    StaleLeaseError,
)
from alchemiser_core import InvalidInputError
from tests.integration.conftest import FakeClock

D = Decimal
DAY = date(2026, 11, 27)
TS = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)  # 10:30 in New York, on DAY
TTL = timedelta(seconds=30)


def _fill(fill_id: str = "f-1", **changes: object) -> Fill:
    fields: dict[str, object] = {
        "account_id": "acct",
        "fill_id": fill_id,
        "client_order_id": "alc-plan-0",
        "plan_id": "plan",
        "symbol": "AAPL",
        "side": "buy",
        "qty": "10",
        "price": "150.25",
        "ts": TS,
    }
    fields.update(changes)
    return Fill(**fields)  # type: ignore[arg-type]


def _order(client_order_id: str = "alc-plan-0", **changes: object) -> OrderRecord:
    fields: dict[str, object] = {
        "account_id": "acct",
        "client_order_id": client_order_id,
        "plan_id": "plan",
        "symbol": "AAPL",
        "side": "buy",
        "qty": "10",
        "ref_price": "150.25",
        "created_at": TS,
    }
    fields.update(changes)
    return OrderRecord(**fields)  # type: ignore[arg-type]


# -- reservations -------------------------------------------------------------------------


def test_reservations_are_granted_while_they_fit_under_the_cap(ledger: Ledger) -> None:
    # Cap 100: 70 fits (used 70, headroom 30); another 70 would make 140 > 100.
    first = ledger.reserve("acct", DAY, "k1", 70, 100)
    second = ledger.reserve("acct", DAY, "k2", 70, 100)
    third = ledger.reserve("acct", DAY, "k3", 30, 100)  # 70 + 30 = 100: exactly fits

    assert (first.granted, first.used, first.headroom) == (True, 70, 30)
    assert (second.granted, second.used, second.headroom) == (False, 70, 30)
    assert (third.granted, third.used, third.headroom) == (True, 100, 0)
    assert ledger.used("acct", DAY) == 100


def test_the_same_key_returns_the_first_answer(ledger: Ledger) -> None:
    first = ledger.reserve("acct", DAY, "k1", 70, 100)
    ledger.reserve("acct", DAY, "k2", 30, 100)  # used is now 100

    again = ledger.reserve("acct", DAY, "k1", 70, 100)

    assert again == first  # granted, used 70, headroom 30: as first answered
    assert ledger.used("acct", DAY) == 100  # not counted twice


def test_a_denied_key_stays_denied_even_when_room_appears(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)
    denied = ledger.reserve("acct", DAY, "k2", 70, 100)
    ledger.release("k1")  # room for 70 again

    assert ledger.reserve("acct", DAY, "k2", 70, 100) == denied
    assert not denied.granted


def test_the_same_key_with_other_arguments_is_a_conflict(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)

    with pytest.raises(LedgerConflictError, match="k1"):
        ledger.reserve("acct", DAY, "k1", 71, 100)
    assert ledger.used("acct", DAY) == 70


def test_settle_keeps_what_traded_and_releases_the_rest(ledger: Ledger) -> None:
    # Held 70, traded 45.5: used 45.5, and 54.5 of headroom back under the cap of 100.
    ledger.reserve("acct", DAY, "k1", 70, 100)

    ledger.settle("k1", "45.5")
    ledger.settle("k1", "45.5")  # a retry changes nothing

    assert ledger.used("acct", DAY) == D("45.5")
    assert ledger.reserve("acct", DAY, "k2", "54.5", 100).granted
    with pytest.raises(LedgerConflictError, match="k1"):
        ledger.settle("k1", 40)  # a different amount after settling


def test_settle_cannot_exceed_what_is_held(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)

    with pytest.raises(InvalidInputError, match=r"^amount: expected at most the 70 held"):
        ledger.settle("k1", "70.01")
    assert ledger.used("acct", DAY) == 70


def test_release_gives_everything_back_once(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)
    ledger.reserve("acct", DAY, "k2", 20, 100)

    ledger.release("k1")
    ledger.release("k1")  # again: nothing more comes back

    assert ledger.used("acct", DAY) == 20


def test_release_after_settle_keeps_the_settled_amount(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)
    ledger.settle("k1", 50)

    ledger.release("k1")

    assert ledger.used("acct", DAY) == 50


def test_a_denied_reservation_settles_to_nothing_only(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 170, 100)  # denied

    ledger.settle("k1", 0)
    ledger.release("k1")

    assert ledger.used("acct", DAY) == 0
    with pytest.raises(LedgerConflictError):
        ledger.settle("k1", 1)


def test_an_unknown_key_is_an_input_error(ledger: Ledger) -> None:
    with pytest.raises(InvalidInputError, match=r"^key: expected a key reserved before"):
        ledger.settle("nope", 1)
    with pytest.raises(InvalidInputError, match=r"^key: expected a key reserved before"):
        ledger.release("nope")


def test_use_is_per_account_and_per_trading_day(ledger: Ledger) -> None:
    ledger.reserve("acct", DAY, "k1", 70, 100)
    ledger.reserve("other", DAY, "k2", 90, 100)
    ledger.reserve("acct", DAY + timedelta(days=1), "k3", 80, 100)

    assert ledger.used("acct", DAY) == 70
    assert ledger.used("other", DAY) == 90
    assert ledger.used("acct", DAY + timedelta(days=1)) == 80
    assert ledger.used("acct", DAY - timedelta(days=1)) == 0


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ledger: ledger.reserve("acct", DAY, "k", 0, 100), "amount"),
        (lambda ledger: ledger.reserve("acct", DAY, "k", "NaN", 100), "amount"),
        (lambda ledger: ledger.reserve("acct", TS, "k", 1, 100), "day"),  # a datetime
        (lambda ledger: ledger.reserve("", DAY, "k", 1, 100), "account_id"),
        (lambda ledger: ledger.reserve("acct", DAY, "k", 1, -5), "cap"),
        (lambda ledger: ledger.acquire_lease("run", "me", 30), "ttl"),
        (lambda ledger: ledger.record_fill({"fill_id": "x"}), "fill"),
    ],
)
def test_bad_arguments_are_input_errors_naming_the_field(
    ledger: Ledger, call: Callable[[Ledger], object], field: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected"):
        call(ledger)


# -- money and text -------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["0.000000001", "123456789.123456789"])
def test_money_round_trips_exactly(open_store: Callable[[], Ledger], amount: str) -> None:
    ledger = open_store()
    ledger.reserve("acct", DAY, "k1", amount, "999999999")
    ledger.record_fill(_fill(qty=amount, price=amount))

    reopened = open_store()

    assert str(reopened.used("acct", DAY)) == str(D(amount))
    (fill,) = reopened.fills("acct")
    assert (str(fill.qty), str(fill.price)) == (str(D(amount)), str(D(amount)))
    assert reopened.reserve("acct", DAY, "k1", amount, "999999999").used == D(amount)


HOSTILE = "X'); DROP TABLE fills; --\"; ;"


def test_hostile_text_is_stored_and_read_back_verbatim(open_store: Callable[[], Ledger]) -> None:
    ledger = open_store()
    fill = _fill(HOSTILE, symbol=HOSTILE, client_order_id=HOSTILE, plan_id=HOSTILE)
    record = _order(HOSTILE, symbol=HOSTILE)

    assert ledger.record_fill(fill)
    assert ledger.record_order(record)
    ledger.reserve(HOSTILE, DAY, HOSTILE, 5, 10)

    reopened = open_store()
    assert reopened.fills("acct", symbol=HOSTILE) == (fill,)
    assert reopened.order(HOSTILE) == record
    assert reopened.used(HOSTILE, DAY) == 5


# -- fills and orders -------------------------------------------------------------------------


def test_a_fill_is_recorded_once_and_an_identical_one_is_a_duplicate(ledger: Ledger) -> None:
    assert ledger.record_fill(_fill()) is True
    assert ledger.record_fill(_fill()) is False

    assert ledger.fills("acct") == (_fill(),)


def test_a_different_fill_under_a_known_id_is_refused_not_overwritten(ledger: Ledger) -> None:
    ledger.record_fill(_fill())

    with pytest.raises(LedgerConflictError, match="f-1"):
        ledger.record_fill(_fill(qty="11"))

    assert ledger.fills("acct") == (_fill(),)


def test_the_same_fill_id_on_another_account_is_another_fill(ledger: Ledger) -> None:
    assert ledger.record_fill(_fill(account_id="other"))
    assert ledger.record_fill(_fill())

    assert len(ledger.fills("acct")) == len(ledger.fills("other")) == 1


def test_fills_filter_by_day_plan_and_symbol_in_time_order(ledger: Ledger) -> None:
    # 02:00 UTC on 28 Nov is 21:00 on 27 Nov in New York: still DAY's trading day.
    late = _fill("f-3", ts=datetime(2026, 11, 28, 2, 0, tzinfo=UTC), symbol="MSFT")
    next_day = _fill("f-4", ts=datetime(2026, 11, 28, 15, 0, tzinfo=UTC))
    other_plan = _fill("f-2", ts=TS + timedelta(minutes=1), plan_id="plan-2")
    for fill in (next_day, late, other_plan, _fill()):
        ledger.record_fill(fill)

    assert [f.fill_id for f in ledger.fills("acct")] == ["f-1", "f-2", "f-3", "f-4"]
    assert [f.fill_id for f in ledger.fills("acct", day=DAY)] == ["f-1", "f-2", "f-3"]
    assert [f.fill_id for f in ledger.fills("acct", plan_id="plan-2")] == ["f-2"]
    assert [f.fill_id for f in ledger.fills("acct", day=DAY, symbol="AAPL")] == ["f-1", "f-2"]
    assert ledger.fills("nobody") == ()


def test_an_order_intent_is_recorded_once_and_read_back(ledger: Ledger) -> None:
    record = _order(limit_price="150.1")

    assert ledger.record_order(record) is True
    assert ledger.record_order(record) is False
    assert ledger.order("alc-plan-0") == record
    assert ledger.order("alc-plan-9") is None
    with pytest.raises(LedgerConflictError, match="alc-plan-0"):
        ledger.record_order(_order(qty="11"))


# -- leases -------------------------------------------------------------------------------------


def test_one_holder_at_a_time_and_a_retry_keeps_the_token(ledger: Ledger) -> None:
    first = ledger.acquire_lease("acct", "bot-a", TTL)

    assert first is not None and first.token >= 1
    assert ledger.acquire_lease("acct", "bot-b", TTL) is None
    again = ledger.acquire_lease("acct", "bot-a", TTL)
    assert again is not None and again.token == first.token


def test_an_expired_lease_goes_to_the_next_holder_with_a_larger_token(
    ledger: Ledger, clock: FakeClock
) -> None:
    first = ledger.acquire_lease("acct", "bot-a", TTL)
    clock.advance(31)

    second = ledger.acquire_lease("acct", "bot-b", TTL)

    assert first is not None and second is not None
    assert second.token > first.token
    assert second.holder == "bot-b"


def test_a_write_under_a_superseded_lease_is_refused_and_leaves_nothing(
    ledger: Ledger, clock: FakeClock
) -> None:
    old = ledger.acquire_lease("acct", "bot-a", TTL)
    clock.advance(31)
    new = ledger.acquire_lease("acct", "bot-b", TTL)
    assert old is not None and new is not None

    with pytest.raises(StaleLeaseError):
        ledger.reserve("acct", DAY, "k1", 70, 100, lease=old)
    with pytest.raises(StaleLeaseError):
        ledger.record_fill(_fill(), lease=old)
    with pytest.raises(StaleLeaseError):
        ledger.record_order(_order(), lease=old)

    assert ledger.used("acct", DAY) == 0
    assert ledger.fills("acct") == ()
    assert ledger.order("alc-plan-0") is None
    assert ledger.reserve("acct", DAY, "k1", 70, 100, lease=new).granted


def test_a_write_under_an_expired_lease_is_refused_even_without_a_successor(
    ledger: Ledger, clock: FakeClock
) -> None:
    lease = ledger.acquire_lease("acct", "bot-a", TTL)
    assert lease is not None
    ledger.reserve("acct", DAY, "k1", 70, 100, lease=lease)
    clock.advance(30)  # expires_at == now: expired

    with pytest.raises(StaleLeaseError):
        ledger.settle("k1", 70, lease=lease)
    with pytest.raises(StaleLeaseError):
        ledger.renew_lease(lease, TTL)
    assert ledger.used("acct", DAY) == 70  # the held amount stands until released


def test_renewing_extends_and_releasing_lets_the_next_holder_in(
    ledger: Ledger, clock: FakeClock
) -> None:
    lease = ledger.acquire_lease("acct", "bot-a", TTL)
    assert lease is not None
    clock.advance(20)
    renewed = ledger.renew_lease(lease, TTL)
    clock.advance(20)  # 40 s after the grant, 20 s after the renewal

    assert ledger.acquire_lease("acct", "bot-b", TTL) is None
    ledger.release_lease(renewed)
    ledger.release_lease(renewed)  # again: a no-op
    taken = ledger.acquire_lease("acct", "bot-b", TTL)

    assert renewed.token == lease.token
    assert taken is not None and taken.token > lease.token
    with pytest.raises(StaleLeaseError):
        ledger.record_fill(_fill(), lease=renewed)


def test_a_lease_seen_by_another_instance_fences_there_too(
    open_store: Callable[[], Ledger], clock: FakeClock
) -> None:
    first, second = open_store(), open_store()
    lease = first.acquire_lease("acct", "bot-a", TTL)
    assert lease is not None

    assert second.acquire_lease("acct", "bot-b", TTL) is None
    assert second.record_fill(_fill(), lease=lease)
    forged = Lease(name="acct", holder="bot-a", token=lease.token + 1, expires_at=lease.expires_at)
    with pytest.raises(StaleLeaseError):
        second.record_fill(_fill("f-2"), lease=forged)
