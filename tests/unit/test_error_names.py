# The table calls the API with deliberately wrong types.
# mypy: disable-error-code="arg-type, list-item"
"""Every input error names the field, says what was expected and shows the value received.

One row per argument or field of the public API: the call with one bad value, and the
three parts of the `InvalidInputError` it must raise. A message that names the wrong
field, or none, sends a user to the wrong line of their bot.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    BreakerState,
    DriftBand,
    ExecutionLadder,
    InvalidInputError,
    LossLimits,
    OrderIntent,
    Quote,
    QuotePolicy,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    SkippedLeg,
    SkipReason,
    TargetAllocation,
    allocation_diff,
    apply_trading_state,
    assess_quote,
    ceil_to_increment,
    check_limits,
    default_tick,
    enforce_limits,
    floor_to_increment,
    limit_price,
    plan_rebalance,
    preflight,
    round_price_to_tick,
    size_position,
    split_order,
    to_decimal,
    trading_day,
    trading_state,
)
from alchemiser_core.planning.optimal import Candidate, choose_extra_increments
from alchemiser_core.venue import VenueRules

T0 = datetime(2026, 1, 5, 15, tzinfo=UTC)
NAIVE = datetime(2026, 1, 5, 15)  # noqa: DTZ001 - the bad value under test
QUOTE = Quote("10", "10.02", ts=T0)
SNAPSHOT = AccountSnapshot(cash=1000, positions={"A": 1}, prices={"A": 10}, as_of=T0)
PLAN = plan_rebalance(SNAPSHOT, {"A": 0.5})
ORDER = OrderIntent("A", "buy", qty=1, ref_price=10, client_order_id="x-0")


def _order(**change: object) -> Callable[[], object]:
    fields: dict[str, object] = {"symbol": "A", "side": "buy", "qty": 1, "ref_price": 10}
    fields |= {"client_order_id": "x-0", **change}
    return lambda: OrderIntent(**fields)


def _skipped(**change: object) -> Callable[[], object]:
    fields: dict[str, object] = {"symbol": "A", "side": "buy", "reason": "not_tradable"}
    return lambda: SkippedLeg(**(fields | change))


def _snapshot(**change: object) -> Callable[[], object]:
    fields: dict[str, object] = {"cash": 1000, "positions": {}, "prices": {"A": 10}, "as_of": T0}
    return lambda: AccountSnapshot(**(fields | change))


def _plan_build(**change: object) -> Callable[[], object]:
    fields: dict[str, object] = {
        "account_id": "a",
        "as_of": T0,
        "orders": [],
        "skipped": [],
        "cash_before": 1,
        "reserve": 0,
        "equity": 1,
    }
    return lambda: RebalancePlan.build(**(fields | change))


CASES: list[tuple[str, Callable[[], object], str, str, object]] = [
    # (id, call, field, the expectation it states, the bad value)
    (
        "rules.qty_increment",
        lambda: AssetRules(qty_increment=0),
        "qty_increment",
        "a number > 0",
        0,
    ),
    (
        "rules.min_notional",
        lambda: AssetRules(min_notional=-1),
        "min_notional",
        "a number >= 0",
        -1,
    ),
    (
        "rules.price_increment",
        lambda: AssetRules(price_increment=0),
        "price_increment",
        "a number > 0",
        0,
    ),
    (
        "rules.fractional_increment",
        lambda: AssetRules(fractional_increment=-1),
        "fractional_increment",
        "a number > 0",
        -1,
    ),
    ("rules.tradable", lambda: AssetRules(tradable="yes"), "tradable", "True or False", "yes"),
    ("rules.fractionable", lambda: AssetRules(fractionable=1), "fractionable", "True or False", 1),
    ("snapshot.cash", _snapshot(cash="x"), "cash", "a numeric string", "x"),
    (
        "snapshot.as_of",
        _snapshot(as_of=NAIVE),
        "as_of",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    (
        "snapshot.account_id",
        _snapshot(account_id=""),
        "account_id",
        "a non-empty printable string of at most 64 characters",
        "",
    ),
    (
        "snapshot.positions",
        _snapshot(positions=[]),
        "positions",
        "a mapping of symbol to value",
        [],
    ),
    ("snapshot.position", _snapshot(positions={"A": -1}), "positions['A']", "a number >= 0", -1),
    ("snapshot.price", _snapshot(prices={"A": 0}), "prices['A']", "a number > 0", 0),
    ("snapshot.rule", _snapshot(rules={"A": 1}), "rules['A']", "an AssetRules", 1),
    (
        # -5 + 2 x 2 = -1: a margin debit larger than the holdings.
        "snapshot.equity",
        _snapshot(cash=-5, positions={"A": 2}, prices={"A": 2}),
        "cash",
        "cash + holdings >= 0 (equity cannot be negative)",
        Decimal(-5),
    ),
    (
        "snapshot.unpriced_holding",
        _snapshot(positions={"B": 1}),
        "prices['B']",
        "a positive price for every held symbol (a holding without a price"
        " cannot be valued, so even missing_price='skip' cannot plan around it)",
        None,
    ),
    (
        "snapshot.symbol",
        _snapshot(prices={"a": 1}),
        "prices key",
        "an upper-case ticker such as 'AAPL', 'BRK.B' or 'BTC/USD'",
        "a",
    ),
    (
        "targets.normalized",
        lambda: TargetAllocation({"A": 0}).normalized(),
        "weights",
        "at least one positive weight to normalise",
        0,
    ),
    ("targets.weight", lambda: TargetAllocation({"A": 2}), "weights['A']", "a number <= 1", 2),
    (
        "targets.weight_text",
        lambda: TargetAllocation({"A": "half"}),
        "weights['A']",
        "a numeric string",
        "half",
    ),
    (
        "snapshot.account_id_too_long",
        _snapshot(account_id="a" * 65),
        "account_id",
        "a non-empty printable string of at most 64 characters",
        "a" * 65,
    ),
    (
        "snapshot.account_id_unprintable",
        _snapshot(account_id="a\tb"),
        "account_id",
        "a non-empty printable string of at most 64 characters",
        "a\tb",
    ),
    (
        "snapshot.as_of_text",
        _snapshot(as_of="2026-01-05"),
        "as_of",
        "a timezone-aware datetime",
        "2026-01-05",
    ),
    (
        "config.reserve",
        lambda: RebalanceConfig(cash_reserve_pct=1),
        "cash_reserve_pct",
        "a number < 1",
        1,
    ),
    (
        "config.min",
        lambda: RebalanceConfig(min_trade_notional=-1),
        "min_trade_notional",
        "a number >= 0",
        -1,
    ),
    ("config.fractional", lambda: RebalanceConfig(fractional=0), "fractional", "True or False", 0),
    (
        "config.rounding",
        lambda: RebalanceConfig(rounding="up"),
        "rounding",
        "one of ('floor', 'optimal')",
        "up",
    ),
    (
        "config.buffer",
        lambda: RebalanceConfig(buy_price_buffer_pct=1),
        "buy_price_buffer_pct",
        "a number < 1",
        1,
    ),
    (
        "config.keep",
        lambda: RebalanceConfig(keep_unlisted="no"),
        "keep_unlisted",
        "True or False",
        "no",
    ),
    (
        "config.missing",
        lambda: RebalanceConfig(missing_price="x"),
        "missing_price",
        "one of ('raise', 'skip')",
        "x",
    ),
    ("band.absolute", lambda: DriftBand(absolute=2), "drift_band.absolute", "a number <= 1", 2),
    ("band.relative", lambda: DriftBand(relative=-1), "drift_band.relative", "a number >= 0", -1),
    (
        "order.symbol",
        _order(symbol="a"),
        "symbol",
        "an upper-case ticker such as 'AAPL', 'BRK.B' or 'BTC/USD'",
        "a",
    ),
    ("order.side", _order(side="hold"), "side", "one of 'buy', 'sell'", "hold"),
    ("order.qty", _order(qty=0), "qty", "a number > 0", 0),
    ("order.ref_price", _order(ref_price=0), "ref_price", "a number > 0", 0),
    (
        "order.client_order_id",
        _order(client_order_id="a b"),
        "client_order_id",
        "1 to 48 printable ASCII characters without spaces",
        "a b",
    ),
    (
        "order.long_id",
        _order(client_order_id="x" * 49),
        "client_order_id",
        "1 to 48 printable ASCII characters without spaces",
        "x" * 49,
    ),
    ("order.target_weight", _order(target_weight=-1), "target_weight", "a number >= 0", -1),
    ("order.current_weight", _order(current_weight=-1), "current_weight", "a number >= 0", -1),
    ("order.is_full_exit", _order(is_full_exit=1), "is_full_exit", "True or False", 1),
    (
        "skipped.reason",
        _skipped(reason="bored"),
        "reason",
        "one of 'below_minimum', 'not_tradable', 'zero_after_rounding', 'not_fractionable', 'insufficient_cash', 'reduced_for_cash', 'within_drift_band', 'blocked_by_limit', 'reduce_only', 'trading_halted', 'missing_price'",
        "bored",
    ),
    ("skipped.detail", _skipped(detail=1), "detail", "a string", 1),
    ("skipped.qty", _skipped(qty=-1), "qty", "a number >= 0", -1),
    ("skipped.notional", _skipped(notional=-1), "notional", "a number >= 0", -1),
    (
        "build.equity",
        _plan_build(equity="NaN"),
        "equity",
        "a finite number (not NaN or Infinity)",
        "NaN",
    ),
    ("build.equity_sign", _plan_build(equity=-1), "equity", "a number >= 0", -1),
    ("build.reserve", _plan_build(reserve=-1), "reserve", "a number >= 0", -1),
    ("build.cash_before", _plan_build(cash_before="x"), "cash_before", "a numeric string", "x"),
    (
        "build.account_id",
        _plan_build(account_id=" a"),
        "account_id",
        "a non-empty printable string of at most 64 characters",
        " a",
    ),
    (
        "build.as_of",
        _plan_build(as_of=NAIVE),
        "as_of",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    ("build.orders", _plan_build(orders=[1]), "orders", "a sequence of OrderIntent", [1]),
    ("build.skipped", _plan_build(skipped=[1]), "skipped", "a sequence of SkippedLeg", [1]),
    ("plan.snapshot", lambda: plan_rebalance(1, {}), "snapshot", "an AccountSnapshot", 1),
    (
        "plan.targets",
        lambda: plan_rebalance(SNAPSHOT, 1),
        "targets",
        "a TargetAllocation or a mapping",
        1,
    ),
    ("plan.config", lambda: plan_rebalance(SNAPSHOT, {}, 1), "config", "a RebalanceConfig", 1),
    ("diff.snapshot", lambda: allocation_diff(1, {}), "snapshot", "an AccountSnapshot", 1),
    ("size.target", lambda: size_position(-1, 10), "target_value", "a number >= 0", -1),
    ("size.price", lambda: size_position(10, 0), "price", "a number > 0", 0),
    ("size.rules", lambda: size_position(10, 1, 1), "rules", "an AssetRules", 1),
    (
        "size.fractional",
        lambda: size_position(10, 1, fractional=1),
        "fractional",
        "True, False or None",
        1,
    ),
    (
        "to_decimal.bool",
        lambda: to_decimal(True, "qty"),
        "qty",
        "a number (Decimal, int, str, float or a NumPy real scalar)",
        True,
    ),
    (
        "to_decimal.complex",
        lambda: to_decimal(1j, "qty"),
        "qty",
        "a number (Decimal, int, str, float or a NumPy real scalar)",
        1j,
    ),
    ("floor.increment", lambda: floor_to_increment(1, 0), "increment", "a number > 0", 0),
    ("ceil.value", lambda: ceil_to_increment("x", 1), "value", "a numeric string", "x"),
    ("tick.price", lambda: default_tick(0), "price", "a number > 0", 0),
    ("round.side", lambda: round_price_to_tick(1, 1), "side_is_buy", "True or False", 1),
    ("round.tick", lambda: round_price_to_tick(1, True, 0), "tick", "a number > 0", 0),
    (
        "limits.order",
        lambda: RiskLimits(max_order_notional=0),
        "max_order_notional",
        "a number > 0",
        0,
    ),
    (
        "limits.daily",
        lambda: RiskLimits(max_daily_notional=-1),
        "max_daily_notional",
        "a number > 0",
        -1,
    ),
    (
        "limits.orders",
        lambda: RiskLimits(max_orders=0),
        "max_orders",
        "None or a positive whole number",
        0,
    ),
    (
        "limits.turnover",
        lambda: RiskLimits(max_turnover_pct=0),
        "max_turnover_pct",
        "a number > 0",
        0,
    ),
    (
        "limits.liquidation",
        lambda: RiskLimits(allow_liquidation=1),
        "allow_liquidation",
        "True or False",
        1,
    ),
    ("check.plan", lambda: check_limits(1), "plan", "a RebalancePlan", 1),
    ("check.limits", lambda: check_limits(PLAN, 1), "limits", "a RiskLimits", 1),
    ("check.used", lambda: check_limits(PLAN, None, -1), "used_today", "a number >= 0", -1),
    (
        "enforce.policy",
        lambda: enforce_limits(PLAN, None, 0, "x"),
        "policy",
        "'block', 'reduce_only' or 'split'",
        "x",
    ),
    ("split.order", lambda: split_order(1, 10), "order", "an OrderIntent", 1),
    ("split.cap", lambda: split_order(ORDER, 0), "cap", "a number > 0", 0),
    ("split.children", lambda: split_order(ORDER, 1, 0), "max_children", "a positive int", 0),
    ("preflight.plan", lambda: preflight(1, SNAPSHOT), "plan", "a RebalancePlan", 1),
    ("preflight.snapshot", lambda: preflight(PLAN, 1), "snapshot", "an AccountSnapshot", 1),
    (
        "preflight.prices",
        lambda: preflight(PLAN, SNAPSHOT, limit_prices=1),
        "limit_prices",
        "None or a mapping of client order id to price",
        1,
    ),
    (
        "preflight.price",
        lambda: preflight(PLAN, SNAPSHOT, limit_prices={"x": 0}),
        "limit_prices['x']",
        "a number > 0",
        0,
    ),
    (
        "preflight.split",
        lambda: preflight(PLAN, SNAPSHOT, allow_split_legs=1),
        "allow_split_legs",
        "True or False",
        1,
    ),
    ("preflight.venue", lambda: preflight(PLAN, SNAPSHOT, venue=1), "venue", "a VenueRules", 1),
    (
        "venue.ids",
        lambda: VenueRules(max_client_order_id_length=0),
        "max_client_order_id_length",
        "an integer >= 1",
        0,
    ),
    ("venue.tick", lambda: VenueRules(tick=0), "tick", "a number > 0", 0),
    ("quote.bid", lambda: Quote(-1, 1, ts=T0), "bid", "a number >= 0", -1),
    ("quote.ask", lambda: Quote(1, -1, ts=T0), "ask", "a number >= 0", -1),
    ("quote.bid_size", lambda: Quote(1, 1, bid_size=-1, ts=T0), "bid_size", "a number >= 0", -1),
    ("quote.ask_size", lambda: Quote(1, 1, ask_size=-1, ts=T0), "ask_size", "a number >= 0", -1),
    ("quote.ts", lambda: Quote(1, 1), "ts", "a timezone-aware datetime", None),
    (
        "policy.spread",
        lambda: QuotePolicy(max_spread_pct=-1),
        "max_spread_pct",
        "a number >= 0",
        -1,
    ),
    (
        "policy.suspicious",
        lambda: QuotePolicy(suspicious_spread_pct=-1),
        "suspicious_spread_pct",
        "a number >= 0",
        -1,
    ),
    (
        "policy.age",
        lambda: QuotePolicy(max_age=timedelta(-1)),
        "max_age",
        "a non-negative timedelta",
        timedelta(-1),
    ),
    (
        "policy.deviation",
        lambda: QuotePolicy(max_reference_deviation_pct=-1),
        "max_reference_deviation_pct",
        "a number >= 0",
        -1,
    ),
    (
        "policy.repair",
        lambda: QuotePolicy(one_sided_repair_pct=1),
        "one_sided_repair_pct",
        "a number < 1",
        1,
    ),
    ("assess.quote", lambda: assess_quote(1, T0), "quote", "a Quote", 1),
    (
        "assess.now",
        lambda: assess_quote(QUOTE, NAIVE),
        "now",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    ("assess.policy", lambda: assess_quote(QUOTE, T0, 1), "policy", "a QuotePolicy", 1),
    (
        "assess.reference",
        lambda: assess_quote(QUOTE, T0, QuotePolicy(), 0),
        "reference_price",
        "a number > 0",
        0,
    ),
    ("limit.quote", lambda: limit_price(1, "buy", 0), "quote", "a Quote", 1),
    ("limit.side", lambda: limit_price(QUOTE, "hold", 0), "side", "'buy' or 'sell'", "hold"),
    (
        "limit.aggressiveness",
        lambda: limit_price(QUOTE, "buy", 2),
        "aggressiveness",
        "a number <= 1",
        2,
    ),
    ("limit.tick", lambda: limit_price(QUOTE, "buy", 0, 0), "tick", "a number > 0", 0),
    (
        "limit.crossed",
        lambda: limit_price(Quote(2, 1, ts=T0), "buy", 0),
        "quote",
        "a two-sided, uncrossed quote (assess it first)",
        Quote(2, 1, ts=T0),
    ),
    (
        "ladder.steps",
        lambda: ExecutionLadder(steps=()),
        "steps",
        "a non-empty sequence of aggressiveness in [0, 1]",
        (),
    ),
    ("ladder.step", lambda: ExecutionLadder(steps=(2,)), "steps[0]", "a number <= 1", 2),
    (
        "ladder.order",
        lambda: ExecutionLadder(steps=(1, 0)),
        "steps",
        "aggressiveness increasing step by step",
        (1, 0),
    ),
    (
        "ladder.wait",
        lambda: ExecutionLadder(wait_per_step=timedelta(0)),
        "wait_per_step",
        "a positive timedelta",
        timedelta(0),
    ),
    (
        "ladder.final",
        lambda: ExecutionLadder(final="wait"),
        "final",
        "one of 'market', 'cancel'",
        "wait",
    ),
    (
        "step.index",
        lambda: ExecutionLadder().step(-1, QUOTE, "buy"),
        "index",
        "a step number >= 0",
        -1,
    ),
    ("step.quote", lambda: ExecutionLadder().step(0, 1, "buy"), "quote", "a Quote", 1),
    (
        "step.previous",
        lambda: ExecutionLadder().step(0, QUOTE, "buy", previous_quote_ts=NAIVE),
        "previous_quote_ts",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    (
        "breaker.failures",
        lambda: BreakerState(failure_threshold=0),
        "failure_threshold",
        "an integer >= 1",
        0,
    ),
    (
        "breaker.successes",
        lambda: BreakerState(success_threshold=True),
        "success_threshold",
        "an integer >= 1",
        True,
    ),
    (
        "breaker.cooldown",
        lambda: BreakerState(cooldown=timedelta(-1)),
        "cooldown",
        "a non-negative timedelta",
        timedelta(-1),
    ),
    (
        "breaker.count",
        lambda: BreakerState(consecutive_failures=-1),
        "consecutive_failures",
        "an integer >= 0",
        -1,
    ),
    (
        "breaker.successes_count",
        lambda: BreakerState(consecutive_successes=-1),
        "consecutive_successes",
        "an integer >= 0",
        -1,
    ),
    (
        "breaker.opened_at",
        lambda: BreakerState(opened_at=NAIVE, status="open"),
        "opened_at",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    (
        "breaker.probe",
        lambda: BreakerState(probe_in_flight=0),
        "probe_in_flight",
        "True or False",
        0,
    ),
    (
        "breaker.closed_with_time",
        lambda: BreakerState(opened_at=T0),
        "opened_at",
        "a time exactly when the status is open or half_open",
        T0,
    ),
    (
        "breaker.now",
        lambda: BreakerState().allows(NAIVE),
        "now",
        "a timezone-aware datetime (naive given)",
        NAIVE,
    ),
    (
        "loss.intraday",
        lambda: LossLimits(max_intraday_loss_pct=0),
        "max_intraday_loss_pct",
        "a number > 0",
        0,
    ),
    (
        "loss.drawdown",
        lambda: LossLimits(max_drawdown_pct=2),
        "max_drawdown_pct",
        "a number <= 1",
        2,
    ),
    ("state.limits", lambda: trading_state(1, 1, 1, 1), "limits", "a LossLimits", 1),
    ("state.equity", lambda: trading_state(-1, 1, 1), "equity", "a number >= 0", -1),
    ("state.start", lambda: trading_state(1, 0, 1), "day_start_equity", "a number > 0", 0),
    ("state.peak", lambda: trading_state(1, 1, 0), "high_water_mark", "a number > 0", 0),
    ("apply.plan", lambda: apply_trading_state(1, "active"), "plan", "a RebalancePlan", 1),
    (
        "apply.state",
        lambda: apply_trading_state(PLAN, "paused"),
        "state",
        "'active', 'reducing' or 'halted'",
        "paused",
    ),
    ("day.ts", lambda: trading_day(NAIVE), "ts", "a timezone-aware datetime (naive given)", NAIVE),
    (
        "candidate.gain",
        lambda: Candidate("A", gain=0, cost=1, increment=1),
        "gain",
        "a number > 0",
        0,
    ),
    (
        "candidate.cost",
        lambda: Candidate("A", gain=1, cost=0, increment=1),
        "cost",
        "a number > 0",
        0,
    ),
    (
        "candidate.increment",
        lambda: Candidate("A", gain=1, cost=1, increment=0),
        "increment",
        "a number > 0",
        0,
    ),
    (
        "choose.steps",
        lambda: choose_extra_increments([], Decimal(1), max_steps=0),
        "max_steps",
        "a positive int",
        0,
    ),
    (
        "choose.candidates",
        lambda: choose_extra_increments([1], Decimal(1)),
        "candidates",
        "a sequence of Candidate",
        [1],
    ),
]


@pytest.mark.parametrize(
    ("call", "field", "expected", "value"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_bad_input_names_its_field_expectation_and_value(
    call: Callable[[], object], field: str, expected: str, value: object
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        call()

    error = raised.value
    assert error.field == field
    assert error.expected == expected
    assert error.value == value
    assert str(error).startswith(f"{field}: expected {error.expected}, got ")


def test_the_table_covers_every_side_and_reason_spelling() -> None:
    # The enum errors list the accepted spellings, so a typo shows the right ones.
    with pytest.raises(InvalidInputError) as raised:
        SkippedLeg("A", Side.BUY, "x")

    assert all(f"'{reason.value}'" in raised.value.expected for reason in SkipReason)
