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
   Σ |T_i - V_i| (see `alchemiser_core.planning.optimal`).

All arithmetic runs in an exact context, which traps any rounding. The per-plan
work is held by `PlanBuilder` (`alchemiser_core.planning._builder`); this module
finds the symbols to plan and walks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, localcontext
from itertools import repeat
from typing import NamedTuple

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.numeric import ONE, ZERO, canonical
from alchemiser_core.planning._builder import PlanBuilder, Policy, Standing
from alchemiser_core.planning._cash import Lot
from alchemiser_core.planning.account import DEFAULT_RULES, AccountSnapshot
from alchemiser_core.planning.config import RebalanceConfig
from alchemiser_core.planning.orders import Side, SkippedLeg, SkipReason, leg_notional
from alchemiser_core.planning.plan import PlanBasis, RebalancePlan
from alchemiser_core.planning.sizing import whole_lots
from alchemiser_core.planning.targets import TargetAllocation, as_target_allocation

__all__ = ["plan_rebalance"]

_DEFAULT_CONFIG = RebalanceConfig()
_BUY, _SELL = Side.BUY, Side.SELL


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


def _plan(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> RebalancePlan:
    equity = snapshot.equity
    reserve = canonical(equity * config.cash_reserve_pct) if config.cash_reserve_pct else ZERO
    builder = PlanBuilder(Policy.of(equity, config, snapshot.rules))
    universe = _universe(snapshot, targets, config)
    for symbol, target_weight in universe.unpriced:
        builder.skipped.append(_missing_price_leg(symbol, target_weight * (equity - reserve)))
    _size_all(builder, universe.standings(equity - reserve), _short_lane(builder.policy, snapshot))

    available = snapshot.cash + sum(map(leg_notional, builder.sells), ZERO) - reserve
    multiplier = ONE + config.buy_price_buffer_pct
    buys, fit = builder.fit_to_cash(available, multiplier)
    if builder.policy.optimal:  # even with no cash left, lots may be traded for better lots
        buys = builder.spend_leftover(buys, fit, multiplier)
    basis = PlanBasis(snapshot.account_id, snapshot.as_of, snapshot.cash, reserve, equity)
    return builder.build(basis, buys)


def _short_lane(policy: Policy, snapshot: AccountSnapshot) -> Lot | None:
    """The default lot when every symbol may take the short lane (whole default lots, no
    per-symbol rules, no drift band), else None: every symbol takes `PlanBuilder.size`."""
    lot = policy.lot(DEFAULT_RULES)
    if snapshot.rules or policy.band is not None or lot.increment != ONE:
        return None
    return lot


def _size_all(builder: PlanBuilder, standings: Iterable[Standing], short_lane: Lot | None) -> None:
    """Size every symbol. A symbol on the short lane (see `_short_lane`) with a weight, and
    not an optimal-mode sell, is floor((T - V) / p) whole shares; the rest take the
    general path. A property test checks that both give the same plan."""
    optimal = builder.policy.optimal
    not_fractionable = builder.policy.not_fractionable(DEFAULT_RULES)
    for standing in standings:
        if short_lane is None or not standing.target_weight or (optimal and standing.is_sell):
            builder.size(standing)
            continue
        whole_shares = whole_lots(standing.gap, standing.ref_price)  # exponent 0: canonical
        if whole_shares:
            builder.add_order(standing, whole_shares, short_lane)
        else:
            builder.note_zero_lot(standing, short_lane, not_fractionable=not_fractionable)


class _Universe(NamedTuple):
    """The symbols to plan, in symbol order, with their weights, holdings and prices."""

    symbols: list[str]
    target_weights: list[Decimal]
    held: list[Decimal] | None  # None: the account holds nothing
    prices: list[Decimal]
    unpriced: list[tuple[str, Decimal]]  # targeted symbols left out for want of a price

    def standings(self, investable: Decimal) -> Iterator[Standing]:
        """Each symbol off target, with T = w x investable and V = held x price."""
        held = self.held if self.held is not None else repeat(ZERO)
        for symbol, weight, qty, price in zip(
            self.symbols, self.target_weights, held, self.prices, strict=False
        ):
            target_value = weight * investable
            current_value = qty * price if qty else ZERO
            delta = target_value - current_value
            if delta > ZERO:
                yield Standing(symbol, weight, price, qty, current_value, target_value, delta, _BUY)
            elif delta:
                yield Standing(
                    symbol, weight, price, qty, current_value, target_value, -delta, _SELL
                )


def _universe(
    snapshot: AccountSnapshot, targets: TargetAllocation, config: RebalanceConfig
) -> _Universe:
    """The symbols to plan: targeted ones, and held ones (weight 0) unless `keep_unlisted`.

    A symbol that is targeted or held must have a price, unless `missing_price="skip"`
    lets a targeted one go (a held one always has a price: `AccountSnapshot` checks);
    one with weight 0 that is not held needs none and is left out.
    """
    weights = targets.weights.view()
    held = {symbol: qty for symbol, qty in snapshot.positions.view().items() if qty}
    if not held or config.keep_unlisted or held.keys() <= weights.keys():
        symbols = list(weights)  # already sorted
        target_weights = list(weights.values())
    else:
        symbols = sorted(held.keys() | weights.keys())
        target_weights = [weights.get(symbol, ZERO) for symbol in symbols]
    held_qty = [held.get(symbol, ZERO) for symbol in symbols] if held else None
    prices = snapshot.prices.view()
    if all(symbol in prices for symbol in symbols):
        return _Universe(symbols, target_weights, held_qty, [prices[s] for s in symbols], [])
    return _without_unpriced(_Universe(symbols, target_weights, held_qty, [], []), prices, config)


def _without_unpriced(
    universe: _Universe, prices: Mapping[str, Decimal], config: RebalanceConfig
) -> _Universe:
    """`universe` less its symbols without a price: dropped when not wanted, listed as
    unpriced under `missing_price="skip"`, else `MissingPriceError`."""
    keep = []
    unpriced = []
    for index, symbol in enumerate(universe.symbols):
        weight = universe.target_weights[index]
        if symbol in prices:
            keep.append(index)
        elif not weight:
            continue  # not held (held symbols have prices) and not wanted: nothing to do
        elif config.missing_price == "skip":
            unpriced.append((symbol, weight))
        else:
            raise MissingPriceError(
                f"prices[{symbol!r}]",
                "a positive price for every targeted symbol"
                " (or RebalanceConfig(missing_price='skip') to plan the rest)",
                None,
            )
    held = universe.held
    return _Universe(
        [universe.symbols[i] for i in keep],
        [universe.target_weights[i] for i in keep],
        None if held is None else [held[i] for i in keep],
        [prices[universe.symbols[i]] for i in keep],
        unpriced,
    )


def _missing_price_leg(symbol: str, target_value: Decimal) -> SkippedLeg:
    value = canonical(target_value)
    return SkippedLeg._checked(
        symbol, Side.BUY, SkipReason.MISSING_PRICE, f"no price; target value {value}", ZERO, value
    )
