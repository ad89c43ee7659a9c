"""`missing_price="skip"`: a plan with unpriced targets is the plan without them, plus one
`MISSING_PRICE` leg each."""

from __future__ import annotations

from decimal import localcontext

import attrs
from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    RebalanceConfig,
    SkipReason,
    TargetAllocation,
    plan_rebalance,
)
from alchemiser_core.testing import planning_inputs


@given(planning_inputs(), st.data())
def test_skip_plans_exactly_the_legs_of_the_account_without_the_unpriced_symbols(
    inputs: tuple[AccountSnapshot, TargetAllocation, RebalanceConfig], data: st.DataObject
) -> None:
    snapshot, targets, config = inputs
    held = {symbol for symbol, qty in snapshot.positions.items() if qty}
    candidates = sorted(set(targets.weights) - held)  # a held symbol must keep its price
    unpriced = (
        set(data.draw(st.lists(st.sampled_from(candidates), unique=True))) if candidates else set()
    )
    stale = attrs.evolve(
        snapshot,
        prices={s: p for s, p in snapshot.prices.items() if s not in unpriced},
        rules={s: r for s, r in snapshot.rules.items() if s not in unpriced},
    )
    without = TargetAllocation({s: w for s, w in targets.weights.items() if s not in unpriced})

    skipping = plan_rebalance(stale, targets, attrs.evolve(config, missing_price="skip"))
    reference = plan_rebalance(stale, without, config)

    assert [o.to_leg() for o in skipping.orders] == [o.to_leg() for o in reference.orders]
    missing = [leg for leg in skipping.skipped if leg.reason is SkipReason.MISSING_PRICE]
    others = [leg for leg in skipping.skipped if leg.reason is not SkipReason.MISSING_PRICE]
    assert others == list(reference.skipped)
    assert {leg.symbol for leg in missing} == {s for s in unpriced if targets.weights[s]}
    with localcontext() as exact:  # the default 28 digits would round the product
        exact.prec = 200
        investable = skipping.equity - skipping.reserve
        assert all(leg.notional == targets.weights[leg.symbol] * investable for leg in missing)
    assert (skipping.cash_after, skipping.total_buy_value) == (
        reference.cash_after,
        reference.total_buy_value,
    )
