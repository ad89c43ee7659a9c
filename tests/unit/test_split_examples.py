"""Splitting an order under the single-order cap, by hand: quantities, the full-exit flag,
and the arguments `split_order` refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alchemiser_core import (
    InvalidInputError,
    OrderIntent,
    RebalancePlan,
    RiskLimits,
    Side,
    enforce_limits,
    split_order,
)
from tests.helpers import AS_OF

D = Decimal


def _full_exit_sell(qty: object, price: object) -> OrderIntent:
    return OrderIntent(
        "A", Side.SELL, qty=qty, ref_price=price, client_order_id="p-1", is_full_exit=True
    )


def test_only_the_last_child_of_a_full_exit_carries_the_flag() -> None:
    # 2,500 sh x 100 = 250,000 under a 100,000 cap: 1,000 + 1,000 + 500 shares.
    children = split_order(_full_exit_sell(2500, 100), D(100_000))

    assert [(child.qty, child.is_full_exit) for child in children] == [
        (1000, False),
        (1000, False),
        (500, True),
    ]


def test_an_even_split_flags_only_its_last_child() -> None:
    # 2,000 sh x 100 = 200,000: 1,000 + 1,000, equal notionals.
    children = split_order(_full_exit_sell(2000, 100), D(100_000))

    assert [child.is_full_exit for child in children] == [False, True]


def test_a_split_full_exit_in_a_plan_sends_its_flagged_child_last() -> None:
    # Sell 2,500 A x 100 (full exit) and 300 B x 100 = 30,000; cap 100,000, daily 1,000,000.
    plan = RebalancePlan.build(
        account_id="default",
        as_of=AS_OF,
        orders=[
            _full_exit_sell(2500, 100),
            OrderIntent("B", Side.SELL, qty=300, ref_price=100, client_order_id="p-2"),
        ],
        skipped=(),
        cash_before=D(0),
        reserve=D(0),
        equity=D(280_000),  # 250,000 + 30,000, all held
    )
    outcome = enforce_limits(
        plan, RiskLimits(max_daily_notional=1_000_000, allow_liquidation=True), policy="split"
    )

    a_orders = [order for order in outcome.plan.orders if order.symbol == "A"]
    assert [(order.qty, order.is_full_exit) for order in a_orders] == [
        (1000, False),
        (1000, False),
        (500, True),
    ]
    assert sum(order.is_full_exit for order in outcome.plan.orders) == 1


def test_a_cap_given_as_text_or_float_is_read_like_any_number() -> None:
    # 25 x 100 = 2,500 under a 1,000 cap: 10 + 10 + 5.
    order = _full_exit_sell(25, 100)

    assert [child.qty for child in split_order(order, "1000")] == [10, 10, 5]
    assert [child.qty for child in split_order(order, 1000.0)] == [10, 10, 5]


@pytest.mark.parametrize(
    ("cap", "expected"),
    [
        (D("NaN"), "a finite number"),
        (float("nan"), "a finite number"),
        (0, "a number > 0"),  # was: the order came back unsplit, silently
        (-5, "a number > 0"),
        ("lots", "a numeric string"),
        (None, "a number"),
        (True, "a number"),
    ],
    ids=repr,
)
def test_a_bad_cap_is_refused_naming_the_field(cap: object, expected: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^cap: expected {expected}") as caught:
        split_order(_full_exit_sell(25, 100), cap)

    assert caught.value.field == "cap"


@pytest.mark.parametrize("order", [None, {"symbol": "A"}, "A", 5], ids=repr)
def test_split_order_refuses_what_is_not_an_order(order: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^order: expected an OrderIntent"):
        split_order(order, D(1000))  # type: ignore[arg-type]


@pytest.mark.parametrize("max_children", [0, -1, True, 2.0, "50"], ids=repr)
def test_split_order_refuses_a_bad_child_count(max_children: object) -> None:
    with pytest.raises(InvalidInputError, match=r"^max_children: expected a positive int"):
        split_order(_full_exit_sell(25, 100), D(1000), max_children)  # type: ignore[arg-type]
