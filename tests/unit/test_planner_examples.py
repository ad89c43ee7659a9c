"""Hand-worked plans: each test carries its arithmetic, so a reader can check it on paper."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    DriftBand,
    InvalidInputError,
    MissingPriceError,
    RebalanceConfig,
    Side,
    SkipReason,
    TargetAllocation,
    allocation_diff,
    plan_rebalance,
)
from alchemiser_core.numeric import exact_context
from tests.helpers import AS_OF, legs, snapshot

D = Decimal


def test_default_config_is_the_audited_systems_one_percent_reserve_and_five_dollar_minimum() -> (
    None
):
    config = RebalanceConfig()

    assert (config.cash_reserve_pct, config.min_trade_notional) == (D("0.01"), D(5))
    assert (config.rounding, config.fractional, config.buy_price_buffer_pct) == ("floor", False, 0)


def test_reserve_is_one_percent_of_equity_and_targets_use_the_rest() -> None:
    # E = 10,000 cash; R = 1% x 10,000 = 100; T = 1.0 x 9,900 = 9,900.
    # Buy floor(9,900 / 99) = 100 shares = 9,900; cash after = 10,000 - 9,900 = 100 = R.
    plan = plan_rebalance(snapshot(10_000, prices={"SPY": 99}), {"SPY": 1})

    assert plan.reserve == 100
    assert legs(plan) == [("buy", "SPY", 100)]
    assert plan.cash_after == 100


def test_a_four_dollar_leg_is_skipped_below_the_five_dollar_minimum_not_dropped() -> None:
    # E = 1,000 + 10 x 50 = 1,500; R = 15; investable = 1,485.
    # ABC: T = 0.3333 x 1,485 = 494.9505, V = 500 -> sell gap 5.0495 -> floor(5.0495 / 2) = 2 sh... at $50
    # use a cheap asset instead: XYZ at $2, held 250 (V = 500); T = 494.9505; gap 5.0495;
    # floor(5.0495 / 2) = 2 shares = $4 < $5 -> skipped BELOW_MINIMUM.
    snap = snapshot(1_000, positions={"XYZ": 250}, prices={"XYZ": 2})

    plan = plan_rebalance(snap, {"XYZ": "0.3333"})

    assert plan.orders == ()
    assert [(leg.symbol, leg.side, leg.reason, leg.qty, leg.notional) for leg in plan.skipped] == [
        ("XYZ", Side.SELL, SkipReason.BELOW_MINIMUM, D(2), D(4))
    ]


def test_a_kept_position_is_not_sold_down_when_cash_is_low() -> None:
    # Audit bug: targets on "deployable" cash sold kept positions. Here:
    # AAPL 1 sh x $50 = 50, MSFT 1 sh x $195 = 195, cash 5 -> E = 250; R = 2.50; investable = 247.50.
    # AAPL: T = 0.2 x 247.50 = 49.50 <= V = 50; gap 0.50 < one share ($50) -> no sale.
    # MSFT: T = 0.8 x 247.50 = 198.00 > V = 195; gap 3 < one share ($195) -> no buy.
    snap = snapshot(5, positions={"AAPL": 1, "MSFT": 1}, prices={"AAPL": 50, "MSFT": 195})

    plan = plan_rebalance(snap, {"AAPL": "0.2", "MSFT": "0.8"})

    assert plan.orders == ()


def test_low_cash_never_funds_a_buy_by_selling_a_position_at_target() -> None:
    # AAPL 10 sh x $100 = 1,000 (target 50%), cash 1,000 -> E = 2,000; R = 20; investable 1,980.
    # AAPL: T = 990, V = 1,000 -> gap 10 < one share: stays. NVDA: T = 0.5 x 1,980 = 990 -> wants
    # floor(990 / 300) = 3 sh = 900; cash available = 1,000 - 20 = 980 >= 900 -> bought.
    # Then: NVDA raises to target 0.6, AAPL stays 0.4 -> AAPL T = 792 -> sells floor(208/100)=2 sh
    # because *its own* target fell, not to fund NVDA.
    snap = snapshot(1_000, positions={"AAPL": 10}, prices={"AAPL": 100, "NVDA": 300})

    at_target = plan_rebalance(snap, {"AAPL": "0.5", "NVDA": "0.5"})
    lowered = plan_rebalance(snap, {"AAPL": "0.4", "NVDA": "0.6"})

    assert legs(at_target) == [("buy", "NVDA", 3)]
    # NVDA: T = 0.6 x 1,980 = 1,188 -> floor(1,188 / 300) = 3 sh = 900 <= 1,000 + 200 - 20.
    assert legs(lowered) == [("sell", "AAPL", 2), ("buy", "NVDA", 3)]


def test_full_exit_sells_exactly_the_fractional_quantity_held() -> None:
    # 7.2273576 sh held, weight 0 -> sell all 7.2273576 (no rounding, not 7 and not 7.23).
    snap = snapshot(0, positions={"TSLA": "7.2273576"}, prices={"TSLA": "250.10"})

    plan = plan_rebalance(snap, {"TSLA": 0})

    (order,) = plan.orders
    assert (order.side, order.qty, order.is_full_exit) == (Side.SELL, D("7.2273576"), True)
    assert order.notional == D("7.2273576") * D("250.1")  # 1807.56213576


def test_a_held_symbol_absent_from_the_targets_is_fully_exited() -> None:
    # TSLA not listed -> exit the whole 7.2273576; with keep_unlisted it is left alone.
    snap = snapshot(0, positions={"TSLA": "7.2273576"}, prices={"TSLA": 250})

    exited = plan_rebalance(snap, {})
    kept = plan_rebalance(snap, {}, RebalanceConfig(keep_unlisted=True))

    assert legs(exited) == [("sell", "TSLA", D("7.2273576"))]
    assert kept.orders == ()


def test_missing_price_raises_instead_of_buying_one_share() -> None:
    snap = snapshot(10_000, prices={"AAPL": 150})

    with pytest.raises(MissingPriceError, match=r"prices\['MSFT'\]"):
        plan_rebalance(snap, {"AAPL": "0.5", "MSFT": "0.5"})


def test_held_symbol_without_price_is_rejected_by_the_snapshot() -> None:
    with pytest.raises(MissingPriceError, match=r"prices\['AAPL'\]"):
        snapshot(0, positions={"AAPL": 3}, prices={})


def test_weights_summing_to_one_point_two_raise() -> None:
    # 0.7 + 0.5 = 1.2 > 1 + 1e-9.
    with pytest.raises(InvalidInputError, match="weights: expected weights summing to at most 1"):
        TargetAllocation({"AAPL": "0.7", "MSFT": "0.5"})


def test_weights_summing_to_point_six_leave_forty_percent_in_cash() -> None:
    # E = 100,000; R = 1,000; investable = 99,000. AAPL T = 0.3 x 99,000 = 29,700 -> 297 sh at 100;
    # MSFT T = 29,700 -> 99 sh at 300. Spent 59,400; cash after 40,600 = 40% x 99,000 + R.
    snap = snapshot(100_000, prices={"AAPL": 100, "MSFT": 300})

    plan = plan_rebalance(snap, {"AAPL": "0.3", "MSFT": "0.3"})

    assert legs(plan) == [("buy", "AAPL", 297), ("buy", "MSFT", 99)]
    assert plan.cash_after == D("40600")
    assert plan.cash_after == D("0.4") * D("99000") + plan.reserve


def test_sells_come_first_then_buys_by_larger_notional_then_symbol() -> None:
    # E = 3,000 cash + 10 x 100 (OLD) = 4,000; reserve 0. OLD exits (sell 1,000).
    # A: T = 0.25 x 4,000 = 1,000 -> 10 sh; B: same 10 sh; C: T = 0.5 x 4,000 = 2,000 -> 20 sh.
    snap = snapshot(3_000, positions={"OLD": 10}, prices={"OLD": 100, "A": 100, "B": 100, "C": 100})

    plan = plan_rebalance(
        snap, {"B": "0.25", "A": "0.25", "C": "0.5"}, RebalanceConfig(cash_reserve_pct=0)
    )

    assert legs(plan) == [("sell", "OLD", 10), ("buy", "C", 20), ("buy", "A", 10), ("buy", "B", 10)]


def test_buys_are_scaled_pro_rata_and_topped_up_when_cash_is_short() -> None:
    # Cash 1,000, no reserve, but a 2% buy buffer: each $ of notional needs $1.02.
    # E = 1,000 + 5 x 200 (HELD, target 0.5 -> at target, no trade) = 2,000.
    # A: T = 0.25 x 2,000 = 500 -> 5 sh @ 100; B: T = 500 -> 5 sh @ 100. Wanted 1,000 x 1.02 = 1,020 > 1,000.
    # Scale = 1,000 / 1,020 = 0.98039...; floor(5 x 0.98) = 4 sh each -> 816 spent, 184 left;
    # top-up: one more A costs 102 <= 184 -> A 5 sh; 82 left < 102 -> B stays at 4, reduced by 1.
    snap = snapshot(1_000, positions={"HELD": 5}, prices={"HELD": 200, "A": 100, "B": 100})
    config = RebalanceConfig(cash_reserve_pct=0, buy_price_buffer_pct="0.02")

    plan = plan_rebalance(snap, {"HELD": "0.5", "A": "0.25", "B": "0.25"}, config)

    assert legs(plan) == [("buy", "A", 5), ("buy", "B", 4)]
    assert [(leg.symbol, leg.reason, leg.qty) for leg in plan.skipped] == [
        ("B", SkipReason.REDUCED_FOR_CASH, D(1))
    ]
    assert plan.total_buy_value * D("1.02") <= 1_000  # 900 x 1.02 = 918


def test_no_cash_and_nothing_to_sell_skips_every_buy_for_insufficient_cash() -> None:
    # E = 0 + 1 x 100 = 100; R = 1; investable 99. A: T = 0.5 x 99 = 49.5, V = 100 -> gap 50.5
    # is less than one share -> sells 0, reported ZERO_AFTER_ROUNDING (50.5 >= $5 minimum).
    # B: T = 49.5 -> wants floor(49.5 / 10) = 4 sh = 40; available = 0 + 0 - 1 = -1 -> none bought.
    snap = snapshot(0, positions={"A": 1}, prices={"A": 100, "B": 10})

    plan = plan_rebalance(snap, {"A": "0.5", "B": "0.5"})

    assert plan.orders == ()
    assert [(leg.symbol, leg.reason, leg.qty) for leg in plan.skipped] == [
        ("A", SkipReason.ZERO_AFTER_ROUNDING, D(0)),
        ("B", SkipReason.INSUFFICIENT_CASH, D(4)),
    ]


def test_fractional_buys_need_both_config_and_asset() -> None:
    # E = 100, no reserve; T = 100 at $30: fractional -> floor(100/30 to 1e-9) = 3.333333333;
    # whole shares -> 3. Config fractional but asset not fractionable -> whole shares too.
    prices = {"X": 30}
    frac_rules = {"X": AssetRules(fractionable=True)}
    config = RebalanceConfig(cash_reserve_pct=0, fractional=True)

    both = plan_rebalance(snapshot(100, prices=prices, rules=frac_rules), {"X": 1}, config)
    asset_only = plan_rebalance(
        snapshot(100, prices=prices, rules=frac_rules),
        {"X": 1},
        RebalanceConfig(cash_reserve_pct=0),
    )
    config_only = plan_rebalance(snapshot(100, prices=prices), {"X": 1}, config)

    assert legs(both) == [("buy", "X", D("3.333333333"))]
    assert legs(asset_only) == [("buy", "X", 3)]
    assert legs(config_only) == [("buy", "X", 3)]


def test_less_than_a_share_needed_is_reported_per_reason() -> None:
    # E = 400, no reserve, min $5. X at $500: T = 0.5 x 400 = 200 < one share.
    # Whole shares -> ZERO_AFTER_ROUNDING; fractional asked but X not fractionable -> NOT_FRACTIONABLE.
    snap = snapshot(400, prices={"X": 500})

    whole = plan_rebalance(snap, {"X": "0.5"}, RebalanceConfig(cash_reserve_pct=0))
    wanted_fractions = plan_rebalance(
        snap, {"X": "0.5"}, RebalanceConfig(cash_reserve_pct=0, fractional=True)
    )

    assert [(leg.reason, leg.notional) for leg in whole.skipped] == [
        (SkipReason.ZERO_AFTER_ROUNDING, D(200))
    ]
    assert [leg.reason for leg in wanted_fractions.skipped] == [SkipReason.NOT_FRACTIONABLE]


def test_a_sub_share_gap_of_exactly_the_minimum_is_reported_and_one_cent_less_is_dust() -> None:
    # E = 10, no reserve, min $5. X at $20: T = 0.5 x 10 = 5.00 -> gap 5.00 >= 5, less than
    # one share -> reported. Y at $20: T = 0.499 x 10 = 4.99 < 5 -> dust, not reported.
    snap = snapshot(10, prices={"X": 20, "Y": 20})

    plan = plan_rebalance(snap, {"X": "0.5", "Y": "0.499"}, RebalanceConfig(cash_reserve_pct=0))

    assert plan.orders == ()
    assert [(leg.symbol, leg.reason, leg.notional) for leg in plan.skipped] == [
        ("X", SkipReason.ZERO_AFTER_ROUNDING, D(5))
    ]


@pytest.mark.parametrize("rounding", ["floor", "optimal"])
def test_an_account_with_zero_equity_sells_down_and_reports_weights_of_zero(
    rounding: str,
) -> None:
    # Margin debt equals the holdings: E = -1,000 + 10 x 100 = 0, so every target is
    # 0.5 x 0 = 0 and A sells floor((1,000 - 0) / 100) = 10 shares; cash after
    # -1,000 + 1,000 = 0. A weight of nothing is 0 (as allocation_diff reports it),
    # not a division by zero.
    snap = snapshot(-1_000, positions={"A": 10}, prices={"A": 100})
    config = RebalanceConfig(cash_reserve_pct=0, rounding=rounding)

    plan = plan_rebalance(snap, {"A": "0.5"}, config)

    assert legs(plan) == [("sell", "A", 10)]
    assert plan.orders[0].current_weight == 0
    assert plan.cash_after == 0


def test_untradable_asset_is_skipped_but_counts_in_equity() -> None:
    # E = 1,000 + 10 x 100 (LOCK, untradable) = 2,000; no reserve. LOCK target 0 -> would exit, skipped.
    # X: T = 0.5 x 2,000 = 1,000 -> 10 sh @ 100.
    snap = snapshot(
        1_000,
        positions={"LOCK": 10},
        prices={"LOCK": 100, "X": 100},
        rules={"LOCK": AssetRules(tradable=False)},
    )

    plan = plan_rebalance(snap, {"X": "0.5"}, RebalanceConfig(cash_reserve_pct=0))

    assert legs(plan) == [("buy", "X", 10)]
    assert [(leg.symbol, leg.reason) for leg in plan.skipped] == [("LOCK", SkipReason.NOT_TRADABLE)]


def test_drift_band_absolute_and_relative() -> None:
    # E = 10,000 (cash 5,000 + A 50 sh x 100); no reserve. A target 0.52 -> T = 5,200, gap 200 = 2% of E.
    snap = snapshot(5_000, positions={"A": 50}, prices={"A": 100})
    no_reserve = {"cash_reserve_pct": 0}

    within_abs = plan_rebalance(
        snap, {"A": "0.52"}, RebalanceConfig(**no_reserve, drift_band="0.02")
    )
    outside_abs = plan_rebalance(
        snap, {"A": "0.52"}, RebalanceConfig(**no_reserve, drift_band="0.019")
    )
    # relative: 200 / 5,200 = 3.85% of target -> inside a 4% band, outside 3%.
    within_rel = plan_rebalance(
        snap, {"A": "0.52"}, RebalanceConfig(**no_reserve, drift_band=DriftBand(relative="0.04"))
    )
    outside_rel = plan_rebalance(
        snap, {"A": "0.52"}, RebalanceConfig(**no_reserve, drift_band=DriftBand(relative="0.03"))
    )

    assert [leg.reason for leg in within_abs.skipped] == [SkipReason.WITHIN_DRIFT_BAND]
    assert legs(outside_abs) == [("buy", "A", 2)]  # floor(200 / 100)
    assert [leg.reason for leg in within_rel.skipped] == [SkipReason.WITHIN_DRIFT_BAND]
    assert legs(outside_rel) == [("buy", "A", 2)]


def test_drift_band_never_holds_back_a_full_exit() -> None:
    # A is 1% of equity (E = 990 + 10 = 1,000) and inside a 5% band, but its target is 0: exit anyway.
    snap = snapshot(990, positions={"A": 1}, prices={"A": 10})

    plan = plan_rebalance(snap, {"A": 0}, RebalanceConfig(drift_band="0.05"))

    assert legs(plan) == [("sell", "A", 1)]


def test_buy_price_buffer_keeps_room_for_a_worse_fill() -> None:
    # E = 1,000, no reserve, target 1.0 at $100 -> wants 10 sh = 1,000; with a 1% buffer 10 sh
    # need 1,010 > 1,000 -> 9 sh (909 with buffer), 91 left < 101 for the tenth.
    snap = snapshot(1_000, prices={"A": 100})

    plan = plan_rebalance(
        snap, {"A": 1}, RebalanceConfig(cash_reserve_pct=0, buy_price_buffer_pct="0.01")
    )

    assert legs(plan) == [("buy", "A", 9)]


def test_float_inputs_mean_their_shortest_repr() -> None:
    # 0.1 + 0.2 as floats would be 0.30000000000000004; through repr each is exact.
    # E = 1,000, no reserve; A: T = 0.1 x 1,000 = 100 -> 1 sh @ 100; B: T = 0.2 x 1,000 = 200 -> 2 sh.
    snap = snapshot(1_000.0, prices={"A": 100.0, "B": 100.0})

    plan = plan_rebalance(snap, {"A": 0.1, "B": 0.2}, RebalanceConfig(cash_reserve_pct=0.0))

    assert legs(plan) == [("buy", "B", 2), ("buy", "A", 1)]
    assert plan.cash_after == 700


def test_client_order_ids_are_short_unique_and_derived_from_the_plan_id() -> None:
    snap = snapshot(10_000, prices={"A": 10, "B": 20, "C": 30})

    plan = plan_rebalance(snap, {"A": "0.3", "B": "0.3", "C": "0.3"})

    ids = [order.client_order_id for order in plan.orders]
    assert len(set(ids)) == 3
    assert all(len(client_id) <= 48 and plan.plan_id in client_id for client_id in ids)


def test_empty_account_gives_an_empty_plan() -> None:
    plan = plan_rebalance(snapshot(0, prices={"A": 10}), {"A": 1})

    assert (plan.orders, plan.skipped, plan.equity) == ((), (), 0)


def test_allocation_diff_takes_a_plain_mapping_as_plan_rebalance_does() -> None:
    # Cash 500 + AAPL 5 x 100 = 1,000: AAPL 0.5 now, target 0.2 -> diff -0.3.
    account = snapshot(500, {"AAPL": 5}, {"AAPL": 100})

    from_mapping = allocation_diff(account, {"AAPL": "0.2"})

    assert from_mapping == allocation_diff(account, TargetAllocation({"AAPL": "0.2"}))
    assert [(d.symbol, d.current_weight, d.diff) for d in from_mapping] == [
        ("AAPL", D("0.5"), D("-0.3"))
    ]
    with pytest.raises(InvalidInputError, match=r"^targets: expected a TargetAllocation or"):
        allocation_diff(account, [("AAPL", 1)])  # type: ignore[arg-type]


def test_missing_price_skip_plans_the_priced_legs_and_reports_the_other() -> None:
    # E = 10,000, R = 100, T = 0.5 x 9,900 = 4,950 each. AAPL: floor(4,950 / 150) = 33 shares.
    # MSFT has no price: skipped, with its target value 4,950.
    account = snapshot(10_000, prices={"AAPL": 150})

    plan = plan_rebalance(
        account, {"AAPL": "0.5", "MSFT": "0.5"}, RebalanceConfig(missing_price="skip")
    )

    assert legs(plan) == [("buy", "AAPL", 33)]
    (leg,) = plan.skipped
    assert (leg.symbol, leg.side, leg.reason, leg.qty, leg.notional) == (
        "MSFT",
        Side.BUY,
        SkipReason.MISSING_PRICE,
        0,
        4_950,
    )


def test_missing_price_raises_by_default_and_says_how_to_skip() -> None:
    account = snapshot(10_000, prices={"AAPL": 150})

    with pytest.raises(MissingPriceError, match=r"missing_price='skip'") as caught:
        plan_rebalance(account, {"AAPL": "0.5", "MSFT": "0.5"})

    assert caught.value.field == "prices['MSFT']"


def test_a_held_symbol_without_a_price_raises_even_when_skipping() -> None:
    # Without MSFT's price the account's equity is unknown, so no target can be sized.
    with pytest.raises(MissingPriceError, match=r"cannot be valued") as caught:
        snapshot(10_000, {"MSFT": 3}, {"AAPL": 150})

    assert caught.value.field == "prices['MSFT']"


def test_missing_price_must_be_raise_or_skip() -> None:
    with pytest.raises(InvalidInputError, match=r"^missing_price: expected one of"):
        RebalanceConfig(missing_price="ignore")


NO_RESERVE = RebalanceConfig(cash_reserve_pct=0)


def test_keep_unlisted_leaves_an_unlisted_holding_but_counts_it_in_equity() -> None:
    # equity = 1,000 cash + 10 x 100 (B) = 2,000; A's target = 0.5 x 2,000 = 1,000
    # -> buy 10 A at 100 with all the cash; B, unlisted, is kept (not sold to fund A).
    snap = snapshot(1000, positions={"B": 10}, prices={"A": 100, "B": 100})

    kept = plan_rebalance(
        snap, {"A": "0.5"}, RebalanceConfig(cash_reserve_pct=0, keep_unlisted=True)
    )
    exited = plan_rebalance(snap, {"A": "0.5"}, NO_RESERVE)

    assert legs(kept) == [("buy", "A", D(10))]
    assert kept.skipped == ()
    # Without keep_unlisted, B (weight 0) is exited: 10 x 100 = 1,000 more cash, and
    # A still buys only its 1,000 target.
    assert legs(exited) == [("sell", "B", D(10)), ("buy", "A", D(10))]


def test_a_listed_and_an_unlisted_holding_are_planned_together_in_symbol_order() -> None:
    # Held: Z (unlisted, 2 x 50 = 100) and A (listed, 1 x 100 = 100); cash 0; equity 200.
    # Targets A 1.0 -> T_A = 200: buy 1 A with the 100 Z's exit frees.
    snap = snapshot(0, positions={"Z": 2, "A": 1}, prices={"A": 100, "Z": 50})

    plan = plan_rebalance(snap, {"A": 1}, NO_RESERVE)

    assert legs(plan) == [("sell", "Z", D(2)), ("buy", "A", D(1))]
    assert plan.cash_after == 0


def test_a_zero_holding_without_a_price_is_not_planned() -> None:
    # C is held at quantity 0 and has no price: not held in any sense, so no sell and no
    # missing-price error; A takes the whole 1,000 -> 10 at 100.
    snap = snapshot(1000, positions={"C": 0}, prices={"A": 100})

    plan = plan_rebalance(snap, {"A": 1}, NO_RESERVE)

    assert legs(plan) == [("buy", "A", D(10))]
    assert plan.skipped == ()


def test_an_unpriced_symbol_wanted_at_weight_zero_needs_no_price() -> None:
    # M is listed at weight 0 and not held: nothing to trade, so its missing price is fine.
    snap = snapshot(1000, positions={"A": 1}, prices={"A": 100})

    plan = plan_rebalance(snap, {"A": 1, "M": 0}, NO_RESERVE)

    # equity = 1,000 + 1 x 100 = 1,100 = T_A; V_A = 100; (1,100 - 100) / 100 = 10 shares.
    assert legs(plan) == [("buy", "A", D(10))]
    assert plan.skipped == ()


def test_every_order_reports_its_weight_now_and_its_target() -> None:
    # E = 400 + 5 x 100 + 0.25 x 400 = 1,000. A: now 500 / 1,000 = 0.5, target 0.2 -> sell 3.
    # B: now 0, target 0.3 -> buy floor(300 / 50) = 6. Z: now 0.25 x 400 / 1,000 = 0.1,
    # not targeted -> full exit of its fractional holding.
    account = snapshot(400, positions={"A": 5, "Z": "0.25"}, prices={"A": 100, "B": 50, "Z": 400})

    plan = plan_rebalance(account, {"A": "0.2", "B": "0.3"}, NO_RESERVE)

    assert [
        (o.side.value, o.symbol, o.qty, o.current_weight, o.target_weight, o.is_full_exit)
        for o in plan.orders
    ] == [
        ("sell", "A", 3, D("0.5"), D("0.2"), False),
        ("sell", "Z", D("0.25"), D("0.1"), 0, True),
        ("buy", "B", 6, 0, D("0.3"), False),
    ]


def test_notionals_stay_exact_past_the_default_28_digits() -> None:
    # Cash 10^14 in fractional lots of 1e-9 at 1.23456789: the quantity has 14 + 9 digits,
    # its notional up to 32, more than Python's default context keeps (28).
    account = AccountSnapshot(
        cash="100000000000000",
        positions={},
        prices={"A": "1.23456789"},
        as_of=AS_OF,
        rules={"A": AssetRules(fractionable=True)},
    )

    plan = plan_rebalance(account, {"A": 1}, RebalanceConfig(cash_reserve_pct=0, fractional=True))

    (order,) = plan.orders
    exact = exact_context()
    assert order.notional == exact.multiply(order.qty, D("1.23456789"))
    assert len(order.notional.as_tuple().digits) > 28
    assert plan.cash_after == exact.subtract(D("100000000000000"), order.notional) >= 0
