"""`allocation_diff`: where each symbol stands against its target, as weights of equity."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.numeric import ZERO, canonical, ratio
from alchemiser_core.planning.account import AccountSnapshot
from alchemiser_core.planning.targets import TargetAllocation, as_target_allocation

__all__ = ["WeightDiff", "allocation_diff"]


@attrs.frozen(slots=True)
class WeightDiff:
    """One symbol's standing: `diff` = `target_weight` - `current_weight` (of equity)."""

    symbol: str
    current_value: Decimal
    current_weight: Decimal
    target_weight: Decimal
    diff: Decimal


def allocation_diff(
    snapshot: AccountSnapshot, targets: TargetAllocation | Mapping[str, object]
) -> tuple[WeightDiff, ...]:
    """Per symbol held or targeted, sorted by symbol: value, weights and their difference.

    current_weight = quantity x price / equity; a held symbol missing from the
    targets has target weight 0, so its diff is minus its current weight.

    >>> from datetime import datetime, timezone
    >>> snap = AccountSnapshot(cash=500, positions={"AAPL": 5}, prices={"AAPL": 100, "MSFT": 50},
    ...                        as_of=datetime(2026, 1, 5, tzinfo=timezone.utc))
    >>> [(d.symbol, d.current_weight, d.diff) for d in allocation_diff(snap, {"MSFT": 1})]
    [('AAPL', Decimal('0.5'), Decimal('-0.5')), ('MSFT', Decimal('0'), Decimal('1'))]
    """
    if not isinstance(snapshot, AccountSnapshot):
        raise InvalidInputError("snapshot", "an AccountSnapshot", snapshot)
    targets = as_target_allocation(targets)
    equity = snapshot.equity
    weights = targets.weights
    symbols = sorted({s for s, q in snapshot.positions.items() if q} | set(weights))
    diffs = []
    for symbol in symbols:
        # Every held symbol has a price (AccountSnapshot checks), so an unpriced one is targeted.
        if symbol not in snapshot.prices and weights[symbol] > ZERO:
            raise MissingPriceError(
                f"prices[{symbol!r}]", "a price for every targeted symbol", None
            )
        value = snapshot.value_of(symbol)  # 0 when not held, priced or not
        current = ratio(value, equity)
        target = weights.get(symbol, ZERO)
        diffs.append(
            WeightDiff(
                symbol=symbol,
                current_value=value,
                current_weight=current,
                target_weight=target,
                diff=canonical(EXACT_CONTEXT.subtract(target, current)),
            )
        )
    return tuple(diffs)
