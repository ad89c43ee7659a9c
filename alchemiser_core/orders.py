"""The legs of a plan: `OrderIntent` (to send) and `SkippedLeg` (not sent, with a reason)."""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, itemgetter

import attrs

from alchemiser_core._fields import decimal_in, strict_bool
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import EXACT_CONTEXT, ZERO, canonical
from alchemiser_core.symbols import validate_symbol

__all__ = ["MAX_CLIENT_ORDER_ID_LENGTH", "OrderIntent", "Side", "SkipReason", "SkippedLeg"]

#: Alpaca rejects longer client order ids.
MAX_CLIENT_ORDER_ID_LENGTH = 48


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


def _side(value: object) -> Side:
    if isinstance(value, str) and value in _SIDES:
        return Side(value)
    raise InvalidInputError("side", "'buy' or 'sell'", value)


def _skip_reason(value: object) -> SkipReason:
    if isinstance(value, str) and value in _REASONS:
        return SkipReason(value)
    raise InvalidInputError("reason", "a SkipReason", value)


_SIDES = frozenset(side.value for side in Side)
_REASONS = frozenset(reason.value for reason in SkipReason)


def _client_order_id(value: object) -> str:
    if (
        not isinstance(value, str)
        or not 0 < len(value) <= MAX_CLIENT_ORDER_ID_LENGTH
        or not value.isascii()
        or not value.isprintable()
        or " " in value
    ):
        raise InvalidInputError(
            "client_order_id",
            f"1 to {MAX_CLIENT_ORDER_ID_LENGTH} printable ASCII characters without spaces",
            value,
        )
    return value


def _symbol(value: object) -> str:
    return validate_symbol(value, "symbol")


def _detail(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInputError("detail", "a string", value)
    return value


def _to_qty(value: object) -> Decimal:
    return decimal_in(value, "qty", gt=ZERO)


def _to_ref_price(value: object) -> Decimal:
    return decimal_in(value, "ref_price", gt=ZERO)


def _to_target_weight(value: object) -> Decimal:
    return decimal_in(value, "target_weight", ge=ZERO)


def _to_current_weight(value: object) -> Decimal:
    return decimal_in(value, "current_weight", ge=ZERO)


def _to_qty_2(value: object) -> Decimal:
    return decimal_in(value, "qty", ge=ZERO)


def _to_notional(value: object) -> Decimal:
    return decimal_in(value, "notional", ge=ZERO)


def _to_is_full_exit(value: object) -> bool:
    return strict_bool(value, "is_full_exit")


@attrs.frozen(slots=True, repr=False)
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

    symbol: str = attrs.field(converter=_symbol)
    side: Side = attrs.field(converter=_side)
    qty: Decimal = attrs.field(converter=_to_qty)
    ref_price: Decimal = attrs.field(converter=_to_ref_price)
    client_order_id: str = attrs.field(converter=_client_order_id)
    target_weight: Decimal = attrs.field(default=ZERO, converter=_to_target_weight)
    current_weight: Decimal = attrs.field(default=ZERO, converter=_to_current_weight)
    is_full_exit: bool = attrs.field(default=False, converter=_to_is_full_exit)
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


#: An order before it has a client id: (symbol, side, qty, ref_price, target_weight,
#: current_weight, is_full_exit, notional). A plain tuple, not an attrs class, because
#: the planner makes one per symbol and a tuple costs a tenth of an instance.
Leg = tuple[str, Side, Decimal, Decimal, Decimal, Decimal, bool, Decimal]
_LEG_FIELDS = (
    "symbol",
    "side",
    "qty",
    "ref_price",
    "target_weight",
    "current_weight",
    "is_full_exit",
    "notional",
)
#: A leg's notional (its last field), for sort keys and sums.
leg_notional = itemgetter(7)
#: The leg an `OrderIntent` was made from (everything but its client order id).
leg_of: Callable[[OrderIntent], Leg] = attrgetter(*_LEG_FIELDS)

# The slots' own setters. The planner makes one OrderIntent per symbol, so it fills
# them a column at a time: `map` over a setter loops in C, and a slot's setter is
# faster than object.__setattr__ by name (frozen classes refuse plain setattr).
_new = object.__new__
_consume: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend
_LEG_SETTERS = tuple(vars(OrderIntent)[name].__set__ for name in _LEG_FIELDS)
_set_client_order_id = vars(OrderIntent)["client_order_id"].__set__


def intents_from_legs(legs: list[Leg], client_id_prefix: str) -> list[OrderIntent]:
    """Package-internal: an `OrderIntent` per checked leg, ids numbered from 0 in order.

    The legs' notionals are products (10 x 253.95 is 2539.50); they are made
    canonical here, the one place every order passes, as the constructor does.
    """
    orders = list(map(_new, repeat(OrderIntent, len(legs))))
    if orders:
        *columns, notionals = zip(*legs, strict=True)
        columns.append(tuple(map(canonical, notionals)))
        for setter, column in zip(_LEG_SETTERS, columns, strict=True):
            _consume(map(setter, orders, column))
        ids = [f"{client_id_prefix}{index}" for index in range(len(orders))]
        _consume(map(_set_client_order_id, orders, ids))
    return orders


@attrs.frozen(slots=True)
class SkippedLeg:
    """A leg the targets asked for that is not (fully) in the orders, and why.

    `qty` and `notional` are what was *not* ordered (0 when unknown or not applicable).
    """

    symbol: str = attrs.field(converter=_symbol)
    side: Side = attrs.field(converter=_side)
    reason: SkipReason = attrs.field(converter=_skip_reason)
    detail: str = attrs.field(default="", converter=_detail)
    qty: Decimal = attrs.field(default=ZERO, converter=_to_qty_2)
    notional: Decimal = attrs.field(default=ZERO, converter=_to_notional)

    @classmethod
    def _trusted(
        cls,
        symbol: str,
        side: Side,
        reason: SkipReason,
        detail: str,
        qty: Decimal,
        notional: Decimal,
    ) -> SkippedLeg:
        """Build from values the planner computed and already checked (skips conversion)."""
        leg = _new(cls)
        _set_leg_symbol(leg, symbol)
        _set_leg_side(leg, side)
        _set_leg_reason(leg, reason)
        _set_leg_detail(leg, detail)
        _set_leg_qty(leg, qty)
        _set_leg_notional(leg, notional)
        return leg


(
    _set_leg_symbol,
    _set_leg_side,
    _set_leg_reason,
    _set_leg_detail,
    _set_leg_qty,
    _set_leg_notional,
) = (getattr(SkippedLeg, field.name).__set__ for field in attrs.fields(SkippedLeg))
