"""Invariants of the pre-trade risk functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    BreakerState,
    BreakerStatus,
    LimitPolicy,
    OrderIntent,
    Quote,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    TargetAllocation,
    TradingState,
    apply_trading_state,
    check_limits,
    default_tick,
    enforce_limits,
    limit_price,
    plan_rebalance,
    split_order,
)
from alchemiser_core.numeric import exact_context
from alchemiser_core.risk.limits import MAX_SPLIT_CHILDREN
from alchemiser_core.testing import planning_inputs, prices

_EXACT = exact_context()

T0 = datetime(2026, 11, 26, 15, tzinfo=UTC)
limits_strategy = st.builds(
    RiskLimits,
    max_order_notional=st.decimals(min_value="1", max_value="200000", places=2),
    max_daily_notional=st.decimals(min_value="1", max_value="1000000", places=2),
)
used_strategy = st.decimals(min_value="0", max_value="1000000", places=2)


def _plans() -> st.SearchStrategy[RebalancePlan]:
    return planning_inputs().map(lambda inputs: plan_rebalance(*inputs))


def _sells_every_holding(snapshot: AccountSnapshot, plan: RebalancePlan) -> bool:
    """From the snapshot, not the plan's totals: nothing bought, and every holding either
    sold whole or a skipped sell of its whole value (it could not be sold)."""
    sold = {order.symbol: order.qty for order in plan.orders if order.side is Side.SELL}
    unsellable = {(leg.symbol, leg.notional) for leg in plan.skipped if leg.side is Side.SELL}
    return (
        bool(plan.orders)
        and not plan.buys
        and all(
            sold.get(symbol) == qty or (symbol, qty * snapshot.prices[symbol]) in unsellable
            for symbol, qty in snapshot.positions.items()
            if qty
        )
    )


@given(planning_inputs(), limits_strategy, used_strategy)
def test_allowed_iff_no_violation_iff_within_headroom_and_every_leg_under_the_cap(
    inputs: tuple[AccountSnapshot, TargetAllocation, RebalanceConfig],
    limits: RiskLimits,
    used: Decimal,
) -> None:
    plan = plan_rebalance(*inputs)

    check = check_limits(plan, limits, used)

    within = (
        (check.proposed <= check.headroom or check.proposed == 0)
        and all(order.notional <= limits.max_order_notional for order in plan.orders)
        and not _sells_every_holding(inputs[0], plan)
    )
    assert check.allowed == (not check.violations) == within
    assert check.proposed == sum((o.notional for o in plan.orders), Decimal(0))


@given(_plans(), limits_strategy, used_strategy, st.sampled_from(list(LimitPolicy)))
def test_every_policy_returns_a_plan_that_passes(
    plan: RebalancePlan, limits: RiskLimits, used: Decimal, policy: LimitPolicy
) -> None:
    outcome = enforce_limits(plan, limits, used, policy)

    assert check_limits(outcome.plan, limits, used).allowed
    if policy is LimitPolicy.REDUCE_ONLY and not outcome.original_check.allowed:
        assert all(order.side is Side.SELL for order in outcome.plan.orders)


@given(
    st.sampled_from(["buy", "sell"]),
    st.integers(min_value=1, max_value=100_000)
    | st.decimals(min_value="0.000000001", max_value="5000", places=9),
    prices(),
    st.decimals(min_value="1", max_value="200000", places=2),
)
def test_split_children_respect_the_cap_and_sum_exactly_to_the_parent(
    side: str, qty: object, price: Decimal, cap: Decimal
) -> None:
    parent = OrderIntent("AAPL", side, qty=qty, ref_price=price, client_order_id="parent-1")

    children = split_order(parent, cap)

    assert sum((child.qty for child in children), Decimal(0)) == parent.qty
    if len(children) > 1 or parent.notional <= cap:
        assert all(child.notional <= cap for child in children)
    else:  # unsplit only when one unit of the grid costs more than the cap, or too many children
        exponent = parent.qty.as_tuple().exponent
        assert isinstance(exponent, int)
        grid = Decimal(1).scaleb(min(exponent, 0))
        unit = price * grid
        largest_child_qty = (cap // unit) * grid  # the most a child may hold under the cap
        assert unit > cap or parent.qty >= MAX_SPLIT_CHILDREN * largest_child_qty
    assert len(children) <= MAX_SPLIT_CHILDREN


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    bid = draw(prices())
    spread = draw(st.decimals(min_value="0", max_value="5", places=4))
    return Quote(bid, _EXACT.add(bid, spread) if spread else bid, ts=T0)


aggressiveness = st.decimals(min_value="0", max_value="1", places=3)


@given(quotes(), st.sampled_from([Side.BUY, Side.SELL]), aggressiveness, aggressiveness)
def test_limit_prices_are_on_the_tick_inside_the_far_side_and_monotone(
    quote: Quote, side: Side, low: Decimal, high: Decimal
) -> None:
    low, high = min(low, high), max(low, high)

    passive = limit_price(quote, side, low)
    aggressive = limit_price(quote, side, high)

    for price in (passive, aggressive):
        assert _EXACT.remainder(price, default_tick(price)) == 0  # sub-penny rule
        if side is Side.BUY:
            assert price <= quote.ask
        else:
            assert price >= quote.bid
    if side is Side.BUY:
        assert passive <= aggressive
    else:
        assert passive >= aggressive


events = st.lists(
    st.tuples(
        st.sampled_from(["success", "failure", "acquire"]), st.integers(min_value=0, max_value=40)
    ),
    max_size=40,
)


@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=0, max_value=60),
    events,
)
def test_breaker_never_allows_a_call_while_open_before_its_cooldown(
    failures: int, successes: int, cooldown_s: int, history: list[tuple[str, int]]
) -> None:
    breaker = BreakerState(failures, successes, timedelta(seconds=cooldown_s))
    now = T0
    for event, advance in history:
        now += timedelta(seconds=advance)
        if breaker.status is BreakerStatus.OPEN:
            assert breaker.opened_at is not None
            before_cooldown = now < breaker.opened_at + breaker.cooldown
            assert breaker.allows(now) is not before_cooldown
        if event == "acquire":
            _, breaker = breaker.acquire(now)
        elif event == "success":
            breaker = breaker.on_success(now)
        else:
            breaker = breaker.on_failure(now)
        assert breaker.consecutive_failures < failures


@given(_plans())
def test_halted_plans_are_empty_and_reducing_plans_only_sell(plan: RebalancePlan) -> None:
    halted = apply_trading_state(plan, TradingState.HALTED)
    reducing = apply_trading_state(plan, TradingState.REDUCING)

    assert halted.orders == ()
    assert len(halted.skipped) == len(plan.skipped) + len(plan.orders)
    assert all(order.side is Side.SELL for order in reducing.orders)
    assert len(reducing.orders) == len(plan.sells)


@given(
    st.sampled_from(["buy", "sell"]),
    st.booleans(),
    st.integers(min_value=1, max_value=100_000)
    | st.decimals(min_value="0.000000001", max_value="5000", places=9),
    prices(),
    st.decimals(min_value="1", max_value="200000", places=2),
)
def test_at_most_one_split_child_is_a_full_exit_and_it_is_the_last(
    side: str, full_exit: bool, qty: object, price: Decimal, cap: Decimal
) -> None:
    parent = OrderIntent(
        "AAPL", side, qty=qty, ref_price=price, client_order_id="p-1", is_full_exit=full_exit
    )

    children = split_order(parent, cap)

    flags = [child.is_full_exit for child in children]
    assert flags == [False] * (len(children) - 1) + [full_exit]


@given(_plans(), limits_strategy, used_strategy)
def test_a_split_plan_sends_each_full_exit_once_and_after_its_siblings(
    plan: RebalancePlan, limits: RiskLimits, used: Decimal
) -> None:
    outcome = enforce_limits(plan, limits, used, LimitPolicy.SPLIT)

    for symbol in {order.symbol for order in outcome.plan.orders}:
        flags = [order.is_full_exit for order in outcome.plan.orders if order.symbol == symbol]
        assert sum(flags) <= 1
        assert True not in flags[:-1]
    parents = {order.symbol: order.qty for order in plan.orders}
    for symbol in {order.symbol for order in outcome.plan.orders}:
        children = [order.qty for order in outcome.plan.orders if order.symbol == symbol]
        assert sum(children, Decimal(0)) == parents[symbol]
