"""Executing a 40-order plan: `execute_plan` against the naive one-order-at-a-time way.

Run from the repository root (after ``pip install -e '.[dev]'``)::

    python -m benchmarks.execution [--orders 40] [--latency 0.05] [--fill-delay 0.2]

Both run against the loopback Alpaca server of the tests (``tests/integration/
fake_alpaca.py``), which adds ``--latency`` seconds to every request and lets an
order fill ``--fill-delay`` seconds after it arrives, with alpaca-py's real client:

* ``naive``: the audited system's way: submit one market order, poll it every
  100 ms until it is filled, then the next;
* ``alchemiser``: `execute_plan` with `AlpacaBroker` and an in-memory ledger:
  sells, then buys, each phase worked a few orders at a time, every open order
  polled in one request, quotes fetched in bulk.

Printed: wall time, HTTP requests, the largest number of requests in any minute
(against the 200/min limit) and the ratios. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from alpaca.trading.client import TradingClient
from alpaca.trading.requests import MarketOrderRequest

from alchemiser_adapters.brokers.alpaca import AlpacaBroker
from alchemiser_adapters.executor import ExecutionPolicy, execute_plan
from alchemiser_adapters.ledger.memory import MemoryLedger
from alchemiser_core import (
    ExecutionLadder,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    plan_rebalance,
)
from tests.integration.fake_alpaca import KEY_ID, SECRET, FakeAlpaca

D = Decimal
POLICY = ExecutionPolicy(
    ladder=ExecutionLadder(steps=("0.75",), wait_per_step=timedelta(seconds=5)),
    poll_interval=timedelta(milliseconds=100),
)
LIMITS = RiskLimits(max_daily_notional=10_000_000, max_order_notional=1_000_000)


@dataclass
class Run:
    method: str
    seconds: float
    requests: int
    peak_per_minute: int
    filled: int


def _server(orders: int, latency: float, fill_delay: float) -> FakeAlpaca:
    """An account holding `orders // 2` names, to rotate into as many others."""
    half = orders // 2
    held = {f"S{i:02d}": D(10) for i in range(half)}
    quotes = {f"S{i:02d}": (D("99.99"), D("100.01")) for i in range(half)}
    quotes |= {f"B{i:02d}": (D("49.99"), D("50.01")) for i in range(orders - half)}
    return FakeAlpaca(
        cash=D(1_000), positions=held, quotes=quotes, latency=latency, fill_delay=fill_delay
    )


def _plan(fake: FakeAlpaca, url: str, orders: int) -> RebalancePlan:
    buys = [f"B{i:02d}" for i in range(orders - orders // 2)]
    weight = (D("0.98") / len(buys)).quantize(D("0.000001"))
    broker = AlpacaBroker(KEY_ID, SECRET, base_url=url, data_url=url)
    plan = plan_rebalance(broker.snapshot(buys), dict.fromkeys(buys, weight), RebalanceConfig())
    fake.requests.clear()
    return plan


def run_naive(fake: FakeAlpaca, url: str, plan: RebalancePlan) -> Run:
    client = TradingClient(KEY_ID, SECRET, raw_data=True, url_override=url)
    start = time.perf_counter()
    filled = 0
    for order in plan.orders:
        sent = client.submit_order(
            MarketOrderRequest(
                symbol=order.symbol, qty=float(order.qty), side=order.side.value,
                time_in_force="day", client_order_id=f"naive-{order.client_order_id}",
            )
        )  # fmt: skip
        while sent["status"] != "filled":
            time.sleep(0.1)
            sent = client.get_order_by_id(sent["id"])
        filled += 1
    return Run(
        "naive",
        time.perf_counter() - start,
        len(fake.requests),
        fake.max_requests_in_a_minute(),
        filled,
    )


def run_alchemiser(fake: FakeAlpaca, url: str, plan: RebalancePlan) -> Run:
    broker = AlpacaBroker(KEY_ID, SECRET, base_url=url, data_url=url)
    start = time.perf_counter()
    report = execute_plan(plan, broker, MemoryLedger(), limits=LIMITS, execution=POLICY)
    seconds = time.perf_counter() - start
    filled = sum(1 for order in report.orders if order.outcome.value == "filled")
    return Run("alchemiser", seconds, len(fake.requests), fake.max_requests_in_a_minute(), filled)


def measure(orders: int, latency: float, fill_delay: float) -> list[Run]:
    runs = []
    for method in (run_naive, run_alchemiser):
        fake = _server(orders, latency, fill_delay)
        url = fake.start()
        try:
            runs.append(method(fake, url, _plan(fake, url, orders)))
        finally:
            fake.stop()
    return runs


def markdown(runs: list[Run], orders: int, latency: float, fill_delay: float) -> str:
    naive, ours = runs
    lines = [
        "| method | orders filled | wall time | HTTP requests | peak requests/min |",
        "|---|---:|---:|---:|---:|",
    ]
    for run in runs:
        lines.append(
            f"| {run.method} | {run.filled} | {run.seconds:.2f} s | {run.requests} | {run.peak_per_minute} |"
        )
    lines.append("")
    lines.append(
        f"{orders}-order plan, {latency * 1000:.0f} ms added to every request, orders fill"
        f" {fill_delay * 1000:.0f} ms after they arrive. alchemiser is"
        f" {naive.seconds / ours.seconds:.1f}x faster with"
        f" {ours.requests / naive.requests:.2f}x the requests."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--fill-delay", type=float, default=0.2)
    args = parser.parse_args(argv)
    if args.orders < 2:
        parser.error("--orders must be at least 2 (a sell and a buy)")
    runs = measure(args.orders, args.latency, args.fill_delay)
    print(markdown(runs, args.orders, args.latency, args.fill_delay))


if __name__ == "__main__":
    main()
