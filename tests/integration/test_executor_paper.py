"""`execute_plan` on `PaperBroker` and a real SQLite ledger: the executor's rules, by hand.

Time is a fake clock that `sleep` moves, so ladder waits take no real time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from alchemiser_adapters.brokers import (
    BrokerOrder,
    BrokerUnavailableError,
    OrderRequest,
    PaperBroker,
)
from alchemiser_adapters.brokers.paper import PaperFills
from alchemiser_adapters.execution_report import ExecutionReport, ExecutionStatus, OrderOutcome
from alchemiser_adapters.executor import ExecutionPolicy, execute_plan
from alchemiser_adapters.ledger.sqlite import SqliteLedger
from alchemiser_core import (
    AccountSnapshot,
    BreakerState,
    BreakerStatus,
    Quote,
    QuotePolicy,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    plan_rebalance,
    trading_day,
)

TARGETS = {"AAPL": "0.3", "MSFT": "0.3", "SPY": "0.3"}  # XOM is left out: sold in full


class FakeTime:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def ledger(tmp_path: Path, time: FakeTime) -> SqliteLedger:
    return SqliteLedger(tmp_path / "ledger.db", clock=time.clock)


def _broker(time: FakeTime, **fills: object) -> PaperBroker:
    return PaperBroker(
        cash=10_000,
        positions={"AAPL": 10, "XOM": 5},
        quotes={"AAPL": 150, "MSFT": 400, "XOM": "118.45", "SPY": "598.2"},
        fills=PaperFills(**fills),  # type: ignore[arg-type]
        clock=time.clock,
    )


def _plan(broker: PaperBroker) -> RebalancePlan:
    return plan_rebalance(broker.snapshot(list(TARGETS)), TARGETS, RebalanceConfig())


def _execute(
    plan: RebalancePlan, broker: object, ledger: SqliteLedger, time: FakeTime, **kw: object
) -> ExecutionReport:
    return execute_plan(plan, broker, ledger, clock=time.clock, sleep=time.sleep, **kw)  # type: ignore[arg-type]


def test_executed_then_replanned_gives_no_orders(ledger: SqliteLedger, time: FakeTime) -> None:
    # E = 10,000 + 10 x 150 + 5 x 118.45 = 12,092.25; R = 120.9225; T = 0.3 x 11,971.3275
    # = 3,591.39825 each: sell 5 XOM, buy 6 SPY (3,589.2), 8 MSFT (3,200), 13 AAPL.
    broker = _broker(time)
    plan = _plan(broker)
    assert [(o.side.value, o.symbol, o.qty) for o in plan.orders] == [
        ("sell", "XOM", 5), ("buy", "SPY", 6), ("buy", "MSFT", 8), ("buy", "AAPL", 13),
    ]  # fmt: skip

    report = _execute(plan, broker, ledger, time)

    assert report.status is ExecutionStatus.COMPLETED
    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    again = plan_rebalance(broker.snapshot(list(TARGETS)), TARGETS, RebalanceConfig())
    assert again.orders == ()
    # The ledger holds each fill once, and the day's use is what traded: 592.25 + 8,739.2.
    fills = ledger.fills(plan.account_id)
    assert sorted((f.symbol, f.qty, f.price) for f in fills) == [
        ("AAPL", 13, 150), ("MSFT", 8, 400), ("SPY", 6, Decimal("598.2")), ("XOM", 5, Decimal("118.45")),
    ]  # fmt: skip
    assert ledger.used(plan.account_id, trading_day(time.now)) == Decimal("9331.45")


def test_running_the_same_plan_again_sends_nothing_new(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    broker = _broker(time)
    plan = _plan(broker)
    first = _execute(plan, broker, ledger, time)
    sent = dict(broker._orders)

    second = _execute(plan, broker, ledger, time)

    assert broker._orders.keys() == sent.keys()  # no new client order id reached the broker
    assert [o.outcome for o in second.orders] == [o.outcome for o in first.orders]
    assert len(ledger.fills(plan.account_id)) == 4  # not recorded twice
    assert ledger.used(plan.account_id, trading_day(time.now)) == Decimal("9331.45")


def test_another_instance_holding_the_lease_locks_the_run_out(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    broker = _broker(time)
    plan = _plan(broker)
    ledger.acquire_lease(f"execute:{plan.account_id}", "other-bot", timedelta(minutes=5))

    report = _execute(plan, broker, ledger, time)

    assert report.status is ExecutionStatus.LOCKED
    assert broker._orders == {}


def test_a_liquidation_is_blocked_by_default_and_nothing_is_sent(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    broker = _broker(time)
    plan = plan_rebalance(broker.snapshot(), {}, RebalanceConfig())  # sell everything

    report = _execute(plan, broker, ledger, time)

    assert report.status is ExecutionStatus.BLOCKED
    assert report.limit_check is not None and not report.limit_check.allowed
    assert broker._orders == {}
    assert {leg.reason.value for leg in report.skipped} == {"blocked_by_limit"}


def test_a_halted_account_sends_nothing(ledger: SqliteLedger, time: FakeTime) -> None:
    broker = _broker(time)

    report = _execute(_plan(broker), broker, ledger, time, state="halted")

    assert report.status is ExecutionStatus.BLOCKED
    assert broker._orders == {}


def test_the_daily_cap_denies_what_does_not_fit_and_never_sends_it(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    # Cap 4,000 per day. Reservations hold notional x 1.02: XOM 592.25 -> 604.095 fits;
    # SPY 3,589.2 -> 3,660.984 would make 4,265.079 > 4,000: denied, and so on.
    broker = _broker(time)
    plan = _plan(broker)
    limits = RiskLimits(max_daily_notional=4_000, max_order_notional=100_000)

    report = _execute(plan, broker, ledger, time, limits=limits, policy="reduce_only")

    outcomes = {o.symbol: o.outcome for o in report.orders}
    assert outcomes["XOM"] is OrderOutcome.FILLED
    assert ledger.used(plan.account_id, trading_day(time.now)) <= 4_000
    sent = {entry.order.symbol for entry in broker._orders.values()}
    assert sent == {o.symbol for o in report.orders if o.outcome is not OrderOutcome.DENIED}


def test_buys_shrink_to_the_cash_really_there_after_the_sells(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    # Cash 1,000 + 50 XOM x 118.45 = 5,922.5: E = 6,922.5, R = 69.225, T(SPY) = 0.9 x
    # 6,853.275 = 6,167.9475: sell 50 XOM, buy floor(6,167.9475 / 598.2) = 10 SPY (5,982).
    broker = PaperBroker(
        cash=1_000, positions={"XOM": 50}, quotes={"XOM": "118.45", "SPY": "598.2"},
        clock=time.clock,
    )  # fmt: skip
    plan = plan_rebalance(broker.snapshot(["SPY"]), {"SPY": "0.9"}, RebalanceConfig())
    assert [(o.symbol, o.qty) for o in plan.orders] == [("XOM", 50), ("SPY", 10)]
    # Then XOM's bid falls to 59.22: the sell raises 50 x 59.22 = 2,961: cash 3,961, at
    # SPY's ask, 598.21 a share, buys floor(6.62) = 6 shares.
    broker.set_quote("XOM", Quote("59.22", "59.24", 100, 100, ts=time.now))

    report = _execute(plan, broker, ledger, time, execution=_loose_quotes())

    spy = next(o for o in report.orders if o.symbol == "SPY")
    assert (spy.filled_qty, spy.outcome) == (6, OrderOutcome.PARTIALLY_FILLED)
    assert spy.reason == "cash after sells allows 6 of 10"
    assert broker.snapshot().cash >= 0  # 3,961 - 6 x 598.2 = 371.8


def _loose_quotes(max_in_flight: int = 4) -> ExecutionPolicy:
    # XOM moved 50% from its reference price: let the test trade on it anyway.
    return ExecutionPolicy(
        quote_policy=QuotePolicy(max_reference_deviation_pct="0.99"), max_in_flight=max_in_flight
    )


def test_partial_fills_and_latency_still_end_filled_and_recorded_once(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    broker = _broker(time, fill_after_polls=2, partial_fill_probability=1.0, seed=7)
    plan = _plan(broker)

    report = _execute(plan, broker, ledger, time)

    assert report.status is ExecutionStatus.COMPLETED
    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    broker_fills = sorted(
        (e.order.client_order_id, e.order.filled_qty)
        for e in broker._orders.values()
        if e.order.filled_qty
    )
    ledger_fills = sorted((f.client_order_id, f.qty) for f in ledger.fills(plan.account_id))
    assert ledger_fills == broker_fills


def test_rejected_orders_release_their_reservations(ledger: SqliteLedger, time: FakeTime) -> None:
    broker = _broker(time, reject_probability=1.0)
    plan = _plan(broker)

    report = _execute(plan, broker, ledger, time)

    assert {o.outcome for o in report.orders} == {OrderOutcome.UNFILLED}
    assert ledger.used(plan.account_id, trading_day(time.now)) == 0
    assert ledger.fills(plan.account_id) == ()


class _Down:
    """A broker that answers nothing: every call is a time-out."""

    def __init__(self, inner: PaperBroker) -> None:
        self.inner = inner
        self.calls = 0

    def snapshot(self, symbols: Iterable[str] = ()) -> AccountSnapshot:
        return self.inner.snapshot(symbols)

    def _fail(self) -> BrokerOrder:
        self.calls += 1
        raise BrokerUnavailableError("timed out")

    def quotes(self, symbols: Iterable[str]) -> dict[str, Quote]:
        self._fail()
        return {}

    def submit(self, request: OrderRequest) -> BrokerOrder:
        return self._fail()

    def order_by_client_id(self, client_order_id: str) -> BrokerOrder | None:
        return self._fail()

    def orders(self, client_order_ids: Iterable[str]) -> dict[str, BrokerOrder]:
        self._fail()
        return {}

    def cancel(self, broker_order_id: str) -> None:
        self._fail()


def test_a_broker_that_stops_answering_trips_the_breaker_and_nothing_is_sent(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    down = _Down(_broker(time))
    plan = _plan(down.inner)

    report = _execute(plan, down, ledger, time)

    assert report.status is ExecutionStatus.INTERRUPTED
    assert report.breaker is not None and report.breaker.status is BreakerStatus.OPEN
    assert down.calls == BreakerState().failure_threshold  # consecutive failures, then stop
    assert down.inner._orders == {}


def test_every_step_is_logged_with_the_plan_order_and_correlation_ids(
    ledger: SqliteLedger, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    broker = _broker(time)
    plan = _plan(broker)
    caplog.set_level("INFO", logger="alchemiser.executor")

    _execute(plan, broker, ledger, time, correlation_id="run-42")

    records = [r for r in caplog.records if r.name == "alchemiser.executor"]
    events = {r.getMessage().split()[0] for r in records}
    assert {"limits", "reserve", "submitted", "fill", "settled", "done"} <= events
    assert all(r.plan_id == plan.plan_id and r.correlation_id == "run-42" for r in records)  # type: ignore[attr-defined]
    submitted = [r for r in records if r.getMessage().startswith("submitted")]
    assert sorted(r.client_order_id for r in submitted) == sorted(  # type: ignore[attr-defined]
        o.client_order_id for o in plan.orders
    )


class _DiesAfterSubmitting:
    """Passes every call to the paper broker, but the run 'dies' right after the n-th
    submission: the order exists at the broker, the run never records its fill."""

    def __init__(self, inner: PaperBroker, submissions: int, then_rest: bool = False) -> None:
        self.inner = inner
        self.left = submissions
        self.then_rest = then_rest  # after the first submission, orders rest unfilled

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def submit(self, request: OrderRequest) -> BrokerOrder:
        sent = self.inner.submit(request)
        if self.then_rest:
            self.inner.fills = PaperFills(fill_after_polls=1000)
        self.left -= 1
        if not self.left:
            raise SystemExit("killed")  # not an Exception: nothing in the executor catches it
        return sent


def test_a_resumed_run_settles_reservations_of_orders_it_adopted(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    broker = _broker(time)
    plan = _plan(broker)
    dying = _DiesAfterSubmitting(broker, submissions=2)
    with pytest.raises(SystemExit):
        _execute(plan, dying, ledger, time)  # unwinding releases its lease on the way out

    report = _execute(plan, broker, ledger, time)

    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    # Every reservation settled to what traded (592.25 + 8,739.2), none left at +2%.
    assert ledger.used(plan.account_id, trading_day(time.now)) == Decimal("9331.45")
    assert len(broker._orders) == 4  # the two sent before the 'crash' were adopted


def test_a_resumed_run_leaves_cash_for_the_buys_it_sent_before(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    # No cash, 100 XOM at 100: E = 10,000, R = 100, T = 0.5 x 9,900 = 4,950 (A) and
    # 0.49 x 9,900 = 4,851 (B): sell 100 XOM, buy 49 A and 48 B at 100 (larger first).
    broker = PaperBroker(
        cash=0, positions={"XOM": 100}, quotes={"XOM": 100, "A": 100, "B": 100},
        clock=time.clock,
    )  # fmt: skip
    plan = plan_rebalance(broker.snapshot(["A", "B"]), {"A": "0.5", "B": "0.49"}, RebalanceConfig())
    assert [(o.symbol, o.qty) for o in plan.orders] == [("XOM", 100), ("A", 49), ("B", 48)]
    # XOM's market falls to 49.99/50.01 before the sell, which fills at 50 (5,000): A's 49
    # at the ask, 100.01, fit the 5,000; the run sends A (it rests), then dies.
    broker.set_quote("XOM", Quote("49.99", "50.01", 100, 100, ts=time.now))
    dying = _DiesAfterSubmitting(broker, submissions=2, then_rest=True)
    with pytest.raises(SystemExit):  # one order at a time, so the second sent is A's
        _execute(plan, dying, ledger, time, execution=_loose_quotes(max_in_flight=1))
    assert broker._orders[plan.orders[1].client_order_id].order.status.value == "new"
    broker.fills = PaperFills()  # new orders fill again; A's first order still rests

    report = _execute(plan, broker, ledger, time, execution=_loose_quotes())

    # A's 49 x 100 x 1.02 = 4,998 stays promised out of the 5,000 there: B may have 2, no
    # share at 100.01. (Without that, B would be sent for 48 and refused by the broker.)
    b = next(o for o in report.orders if o.symbol == "B")
    assert (b.outcome, b.reason) == (OrderOutcome.NOT_SENT, "cash after sells allows 0 of 48")
    assert not [o for o in report.orders if o.outcome is OrderOutcome.REJECTED]
    assert broker.snapshot().cash >= 0


def test_a_split_plan_resumes_without_its_own_reservations_counting_against_the_cap(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    # Cash 253,000: buy floor(0.99 x 253,000 / 100) = 2,504 A (250,400). The order cap
    # 100,000 splits it into 1,000 + 1,000 + 504; the daily cap is 300,000. The first run
    # reserves 1,000 x 100 x 1.02 = 102,000 for the first child, sends it, and dies. If
    # the re-run counted that reservation as someone else's use, 102,000 + 250,400 >
    # 300,000 would block the plan half done.
    broker = PaperBroker(cash=253_000, quotes={"A": 100}, clock=time.clock)
    plan = plan_rebalance(broker.snapshot(["A"]), {"A": 1}, RebalanceConfig())
    limits = RiskLimits(max_order_notional=100_000, max_daily_notional=300_000)
    with pytest.raises(SystemExit):
        _execute(plan, _DiesAfterSubmitting(broker, 1), ledger, time, limits=limits, policy="split")

    report = _execute(plan, broker, ledger, time, limits=limits, policy="split")

    assert report.status is ExecutionStatus.COMPLETED
    assert [(o.requested_qty, o.outcome) for o in report.orders] == [
        (1000, OrderOutcome.FILLED), (1000, OrderOutcome.FILLED), (504, OrderOutcome.FILLED),
    ]  # fmt: skip
    assert len(broker._orders) == 3  # the first child adopted, not sent again


def test_a_plan_investing_all_but_the_reserve_fills_whole(
    ledger: SqliteLedger, time: FakeTime
) -> None:
    # Cash 10,000 into A at 100: 99 shares (9,900), keeping the 1% reserve (100). At the
    # ask, 100.01, they may cost 9,900.99: more than 9,900, well within the 10,000 there.
    # The reserve is the slack for such moves; shrinking to 98 would surprise.
    broker = PaperBroker(cash=10_000, quotes={"A": 100}, clock=time.clock)
    plan = plan_rebalance(broker.snapshot(["A"]), {"A": 1}, RebalanceConfig())

    report = _execute(plan, broker, ledger, time)

    (order,) = report.orders
    assert (order.requested_qty, order.filled_qty) == (99, 99)
