"""docs/plan.schema.json describes the JSON every real plan writes, and nothing looser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from alchemiser_core import AccountSnapshot, RebalanceConfig, RebalancePlan, plan_rebalance
from alchemiser_core.planning.orders import SkipReason
from alchemiser_core.planning.plan import PLAN_FORMAT
from alchemiser_core.testing import planning_inputs

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is a dev extra")

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "plan.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _errors(document: dict[str, Any]) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_names_the_codes_format_and_reasons() -> None:
    assert SCHEMA["properties"]["format"] == {"const": PLAN_FORMAT}
    reasons = SCHEMA["$defs"]["skipped"]["properties"]["reason"]["enum"]
    assert reasons == [reason.value for reason in SkipReason]


@given(planning_inputs())
def test_every_plan_the_planner_writes_is_valid(
    inputs: tuple[AccountSnapshot, Any, RebalanceConfig],
) -> None:
    plan = plan_rebalance(*inputs)

    assert _errors(json.loads(plan.to_json())) == []


def _sample() -> dict[str, Any]:
    # 1,000 cash, 3 C held at 33.33 (unlisted: sold), A bought, Z unpriced (skipped).
    from datetime import UTC, datetime

    account = AccountSnapshot(
        cash=1000,
        positions={"C": 3},
        prices={"A": "7.77", "C": "33.33"},
        as_of=datetime(2026, 1, 5, 15, tzinfo=UTC),
    )
    plan = plan_rebalance(account, {"A": "0.5", "Z": "0.1"}, RebalanceConfig(missing_price="skip"))
    document: dict[str, Any] = json.loads(plan.to_json())
    assert document["orders"] and document["skipped"]
    assert RebalancePlan.from_json(json.dumps(document)) == plan
    return document


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.update(extra=1), "Additional properties are not allowed"),
        (lambda d: d.pop("reserve"), "'reserve' is a required property"),
        (lambda d: d["orders"][0].update(qty="3.0"), "does not match"),  # not canonical
        (lambda d: d["orders"][0].update(qty="-3"), "does not match"),
        (lambda d: d["orders"][0].update(side="hold"), "is not one of ['buy', 'sell']"),
        (lambda d: d["orders"][0].update(symbol="aapl"), "does not match"),
        (lambda d: d["skipped"][0].update(reason="why_not"), "is not one of"),
        (lambda d: d.update(plan_id="XYZ"), "does not match"),
        (lambda d: d.update(as_of="2026-01-05T10:00:00-05:00"), "does not match"),
        (lambda d: d.update(format="alchemiser.plan/2"), "was expected"),
        (lambda d: d["orders"][0].update(is_full_exit="yes"), "is not of type 'boolean'"),
    ],
)
def test_the_schema_refuses_what_from_json_refuses(change: Any, complaint: str) -> None:
    document = _sample()

    change(document)

    errors = _errors(document)
    assert any(complaint in error for error in errors), errors
