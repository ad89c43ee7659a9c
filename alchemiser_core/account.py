"""What the account holds now (`AccountSnapshot`) and how each asset may trade (`AssetRules`)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs

from alchemiser_core._fields import (
    aware_datetime,
    check_bounds,
    decimal_in,
    identifier,
    strict_bool,
    symbol_map,
)
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import EXACT_CONTEXT, ONE, ZERO, canonical, to_decimal

__all__ = ["AccountSnapshot", "AssetRules"]

#: Alpaca accepts fractional quantities to nine decimal places.
ALPACA_FRACTIONAL_INCREMENT = Decimal("0.000000001")


def _to_qty_increment(value: object) -> Decimal:
    return decimal_in(value, "qty_increment", gt=ZERO)


def _to_min_notional(value: object) -> Decimal:
    return decimal_in(value, "min_notional", ge=ZERO)


def _to_fractional_increment(value: object) -> Decimal:
    return decimal_in(value, "fractional_increment", gt=ZERO)


def _to_cash(value: object) -> Decimal:
    return decimal_in(value, "cash")


def _to_price_increment(value: object) -> Decimal | None:
    return None if value is None else decimal_in(value, "price_increment", gt=ZERO)


def _to_tradable(value: object) -> bool:
    return strict_bool(value, "tradable")


def _to_fractionable(value: object) -> bool:
    return strict_bool(value, "fractionable")


def _to_positions(value: object) -> FrozenMap[Decimal]:
    return symbol_map(value, "positions", _quantity)


def _to_prices(value: object) -> FrozenMap[Decimal]:
    return symbol_map(value, "prices", _price)


def _to_rules(value: object) -> FrozenMap[AssetRules]:
    return symbol_map(value, "rules", _rules)


@attrs.frozen(slots=True)
class AssetRules:
    """How one asset may trade.

    `qty_increment` is the lot used for whole-unit trading (1 share; 0.0001 for a
    crypto pair); `fractional_increment` the lot used when the asset is
    `fractionable` *and* the plan's config asks for fractional trading.
    `min_notional` is the venue's smallest order value; `price_increment` the
    tick (None: Alpaca's sub-penny rule).

    >>> AssetRules(fractionable=True, min_notional=1).effective_increment(fractional=True)
    Decimal('1E-9')
    """

    tradable: bool = attrs.field(default=True, converter=_to_tradable)
    fractionable: bool = attrs.field(default=False, converter=_to_fractionable)
    qty_increment: Decimal = attrs.field(default=ONE, converter=_to_qty_increment)
    min_notional: Decimal = attrs.field(default=ZERO, converter=_to_min_notional)
    price_increment: Decimal | None = attrs.field(default=None, converter=_to_price_increment)
    fractional_increment: Decimal = attrs.field(
        default=ALPACA_FRACTIONAL_INCREMENT,
        converter=_to_fractional_increment,
    )

    def effective_increment(self, *, fractional: bool) -> Decimal:
        """The quantity lot for a plan that does (or does not) trade fractions."""
        return self.fractional_increment if fractional and self.fractionable else self.qty_increment


DEFAULT_RULES = AssetRules()


def _quantity(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    # Shorts are out of scope: a negative holding is an input error, not a plan.
    check_bounds(number, field, value, ge=ZERO)
    return number


def _price(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    check_bounds(number, field, value, gt=ZERO)
    return number


def _rules(value: object, field: str) -> AssetRules:
    if not isinstance(value, AssetRules):
        raise InvalidInputError(field, "an AssetRules", value)
    return value


def _as_of(value: object) -> datetime:
    return aware_datetime(value, "as_of")


def _account_id(value: object) -> str:
    return identifier(value, "account_id")


@attrs.frozen(slots=True)
class AccountSnapshot:
    """What the account holds now: cash, positions, reference prices, per-asset rules.

    Every symbol held in a positive quantity needs a positive price; a missing
    price raises `MissingPriceError` (the audited system assumed "1 share").

    >>> from datetime import datetime, timezone
    >>> snap = AccountSnapshot(cash="1000", positions={"AAPL": 2}, prices={"AAPL": 150},
    ...                        as_of=datetime(2026, 1, 5, 15, 0, tzinfo=timezone.utc))
    >>> snap.equity  # 1000 + 2 x 150
    Decimal('1300')
    """

    cash: Decimal = attrs.field(converter=_to_cash)
    positions: FrozenMap[Decimal] = attrs.field(converter=_to_positions)
    prices: FrozenMap[Decimal] = attrs.field(converter=_to_prices)
    as_of: datetime = attrs.field(converter=_as_of)
    account_id: str = attrs.field(default="default", converter=_account_id)
    rules: FrozenMap[AssetRules] = attrs.field(factory=FrozenMap, converter=_to_rules)
    #: cash + Σ quantity x price, exact and canonical (computed once, at construction).
    equity: Decimal = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        total = self.cash
        prices = self.prices.view()
        fma = EXACT_CONTEXT.fma
        for symbol, quantity in self.positions.view().items():
            if quantity:
                price = prices.get(symbol)
                if price is None:
                    raise MissingPriceError(
                        f"prices[{symbol!r}]",
                        "a positive price for every held symbol (a holding without a price"
                        " cannot be valued, so even missing_price='skip' cannot plan around it)",
                        None,
                    )
                total = fma(quantity, price, total)
        if total < ZERO:
            raise InvalidInputError(
                "cash", "cash + holdings >= 0 (equity cannot be negative)", self.cash
            )
        object.__setattr__(self, "equity", canonical(total))

    def rules_for(self, symbol: str) -> AssetRules:
        """The asset's rules, or the defaults (tradable, whole shares) if none were given."""
        return self.rules.get(symbol, DEFAULT_RULES)

    def value_of(self, symbol: str) -> Decimal:
        """Market value of the holding in `symbol` at its reference price (0 if not held)."""
        quantity = self.positions.get(symbol, ZERO)
        return EXACT_CONTEXT.multiply(quantity, self.prices[symbol]) if quantity else ZERO
