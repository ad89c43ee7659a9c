"""The plan as data: JSON round trip, tamper detection, readable repr."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from alchemiser_core import InvalidInputError, RebalancePlan, plan_rebalance
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
