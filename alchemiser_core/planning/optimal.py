"""Spend a plan's leftover cash on the extra increments that most reduce tracking error.

After the floor pass every under-target position i has a residual d_i = T_i - V_i
with 0 <= d_i < u_i, where u_i = price x increment is the value of one more
increment. Buying it changes |d_i| into u_i - d_i, a gain of 2 d_i - u_i, which is
positive only when d_i > u_i / 2; a second extra increment only moves further
away. So the problem is a 0/1 knapsack: choose items maximising Σ gain_i within
the leftover cash, where an item costs u_i x (1 + buy buffer).

`choose_extra_increments` solves it exactly by depth-first branch and bound
(Horowitz-Sahni, with the Dantzig LP bound), items ranked by gain per dollar,
starting from the greedy solution (take by ratio every item that still fits). The
search is capped at `SEARCH_STEPS` steps so that a hard instance costs a bounded
time: the answer is then the best found, never worse than greedy, which is itself
within one item's gain of the optimum. All arithmetic is on exact integers (the
Decimals scaled by a common power of ten), so the result is exact and
deterministic: ties are broken by symbol.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Sequence
from decimal import Decimal
from itertools import accumulate

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT, RATIO_CONTEXT
from alchemiser_core._fields import bounds, number, valid_symbol, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ZERO, to_decimal

__all__ = ["SEARCH_STEPS", "Candidate", "choose_extra_increments"]

#: Upper bound on branch-and-bound steps (each O(log N)) per plan.
SEARCH_STEPS = 20_000


@attrs.frozen(slots=True, field_transformer=value_fields)
class Candidate:
    """One lot the optimiser may take: what it gains and what it costs.

    >>> Candidate("AAPL", gain=0, cost=150, increment=1)
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: gain: expected a number > 0, got 0
    """

    symbol: str = attrs.field(converter=valid_symbol)
    #: The reduction of Σ |target - value| the lot brings.
    gain: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))
    #: The cash it uses, buy buffer included.
    cost: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))
    increment: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))

    @classmethod
    def _checked(cls, symbol: str, gain: Decimal, cost: Decimal, increment: Decimal) -> Candidate:
        """The one fast constructor: from values the planner computed and checked. The
        planner offers one per near miss, so it sets the slots without converting."""
        item = _new(cls)
        _set_symbol(item, symbol)
        _set_gain(item, gain)
        _set_cost(item, cost)
        _set_increment(item, increment)
        return item


_new = object.__new__
_set_symbol, _set_gain, _set_cost, _set_increment = (
    vars(Candidate)[field.name].__set__ for field in attrs.fields(Candidate)
)


def choose_extra_increments(
    candidates: Sequence[Candidate],
    budget: Decimal,
    *,
    max_steps: int = SEARCH_STEPS,
    prefer: Collection[Candidate] = (),
) -> list[Candidate]:
    """The items of greatest total gain whose total cost fits the budget (ratio order).

    `prefer` (matched by identity) is a status quo that fits the budget: it is
    returned unless another choice gains strictly more, so an equally good
    alternative never causes orders.

    >>> c = [Candidate("A", Decimal(60), Decimal(100), Decimal(1)),
    ...      Candidate("B", Decimal(50), Decimal(60), Decimal(1)),
    ...      Candidate("C", Decimal(10), Decimal(50), Decimal(1))]
    >>> [x.symbol for x in choose_extra_increments(c, Decimal(120))]  # B + C: gain 60
    ['B', 'C']
    >>> [x.symbol for x in choose_extra_increments(c, Decimal(160))]  # A + B: 110 beats B + C
    ['B', 'A']
    """
    budget = to_decimal(budget, "budget")
    if type(max_steps) is not int or max_steps < 1:  # bool is an int subclass: refused
        raise InvalidInputError("max_steps", "a positive int", max_steps)
    if not all(isinstance(item, Candidate) for item in candidates):
        raise InvalidInputError("candidates", "a sequence of Candidate", candidates)
    affordable = [item for item in candidates if item.cost <= budget]
    if budget <= ZERO or not affordable:
        return []
    gains, costs, capacity = _scaled(affordable, budget)
    order = _by_ratio(affordable, gains, costs)
    preferred = {id(item) for item in prefer}
    status_quo = [
        position for position, index in enumerate(order) if id(affordable[index]) in preferred
    ]
    chosen = _branch_and_bound(
        [gains[i] for i in order], [costs[i] for i in order], capacity, max_steps, status_quo
    )
    return [affordable[order[position]] for position in chosen]


def _scaled(items: list[Candidate], budget: Decimal) -> tuple[list[int], list[int], int]:
    """Gains, costs and budget as exact integers in units of 10^e (e the finest exponent)."""
    exponent = _exponent(budget)
    for item in items:
        exponent = min(exponent, _exponent(item.gain), _exponent(item.cost))
    scale = EXACT_CONTEXT.scaleb
    shift = Decimal(-exponent)
    return (
        [int(scale(item.gain, shift)) for item in items],
        [int(scale(item.cost, shift)) for item in items],
        int(scale(budget, shift)),
    )


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite: planner values
    return exponent


def _by_ratio(items: list[Candidate], gains: list[int], costs: list[int]) -> list[int]:
    """Indices by gain/cost descending, then symbol: exact, as the LP bound needs.

    A 28-digit quotient sorts almost everything; an insertion pass with exact
    cross-multiplication then fixes the few neighbours it could not tell apart.
    """
    divide = RATIO_CONTEXT.divide
    order = sorted(range(len(items)), key=lambda i: (-divide(gains[i], costs[i]), items[i].symbol))

    def before(a: int, b: int) -> bool:  # a strictly precedes b
        left, right = gains[a] * costs[b], gains[b] * costs[a]
        return left > right or (left == right and items[a].symbol < items[b].symbol)

    for position in range(1, len(order)):
        current = order[position]
        back = position
        while back and before(current, order[back - 1]):
            order[back] = order[back - 1]
            back -= 1
        order[back] = current
    return order


def _greedy(costs: list[int], capacity: int) -> list[int]:
    """Every item, in ratio order, that still fits: within one item's gain of the optimum."""
    chosen = []
    room = capacity
    for index, cost in enumerate(costs):
        if cost <= room:
            chosen.append(index)
            room -= cost
    return chosen


def _branch_and_bound(
    gains: list[int], costs: list[int], capacity: int, max_steps: int, status_quo: list[int]
) -> list[int]:
    """Exact 0/1 knapsack over items sorted by gain/cost descending (Horowitz-Sahni).

    Returns the chosen positions, ascending. Starts from the status quo, replaced by
    the greedy fill or anything the search finds only if strictly better; after
    `max_steps` units of work it returns the best solution found so far.
    """
    n = len(gains)
    best = status_quo
    best_value = sum(gains[index] for index in status_quo)
    greedy = _greedy(costs, capacity)
    greedy_value = sum(gains[index] for index in greedy)
    if greedy_value > best_value:
        best, best_value = greedy, greedy_value
    cost_prefix = [0, *accumulate(costs)]  # Σ of the first k items
    gain_prefix = [0, *accumulate(gains)]
    taken: list[int] = []  # ascending positions on the current path
    value = 0
    room = capacity
    j = 0  # items before j are decided
    work = 0
    while work < max_steps:
        work += 1
        if j < n:
            # Dantzig bound from j with `room` left: whole items j..r-1, a fraction of r.
            r = bisect_right(cost_prefix, cost_prefix[j] + room, lo=j) - 1
            whole_cost = cost_prefix[r] - cost_prefix[j]
            whole_gain = gain_prefix[r] - gain_prefix[j]
            if r < n:
                # An improvement is worth at least 1 (integers): prune unless
                # value + whole_gain + (room - whole_cost) x g_r / c_r >= best_value + 1.
                spare = room - whole_cost
                prune = (best_value + 1 - value - whole_gain) * costs[r] > spare * gains[r]
            else:
                prune = value + whole_gain <= best_value
            if not prune:
                taken.extend(range(j, r))  # forward: the run that fits, then skip r
                work += r - j
                value += whole_gain
                room -= whole_cost
                j = r + 1 if r < n else n
                if j < n:
                    continue
        if j >= n and value > best_value:
            best_value = value
            best = taken.copy()
        if not taken:
            break
        last = taken.pop()  # backtrack: the branch without the last item taken
        value -= gains[last]
        room += costs[last]
        j = last + 1
    return best
