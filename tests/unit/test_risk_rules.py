"""Rules of the risk and execution values, each at its edge (found by mutation testing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alchemiser_core import (
    AccountSnapshot,
    BreakerState,
    BreakerStatus,
    ExecutionLadder,
    FrozenMap,
    InvalidInputError,
    LadderAction,
    LimitPolicy,
    LimitReason,
    LimitViolation,
    OrderIntent,
    Quote,
    QuoteIssue,
    QuotePolicy,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    SkippedLeg,
    SkipReason,
    assess_quote,
    check_limits,
    enforce_limits,
    limit_price,
    plan_rebalance,
    split_order,
)
from alchemiser_core.risk.new_york import new_york_offset

T0 = datetime(2026, 11, 26, 15, tzinfo=UTC)
STANDARD = timedelta(hours=-5)
DAYLIGHT = timedelta(hours=-4)


# -- circuit breaker ------------------------------------------------------------------------


def _tripped() -> BreakerState:
    # Threshold 2: two failures in a row open it at T0.
    return BreakerState(failure_threshold=2, success_threshold=2, cooldown=timedelta(seconds=30))


def test_a_closed_breaker_lets_every_call_go() -> None:
    breaker = BreakerState()

    assert breaker.allows(T0) is True
    assert breaker.acquire(T0) == (True, breaker)


def test_tripping_resets_the_counts_and_records_the_time() -> None:
    opened = _tripped().on_failure(T0).on_failure(T0)

    assert opened.status is BreakerStatus.OPEN
    assert (opened.consecutive_failures, opened.consecutive_successes) == (0, 0)
    assert (opened.opened_at, opened.probe_in_flight) == (T0, False)


def test_a_probe_success_counts_and_frees_the_probe() -> None:
    probing = _tripped().on_failure(T0).on_failure(T0).acquire(T0 + timedelta(seconds=30))[1]

    after_one = probing.on_success(T0 + timedelta(seconds=31))

    assert after_one.status is BreakerStatus.HALF_OPEN
    assert (after_one.consecutive_successes, after_one.probe_in_flight) == (1, False)


def test_the_last_probe_success_closes_with_clean_counts() -> None:
    breaker = _tripped().on_failure(T0).on_failure(T0)
    for second in (30, 31):
        breaker = breaker.acquire(T0 + timedelta(seconds=second))[1]
        breaker = breaker.on_success(T0 + timedelta(seconds=second))

    assert breaker == BreakerState(
        failure_threshold=2, success_threshold=2, cooldown=timedelta(seconds=30)
    )


def test_a_failed_probe_reopens_with_clean_counts() -> None:
    probing = _tripped().on_failure(T0).on_failure(T0).acquire(T0 + timedelta(seconds=30))[1]
    probing = probing.on_success(T0 + timedelta(seconds=30))  # one success so far
    probing = probing.acquire(T0 + timedelta(seconds=31))[1]

    reopened = probing.on_failure(T0 + timedelta(seconds=32))

    assert reopened.status is BreakerStatus.OPEN
    assert (reopened.consecutive_successes, reopened.probe_in_flight) == (0, False)
    assert reopened.opened_at == T0 + timedelta(seconds=32)


@pytest.mark.parametrize("method", ["on_success", "on_failure", "allows"])
def test_the_breaker_refuses_a_naive_now(method: str) -> None:
    naive = datetime(2026, 11, 26, 15)  # noqa: DTZ001 - the bad value under test

    with pytest.raises(InvalidInputError) as raised:
        getattr(BreakerState(), method)(naive)

    assert raised.value.field == "now"


# -- limit prices and the ladder ---------------------------------------------------------------


def test_a_limit_price_needs_a_two_sided_quote() -> None:
    for bid, ask in (("0", "10"), ("10", "0")):
        with pytest.raises(InvalidInputError) as raised:
            limit_price(Quote(bid, ask, ts=T0), "buy", "0.5")
        assert raised.value.field == "quote"


def test_a_negative_aggressiveness_is_refused() -> None:
    with pytest.raises(InvalidInputError) as raised:
        limit_price(Quote("10", "10.1", ts=T0), "buy", "-0.1")

    assert (raised.value.field, raised.value.expected) == ("aggressiveness", "a number >= 0")


def test_an_explicit_tick_is_used_on_both_sides() -> None:
    quote = Quote("10.00", "10.10", ts=T0)

    # buy 10 + 0.5 x 0.1 = 10.05, down to the 0.25 tick: 10.00; sell 10.10 - 0.05 = 10.05, up: 10.25
    assert limit_price(quote, "buy", "0.5", tick="0.25") == Decimal("10.00")
    assert limit_price(quote, "sell", "0.5", tick="0.25") == Decimal("10.25")


def test_a_ladder_step_index_must_be_a_plain_int() -> None:
    with pytest.raises(InvalidInputError) as raised:
        ExecutionLadder().step(True, Quote("10", "10.1", ts=T0), "buy")

    assert raised.value.field == "index"


def test_a_ladder_step_refuses_a_negative_aggressiveness() -> None:
    with pytest.raises(InvalidInputError) as raised:
        ExecutionLadder(steps=("-0.1", "0.5"))

    assert (raised.value.field, raised.value.expected) == ("steps[0]", "a number >= 0")


def test_a_quote_as_old_as_the_previous_one_asks_for_a_new_quote() -> None:
    quote = Quote("10", "10.1", ts=T0)

    step = ExecutionLadder().step(1, quote, "buy", previous_quote_ts=T0)

    assert (step.action, step.quote_ts, step.price) == (LadderAction.REQUOTE, T0, None)


# -- quote checks ----------------------------------------------------------------------------------


def test_a_quote_of_age_zero_is_fresh_under_a_zero_max_age() -> None:
    policy = QuotePolicy(max_age=timedelta(0))

    assert assess_quote(Quote("10", "10.01", ts=T0), T0, policy).ok


def test_a_spread_exactly_at_the_limit_is_fit() -> None:
    # spread 0.02 / mid 10 = 0.002: the limit itself is allowed, a hair above it is not.
    quote = Quote("9.99", "10.01", ts=T0)

    assert assess_quote(quote, T0, QuotePolicy(max_spread_pct="0.002")).ok
    assert assess_quote(quote, T0, QuotePolicy(max_spread_pct="0.0019")).issues == (
        QuoteIssue.SPREAD_TOO_WIDE,
    )


def test_a_spread_exactly_at_the_suspicious_line_is_only_too_wide() -> None:
    quote = Quote("9.99", "10.01", ts=T0)  # width 0.002
    policy = QuotePolicy(max_spread_pct="0.001", suspicious_spread_pct="0.002")

    assert assess_quote(quote, T0, policy).issues == (QuoteIssue.SPREAD_TOO_WIDE,)


def test_a_mid_exactly_at_the_reference_deviation_is_fit() -> None:
    # mid 10.5 against reference 10: 0.5 / 10 = 0.05, the default limit.
    quote = Quote("10.49", "10.51", ts=T0)
    policy = QuotePolicy(max_spread_pct="0.01")

    assert assess_quote(quote, T0, policy, reference_price=10).ok
    assert assess_quote(quote, T0, policy, reference_price="9.99").issues == (
        QuoteIssue.FAR_FROM_REFERENCE,
    )


def test_a_missing_ask_is_repaired_above_the_bid() -> None:
    policy = QuotePolicy(one_sided_repair_pct="0.001", max_spread_pct="0.01")

    assessed = assess_quote(Quote("10", "0", ts=T0), T0, policy)

    # ask = 10 x (1 + 0.001) = 10.01
    assert assessed.quote.ask == Decimal("10.01")
    assert assessed.repairs == ("ask missing: set to bid x (1 + 0.001) = 10.010",)
    assert assessed.ok


def test_a_missing_bid_is_repaired_below_the_ask() -> None:
    policy = QuotePolicy(one_sided_repair_pct="0.001", max_spread_pct="0.01")

    assessed = assess_quote(Quote("0", "10", ts=T0), T0, policy)

    # bid = 10 x (1 - 0.001) = 9.99
    assert assessed.quote.bid == Decimal("9.99")
    assert assessed.repairs == ("bid missing: set to ask x (1 - 0.001) = 9.990",)


# -- New York time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "offset"),
    [
        # 1987: October 31 is a Saturday, November 1 a Sunday: the last Sunday is the 25th.
        (datetime(1987, 10, 25, 5, 59, tzinfo=UTC), DAYLIGHT),
        (datetime(1987, 10, 25, 6, tzinfo=UTC), STANDARD),
        # 2004: October 31 is itself a Sunday.
        (datetime(2004, 10, 31, 5, 59, tzinfo=UTC), DAYLIGHT),
        (datetime(2004, 10, 31, 6, tzinfo=UTC), STANDARD),
        # 1992: November 1 is a Sunday, so the last Sunday of October is the 25th.
        (datetime(1992, 10, 25, 6, tzinfo=UTC), STANDARD),
        (datetime(1992, 10, 25, 5, 59, tzinfo=UTC), DAYLIGHT),
    ],
)
def test_the_old_rule_ends_on_the_last_sunday_of_october(
    instant: datetime, offset: timedelta
) -> None:
    assert new_york_offset(instant) == offset


def test_new_york_offset_reads_the_instant_not_its_wall_clock() -> None:
    # 2026-03-08 03:00 at UTC+05:00 is 22:00 UTC on the 7th: still standard time.
    plus_five = datetime(2026, 3, 8, 3, tzinfo=timezone(timedelta(hours=5)))

    assert new_york_offset(plus_five) == STANDARD


def test_new_york_offset_names_its_argument_in_errors() -> None:
    with pytest.raises(InvalidInputError) as naive:
        new_york_offset(datetime(2026, 1, 1))  # noqa: DTZ001 - the bad value under test
    too_early = datetime(1986, 6, 1, tzinfo=UTC)
    with pytest.raises(InvalidInputError) as early:
        new_york_offset(too_early)

    assert naive.value.field == "ts"
    assert (early.value.field, early.value.value) == ("ts", too_early)


# -- values --------------------------------------------------------------------------------------


def test_a_frozen_map_hashes_its_items_and_keeps_the_hash() -> None:
    first, second = FrozenMap({"A": 1}), FrozenMap({"A": 2})

    assert hash(first) == hash((("A", 1),))
    assert hash(first) != hash(second)
    assert first._hash == hash(first)


def test_an_order_repr_says_when_it_is_a_full_exit() -> None:
    exit_order = OrderIntent(
        "A", "sell", qty=2, ref_price=5, client_order_id="x-0", is_full_exit=True
    )

    assert repr(exit_order) == "OrderIntent(SELL 2 A @ 5 = 10, full exit, id='x-0')"
    assert repr(OrderIntent("A", "sell", qty=2, ref_price=5, client_order_id="x-0")) == (
        "OrderIntent(SELL 2 A @ 5 = 10, id='x-0')"
    )


def test_each_ladder_step_reports_its_index_and_terms() -> None:
    ladder = ExecutionLadder(steps=("0.5", "0.75"), wait_per_step=timedelta(seconds=3))
    quote = Quote("10.00", "10.10", ts=T0)

    limit = ladder.step(1, quote, "buy", tick="0.25")
    requote = ladder.step(1, quote, "buy", previous_quote_ts=T0)
    final = ladder.step(2, quote, "buy")

    # 10 + 0.75 x 0.10 = 10.075, down to the 0.25 tick: 10.00
    assert (limit.index, limit.price, limit.aggressiveness, limit.wait) == (
        1,
        Decimal("10.00"),
        Decimal("0.75"),
        timedelta(seconds=3),
    )
    assert (requote.index, final.index, final.action) == (1, 2, LadderAction.MARKET)


def test_the_trading_day_does_not_depend_on_the_hosts_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        from alchemiser_core import trading_day

        # 04:59 UTC on 6 January is 23:59 on the 5th in New York (and 13:59 the 6th in Tokyo).
        assert trading_day(datetime(2026, 1, 6, 4, 59, tzinfo=UTC)).day == 5
        assert new_york_offset(datetime(2026, 1, 6, 4, 59, tzinfo=UTC)) == STANDARD
    finally:
        monkeypatch.undo()
        time.tzset()


# -- limits and splitting ---------------------------------------------------------------------


def _order(qty: object, price: object = 100, side: str = "buy", symbol: str = "A") -> OrderIntent:
    return OrderIntent(symbol, side, qty=qty, ref_price=price, client_order_id="p-1")


def test_a_split_into_exactly_max_children_is_made() -> None:
    # Cap 500 at $100 allows 5 shares a child: 10 shares are exactly 2 children.
    children = split_order(_order(10), 500, max_children=2)

    assert [child.qty for child in children] == [5, 5]


def test_a_split_needing_one_child_more_than_allowed_is_left_whole() -> None:
    order = _order(11)  # 5 + 5 + 1: three children

    assert split_order(order, 500, max_children=2) == [order]
    assert split_order(order, 500, max_children=1) == [order]


def test_enforce_limits_counts_nothing_used_today_by_default() -> None:
    plan = plan_rebalance(
        AccountSnapshot(cash=1000, positions={}, prices={"A": 100}, as_of=T0),
        {"A": 1},
        RebalanceConfig(cash_reserve_pct=0),
    )  # buys 10 x 100 = 1,000: exactly the daily cap below

    outcome = enforce_limits(plan, RiskLimits(max_daily_notional=1000))

    assert outcome.plan is plan
    assert outcome.check.allowed


def test_a_blocked_order_is_skipped_with_its_quantity_and_notional() -> None:
    plan = plan_rebalance(
        AccountSnapshot(cash=1000, positions={}, prices={"A": 100}, as_of=T0),
        {"A": 1},
        RebalanceConfig(cash_reserve_pct=0),
    )
    order_id = plan.orders[0].client_order_id

    blocked = enforce_limits(plan, RiskLimits(max_order_notional=999)).plan

    assert blocked.skipped == (
        SkippedLeg(
            "A", Side.BUY, SkipReason.BLOCKED_BY_LIMIT, f"order {order_id} removed", 10, 1000
        ),
    )


def test_split_policy_keeps_the_orders_under_the_cap_and_splits_the_rest() -> None:
    plan = plan_rebalance(
        AccountSnapshot(cash=2000, positions={}, prices={"A": 100, "B": 10}, as_of=T0),
        {"A": "0.75", "B": "0.25"},
        RebalanceConfig(cash_reserve_pct=0),
    )  # A: 1,500 / 100 = 15 shares (1,500); B: 500 / 10 = 50 shares (500)

    split = enforce_limits(plan, RiskLimits(max_order_notional=1000), policy="split").plan

    # A splits into 10 + 5 shares (1,000 + 500); B, at 500, stays whole.
    assert sorted((o.symbol, o.qty) for o in split.orders) == [("A", 5), ("A", 10), ("B", 50)]


def _buying(cash: int, weights: dict[str, object], prices: dict[str, object]) -> RebalancePlan:
    snapshot = AccountSnapshot(cash=cash, positions={}, prices=prices, as_of=T0)
    return plan_rebalance(snapshot, weights, RebalanceConfig(cash_reserve_pct=0))


def test_each_violation_carries_its_numbers_and_says_them() -> None:
    # Buys A 15 x 100 = 1,500 and B 50 x 10 = 500: 2,000 in two orders, equity 2,000.
    plan = _buying(2000, {"A": "0.75", "B": "0.25"}, {"A": 100, "B": 10})
    a_order = plan.orders[0]
    limits = RiskLimits(
        max_order_notional=1000, max_daily_notional=2500, max_orders=1, max_turnover_pct="0.5"
    )

    check = check_limits(plan, limits, used_today=600)

    assert check.violations == (
        LimitViolation(
            LimitReason.ORDER_NOTIONAL, Decimal(1500), Decimal(1000), "A", Side.BUY,
            a_order.client_order_id, "buy A 1500 > 1000 per order",
        ),
        # 600 used + 2,000 proposed > 2,500: 1,900 left of the cap.
        LimitViolation(
            LimitReason.DAILY_NOTIONAL, Decimal(2000), Decimal(1900),
            detail="plan trades 2000, 1900 left of 2500 today",
        ),
        LimitViolation(
            LimitReason.ORDER_COUNT, Decimal(2), Decimal(1), detail="2 orders > 1 per plan"
        ),
        # 0.5 x 2,000 = 1,000 of turnover allowed.
        LimitViolation(
            LimitReason.TURNOVER, Decimal(2000), Decimal(1000),
            detail="plan trades 2000 > 0.5 x equity 2000 = 1000",
        ),
    )  # fmt: skip
    assert (check.proposed, check.used, check.headroom, check.would_exceed_by) == (
        2000,
        600,
        1900,
        100,
    )


def test_limits_exactly_reached_are_allowed() -> None:
    plan = _buying(2000, {"A": "0.75", "B": "0.25"}, {"A": 100, "B": 10})
    limits = RiskLimits(
        max_order_notional=1500, max_daily_notional=2000, max_orders=2, max_turnover_pct=1
    )

    check = check_limits(plan, limits)  # nothing used today by default

    assert check.allowed
    # headroom 2,000 - 0 used; 0 + 2,000 proposed is exactly the cap: no excess.
    assert (check.used, check.headroom, check.would_exceed_by) == (0, 2000, 0)


def test_room_to_spare_is_not_an_excess() -> None:
    check = check_limits(_buying(2000, {"A": "0.5"}, {"A": 100}), RiskLimits(), used_today=10)

    assert (check.headroom, check.would_exceed_by) == (499_990, 0)


def test_a_liquidation_violation_says_how_to_allow_it() -> None:
    snapshot = AccountSnapshot(cash=0, positions={"A": 2}, prices={"A": 50}, as_of=T0)
    plan = plan_rebalance(snapshot, {}, RebalanceConfig(cash_reserve_pct=0))

    assert check_limits(plan).violations == (
        LimitViolation(
            LimitReason.LIQUIDATION, Decimal(100), Decimal(0),
            detail="plan sells every holding (100) and buys nothing;"
            " RiskLimits(allow_liquidation=True) allows it",
        ),
    )  # fmt: skip


@pytest.mark.parametrize("client_order_id", ["x", "x" * 48, "alc-0-1"])
def test_client_order_ids_from_one_to_48_characters_are_taken(client_order_id: str) -> None:
    assert _order(1).__class__("A", "buy", 1, 1, client_order_id).client_order_id == client_order_id


@pytest.mark.parametrize("client_order_id", ["", "x" * 49, "a\x01b", "é"])
def test_other_client_order_ids_are_refused(client_order_id: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        OrderIntent("A", "buy", 1, 1, client_order_id)

    assert raised.value.field == "client_order_id"


def test_split_policy_splits_a_buy_that_comes_after_a_small_sell() -> None:
    snapshot = AccountSnapshot(cash=2000, positions={"S": 10}, prices={"A": 100, "S": 10}, as_of=T0)
    # Equity 2,100: S (100) is sold whole; A's target 2,100 buys 21 x 100 = 2,100.
    plan = plan_rebalance(snapshot, {"A": 1}, RebalanceConfig(cash_reserve_pct=0))

    split = enforce_limits(
        plan, RiskLimits(max_order_notional=1000, allow_liquidation=True), policy="split"
    ).plan

    assert [(o.side, o.symbol, o.qty) for o in split.orders] == [
        (Side.SELL, "S", 10),
        (Side.BUY, "A", 10),
        (Side.BUY, "A", 10),
        (Side.BUY, "A", 1),
    ]


def test_a_split_may_end_in_a_remainder_child_when_allowed() -> None:
    # 11 shares in lots of 5: 5 + 5 + 1, three children, which max_children=3 allows.
    assert [c.qty for c in split_order(_order(11), 500, max_children=3)] == [5, 5, 1]


def test_enforce_limits_counts_what_was_used_today() -> None:
    plan = _buying(1000, {"A": 1}, {"A": 100})  # 1,000 of buys

    outcome = enforce_limits(plan, RiskLimits(max_daily_notional=1500), used_today=600)

    assert not outcome.original_check.allowed
    assert outcome.plan.orders == ()


def test_a_year_is_read_in_utc_whatever_the_hosts_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        # 20:00 UTC on 31 December 1986 is already 1987 in Tokyo, but not in UTC.
        with pytest.raises(InvalidInputError, match="from 1987 on"):
            new_york_offset(datetime(1986, 12, 31, 20, tzinfo=UTC))
    finally:
        monkeypatch.undo()
        time.tzset()


def test_each_limit_outcome_says_its_policy_and_both_checks() -> None:
    plan = _buying(1000, {"A": 1}, {"A": 100})  # one buy of 1,000
    tight = RiskLimits(max_order_notional=999)

    allowed = enforce_limits(plan, RiskLimits(), used_today=5, policy="split")
    split = enforce_limits(plan, RiskLimits(max_order_notional=500), used_today=5, policy="split")
    blocked = enforce_limits(plan, tight, used_today=5, policy="reduce_only")

    assert (allowed.policy, allowed.original_check, allowed.check.used) == (
        LimitPolicy.SPLIT,
        allowed.check,
        5,
    )
    assert (split.policy, split.original_check.allowed, split.check.allowed) == (
        LimitPolicy.SPLIT,
        False,
        True,
    )
    assert [o.qty for o in split.plan.orders] == [5, 5]
    # reduce_only drops the buy; the plan left is empty and allowed.
    assert (blocked.policy, blocked.original_check.allowed, blocked.check.used) == (
        LimitPolicy.REDUCE_ONLY,
        False,
        5,
    )


def test_a_block_reports_the_blocked_plans_check_against_todays_use() -> None:
    plan = _buying(1000, {"A": 1}, {"A": 100})

    outcome = enforce_limits(plan, RiskLimits(max_order_notional=999), used_today=7)

    assert (outcome.policy, outcome.plan.orders, outcome.check.used, outcome.check.limit) == (
        LimitPolicy.BLOCK,
        (),
        7,
        500_000,
    )


def test_a_blocked_outcome_is_checked_against_the_limits_given() -> None:
    plan = _buying(1000, {"A": 1}, {"A": 100})

    outcome = enforce_limits(plan, RiskLimits(max_daily_notional=900), used_today=100)

    # Nothing is left to trade; the check still reports the given cap and its headroom.
    assert (outcome.check.limit, outcome.check.headroom, outcome.check.allowed) == (900, 800, True)
