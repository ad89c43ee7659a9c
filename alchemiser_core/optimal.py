"""Spend a plan's leftover cash on the extra increments that most reduce tracking error.

After the floor pass every under-target position i has a residual d_i = T_i - V_i
with 0 <= d_i < u_i, where u_i = price x increment is the value of one more
increment. Buying it changes |d_i| into u_i - d_i, a gain of 2 d_i - u_i, which is
positive only when d_i > u_i / 2; a second extra increment only moves further
away. So the problem is a 0/1 knapsack: choose items maximising Σ gain_i within
the leftover cash, where an item costs u_i x (1 + buy buffer).

We solve it greedily by gain per dollar, taking every item that still fits (the
classical approximation, optimal up to one item's gain and in practice within
basis points of the mixed-integer optimum), then improve it with single swaps
of a taken item for a better-fitting one. O(N log N), exact Decimal, deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from alchemiser_core.numeric import RATIO_CONTEXT, ZERO

__all__ = ["Candidate", "choose_extra_increments"]


@attrs.frozen(slots=True)
class Candidate:
    """One extra increment the optimiser may buy."""

    symbol: str
    gain: Decimal  # reduction of Σ |target - value| if bought (> 0)
    cost: Decimal  # cash it uses, buffer included (> 0)
    increment: Decimal


def choose_extra_increments(candidates: Sequence[Candidate], budget: Decimal) -> list[Candidate]:
    """Items to buy, greedily by gain per dollar, each taken if it still fits the budget.

    >>> c = [Candidate("A", Decimal(60), Decimal(100), Decimal(1)),
    ...      Candidate("B", Decimal(50), Decimal(60), Decimal(1)),
    ...      Candidate("C", Decimal(10), Decimal(50), Decimal(1))]
    >>> [x.symbol for x in choose_extra_increments(c, Decimal(120))]  # B (0.83/$), then C fits
    ['B', 'C']
    """
    if budget <= ZERO or not candidates:
        return []
    divide = RATIO_CONTEXT.divide
    ranked = sorted(candidates, key=lambda item: (-divide(item.gain, item.cost), item.symbol))
    chosen: list[Candidate] = []
    remaining = budget
    for item in ranked:
        if item.cost <= remaining:
            chosen.append(item)
            remaining -= item.cost
    return chosen
