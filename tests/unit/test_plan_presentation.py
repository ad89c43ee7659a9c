"""How a plan reads: canonical numbers in its values, repr and JSON; one line per leg."""

from __future__ import annotations

import json
from decimal import Decimal

from alchemiser_core import (
    OrderIntent,
    RebalanceConfig,
    RebalancePlan,
    Side,
    plan_rebalance,
)
from tests.helpers import snapshot

D = Decimal


def _plan_with_a_trailing_zero_product() -> RebalancePlan:
    # E = 2,600; R = 26; T = 2,574; floor(2,574 / 253.95) = 10 shares; 10 x 253.95 = 2,539.50.
    return plan_rebalance(snapshot(2_600, prices={"XOM": "253.95"}), {"XOM": 1})


def test_an_order_notional_is_canonical_in_the_plan_its_repr_and_its_json() -> None:
    plan = _plan_with_a_trailing_zero_product()

    (order,) = plan.orders
    assert str(order.notional) == "2539.5"
    assert str(plan.total_buy_value) == "2539.5"
    assert str(plan.cash_after) == "60.5"  # 2,600 - 2,539.5
    assert "= 2539.5," in repr(order)
    assert "2539.50" not in repr(plan)
    document = json.loads(plan.to_json())
    assert document["orders"][0]["notional"] == "2539.5"
    assert document["total_buy_value"] == "2539.5"


def test_a_hand_built_order_has_a_canonical_notional() -> None:
    # 4 x 0.25 = 1.00 -> "1"
    order = OrderIntent("AAPL", Side.BUY, qty=4, ref_price="0.25", client_order_id="x-1")

    assert str(order.notional) == "1"


def test_totals_of_canonical_notionals_are_canonical() -> None:
    plan = plan_rebalance(
        snapshot("100.5", prices={"A": "2.5", "B": "0.5"}),
        {"A": "0.5", "B": "0.5"},
        RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0),
    )

    # E = 100.5, R = 0, T = 0.5 x 100.5 = 50.25 each: A floor(50.25 / 2.5) = 20 -> 50;
    # B floor(50.25 / 0.5) = 100 -> 50. Total 50 + 50 = 100 (a sum that could read 100.0),
    # cash after 100.5 - 100 = 0.5.
    assert str(plan.total_buy_value) == "100"
    assert str(plan.cash_after) == "0.5"


def test_a_plan_written_with_trailing_zeros_still_reads_back() -> None:
    # The id hashes quantities and prices, not notionals: a plan saved by 0.1.0 with
    # "2539.50" keeps its id and reads back with canonical numbers.
    plan = _plan_with_a_trailing_zero_product()
    old_text = plan.to_json().replace('"2539.5"', '"2539.50"')
    assert '"2539.50"' in old_text

    assert RebalancePlan.from_json(old_text) == plan
