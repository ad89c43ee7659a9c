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
5. `rounding="optimal"` then spends what is left on the extra increments that most
   reduce Σ |T_i - V_i| (see `alchemiser_core.optimal`).

All arithmetic runs in `EXACT_CONTEXT`, which traps any rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext

import attrs

from alchemiser_core.account import AccountSnapshot, AssetRules
from alchemiser_core.config import RebalanceConfig
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.numeric import EXACT_CONTEXT, ONE, RATIO_CONTEXT, ZERO, canonical, ratio
from alchemiser_core.optimal import Candidate, choose_extra_increments
from alchemiser_core.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.plan import RebalancePlan
from alchemiser_core.targets import TargetAllocation

__all__ = ["plan_rebalance"]

_DEFAULT_CONFIG = RebalanceConfig()
_PLACEHOLDER_ID = "pending"


@attrs.define(slots=True)
class _BuyLeg:
    """A buy being sized; mutable only inside one planning call."""

    symbol: str
    wanted: Decimal  # quantity the target asks for (floored to the increment)
    qty: Decimal  # quantity granted so far
    price: Decimal
    increment: Decimal
    minimum: Decimal
    target_value: Decimal
    current_value: Decimal
    target_weight: Decimal


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
    if not isinstance(targets, TargetAllocation):
        if not isinstance(targets, Mapping):
            raise InvalidInputError("targets", "a TargetAllocation or a mapping", targets)
        targets = TargetAllocation(targets)
    if not isinstance(config, RebalanceConfig):
        raise InvalidInputError("config", "a RebalanceConfig", config)
    with localcontext(EXACT_CONTEXT):
        return _plan(snapshot, targets, config)


def _plan(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> RebalancePlan:
    prices = snapshot.prices
    positions = snapshot.positions
    weights = targets.weights
    for symbol, weight in weights.items():
        if symbol not in prices and (weight or positions.get(symbol)):
            raise MissingPriceError(
                f"prices[{symbol!r}]", "a positive price for every targeted symbol", None
            )
    equity = canonical(snapshot.equity)
    reserve = canonical(equity * config.cash_reserve_pct)
    investable = equity - reserve
    min_trade = config.min_trade_notional
    band = config.drift_band

    sells: list[OrderIntent] = []
    buys: list[_BuyLeg] = []
    skipped: list[SkippedLeg] = []
    current_weights: dict[str, Decimal] = {}

    held = [symbol for symbol, qty in positions.items() if qty]
    symbols = sorted(set(held).union(weights)) if held else list(weights)
    for symbol in symbols:
        held_qty = positions.get(symbol, ZERO)
        listed = symbol in weights
        if not listed and config.keep_unlisted:
            continue
        weight = weights[symbol] if listed else ZERO
        if not weight and not held_qty:
            continue
        price = prices[symbol]
        current_value = held_qty * price if held_qty else ZERO
        target_value = weight * investable if weight else ZERO
        delta = target_value - current_value
        if not delta:
            continue
        side = Side.BUY if delta > ZERO else Side.SELL
        gap = delta.copy_abs()
        full_exit = not weight
        rules = snapshot.rules_for(symbol)
        if (
            band is not None
            and not full_exit
            and (gap <= band.absolute * equity or gap <= band.relative * target_value)
        ):
            skipped.append(
                SkippedLeg._trusted(
                    symbol, side, SkipReason.WITHIN_DRIFT_BAND, "", ZERO, canonical(gap)
                )
            )
            continue
        if not rules.tradable:
            skipped.append(
                SkippedLeg._trusted(
                    symbol,
                    side,
                    SkipReason.NOT_TRADABLE,
                    "asset not tradable",
                    ZERO,
                    canonical(gap),
                )
            )
            continue
        increment = rules.effective_increment(fractional=config.fractional)
        minimum = max(min_trade, rules.min_notional)
        if full_exit:
            qty = held_qty
        else:
            steps = gap // (price * increment)
            qty = canonical(steps * increment) if steps else ZERO
        if not qty:
            if gap >= minimum:
                reason = (
                    SkipReason.NOT_FRACTIONABLE
                    if config.fractional and not rules.fractionable
                    else SkipReason.ZERO_AFTER_ROUNDING
                )
                skipped.append(
                    SkippedLeg._trusted(
                        symbol,
                        side,
                        reason,
                        f"needs {canonical(gap)}, one increment costs {canonical(price * increment)}",
                        ZERO,
                        canonical(gap),
                    )
                )
            continue
        notional = qty * price
        if notional < minimum:
            skipped.append(
                SkippedLeg._trusted(
                    symbol,
                    side,
                    SkipReason.BELOW_MINIMUM,
                    f"notional {canonical(notional)} < minimum {minimum}",
                    qty,
                    canonical(notional),
                )
            )
            continue
        current_weights[symbol] = _weight_of(current_value, equity)
        if side is Side.SELL:
            sells.append(
                OrderIntent._trusted(
                    symbol,
                    side,
                    qty,
                    price,
                    _PLACEHOLDER_ID,
                    weight,
                    current_weights[symbol],
                    full_exit,
                    notional,
                )
            )
        else:
            buys.append(
                _BuyLeg(
                    symbol, qty, qty, price, increment, minimum, target_value, current_value, weight
                )
            )

    sell_total = sum((order.notional for order in sells), ZERO)
    available = snapshot.cash + sell_total - reserve
    multiplier = ONE + config.buy_price_buffer_pct
    leftover = _fit_buys_to_cash(buys, available, multiplier)
    if config.rounding == "optimal":
        _spend_leftover_optimally(
            buys, skipped, snapshot, targets, config, investable, leftover, multiplier, sells
        )

    orders: list[OrderIntent] = list(sells)
    for leg in buys:
        unbought = leg.wanted - leg.qty
        if leg.qty:
            if leg.symbol not in current_weights:
                current_weights[leg.symbol] = _weight_of(leg.current_value, equity)
            qty = canonical(leg.qty)
            orders.append(
                OrderIntent._trusted(
                    leg.symbol,
                    Side.BUY,
                    qty,
                    leg.price,
                    _PLACEHOLDER_ID,
                    leg.target_weight,
                    current_weights[leg.symbol],
                    False,
                    qty * leg.price,
                )
            )
        if unbought > ZERO:
            reason = SkipReason.REDUCED_FOR_CASH if leg.qty else SkipReason.INSUFFICIENT_CASH
            skipped.append(
                SkippedLeg._trusted(
                    leg.symbol,
                    Side.BUY,
                    reason,
                    f"wanted {leg.wanted}, cash allows {canonical(leg.qty)}",
                    canonical(unbought),
                    canonical(unbought * leg.price),
                )
            )
    return RebalancePlan.build(
        account_id=snapshot.account_id,
        as_of=snapshot.as_of,
        orders=orders,
        skipped=skipped,
        cash_before=snapshot.cash,
        reserve=reserve,
        equity=equity,
    )


def _weight_of(value: Decimal, equity: Decimal) -> Decimal:
    return ratio(value, equity)


def _fit_buys_to_cash(buys: list[_BuyLeg], available: Decimal, multiplier: Decimal) -> Decimal:
    """Shrink buys until Σ qty x price x multiplier <= available; return the cash left.

    Pro rata first (each leg floored to its increment, so the total cannot grow),
    legs then under their minimum dropped, then one pass, largest unbought value
    first, that adds every increment still affordable. After that pass, for every
    reduced leg the leftover is below one more increment (or below the minimum
    order for a leg with nothing bought), since the leftover only ever shrinks.
    """
    wanted_cost = sum((leg.wanted * leg.price for leg in buys), ZERO) * multiplier
    if wanted_cost <= available:
        return available - wanted_cost
    if available <= ZERO:
        for leg in buys:
            leg.qty = ZERO
        return available
    # Rounded down, so Σ floor(wanted x scale) x price x multiplier <= scale x cost <= available.
    scale = RATIO_CONTEXT.divide(available, wanted_cost)
    if RATIO_CONTEXT.multiply(scale, wanted_cost) > available:
        scale = RATIO_CONTEXT.next_minus(scale)
    spent = ZERO
    for leg in buys:
        steps = (leg.wanted * scale) // leg.increment
        qty = steps * leg.increment
        if qty * leg.price < leg.minimum:
            qty = ZERO
        leg.qty = qty
        spent += qty * leg.price * multiplier
    leftover = available - spent
    by_unbought = sorted(buys, key=lambda leg: (-(leg.wanted - leg.qty) * leg.price, leg.symbol))
    for leg in by_unbought:
        if leg.qty == leg.wanted:
            continue
        unit_cost = leg.price * leg.increment * multiplier
        affordable = leftover // unit_cost
        if not affordable:
            continue
        steps = min(affordable, (leg.wanted - leg.qty) // leg.increment)
        new_qty = leg.qty + steps * leg.increment
        if new_qty * leg.price < leg.minimum:
            continue
        leg.qty = new_qty
        leftover -= steps * unit_cost
    return leftover


def _spend_leftover_optimally(
    buys: list[_BuyLeg],
    skipped: list[SkippedLeg],
    snapshot: AccountSnapshot,
    targets: TargetAllocation,
    config: RebalanceConfig,
    investable: Decimal,
    leftover: Decimal,
    multiplier: Decimal,
    sells: list[OrderIntent],
) -> None:
    """Buy the extra increments chosen by `choose_extra_increments`; update legs and skips."""
    if leftover <= ZERO:
        return
    legs_by_symbol = {leg.symbol: leg for leg in buys}
    sold = {order.symbol for order in sells}
    blocked = {leg.symbol for leg in skipped if leg.reason in _BLOCKING_REASONS}
    candidates: list[Candidate] = []
    for symbol, weight in targets.weights.items():
        if not weight or symbol in sold or symbol in blocked:
            continue
        rules: AssetRules = snapshot.rules_for(symbol)
        if not rules.tradable:
            continue
        price = snapshot.prices[symbol]
        leg = legs_by_symbol.get(symbol)
        if leg is not None and leg.qty != leg.wanted:
            continue  # cash-limited already: every affordable increment was bought
        increment = rules.effective_increment(fractional=config.fractional)
        bought_value = leg.qty * price if leg is not None else ZERO
        residual = weight * investable - snapshot.value_of(symbol) - bought_value
        step_value = price * increment
        # Only a residual over half an increment is closer after one more increment.
        if residual + residual <= step_value:
            continue
        if leg is None and step_value < max(config.min_trade_notional, rules.min_notional):
            continue
        candidates.append(
            Candidate(symbol, residual + residual - step_value, step_value * multiplier, increment)
        )
    chosen = choose_extra_increments(candidates, leftover)
    if not chosen:
        return
    dropped_skips = set()
    for candidate in chosen:
        leg = legs_by_symbol.get(candidate.symbol)
        if leg is None:
            price = snapshot.prices[candidate.symbol]
            current_value = snapshot.value_of(candidate.symbol)
            weight = targets.weights[candidate.symbol]
            leg = _BuyLeg(
                candidate.symbol,
                ZERO,
                ZERO,
                price,
                candidate.increment,
                ZERO,
                weight * investable,
                current_value,
                weight,
            )
            buys.append(leg)
            dropped_skips.add(candidate.symbol)
        leg.qty += candidate.increment
        leg.wanted = leg.qty
    if dropped_skips:
        skipped[:] = [
            leg for leg in skipped if not (leg.symbol in dropped_skips and leg.side is Side.BUY)
        ]


_BLOCKING_REASONS = frozenset(
    {SkipReason.WITHIN_DRIFT_BAND, SkipReason.NOT_TRADABLE, SkipReason.BELOW_MINIMUM}
)
