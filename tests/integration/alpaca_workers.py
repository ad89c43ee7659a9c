"""An execution run in its own process, so a test can kill it at a chosen moment."""

from __future__ import annotations

from datetime import timedelta

from alchemiser_adapters.brokers.alpaca import AlpacaBroker
from alchemiser_adapters.executor import ExecutionPolicy, execute_plan
from alchemiser_adapters.ledger.sqlite import SqliteLedger
from alchemiser_core import ExecutionLadder, RebalancePlan, RiskLimits
from tests.integration.fake_alpaca import KEY_ID, SECRET

FAST = ExecutionPolicy(
    ladder=ExecutionLadder(steps=("0.75",), wait_per_step=timedelta(seconds=0.3)),
    poll_interval=timedelta(seconds=0.05),
    final_wait=timedelta(seconds=1),
    cancel_wait=timedelta(seconds=1),
    lease_ttl=timedelta(seconds=2),
)
LIMITS = RiskLimits(max_daily_notional=1_000_000, allow_liquidation=True)


def execute_in_child(url: str, ledger_path: str, plan_json: str) -> None:
    broker = AlpacaBroker(KEY_ID, SECRET, base_url=url, data_url=url, timeout=0.5)
    with SqliteLedger(ledger_path) as ledger:
        execute_plan(
            RebalancePlan.from_json(plan_json), broker, ledger, limits=LIMITS, execution=FAST
        )
