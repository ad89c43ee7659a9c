"""Pre-trade risk by hand: limits, policies, preflight, quotes, pricing, breaker, kill switch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from alchemiser_core import (
    AssetRules,
    BreakerState,
    BreakerStatus,
    DenialReason,
    ExecutionLadder,
    InvalidInputError,
    LadderAction,
    LimitPolicy,
    LimitReason,
    OrderIntent,
    Quote,
    QuoteIssue,
    QuotePolicy,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    SkipReason,
    TradingState,
    TradingStateReason,
    apply_trading_state,
    assess_quote,
    check_limits,
    enforce_limits,
    limit_price,
    plan_rebalance,
    preflight,
    trading_day,
    trading_state,
)
from tests.helpers import AS_OF, snapshot

D = Decimal
NOW = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
DEFAULT_QUOTE_POLICY = QuotePolicy()
NO_RESERVE = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0)


def _plan_of(*legs: tuple[str, str, object, object]) -> RebalancePlan:
    """A plan with exactly these (side, symbol, qty, price) orders, in an account holding
    $10M of stock (so its sells are never a whole liquidation) and no cash."""
    orders = [
        OrderIntent(symbol, side, qty=qty, ref_price=price, client_order_id="pending")
        for side, symbol, qty, price in legs
    ]
    return RebalancePlan.build(
        account_id="default", as_of=AS_OF, orders=orders, skipped=(), cash_before=D(0),
        reserve=D(0), equity=D(10_000_000),
    )  # fmt: skip


# -- limits -----------------------------------------------------------------------------


def test_default_limits_are_the_audited_caps() -> None:
    assert RiskLimits() == RiskLimits(max_order_notional=100_000, max_daily_notional=500_000)


def test_a_plan_of_500000_01_with_nothing_used_is_blocked() -> None:
    # 5 x 100,000 + 0.01 = 500,000.01 > 500,000: over by 0.01; every order <= 100,000.
    plan = _plan_of(*[("buy", s, 1000, 100) for s in "ABCDE"], ("buy", "F", 1, "0.01"))

    check = check_limits(plan, RiskLimits(), used_today=0)

    assert not check.allowed
    assert check.proposed == D("500000.01")
    assert check.would_exceed_by == D("0.01")
    assert [v.reason for v in check.violations] == [LimitReason.DAILY_NOTIONAL]


def test_400000_used_and_a_100001_plan_is_blocked_over_by_one() -> None:
    # Two orders of 50,000.50 = 100,001; 400,000 + 100,001 - 500,000 = 1; headroom 100,000.
    plan = _plan_of(("buy", "A", 1, "50000.50"), ("sell", "B", 1, "50000.50"))

    check = check_limits(plan, RiskLimits(), used_today=400_000)

    assert (check.allowed, check.would_exceed_by, check.headroom) == (False, D(1), D(100_000))
    assert check.used == 400_000 and check.limit == 500_000


def test_an_order_of_exactly_100000_passes() -> None:
    plan = _plan_of(("buy", "A", 1000, 100))  # 1,000 x 100 = 100,000

    assert check_limits(plan).allowed


def test_an_order_of_100000_01_is_named_with_its_leg() -> None:
    plan = _plan_of(("sell", "A", 1, "100000.01"))

    (violation,) = check_limits(plan).violations

    assert (violation.reason, violation.symbol, violation.side) == (
        LimitReason.ORDER_NOTIONAL,
        "A",
        Side.SELL,
    )
    assert violation.client_order_id == plan.orders[0].client_order_id


def test_block_policy_removes_every_order_as_skipped_legs() -> None:
    plan = _plan_of(("sell", "A", 1, 60), ("buy", "B", 1, 50))

    outcome = enforce_limits(plan, RiskLimits(max_order_notional=55, max_daily_notional=1_000))

    assert outcome.plan.orders == ()
    assert {(leg.symbol, leg.reason) for leg in outcome.plan.skipped} == {
        ("A", SkipReason.BLOCKED_BY_LIMIT),
        ("B", SkipReason.BLOCKED_BY_LIMIT),
    }
    assert outcome.check.allowed and not outcome.original_check.allowed


def test_reduce_only_keeps_sells_and_drops_buys() -> None:
    # Daily cap 100: sells 60 + buys 50 = 110 > 100; sells alone 60 fit.
    plan = _plan_of(("sell", "A", 1, 60), ("buy", "B", 1, 50))

    outcome = enforce_limits(
        plan, RiskLimits(max_daily_notional=100), policy=LimitPolicy.REDUCE_ONLY
    )

    assert [(o.side, o.symbol) for o in outcome.plan.orders] == [(Side.SELL, "A")]
    assert [(leg.symbol, leg.reason) for leg in outcome.plan.skipped] == [
        ("B", SkipReason.REDUCE_ONLY)
    ]


def test_split_cuts_a_250000_buy_into_children_under_the_cap() -> None:
    # 2,500 sh x 100 = 250,000 with a 100,000 cap -> 1,000 + 1,000 + 500 shares.
    plan = _plan_of(("buy", "A", 2500, 100))

    outcome = enforce_limits(plan, policy="split")

    assert sorted(o.qty for o in outcome.plan.orders) == [500, 1000, 1000]
    assert len({o.client_order_id for o in outcome.plan.orders}) == 3
    assert outcome.check.allowed


def test_split_cannot_fix_the_daily_cap_so_it_blocks() -> None:
    plan = _plan_of(("buy", "A", 6000, 100))  # 600,000 > 500,000 per day

    outcome = enforce_limits(plan, policy="split")

    assert outcome.plan.orders == ()


def test_trading_day_is_the_new_york_date() -> None:
    # 03:30 UTC on 27 Nov is 22:30 EST on 26 Nov; 12:00 UTC on 1 Jul is 08:00 EDT.
    assert trading_day(datetime(2026, 11, 27, 3, 30, tzinfo=UTC)) == date(2026, 11, 26)
    assert trading_day(datetime(2026, 7, 1, 3, 59, tzinfo=UTC)) == date(2026, 6, 30)  # 23:59 EDT
    assert trading_day(datetime(2026, 7, 1, 4, 0, tzinfo=UTC)) == date(2026, 7, 1)  # 00:00 EDT
    # DST 2026 starts 8 Mar at 07:00 UTC: 04:59 UTC that day is 23:59 EST on 7 Mar.
    assert trading_day(datetime(2026, 3, 8, 4, 59, tzinfo=UTC)) == date(2026, 3, 7)


def test_trading_day_rejects_a_naive_timestamp() -> None:
    with pytest.raises(InvalidInputError, match="ts: expected a timezone-aware datetime"):
        trading_day(datetime(2026, 1, 1))  # noqa: DTZ001


# -- preflight --------------------------------------------------------------------------


def _reasons(plan: RebalancePlan, snap: object, **kwargs: object) -> set[DenialReason]:
    return {d.reason for d in preflight(plan, snap, **kwargs).denials}  # type: ignore[arg-type]


def test_preflight_passes_a_planned_order() -> None:
    snap = snapshot(1_000, prices={"A": 10})
    plan = plan_rebalance(snap, {"A": 1}, NO_RESERVE)  # 100 sh x 10

    assert preflight(plan, snap).ok


def test_preflight_reason_codes() -> None:
    snap = snapshot(
        0,
        positions={"HELD": 2, "FR": "0.5"},
        prices={"HELD": 10, "LOCK": 10, "FR": 10, "LOT": 10, "WHOLE": 10, "TINY": "0.5"},
        rules={
            "LOCK": AssetRules(tradable=False),
            "FR": AssetRules(fractionable=True),
            "LOT": AssetRules(qty_increment=5),
            "TINY": AssetRules(min_notional=1),
        },
    )
    cases = {
        DenialReason.NOT_TRADABLE: _plan_of(("buy", "LOCK", 1, 10)),
        DenialReason.OFF_INCREMENT: _plan_of(("buy", "LOT", 3, 10)),  # 3 is not a multiple of 5
        DenialReason.NOT_FRACTIONABLE: _plan_of(("buy", "WHOLE", "1.5", 10)),
        DenialReason.BELOW_MIN_NOTIONAL: _plan_of(("buy", "TINY", 1, "0.5")),  # 0.50 < 1
        DenialReason.SELL_EXCEEDS_HELD: _plan_of(("sell", "HELD", 3, 10)),  # 3 > 2 held
        DenialReason.PRICE_OFF_TICK: _plan_of(
            ("buy", "WHOLE", 1, "10.005")
        ),  # >= $1 trades in cents
        DenialReason.DUPLICATE_LEG: _plan_of(("buy", "WHOLE", 1, 10), ("buy", "WHOLE", 2, 10)),
        DenialReason.CONFLICTING_SIDES: _plan_of(("buy", "HELD", 1, 10), ("sell", "HELD", 1, 10)),
        DenialReason.UNKNOWN_SYMBOL: _plan_of(("buy", "NOPE", 1, 10)),
    }
    for reason, plan in cases.items():
        assert reason in _reasons(plan, snap), reason
    # Fractional $1 minimum: 0.05 x 10 = 0.50 < 1 on a fractionable asset.
    assert DenialReason.BELOW_MIN_NOTIONAL in _reasons(_plan_of(("buy", "FR", "0.05", 10)), snap)
    # A full exit of a fractional holding is allowed even though 0.5 is a fraction.
    assert _reasons(_plan_of(("sell", "FR", "0.5", 10)), snap) == set()
    # Split children of one leg are fine when the caller says they are.
    split = _plan_of(("buy", "WHOLE", 1, 10), ("buy", "WHOLE", 2, 10))
    assert _reasons(split, snap, allow_split_legs=True) == set()


def test_preflight_checks_a_given_limit_price_against_the_tick() -> None:
    snap = snapshot(100, prices={"A": 10})
    plan = _plan_of(("buy", "A", 1, 10))
    client_id = plan.orders[0].client_order_id

    assert _reasons(plan, snap, limit_prices={client_id: "10.015"}) == {DenialReason.PRICE_OFF_TICK}
    assert _reasons(plan, snap, limit_prices={client_id: "10.01"}) == set()


# -- quotes -----------------------------------------------------------------------------


def _issues(
    bid: str,
    ask: str,
    *,
    age: float = 0,
    reference: object = None,
    policy: QuotePolicy = DEFAULT_QUOTE_POLICY,
) -> tuple[QuoteIssue, ...]:
    quote = Quote(bid, ask, ts=NOW - timedelta(seconds=age))
    return assess_quote(quote, NOW, policy, reference).issues


def test_quote_defaults() -> None:
    policy = QuotePolicy()

    assert (policy.max_spread_pct, policy.suspicious_spread_pct, policy.max_age) == (
        D("0.005"),
        D("0.10"),
        timedelta(seconds=10),
    )


def test_quote_reason_codes() -> None:
    assert _issues("10.00", "10.04") == ()  # 0.04 / 10.02 = 0.40% <= 0.5%
    assert _issues("0", "10.00") == (QuoteIssue.NON_POSITIVE_BID,)
    assert _issues("10.00", "0") == (QuoteIssue.NON_POSITIVE_ASK,)
    assert _issues("10.05", "10.00") == (QuoteIssue.CROSSED,)
    assert _issues("10.00", "10.00") == (QuoteIssue.LOCKED,)
    assert _issues("10.00", "10.06") == (QuoteIssue.SPREAD_TOO_WIDE,)  # 0.06 / 10.03 = 0.60%
    assert _issues("10.00", "11.10") == (QuoteIssue.SUSPICIOUS_SPREAD,)  # 1.10 / 10.55 = 10.4%
    assert _issues("10.00", "10.04", age=10.001) == (QuoteIssue.STALE,)
    assert _issues("10.00", "10.04", age=10) == ()  # exactly 10 s is still fresh
    assert _issues("10.00", "10.04", age=-1) == (QuoteIssue.FROM_THE_FUTURE,)
    # mid 10.02 vs reference 9.50: 0.52 / 9.50 = 5.5% > 5%.
    assert _issues("10.00", "10.04", reference="9.50") == (QuoteIssue.FAR_FROM_REFERENCE,)


def test_one_sided_quote_is_repaired_only_when_the_policy_says_so_and_reported() -> None:
    quote = Quote("0", "10.00", ts=NOW)

    plain = assess_quote(quote, NOW)
    repaired = assess_quote(quote, NOW, QuotePolicy(one_sided_repair_pct="0.002"))

    assert plain.issues == (QuoteIssue.NON_POSITIVE_BID,)
    assert repaired.ok and repaired.quote.bid == D("9.98")  # 10 x (1 - 0.002)
    assert repaired.repairs and "bid missing" in repaired.repairs[0]


# -- pricing ----------------------------------------------------------------------------


def test_limit_price_by_hand() -> None:
    quote = Quote("10.00", "10.10", ts=NOW)
    # buy: 10.00 + 0.85 x 0.10 = 10.085 -> down to 10.08; sell: 10.10 - 0.085 = 10.015 -> up to 10.02.
    assert limit_price(quote, Side.BUY, "0.85") == D("10.08")
    assert limit_price(quote, Side.SELL, "0.85") == D("10.02")
    # sub-dollar: 0.5000 + 0.5 x 0.0003 = 0.50015 -> 0.5001 (tick 0.0001)
    assert limit_price(Quote("0.5000", "0.5003", ts=NOW), "buy", "0.5") == D("0.5001")


def test_ladder_defaults_and_fresh_quotes_per_step() -> None:
    ladder = ExecutionLadder()
    first = Quote("10.00", "10.10", ts=NOW)
    later = Quote("10.02", "10.12", ts=NOW + timedelta(seconds=5))

    step0 = ladder.step(0, first, "buy")
    step1_stale = ladder.step(1, first, "buy", previous_quote_ts=step0.quote_ts)
    step1 = ladder.step(1, later, "buy", previous_quote_ts=step0.quote_ts)
    final = ladder.step(3, later, "buy")

    assert ladder.steps == (D("0.75"), D("0.85"), D("0.95"))
    assert (step0.action, step0.price) == (LadderAction.LIMIT, D("10.07"))  # 10.075 -> 10.07
    assert step1_stale.action is LadderAction.REQUOTE
    assert step1.price == D("10.10")  # 10.02 + 0.085 = 10.105 -> 10.10
    assert final.action is LadderAction.MARKET
    assert ExecutionLadder(final="cancel").step(3, later, "buy").action is LadderAction.CANCEL


# -- breaker and kill switch -------------------------------------------------------------


def test_breaker_trips_only_on_consecutive_failures() -> None:
    breaker = BreakerState(failure_threshold=3)

    interleaved = breaker.on_failure(NOW).on_failure(NOW).on_success(NOW).on_failure(NOW)
    tripped = breaker.on_failure(NOW).on_failure(NOW).on_failure(NOW)

    assert interleaved.status is BreakerStatus.CLOSED
    assert tripped.status is BreakerStatus.OPEN


def test_breaker_half_open_allows_one_probe_and_closes_after_m_successes() -> None:
    opened = BreakerState(
        failure_threshold=1, success_threshold=2, cooldown=timedelta(seconds=60)
    ).on_failure(NOW)
    later = NOW + timedelta(seconds=60)

    allowed, probing = opened.acquire(later)
    second_allowed, _ = probing.acquire(later)
    after_one = probing.on_success(later)
    _, probing_again = after_one.acquire(later)
    closed = probing_again.on_success(later)
    reopened = probing.on_failure(later)

    assert (allowed, second_allowed) == (True, False)
    assert after_one.status is BreakerStatus.HALF_OPEN
    assert closed.status is BreakerStatus.CLOSED
    assert reopened.status is BreakerStatus.OPEN and reopened.opened_at == later


def test_trading_state_from_loss_limits() -> None:
    # Defaults: 5% intraday, 20% drawdown.
    assert trading_state(96_000, 100_000, 100_000) == (TradingState.ACTIVE, ())  # -4%
    assert trading_state(95_000, 100_000, 100_000)[0] is TradingState.HALTED  # -5% today
    assert trading_state(80_000, 81_000, 100_000) == (
        TradingState.REDUCING,
        (TradingStateReason.DRAWDOWN,),
    )
    assert trading_state(75_000, 80_000, 100_000)[0] is TradingState.HALTED  # both: halted wins


def test_apply_trading_state() -> None:
    plan = _plan_of(("sell", "A", 1, 60), ("buy", "B", 1, 50))

    halted = apply_trading_state(plan, TradingState.HALTED)
    reducing = apply_trading_state(plan, "reducing")

    assert halted.orders == ()
    assert {leg.reason for leg in halted.skipped} == {SkipReason.TRADING_HALTED}
    assert [o.side for o in reducing.orders] == [Side.SELL]
    assert apply_trading_state(plan, "active") is plan


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"status": "broken"}, "status", "one of 'closed', 'open', 'half_open'"),
        ({"consecutive_failures": -1}, "consecutive_failures", "an integer >= 0"),
        ({"consecutive_successes": True}, "consecutive_successes", "an integer >= 0"),
        ({"probe_in_flight": "no"}, "probe_in_flight", "True or False"),
        # OPEN without the time it opened could never end its cool-down.
        ({"status": "open"}, "opened_at", "a time exactly when the status is open"),
        ({"opened_at": AS_OF}, "opened_at", "a time exactly when the status is open"),
        ({"status": "open", "opened_at": "noon"}, "opened_at", "a timezone-aware datetime"),
    ],
)
def test_a_restored_breaker_state_is_checked_field_by_field(
    fields: dict[str, object], field: str, expected: str
) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected {expected}"):
        BreakerState(**fields)


def test_a_restored_open_breaker_keeps_its_cool_down() -> None:
    restored = BreakerState(status="open", opened_at=AS_OF, cooldown=timedelta(seconds=30))

    assert restored.status is BreakerStatus.OPEN
    assert not restored.allows(AS_OF + timedelta(seconds=29))
    assert restored.allows(AS_OF + timedelta(seconds=30))


def test_the_ladder_checks_the_previous_quote_time() -> None:
    quote = Quote("10", "10.1", ts=AS_OF)

    with pytest.raises(InvalidInputError, match=r"^previous_quote_ts: expected a timezone-aware"):
        ExecutionLadder().step(0, quote, "buy", previous_quote_ts="earlier")  # type: ignore[arg-type]
