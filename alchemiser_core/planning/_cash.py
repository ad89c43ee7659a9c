"""Fit a plan's buys into the cash it has: pro rata, then topped up lot by lot."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from alchemiser_core._contexts import RATIO_CONTEXT
from alchemiser_core.numeric import ONE, ZERO
from alchemiser_core.planning.orders import Leg, leg_notional


class Lot(NamedTuple):
    """How a leg trades: its quantity increment and its minimum order value."""

    increment: Decimal
    minimum: Decimal


class CashFit(NamedTuple):
    """`granted[i]` is what buy i may have (None: every buy as wanted); `leftover` the cash left."""

    granted: list[Decimal] | None
    leftover: Decimal


def fit_buys_to_cash(
    buys: Sequence[Leg], lots: Sequence[Lot], available: Decimal, multiplier: Decimal
) -> CashFit:
    """Quantities so that Σ qty x price x multiplier <= available, and the cash left.

    Pro rata first (each leg floored to its increment, so the total cannot grow),
    legs then under their minimum dropped, then one pass, largest unbought value
    first, that adds every increment still affordable. After that pass, for every
    reduced leg the leftover is below one more increment (or below the minimum
    order for a leg with nothing bought), since the leftover only ever shrinks.
    Runs in the caller's exact context.
    """
    wanted_cost = sum(map(leg_notional, buys), ZERO)
    if multiplier != ONE:
        wanted_cost *= multiplier
    if wanted_cost <= available:
        return CashFit(None, available - wanted_cost)
    if available <= ZERO:
        return CashFit([ZERO] * len(buys), available)
    granted = _pro_rata(buys, lots, _scale_within(available, wanted_cost))
    spent = sum((qty * leg.ref_price for qty, leg in zip(granted, buys, strict=True)), ZERO)
    leftover = _top_up(buys, lots, granted, available - spent * multiplier, multiplier)
    return CashFit(granted, leftover)


def _scale_within(available: Decimal, wanted_cost: Decimal) -> Decimal:
    """available / wanted_cost rounded down, so Σ floor(wanted x scale) x cost <= available."""
    scale = RATIO_CONTEXT.divide(available, wanted_cost)
    if RATIO_CONTEXT.multiply(scale, wanted_cost) > available:
        scale = RATIO_CONTEXT.next_minus(scale)
    return scale


def _pro_rata(buys: Sequence[Leg], lots: Sequence[Lot], scale: Decimal) -> list[Decimal]:
    """Each leg scaled down to its lot, and dropped if that leaves it under its minimum."""
    granted = []
    for leg, lot in zip(buys, lots, strict=True):
        qty = (leg.qty * scale) // lot.increment * lot.increment
        granted.append(qty if qty * leg.ref_price >= lot.minimum else ZERO)
    return granted


def _top_up(
    buys: Sequence[Leg],
    lots: Sequence[Lot],
    granted: list[Decimal],
    leftover: Decimal,
    multiplier: Decimal,
) -> Decimal:
    """Add every increment still affordable, largest unbought value first (then symbol);
    updates `granted` in place and returns the cash left."""

    def unbought_value(index: int) -> tuple[Decimal, str]:
        leg = buys[index]
        return (-(leg.qty - granted[index]) * leg.ref_price, leg.symbol)

    for index in sorted(range(len(buys)), key=unbought_value):
        leg, lot, qty = buys[index], lots[index], granted[index]
        if qty == leg.qty:
            continue
        unit_cost = leg.ref_price * lot.increment * multiplier
        steps = min(leftover // unit_cost, (leg.qty - qty) // lot.increment)
        new_qty = qty + steps * lot.increment
        if not steps or new_qty * leg.ref_price < lot.minimum:
            continue
        granted[index] = new_qty
        leftover -= steps * unit_cost
    return leftover
