"""The legs of a plan: `OrderIntent` (to send) and `SkippedLeg` (not sent, with a reason)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import bounds, member, number, strict_bool, valid_symbol, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ZERO, canonical
from alchemiser_core.venue import ALPACA

__all__ = ["Leg", "OrderIntent", "Side", "SkipReason", "SkippedLeg", "leg_notional"]


class Side(enum.StrEnum):
    """Order side, spelled as Alpaca spells it."""

    BUY = "buy"
    SELL = "sell"


class SkipReason(enum.StrEnum):
    """Why a leg the targets asked for is not (fully) in the plan's orders."""

    BELOW_MINIMUM = "below_minimum"
    """Its notional is below the config's minimum trade or the asset's minimum."""
    NOT_TRADABLE = "not_tradable"
    """The asset's rules say it cannot be traded now."""
    ZERO_AFTER_ROUNDING = "zero_after_rounding"
    """Less than one quantity increment is needed."""
    NOT_FRACTIONABLE = "not_fractionable"
    """Only a fraction was needed, fractions were asked for, and the asset has none."""
    INSUFFICIENT_CASH = "insufficient_cash"
    """Cash + sell proceeds - reserve cannot pay for it (nothing of it is bought)."""
    REDUCED_FOR_CASH = "reduced_for_cash"
    """Part of it is bought; `qty` is the part that cash could not pay for."""
    WITHIN_DRIFT_BAND = "within_drift_band"
    """The position is within the config's drift band of its target."""
    BLOCKED_BY_LIMIT = "blocked_by_limit"
    """A pre-trade limit check failed and the policy removed this order."""
    REDUCE_ONLY = "reduce_only"
    """Trading is reduce-only (a limit policy or the REDUCING state): buys are dropped."""
    TRADING_HALTED = "trading_halted"
    """Trading is HALTED: no orders at all."""
    MISSING_PRICE = "missing_price"
    """No reference price for a targeted symbol (`RebalanceConfig(missing_price="skip")`);
    `notional` is its target value, `qty` 0 (it cannot be sized)."""


def _client_order_id(value: object, field: str = "client_order_id") -> str:
    limit = ALPACA.max_client_order_id_length
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= limit
        or not value.isascii()
        or not value.isprintable()
        or " " in value
    ):
        raise InvalidInputError(
            field, f"1 to {limit} printable ASCII characters without spaces", value
        )
    return value


def _detail(value: object, field: str = "detail") -> str:
    if not isinstance(value, str):
        raise InvalidInputError(field, "a string", value)
    return value


@attrs.frozen(slots=True, repr=False, field_transformer=value_fields)
class OrderIntent:
    """One order to send: side, quantity and the reference price it was sized at.

    `notional` is always ``qty x ref_price`` (computed, exact, canonical).

    >>> order = OrderIntent("AAPL", Side.BUY, qty=3, ref_price="150.25", client_order_id="x-1",
    ...                     target_weight="0.5", current_weight=0)
    >>> order.notional  # 3 x 150.25
    Decimal('450.75')
    >>> order
    OrderIntent(BUY 3 AAPL @ 150.25 = 450.75, id='x-1')
    """

    symbol: str = attrs.field(converter=valid_symbol)
    side: Side = attrs.field(converter=member, metadata=bounds(of=Side))
    qty: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))
    ref_price: Decimal = attrs.field(converter=number, metadata=bounds(gt=ZERO))
    client_order_id: str = attrs.field(converter=_client_order_id)
    #: The symbol's target weight, a fraction of investable equity (0.25 is 25%).
    target_weight: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    #: The holding's weight before the plan, a fraction of equity.
    current_weight: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    is_full_exit: bool = attrs.field(default=False, converter=strict_bool)
    notional: Decimal = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        notional = canonical(EXACT_CONTEXT.multiply(self.qty, self.ref_price))
        object.__setattr__(self, "notional", notional)

    def __repr__(self) -> str:
        exit_note = ", full exit" if self.is_full_exit else ""
        return (
            f"OrderIntent({self.side.name} {self.qty} {self.symbol} @ {self.ref_price}"
            f" = {self.notional}{exit_note}, id={self.client_order_id!r})"
        )

    @classmethod
    def _from_leg(cls, leg: Leg, client_order_id: str) -> OrderIntent:
        """The one fast constructor: for a leg the planner built from checked values.

        Sets the slots directly (a plan makes one order per symbol, and conversion
        would re-check what the planner already checked); the leg's notional, a
        product such as 10 x 253.95 = 2539.50, is made canonical as `__init__` does.
        """
        symbol, side, qty, ref_price, target_weight, current_weight, is_full_exit, notional = leg
        order = _new(cls)
        _set_symbol(order, symbol)
        _set_side(order, side)
        _set_qty(order, qty)
        _set_ref_price(order, ref_price)
        _set_client_order_id(order, client_order_id)
        _set_target_weight(order, target_weight)
        _set_current_weight(order, current_weight)
        _set_is_full_exit(order, is_full_exit)
        _set_notional(order, canonical(notional))
        return order

    def to_leg(self) -> Leg:
        """This order without its client order id."""
        return Leg(
            self.symbol,
            self.side,
            self.qty,
            self.ref_price,
            self.target_weight,
            self.current_weight,
            self.is_full_exit,
            self.notional,
        )


class Leg(NamedTuple):
    """An order before it has a client order id: what the planner builds per symbol.

    A `NamedTuple` rather than an attrs class because the planner makes one per
    symbol and a tuple is built several times faster; it holds checked values only.
    """

    symbol: str
    side: Side
    qty: Decimal
    ref_price: Decimal
    target_weight: Decimal
    current_weight: Decimal
    is_full_exit: bool
    notional: Decimal

    def resized(self, qty: Decimal) -> Leg:
        """The same leg at another quantity (same price), made canonical."""
        qty = canonical(qty)
        return self._replace(qty=qty, notional=qty * self.ref_price)


#: A leg's notional, for sort keys and sums (attrgetter reads it in C, once per leg).
leg_notional: Callable[[Leg], Decimal] = attrgetter("notional")

# The slots' own setters, taken once: `__init__` would convert and re-check every field,
# and a frozen class refuses plain attribute assignment; a slot's setter is also faster
# than object.__setattr__ by name.
_new = object.__new__
(
    _set_symbol,
    _set_side,
    _set_qty,
    _set_ref_price,
    _set_client_order_id,
    _set_target_weight,
    _set_current_weight,
    _set_is_full_exit,
    _set_notional,
) = (vars(OrderIntent)[field.name].__set__ for field in attrs.fields(OrderIntent))


@attrs.frozen(slots=True, field_transformer=value_fields)
class SkippedLeg:
    """A leg the targets asked for that is not (fully) in the orders, and why.

    `qty` and `notional` are what was *not* ordered (0 when unknown or not applicable).
    """

    symbol: str = attrs.field(converter=valid_symbol)
    side: Side = attrs.field(converter=member, metadata=bounds(of=Side))
    reason: SkipReason = attrs.field(converter=member, metadata=bounds(of=SkipReason))
    detail: str = attrs.field(default="", converter=_detail)
    qty: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    notional: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))

    @classmethod
    def _checked(
        cls,
        symbol: str,
        side: Side,
        reason: SkipReason,
        detail: str,
        qty: Decimal,
        notional: Decimal,
    ) -> SkippedLeg:
        """The one fast constructor: from values the planner computed and checked (canonical
        Decimals, a valid symbol); sets the slots without converting them again."""
        leg = _new(cls)
        _set_skipped_symbol(leg, symbol)
        _set_skipped_side(leg, side)
        _set_skipped_reason(leg, reason)
        _set_skipped_detail(leg, detail)
        _set_skipped_qty(leg, qty)
        _set_skipped_notional(leg, notional)
        return leg


(
    _set_skipped_symbol,
    _set_skipped_side,
    _set_skipped_reason,
    _set_skipped_detail,
    _set_skipped_qty,
    _set_skipped_notional,
) = (vars(SkippedLeg)[field.name].__set__ for field in attrs.fields(SkippedLeg))
