"""A venue's trading rules as data: Alpaca's are the default, an adapter may supply others.

Everything the core knows about the venue it plans for lives here, in one value,
rather than as constants spread through the modules (nautilus_trader keeps the same
facts on its `Instrument`): how long a client order id may be, the fractional lot
and minimum, and the tick rule for prices.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from alchemiser_core._fields import bounds, number, value_fields, whole_number
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ZERO, ceil_checked, floor_checked, to_decimal

__all__ = ["ALPACA", "VenueRules", "default_tick", "round_price_to_tick"]


@attrs.frozen(slots=True, field_transformer=value_fields)
class VenueRules:
    """What a venue accepts.

    * `max_client_order_id_length`: Alpaca refuses longer ids (48);
    * `fractional_increment` / `fractional_min_notional`: the lot and the smallest
      order value of a fractional order (Alpaca: 1e-9 shares and $1);
    * prices at or above `sub_penny_below` trade in `tick`, those below it in
      `sub_penny_tick` (Alpaca: $1, 0.01 and 0.0001, the SEC's Rule 612).

    >>> ALPACA.tick_for(Decimal("1")), ALPACA.tick_for(Decimal("0.9999"))
    (Decimal('0.01'), Decimal('0.0001'))
    """

    max_client_order_id_length: int = attrs.field(
        default=48, converter=whole_number, metadata=bounds(ge=1)
    )
    fractional_increment: Decimal = attrs.field(
        default=Decimal("1e-9"), converter=number, metadata=bounds(gt=ZERO)
    )
    fractional_min_notional: Decimal = attrs.field(
        default=Decimal(1), converter=number, metadata=bounds(ge=ZERO)
    )
    sub_penny_below: Decimal = attrs.field(
        default=Decimal(1), converter=number, metadata=bounds(gt=ZERO)
    )
    tick: Decimal = attrs.field(default=Decimal("0.01"), converter=number, metadata=bounds(gt=ZERO))
    sub_penny_tick: Decimal = attrs.field(
        default=Decimal("0.0001"), converter=number, metadata=bounds(gt=ZERO)
    )

    def tick_for(self, price: Decimal) -> Decimal:
        """The price increment at `price` (a checked, positive Decimal)."""
        return self.tick if price >= self.sub_penny_below else self.sub_penny_tick


#: Alpaca's rules, the default everywhere a venue rule applies.
ALPACA = VenueRules()


def default_tick(price: object) -> Decimal:
    """Alpaca's sub-penny rule: prices >= $1 trade in cents, below $1 in 1/100 cent.

    >>> default_tick(Decimal("1")), default_tick(Decimal("0.9999"))
    (Decimal('0.01'), Decimal('0.0001'))
    """
    return ALPACA.tick_for(_positive(price, "price"))


def round_price_to_tick(price: object, side_is_buy: bool, tick: object = None) -> Decimal:
    """Round a limit price onto the tick, never more aggressive than intended.

    A buy rounds down (never pays more), a sell rounds up (never accepts less).
    Without an explicit tick, Alpaca's sub-penny rule applies to the price.

    >>> round_price_to_tick(Decimal("10.019"), side_is_buy=True)
    Decimal('10.01')
    >>> round_price_to_tick(Decimal("10.011"), side_is_buy=False)
    Decimal('10.02')
    """
    limit = _positive(price, "price")
    if not isinstance(side_is_buy, bool):
        raise InvalidInputError("side_is_buy", "True or False", side_is_buy)
    return round_checked_price(
        limit, side_is_buy, None if tick is None else _positive(tick, "tick")
    )


def round_checked_price(price: Decimal, side_is_buy: bool, tick: Decimal | None) -> Decimal:
    """Package-internal `round_price_to_tick` for a computed price (a quote plus a share
    of its spread may carry more places than a public input may) and a checked tick."""
    step = ALPACA.tick_for(price) if tick is None else tick
    return floor_checked(price, step) if side_is_buy else ceil_checked(price, step)


def _positive(value: object, field: str) -> Decimal:
    price = to_decimal(value, field)
    if price <= ZERO:
        raise InvalidInputError(field, "a number > 0", value)
    return price
