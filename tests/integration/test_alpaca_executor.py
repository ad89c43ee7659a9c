"""alpaca-py's real client over real HTTP to a loopback Alpaca, with faults injected.

In every case: no duplicate order at the server, the ledger's fills equal the
server's, the daily cap holds, and buys never spend cash the account does not have.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

pytest.importorskip("alpaca", reason="alpaca-py is not installed (pip install -e '.[dev]')")

from alchemiser_adapters.brokers.alpaca import AlpacaBroker
from alchemiser_adapters.execution_report import ExecutionReport, OrderOutcome
from alchemiser_adapters.executor import execute_plan
from alchemiser_adapters.ledger.sqlite import SqliteLedger
from alchemiser_core import (
    InvalidInputError,
    RebalanceConfig,
    RebalancePlan,
    plan_rebalance,
    trading_day,
)
from tests.integration import alpaca_workers
from tests.integration.alpaca_workers import FAST, LIMITS
from tests.integration.fake_alpaca import KEY_ID, SECRET, FakeAlpaca, Fault, two_cent_market

D = Decimal
TARGETS = {"AAPL": "0.2", "MSFT": "0.3", "SPY": "0.3"}  # XOM, held, is sold in full


@pytest.fixture
def fake() -> Iterator[FakeAlpaca]:
    server = two_cent_market()
    server.url = server.start()  # type: ignore[attr-defined]
    yield server
    server.stop()


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SqliteLedger]:
    with SqliteLedger(tmp_path / "ledger.db") as opened:
        yield opened


def _broker(fake: FakeAlpaca, **options: object) -> AlpacaBroker:
    url = fake.url  # type: ignore[attr-defined]
    return AlpacaBroker(KEY_ID, SECRET, base_url=url, data_url=url, timeout=0.5, **options)  # type: ignore[arg-type]


def _plan(fake: FakeAlpaca) -> RebalancePlan:
    # E = 10,000 + 40 x 150 + 30 x 100 = 19,000; R = 190; investable 18,810.
    # AAPL T = 0.2 x 18,810 = 3,762: sell floor((6,000 - 3,762) / 150) = 14; MSFT T = 5,643:
    # buy floor(5,643 / 400) = 14; SPY: floor(5,643 / 600) = 9; XOM (no target): sell 30.
    return plan_rebalance(_broker(fake).snapshot(list(TARGETS)), TARGETS, RebalanceConfig())


def _execute(fake: FakeAlpaca, ledger: SqliteLedger, plan: RebalancePlan) -> ExecutionReport:
    return execute_plan(plan, _broker(fake), ledger, limits=LIMITS, execution=FAST)


def _check_invariants(fake: FakeAlpaca, ledger: SqliteLedger, plan: RebalancePlan) -> None:
    ids = fake.client_order_ids()
    assert len(ids) == len(set(ids)), f"a duplicate order reached the server: {ids}"
    recorded = {f.client_order_id: (f.qty, f.price) for f in ledger.fills(plan.account_id)}
    assert recorded == fake.fills()
    today = trading_day(datetime.now(UTC))
    assert ledger.used(plan.account_id, today) <= LIMITS.max_daily_notional
    assert fake.cash >= 0  # every buy was paid for


def test_the_plan_as_planned(fake: FakeAlpaca, ledger: SqliteLedger) -> None:
    plan = _plan(fake)
    assert [(o.side.value, o.symbol, o.qty) for o in plan.orders] == [
        ("sell", "XOM", 30), ("sell", "AAPL", 14), ("buy", "MSFT", 14), ("buy", "SPY", 9),
    ]  # fmt: skip

    report = _execute(fake, ledger, plan)

    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    _check_invariants(fake, ledger, plan)
    again = plan_rebalance(_broker(fake).snapshot(list(TARGETS)), TARGETS, RebalanceConfig())
    assert again.orders == ()


@pytest.mark.parametrize(
    "fault",
    [
        Fault("POST", "/v2/orders", "after", status=504),  # accepted, then a gateway time-out
        Fault("POST", "/v2/orders", "stall", seconds=1.0),  # accepted, then silence past 0.5 s
        Fault("POST", "/v2/orders", "before", status=429),  # rate limited, not accepted
        Fault("POST", "/v2/orders", "before", status=500, times=2),  # two server errors
    ],
    ids=["504-after-accept", "timeout-after-accept", "429", "500-twice"],
)
def test_an_ambiguous_submission_is_resolved_by_looking_it_up(
    fake: FakeAlpaca, ledger: SqliteLedger, fault: Fault
) -> None:
    plan = _plan(fake)
    fake.faults.append(fault)

    report = _execute(fake, ledger, plan)

    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    _check_invariants(fake, ledger, plan)
    # alpaca-py itself never re-sent: every client id was POSTed once, except those a
    # fault refused before acceptance, which were sent again after the look-up found
    # nothing. (Orders go out a few at a time: which one meets the fault is chance.)
    resent = fault.times if fault.mode == "before" else 0
    posts = fake.posts_by_client_id
    assert sum(posts.values()) == len(posts) + resent
    assert max(posts.values()) <= 1 + resent


def test_a_duplicate_client_order_id_is_looked_up_not_doubled(
    fake: FakeAlpaca, ledger: SqliteLedger
) -> None:
    # Accepted but answered 504; the look-up misses it once (404), so it is sent again:
    # the server refuses the duplicate (422) and the executor adopts the first order.
    plan = _plan(fake)
    fake.faults += [
        Fault("POST", "/v2/orders", "after", status=504),
        Fault("GET", "/v2/orders:by_client_order_id", "before", status=404),
    ]

    report = _execute(fake, ledger, plan)

    # Exactly one order (whichever met the 504 first) was POSTed twice; the server
    # refused the second POST, so it holds one order per client id.
    assert sorted(fake.posts_by_client_id.values()) == [1, 1, 1, 2]
    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    _check_invariants(fake, ledger, plan)


def test_insufficient_buying_power_rejects_the_order_and_frees_its_reservation(
    fake: FakeAlpaca, ledger: SqliteLedger
) -> None:
    # The server refuses the first buy for want of buying power (HTTP 403).
    plan = _plan(fake)
    buy = plan.buys[0]
    sells = len(plan.sells)
    original = fake._submit
    count = {"posts": 0}

    def submit(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        count["posts"] += 1
        if body.get("client_order_id") == buy.client_order_id:
            return 403, {"code": 40310000, "message": "insufficient buying power"}
        return original(body)

    fake._submit = submit  # type: ignore[method-assign]

    report = _execute(fake, ledger, plan)

    outcome = {o.symbol: o for o in report.orders}[buy.symbol]
    assert outcome.outcome is OrderOutcome.REJECTED
    assert "insufficient buying power" in outcome.reason
    assert count["posts"] >= sells
    _check_invariants(fake, ledger, plan)
    traded = report.sold_notional + report.bought_notional
    today = trading_day(datetime.now(UTC))
    assert ledger.used(plan.account_id, today) == traded  # the refused buy holds nothing


def test_partial_fills_end_filled_and_recorded_once(fake: FakeAlpaca, ledger: SqliteLedger) -> None:
    fake.partial_fills = True
    plan = _plan(fake)

    report = _execute(fake, ledger, plan)

    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    _check_invariants(fake, ledger, plan)


def test_a_sell_that_never_fills_is_cancelled_and_buys_fit_the_cash_left(
    fake: FakeAlpaca, ledger: SqliteLedger
) -> None:
    fake.never_fill = {"XOM"}
    plan = _plan(fake)

    report = _execute(fake, ledger, plan)

    xom = {o.symbol: o for o in report.orders}["XOM"]
    assert xom.outcome is OrderOutcome.UNFILLED
    statuses = {o.data["client_order_id"]: o.data["status"] for o in fake.orders}
    assert all(statuses[c] == "canceled" for c in statuses if c.startswith(xom.client_order_id))
    _check_invariants(fake, ledger, plan)
    # Without XOM's 3,000, cash is 10,000 + AAPL's 14 x 150 = 12,100, less the reserve 190.
    assert report.bought_notional <= D(12_100) - plan.reserve


def test_a_process_killed_between_submit_and_record_is_resumed_without_a_duplicate(
    fake: FakeAlpaca, ledger: SqliteLedger, tmp_path: Path
) -> None:
    plan = _plan(fake)
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=alpaca_workers.execute_in_child,
        args=(fake.url, str(tmp_path / "ledger.db"), plan.to_json()),  # type: ignore[attr-defined]
    )

    def kill_the_client() -> None:  # runs in the server after the order is accepted
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)

    fake.faults.append(Fault("POST", "/v2/orders", "hook", hook=kill_the_client))
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    # The order that triggered the kill was accepted (and a second, sent beside it by
    # the other worker, may have been) ...
    assert plan.orders[0].client_order_id in fake.client_order_ids()
    assert ledger.fills(plan.account_id) == ()  # ... and no fill was recorded
    accepted_before = set(fake.client_order_ids())

    time.sleep(FAST.lease_ttl.total_seconds() + 0.2)  # the dead run's lease runs out
    report = _execute(fake, ledger, plan)

    assert [o.outcome for o in report.orders] == [OrderOutcome.FILLED] * 4
    assert all(fake.posts_by_client_id[c] == 1 for c in accepted_before)  # none sent again
    _check_invariants(fake, ledger, plan)


def test_the_fake_speaks_alpacas_shapes(fake: FakeAlpaca) -> None:
    from alpaca.trading.models import Asset, Order, Position, TradeAccount
    from alpaca.trading.requests import MarketOrderRequest

    trading = _broker(fake)._trading
    request = MarketOrderRequest(
        symbol="AAPL", qty=1, side="sell", time_in_force="day", client_order_id="shape-1"
    )

    assert TradeAccount(**trading.get_account()).account_number == "PA3FAKE0001"
    assert [Position(**p).symbol for p in trading.get_all_positions()] == ["AAPL", "XOM"]
    assert Asset(**trading.get_asset("AAPL")).fractionable
    assert Order(**trading.submit_order(request)).client_order_id == "shape-1"


SENTINEL_KEY = "SENTINEL-KEY-7f3a9c"
SENTINEL_SECRET = "SENTINEL-SECRET-b41d2e"  # noqa: S105 - the sentinel looked for


def test_the_api_secret_appears_in_no_log_repr_error_or_row(
    fake: FakeAlpaca,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tests.integration.fake_alpaca as server_module

    monkeypatch.setattr(server_module, "KEY_ID", SENTINEL_KEY)
    monkeypatch.setattr(server_module, "SECRET", SENTINEL_SECRET)
    monkeypatch.setenv("APCA_API_KEY_ID", SENTINEL_KEY)
    monkeypatch.setenv("APCA_API_SECRET_KEY", SENTINEL_SECRET)
    url = fake.url  # type: ignore[attr-defined]
    broker = AlpacaBroker(base_url=url, data_url=url, timeout=0.5)  # credentials from the env
    plan = plan_rebalance(broker.snapshot(list(TARGETS)), TARGETS, RebalanceConfig())
    fake.faults.append(Fault("POST", "/v2/orders", "before", status=403, message="forbidden"))
    errors: list[str] = []
    caplog.set_level(logging.DEBUG)

    with SqliteLedger(tmp_path / "secret.db") as ledger:
        report = execute_plan(plan, broker, ledger, limits=LIMITS, execution=FAST)
        try:
            broker.order_by_client_id("x" * 300)  # an error path: the server refuses it
        except Exception as error:
            errors.append(f"{error!r} {error}")
    with SqliteLedger(tmp_path / "secret.db") as reopened:
        rows = "\n".join(reopened._connection.iterdump())

    texts = [
        *(record.getMessage() for record in caplog.records),
        *(repr(vars(record)) for record in caplog.records),
        repr(broker), repr(report), repr(plan), *errors, rows,
    ]  # fmt: skip
    assert any("alc-" in text for text in texts)  # the logs did record the orders
    for secret in (SENTINEL_KEY, SENTINEL_SECRET):
        assert not [text for text in texts if secret in text]


def test_the_client_side_rate_limit_holds_on_a_large_run(
    fake: FakeAlpaca, ledger: SqliteLedger
) -> None:
    plan = _plan(fake)

    _execute(fake, ledger, plan)

    assert fake.max_requests_in_a_minute() <= 200


def test_without_credentials_the_error_says_what_to_set_and_the_half_built_broker_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("APCA_API_KEY_ID", raising=False)
    monkeypatch.delenv("APCA_API_SECRET_KEY", raising=False)

    with pytest.raises(InvalidInputError) as raised:
        AlpacaBroker(base_url="http://127.0.0.1:9")

    assert raised.value.field == "credentials"
    # A traceback with locals (pytest's, a logger's) prints the half-built instance.
    frame = raised.tb.tb_next.tb_frame if raised.tb.tb_next else raised.tb.tb_frame
    half_built = frame.f_locals["self"]
    assert repr(half_built) == "AlpacaBroker(paper=True, base_url='http://127.0.0.1:9')"
