"""Invariants of `plan_rebalance` over generated accounts, targets and configs."""

from __future__ import annotations

import random
from decimal import Decimal

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    RebalanceConfig,
    RebalancePlan,
    Side,
    SkipReason,
    TargetAllocation,
    allocation_diff,
    plan_rebalance,
)
from alchemiser_core.numeric import ONE, exact_context
from alchemiser_core.testing import account_snapshots, planning_inputs, symbols
from tests.helpers import apply_plan

Inputs = tuple[AccountSnapshot, TargetAllocation, RebalanceConfig]
ctx = exact_context()


def _targets(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> dict[str, Decimal]:
    """T_i = w_i x (E - E x reserve), recomputed here independently of the planner."""
    equity = snapshot.equity
    investable = ctx.subtract(equity, ctx.multiply(equity, config.cash_reserve_pct))
    return {symbol: ctx.multiply(weight, investable) for symbol, weight in targets.weights.items()}


def _increment(snapshot: AccountSnapshot, config: RebalanceConfig, symbol: str) -> Decimal:
    rules = snapshot.rules_for(symbol)
    return (
        rules.fractional_increment
        if config.fractional and rules.fractionable
        else rules.qty_increment
    )


@given(planning_inputs())
def test_quantities_are_positive_and_on_the_increment_except_exact_full_exits(
    inputs: Inputs,
) -> None:
    snapshot, targets, config = inputs

    plan = plan_rebalance(snapshot, targets, config)

    for order in plan.orders:
        assert order.qty > 0
        if order.is_full_exit:
            assert order.qty == snapshot.positions[order.symbol]
        else:
            assert ctx.remainder(order.qty, _increment(snapshot, config, order.symbol)) == 0


@given(planning_inputs(rounding="floor"))
def test_floor_mode_never_buys_a_position_past_its_target_value(inputs: Inputs) -> None:
    snapshot, targets, config = inputs
    target_values = _targets(snapshot, targets, config)

    plan = plan_rebalance(snapshot, targets, config)

    for order in plan.buys:
        assert (
            ctx.add(snapshot.value_of(order.symbol), order.notional) <= target_values[order.symbol]
        )


@given(planning_inputs(rounding="floor"))
def test_floor_mode_sells_never_go_below_target_unless_exiting(inputs: Inputs) -> None:
    snapshot, targets, config = inputs
    target_values = _targets(snapshot, targets, config)

    plan = plan_rebalance(snapshot, targets, config)

    for order in plan.sells:
        if not order.is_full_exit:
            remaining = ctx.subtract(snapshot.value_of(order.symbol), order.notional)
            assert remaining >= target_values[order.symbol]


@given(planning_inputs())
def test_buys_with_buffer_fit_in_cash_plus_sells_minus_reserve(inputs: Inputs) -> None:
    snapshot, targets, config = inputs

    plan = plan_rebalance(snapshot, targets, config)

    available = ctx.subtract(ctx.add(snapshot.cash, plan.total_sell_value), plan.reserve)
    spend = ctx.multiply(plan.total_buy_value, ONE + config.buy_price_buffer_pct)
    assert spend <= max(available, Decimal(0))


@given(planning_inputs())
def test_never_sells_more_than_held(inputs: Inputs) -> None:
    snapshot, targets, config = inputs

    plan = plan_rebalance(snapshot, targets, config)

    for order in plan.sells:
        assert order.qty <= snapshot.positions.get(order.symbol, Decimal(0))


@given(planning_inputs())
def test_every_order_meets_the_minimum_trade(inputs: Inputs) -> None:
    snapshot, targets, config = inputs

    plan = plan_rebalance(snapshot, targets, config)

    for order in plan.orders:
        minimum = max(config.min_trade_notional, snapshot.rules_for(order.symbol).min_notional)
        assert order.notional >= minimum


@given(planning_inputs())
def test_every_leg_off_target_by_a_tradable_amount_is_ordered_or_skipped(inputs: Inputs) -> None:
    snapshot, targets, config = inputs
    target_values = _targets(snapshot, targets, config)
    plan = plan_rebalance(snapshot, targets, config)
    accounted = {order.symbol for order in plan.orders} | {leg.symbol for leg in plan.skipped}

    for symbol, target in target_values.items():
        gap = abs(ctx.subtract(target, snapshot.value_of(symbol)))
        one_lot = ctx.multiply(snapshot.prices[symbol], _increment(snapshot, config, symbol))
        if gap >= max(one_lot, config.min_trade_notional):
            assert symbol in accounted


@given(planning_inputs())
def test_sells_come_before_buys_and_each_side_is_sorted(inputs: Inputs) -> None:
    snapshot, targets, config = inputs

    plan = plan_rebalance(snapshot, targets, config)

    keys = [(order.side is Side.BUY, -order.notional, order.symbol) for order in plan.orders]
    assert keys == sorted(keys)


@given(planning_inputs(), st.randoms(use_true_random=False))
def test_same_inputs_in_any_mapping_order_give_an_equal_plan(
    inputs: Inputs, rng: random.Random
) -> None:
    snapshot, targets, config = inputs

    def shuffled(mapping: dict[str, object]) -> dict[str, object]:
        items = list(mapping.items())
        rng.shuffle(items)
        return dict(items)

    reordered = attrs.evolve(
        snapshot,
        positions=shuffled(dict(snapshot.positions)),
        prices=shuffled(dict(snapshot.prices)),
        rules=shuffled(dict(snapshot.rules)),
    )
    first = plan_rebalance(snapshot, targets, config)
    second = plan_rebalance(reordered, TargetAllocation(shuffled(dict(targets.weights))), config)

    assert second == first
    assert second.plan_id == first.plan_id
    assert [o.client_order_id for o in second.orders] == [o.client_order_id for o in first.orders]


@given(planning_inputs())
def test_json_round_trip_is_exact(inputs: Inputs) -> None:
    plan = plan_rebalance(*inputs)

    again = RebalancePlan.from_json(plan.to_json())

    assert again == plan
    assert hash(again) == hash(plan)
    assert again.to_json() == plan.to_json()
    assert repr(again) == repr(plan)


@given(planning_inputs())
def test_client_order_ids_are_unique_and_at_most_48_characters(inputs: Inputs) -> None:
    plan = plan_rebalance(*inputs)

    ids = [order.client_order_id for order in plan.orders]
    assert len(ids) == len(set(ids))
    assert all(len(client_id) <= 48 for client_id in ids)


@given(planning_inputs())
def test_planning_again_after_applying_the_plan_gives_no_orders(inputs: Inputs) -> None:
    snapshot, targets, config = inputs
    config = attrs.evolve(config, buy_price_buffer_pct=0)
    plan = plan_rebalance(snapshot, targets, config)

    after = apply_plan(snapshot, plan)
    again = plan_rebalance(after, targets, config)

    assert again.orders == ()


@given(planning_inputs())
def test_no_affordable_increment_of_a_cash_limited_leg_is_left_unbought(inputs: Inputs) -> None:
    snapshot, targets, config = inputs
    plan = plan_rebalance(snapshot, targets, config)
    multiplier = ONE + config.buy_price_buffer_pct
    available = ctx.subtract(ctx.add(snapshot.cash, plan.total_sell_value), plan.reserve)
    leftover = ctx.subtract(available, ctx.multiply(plan.total_buy_value, multiplier))

    for leg in plan.skipped:
        if leg.reason is SkipReason.REDUCED_FOR_CASH:
            lot = ctx.multiply(
                snapshot.prices[leg.symbol], _increment(snapshot, config, leg.symbol)
            )
            assert leftover < ctx.multiply(lot, multiplier)
        elif leg.reason is SkipReason.INSUFFICIENT_CASH:
            lot = ctx.multiply(
                snapshot.prices[leg.symbol], _increment(snapshot, config, leg.symbol)
            )
            minimum = max(config.min_trade_notional, snapshot.rules_for(leg.symbol).min_notional)
            smallest_order = max(lot, minimum)
            assert leftover < ctx.multiply(smallest_order, multiplier)


@given(account_snapshots(), st.lists(symbols(), max_size=4, unique=True))
def test_weight_diff_of_a_dropped_symbol_is_minus_its_current_weight(
    snapshot: AccountSnapshot, extra: list[str]
) -> None:
    kept = [symbol for symbol in extra if symbol in snapshot.prices]
    targets = TargetAllocation({symbol: Decimal("0.1") for symbol in kept[:4]})

    diffs = allocation_diff(snapshot, targets)

    for diff in diffs:
        if diff.symbol not in targets.weights:
            assert diff.target_weight == 0
            assert diff.diff == ctx.minus(diff.current_weight)


@given(planning_inputs())
def test_plan_is_deterministic(inputs: Inputs) -> None:
    assert plan_rebalance(*inputs) == plan_rebalance(*inputs)


@given(planning_inputs())
def test_normalized_weights_sum_to_exactly_one_and_keep_proportions(inputs: Inputs) -> None:
    _, targets, _ = inputs
    assume(targets.total > 0)

    weights = targets.normalized().weights

    assert sum(weights.values(), Decimal(0)) == 1
    for symbol, weight in targets.weights.items():
        ideal = weight / targets.total  # 28 digits are plenty for a closeness check
        assert abs(weights[symbol] - ideal) <= Decimal("1e-18")
