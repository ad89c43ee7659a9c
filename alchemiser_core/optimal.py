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
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from itertools import accumulate
from operator import itemgetter

import attrs

from alchemiser_core._fields import decimal_in
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import EXACT_CONTEXT, RATIO_CONTEXT, ZERO, canonical, to_decimal
from alchemiser_core.orders import Leg, Side, SkippedLeg
from alchemiser_core.symbols import validate_symbol

__all__ = ["SEARCH_STEPS", "Candidate", "choose_extra_increments"]

# An under-target symbol floor mode leaves at zero (less than one increment short):
# (symbol, residual, ref_price, target_weight, current_weight, increment, minimum).
NearMiss = tuple[str, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]
# A held position over target by `remainder` < half a lot after its nearest-lot sell:
# the `NearMiss` fields, then whether floor mode already sells some of it.
SellOption = tuple[str, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool]

#: Upper bound on branch-and-bound steps (each O(log N)) per plan.
SEARCH_STEPS = 20_000


def _symbol(value: object) -> str:
    return validate_symbol(value, "symbol")


def _to_gain(value: object) -> Decimal:
    return decimal_in(value, "gain", gt=ZERO)


def _to_cost(value: object) -> Decimal:
    return decimal_in(value, "cost", gt=ZERO)


def _to_increment(value: object) -> Decimal:
    return decimal_in(value, "increment", gt=ZERO)


@attrs.frozen(slots=True)
class Candidate:
    """One lot the optimiser may take: what it gains and what it costs.

    >>> Candidate("AAPL", gain=0, cost=150, increment=1)
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: gain: expected a number > 0, got 0
    """

    symbol: str = attrs.field(converter=_symbol)
    gain: Decimal = attrs.field(converter=_to_gain)  # reduction of Σ |target - value|
    cost: Decimal = attrs.field(converter=_to_cost)  # cash it uses, buffer included
    increment: Decimal = attrs.field(converter=_to_increment)

    @classmethod
    def _trusted(cls, symbol: str, gain: Decimal, cost: Decimal, increment: Decimal) -> Candidate:
        """Build from values the planner computed and already checked (skips conversion)."""
        item = _new(cls)
        _set_symbol(item, symbol)
        _set_gain(item, gain)
        _set_cost(item, cost)
        _set_increment(item, increment)
        return item


_new = object.__new__
_set_symbol, _set_gain, _set_cost, _set_increment = (
    getattr(Candidate, field.name).__set__ for field in attrs.fields(Candidate)
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
    greedy: list[int] = []
    greedy_value = 0
    room = capacity
    for index in range(n):
        if costs[index] <= room:
            greedy.append(index)
            room -= costs[index]
            greedy_value += gains[index]
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


def spend_leftover(
    wanted_buys: list[Leg],
    lots: list[tuple[Decimal, Decimal]],
    residuals: list[Decimal],
    granted: list[Decimal] | None,
    sells: list[Leg],
    buys: list[Leg],
    near_misses: list[NearMiss],
    sell_options: list[SellOption],
    skipped: list[SkippedLeg],
    leftover: Decimal,
    multiplier: Decimal,
) -> tuple[list[Leg], list[Leg]]:
    """Package-internal: (sells, buys) after the choice of `choose_extra_increments`.

    Items, each one lot (value u) of one symbol:

    * an extra buy lot: for every buy leg cash did not cut, and every under-target
      symbol floor mode left at zero whose one lot meets the minimum order, with a
      residual r > u / 2 below target: gain 2r - u, cost u x (1 + buffer);
    * when cash cut no buy, two kinds of lot that start *given up*, their cash in
      the budget, and that the status quo keeps: the last lot of a buy leg that
      keeps at least one lot above its minimum (kept: gain u, cost u x (1 + buffer)),
      and one more sell lot of a position left r < u / 2 over target by its
      nearest-lot sell (kept: gain u - 2r, cost u). Giving one up funds extra lots
      elsewhere when they gain more, which is how a mixed-integer solver would
      trade a cheap lot for a closer expensive one.

    `wanted_buys`, `lots` ((increment, minimum)), `residuals` and `granted` are
    parallel; runs in the caller's exact context.
    """
    candidates: list[Candidate] = []
    new_buys: dict[str, NearMiss] = {}
    for index, (leg, (increment, _), residual) in enumerate(
        zip(wanted_buys, lots, residuals, strict=True)
    ):
        if granted is not None and granted[index] != leg[2]:
            continue
        step_value = leg[3] * increment
        if residual + residual > step_value:
            candidates.append(_extra_lot(leg[0], residual, step_value, increment, multiplier))
    for near_miss in near_misses:
        symbol, residual, price, _, _, increment, minimum = near_miss
        step_value = price * increment
        if residual + residual > step_value >= minimum:
            new_buys[symbol] = near_miss
            candidates.append(_extra_lot(symbol, residual, step_value, increment, multiplier))
    extra_buys = len(candidates)
    kept_buy_lots: list[Candidate] = []
    kept_sell_lots: list[Candidate] = []
    new_sells: dict[str, NearMiss] = {}
    if granted is None:
        for leg, (increment, minimum) in zip(wanted_buys, lots, strict=True):
            symbol, _, qty, price = leg[:4]
            remaining = qty - increment
            if remaining >= increment and remaining * price >= minimum:
                step_value = price * increment
                leftover += step_value * multiplier
                kept_buy_lots.append(
                    Candidate._trusted(symbol, step_value, step_value * multiplier, increment)
                )
        sold = {leg[0] for leg in sells}
        for option in sell_options:
            symbol, remainder, price, _, _, increment, minimum, has_leg = option
            step_value = price * increment
            if has_leg and symbol not in sold:
                continue  # the floor sell itself was dropped (below the minimum)
            if not has_leg:
                if step_value < minimum:
                    continue
                new_sells[symbol] = option[:7]
            leftover += step_value
            kept_sell_lots.append(
                Candidate._trusted(
                    symbol, step_value - remainder - remainder, step_value, increment
                )
            )
    if leftover <= ZERO:
        return sells, buys
    status_quo = kept_buy_lots + kept_sell_lots
    chosen = {
        id(item)
        for item in choose_extra_increments(candidates + status_quo, leftover, prefer=status_quo)
    }
    buy_change: dict[str, Decimal] = {}
    for item in candidates[:extra_buys]:
        if id(item) in chosen:
            buy_change[item.symbol] = item.increment
    for item in kept_buy_lots:
        if id(item) not in chosen:
            buy_change[item.symbol] = buy_change.get(item.symbol, ZERO) - item.increment
    sell_change = {item.symbol: item.increment for item in kept_sell_lots if id(item) not in chosen}
    buy_change = {symbol: change for symbol, change in buy_change.items() if change}
    if buy_change:
        buys = _add_lots(buys, buy_change, new_buys, Side.BUY, skipped)
    if sell_change:
        sells = _add_lots(sells, sell_change, new_sells, Side.SELL, skipped)
    return sells, buys


def _extra_lot(
    symbol: str, residual: Decimal, step_value: Decimal, increment: Decimal, multiplier: Decimal
) -> Candidate:
    """One more buy lot for a position `residual` under target: |d| becomes u - d."""
    return Candidate._trusted(
        symbol, residual + residual - step_value, step_value * multiplier, increment
    )


def _add_lots(
    legs: list[Leg],
    extra: dict[str, Decimal],
    new_legs: Mapping[str, NearMiss],
    side: Side,
    skipped: list[SkippedLeg],
) -> list[Leg]:
    """`legs` with `extra[symbol]` more (or less) on each listed symbol, new legs for the rest.

    A leg only ever shrinks by a lot it keeps at least one lot after, so no leg
    empties and no leg drops below its minimum (the caller offers no other).
    """
    result: list[Leg] = []
    for leg in legs:
        increment = extra.pop(leg[0], None)
        if increment is None:
            result.append(leg)
        else:
            symbol, _, qty, price, weight, current_weight, full_exit, _ = leg
            qty = canonical(qty + increment)  # 1.999999999 + 1E-9 must read "2"
            result.append(
                (symbol, side, qty, price, weight, current_weight, full_exit, qty * price)
            )
    # What is left in `extra` are symbols floor mode traded none of.
    for symbol, increment in extra.items():
        _, _, price, weight, current_weight, _, _ = new_legs[symbol]
        result.append(
            (symbol, side, increment, price, weight, current_weight, False, increment * price)
        )
    if extra:
        skipped[:] = [leg for leg in skipped if not (leg.side is side and leg.symbol in extra)]
        result.sort(key=_SYMBOL)
    return result


_SYMBOL = itemgetter(0)
