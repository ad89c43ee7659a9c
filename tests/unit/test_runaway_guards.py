"""Runaway guards, by hand: order count, turnover and liquidation, each with its numbers."""

from __future__ import annotations

import pytest

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    InvalidInputError,
    LimitPolicy,
    LimitReason,
    RiskLimits,
    SkipReason,
    check_limits,
    enforce_limits,
    plan_rebalance,
)
from tests.helpers import snapshot

# Plenty of room on the notional caps, so only the guard under test can trip.
ROOMY = {"max_order_notional": 10**9, "max_daily_notional": 10**9}


def _held_account() -> AccountSnapshot:
    # Cash 1,000; AAPL 10 x 150 = 1,500; MSFT 5 x 400 = 2,000. E = 4,500.
    return snapshot(1_000, {"AAPL": 10, "MSFT": 5}, {"AAPL": 150, "MSFT": 400, "SPY": 500})


@pytest.mark.parametrize("targets", [{}, {"AAPL": 0, "MSFT": 0}], ids=["empty", "all-zero"])
def test_empty_or_all_zero_targets_are_a_liquidation_violation(targets: dict[str, int]) -> None:
    # Sells 10 AAPL (1,500) + 5 MSFT (2,000) = 3,500 = every holding (4,500 - 1,000 cash).
    plan = plan_rebalance(_held_account(), targets)

    check = check_limits(plan, RiskLimits(**ROOMY))

    assert not check.allowed
    (violation,) = check.violations
    assert (violation.reason, violation.value, violation.limit) == (
        LimitReason.LIQUIDATION,
        3_500,
        0,
    )
    assert "allow_liquidation=True" in violation.detail


def test_a_liquidation_is_allowed_when_asked_for() -> None:
    plan = plan_rebalance(_held_account(), {})

    assert check_limits(plan, RiskLimits(**ROOMY, allow_liquidation=True)).allowed


def test_the_default_policy_blocks_a_liquidation_and_says_why_per_leg() -> None:
    plan = plan_rebalance(_held_account(), {})

    outcome = enforce_limits(plan, RiskLimits(**ROOMY))

    assert outcome.plan.orders == ()
    assert {(leg.symbol, leg.reason) for leg in outcome.plan.skipped} == {
        ("AAPL", SkipReason.BLOCKED_BY_LIMIT),
        ("MSFT", SkipReason.BLOCKED_BY_LIMIT),
    }


def test_exiting_one_position_and_keeping_another_is_not_a_liquidation() -> None:
    # T(MSFT) = 0.45 x (4,500 - 45) = 2,004.75 >= 2,000 held: MSFT needs +4.75 < one share,
    # so the plan only sells AAPL (1,500); MSFT (2,000) stays. No buys, but not everything.
    plan = plan_rebalance(_held_account(), {"MSFT": "0.45"})

    assert [(o.side.value, o.symbol) for o in plan.orders] == [("sell", "AAPL")]
    assert check_limits(plan, RiskLimits(**ROOMY)).allowed


def test_a_liquidation_that_cannot_sell_one_holding_is_still_a_liquidation() -> None:
    # MSFT is not tradable: the plan sells AAPL only (1,500) and skips MSFT's full 2,000.
    # Left: 4,500 - 1,000 - 1,500 = 2,000 <= 2,000 skipped: every sellable holding goes.
    account = snapshot(
        1_000,
        {"AAPL": 10, "MSFT": 5},
        {"AAPL": 150, "MSFT": 400},
        rules={"MSFT": AssetRules(tradable=False)},
    )
    plan = plan_rebalance(account, {})

    check = check_limits(plan, RiskLimits(**ROOMY))

    assert [v.reason for v in check.violations] == [LimitReason.LIQUIDATION]
    assert check.violations[0].value == 1_500


def test_an_all_cash_account_with_no_targets_has_nothing_to_liquidate() -> None:
    plan = plan_rebalance(snapshot(1_000, prices={"SPY": 500}), {})

    assert plan.orders == ()
    assert check_limits(plan).allowed


def test_more_orders_than_max_orders_is_a_violation_with_the_count() -> None:
    # From 4,500: sell 10 AAPL (T = 0); T(SPY) = T(MSFT) = 0.5 x 4,455 = 2,227.5;
    # buy floor(2,227.5 / 500) = 4 SPY; MSFT has 2,000, buys floor(227.5 / 400) = 0.
    # Orders: sell AAPL, buy SPY = 2 > 1.
    plan = plan_rebalance(_held_account(), {"SPY": "0.5", "MSFT": "0.5"})
    assert len(plan.orders) == 2

    check = check_limits(plan, RiskLimits(**ROOMY, max_orders=1))

    (violation,) = check.violations
    assert (violation.reason, violation.value, violation.limit) == (
        LimitReason.ORDER_COUNT,
        2,
        1,
    )
    assert check_limits(plan, RiskLimits(**ROOMY, max_orders=2)).allowed


def test_reduce_only_can_cure_an_order_count_breach() -> None:
    # Same plan: dropping the buy leaves 1 order, within max_orders = 1; it is a sell-down
    # of AAPL only (MSFT stays), so not a liquidation either.
    plan = plan_rebalance(_held_account(), {"SPY": "0.5", "MSFT": "0.5"})

    outcome = enforce_limits(plan, RiskLimits(**ROOMY, max_orders=1), policy="reduce_only")

    assert [(o.side.value, o.symbol) for o in outcome.plan.orders] == [("sell", "AAPL")]
    assert outcome.check.allowed


def test_turnover_above_the_cap_is_a_violation_with_the_notional_and_the_allowance() -> None:
    # Same plan: sells 1,500 + buys 4 x 500 = 2,000 -> 3,500 traded on equity 4,500.
    # Cap 0.75: allowed 0.75 x 4,500 = 3,375 < 3,500 (turnover 0.78). Cap 0.8: 3,600 >= 3,500.
    plan = plan_rebalance(_held_account(), {"SPY": "0.5", "MSFT": "0.5"})

    check = check_limits(plan, RiskLimits(**ROOMY, max_turnover_pct="0.75"))

    (violation,) = check.violations
    assert (violation.reason, violation.value, violation.limit) == (
        LimitReason.TURNOVER,
        3_500,
        3_375,
    )
    assert check_limits(plan, RiskLimits(**ROOMY, max_turnover_pct="0.8")).allowed


def test_at_zero_equity_any_turnover_is_too_much() -> None:
    # Margin debt -1,500 against AAPL 10 x 150: equity 0. The plan sells AAPL (1,500).
    plan = plan_rebalance(snapshot(-1_500, {"AAPL": 10}, {"AAPL": 150}), {"AAPL": 0})

    check = check_limits(plan, RiskLimits(**ROOMY, max_turnover_pct=5, allow_liquidation=True))

    assert [(v.reason, v.value, v.limit) for v in check.violations] == [
        (LimitReason.TURNOVER, 1_500, 0)
    ]


def test_split_that_breaks_max_orders_falls_back_to_block() -> None:
    # 250,400 under a 100,000 cap splits into 1,000 + 1,000 + 504 shares: 3 > max_orders 2.
    plan = plan_rebalance(snapshot(253_000, prices={"A": 100}), {"A": 1})
    # T = 0.99 x 253,000 = 250,470: floor(250,470 / 100) = 2,504 shares = 250,400.
    assert [(o.qty, o.notional) for o in plan.orders] == [(2504, 250_400)]

    outcome = enforce_limits(
        plan,
        RiskLimits(max_order_notional=100_000, max_daily_notional=10**9, max_orders=2),
        policy=LimitPolicy.SPLIT,
    )

    assert outcome.plan.orders == ()
    assert outcome.original_check.violations[0].reason is LimitReason.ORDER_NOTIONAL


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("max_orders", 0, "None or a positive whole number"),
        ("max_orders", True, "None or a positive whole number"),
        ("max_orders", 2.5, "None or a positive whole number"),
        ("max_turnover_pct", 0, "a number > 0"),
        ("max_turnover_pct", "NaN", "a finite number"),
        ("allow_liquidation", "yes", "True or False"),
    ],
)
def test_bad_guard_settings_are_refused_naming_the_field(
    field: str, value: object, expected: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected {expected}"):
        RiskLimits(**{field: value})


def test_by_default_count_and_turnover_are_uncapped_and_liquidation_is_denied() -> None:
    limits = RiskLimits()

    assert (limits.max_orders, limits.max_turnover_pct, limits.allow_liquidation) == (
        None,
        None,
        False,
    )
