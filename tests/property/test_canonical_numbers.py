"""Every Decimal a plan carries is canonical: one spelling per value, so equal plans print,
serialise and hash alike.

Canonical, defined here on the digit tuple, independently of
`alchemiser_core.numeric.canonical`: no positive exponent (100, never 1E+2), no
trailing zero digit after the point (2539.5, never 2539.50), no minus zero. (Python
itself prints a canonical 0.000000001 as "1E-9".)
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import (
    LimitPolicy,
    RebalancePlan,
    RiskLimits,
    TradingState,
    apply_trading_state,
    enforce_limits,
    plan_rebalance,
)
from alchemiser_core.testing import planning_inputs


def is_canonical(number: Decimal) -> bool:
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    if number.is_zero():
        return not sign and exponent == 0
    return exponent == 0 or (exponent < 0 and digits[-1] != 0)


def test_the_definition_itself() -> None:
    assert is_canonical(Decimal("2539.5"))
    assert is_canonical(Decimal("100"))
    assert is_canonical(Decimal("0.000000001"))
    assert is_canonical(Decimal("0"))
    assert not is_canonical(Decimal("2539.50"))
    assert not is_canonical(Decimal("1E+2"))
    assert not is_canonical(Decimal("-0"))
    assert not is_canonical(Decimal("1.0"))
    assert not is_canonical(Decimal("0.00"))


def plan_numbers(plan: RebalancePlan) -> list[tuple[str, Decimal]]:
    numbers = [
        ("cash_before", plan.cash_before),
        ("reserve", plan.reserve),
        ("equity", plan.equity),
        ("total_sell_value", plan.total_sell_value),
        ("total_buy_value", plan.total_buy_value),
        ("cash_after", plan.cash_after),
    ]
    for order in plan.orders:
        numbers += [
            (f"{order.symbol}.qty", order.qty),
            (f"{order.symbol}.ref_price", order.ref_price),
            (f"{order.symbol}.notional", order.notional),
            (f"{order.symbol}.target_weight", order.target_weight),
            (f"{order.symbol}.current_weight", order.current_weight),
        ]
    for leg in plan.skipped:
        numbers += [
            (f"skip {leg.symbol}.qty", leg.qty),
            (f"skip {leg.symbol}.notional", leg.notional),
        ]
    return numbers


@given(planning_inputs())
def test_every_decimal_in_a_plan_is_canonical(inputs: tuple[object, object, object]) -> None:
    plan = plan_rebalance(*inputs)  # type: ignore[arg-type]

    assert [(name, n) for name, n in plan_numbers(plan) if not is_canonical(n)] == []


@given(
    planning_inputs(),
    st.decimals(min_value="1", max_value="50000", places=2),
    st.sampled_from(list(LimitPolicy)),
    st.sampled_from(list(TradingState)),
)
def test_plans_reshaped_by_limits_or_trading_state_stay_canonical(
    inputs: tuple[object, object, object], cap: Decimal, policy: LimitPolicy, state: TradingState
) -> None:
    plan = plan_rebalance(*inputs)  # type: ignore[arg-type]
    limits = RiskLimits(max_order_notional=cap)

    outcome = enforce_limits(plan, limits, 0, policy)
    reshaped = apply_trading_state(outcome.plan, state)

    for result in (outcome.plan, reshaped):
        assert [(name, n) for name, n in plan_numbers(result) if not is_canonical(n)] == []
    check = outcome.check
    for number in (check.proposed, check.used, check.headroom, check.would_exceed_by):
        assert is_canonical(number)
