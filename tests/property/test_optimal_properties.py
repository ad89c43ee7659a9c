"""`rounding="optimal"`: floor mode's invariants hold (see test_planner_properties, which
draws both modes), plus the ones below. "Never past target" is the one floor
invariant optimal mode gives up: an extra lot may overshoot, by less than half a lot,
and a lot exchange may sell one lot past the nearest, by less than a lot.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import attrs
from hypothesis import example, given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    RebalanceConfig,
    TargetAllocation,
    plan_rebalance,
)
from alchemiser_core.numeric import exact_context
from alchemiser_core.planning.optimal import Candidate, choose_extra_increments
from alchemiser_core.testing import planning_inputs
from tests.helpers import apply_plan

Inputs = tuple[AccountSnapshot, TargetAllocation, RebalanceConfig]
ctx = exact_context()


def _l1_error(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> Decimal:
    """Σ |T_i - V_i| once the plan has filled, over the symbols the plan steers (exact)."""
    plan = plan_rebalance(snapshot, targets, config)
    after = apply_plan(snapshot, plan)
    equity = snapshot.equity
    investable = ctx.subtract(equity, ctx.multiply(equity, config.cash_reserve_pct))
    symbols = set(targets.weights) | {s for s, q in snapshot.positions.items() if q}
    if config.keep_unlisted:
        symbols = set(targets.weights)
    error = Decimal(0)
    for symbol in symbols:
        target = ctx.multiply(targets.weights.get(symbol, Decimal(0)), investable)
        error = ctx.add(error, abs(ctx.subtract(target, after.value_of(symbol))))
    return error


@given(planning_inputs(rounding="floor"))
def test_optimal_error_is_never_worse_than_floor_error(inputs: Inputs) -> None:
    snapshot, targets, floor_config = inputs
    optimal_config = attrs.evolve(floor_config, rounding="optimal")

    floor_error = _l1_error(snapshot, targets, floor_config)
    optimal_error = _l1_error(snapshot, targets, optimal_config)

    assert optimal_error <= floor_error


# Found by the ci profile: selling a 1,438th NVDA lot (0.6712) takes NVDA 0.46 under its
# target (more than half a lot), and funds the 965th MSFT lot, whose gain (0.45) is more
# than the error it adds (0.248): the lot exchange of docs/concepts.md.
_EXCHANGE = (
    AccountSnapshot(
        cash=0,
        positions={"A": "2E-9", "B": "3E-9", "MSFT": 2, "NVDA": 1478},
        prices={"A": 1, "B": "3.08", "MSFT": 1, "NVDA": "0.6712"},
        as_of=datetime(2000, 1, 1, tzinfo=UTC),
        rules={"A": AssetRules(tradable=False, qty_increment="0.0001"),
               "B": AssetRules(qty_increment="0.0001")},
    ),
    TargetAllocation({"MSFT": "0.972527", "NVDA": "0.027472"}),
    RebalanceConfig(cash_reserve_pct=0, min_trade_notional=1, rounding="optimal"),
)  # fmt: skip


@example(_EXCHANGE)
@given(planning_inputs(rounding="optimal"))
def test_a_position_ends_past_its_target_by_at_most_half_a_lot(inputs: Inputs) -> None:
    """A buy ends at most half a lot over its target; a sell at most half a lot under,
    or, when it sold one more lot to fund buys (the lot exchange), less than a lot under."""
    snapshot, targets, config = inputs
    plan = plan_rebalance(snapshot, targets, config)
    after = apply_plan(snapshot, plan)
    equity = snapshot.equity
    investable = ctx.subtract(equity, ctx.multiply(equity, config.cash_reserve_pct))

    for order in plan.orders:
        if order.is_full_exit:
            continue
        target = ctx.multiply(targets.weights[order.symbol], investable)
        rules = snapshot.rules_for(order.symbol)
        lot = ctx.multiply(order.ref_price, rules.effective_increment(fractional=config.fractional))
        value = after.value_of(order.symbol)
        if order.side.value == "buy":
            overshoot = ctx.subtract(value, target)
            assert ctx.add(overshoot, overshoot) < lot or overshoot <= 0
        else:
            undershoot = ctx.subtract(target, value)
            if ctx.add(undershoot, undershoot) >= lot and undershoot > 0:
                assert undershoot < lot
                assert plan.buys  # an exchange lot is sold only to fund buy lots


@given(planning_inputs(rounding="optimal"))
def test_optimal_plan_is_deterministic(inputs: Inputs) -> None:
    first = plan_rebalance(*inputs)
    second = plan_rebalance(*inputs)

    assert first == second
    assert first.to_json() == second.to_json()


@given(planning_inputs())
def test_explicit_default_rules_give_the_same_plan_as_none(inputs: Inputs) -> None:
    # No rules takes the planner's short lane; rules for every symbol, the general path.
    snapshot, targets, config = inputs
    no_rules = attrs.evolve(snapshot, rules={})
    explicit = attrs.evolve(snapshot, rules={symbol: AssetRules() for symbol in snapshot.prices})

    assert plan_rebalance(explicit, targets, config) == plan_rebalance(no_rules, targets, config)


_items = st.lists(st.tuples(st.integers(1, 200), st.integers(1, 200)), min_size=0, max_size=9)


@given(_items, st.integers(0, 800))
def test_knapsack_choice_is_the_exact_optimum(items: list[tuple[int, int]], budget: int) -> None:
    candidates = [
        Candidate(f"S{index}", Decimal(gain) / 4, Decimal(cost) / 4, Decimal(1))
        for index, (gain, cost) in enumerate(items)
    ]
    limit = Decimal(budget) / 4

    chosen = choose_extra_increments(candidates, limit)

    best = max(
        (
            sum((c.gain for c in subset), Decimal(0))
            for size in range(len(candidates) + 1)
            for subset in itertools.combinations(candidates, size)
            if sum((c.cost for c in subset), Decimal(0)) <= limit
        ),
        default=Decimal(0),
    )
    assert sum((c.cost for c in chosen), Decimal(0)) <= limit
    assert sum((c.gain for c in chosen), Decimal(0)) == best


@given(_items, st.integers(0, 800))
def test_a_capped_search_still_returns_a_feasible_greedy_or_better_choice(
    items: list[tuple[int, int]], budget: int
) -> None:
    candidates = [
        Candidate(f"S{index}", Decimal(gain), Decimal(cost), Decimal(1))
        for index, (gain, cost) in enumerate(items)
    ]
    greedy_gain, room = Decimal(0), Decimal(budget)
    for candidate in sorted(candidates, key=lambda c: (-c.gain / c.cost, c.symbol)):
        if candidate.cost <= room:
            room -= candidate.cost
            greedy_gain += candidate.gain

    chosen = choose_extra_increments(candidates, Decimal(budget), max_steps=1)

    assert sum((c.cost for c in chosen), Decimal(0)) <= budget
    assert sum((c.gain for c in chosen), Decimal(0)) >= greedy_gain
