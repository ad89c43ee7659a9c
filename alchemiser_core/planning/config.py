"""`RebalanceConfig`: the planning policy (reserve, minimum trade, rounding, drift band)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from alchemiser_core._fields import bounds, label, number, one_of, strict_bool, value_fields
from alchemiser_core.numeric import ONE, ZERO

__all__ = ["DriftBand", "MissingPrice", "RebalanceConfig", "Rounding"]

Rounding = Literal["floor", "optimal"]
_ROUNDINGS: tuple[str, ...] = ("floor", "optimal")
MissingPrice = Literal["raise", "skip"]
_MISSING_PRICES: tuple[str, ...] = ("raise", "skip")


@attrs.frozen(slots=True, field_transformer=value_fields)
class DriftBand:
    """Leave a position alone while it is close enough to its target.

    A leg is skipped (`SkipReason.WITHIN_DRIFT_BAND`) when
    ``|current value - target value| <= absolute x equity`` or
    ``<= relative x target value``. Full exits are never held back by the band.

    >>> DriftBand(absolute="0.01")
    DriftBand(absolute=Decimal('0.01'), relative=Decimal('0'))
    """

    #: A fraction of equity (0.01 is one percentage point of weight).
    absolute: Decimal = attrs.field(
        default=ZERO, converter=number, metadata=label("drift_band.absolute", ge=ZERO, le=ONE)
    )
    #: A fraction of the target value (0.1 is 10% of it).
    relative: Decimal = attrs.field(
        default=ZERO, converter=number, metadata=label("drift_band.relative", ge=ZERO)
    )


def _drift_band(value: object) -> DriftBand | None:
    if value is None or isinstance(value, DriftBand):
        return value
    # A bare number means an absolute band in weight points, the common case.
    return DriftBand(absolute=value)


@attrs.frozen(slots=True, field_transformer=value_fields)
class RebalanceConfig:
    """Planning policy; by default a 1% cash reserve and a $5 minimum trade.

    `missing_price` says what a targeted symbol without a reference price does:
    ``"raise"`` (`MissingPriceError`, nothing planned) or ``"skip"`` (every priced leg
    is planned and the unpriced one is reported as a `SkippedLeg` with reason
    `MISSING_PRICE`). A *held* symbol always needs a price: without one the account
    cannot be valued, so no target can be sized.

    >>> RebalanceConfig().cash_reserve_pct, RebalanceConfig().min_trade_notional
    (Decimal('0.01'), Decimal('5'))
    """

    #: Cash kept back, a fraction of equity in [0, 1) (0.01 is 1%, not 0.01%).
    cash_reserve_pct: Decimal = attrs.field(
        default=Decimal("0.01"), converter=number, metadata=bounds(ge=ZERO, lt=ONE)
    )
    #: The smallest order value, in the account's currency.
    min_trade_notional: Decimal = attrs.field(
        default=Decimal(5), converter=number, metadata=bounds(ge=ZERO)
    )
    fractional: bool = attrs.field(default=False, converter=strict_bool)
    rounding: Rounding = attrs.field(
        default="floor", converter=one_of, metadata=bounds(choices=_ROUNDINGS)
    )
    drift_band: DriftBand | None = attrs.field(default=None, converter=_drift_band)
    #: Headroom for buys filling above their reference price, a fraction in [0, 1)
    #: (0.002 is 0.2%): buys are sized so that Σ notional x (1 + it) fits the cash.
    buy_price_buffer_pct: Decimal = attrs.field(
        default=ZERO, converter=number, metadata=bounds(ge=ZERO, lt=ONE)
    )
    keep_unlisted: bool = attrs.field(default=False, converter=strict_bool)
    missing_price: MissingPrice = attrs.field(
        default="raise", converter=one_of, metadata=bounds(choices=_MISSING_PRICES)
    )
