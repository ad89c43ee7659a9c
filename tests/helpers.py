"""Small builders shared by the tests (kept explicit so each test shows its numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

from alchemiser_core import AccountSnapshot, AssetRules, RebalancePlan, Side
from alchemiser_core.numeric import exact_context

AS_OF = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)

_EXACT = exact_context()


def snapshot(
    cash: object,
    positions: Mapping[str, object] | None = None,
    prices: Mapping[str, object] | None = None,
    rules: Mapping[str, AssetRules] | None = None,
) -> AccountSnapshot:
    return AccountSnapshot(
        cash=cash, positions=positions or {}, prices=prices or {}, as_of=AS_OF, rules=rules or {}
    )


def legs(plan: RebalancePlan) -> list[tuple[str, str, Decimal]]:
    """(side, symbol, qty) per order, in plan order."""
    return [(order.side.value, order.symbol, order.qty) for order in plan.orders]


def apply_plan(before: AccountSnapshot, plan: RebalancePlan) -> AccountSnapshot:
    """The account after every order fills at its reference price."""
    positions = dict(before.positions)
    cash = before.cash
    for order in plan.orders:
        held = positions.get(order.symbol, Decimal(0))
        if order.side is Side.BUY:
            positions[order.symbol] = _EXACT.add(held, order.qty)
            cash = _EXACT.subtract(cash, order.notional)
        else:
            positions[order.symbol] = _EXACT.subtract(held, order.qty)
            cash = _EXACT.add(cash, order.notional)
    return AccountSnapshot(
        cash=cash,
        positions=positions,
        prices=before.prices,
        as_of=before.as_of,
        account_id=before.account_id,
        rules=before.rules,
    )
