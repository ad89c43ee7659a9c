"""`plan_rebalance`: snapshot + targets + config -> an exact, deterministic `RebalancePlan`.

Let E = cash + Σ qty x price, R = E x cash_reserve_pct, T_i = w_i x (E - R).

1. Sells: a holding worth V_i > T_i sells floor((V_i - T_i) / p_i) increments, never
   more than needed; a zero (or, without `keep_unlisted`, absent) weight sells exactly
   the held quantity.
2. Buys: floor((T_i - V_i) / p_i) increments.
3. A leg below the minimum trade (config or asset) is skipped with a reason.
4. Cash: Σ buy notional x (1 + buffer) <= cash + Σ sell notional - R. When short,
   buys are scaled down pro rata, then topped up increment by increment so no
   affordable increment of an under-target leg is left unbought. Nothing is ever
   sold to fund a buy unless its own target says so.
5. `rounding="optimal"` sells to the *nearest* increment instead (one more when the
   remainder is over half an increment, so the position ends closer to target),
   then spends what is left on the extra buy increments that most reduce
   Σ |T_i - V_i| (see `alchemiser_core.optimal`).

All arithmetic runs in `EXACT_CONTEXT`, which traps any rounding.

Written for speed, since a 5,000-symbol plan is a hot path for some users (see
docs/benchmarks.md): the arithmetic every symbol needs runs column-wise through
`map`; legs are plain tuples until the final `OrderIntent`s; and a symbol with the
default asset rules, no drift band, a non-zero weight and floor rounding takes a
short lane through the loop. Everything else takes `_size_leg`, the general path.
A property test checks that both give the same plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, localcontext
from itertools import repeat
from operator import attrgetter, floordiv, mul, sub

import attrs

from alchemiser_core._cash import cut_for_cash, fit_buys_to_cash
from alchemiser_core.account import DEFAULT_RULES, AccountSnapshot, AssetRules
from alchemiser_core.config import DriftBand, RebalanceConfig
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import EXACT_CONTEXT, ONE, ZERO, canonical, ratio
from alchemiser_core.optimal import NearMiss, SellOption, spend_leftover
from alchemiser_core.orders import Leg, Side, SkippedLeg, SkipReason, leg_notional
from alchemiser_core.plan import RebalancePlan, assemble
from alchemiser_core.targets import TargetAllocation, as_target_allocation

__all__ = ["plan_rebalance"]

_DEFAULT_CONFIG = RebalanceConfig()
# Side and SkipReason are StrEnums, so they compare as their values.
_SKIP_ORDER = attrgetter("symbol", "side", "reason")
_SELL = Side.SELL
_BUY = Side.BUY


def plan_rebalance(
    snapshot: AccountSnapshot,
    targets: TargetAllocation | Mapping[str, object],
    config: RebalanceConfig = _DEFAULT_CONFIG,
) -> RebalancePlan:
    """Plan the orders that move `snapshot` to `targets` under `config` (pure, exact).

    >>> from datetime import datetime, timezone
    >>> snap = AccountSnapshot(cash=10_000, positions={}, prices={"AAPL": 150, "MSFT": 400},
    ...                        as_of=datetime(2026, 1, 5, 15, tzinfo=timezone.utc))
    >>> plan = plan_rebalance(snap, {"AAPL": 0.5, "MSFT": 0.5})
    >>> [(o.side.value, str(o.qty), o.symbol) for o in plan.orders]  # T = 0.5 x 9,900 = 4,950
    [('buy', '33', 'AAPL'), ('buy', '12', 'MSFT')]
    >>> plan.cash_after  # 10,000 - 33 x 150 - 12 x 400
    Decimal('250')
    """
    if not isinstance(snapshot, AccountSnapshot):
        raise InvalidInputError("snapshot", "an AccountSnapshot", snapshot)
    targets = as_target_allocation(targets)
    if not isinstance(config, RebalanceConfig):
        raise InvalidInputError("config", "a RebalanceConfig", config)
    with localcontext(EXACT_CONTEXT):
        return _plan(snapshot, targets, config)


@attrs.frozen(slots=True)
class _Policy:
    """What sizing one leg needs besides the leg itself; built once per plan."""

    equity: Decimal
    band: DriftBand | None
    rules: FrozenMap[AssetRules]
    fractional: bool
    optimal: bool
    min_trade: Decimal

    def lot(self, symbol: str) -> tuple[AssetRules, Decimal, Decimal]:
        """(rules, quantity increment, minimum order value) for `symbol`."""
        rules = self.rules.get(symbol, DEFAULT_RULES)
        return (
            rules,
            rules.effective_increment(fractional=self.fractional),
            max(self.min_trade, rules.min_notional),
        )


def _plan(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> RebalancePlan:
    equity = snapshot.equity
    reserve = canonical(equity * config.cash_reserve_pct) if config.cash_reserve_pct else ZERO
    investable = equity - reserve
    optimal = config.rounding == "optimal"
    policy = _Policy(
        equity,
        config.drift_band,
        snapshot.rules,
        config.fractional,
        optimal,
        config.min_trade_notional,
    )
    _, default_increment, default_minimum = policy.lot("")
    # The short lane assumes whole default lots and no per-symbol rule or band.
    general = bool(snapshot.rules) or config.drift_band is not None or default_increment != ONE

    # The arithmetic every symbol needs, column-wise (C loops), in symbol order,
    # which the final stable sort relies on.
    symbols, weight_list, held_list, price_list, unpriced = _universe(snapshot, targets, config)
    target_values = list(map(mul, weight_list, repeat(investable)))
    if held_list is None:
        current_values: Iterable[Decimal] = repeat(ZERO)
        held_column: Iterable[Decimal] = repeat(ZERO)
        deltas = target_values
    else:
        current_values = list(map(mul, held_list, price_list))
        held_column = held_list
        deltas = list(map(sub, target_values, current_values))
    floor_steps = map(floordiv, map(abs, deltas), price_list)  # whole default lots

    sells: list[Leg] = []
    buys: list[Leg] = []
    residuals: list[Decimal] = []  # optimal mode: target - value after each buy
    near_misses: list[NearMiss] = []
    sell_options: list[SellOption] = []
    skipped = [_missing_price_leg(symbol, weight * investable) for symbol, weight in unpriced]
    for symbol, weight, price, held_qty, current_value, target_value, delta, steps in zip(
        symbols,
        weight_list,
        price_list,
        held_column,
        current_values,
        target_values,
        deltas,
        floor_steps,
        strict=False,  # the all-cash case zips endless repeat(ZERO) columns
    ):
        if delta > ZERO:
            is_sell = False
            gap = delta
        elif delta:
            is_sell = True
            gap = -delta
        else:
            continue
        if general or not weight or (optimal and is_sell):
            sized = _size_leg(
                policy,
                symbol,
                weight,
                price,
                held_qty,
                current_value,
                target_value,
                gap,
                is_sell,
                skipped,
                near_misses,
                sell_options,
            )
            if sized is None:
                continue
            qty, minimum = sized
        elif steps:
            qty = steps  # `//` gives an integer with exponent 0: already canonical
            minimum = default_minimum
        else:
            _report_zero_lot(
                policy,
                symbol,
                weight,
                price,
                current_value,
                gap,
                is_sell,
                DEFAULT_RULES,
                ONE,
                default_minimum,
                skipped,
                near_misses,
            )
            continue
        notional = qty * price
        side = _SELL if is_sell else _BUY
        if notional < minimum:
            notional_text = canonical(notional)
            skipped.append(
                SkippedLeg._trusted(
                    symbol,
                    side,
                    _BELOW_MINIMUM,
                    f"notional {notional_text!s} < minimum {minimum!s}",
                    qty,
                    notional_text,
                )
            )
            continue
        current_weight = ratio(current_value, equity) if current_value else ZERO
        leg = (symbol, side, qty, price, weight, current_weight, not weight, notional)
        if is_sell:
            sells.append(leg)
        else:
            buys.append(leg)
            if optimal:
                residuals.append(gap - notional)

    available = snapshot.cash + sum(map(leg_notional, sells), ZERO) - reserve
    multiplier = ONE + config.buy_price_buffer_pct
    lots = [policy.lot(leg[0])[1:] for leg in buys] if optimal else None
    granted, leftover = fit_buys_to_cash(buys, policy.lot, available, multiplier)
    wanted_buys = buys
    if granted is not None:
        buys = cut_for_cash(wanted_buys, granted, skipped)
    if optimal:  # even with no cash left, lots may be traded for better lots
        assert lots is not None
        sells, buys = spend_leftover(
            wanted_buys,
            lots,
            residuals,
            granted,
            sells,
            buys,
            near_misses,
            sell_options,
            skipped,
            leftover,
            multiplier,
        )

    # Submission order: sells, then buys; larger notional first, then symbol. The
    # legs are in symbol order, and a reverse sort is still stable.
    sells.sort(key=leg_notional, reverse=True)
    buys.sort(key=leg_notional, reverse=True)
    skipped.sort(key=_SKIP_ORDER)
    return assemble(
        account_id=snapshot.account_id,
        as_of=snapshot.as_of,
        sells=sells,
        buys=buys,
        skipped=skipped,
        cash_before=snapshot.cash,
        reserve=reserve,
        equity=equity,
    )


def _size_leg(
    policy: _Policy,
    symbol: str,
    weight: Decimal,
    price: Decimal,
    held_qty: Decimal,
    current_value: Decimal,
    target_value: Decimal,
    gap: Decimal,
    is_sell: bool,
    skipped: list[SkippedLeg],
    near_misses: list[NearMiss],
    sell_options: list[SellOption],
) -> tuple[Decimal, Decimal] | None:
    """The general path: (quantity, minimum order), or None if the leg was skipped."""
    side = _SELL if is_sell else _BUY
    full_exit = not weight
    band = policy.band
    if (
        band is not None
        and not full_exit
        and (gap <= band.absolute * policy.equity or gap <= band.relative * target_value)
    ):
        skipped.append(SkippedLeg._trusted(symbol, side, _BAND, "", ZERO, canonical(gap)))
        return None
    rules, increment, minimum = policy.lot(symbol)
    if not rules.tradable:
        skipped.append(
            SkippedLeg._trusted(
                symbol, side, _NOT_TRADABLE, "asset not tradable", ZERO, canonical(gap)
            )
        )
        return None
    if full_exit:
        return held_qty, minimum
    unit = price * increment
    steps = gap // unit
    if policy.optimal and is_sell:
        # Nearest lot: one more when the remainder exceeds half a lot, as long as the
        # position holds it. Under half a lot, one more becomes an option that the
        # knapsack may take to fund buys (see `spend_leftover`).
        remainder = gap - steps * unit
        if remainder and (steps + 1) * increment <= held_qty:
            if remainder + remainder > unit:
                steps += 1
            elif remainder + remainder < unit:
                current_weight = ratio(current_value, policy.equity)
                sell_options.append(
                    (
                        symbol,
                        remainder,
                        price,
                        weight,
                        current_weight,
                        increment,
                        minimum,
                        bool(steps),
                    )
                )
    if not steps:
        _report_zero_lot(
            policy,
            symbol,
            weight,
            price,
            current_value,
            gap,
            is_sell,
            rules,
            increment,
            minimum,
            skipped,
            near_misses,
        )
        return None
    return (steps if increment == ONE else canonical(steps * increment)), minimum


def _report_zero_lot(
    policy: _Policy,
    symbol: str,
    weight: Decimal,
    price: Decimal,
    current_value: Decimal,
    gap: Decimal,
    is_sell: bool,
    rules: AssetRules,
    increment: Decimal,
    minimum: Decimal,
    skipped: list[SkippedLeg],
    near_misses: list[NearMiss],
) -> None:
    """Less than one lot off target: note a buy for optimal mode; report it if material.

    Reported only when the gap is at least the minimum trade, so a plan is not
    filled with dust.
    """
    if policy.optimal and not is_sell:  # a candidate for an extra lot
        current_weight = ratio(current_value, policy.equity) if current_value else ZERO
        near_misses.append((symbol, gap, price, weight, current_weight, increment, minimum))
    if gap >= minimum:
        gap_text = canonical(gap)
        unit = price if increment == ONE else canonical(price * increment)
        skipped.append(
            SkippedLeg._trusted(
                symbol,
                _SELL if is_sell else _BUY,
                _NOT_FRACTIONABLE
                if policy.fractional and not rules.fractionable
                else _ZERO_AFTER_ROUNDING,
                f"needs {gap_text!s}, one increment costs {unit!s}",
                ZERO,
                gap_text,
            )
        )


def _universe(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> tuple[
    list[str], list[Decimal], list[Decimal] | None, list[Decimal], list[tuple[str, Decimal]]
]:
    """The symbols to plan, in order, with their weights, holdings (None: all cash), prices,
    and the targeted symbols left out for want of a price, with their weights.

    A held symbol without a weight is sold (weight 0) unless `keep_unlisted`. A
    symbol that is targeted or held must have a price, unless `missing_price="skip"`
    lets a targeted one go (a held one always has a price: `AccountSnapshot` checks);
    one with weight 0 that is not held needs none and is left out.
    """
    weights = targets.weights.view()
    prices = snapshot.prices.view()
    held: Mapping[str, Decimal] = snapshot.positions.view()
    if ZERO in held.values():  # a position of 0 counts as not held
        held = {symbol: qty for symbol, qty in held.items() if qty}
    held_list: list[Decimal] | None
    if not held:
        symbols = list(weights)
        weight_list = list(weights.values())
        held_list = None
    else:
        if config.keep_unlisted or held.keys() <= weights.keys():
            symbols = list(weights)  # already sorted
            weight_list = list(weights.values())
        else:
            symbols = sorted(held.keys() | weights.keys())
            weight_list = list(map(weights.get, symbols, repeat(ZERO)))
        held_list = list(map(held.get, symbols, repeat(ZERO)))
    try:
        return symbols, weight_list, held_list, list(map(prices.__getitem__, symbols)), []
    except KeyError:
        pass  # some symbol has no price: drop it if it may go unpriced, else raise
    keep = []
    unpriced = []
    for index, symbol in enumerate(symbols):
        if symbol in prices:
            keep.append(index)
        elif not weight_list[index]:
            continue  # not held (held symbols have prices) and not wanted: nothing to do
        elif config.missing_price == "skip":
            unpriced.append((symbol, weight_list[index]))
        else:
            raise MissingPriceError(
                f"prices[{symbol!r}]",
                "a positive price for every targeted symbol"
                " (or RebalanceConfig(missing_price='skip') to plan the rest)",
                None,
            )
    return (
        [symbols[i] for i in keep],
        [weight_list[i] for i in keep],
        None if held_list is None else [held_list[i] for i in keep],
        [prices[symbols[i]] for i in keep],
        unpriced,
    )


def _missing_price_leg(symbol: str, target_value: Decimal) -> SkippedLeg:
    value = canonical(target_value)
    return SkippedLeg._trusted(
        symbol, _BUY, SkipReason.MISSING_PRICE, f"no price; target value {value}", ZERO, value
    )


_BAND = SkipReason.WITHIN_DRIFT_BAND
_NOT_TRADABLE = SkipReason.NOT_TRADABLE
_NOT_FRACTIONABLE = SkipReason.NOT_FRACTIONABLE
_ZERO_AFTER_ROUNDING = SkipReason.ZERO_AFTER_ROUNDING
_BELOW_MINIMUM = SkipReason.BELOW_MINIMUM
