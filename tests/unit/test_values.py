"""Validation and immutability of the value objects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs
import pytest

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    DriftBand,
    FrozenMap,
    InvalidInputError,
    RebalanceConfig,
    TargetAllocation,
    allocation_diff,
    size_position,
)
from tests.helpers import AS_OF, snapshot

D = Decimal


def test_snapshot_rejects_a_negative_quantity_naming_the_symbol() -> None:
    with pytest.raises(InvalidInputError, match=r"positions\['AAPL'\]: expected a number >= 0"):
        snapshot(100, positions={"AAPL": -1}, prices={"AAPL": 10})


def test_snapshot_rejects_a_non_positive_price() -> None:
    with pytest.raises(InvalidInputError, match=r"prices\['AAPL'\]: expected a number > 0"):
        snapshot(100, prices={"AAPL": 0})


def test_snapshot_rejects_a_naive_timestamp() -> None:
    with pytest.raises(InvalidInputError, match="as_of: expected a timezone-aware datetime"):
        AccountSnapshot(cash=1, positions={}, prices={}, as_of=datetime(2026, 1, 1))  # noqa: DTZ001


def test_snapshot_rejects_lower_case_symbols() -> None:
    with pytest.raises(InvalidInputError, match="positions key: expected an upper-case ticker"):
        snapshot(1, positions={"aapl": 1}, prices={"AAPL": 1})


def test_snapshot_rejects_negative_equity() -> None:
    # Margin debt beyond the holdings: -200 + 1 x 100 = -100.
    with pytest.raises(InvalidInputError, match="equity cannot be negative"):
        snapshot(-200, positions={"A": 1}, prices={"A": 100})


def test_values_are_frozen_and_their_mappings_read_only() -> None:
    snap = snapshot(100, positions={"A": 1}, prices={"A": 10})

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        snap.cash = D(0)  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.positions["A"] = D(2)  # type: ignore[index]
    assert isinstance(snap.positions, FrozenMap)
    assert hash(snap) == hash(snapshot(100, positions={"A": 1}, prices={"A": 10}))


def test_caller_dict_changes_do_not_leak_into_a_snapshot() -> None:
    positions: dict[str, object] = {"A": 1}
    snap = snapshot(100, positions=positions, prices={"A": 10})

    positions["A"] = 99

    assert snap.positions["A"] == 1


def test_target_weight_outside_zero_one_is_rejected() -> None:
    with pytest.raises(InvalidInputError, match=r"weights\['A'\]: expected a number <= 1"):
        TargetAllocation({"A": "1.5"})
    with pytest.raises(InvalidInputError, match=r"weights\['A'\]: expected a number >= 0"):
        TargetAllocation({"A": "-0.1"})


def test_float_noise_within_tolerance_is_accepted() -> None:
    # 0.1 + 0.2 + 0.7 as floats sums to 1.0000000000000000 via repr; 1 + 1e-10 is inside 1e-9.
    assert TargetAllocation({"A": 0.5, "B": "0.5000000001"}).total == D("1.0000000001")


def test_normalized_sums_to_exactly_one_and_keeps_proportions() -> None:
    # 0.1 : 0.2 : 0.3 over 0.6 -> 0.1666..., 0.3333..., 0.5; floored to 20 places, the dust
    # (1 - 0.99999999999999999999 = 1e-20) goes to C, the largest.
    weights = TargetAllocation({"A": "0.1", "B": "0.2", "C": "0.3"}).normalized().weights

    assert sum(weights.values()) == 1
    assert weights["A"] == D("0.16666666666666666666")
    assert weights["B"] == D("0.33333333333333333333")
    assert weights["C"] == D("0.50000000000000000001")


def test_normalized_of_all_zero_weights_raises() -> None:
    with pytest.raises(InvalidInputError, match="at least one positive weight"):
        TargetAllocation({"A": 0}).normalized()


def test_config_rejects_bad_values_naming_them() -> None:
    with pytest.raises(InvalidInputError, match="cash_reserve_pct: expected a number < 1"):
        RebalanceConfig(cash_reserve_pct=1)
    with pytest.raises(InvalidInputError, match="rounding: expected one of"):
        RebalanceConfig(rounding="nearest")
    with pytest.raises(InvalidInputError, match="fractional: expected True or False"):
        RebalanceConfig(fractional="no")


def test_config_accepts_a_bare_number_as_an_absolute_drift_band() -> None:
    assert RebalanceConfig(drift_band="0.05").drift_band == DriftBand(absolute=D("0.05"))


def test_size_position_floors_to_the_increment() -> None:
    # floor(1,000 / 333.34) = 2; 100 / 30 = 3.333333333 on 1e-9; crypto lot 0.0001: floor(50 / 30,000 / 0.0001) x 0.0001 = 0.0016.
    assert size_position(1000, "333.34") == 2
    assert size_position(100, 30, AssetRules(fractionable=True)) == D("3.333333333")
    assert size_position(50, 30_000, AssetRules(qty_increment="0.0001")) == D("0.0016")
    assert size_position(100, 30, AssetRules(fractionable=True), fractional=False) == 3


def test_size_position_rejects_negative_target() -> None:
    with pytest.raises(InvalidInputError, match="target_value: expected a number >= 0"):
        size_position(-1, 10)


def test_allocation_diff_by_hand() -> None:
    # E = 500 + 5 x 100 = 1,000. AAPL: 500 / 1,000 = 0.5, dropped -> diff -0.5. MSFT: 0 -> 0.25.
    snap = snapshot(500, positions={"AAPL": 5}, prices={"AAPL": 100, "MSFT": 40})

    rows = allocation_diff(snap, TargetAllocation({"MSFT": "0.25"}))

    assert [
        (r.symbol, r.current_value, r.current_weight, r.target_weight, r.diff) for r in rows
    ] == [
        ("AAPL", D(500), D("0.5"), D(0), D("-0.5")),
        ("MSFT", D(0), D(0), D("0.25"), D("0.25")),
    ]


def test_as_of_is_kept_as_given_in_the_snapshot() -> None:
    assert snapshot(1).as_of == AS_OF


def test_equity_exactly_zero_is_an_account_not_an_error() -> None:
    # -20 + 2 x 10 = 0: a margin debit exactly covered by the holding.
    account = AccountSnapshot(
        cash=-20, positions={"A": 2}, prices={"A": 10}, as_of=AS_OF, account_id="a"
    )

    assert account.equity == 0


def test_equity_adds_every_priced_holding_and_ignores_a_zero_one() -> None:
    # 100 + 3 x 1.5 + 0.25 x 40 = 100 + 4.5 + 10 = 114.5; "C" is held at 0 with no price.
    account = AccountSnapshot(
        cash=100,
        positions={"A": 3, "B": "0.25", "C": 0},
        prices={"A": "1.5", "B": 40},
        as_of=AS_OF,
    )

    assert account.equity == D("114.5")
    assert account.value_of("B") == 10
    assert account.value_of("C") == 0
