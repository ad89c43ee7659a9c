"""`PlanBuilder`: the per-plan work of `plan_rebalance`, held in one object.

The planner walks the symbols once and hands each one to the builder, which sizes
it, records an order leg or a skipped leg, and notes what optimal rounding may use
later. Then the builder fits the buys to the cash, spends what is left (optimal
mode) and assembles the plan. Every method reads and writes the builder's own
named lists; nothing is passed out to be filled in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import attrs

from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import ONE, ZERO, canonical, ratio
from alchemiser_core.planning._cash import CashFit, Lot, fit_buys_to_cash
from alchemiser_core.planning.account import DEFAULT_RULES, AssetRules
from alchemiser_core.planning.config import DriftBand, RebalanceConfig
from alchemiser_core.planning.optimal import Candidate, choose_extra_increments
from alchemiser_core.planning.orders import Leg, Side, SkippedLeg, SkipReason, leg_notional
from alchemiser_core.planning.plan import PlanBasis, RebalancePlan, skipped_order
from alchemiser_core.planning.sizing import whole_lots


class Standing(NamedTuple):
    """Where one symbol stands against its target: the planner's input per symbol."""

    symbol: str
    target_weight: Decimal
    ref_price: Decimal
    held_qty: Decimal
    current_value: Decimal
    target_value: Decimal
    #: |target_value - current_value| > 0, the value to trade.
    gap: Decimal
    side: Side

    @property
    def is_sell(self) -> bool:
        return self.side is Side.SELL


class NearMiss(NamedTuple):
    """A symbol less than one lot from target after floor sizing, that optimal mode may trade.

    `residual` is the value still to go; for a sell option, the value over target
    that remains after the nearest-lot sell, and `has_floor_leg` says whether floor
    mode already sells some of it.
    """

    symbol: str
    residual: Decimal
    ref_price: Decimal
    target_weight: Decimal
    current_weight: Decimal
    lot: Lot
    has_floor_leg: bool = False


class WantedBuy(NamedTuple):
    """A buy leg as sized, its lot, and (optimal mode) the value it leaves under target."""

    leg: Leg
    lot: Lot
    residual: Decimal


@attrs.frozen(slots=True)
class Policy:
    """What sizing one leg needs besides the leg itself; built once per plan."""

    equity: Decimal
    band: DriftBand | None
    rules: FrozenMap[AssetRules]
    fractional: bool
    optimal: bool
    min_trade: Decimal

    @classmethod
    def of(cls, equity: Decimal, config: RebalanceConfig, rules: FrozenMap[AssetRules]) -> Policy:
        return cls(
            equity,
            config.drift_band,
            rules,
            config.fractional,
            config.rounding == "optimal",
            config.min_trade_notional,
        )

    def rules_for(self, symbol: str) -> AssetRules:
        return self.rules.get(symbol, DEFAULT_RULES)

    def not_fractionable(self, rules: AssetRules) -> bool:
        """Fractions were asked for and this asset has none."""
        return self.fractional and not rules.fractionable

    def lot(self, rules: AssetRules) -> Lot:
        """The quantity increment and the minimum order value of an asset with `rules`."""
        return Lot(
            rules.effective_increment(fractional=self.fractional),
            max(self.min_trade, rules.min_notional),
        )


class PlanBuilder:
    """The legs of one plan as they are sized, and the steps that finish it."""

    __slots__ = ("near_misses", "policy", "sell_options", "sells", "skipped", "wanted_buys")

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.sells: list[Leg] = []
        self.wanted_buys: list[WantedBuy] = []
        self.skipped: list[SkippedLeg] = []
        self.near_misses: list[NearMiss] = []  # optimal mode: buys floor sizing left at 0
        self.sell_options: list[NearMiss] = []  # optimal mode: one more sell lot to offer

    # -- per symbol ---------------------------------------------------------------------

    def skip(
        self, standing: Standing, reason: SkipReason, detail: str, qty: Decimal, notional: Decimal
    ) -> None:
        """Record a leg that is not (fully) ordered; `qty`/`notional` are what is not."""
        self.skipped.append(
            SkippedLeg._checked(standing.symbol, standing.side, reason, detail, qty, notional)
        )

    def add_order(self, standing: Standing, qty: Decimal, lot: Lot) -> None:
        """Order `qty` of the symbol, or skip it when its value is below the lot's minimum."""
        notional = qty * standing.ref_price
        if notional < lot.minimum:
            notional = canonical(notional)
            detail = f"notional {notional!s} < minimum {lot.minimum!s}"
            self.skip(standing, SkipReason.BELOW_MINIMUM, detail, qty, notional)
            return
        current_weight = self._current_weight(standing)
        leg = Leg(
            standing.symbol,
            standing.side,
            qty,
            standing.ref_price,
            standing.target_weight,
            current_weight,
            not standing.target_weight,
            notional,
        )
        if standing.is_sell:
            self.sells.append(leg)
        else:
            self.wanted_buys.append(WantedBuy(leg, lot, standing.gap - notional))

    def size(self, standing: Standing) -> None:
        """The general path: drift band, tradability, the asset's lot, optimal rounding."""
        full_exit = not standing.target_weight
        if not full_exit and self._within_band(standing):
            self.skip(standing, SkipReason.WITHIN_DRIFT_BAND, "", ZERO, canonical(standing.gap))
            return
        rules = self.policy.rules_for(standing.symbol)
        lot = self.policy.lot(rules)
        if not rules.tradable:
            detail = "asset not tradable"
            self.skip(standing, SkipReason.NOT_TRADABLE, detail, ZERO, canonical(standing.gap))
            return
        if full_exit:
            self.add_order(standing, standing.held_qty, lot)
            return
        steps = self._lots_to_trade(standing, lot)
        if not steps:
            self.note_zero_lot(standing, lot, not_fractionable=self.policy.not_fractionable(rules))
            return
        qty = steps if lot.increment == ONE else canonical(steps * lot.increment)
        self.add_order(standing, qty, lot)

    def note_zero_lot(self, standing: Standing, lot: Lot, *, not_fractionable: bool) -> None:
        """Less than one lot off target: a near miss for optimal mode; skipped if material.

        Reported only when the gap is at least the minimum trade, so a plan is not
        filled with dust.
        """
        if self.policy.optimal and not standing.is_sell:
            self.near_misses.append(self._near_miss(standing, standing.gap, lot))
        if standing.gap < lot.minimum:
            return
        gap = canonical(standing.gap)
        price = standing.ref_price
        unit = price if lot.increment == ONE else canonical(price * lot.increment)
        reason = SkipReason.NOT_FRACTIONABLE if not_fractionable else SkipReason.ZERO_AFTER_ROUNDING
        self.skip(standing, reason, f"needs {gap!s}, one increment costs {unit!s}", ZERO, gap)

    def _within_band(self, standing: Standing) -> bool:
        band = self.policy.band
        return band is not None and (
            standing.gap <= band.absolute * self.policy.equity
            or standing.gap <= band.relative * standing.target_value
        )

    def _lots_to_trade(self, standing: Standing, lot: Lot) -> Decimal:
        """floor(gap / lot value); in optimal mode a sell goes to the *nearest* lot.

        A sell remainder over half a lot takes one more lot (if held); up to half a
        lot, one more lot becomes an option that the knapsack may take to fund buys
        (at exactly half a lot it costs this position nothing: r over becomes r under).
        """
        unit = standing.ref_price * lot.increment
        steps = whole_lots(standing.gap, unit)
        if not (self.policy.optimal and standing.is_sell):
            return steps
        remainder = standing.gap - steps * unit
        if not remainder or (steps + 1) * lot.increment > standing.held_qty:
            return steps
        if remainder + remainder > unit:
            return steps + 1
        option = self._near_miss(standing, remainder, lot)._replace(has_floor_leg=bool(steps))
        self.sell_options.append(option)
        return steps

    def _current_weight(self, standing: Standing) -> Decimal:
        value = standing.current_value
        return ratio(value, self.policy.equity) if value else ZERO

    def _near_miss(self, standing: Standing, residual: Decimal, lot: Lot) -> NearMiss:
        return NearMiss(
            standing.symbol,
            residual,
            standing.ref_price,
            standing.target_weight,
            self._current_weight(standing),
            lot,
        )

    # -- the whole plan -----------------------------------------------------------------

    def fit_to_cash(self, available: Decimal, multiplier: Decimal) -> tuple[list[Leg], CashFit]:
        """The buys that cash allows; what it cut is recorded as skipped."""
        wanted = self.wanted_buys
        fit = fit_buys_to_cash(
            [buy.leg for buy in wanted], [buy.lot for buy in wanted], available, multiplier
        )
        if fit.granted is None:
            return [buy.leg for buy in wanted], fit
        buys = []
        for buy, granted in zip(wanted, fit.granted, strict=True):
            leg = buy.leg
            if granted == leg.qty:
                buys.append(leg)
                continue
            reduced = leg.resized(granted)
            if reduced.qty:
                buys.append(reduced)
            unbought = leg.qty - reduced.qty
            self.skipped.append(
                SkippedLeg._checked(
                    leg.symbol,
                    leg.side,
                    SkipReason.REDUCED_FOR_CASH if reduced.qty else SkipReason.INSUFFICIENT_CASH,
                    f"wanted {leg.qty!s}, cash allows {reduced.qty!s}",
                    canonical(unbought),
                    canonical(unbought * leg.ref_price),
                )
            )
        return buys, fit

    def build(self, basis: PlanBasis, buys: list[Leg]) -> RebalancePlan:
        """The plan: sells, then buys, each larger notional first, then symbol."""
        # The legs are in symbol order, and a reverse sort is still stable.
        sells = sorted(self.sells, key=leg_notional, reverse=True)
        buys = sorted(buys, key=leg_notional, reverse=True)
        self.skipped.sort(key=skipped_order)
        return RebalancePlan._from_legs(basis, sells, buys, self.skipped)

    # -- optimal rounding ---------------------------------------------------------------

    def spend_leftover(self, buys: list[Leg], fit: CashFit, multiplier: Decimal) -> list[Leg]:
        """Optimal mode: trade the lots `choose_extra_increments` picks; returns the buys.

        Items, each one lot (value u) of one symbol:

        * an extra buy lot: for every buy leg cash did not cut, and every under-target
          symbol floor mode left at zero whose one lot meets the minimum order, with a
          residual r > u / 2 below target: gain 2r - u, cost u x (1 + buffer);
        * when cash cut no buy, two kinds of lot that start *given up*, their cash in
          the budget, and that the status quo keeps: the last lot of a buy leg that
          keeps at least one lot above its minimum (kept: gain u, cost u x (1 +
          buffer)), and one more sell lot of a position left r <= u / 2 over target by
          its nearest-lot sell (kept: gain u - 2r, cost u). Giving one up funds extra
          lots elsewhere when they gain more, which is how a mixed-integer solver
          would trade a cheap lot for a closer expensive one.
        """
        extra_buys, new_buys = self._extra_buy_lots(fit, multiplier)
        budget = fit.leftover
        kept_buys: list[Candidate] = []
        kept_sells: list[Candidate] = []
        new_sells: dict[str, NearMiss] = {}
        if fit.granted is None:
            kept_buys = self._kept_buy_lots(multiplier)
            kept_sells, new_sells = self._kept_sell_lots()
            budget += sum((lot.cost for lot in kept_buys + kept_sells), ZERO)
        if budget <= ZERO:
            return buys
        status_quo = kept_buys + kept_sells
        chosen = {
            id(item)
            for item in choose_extra_increments(extra_buys + status_quo, budget, prefer=status_quo)
        }
        buy_change: dict[str, Decimal] = {}
        for item in extra_buys:
            if id(item) in chosen:
                buy_change[item.symbol] = item.increment
        for item in kept_buys:
            if id(item) not in chosen:
                buy_change[item.symbol] = buy_change.get(item.symbol, ZERO) - item.increment
        sell_change = {item.symbol: item.increment for item in kept_sells if id(item) not in chosen}
        self.sells = self._change_lots(self.sells, sell_change, new_sells, Side.SELL)
        return self._change_lots(
            buys, {s: c for s, c in buy_change.items() if c}, new_buys, Side.BUY
        )

    def _extra_buy_lots(
        self, fit: CashFit, multiplier: Decimal
    ) -> tuple[list[Candidate], dict[str, NearMiss]]:
        """One more lot for every buy leg cash did not cut, and for every near miss."""
        extra: list[Candidate] = []
        for index, buy in enumerate(self.wanted_buys):
            if fit.granted is not None and fit.granted[index] != buy.leg.qty:
                continue
            lot_value = buy.leg.ref_price * buy.lot.increment
            if buy.residual + buy.residual > lot_value:
                extra.append(
                    _extra_lot(buy.leg.symbol, buy.residual, lot_value, buy.lot, multiplier)
                )
        new_buys: dict[str, NearMiss] = {}
        for near_miss in self.near_misses:
            lot_value = near_miss.ref_price * near_miss.lot.increment
            if near_miss.residual + near_miss.residual > lot_value >= near_miss.lot.minimum:
                new_buys[near_miss.symbol] = near_miss
                extra.append(
                    _extra_lot(
                        near_miss.symbol, near_miss.residual, lot_value, near_miss.lot, multiplier
                    )
                )
        return extra, new_buys

    def _kept_buy_lots(self, multiplier: Decimal) -> list[Candidate]:
        """The last lot of each buy leg that keeps one more lot above its minimum."""
        kept = []
        for buy in self.wanted_buys:
            leg, lot = buy.leg, buy.lot
            remaining = leg.qty - lot.increment
            if remaining >= lot.increment and remaining * leg.ref_price >= lot.minimum:
                lot_value = leg.ref_price * lot.increment
                kept.append(
                    Candidate._checked(leg.symbol, lot_value, lot_value * multiplier, lot.increment)
                )
        return kept

    def _kept_sell_lots(self) -> tuple[list[Candidate], dict[str, NearMiss]]:
        """One more sell lot of each position left at most half a lot over target."""
        sold = {leg.symbol for leg in self.sells}
        kept = []
        new_sells: dict[str, NearMiss] = {}
        for option in self.sell_options:
            lot_value = option.ref_price * option.lot.increment
            if option.has_floor_leg and option.symbol not in sold:
                continue  # the floor sell itself was dropped (below the minimum)
            if not option.has_floor_leg:
                if lot_value < option.lot.minimum:
                    continue
                new_sells[option.symbol] = option
            gain = lot_value - option.residual - option.residual
            kept.append(Candidate._checked(option.symbol, gain, lot_value, option.lot.increment))
        return kept, new_sells

    def _change_lots(
        self, legs: list[Leg], change: dict[str, Decimal], new_legs: dict[str, NearMiss], side: Side
    ) -> list[Leg]:
        """`legs` with `change[symbol]` more (or fewer) units, and new legs for the rest.

        A leg only ever shrinks by a lot it keeps at least one lot after, so no leg
        empties and none drops below its minimum (`_kept_buy_lots` offers no other).
        """
        if not change:
            return legs
        result = [
            leg.resized(leg.qty + change.pop(leg.symbol)) if leg.symbol in change else leg
            for leg in legs
        ]
        for symbol, qty in change.items():  # symbols floor mode traded none of
            near_miss = new_legs[symbol]
            result.append(
                Leg(
                    symbol,
                    side,
                    qty,
                    near_miss.ref_price,
                    near_miss.target_weight,
                    near_miss.current_weight,
                    False,
                    qty * near_miss.ref_price,
                )
            )
        if change:
            self.skipped = [
                leg for leg in self.skipped if not (leg.side is side and leg.symbol in change)
            ]
            result.sort(key=_symbol)
        return result


def _extra_lot(
    symbol: str, residual: Decimal, lot_value: Decimal, lot: Lot, multiplier: Decimal
) -> Candidate:
    """One more buy lot for a position `residual` under target: |d| becomes u - d."""
    return Candidate._checked(
        symbol, residual + residual - lot_value, lot_value * multiplier, lot.increment
    )


def _symbol(leg: Leg) -> str:
    return leg.symbol
