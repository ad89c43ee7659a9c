"""Hand-worked optimal-mode plans (reserve 0, minimum 0), each with its arithmetic."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

import pytest

from alchemiser_core import AssetRules, InvalidInputError, RebalanceConfig, plan_rebalance
from alchemiser_core.planning.optimal import Candidate, _by_ratio, choose_extra_increments
from tests.helpers import legs, snapshot

D = Decimal
FLOOR = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0)
OPTIMAL = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")


def test_a_sell_goes_to_the_nearest_lot() -> None:
    # E = 10 x 100 = 1,000; T_A = 0.64 x 1,000 = 640; over target by 360.
    # Floor sells floor(360 / 100) = 3 -> 700, 60 over. 60 > half a lot (50), so
    # optimal sells 4 -> 600, 40 under: closer.
    account = snapshot(0, positions={"A": 10}, prices={"A": 100})

    assert legs(plan_rebalance(account, {"A": "0.64"}, FLOOR)) == [("sell", "A", 3)]
    assert legs(plan_rebalance(account, {"A": "0.64"}, OPTIMAL)) == [("sell", "A", 4)]


def test_a_sell_under_half_a_lot_over_target_stays_at_floor() -> None:
    # T_A = 0.66 x 1,000 = 660: floor sells 3 -> 700, 40 over; one more would be 60 under.
    account = snapshot(0, positions={"A": 10}, prices={"A": 100})

    assert legs(plan_rebalance(account, {"A": "0.66"}, OPTIMAL)) == [("sell", "A", 3)]


def test_an_extra_lot_is_bought_when_it_ends_closer_and_cash_allows() -> None:
    # E = 1,000; T_A = T_B = 500. Floor: A floor(500/300) = 1 (200 short), B 5 x 100 = 500.
    # Cash left 1,000 - 300 - 500 = 200. An extra A (300) would end 100 over (gain
    # 2 x 200 - 300 = 100) but costs 300 > 200, and giving up a B lot frees 100,
    # exactly the 300 needed, for a loss of 100: no strict gain, so floor's plan stays.
    account = snapshot(1000, prices={"A": 300, "B": 100})

    assert legs(plan_rebalance(account, {"A": "0.5", "B": "0.5"}, OPTIMAL)) == [
        ("buy", "B", 5),
        ("buy", "A", 1),
    ]


def test_a_cheap_lot_is_given_up_for_a_much_closer_expensive_one() -> None:
    # E = 1,000; T_A = T_B = 500. Floor: A 1 x 280 (220 short), B 5 x 100 (on target),
    # cash left 220, error 220. An extra A gains 2 x 220 - 280 = 160 but costs 280 > 220.
    # Giving up one B lot frees 100 (budget 320) and loses 100: net 60.
    # Result: A 2 x 280 = 560 (60 over), B 4 x 100 = 400 (100 under): error 160 < 220,
    # cash left 1,000 - 560 - 400 = 40. (A mixed-integer solver finds the same.)
    account = snapshot(1000, prices={"A": 280, "B": 100})

    floor_plan = plan_rebalance(account, {"A": "0.5", "B": "0.5"}, FLOOR)
    plan = plan_rebalance(account, {"A": "0.5", "B": "0.5"}, OPTIMAL)

    assert legs(floor_plan) == [("buy", "B", 5), ("buy", "A", 1)]
    assert legs(plan) == [("buy", "A", 2), ("buy", "B", 4)]
    assert plan.cash_after == 40


def test_knapsack_greedy_fill_takes_a_later_item_that_still_fits() -> None:
    # Budget 100. Ratios: X 55/60 = 0.92, Y 50/50 = 1.0, Z 45/50 = 0.9.
    # Greedy by ratio takes Y (50), then X does not fit (110), then Z: gain 95.
    # Y + Z = 95 is also the optimum here (X + Y costs 110): the search keeps it.
    items = [
        Candidate("X", D(55), D(60), D(1)),
        Candidate("Y", D(50), D(50), D(1)),
        Candidate("Z", D(45), D(50), D(1)),
    ]

    chosen = choose_extra_increments(items, D(100))

    assert sorted(item.symbol for item in chosen) == ["Y", "Z"]


def test_knapsack_beats_greedy_when_the_best_ratio_item_blocks_a_better_pair() -> None:
    # Budget 100. Y's ratio 58/60 = 0.967 beats X's and Z's 48/50 = 0.96, so greedy takes
    # Y (60) and then neither 50 fits in the 40 left: gain 58. X + Z = 96 is the optimum.
    items = [
        Candidate("X", D(48), D(50), D(1)),
        Candidate("Y", D(58), D(60), D(1)),
        Candidate("Z", D(48), D(50), D(1)),
    ]

    chosen = choose_extra_increments(items, D(100))

    assert sorted(item.symbol for item in chosen) == ["X", "Z"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: choose_extra_increments([], "lots"), "budget"),  # type: ignore[arg-type]
        (lambda: choose_extra_increments([], D(1), max_steps=0), "max_steps"),
        (lambda: choose_extra_increments([("A", 1, 1)], D(1)), "candidates"),  # type: ignore[list-item]
        (lambda: Candidate("A", D(1), D(0), D(1)), "cost"),
        (lambda: Candidate("A", D(1), D(1), D(-1)), "increment"),
    ],
)
def test_bad_knapsack_input_names_the_field(call: Callable[[], object], field: str) -> None:
    with pytest.raises(InvalidInputError) as error:
        call()

    assert error.value.field == field


def test_gains_finer_than_costs_and_budget_are_compared_exactly() -> None:
    # One lot fits the budget of 1: B's gain 0.5 beats A's 0.4 (tenths, finer than the
    # whole-number costs and budget).
    a = Candidate("A", gain=Decimal("0.4"), cost=1, increment=1)
    b = Candidate("B", gain=Decimal("0.5"), cost=1, increment=1)

    assert choose_extra_increments([a, b], Decimal(1)) == [b]


def test_costs_finer_than_gains_and_budget_are_charged_exactly() -> None:
    # 0.6 + 0.5 = 1.1 > 1: only one fits, and A's gain 2 is the larger.
    a = Candidate("A", gain=2, cost=Decimal("0.6"), increment=1)
    b = Candidate("B", gain=1, cost=Decimal("0.5"), increment=1)

    assert choose_extra_increments([a, b], Decimal(1)) == [a]


def test_ratio_order_is_exact_beyond_28_digits_and_ties_go_by_symbol() -> None:
    items = [Candidate(symbol, 1, 1, 1) for symbol in ("A", "B", "C", "D")]
    n = 10**30
    # A: (n + 1) / n = 1 + 1e-30; B: n / (n - 1) = 1 + 1e-30 + 1e-60 + ...; both round to
    # 1 in 28 digits, yet B's ratio is larger. C and D: 2/2 and 1/1, exactly 1, tied: by symbol.
    gains = [n + 1, n, 2, 1]
    costs = [n, n - 1, 2, 1]

    assert _by_ratio(items, gains, costs) == [1, 0, 2, 3]


def test_ratio_order_moves_an_item_back_past_several() -> None:
    items = [Candidate(symbol, 1, 1, 1) for symbol in ("A", "B", "C")]
    n = 10**30
    # All three round to 1 in 28 digits, so the first sort leaves them by symbol; exactly,
    # C (1 + 2e-30) > B (1 + 1e-30) > A (1).
    gains = [n, n + 1, n + 2]
    costs = [n, n, n]

    assert _by_ratio(items, gains, costs) == [2, 1, 0]


def _brute_force_best(candidates: list[Candidate], budget: Decimal) -> Decimal:
    best = Decimal(0)
    for mask in range(1 << len(candidates)):
        chosen = [c for bit, c in enumerate(candidates) if mask >> bit & 1]
        if sum((c.cost for c in chosen), Decimal(0)) <= budget:
            best = max(best, sum((c.gain for c in chosen), Decimal(0)))
    return best


def test_the_search_reaches_the_exact_optimum_on_many_hard_instances() -> None:
    # Seeded instances of 8 items with gains close to their costs, where taking items
    # by ratio often strands room that a different set would fill.
    rng = random.Random(20261127)
    for _ in range(300):
        candidates = [
            Candidate(f"S{i}", gain=rng.randint(5, 60) + rng.randint(0, 9), cost=cost, increment=1)
            for i, cost in enumerate(rng.randint(5, 60) for _ in range(8))
        ]
        budget = Decimal(rng.randint(20, 200))

        chosen = choose_extra_increments(candidates, budget)

        assert sum((c.cost for c in chosen), Decimal(0)) <= budget
        assert sum((c.gain for c in chosen), Decimal(0)) == _brute_force_best(candidates, budget)


def test_a_one_step_search_returns_the_greedy_fill() -> None:
    a = Candidate("A", gain=6, cost=5, increment=1)  # ratio 1.2
    c = Candidate("C", gain=12, cost=10, increment=1)  # 1.2, after A by symbol
    d = Candidate("D", gain=7, cost=6, increment=1)  # 1.17
    b = Candidate("B", gain=5, cost=5, increment=1)  # 1.0

    # Budget 10, by ratio A, C, D, B: greedy takes A (5 left), skips C (10) and D (6),
    # takes B (5): gain 11. The optimum is C alone: 12. One step of search stops at the
    # greedy fill; the full search finds C.
    assert choose_extra_increments([a, b, c, d], Decimal(10), max_steps=1) == [a, b]
    assert choose_extra_increments([a, b, c, d], Decimal(10)) == [c]


def test_an_equally_good_alternative_never_replaces_the_status_quo() -> None:
    first = Candidate("A", gain=5, cost=5, increment=1)  # first by symbol: greedy takes it
    kept = Candidate("B", gain=5, cost=5, increment=1)

    assert choose_extra_increments([first, kept], Decimal(5), prefer=[kept]) == [kept]


HALF_LOTS = {"B": AssetRules(qty_increment="0.5")}


@pytest.mark.parametrize(
    ("b_price", "rules", "lot"),
    [(100, None, D(1)), (200, HALF_LOTS, D("0.5"))],  # B's lot is worth 100 either way
    ids=["whole lots", "half lots at twice the price"],
)
def test_the_last_lot_given_up_may_leave_exactly_one_lot_at_the_minimum(
    b_price: int, rules: dict[str, AssetRules] | None, lot: Decimal
) -> None:
    # E = 1,000; T_A = 800, T_B = 200; lots of A 280, of B 100; minimum order 100.
    # Floor: A 2 (560, 240 short), B 2 lots (200); cash left 240. An extra A gains
    # 2 x 240 - 280 = 200 but costs 280 > 240. Giving up B's last lot leaves one lot,
    # worth exactly the 100 minimum (allowed), frees 100 (budget 340) and loses 100:
    # net 100. Result: A 3 (840, 40 over), B 1 lot (100 under); cash 1,000 - 940 = 60.
    account = snapshot(1000, prices={"A": 280, "B": b_price}, rules=rules)
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=100, rounding="optimal")

    plan = plan_rebalance(account, {"A": "0.8", "B": "0.2"}, config)

    assert legs(plan) == [("buy", "A", 3), ("buy", "B", lot)]
    assert plan.cash_after == 60


@pytest.mark.parametrize(
    ("c_price", "rules", "lot"),
    [(100, None, D(1)), (200, {"C": AssetRules(qty_increment="0.5")}, D("0.5"))],
    ids=["whole lots", "half lots at twice the price"],
)
def test_one_more_sell_lot_funds_a_much_closer_buy(
    c_price: int, rules: dict[str, AssetRules] | None, lot: Decimal
) -> None:
    # Cash 500 + C 5 lots of 100 = E 1,000. T_C = 370: 130 over -> the nearest lot
    # sells 1 (30 over, under half a lot). T_B = 580 at 300: floor 1 lot (280 short).
    # T_D = 50 at 50: 1. Cash after floor: 500 + 100 - 300 - 50 = 250 < 300 for an
    # extra B (gain 2 x 280 - 300 = 260). Selling one more C lot frees 100 (budget
    # 350) and costs 100 - 2 x 30 = 40 of error: net 220. Result: sell C 2 lots,
    # buy B 2 and D 1; error 70 + 20 + 0 = 90 instead of 30 + 280 = 310.
    account = snapshot(
        500, positions={"C": 5 * lot}, prices={"B": 300, "C": c_price, "D": 50}, rules=rules
    )

    plan = plan_rebalance(account, {"B": "0.58", "C": "0.37", "D": "0.05"}, OPTIMAL)

    assert legs(plan) == [("sell", "C", 2 * lot), ("buy", "B", 2), ("buy", "D", 1)]
    assert plan.cash_after == 50  # 500 + 200 - 600 - 50


def test_a_buy_cash_did_not_cut_still_gets_its_extra_lot_when_another_was_cut() -> None:
    # E = 1,000, buffer 20%: T_X = 500 at 250 (2 lots), T_Y = 430 at 50 (8 lots, 30 short).
    # Wanted (500 + 400) x 1.2 = 1,080 > 1,000: pro rata x 0.9259 -> X 1, Y 7, spent
    # 720, left 280. Top-up (largest unbought value first): X's lot costs 300 > 280;
    # Y's costs 60 -> Y 8, left 220. X stays cut; Y, not cut, may take one more lot:
    # 2 x 30 - 50 = 10 closer for 60 of the 220. Floor stops at Y 8.
    account = snapshot(1000, prices={"X": 250, "Y": 50})
    targets = {"X": "0.5", "Y": "0.43"}
    buffer = {"cash_reserve_pct": 0, "min_trade_notional": 0, "buy_price_buffer_pct": "0.2"}

    floor_plan = plan_rebalance(account, targets, RebalanceConfig(**buffer))
    plan = plan_rebalance(account, targets, RebalanceConfig(**buffer, rounding="optimal"))

    assert legs(floor_plan) == [("buy", "Y", 8), ("buy", "X", 1)]
    assert legs(plan) == [("buy", "Y", 9), ("buy", "X", 1)]


def test_a_symbol_floor_mode_left_at_zero_becomes_a_whole_order() -> None:
    # E = 1,000; T_A = 70 at 100: floor buys 0 lots (skipped: zero after rounding).
    # Optimal: 70 > half a lot, so one lot ends 30 over instead of 70 under.
    account = snapshot(1000, prices={"A": 100, "B": 300})

    floor_plan = plan_rebalance(account, {"A": "0.07", "B": "0.9"}, FLOOR)
    plan = plan_rebalance(account, {"A": "0.07", "B": "0.9"}, OPTIMAL)

    assert [leg.symbol for leg in floor_plan.skipped] == ["A"]
    order = next(o for o in plan.orders if o.symbol == "A")
    assert (order.qty, order.ref_price, order.notional) == (1, 100, 100)
    assert (order.target_weight, order.current_weight, order.is_full_exit) == (
        D("0.07"),
        0,
        False,
    )
    assert plan.skipped == ()


def test_a_buy_exactly_half_a_lot_short_takes_no_extra_lot() -> None:
    # T_A = 350 at 100: 3 lots, 50 short; a 4th ends 50 over: no closer, so not bought,
    # even beside B (T_B = 370: 3 lots, 70 short), whose 4th lot is 40 closer and bought.
    # Nor does C (T_C = 50, under one lot: floor buys none), its first lot as far over.
    # Cash is no limit: 1,000 - 600 = 400 left after floor.
    account = snapshot(1000, prices={"A": 100, "B": 100, "C": 100})

    plan = plan_rebalance(account, {"A": "0.35", "B": "0.37", "C": "0.05"}, OPTIMAL)

    assert legs(plan) == [("buy", "B", 4), ("buy", "A", 3)]
    assert [(leg.symbol, leg.reason.value) for leg in plan.skipped] == [
        ("C", "zero_after_rounding")
    ]


def test_an_equally_good_alternative_never_causes_orders() -> None:
    # E = 500 + 5 x 100 = 1,000. C: T 380, 120 over -> sells 1 (20 over). B: T 550 at 80
    # -> 6 lots (70 short). D: T 50 at 50 -> 1. Cash left 500 + 100 - 480 - 50 = 70.
    # Selling one more C lot (20 over -> 80 under: 60 worse) pays for a 7th B lot
    # (70 short -> 10 over: 60 better): a tie. The status quo stands.
    account = snapshot(500, positions={"C": 5}, prices={"B": 80, "C": 100, "D": 50})

    plan = plan_rebalance(account, {"B": "0.55", "C": "0.38", "D": "0.05"}, OPTIMAL)

    assert legs(plan) == [("sell", "C", 1), ("buy", "B", 6), ("buy", "D", 1)]


def test_the_cash_top_up_prices_a_fractional_lot_as_price_times_lot() -> None:
    # E = 1,000, buffer 10%. Y: T 600 at 100 -> 6 lots. X: T 400 at 40 in half units
    # (a lot is worth 20) -> 20 lots = 10 units. Wanted 1,000 x 1.1 = 1,100: pro rata
    # x 0.909 -> Y 5, X 18 lots; spent (500 + 360) x 1.1 = 946, left 54. Top-up,
    # largest unbought value first: Y's lot costs 110 > 54; X's costs 20 x 1.1 = 22:
    # both missing lots (44) -> X 20 lots; 10 left.
    account = snapshot(
        1000, prices={"X": 40, "Y": 100}, rules={"X": AssetRules(qty_increment="0.5")}
    )
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, buy_price_buffer_pct="0.1")

    plan = plan_rebalance(account, {"X": "0.4", "Y": "0.6"}, config)

    assert legs(plan) == [("buy", "Y", 5), ("buy", "X", 10)]
    assert plan.cash_after == 100  # 1,000 - 500 - 400


def test_a_sell_exactly_half_a_lot_over_target_may_sell_one_more_lot_to_fund_a_buy() -> None:
    # Cash 500 + C 5 x 100 = E 1,000. C: T 350, 150 over -> sells 1, exactly half a lot
    # (50) over; one more lot leaves it 50 under: no worse. B: T 580 at 300 -> 1 lot,
    # 280 short. D: T 50 at 50 -> 1. Cash after floor 500 + 100 - 300 - 50 = 250 < 300.
    # Selling the free C lot (budget 350) buys a 2nd B: 280 short -> 20 over.
    # Error 50 + 20 + 0 = 70 instead of floor's 50 + 280 + 0 = 330.
    account = snapshot(500, positions={"C": 5}, prices={"B": 300, "C": 100, "D": 50})
    targets = {"B": "0.58", "C": "0.35", "D": "0.05"}

    assert legs(plan_rebalance(account, targets, FLOOR)) == [
        ("sell", "C", 1),
        ("buy", "B", 1),
        ("buy", "D", 1),
    ]
    assert legs(plan_rebalance(account, targets, OPTIMAL)) == [
        ("sell", "C", 2),
        ("buy", "B", 2),
        ("buy", "D", 1),
    ]


def test_a_new_sell_lot_at_exactly_the_minimum_may_fund_a_buy_past_unfit_options() -> None:
    # Cash 600 + A 10 x 10 + AB 2 x 50 + C 4 x 100 = E 1,200; minimum order 100.
    # A: T 87.6, 12.4 over: floor sells 1 lot (10, under the minimum: dropped).
    # AB: T 90, 10 over, under half a lot: one lot (50) would be under the minimum.
    # C: T 372, 28 over: no floor lot; one lot is worth exactly the minimum (100),
    #    and costs 100 - 2 x 28 = 44 of error.
    # B: T 456 at 250 -> 1 lot, 206 short; an extra lot gains 2 x 206 - 250 = 162.
    # D: T 156 at 150 -> 1 lot. Cash after floor 600 - 250 - 150 = 200 < 250; with
    # C's lot sold, 300: the extra B. A (its floor lot skipped) and AB stay put.
    account = snapshot(
        600,
        positions={"A": 10, "AB": 2, "C": 4},
        prices={"A": 10, "AB": 50, "B": 250, "C": 100, "D": 150},
    )
    targets = {"A": "0.073", "AB": "0.075", "B": "0.38", "C": "0.31", "D": "0.13"}
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=100, rounding="optimal")

    plan = plan_rebalance(account, targets, config)

    assert legs(plan) == [("sell", "C", 1), ("buy", "B", 2), ("buy", "D", 1)]
    assert [(leg.symbol, leg.reason.value) for leg in plan.skipped] == [("A", "below_minimum")]
