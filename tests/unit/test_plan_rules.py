"""Rules of plans, their JSON, preflight's denials and the kill switch, each stated in full."""

from __future__ import annotations

import copy
import json
import pickle
from decimal import Decimal

import attrs
import pytest

from alchemiser_core import (
    AssetRules,
    Denial,
    DenialReason,
    FrozenMap,
    InvalidInputError,
    MissingPriceError,
    OrderIntent,
    RebalanceConfig,
    RebalancePlan,
    Side,
    SkippedLeg,
    SkipReason,
    TradingState,
    allocation_diff,
    apply_trading_state,
    plan_rebalance,
    preflight,
)
from tests.helpers import AS_OF, snapshot

D = Decimal
NO_RESERVE = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0)


def _plan_of(
    *legs: tuple[str, str, object, object], skipped: tuple[SkippedLeg, ...] = ()
) -> RebalancePlan:
    orders = [
        OrderIntent(symbol, side, qty=qty, ref_price=price, client_order_id="pending")
        for side, symbol, qty, price in legs
    ]
    return RebalancePlan.build(
        account_id="default", as_of=AS_OF, orders=orders, skipped=skipped, cash_before=D(0),
        reserve=D(0), equity=D(10_000_000),
    )  # fmt: skip


# -- preflight: every denial names the order, the reason and the numbers --------------------


def test_each_denial_carries_the_order_and_its_numbers() -> None:
    snap = snapshot(
        0,
        positions={"HELD": 2},
        prices={"HELD": 10, "LOCK": 10, "LOT": 10, "WHOLE": 10, "TINY": "0.5"},
        rules={
            "LOCK": AssetRules(tradable=False),
            "LOT": AssetRules(qty_increment=5),
            "TINY": AssetRules(min_notional=1),
        },
    )
    cases = [
        (("buy", "LOCK", 1, 10), DenialReason.NOT_TRADABLE, "asset not tradable"),
        (("buy", "LOT", 3, 10), DenialReason.OFF_INCREMENT, "qty 3 not a multiple of 5"),
        (("buy", "WHOLE", "1.5", 10), DenialReason.NOT_FRACTIONABLE, "qty 1.5"),
        (("buy", "TINY", 1, "0.5"), DenialReason.BELOW_MIN_NOTIONAL, "0.5 < 1"),
        (("sell", "HELD", 3, 10), DenialReason.SELL_EXCEEDS_HELD, "sells 3 of 2 held"),
        (
            ("buy", "WHOLE", 1, "10.005"),
            DenialReason.PRICE_OFF_TICK,
            "price 10.005 not on tick 0.01",
        ),
        (("buy", "NOPE", 1, 10), DenialReason.UNKNOWN_SYMBOL, "snapshot has no price for it"),
    ]
    for leg, reason, detail in cases:
        plan = _plan_of(leg)
        order = plan.orders[0]

        assert preflight(plan, snap).denials == (
            Denial(order.client_order_id, order.symbol, reason, detail),
        ), reason


def test_plan_shape_denials_name_each_order() -> None:
    snap = snapshot(0, positions={"HELD": 5}, prices={"HELD": 10, "WHOLE": 10})
    twice = _plan_of(("buy", "WHOLE", 1, 10), ("buy", "WHOLE", 2, 10))
    both_sides = _plan_of(("buy", "HELD", 1, 10), ("sell", "HELD", 1, 10))

    assert preflight(twice, snap).denials == tuple(
        Denial(order.client_order_id, "WHOLE", DenialReason.DUPLICATE_LEG, "2 legs")
        for order in twice.orders
    )
    assert preflight(both_sides, snap).denials == tuple(
        Denial(
            o.client_order_id,
            "HELD",
            DenialReason.CONFLICTING_SIDES,
            "plan buys and sells this symbol",
        )
        for o in both_sides.orders
    )


def test_a_client_order_id_used_twice_is_denied_on_both_orders() -> None:
    snap = snapshot(0, prices={"A": 10, "B": 10})
    plan = _plan_of(("buy", "A", 1, 10), ("buy", "B", 1, 10))
    reused = attrs.evolve(plan.orders[1], client_order_id=plan.orders[0].client_order_id)
    # A plan cannot be built with a repeated id; preflight must still catch one, so the
    # orders are swapped in past the constructor's checks.
    duplicated = copy.copy(plan)
    object.__setattr__(duplicated, "orders", (plan.orders[0], reused))

    result = preflight(duplicated, snap)

    assert result.denials == (
        Denial(
            reused.client_order_id,
            "A",
            DenialReason.DUPLICATE_CLIENT_ORDER_ID,
            "client order id used twice",
        ),
        Denial(
            reused.client_order_id,
            "B",
            DenialReason.DUPLICATE_CLIENT_ORDER_ID,
            "client order id used twice",
        ),
    )
    assert result.denied_ids() == frozenset({reused.client_order_id})


def test_a_notional_exactly_at_the_asset_minimum_passes_preflight() -> None:
    snap = snapshot(0, prices={"TINY": 1}, rules={"TINY": AssetRules(min_notional=1)})

    assert preflight(_plan_of(("buy", "TINY", 1, 1)), snap).ok  # 1 x 1 = 1, not below 1


def test_a_fractional_asset_is_checked_on_its_fractional_lot() -> None:
    snap = snapshot(
        0,
        prices={"FR": 10},
        rules={"FR": AssetRules(fractionable=True, fractional_increment="0.1")},
    )

    assert preflight(_plan_of(("buy", "FR", "0.5", 10)), snap).ok  # 0.5 is 5 lots of 0.1; 5 >= $1
    assert preflight(_plan_of(("buy", "FR", "0.55", 10)), snap).denials[0].reason is (
        DenialReason.OFF_INCREMENT
    )


def test_a_whole_share_sell_of_everything_held_is_checked_like_any_other() -> None:
    # Held 10 of a 5-share lot asset: selling all 10 is on the lot; selling 3 of 3 held
    # would be an exit of the holding, allowed off the lot.
    snap = snapshot(
        0, positions={"LOT": 3}, prices={"LOT": 10}, rules={"LOT": AssetRules(qty_increment=5)}
    )

    assert preflight(_plan_of(("sell", "LOT", 3, 10)), snap).ok
    assert preflight(_plan_of(("buy", "LOT", 3, 10)), snap).denials[0].reason is (
        DenialReason.OFF_INCREMENT
    )


def test_sells_of_one_symbol_are_summed_against_the_holding() -> None:
    snap = snapshot(0, positions={"HELD": 3}, prices={"HELD": 10})
    plan = _plan_of(("sell", "HELD", 2, 10), ("sell", "HELD", 2, 10))  # 4 > 3 held

    denials = preflight(plan, snap, allow_split_legs=True).denials

    assert [(d.reason, d.detail) for d in denials] == [
        (DenialReason.SELL_EXCEEDS_HELD, "sells 4 of 3 held")
    ] * 2


def test_an_asset_tick_overrides_the_venue_tick() -> None:
    snap = snapshot(0, prices={"A": 10}, rules={"A": AssetRules(price_increment="0.05")})

    assert preflight(_plan_of(("buy", "A", 1, "10.05")), snap).ok
    assert preflight(_plan_of(("buy", "A", 1, "10.01")), snap).denials[0].detail == (
        "price 10.01 not on tick 0.05"
    )


# -- the kill switch -------------------------------------------------------------------------


def test_reducing_keeps_the_sells_and_skips_the_buys_with_their_numbers() -> None:
    plan = _plan_of(("sell", "A", 2, 10), ("buy", "B", 3, 10))
    buy_id = plan.orders[1].client_order_id

    reduced = apply_trading_state(plan, TradingState.REDUCING)

    assert [(o.side, o.symbol) for o in reduced.orders] == [(Side.SELL, "A")]
    assert reduced.skipped == (
        SkippedLeg(
            "B", Side.BUY, SkipReason.REDUCE_ONLY, f"order {buy_id} removed", qty=3, notional=30
        ),
    )


def test_halted_skips_every_order_as_halted() -> None:
    plan = _plan_of(("sell", "A", 2, 10))

    halted = apply_trading_state(plan, "halted")

    assert [(s.reason, s.qty, s.notional) for s in halted.skipped] == [
        (SkipReason.TRADING_HALTED, 2, 20)
    ]


# -- plans and their JSON ------------------------------------------------------------------------


def test_a_plan_id_must_be_32_lower_case_hex_digits() -> None:
    plan = _plan_of(("buy", "A", 1, 10))
    for bad in ("g" * 32, plan.plan_id[:31], plan.plan_id.upper(), 7):
        with pytest.raises(InvalidInputError) as raised:
            attrs.evolve(plan, plan_id=bad)
        assert (raised.value.field, raised.value.expected, raised.value.value) == (
            "plan_id",
            "32 lower-case hex digits",
            bad,
        )


def _tampered(plan: RebalancePlan, edit: dict[str, object]) -> str:
    document = json.loads(plan.to_json())
    for key, value in edit.items():
        if key == "notional":
            document["orders"][0]["notional"] = value
        else:
            document[key] = value
    return json.dumps(document)


def test_a_tampered_order_notional_is_named_in_the_error() -> None:
    plan = _plan_of(("buy", "A", 3, 10))

    with pytest.raises(InvalidInputError) as raised:
        RebalancePlan.from_json(_tampered(plan, {"notional": "31"}))

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        "plan JSON notional of A",
        "30",
        "31",
    )


@pytest.mark.parametrize("key", ["total_sell_value", "total_buy_value", "cash_after"])
def test_a_tampered_total_is_named_in_the_error(key: str) -> None:
    plan = _plan_of(("buy", "A", 3, 10))

    with pytest.raises(InvalidInputError) as raised:
        RebalancePlan.from_json(_tampered(plan, {key: "123"}))

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        f"plan JSON {key}",
        str(getattr(plan, key)),
        "123",
    )


def test_unreadable_plan_json_shows_its_first_80_characters() -> None:
    text = "x" * 100

    with pytest.raises(InvalidInputError) as raised:
        RebalancePlan.from_json(text)

    assert (raised.value.field, raised.value.value) == ("plan JSON", "x" * 80)


def test_a_skipped_leg_without_detail_is_shown_by_its_reason_alone() -> None:
    plan = _plan_of(skipped=(SkippedLeg("B", Side.BUY, SkipReason.NOT_TRADABLE),))

    assert repr(plan).splitlines()[1] == "  skip BUY  B: not_tradable"


def test_a_long_plan_repr_counts_what_it_leaves_out() -> None:
    legs = [("buy", f"S{i:02d}", 1, 10 + i) for i in range(41)]
    skipped = tuple(SkippedLeg(f"K{i:02d}", Side.BUY, SkipReason.NOT_TRADABLE) for i in range(41))
    plan = _plan_of(*legs, skipped=skipped)
    exactly_forty = _plan_of(*legs[:40], skipped=skipped[:40])

    lines = repr(plan).splitlines()

    assert "  ... 1 more orders" in lines
    assert "  ... 1 more skipped" in lines
    assert not any(line.startswith("  ...") for line in repr(exactly_forty).splitlines())


def test_the_plan_header_counts_reduced_legs_only_when_there_are_some() -> None:
    snap = snapshot(100, prices={"A": 10, "B": 10})
    # Weights 0.6 + 0.4 with a 10% buffer: wanted 6 + 4 shares, 110 with the buffer > 100.
    reduced = plan_rebalance(
        snap, {"A": "0.6", "B": "0.4"}, attrs.evolve(NO_RESERVE, buy_price_buffer_pct="0.1")
    )
    plain = plan_rebalance(snap, {"A": "0.6"}, NO_RESERVE)

    assert ", 1 reduced)" in repr(reduced).splitlines()[0]
    assert repr(plain).splitlines()[0].endswith(" 1 orders, 0 skipped)")


# -- the planner's unpriced symbols --------------------------------------------------------------


def test_an_unpriced_symbol_without_weight_does_not_stop_the_others() -> None:
    # "AAA" sorts first, has weight 0, is not held and has no price: it needs none.
    snap = snapshot(1000, prices={"ZZZ": 10})

    plan = plan_rebalance(snap, {"AAA": 0, "ZZZ": "0.5"}, NO_RESERVE)

    assert [(o.symbol, o.qty) for o in plan.orders] == [("ZZZ", 50)]  # 500 / 10


def test_an_unpriced_target_raises_naming_the_price_and_the_way_out() -> None:
    snap = snapshot(1000, prices={"A": 10})

    with pytest.raises(MissingPriceError) as raised:
        plan_rebalance(snap, {"A": "0.5", "B": "0.5"})

    assert (raised.value.field, raised.value.expected) == (
        "prices['B']",
        "a positive price for every targeted symbol"
        " (or RebalanceConfig(missing_price='skip') to plan the rest)",
    )


def test_a_skipped_unpriced_target_says_its_target_value() -> None:
    snap = snapshot(1000, prices={"A": 10})

    plan = plan_rebalance(
        snap, {"A": "0.5", "B": "0.25"}, attrs.evolve(NO_RESERVE, missing_price="skip")
    )

    assert plan.skipped == (
        SkippedLeg(
            "B", Side.BUY, SkipReason.MISSING_PRICE, "no price; target value 250", notional=250
        ),
    )


# -- allocation_diff ------------------------------------------------------------------------------


def test_diff_of_a_targeted_symbol_without_price_raises_naming_it() -> None:
    snap = snapshot(1000, prices={"A": 10})

    with pytest.raises(MissingPriceError) as raised:
        allocation_diff(snap, {"B": "0.1"})

    assert (raised.value.field, raised.value.expected) == (
        "prices['B']",
        "a price for every targeted symbol",
    )


def test_diff_lists_an_unpriced_zero_weight_target_at_zero() -> None:
    # Equity 1,000 + 10 x 10 = 1,100; A's weight 100 / 1,100 = 0.0909..., reported to 18
    # places (0.090909090909090909), so its diff is 0.5 - that = 0.409090909090909091.
    snap = snapshot(1000, positions={"A": 10}, prices={"A": 10})

    rows = allocation_diff(snap, {"A": "0.5", "B": 0})

    assert [(r.symbol, r.current_value, r.target_weight, r.diff) for r in rows] == [
        ("A", 100, D("0.5"), D("0.409090909090909091")),
        ("B", 0, 0, 0),
    ]


# -- values ---------------------------------------------------------------------------------------


def test_a_frozen_map_equals_maps_with_the_same_items_only() -> None:
    frozen = FrozenMap({"A": 1})

    assert frozen == FrozenMap({"A": 1})
    assert frozen != FrozenMap({"A": 2})
    assert frozen == {"A": 1}
    assert frozen != {"A": 2}
    assert frozen.to_dict() == {"A": 1}
    assert frozen.to_dict() is not frozen.to_dict()


def test_an_input_error_survives_pickling_with_its_parts() -> None:
    error = MissingPriceError("prices['A']", "a price", None)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object

    assert type(copy) is MissingPriceError
    assert (copy.field, copy.expected, copy.value) == ("prices['A']", "a price", None)


def test_unreadable_written_numbers_are_named_in_the_error() -> None:
    plan = _plan_of(("buy", "A", 3, 10))

    with pytest.raises(InvalidInputError) as notional:
        RebalancePlan.from_json(_tampered(plan, {"notional": "abc"}))
    with pytest.raises(InvalidInputError) as total:
        RebalancePlan.from_json(_tampered(plan, {"cash_after": "abc"}))

    assert (notional.value.field, notional.value.value) == ("plan JSON notional of A", "abc")
    assert (total.value.field, total.value.value) == ("plan JSON cash_after", "abc")


def test_orders_out_of_submission_order_are_refused() -> None:
    plan = _plan_of(("sell", "A", 1, 10), ("buy", "B", 1, 10))

    with pytest.raises(InvalidInputError) as raised:
        attrs.evolve(plan, orders=plan.orders[::-1])

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        "orders",
        "sells before buys, larger notional first, then symbol",
        plan.orders[::-1],
    )


def test_every_note_of_a_partly_ordered_leg_is_on_its_order_line() -> None:
    notes = (
        SkippedLeg("A", Side.BUY, SkipReason.NOT_TRADABLE),
        SkippedLeg("A", Side.BUY, SkipReason.REDUCED_FOR_CASH, "wanted 5, cash allows 3", 2, 20),
    )
    plan = _plan_of(("buy", "A", 3, 10), skipped=notes)

    assert repr(plan).splitlines()[1] == (
        "  BUY  3 A @ 10 = 30 (not_tradable) (reduced_for_cash: wanted 5, cash allows 3)"
    )


def test_a_sell_of_a_symbol_not_held_exceeds_what_is_held() -> None:
    snap = snapshot(0, prices={"A": 10})

    assert [
        (d.reason, d.detail) for d in preflight(_plan_of(("sell", "A", 1, 10)), snap).denials
    ] == [(DenialReason.SELL_EXCEEDS_HELD, "sells 1 of 0 held")]


def test_the_fractional_minimum_applies_to_fractions_only() -> None:
    # A whole share of a fractionable asset at $0.50 is not a fractional order.
    snap = snapshot(0, prices={"FR": "0.5"}, rules={"FR": AssetRules(fractionable=True)})

    assert preflight(_plan_of(("buy", "FR", 1, "0.5")), snap).ok


def _document(plan: RebalancePlan, **change: object) -> str:
    document = json.loads(plan.to_json())
    document.update(change)
    return json.dumps(document)


_A_PLAN = _plan_of(("buy", "A", 3, 10))


@pytest.mark.parametrize(
    ("text", "field", "expected", "value"),
    [
        ("{", "plan JSON", "a JSON document", "{"),
        ("[]", "plan JSON", "a JSON object", []),
        (_document(_A_PLAN, format="x/1"), "plan JSON format", "'alchemiser.plan/1'", "x/1"),
        (_document(_A_PLAN, as_of="today"), "plan JSON as_of", "an ISO 8601 timestamp", "today"),
        (_document(_A_PLAN, as_of=5), "plan JSON as_of", "str", 5),
        (_document(_A_PLAN, orders={}), "plan JSON orders", "list", {}),
        (_document(_A_PLAN, cash_before="x"), "cash_before", "a numeric string", "x"),
        (_document(_A_PLAN, reserve="x"), "reserve", "a numeric string", "x"),
        (_document(_A_PLAN, equity="x"), "equity", "a numeric string", "x"),
    ],
    ids=[
        "not JSON",
        "not an object",
        "format",
        "as_of",
        "as_of type",
        "orders type",
        "cash_before",
        "reserve",
        "equity",
    ],
)
def test_a_malformed_plan_document_is_refused_naming_the_part(
    text: str, field: str, expected: str, value: object
) -> None:
    with pytest.raises(InvalidInputError) as raised:
        RebalancePlan.from_json(text)

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        field,
        expected,
        value,
    )


def test_a_plan_document_missing_a_key_names_the_key() -> None:
    document = json.loads(_A_PLAN.to_json())
    del document["equity"]
    text = json.dumps(document)

    with pytest.raises(InvalidInputError) as raised:
        RebalancePlan.from_json(text)

    assert (raised.value.field, raised.value.expected, raised.value.value) == (
        "plan JSON",
        "a plan document ('equity')",
        text[:80],
    )


def test_plan_json_is_compact_sorted_and_ascii() -> None:
    plan = RebalancePlan.build(
        account_id="compte-é",
        as_of=AS_OF,
        orders=[],
        skipped=[],
        cash_before=1,
        reserve=0,
        equity=1,
    )

    text = plan.to_json()

    assert ", " not in text and ": " not in text  # compact separators
    assert list(json.loads(text)) == sorted(json.loads(text))  # keys sorted
    assert text.isascii() and "compte-\\u00e9" in text


def test_a_plan_id_with_letters_beyond_f_is_refused_as_not_hex() -> None:
    with pytest.raises(InvalidInputError) as raised:
        attrs.evolve(_A_PLAN, plan_id="X" * 32)

    assert raised.value.expected == "32 lower-case hex digits"


def test_a_hand_built_plan_is_checked_for_order_ids_and_content() -> None:
    plan = _plan_of(
        ("buy", "A", 3, 10),
        skipped=(
            SkippedLeg("B", Side.BUY, SkipReason.NOT_TRADABLE),
            SkippedLeg("C", Side.BUY, SkipReason.NOT_TRADABLE),
        ),
    )
    wrong_id = attrs.evolve(plan.orders[0], client_order_id="mine-0")
    expected_id = plan.orders[0].client_order_id

    with pytest.raises(InvalidInputError) as unsorted:
        attrs.evolve(plan, skipped=plan.skipped[::-1])
    with pytest.raises(InvalidInputError) as renamed:
        attrs.evolve(plan, orders=(wrong_id,))
    with pytest.raises(InvalidInputError) as edited:
        attrs.evolve(plan, plan_id="0" * 32)

    assert (unsorted.value.field, unsorted.value.expected, unsorted.value.value) == (
        "skipped",
        "legs sorted by symbol, side, reason",
        plan.skipped[::-1],
    )
    assert (renamed.value.field, renamed.value.expected, renamed.value.value) == (
        "orders[0].client_order_id",
        repr(expected_id),
        "mine-0",
    )
    assert (edited.value.field, edited.value.value) == ("plan_id", "0" * 32)
    assert edited.value.expected == f"the content hash {plan.plan_id!r} (was the plan edited?)"


def test_a_plans_legs_must_come_as_a_list_or_tuple() -> None:
    with pytest.raises(InvalidInputError) as raised:
        attrs.evolve(_A_PLAN, skipped=frozenset())

    assert (raised.value.field, raised.value.expected) == ("skipped", "a sequence of SkippedLeg")


def test_a_plan_keeps_its_time_in_utc_whatever_the_hosts_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time
    from datetime import UTC, datetime, timedelta, timezone

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        plan = RebalancePlan.build(
            account_id="a", as_of=datetime(2026, 1, 5, 20, tzinfo=timezone(timedelta(hours=5))),
            orders=[], skipped=[], cash_before=1, reserve=0, equity=1,
        )  # fmt: skip
    finally:
        monkeypatch.undo()
        time.tzset()

    assert plan.as_of.utcoffset() == timedelta(0)
    assert plan.as_of == datetime(2026, 1, 5, 15, tzinfo=UTC)
