"""Every public entry point, fed arbitrary junk, raises only `AlchemiserError` subclasses.

No `KeyError`, `TypeError`, `ZeroDivisionError` or `decimal.InvalidOperation` may escape:
a bot author catches one root and logs a message that names the field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import (
    AccountSnapshot,
    AlchemiserError,
    AssetRules,
    DriftBand,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    TargetAllocation,
    allocation_diff,
    ceil_to_increment,
    check_limits,
    default_tick,
    enforce_limits,
    floor_to_increment,
    plan_rebalance,
    preflight,
    round_price_to_tick,
    size_position,
    split_order,
    to_decimal,
)
from alchemiser_core.testing import planning_inputs

AS_OF = datetime(2026, 11, 26, tzinfo=UTC)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            Decimal("sNaN"),
            Decimal("-0"),
            Decimal("1e-999"),
            Decimal("1e999"),
            "1e5000",
            "NaN",
            "",
            " ",
            "0x10",
            "1_000",
        ]
    ),
    st.text(max_size=12),
    st.binary(max_size=4),
    # What a notebook hands over: NumPy scalars, including ones that are no number.
    st.floats(allow_nan=True, allow_infinity=True).map(np.float64),
    st.floats(width=32, allow_nan=True, allow_infinity=True).map(np.float32),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.sampled_from([np.bool_(True), np.array([1.0]), np.array(1.0), np.complex64(1)]),
    st.sampled_from([datetime(2026, 1, 1), AS_OF, object(), [], {}, (), set()]),  # noqa: DTZ001
)
junk = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.text(max_size=5) | st.integers(),
            children,
            max_size=3,
        )
    ),
    max_leaves=6,
)
maybe_valid_numbers = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False), st.integers(), junk
)


def _only_alchemiser_errors(call: Callable[[], Any]) -> None:
    with contextlib.suppress(AlchemiserError):
        call()


@given(junk)
def test_to_decimal(value: object) -> None:
    _only_alchemiser_errors(lambda: to_decimal(value, "field"))


@given(
    maybe_valid_numbers,
    junk,
    st.dictionaries(st.text(max_size=4), maybe_valid_numbers, max_size=3),
    junk,
    junk,
)
def test_account_snapshot(
    cash: object, positions: object, prices: dict[str, object], as_of: object, account_id: object
) -> None:
    _only_alchemiser_errors(
        lambda: AccountSnapshot(
            cash=cash, positions=positions, prices=prices, as_of=as_of, account_id=account_id
        )
    )
    _only_alchemiser_errors(
        lambda: AccountSnapshot(cash=cash, positions={"A": cash}, prices={"A": cash}, as_of=AS_OF)
    )


@given(junk, st.dictionaries(st.text(max_size=4), maybe_valid_numbers, max_size=4))
def test_target_allocation(weights: object, weight_map: dict[str, object]) -> None:
    _only_alchemiser_errors(lambda: TargetAllocation(weights))
    _only_alchemiser_errors(lambda: TargetAllocation(weight_map).normalized())


@given(junk, junk, junk, junk, junk, junk, junk)
def test_rebalance_config_and_rules(
    a: object, b: object, c: object, d: object, e: object, f: object, g: object
) -> None:
    _only_alchemiser_errors(lambda: RebalanceConfig(a, b, c, d, e, f, g))
    _only_alchemiser_errors(lambda: AssetRules(a, b, c, d, e, f))
    _only_alchemiser_errors(lambda: DriftBand(a, b))


@given(maybe_valid_numbers, maybe_valid_numbers, junk)
def test_size_position(target: object, price: object, fractional: object) -> None:
    _only_alchemiser_errors(lambda: size_position(target, price))
    _only_alchemiser_errors(
        lambda: size_position(target, price, AssetRules(fractionable=True), fractional=fractional)  # type: ignore[arg-type]
    )


@given(junk, junk, junk)
def test_plan_rebalance_and_allocation_diff(
    snapshot: object, targets: object, config: object
) -> None:
    _only_alchemiser_errors(lambda: plan_rebalance(snapshot, targets, config))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: allocation_diff(snapshot, targets))  # type: ignore[arg-type]


@given(planning_inputs(), junk)
def test_plan_rebalance_with_junk_targets_on_a_valid_snapshot(inputs: Any, targets: object) -> None:
    snapshot, _, config = inputs
    _only_alchemiser_errors(lambda: plan_rebalance(snapshot, targets, config))  # type: ignore[arg-type]


@given(maybe_valid_numbers, maybe_valid_numbers, junk)
def test_rounding_helpers(value: object, increment: object, flag: object) -> None:
    _only_alchemiser_errors(lambda: floor_to_increment(value, increment))
    _only_alchemiser_errors(lambda: ceil_to_increment(value, increment))
    _only_alchemiser_errors(lambda: default_tick(value))
    _only_alchemiser_errors(lambda: round_price_to_tick(value, flag, increment))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: round_price_to_tick(value, True, increment))


@given(planning_inputs(max_symbols=4), junk, maybe_valid_numbers, junk)
def test_limits_split_and_preflight(
    inputs: Any, thing: object, number: object, policy: object
) -> None:
    plan = plan_rebalance(*inputs)
    order = plan.orders[0] if plan.orders else thing
    _only_alchemiser_errors(lambda: split_order(order, number))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: split_order(thing, number))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: split_order(order, 1000, thing))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: check_limits(plan, thing, number))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: enforce_limits(plan, None, number, policy))  # type: ignore[arg-type]
    _only_alchemiser_errors(lambda: RiskLimits(number, number, thing, number, thing))
    _only_alchemiser_errors(lambda: preflight(plan, inputs[0], limit_prices=thing))  # type: ignore[arg-type]
    _only_alchemiser_errors(
        lambda: preflight(plan, inputs[0], limit_prices={"x": number}, allow_split_legs=thing)  # type: ignore[arg-type]
    )


@given(st.text(max_size=200) | st.binary(max_size=50) | junk)
def test_from_json_on_junk(text: Any) -> None:
    _only_alchemiser_errors(lambda: RebalancePlan.from_json(text))


@given(planning_inputs(max_symbols=4), st.data())
def test_from_json_on_a_mutated_plan(inputs: Any, data: st.DataObject) -> None:
    document = plan_rebalance(*inputs).to_json()
    position = data.draw(st.integers(min_value=0, max_value=len(document) - 1))
    replacement = data.draw(
        st.sampled_from(['"', "0", "1", "x", "}", "-", "", "[]", "null", "9e99"])
    )
    mutated = document[:position] + replacement + document[position + 1 :]

    _only_alchemiser_errors(lambda: RebalancePlan.from_json(mutated))


@pytest.mark.parametrize(
    "value", [True, float("nan"), float("inf"), float("-inf"), Decimal("sNaN"), "abc", None]
)
def test_named_junk_is_rejected_with_the_field_name(value: object) -> None:
    with pytest.raises(AlchemiserError, match=r"^cash: expected"):
        AccountSnapshot(cash=value, positions={}, prices={}, as_of=AS_OF)
