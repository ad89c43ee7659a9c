"""`size_position`: the largest quantity on the asset's increment that fits a target value."""

from __future__ import annotations

from decimal import Decimal

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import number
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ZERO, canonical
from alchemiser_core.planning.account import DEFAULT_RULES, AssetRules

__all__ = ["size_position"]


def size_position(
    target_value: object,
    price: object,
    rules: AssetRules = DEFAULT_RULES,
    *,
    fractional: bool | None = None,
) -> Decimal:
    """Largest quantity q on the increment with q x price <= target_value (floor, exact).

    q = floor(target_value / (price x increment)) x increment, where the increment is
    the asset's fractional increment when trading fractions (`fractional`, which
    defaults to whatever `rules.fractionable` allows) and its `qty_increment` otherwise.

    >>> size_position(1000, "333.34")  # floor(1000 / 333.34) = 2 whole shares
    Decimal('2')
    >>> size_position(100, 30, AssetRules(fractionable=True))  # 100 / 30, floored to 1e-9
    Decimal('3.333333333')
    """
    if not isinstance(rules, AssetRules):
        raise InvalidInputError("rules", "an AssetRules", rules)
    if fractional is not None and not isinstance(fractional, bool):
        raise InvalidInputError("fractional", "True, False or None", fractional)
    target = number(target_value, "target_value", ge=ZERO)
    unit_price = number(price, "price", gt=ZERO)
    use_fractions = rules.fractionable if fractional is None else fractional
    increment = rules.effective_increment(fractional=use_fractions)
    steps = whole_lots(target, EXACT_CONTEXT.multiply(unit_price, increment))
    return canonical(EXACT_CONTEXT.multiply(steps, increment))


def whole_lots(value: Decimal, lot_value: Decimal) -> Decimal:
    """Package-internal: how many whole lots worth `lot_value` fit in `value` (floor, exact).

    The one sizing rule: `size_position` and the planner (for each leg's gap) both use it.
    """
    return EXACT_CONTEXT.divide_int(value, lot_value)
