"""Boundary cases, each worked by hand: the exact edge of a rule, on both sides of it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from alchemiser_core import (
    AccountSnapshot,
    OrderIntent,
    Quote,
    RebalanceConfig,
    RebalancePlan,
    Side,
    SkippedLeg,
    SkipReason,
    limit_price,
    plan_rebalance,
    round_price_to_tick,
    trading_day,
)
from alchemiser_core.planning._cash import Lot, fit_buys_to_cash
from alchemiser_core.planning.orders import Leg
from alchemiser_core.risk.new_york import new_york_offset

T0 = datetime(2026, 1, 5, 15, tzinfo=UTC)
STANDARD = timedelta(hours=-5)
DAYLIGHT = timedelta(hours=-4)


# -- the minimum trade ------------------------------------------------------------------


def _one_share_plan(min_trade: str) -> RebalancePlan:
    # Equity 1,000, no reserve, weight 0.15: T = 150 buys floor(150 / 150) = 1 share = 150.
    snapshot = AccountSnapshot(cash=1000, positions={}, prices={"AAPL": 150}, as_of=T0)
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=min_trade)
    return plan_rebalance(snapshot, {"AAPL": "0.15"}, config)


def test_an_order_exactly_at_the_minimum_is_sent() -> None:
    plan = _one_share_plan("150")  # notional 150 is not below 150

    assert [(o.symbol, o.qty) for o in plan.orders] == [("AAPL", 1)]
    assert plan.skipped == ()


def test_an_order_a_cent_below_the_minimum_is_skipped_with_its_numbers() -> None:
    plan = _one_share_plan("150.01")  # notional 150 < 150.01

    assert plan.orders == ()
    assert [(s.reason, s.qty, s.notional, s.detail) for s in plan.skipped] == [
        (SkipReason.BELOW_MINIMUM, 1, 150, "notional 150 < minimum 150.01")
    ]


def test_an_asset_minimum_above_the_config_minimum_wins() -> None:
    # The asset's own minimum, 151, is above both the config's 5 and the order's 150.
    from alchemiser_core import AssetRules

    snapshot = AccountSnapshot(
        cash=1000,
        positions={},
        prices={"AAPL": 150},
        as_of=T0,
        rules={"AAPL": AssetRules(min_notional=151)},
    )
    plan = plan_rebalance(snapshot, {"AAPL": "0.15"}, RebalanceConfig(cash_reserve_pct=0))

    assert [(s.reason, s.detail) for s in plan.skipped] == [
        (SkipReason.BELOW_MINIMUM, "notional 150 < minimum 151")
    ]


# -- the plan id covers every field it hashes --------------------------------------------

_ORDER = OrderIntent(
    "AAPL",
    Side.SELL,
    qty=2,
    ref_price=150,
    client_order_id="x-0",
    target_weight="0.1",
    current_weight="0.3",
    is_full_exit=False,
)
_SKIPPED = SkippedLeg("MSFT", Side.BUY, SkipReason.NOT_TRADABLE, "halted", qty=1, notional=400)
_BASIS = {
    "account_id": "acct",
    "as_of": T0,
    "cash_before": Decimal(1000),
    "reserve": Decimal(10),
    "equity": Decimal(2000),
}


def _plan_id(order: OrderIntent = _ORDER, skipped: SkippedLeg = _SKIPPED, **basis: Any) -> str:
    fields = {**_BASIS, **basis}
    return RebalancePlan.build(orders=[order], skipped=[skipped], **fields).plan_id


@pytest.mark.parametrize(
    "change",
    [
        {"account_id": "other"},
        {"as_of": T0 + timedelta(seconds=1)},
        {"cash_before": Decimal(1001)},
        {"reserve": Decimal(11)},
        {"equity": Decimal(2001)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_basis_field_changes_the_plan_id(change: dict[str, Any]) -> None:
    assert _plan_id(**change) != _plan_id()


@pytest.mark.parametrize(
    "change",
    [
        {"symbol": "AMZN"},
        {"side": Side.BUY},
        {"qty": Decimal(3)},
        {"ref_price": Decimal(151)},
        {"target_weight": Decimal("0.2")},
        {"current_weight": Decimal("0.4")},
        {"is_full_exit": True},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_order_field_changes_the_plan_id(change: dict[str, object]) -> None:
    assert _plan_id(order=attrs.evolve(_ORDER, **change)) != _plan_id()


@pytest.mark.parametrize(
    "change",
    [
        {"symbol": "NVDA"},
        {"side": Side.SELL},
        {"reason": SkipReason.BELOW_MINIMUM},
        {"detail": "halted today"},
        {"qty": Decimal(2)},
        {"notional": Decimal(401)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_every_skipped_field_changes_the_plan_id(change: dict[str, object]) -> None:
    assert _plan_id(skipped=attrs.evolve(_SKIPPED, **change)) != _plan_id()


def test_the_client_order_id_is_not_hashed_but_derived() -> None:
    assert _plan_id(order=attrs.evolve(_ORDER, client_order_id="y-9")) == _plan_id()


# -- New York daylight saving ------------------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "offset"),
    [
        # Since 2007: 2:00 EST on the second Sunday of March (2026-03-08) is 07:00 UTC,
        # 2:00 EDT on the first Sunday of November (2026-11-01) is 06:00 UTC.
        (datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC), STANDARD),
        (datetime(2026, 3, 8, 7, tzinfo=UTC), DAYLIGHT),
        (datetime(2026, 11, 1, 5, 59, 59, tzinfo=UTC), DAYLIGHT),
        (datetime(2026, 11, 1, 6, tzinfo=UTC), STANDARD),
        # 1987-2006: first Sunday of April (2006-04-02), last Sunday of October (2006-10-29).
        (datetime(2006, 4, 2, 6, 59, 59, tzinfo=UTC), STANDARD),
        (datetime(2006, 4, 2, 7, tzinfo=UTC), DAYLIGHT),
        (datetime(2006, 10, 29, 5, 59, 59, tzinfo=UTC), DAYLIGHT),
        (datetime(2006, 10, 29, 6, tzinfo=UTC), STANDARD),
        # 2007 itself is on the new rule: 2007-03-11 and 2007-11-04.
        (datetime(2007, 3, 11, 7, tzinfo=UTC), DAYLIGHT),
        (datetime(2007, 11, 4, 5, 59, tzinfo=UTC), DAYLIGHT),
        (datetime(2007, 11, 4, 6, tzinfo=UTC), STANDARD),
        # The first year of the old rule, and its first instant.
        (datetime(1987, 1, 1, tzinfo=UTC), STANDARD),
        (datetime(1987, 4, 5, 7, tzinfo=UTC), DAYLIGHT),
    ],
    ids=lambda value: value.isoformat() if isinstance(value, datetime) else str(value),
)
def test_daylight_saving_starts_and_ends_on_the_hour(instant: datetime, offset: timedelta) -> None:
    assert new_york_offset(instant) == offset


def test_a_timestamp_before_1987_is_refused() -> None:
    with pytest.raises(ValueError, match="a timestamp from 1987 on"):
        new_york_offset(datetime(1986, 12, 31, 23, 59, tzinfo=UTC))


def test_the_trading_day_turns_at_new_york_midnight_in_both_seasons() -> None:
    # Winter: midnight in New York is 05:00 UTC; summer: 04:00 UTC.
    assert trading_day(datetime(2026, 1, 6, 4, 59, tzinfo=UTC)).day == 5
    assert trading_day(datetime(2026, 1, 6, 5, tzinfo=UTC)).day == 6
    assert trading_day(datetime(2026, 7, 6, 3, 59, tzinfo=UTC)).day == 5
    assert trading_day(datetime(2026, 7, 6, 4, tzinfo=UTC)).day == 6


# -- limit prices across $1 ----------------------------------------------------------------


def test_a_limit_price_across_one_dollar_takes_the_tick_of_its_own_side() -> None:
    quote = Quote("0.99", "1.01", ts=T0)

    # buy: 0.99 + 0.75 x 0.02 = 1.005, at or above $1 -> cents, down: 1.00
    assert limit_price(quote, "buy", "0.75") == Decimal("1.00")
    # sell: 1.01 - 0.015 = 0.995, below $1 -> 1/100 cent, up: 0.995 exactly
    assert limit_price(quote, "sell", "0.75") == Decimal("0.995")


@pytest.mark.parametrize(
    ("price", "buy", "expected"),
    [
        ("1", True, "1"),  # exactly $1 is on the cent grid
        ("1.0049", True, "1"),  # cents, rounded down
        ("1.0001", False, "1.01"),  # cents, rounded up
        ("0.99995", True, "0.9999"),  # sub-penny, down
        ("0.99991", False, "1"),  # sub-penny, up onto $1
    ],
)
def test_rounding_to_the_default_tick_at_one_dollar(price: str, buy: bool, expected: str) -> None:
    assert round_price_to_tick(Decimal(price), side_is_buy=buy) == Decimal(expected)


# -- topping up after a pro-rata cut ---------------------------------------------------------


def _leg(symbol: str, qty: int, price: int) -> Leg:
    return Leg(
        symbol,
        Side.BUY,
        Decimal(qty),
        Decimal(price),
        Decimal("0.5"),
        Decimal(0),
        False,
        Decimal(qty * price),
    )


def test_the_top_up_serves_the_largest_unbought_value_first() -> None:
    buys = [_leg("A", 6, 100), _leg("B", 10, 40)]
    lots = [Lot(Decimal(1), Decimal(0))] * 2

    # Wanted 600 + 400 = 1,000 with 970 available: scale 0.97 gives A 5 (of 6) and
    # B 9 (of 10), 860 spent, 110 left. Unbought: A 100, B 40, so A goes first and
    # takes one more share (100), leaving 10, too little for B's 40.
    fit = fit_buys_to_cash(buys, lots, Decimal(970), Decimal(1))

    assert fit.granted == [6, 9]
    assert fit.leftover == 10


def test_the_top_up_breaks_a_tie_in_unbought_value_by_symbol() -> None:
    buys = [_leg("B", 2, 100), _leg("A", 2, 100)]
    lots = [Lot(Decimal(1), Decimal(0))] * 2

    # Wanted 400 with 300: scale 0.75 gives 1 and 1 (200 spent, 100 left). Both lack
    # 100; A, first by symbol, takes the one share the 100 buys.
    fit = fit_buys_to_cash(buys, lots, Decimal(300), Decimal(1))

    assert fit.granted == [1, 2]
    assert fit.leftover == 0


def test_normalizing_does_not_depend_on_the_callers_decimal_context() -> None:
    from decimal import localcontext

    from alchemiser_core import TargetAllocation

    with localcontext() as context:
        context.prec = 5  # a caller's setting must not round the weights
        normalized = TargetAllocation({"A": "0.2", "B": "0.2", "C": "0.2"}).normalized()

    # 1/3 floored to 20 places; A, first of the largest, takes the dust of 1e-20.
    assert normalized.weights["A"] == Decimal("0.33333333333333333334")
    assert normalized.weights["B"] == Decimal("0.33333333333333333333")


def test_optimal_mode_tops_up_a_held_position_less_than_a_lot_short() -> None:
    from alchemiser_core import OrderIntent as _Order

    # Equity 900 + 1 x 100 = 1,000; A's target 0.19 x 1,000 = 190, so it is 90 short:
    # less than one 100 lot, which floor mode cannot buy. One more lot moves |190 - V|
    # from 90 to 10, a gain of 2 x 90 - 100 = 80, and the 900 of cash pays for it.
    snapshot = AccountSnapshot(cash=900, positions={"A": 1}, prices={"A": 100}, as_of=T0)
    floor = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0)
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    floor_plan = plan_rebalance(snapshot, {"A": "0.19"}, floor)
    optimal_plan = plan_rebalance(snapshot, {"A": "0.19"}, optimal)

    assert [(s.reason, s.notional) for s in floor_plan.skipped] == [
        (SkipReason.ZERO_AFTER_ROUNDING, 90)
    ]
    assert optimal_plan.skipped == ()
    [order] = optimal_plan.orders
    assert isinstance(order, _Order)
    assert (order.side, order.qty, order.target_weight, order.current_weight) == (
        Side.BUY,
        1,
        Decimal("0.19"),
        Decimal("0.1"),  # 100 held of 1,000
    )
    assert order.is_full_exit is False


def test_a_gap_under_one_lot_says_what_the_lot_costs() -> None:
    from alchemiser_core import AssetRules

    # Equity 1,000; B's target 0.003 x 1,000 = 3 against a lot of 0.5 x 10 = 5.
    snapshot = AccountSnapshot(
        cash=1000,
        positions={},
        prices={"B": 10},
        as_of=T0,
        rules={"B": AssetRules(qty_increment="0.5")},
    )

    plan = plan_rebalance(
        snapshot, {"B": "0.003"}, RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0)
    )

    assert [(s.reason, s.detail, s.notional) for s in plan.skipped] == [
        (SkipReason.ZERO_AFTER_ROUNDING, "needs 3, one increment costs 5", 3)
    ]


def test_cash_is_shared_pro_rata_before_any_top_up() -> None:
    buys = [_leg("A", 10, 10), _leg("B", 10, 10)]
    lots = [Lot(Decimal(1), Decimal(0))] * 2

    # Wanted 200 with 100: scale 0.5 gives each 5 shares, all the cash; a greedy fill
    # from nothing would have given A all 10.
    fit = fit_buys_to_cash(buys, lots, Decimal(100), Decimal(1))

    assert (fit.granted, fit.leftover) == ([5, 5], 0)


def test_a_pro_rata_share_under_the_minimum_is_dropped_and_its_cash_reused() -> None:
    buys = [_leg("A", 10, 10), _leg("B", 10, 10)]
    lots = [Lot(Decimal(1), Decimal(60)), Lot(Decimal(1), Decimal(0))]

    # Scale 0.5: A 5 shares = 50 < its 60 minimum, dropped; B 5. The top-up cannot lift
    # A to 60 with the 50 left (5 more shares is 50 < 60), so B takes them: 10 shares.
    fit = fit_buys_to_cash(buys, lots, Decimal(100), Decimal(1))

    assert (fit.granted, fit.leftover) == ([0, 10], 0)


def test_a_plan_is_built_from_any_iterable_of_orders_but_stores_a_tuple() -> None:
    order = OrderIntent("A", "buy", qty=1, ref_price=10, client_order_id="x")

    plan = RebalancePlan.build(
        account_id="a", as_of=T0, orders=(o for o in [order]), skipped=iter(()),
        cash_before=10, reserve=0, equity=10,
    )  # fmt: skip

    assert [o.symbol for o in plan.orders] == ["A"]
    with pytest.raises(ValueError, match="orders: expected a sequence of OrderIntent"):
        attrs.evolve(plan, orders=frozenset(plan.orders))


def test_a_pro_rata_share_exactly_at_its_minimum_is_kept() -> None:
    buys = [_leg("A", 10, 10), _leg("B", 30, 10)]
    lots = [Lot(Decimal(1), Decimal(50)), Lot(Decimal(1), Decimal(0))]

    # Wanted 100 + 300 with 200: scale 0.5 gives A 5 shares = 50, exactly its minimum
    # (kept), and B 15 = 150; nothing is left.
    fit = fit_buys_to_cash(buys, lots, Decimal(200), Decimal(1))

    assert (fit.granted, fit.leftover) == ([5, 15], 0)


def test_the_top_up_goes_by_value_still_unbought_and_may_reach_a_minimum_exactly() -> None:
    buys = [_leg("A", 2, 50), _leg("B", 10, 10)]
    lots = [Lot(Decimal(1), Decimal(100)), Lot(Decimal(1), Decimal(0))]

    # Wanted 100 + 100 with 190: scale 0.95 gives A 1 share (50 < its 100 minimum:
    # dropped) and B 9 (90); 100 left. Unbought: A 100, B 10, so A goes first and two
    # shares make exactly its minimum, 100; nothing is left for B's last share.
    fit = fit_buys_to_cash(buys, lots, Decimal(190), Decimal(1))

    assert (fit.granted, fit.leftover) == ([2, 9], 0)


def test_the_top_up_never_buys_more_than_a_leg_wanted() -> None:
    buys = [_leg("A", 3, 10), _leg("B", 1, 100)]
    lots = [Lot(Decimal(1), Decimal(0))] * 2

    # Wanted 30 + 100 with 100: scale 100/130 gives A 2 and B 0; 80 left. B's share
    # (100) does not fit; A takes its one missing share, not the eight 80 would buy.
    fit = fit_buys_to_cash(buys, lots, Decimal(100), Decimal(1))

    assert (fit.granted, fit.leftover) == ([3, 0], 70)


def test_an_extra_lot_clears_only_its_own_symbols_skip() -> None:
    from alchemiser_core import AssetRules

    # As above, A is 90 short of a 100 lot and optimal mode buys it; B cannot trade, and
    # its skip must stay.
    snapshot = AccountSnapshot(
        cash=900,
        positions={"A": 1},
        prices={"A": 100, "B": 10},
        as_of=T0,
        rules={"B": AssetRules(tradable=False)},
    )
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.19", "B": "0.1"}, config)

    assert [(o.symbol, o.qty) for o in plan.orders] == [("A", 1)]
    assert [(s.symbol, s.reason) for s in plan.skipped] == [("B", SkipReason.NOT_TRADABLE)]


def _held(
    cash: int, qty: object, price: int, rules: Mapping[str, object] | None = None
) -> AccountSnapshot:
    return AccountSnapshot(
        cash=cash, positions={"A": qty}, prices={"A": price}, as_of=T0, rules=rules or {}
    )


def test_a_gap_exactly_at_the_relative_band_is_left_alone() -> None:
    from alchemiser_core import DriftBand

    # Equity 500 + 5 x 100 = 1,000; target 0.4 -> 400, 100 over. The band allows
    # 0.25 x 400 = 100 exactly: skipped, with the gap as its notional and no detail.
    config = RebalanceConfig(cash_reserve_pct=0, drift_band=DriftBand(relative="0.25"))

    plan = plan_rebalance(_held(500, 5, 100), {"A": "0.4"}, config)

    assert plan.orders == ()
    assert [(s.reason, s.detail, s.notional) for s in plan.skipped] == [
        (SkipReason.WITHIN_DRIFT_BAND, "", 100)
    ]


def test_a_part_share_of_a_whole_share_asset_is_not_fractionable_when_fractions_are_asked() -> None:
    from alchemiser_core import AssetRules

    # Target 0.005 x 1,000 = 5 of a $10 share that trades whole: half a share is needed.
    snapshot = AccountSnapshot(
        cash=1000, positions={}, prices={"A": 10}, as_of=T0, rules={"A": AssetRules()}
    )
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, fractional=True)

    plan = plan_rebalance(snapshot, {"A": "0.005"}, config)

    assert [(s.reason, s.detail) for s in plan.skipped] == [
        (SkipReason.NOT_FRACTIONABLE, "needs 5, one increment costs 10")
    ]


def test_optimal_mode_sells_one_more_lot_only_past_half_a_lot() -> None:
    from alchemiser_core import AssetRules

    rules = {"A": AssetRules(qty_increment="0.5")}  # a lot is 0.5 x 10 = 5
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    def sold(weight: str) -> list[Decimal]:
        plan = plan_rebalance(_held(0, 10, 10, rules), {"A": weight}, optimal)
        return [o.qty for o in plan.orders]

    # Equity 100. Target 87.5: 12.5 over = 2 lots + 2.5, exactly half a lot: 2 lots (1 share).
    assert sold("0.875") == [1]
    # Target 87.4: 12.6 over, past half: 3 lots (1.5 shares).
    assert sold("0.874") == [Decimal("1.5")]
    # Target 87.6: 12.4 over, under half: 2 lots.
    assert sold("0.876") == [1]


def test_optimal_mode_sells_the_last_lot_only_when_it_is_held() -> None:
    from alchemiser_core import AssetRules

    rules = {"A": AssetRules(qty_increment="0.5")}
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    # Held 1 share (2 lots of 5, value 10) and 990 cash: equity 1,000. Target 0.0026
    # -> 2.6, so 7.4 over: 1 lot + 2.4 (under half); target 0.0024 -> 2.4, 7.6 over:
    # 1 lot + 2.6, past half, and the position holds the second lot: sell it all.
    def sold(weight: str) -> list[Decimal]:
        plan = plan_rebalance(_held(990, 1, 10, rules), {"A": weight}, optimal)
        return [o.qty for o in plan.orders if o.symbol == "A"]

    assert sold("0.0026") == [Decimal("0.5")]
    assert sold("0.0024") == [1]


def test_an_extra_lot_exactly_at_the_minimum_trade_is_offered() -> None:
    # Equity 1,000, A at 100, target 0.06 -> 60: 60 short of nothing held, less than a
    # lot. One lot (100) is exactly the 100 minimum, so optimal mode may buy it:
    # |60 - 100| = 40 < 60.
    snapshot = AccountSnapshot(cash=1000, positions={}, prices={"A": 100}, as_of=T0)
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=100, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.06"}, config)

    assert [(o.symbol, o.qty) for o in plan.orders] == [("A", 1)]


def test_a_residual_of_exactly_half_a_lot_buys_nothing_more() -> None:
    # Target 0.05 -> 50 of a 100 lot: one lot would end 50 over, no closer than 50 under.
    snapshot = AccountSnapshot(cash=1000, positions={}, prices={"A": 100}, as_of=T0)
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.05"}, config)

    assert plan.orders == ()


def test_optimal_mode_sells_one_more_lot_to_fund_a_closer_buy() -> None:
    # Cash 0, A 10 held at 100: equity 1,000. A's target 0.87 -> 870, 130 over: one lot
    # (100) sold leaves it 30 over (under half a lot, so floor keeps it). B's target 0.13
    # -> 130, short of its 150 lot. The one sale funds 100; B's lot would gain
    # 2 x 130 - 150 = 110, but costs 150. Selling A's next lot too adds 100 of cash at a
    # loss of 100 - 2 x 30 = 40: a net gain of 70, so optimal mode sells 2 A, buys 1 B.
    snapshot = AccountSnapshot(cash=0, positions={"A": 10}, prices={"A": 100, "B": 150}, as_of=T0)
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.87", "B": "0.13"}, optimal)

    assert [(o.side, o.symbol, o.qty) for o in plan.orders] == [
        (Side.SELL, "A", 2),
        (Side.BUY, "B", 1),
    ]
    assert plan.cash_after == 50


def test_optimal_mode_prices_a_near_miss_by_its_lot_not_its_share() -> None:
    from alchemiser_core import AssetRules

    # A at 200 in lots of 0.5: one lot is worth 100. Target 0.06 x 1,000 = 60, more than
    # half a lot: one lot (0.5 share) ends 40 over instead of 60 under.
    snapshot = AccountSnapshot(
        cash=1000,
        positions={},
        prices={"A": 200},
        as_of=T0,
        rules={"A": AssetRules(qty_increment="0.5")},
    )
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.06"}, optimal)

    assert [(o.symbol, o.qty) for o in plan.orders] == [("A", Decimal("0.5"))]


def test_optimal_mode_may_sell_a_lot_floor_mode_would_not_touch() -> None:
    # Cash 0, A 10 held at 100: equity 1,000. A's target 0.955 -> 955, 45 over: less
    # than half a lot, so floor and nearest-lot rounding sell nothing. B's target
    # 0.045 -> 45, short of its 60 lot: buying it gains 2 x 45 - 60 = 30. Selling one A
    # lot costs 100 - 2 x 45 = 10 and pays for B: a net gain of 20.
    snapshot = AccountSnapshot(cash=0, positions={"A": 10}, prices={"A": 100, "B": 60}, as_of=T0)
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.955", "B": "0.045"}, optimal)

    assert [(o.side, o.symbol, o.qty, o.is_full_exit) for o in plan.orders] == [
        (Side.SELL, "A", 1, False),
        (Side.BUY, "B", 1, False),
    ]
    assert plan.cash_after == 40


def test_optimal_mode_never_buys_a_symbol_it_holds_too_much_of() -> None:
    # Cash 910 and 0.9 of a whole-share A at 100: equity 1,000. A's target 0.001 -> 1,
    # so it is 89 over, but a whole share cannot be sold out of 0.9 held. More than half
    # a lot over is no reason to *buy* a lot: nothing is ordered, and the sell that
    # cannot be made is reported.
    snapshot = AccountSnapshot(cash=910, positions={"A": "0.9"}, prices={"A": 100}, as_of=T0)
    optimal = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")

    plan = plan_rebalance(snapshot, {"A": "0.001"}, optimal)

    assert plan.orders == ()
    assert [(s.side, s.reason, s.notional) for s in plan.skipped] == [
        (Side.SELL, SkipReason.ZERO_AFTER_ROUNDING, 89)
    ]
