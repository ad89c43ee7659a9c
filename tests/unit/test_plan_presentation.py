"""How a plan reads: canonical numbers in its values, repr and JSON; one line per leg."""

from __future__ import annotations

import json
from decimal import Decimal

from alchemiser_core import (
    AssetRules,
    OrderIntent,
    RebalanceConfig,
    RebalancePlan,
    Side,
    TradingState,
    apply_trading_state,
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


def _plan_with_a_reduced_buy() -> RebalancePlan:
    # Cash 1,000; OLD 10 x 100 untradable. E = 2,000, R = 20, T(A) = 1,980: wants 19 A.
    # Cash for buys: 1,000 - 20 = 980 -> 9 A (900). A is bought in part, OLD is skipped.
    account = snapshot(
        1_000, {"OLD": 10}, {"OLD": 100, "A": 100}, rules={"OLD": AssetRules(tradable=False)}
    )
    return plan_rebalance(account, {"A": 1})


def test_a_partly_bought_leg_is_a_note_on_its_order_not_a_skipped_line() -> None:
    plan = _plan_with_a_reduced_buy()
    assert [(o.symbol, o.qty) for o in plan.orders] == [("A", 9)]
    assert {(leg.symbol, leg.reason.value) for leg in plan.skipped} == {
        ("A", "reduced_for_cash"),
        ("OLD", "not_tradable"),
    }

    lines = repr(plan).splitlines()

    assert lines[0].endswith("1 orders, 1 skipped, 1 reduced)")
    assert lines[1] == "  BUY  9 A @ 100 = 900 (reduced_for_cash: wanted 19, cash allows 9)"
    assert lines[2] == "  skip SELL OLD: not_tradable: asset not tradable"
    assert len(lines) == 3


def test_a_halted_plan_says_each_reason_once() -> None:
    plan = apply_trading_state(_plan_with_a_trailing_zero_product(), TradingState.HALTED)

    (line,) = [line for line in repr(plan).splitlines() if line.startswith("  skip")]
    assert line.startswith("  skip BUY  XOM: trading_halted: order alc-")
    assert line.count("halted") == 1
