"""`RebalanceConfig`: the planning policy (reserve, minimum trade, rounding, drift band)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import attrs

from alchemiser_core._fields import decimal_in, strict_bool
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO

__all__ = ["DriftBand", "MissingPrice", "RebalanceConfig", "Rounding"]

Rounding = Literal["floor", "optimal"]
_ROUNDINGS: tuple[str, ...] = ("floor", "optimal")
MissingPrice = Literal["raise", "skip"]
_MISSING_PRICES: tuple[str, ...] = ("raise", "skip")


def _to_drift_band_absolute(value: object) -> Decimal:
    return decimal_in(value, "drift_band.absolute", ge=ZERO, le=ONE)


def _to_drift_band_relative(value: object) -> Decimal:
    return decimal_in(value, "drift_band.relative", ge=ZERO)


def _to_cash_reserve_pct(value: object) -> Decimal:
    return decimal_in(value, "cash_reserve_pct", ge=ZERO, lt=ONE)


def _to_min_trade_notional(value: object) -> Decimal:
    return decimal_in(value, "min_trade_notional", ge=ZERO)


def _to_buy_price_buffer_pct(value: object) -> Decimal:
    return decimal_in(value, "buy_price_buffer_pct", ge=ZERO, lt=ONE)


def _to_fractional(value: object) -> bool:
    return strict_bool(value, "fractional")


def _to_keep_unlisted(value: object) -> bool:
    return strict_bool(value, "keep_unlisted")


@attrs.frozen(slots=True)
class DriftBand:
    """Leave a position alone while it is close enough to its target.

    A leg is skipped (`SkipReason.WITHIN_DRIFT_BAND`) when
    ``|current value - target value| <= absolute x equity`` or
    ``<= relative x target value``. Full exits are never held back by the band.

    >>> DriftBand(absolute="0.01")
    DriftBand(absolute=Decimal('0.01'), relative=Decimal('0'))
    """

    absolute: Decimal = attrs.field(default=ZERO, converter=_to_drift_band_absolute)
    relative: Decimal = attrs.field(default=ZERO, converter=_to_drift_band_relative)


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


def _missing_price(value: object) -> MissingPrice:
    if value == "raise":
        return "raise"
    if value == "skip":
        return "skip"
    raise InvalidInputError("missing_price", f"one of {_MISSING_PRICES}", value)


@attrs.frozen(slots=True)
class RebalanceConfig:
    """Planning policy; the defaults are the audited system's (1% reserve, $5 minimum).

    `missing_price` says what a targeted symbol without a reference price does:
    ``"raise"`` (`MissingPriceError`, nothing planned) or ``"skip"`` (every priced leg
    is planned and the unpriced one is reported as a `SkippedLeg` with reason
    `MISSING_PRICE`). A *held* symbol always needs a price: without one the account
    cannot be valued, so no target can be sized.

    >>> RebalanceConfig().cash_reserve_pct, RebalanceConfig().min_trade_notional
    (Decimal('0.01'), Decimal('5'))
    """

    cash_reserve_pct: Decimal = attrs.field(default=Decimal("0.01"), converter=_to_cash_reserve_pct)
    min_trade_notional: Decimal = attrs.field(default=Decimal(5), converter=_to_min_trade_notional)
    fractional: bool = attrs.field(default=False, converter=_to_fractional)
    rounding: Rounding = attrs.field(default="floor", converter=_rounding)
    drift_band: DriftBand | None = attrs.field(default=None, converter=_drift_band)
    buy_price_buffer_pct: Decimal = attrs.field(default=ZERO, converter=_to_buy_price_buffer_pct)
    keep_unlisted: bool = attrs.field(default=False, converter=_to_keep_unlisted)
    missing_price: MissingPrice = attrs.field(default="raise", converter=_missing_price)
