"""`TargetAllocation`: the weights a plan steers towards; what is not allocated stays cash."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_FLOOR, Decimal

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT, RATIO_CONTEXT
from alchemiser_core._fields import check_bounds, symbol_map
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.notebook import is_pandas
from alchemiser_core.numeric import ONE, ZERO, exact_sum, to_decimal

__all__ = ["WEIGHT_SUM_TOLERANCE", "TargetAllocation", "as_target_allocation"]

#: Weights may sum to 1 + this, to absorb float noise from a notebook's pandas column.
WEIGHT_SUM_TOLERANCE = Decimal("1e-9")
_NORMALIZED_PLACES = Decimal("1e-20")


def _weight(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    check_bounds(number, field, value, ge=ZERO, le=ONE)
    return number


def _to_weights(value: object) -> FrozenMap[Decimal]:
    return symbol_map(value, "weights", _weight)


@attrs.frozen(slots=True)
class TargetAllocation:
    """Symbol -> target weight of investable equity, each in [0, 1], summing to <= 1.

    The rest (1 - Σ weights) stays in cash. A weight of 0 means "exit".

    >>> TargetAllocation({"AAPL": 0.3, "MSFT": 0.3}).cash_weight  # 1 - 0.6
    Decimal('0.4')
    >>> TargetAllocation({"AAPL": 0.7, "MSFT": 0.5})
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: weights: expected weights summing to at most 1 (+1E-9), got Decimal('1.2')
    """

    weights: FrozenMap[Decimal] = attrs.field(converter=_to_weights)

    def __attrs_post_init__(self) -> None:
        total = self.total
        if total > ONE + WEIGHT_SUM_TOLERANCE:
            raise InvalidInputError(
                "weights", f"weights summing to at most 1 (+{WEIGHT_SUM_TOLERANCE})", total
            )

    @property
    def total(self) -> Decimal:
        """Σ weights, exact."""
        return exact_sum(self.weights.values())

    @property
    def cash_weight(self) -> Decimal:
        """The share of investable equity left in cash: max(0, 1 - Σ weights)."""
        return max(ZERO, EXACT_CONTEXT.subtract(ONE, self.total))

    def normalized(self) -> TargetAllocation:
        """Weights scaled to sum to exactly 1 (each floored to 20 places, the dust on the largest).

        >>> even = TargetAllocation({"A": "0.2", "B": "0.2", "C": "0.2"}).normalized()
        >>> even.total == 1, even.weights["A"]  # 1/3 floored to 20 places; A, first of the largest, takes the dust
        (True, Decimal('0.33333333333333333334'))
        """
        total = self.total
        if total == ZERO:
            raise InvalidInputError("weights", "at least one positive weight to normalise", total)
        scaled = {
            symbol: RATIO_CONTEXT.divide(weight, total).quantize(
                _NORMALIZED_PLACES, rounding=ROUND_FLOOR, context=RATIO_CONTEXT
            )
            for symbol, weight in self.weights.items()
        }
        # The dust goes to the largest weight, ties to the alphabetically first symbol.
        largest = min(scaled, key=lambda symbol: (-scaled[symbol], symbol))
        dust = EXACT_CONTEXT.subtract(ONE, exact_sum(scaled.values()))
        scaled[largest] = EXACT_CONTEXT.add(scaled[largest], dust)
        return TargetAllocation(scaled)


def as_target_allocation(targets: object) -> TargetAllocation:
    """`targets` itself, or a `TargetAllocation` of a symbol -> weight mapping or Series."""
    if isinstance(targets, TargetAllocation):
        return targets
    if not isinstance(targets, Mapping) and not is_pandas(targets, "Series"):
        raise InvalidInputError("targets", "a TargetAllocation or a mapping", targets)
    return TargetAllocation(targets)
