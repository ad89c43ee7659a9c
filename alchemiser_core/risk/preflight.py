"""Per-order pre-trade checks against the asset's rules and the account (SEC 15c3-5 style).

Each denial carries a named reason; an expected problem is data, never an exception.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import NamedTuple

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import number, strict_bool
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO
from alchemiser_core.planning.account import AccountSnapshot
from alchemiser_core.planning.orders import OrderIntent, Side
from alchemiser_core.planning.plan import RebalancePlan
from alchemiser_core.venue import ALPACA, VenueRules

__all__ = ["Denial", "DenialReason", "Preflight", "preflight"]


class DenialReason(enum.StrEnum):
    """Why preflight refused an order."""

    NOT_TRADABLE = "not_tradable"
    OFF_INCREMENT = "qty_off_increment"
    NOT_FRACTIONABLE = "fraction_of_non_fractionable_asset"
    BELOW_MIN_NOTIONAL = "below_min_notional"
    SELL_EXCEEDS_HELD = "sell_exceeds_held"
    PRICE_OFF_TICK = "price_off_tick"
    DUPLICATE_LEG = "duplicate_leg"
    DUPLICATE_CLIENT_ORDER_ID = "duplicate_client_order_id"
    CONFLICTING_SIDES = "buy_and_sell_same_symbol"
    UNKNOWN_SYMBOL = "no_price_for_symbol"


@attrs.frozen(slots=True)
class Denial:
    """One refused order and why."""

    client_order_id: str
    symbol: str
    reason: DenialReason
    detail: str


@attrs.frozen(slots=True)
class Preflight:
    """`ok` iff no denials."""

    ok: bool
    denials: tuple[Denial, ...]

    def denied_ids(self) -> frozenset[str]:
        """Client order ids with at least one denial."""
        return frozenset(denial.client_order_id for denial in self.denials)


class _PlanBook(NamedTuple):
    """What the per-order checks need to know about the whole plan."""

    ids: Counter[str]
    legs: Counter[tuple[str, Side]]
    sides: dict[str, set[Side]]
    sold: dict[str, Decimal]

    @classmethod
    def of(cls, plan: RebalancePlan) -> _PlanBook:
        sides: dict[str, set[Side]] = {}
        sold: dict[str, Decimal] = {}
        for order in plan.orders:
            sides.setdefault(order.symbol, set()).add(order.side)
            if order.side is Side.SELL:
                sold[order.symbol] = EXACT_CONTEXT.add(sold.get(order.symbol, ZERO), order.qty)
        return cls(
            Counter(order.client_order_id for order in plan.orders),
            Counter((order.symbol, order.side) for order in plan.orders),
            sides,
            sold,
        )


def preflight(
    plan: RebalancePlan,
    snapshot: AccountSnapshot,
    *,
    limit_prices: Mapping[str, object] | None = None,
    allow_split_legs: bool = False,
    venue: VenueRules = ALPACA,
) -> Preflight:
    """Check every order of `plan` against `snapshot`'s rules, holdings and prices.

    * tradable; quantity on the asset's increment (its fractional increment when the
      asset is fractionable); a fraction only for a fractionable asset (a full exit of a
      fractional holding is allowed);
    * notional >= the asset's minimum, and >= the venue's fractional minimum ($1 at
      Alpaca) for a fractional quantity;
    * Σ sells of a symbol <= held; the price (the limit price given for the order's
      client id, else its reference price) on the tick, the venue's tick rule by default;
    * no repeated client order id, no buy and sell of one symbol, and no second leg of
      the same symbol and side unless `allow_split_legs` (after `enforce_limits` SPLIT).
    """
    if not isinstance(plan, RebalancePlan):
        raise InvalidInputError("plan", "a RebalancePlan", plan)
    if not isinstance(snapshot, AccountSnapshot):
        raise InvalidInputError("snapshot", "an AccountSnapshot", snapshot)
    if limit_prices is not None and not isinstance(limit_prices, Mapping):
        raise InvalidInputError(
            "limit_prices", "None or a mapping of client order id to price", limit_prices
        )
    strict_bool(allow_split_legs, "allow_split_legs")
    if not isinstance(venue, VenueRules):
        raise InvalidInputError("venue", "a VenueRules", venue)
    prices = {
        key: number(value, f"limit_prices[{key!r}]", gt=ZERO)
        for key, value in (limit_prices or {}).items()
    }
    book = _PlanBook.of(plan)
    denials: list[Denial] = []
    for order in plan.orders:
        deny = _denier(denials, order)
        _check_plan_shape(order, book, allow_split_legs, deny)
        _check_asset(order, snapshot, book, venue, deny)
        price = prices.get(order.client_order_id, order.ref_price)
        tick = snapshot.rules_for(order.symbol).price_increment or venue.tick_for(price)
        if EXACT_CONTEXT.remainder(price, tick):
            deny(DenialReason.PRICE_OFF_TICK, f"price {price} not on tick {tick}")
    return Preflight(ok=not denials, denials=tuple(denials))


_Deny = Callable[[DenialReason, str], None]


def _check_plan_shape(
    order: OrderIntent, book: _PlanBook, allow_split_legs: bool, deny: _Deny
) -> None:
    """Repeated ids, repeated legs and both sides of one symbol."""
    if book.ids[order.client_order_id] > 1:
        deny(DenialReason.DUPLICATE_CLIENT_ORDER_ID, "client order id used twice")
    legs = book.legs[(order.symbol, order.side)]
    if legs > 1 and not allow_split_legs:
        deny(DenialReason.DUPLICATE_LEG, f"{legs} legs")
    if len(book.sides[order.symbol]) > 1:
        deny(DenialReason.CONFLICTING_SIDES, "plan buys and sells this symbol")


def _check_asset(
    order: OrderIntent, snapshot: AccountSnapshot, book: _PlanBook, venue: VenueRules, deny: _Deny
) -> None:
    """The asset's rules and the holding: tradable, lot, fraction, minimum, enough held."""
    if order.symbol not in snapshot.prices:
        deny(DenialReason.UNKNOWN_SYMBOL, "snapshot has no price for it")
    rules = snapshot.rules_for(order.symbol)
    if not rules.tradable:
        deny(DenialReason.NOT_TRADABLE, "asset not tradable")
    held = snapshot.positions.get(order.symbol, ZERO)
    exits_fraction_held = order.side is Side.SELL and order.qty == held
    fractional_qty = order.qty != order.qty.to_integral_value()
    increment = rules.fractional_increment if rules.fractionable else rules.qty_increment
    if fractional_qty and not rules.fractionable and rules.qty_increment >= ONE:
        if not exits_fraction_held:
            deny(DenialReason.NOT_FRACTIONABLE, f"qty {order.qty}")
    elif EXACT_CONTEXT.remainder(order.qty, increment) and not exits_fraction_held:
        deny(DenialReason.OFF_INCREMENT, f"qty {order.qty} not a multiple of {increment}")
    minimum = rules.min_notional
    if fractional_qty and rules.fractionable:
        minimum = max(minimum, venue.fractional_min_notional)
    if order.notional < minimum:
        deny(DenialReason.BELOW_MIN_NOTIONAL, f"{order.notional} < {minimum}")
    if order.side is Side.SELL and book.sold[order.symbol] > held:
        deny(DenialReason.SELL_EXCEEDS_HELD, f"sells {book.sold[order.symbol]} of {held} held")


def _denier(denials: list[Denial], order: OrderIntent) -> _Deny:
    def deny(reason: DenialReason, detail: str) -> None:
        denials.append(Denial(order.client_order_id, order.symbol, reason, detail))

    return deny
