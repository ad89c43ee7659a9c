"""Fit a plan's buys into the cash it has: pro rata, then topped up lot by lot."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from alchemiser_core.account import AssetRules
from alchemiser_core.numeric import ONE, RATIO_CONTEXT, ZERO, canonical
from alchemiser_core.orders import Leg, SkippedLeg, SkipReason, leg_notional

Lot = Callable[[str], tuple[AssetRules, Decimal, Decimal]]


def fit_buys_to_cash(
    buys: list[Leg], lot: Lot, available: Decimal, multiplier: Decimal
) -> tuple[list[Decimal] | None, Decimal]:
    """Quantities so that Σ qty x price x multiplier <= available, and the cash left.

    None for the quantities means every buy fits as wanted. Otherwise: pro rata
    first (each leg floored to its increment, so the total cannot grow), legs then
    under their minimum dropped, then one pass, largest unbought value first, that
    adds every increment still affordable. After that pass, for every reduced leg
    the leftover is below one more increment (or below the minimum order for a leg
    with nothing bought), since the leftover only ever shrinks. Runs in the
    caller's exact context.
    """
    wanted_cost = sum(map(leg_notional, buys), ZERO)
    if multiplier != ONE:
        wanted_cost *= multiplier
    if wanted_cost <= available:
        return None, available - wanted_cost
    if available <= ZERO:
        return [ZERO] * len(buys), available
    # Rounded down, so Σ floor(wanted x scale) x price x multiplier <= scale x cost <= available.
    scale = RATIO_CONTEXT.divide(available, wanted_cost)
    if RATIO_CONTEXT.multiply(scale, wanted_cost) > available:
        scale = RATIO_CONTEXT.next_minus(scale)
    lots = [lot(leg[0])[1:] for leg in buys]
    granted: list[Decimal] = []
    spent = ZERO
    for leg, (increment, minimum) in zip(buys, lots, strict=True):
        wanted, price = leg[2], leg[3]
        qty = (wanted * scale) // increment * increment
        if qty * price < minimum:
            qty = ZERO
        granted.append(qty)
        spent += qty * price * multiplier
    leftover = available - spent
    by_unbought = sorted(
        range(len(buys)), key=lambda i: (-(buys[i][2] - granted[i]) * buys[i][3], buys[i][0])
    )
    for index in by_unbought:
        wanted, price = buys[index][2], buys[index][3]
        increment, minimum = lots[index]
        qty = granted[index]
        if qty == wanted:
            continue
        unit_cost = price * increment * multiplier
        affordable = leftover // unit_cost
        if not affordable:
            continue
        steps = min(affordable, (wanted - qty) // increment)
        new_qty = qty + steps * increment
        if new_qty * price < minimum:
            continue
        granted[index] = new_qty
        leftover -= steps * unit_cost
    return granted, leftover


def cut_for_cash(buys: list[Leg], granted: list[Decimal], skipped: list[SkippedLeg]) -> list[Leg]:
    """Buy legs at the granted quantities; what cash cut is reported as skipped."""
    legs: list[Leg] = []
    for leg, granted_qty in zip(buys, granted, strict=True):
        symbol, side, wanted, price, weight, current_weight, _, _ = leg
        if granted_qty == wanted:
            legs.append(leg)
            continue
        qty = canonical(granted_qty)
        if qty:
            legs.append((symbol, side, qty, price, weight, current_weight, False, qty * price))
        unbought = wanted - qty
        skipped.append(
            SkippedLeg._trusted(
                symbol,
                side,
                SkipReason.REDUCED_FOR_CASH if qty else SkipReason.INSUFFICIENT_CASH,
                f"wanted {wanted!s}, cash allows {qty!s}",
                canonical(unbought),
                canonical(unbought * price),
            )
        )
    return legs
