"""The plan as data: JSON round trip, tamper detection, readable repr."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from alchemiser_core import (
    AccountSnapshot,
    InvalidInputError,
    RebalanceConfig,
    RebalancePlan,
    plan_rebalance,
)
from tests.helpers import snapshot


def _plan() -> RebalancePlan:
    # E = 1,000 + 3 x 50 = 1,150; R = 11.5; investable 1,138.5. OLD exits (3 x 50 = 150).
    # A: T = 0.6 x 1,138.5 = 683.1 -> floor(683.1 / 12.34) = 55 sh = 678.70.
    return plan_rebalance(
        snapshot(1_000, positions={"OLD": 3}, prices={"OLD": 50, "A": "12.34"}), {"A": "0.6"}
    )


def test_round_trip_gives_an_equal_plan_and_identical_text() -> None:
    plan = _plan()

    again = RebalancePlan.from_json(plan.to_json())

    assert again == plan
    assert again.to_json() == plan.to_json()
    assert [(o.side.value, o.symbol, o.qty) for o in again.orders] == [
        ("sell", "OLD", 3),
        ("buy", "A", 55),
    ]
    assert again.total_buy_value == Decimal("678.70")


def test_an_edited_quantity_is_refused() -> None:
    document = json.loads(_plan().to_json())
    document["orders"][1]["qty"] = "56"
    document["orders"][1]["notional"] = "691.04"
    document["total_buy_value"] = "691.04"
    document["cash_after"] = "458.96"

    with pytest.raises(InvalidInputError, match="plan_id: expected the content hash"):
        RebalancePlan.from_json(json.dumps(document))


def test_an_inconsistent_total_is_refused() -> None:
    document = json.loads(_plan().to_json())
    document["cash_after"] = "0"

    with pytest.raises(InvalidInputError, match="cash_after"):
        RebalancePlan.from_json(json.dumps(document))


def test_a_missing_key_is_an_input_error_not_a_key_error() -> None:
    document = json.loads(_plan().to_json())
    del document["orders"][0]["qty"]

    with pytest.raises(InvalidInputError, match="plan JSON"):
        RebalancePlan.from_json(json.dumps(document))


def test_repr_lists_the_legs_readably() -> None:
    text = repr(_plan())

    assert "SELL 3 OLD @ 50 = 150 (full exit)" in text
    assert "BUY  55 A @ 12.34 = 678.7" in text  # 55 x 12.34 = 678.70, written canonically
    assert text.startswith("RebalancePlan(plan_id=")


def test_the_plan_id_is_the_documented_hash_of_the_plans_content() -> None:
    # docs/schema.md: SHA-256 of these lines joined by newlines, first 32 hex digits.
    account = AccountSnapshot(
        cash="1000",
        positions={"C": "2.5"},
        prices={"A": "7.77", "C": "40"},
        as_of=datetime(2026, 1, 5, 10, tzinfo=timezone(timedelta(hours=-5))),
        account_id="acct-1",
    )
    plan = plan_rebalance(account, {"A": "0.5", "Z": "0.1"}, RebalanceConfig(missing_price="skip"))
    (sell, buy), (skip,) = plan.orders, plan.skipped
    lines = [
        "alchemiser.plan/1",
        "acct-1",
        "2026-01-05T15:00:00+00:00",  # as_of in UTC
        "1000",
        str(plan.reserve),
        "1100",  # equity: 1,000 + 2.5 x 40
        *(
            f"o|{o.symbol}|{o.side.value}|{o.qty}|{o.ref_price}|{o.target_weight}"
            f"|{o.current_weight}|{int(o.is_full_exit)}"
            for o in (sell, buy)
        ),
        f"s|Z|buy|missing_price|0|{skip.notional}|{skip.detail}",
    ]

    assert (sell.symbol, sell.is_full_exit, buy.symbol) == ("C", True, "A")
    assert plan.plan_id == hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def test_as_of_is_kept_in_utc_whatever_the_machines_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A plan read back on a machine in New York still says UTC (+00:00), not local time.
    plan = plan_rebalance(snapshot(1000, prices={"A": 10}), {"A": "0.5"})
    in_new_york = plan.as_of.astimezone(timezone(timedelta(hours=-5)))  # the same instant
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        moved = RebalancePlan(
            plan_id=plan.plan_id,
            account_id=plan.account_id,
            as_of=in_new_york,
            orders=plan.orders,
            skipped=plan.skipped,
            cash_before=plan.cash_before,
            reserve=plan.reserve,
            equity=plan.equity,
        )
    finally:
        monkeypatch.undo()
        time.tzset()

    assert moved.as_of.utcoffset() == timedelta(0)
    assert moved.as_of.isoformat() == plan.as_of.isoformat()
