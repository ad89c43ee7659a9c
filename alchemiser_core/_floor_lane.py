"""Floor-mode legs for symbols with the default asset rules, a column at a time.

`plan_rebalance` plans here when rounding is "floor", no symbol has its own
`AssetRules`, no drift band is set and the default lot is one whole share: the
common case, and the one a 5,000-symbol portfolio takes. The rules are those of
the per-symbol loop in `planner.py`, which a property test holds this to, leg for
leg and id for id:

* a buy, or a sell of a symbol still targeted, trades floor(|T_i - V_i| / p_i)
  shares; a sell of a symbol targeted at 0 sells exactly what is held;
* no whole share: skipped as zero after rounding (or not fractionable) when the
  gap is at least the minimum trade, else left out as dust;
* a notional below the minimum trade: skipped as below minimum.

Each step is a `map` over `Decimal` operators or a selection with
`itertools.compress`, so the work per symbol runs in C loops, not in bytecode.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import compress, repeat
from operator import floordiv, ge, gt, lt, mul, neg, not_
from typing import Any, TypeVar

from alchemiser_core.numeric import ZERO, canonical, ratios
from alchemiser_core.orders import Leg, Side, SkippedLeg, SkipReason, skipped_from_columns

_T = TypeVar("_T")


def floor_legs(
    symbols: list[str],
    weights: list[Decimal],
    prices: list[Decimal],
    held: list[Decimal] | None,
    current_values: list[Decimal] | None,
    deltas: list[Decimal],
    equity: Decimal,
    minimum: Decimal,
    zero_lot_reason: SkipReason,
    skipped: list[SkippedLeg],
) -> tuple[list[Leg], list[Leg]]:
    """(sells, buys), each in symbol order; skipped legs are added to `skipped`.

    `deltas` are T_i - V_i; `held` and `current_values` are None when nothing is held.
    """
    sides: list[list[Leg]] = []
    for side, wanted in ((Side.SELL, lt), (Side.BUY, gt)):
        if held is None and side is Side.SELL:  # all cash: T_i - V_i = T_i >= 0
            sides.append([])
            continue
        mask = list(map(wanted, deltas, repeat(ZERO)))
        if not any(mask):
            sides.append([])
            continue
        rows = None if all(mask) else mask
        side_deltas = _rows(deltas, rows)
        sides.append(
            _legs(
                side,
                _rows(symbols, rows),
                _rows(weights, rows),
                _rows(prices, rows),
                None if held is None else _rows(held, rows),
                None if current_values is None else _rows(current_values, rows),
                list(map(neg, side_deltas)) if side is Side.SELL else side_deltas,
                equity,
                minimum,
                zero_lot_reason,
                skipped,
            )
        )
    sells, buys = sides
    return sells, buys


def _legs(
    side: Side,
    symbols: list[str],
    weights: list[Decimal],
    prices: list[Decimal],
    held: list[Decimal] | None,
    current_values: list[Decimal] | None,
    gaps: list[Decimal],
    equity: Decimal,
    minimum: Decimal,
    zero_lot_reason: SkipReason,
    skipped: list[SkippedLeg],
) -> list[Leg]:
    """The legs of one side; `gaps` are |T_i - V_i| > 0."""
    # `//` gives an integer with exponent 0: already canonical.
    quantities = list(map(floordiv, gaps, prices))
    full_exits: list[bool] | None = None
    if side is Side.SELL and not all(weights):
        assert held is not None  # only a held symbol has a sell
        full_exits = list(map(not_, weights))
        quantities = [
            held_qty if exit_ else qty
            for qty, held_qty, exit_ in zip(quantities, held, full_exits, strict=True)
        ]
    if not all(quantities):
        zero_lots = list(map(not_, quantities))
        zero_symbols, zero_prices, zero_gaps = _keep(zero_lots, symbols, prices, gaps)
        _skip_zero_lots(
            side, zero_symbols, zero_prices, zero_gaps, minimum, zero_lot_reason, skipped
        )
        whole_lots = list(map(bool, quantities))
        symbols, weights, prices, quantities = _keep(
            whole_lots, symbols, weights, prices, quantities
        )
        current_values, full_exits = _keep_optional(whole_lots, current_values, full_exits)
    notionals = list(map(mul, quantities, prices))
    if minimum:
        small = list(map(lt, notionals, repeat(minimum)))
        if any(small):
            small_symbols, small_quantities, small_notionals = _keep(
                small, symbols, quantities, notionals
            )
            notional_texts = list(map(canonical, small_notionals))
            skipped += skipped_from_columns(
                small_symbols,
                side,
                SkipReason.BELOW_MINIMUM,
                [f"notional {text!s} < minimum {minimum!s}" for text in notional_texts],
                small_quantities,
                notional_texts,
            )
            large = list(map(not_, small))
            symbols, weights, prices, quantities, notionals = _keep(
                large, symbols, weights, prices, quantities, notionals
            )
            current_values, full_exits = _keep_optional(large, current_values, full_exits)
    return list(
        zip(
            symbols,
            repeat(side),
            quantities,
            prices,
            weights,
            repeat(ZERO) if current_values is None else ratios(current_values, equity),
            repeat(False) if full_exits is None else full_exits,
            notionals,
        )
    )


def _rows(column: list[_T], selectors: list[bool] | None) -> list[_T]:
    """The rows of `column` whose selector is true; all of them for None."""
    return column if selectors is None else list(compress(column, selectors))


def _keep(selectors: list[Any], *columns: list[Any]) -> list[list[Any]]:
    """Each column with only the rows whose selector is true.

    Typed `Any` because the columns differ in type; each caller unpacks them into
    annotated names.
    """
    return [list(compress(column, selectors)) for column in columns]


def _keep_optional(
    selectors: list[Any], current_values: list[Decimal] | None, full_exits: list[bool] | None
) -> tuple[list[Decimal] | None, list[bool] | None]:
    """`_keep` for the two columns that may be absent (nothing held; no full exit)."""
    return (
        None if current_values is None else list(compress(current_values, selectors)),
        None if full_exits is None else list(compress(full_exits, selectors)),
    )


def _skip_zero_lots(
    side: Side,
    symbols: list[str],
    prices: list[Decimal],
    gaps: list[Decimal],
    minimum: Decimal,
    reason: SkipReason,
    skipped: list[SkippedLeg],
) -> None:
    """Report the legs less than a share off target whose gap is at least the minimum."""
    if minimum:
        symbols, prices, gaps = _keep(list(map(ge, gaps, repeat(minimum))), symbols, prices, gaps)
    gap_texts = list(map(canonical, gaps))
    skipped += skipped_from_columns(
        symbols,
        side,
        reason,
        [
            f"needs {gap!s}, one increment costs {price!s}"
            for gap, price in zip(gap_texts, prices, strict=True)
        ],
        None,
        gap_texts,
    )
