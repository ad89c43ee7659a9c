"""`RebalanceConfig`: the planning policy (reserve, minimum trade, rounding, drift band)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from alchemiser_core._fields import bool_converter, decimal_converter
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO

__all__ = ["DriftBand", "RebalanceConfig", "Rounding"]

Rounding = Literal["floor", "optimal"]
_ROUNDINGS: tuple[str, ...] = ("floor", "optimal")


@attrs.frozen(slots=True)
class DriftBand:
    """Leave a position alone while it is close enough to its target.

    A leg is skipped (`SkipReason.WITHIN_DRIFT_BAND`) when
    ``|current value - target value| <= absolute x equity`` or
    ``<= relative x target value``. Full exits are never held back by the band.

    >>> DriftBand(absolute="0.01")
    DriftBand(absolute=Decimal('0.01'), relative=Decimal('0'))
    """

    absolute: Decimal = attrs.field(
        default=ZERO, converter=decimal_converter("drift_band.absolute", ge=ZERO, le=ONE)
    )
    relative: Decimal = attrs.field(
        default=ZERO, converter=decimal_converter("drift_band.relative", ge=ZERO)
    )


def _drift_band(value: object) -> DriftBand | None:
    if value is None or isinstance(value, DriftBand):
        return value
    # A bare number means an absolute band in weight points, the common case.
    return DriftBand(absolute=value)


def _rounding(value: object) -> Rounding:
    if value == "floor":
        return "floor"
    if value == "optimal":
        return "optimal"
    raise InvalidInputError("rounding", f"one of {_ROUNDINGS}", value)


@attrs.frozen(slots=True)
class RebalanceConfig:
    """Planning policy; the defaults are the audited system's (1% reserve, $5 minimum).

    >>> RebalanceConfig().cash_reserve_pct, RebalanceConfig().min_trade_notional
    (Decimal('0.01'), Decimal('5'))
    """

    cash_reserve_pct: Decimal = attrs.field(
        default=Decimal("0.01"), converter=decimal_converter("cash_reserve_pct", ge=ZERO, lt=ONE)
    )
    min_trade_notional: Decimal = attrs.field(
        default=Decimal(5), converter=decimal_converter("min_trade_notional", ge=ZERO)
    )
    fractional: bool = attrs.field(default=False, converter=bool_converter("fractional"))
    rounding: Rounding = attrs.field(default="floor", converter=_rounding)
    drift_band: DriftBand | None = attrs.field(default=None, converter=_drift_band)
    buy_price_buffer_pct: Decimal = attrs.field(
        default=ZERO, converter=decimal_converter("buy_price_buffer_pct", ge=ZERO, lt=ONE)
    )
    keep_unlisted: bool = attrs.field(default=False, converter=bool_converter("keep_unlisted"))
