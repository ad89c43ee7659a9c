"""What the account holds now (`AccountSnapshot`) and how each asset may trade (`AssetRules`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import (
    aware_datetime,
    bounds,
    identifier,
    number,
    optional_number,
    strict_bool,
    symbol_map,
    value_fields,
)
from alchemiser_core.errors import InvalidInputError, MissingPriceError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.notebook import is_pandas
from alchemiser_core.numeric import ONE, ZERO, canonical
from alchemiser_core.venue import ALPACA

__all__ = ["DEFAULT_RULES", "AccountSnapshot", "AssetRules"]


@attrs.frozen(slots=True, field_transformer=value_fields)
class AssetRules:
    """How one asset may trade.

    `qty_increment` is the lot used for whole-unit trading (1 share; 0.0001 for a
    crypto pair); `fractional_increment` the lot used when the asset is
    `fractionable` *and* the plan's config asks for fractional trading.
    `min_notional` is the venue's smallest order value; `price_increment` the
    tick (None: the venue's tick rule, Alpaca's
    sub-penny rule by default).

    >>> AssetRules(fractionable=True, min_notional=1).effective_increment(fractional=True)
    Decimal('1E-9')
    """

    tradable: bool = attrs.field(default=True, converter=strict_bool)
    fractionable: bool = attrs.field(default=False, converter=strict_bool)
    qty_increment: Decimal = attrs.field(default=ONE, converter=number, metadata=bounds(gt=ZERO))
    min_notional: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    price_increment: Decimal | None = attrs.field(
        default=None, converter=optional_number, metadata=bounds(gt=ZERO)
    )
    fractional_increment: Decimal = attrs.field(
        default=ALPACA.fractional_increment, converter=number, metadata=bounds(gt=ZERO)
    )

    def effective_increment(self, *, fractional: bool) -> Decimal:
        """The quantity lot for a plan that does (or does not) trade fractions."""
        return self.fractional_increment if fractional and self.fractionable else self.qty_increment


DEFAULT_RULES = AssetRules()


def _quantity(value: object, field: str) -> Decimal:
    # Shorts are out of scope: a negative holding is an input error, not a plan.
    return number(value, field, ge=ZERO)


def _price(value: object, field: str) -> Decimal:
    return number(value, field, gt=ZERO)


def _asset_rules(value: object, field: str) -> AssetRules:
    if not isinstance(value, AssetRules):
        raise InvalidInputError(field, "an AssetRules", value)
    return value


def _positions(value: object) -> FrozenMap[Decimal]:
    return symbol_map(value, "positions", _quantity)


def _prices(value: object) -> FrozenMap[Decimal]:
    return symbol_map(value, "prices", _price)


def _rules(value: object) -> FrozenMap[AssetRules]:
    return symbol_map(value, "rules", _asset_rules)


@attrs.frozen(slots=True, field_transformer=value_fields)
class AccountSnapshot:
    """What the account holds now: cash, positions, reference prices, per-asset rules.

    Every symbol held in a positive quantity needs a positive price; a missing
    price raises `MissingPriceError`: a holding without a price cannot be valued, and
    guessing one (say, "1 share") would size every target wrong.

    >>> from datetime import datetime, timezone
    >>> snap = AccountSnapshot(cash="1000", positions={"AAPL": 2}, prices={"AAPL": 150},
    ...                        as_of=datetime(2026, 1, 5, 15, 0, tzinfo=timezone.utc))
    >>> snap.equity  # 1000 + 2 x 150
    Decimal('1300')
    """

    cash: Decimal = attrs.field(converter=number)
    positions: FrozenMap[Decimal] = attrs.field(converter=_positions)
    prices: FrozenMap[Decimal] = attrs.field(converter=_prices)
    as_of: datetime = attrs.field(converter=aware_datetime)
    account_id: str = attrs.field(default="default", converter=identifier)
    rules: FrozenMap[AssetRules] = attrs.field(factory=FrozenMap, converter=_rules)
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

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        cash: object,
        as_of: datetime,
        account_id: str = "default",
        rules: Mapping[str, AssetRules] | None = None,
    ) -> AccountSnapshot:
        """A snapshot from a pandas DataFrame indexed by symbol with ``qty`` and ``price``
        columns (a symbol with qty 0 is priced, not held: a target to buy).

        >>> import pandas
        >>> from datetime import datetime, timezone
        >>> holdings = pandas.DataFrame({"qty": [10, 0], "price": [150.0, 400.0]},
        ...                             index=["AAPL", "MSFT"])
        >>> AccountSnapshot.from_frame(holdings, cash=1000,
        ...     as_of=datetime(2026, 1, 5, 15, tzinfo=timezone.utc)).equity  # 1000 + 10 x 150
        Decimal('2500')
        """
        if not is_pandas(frame, "DataFrame"):
            raise InvalidInputError("frame", "a pandas DataFrame with qty and price columns", frame)
        missing = [column for column in ("qty", "price") if column not in frame.columns]
        if missing:
            raise InvalidInputError("frame", "the columns qty and price", list(frame.columns))
        return cls(
            cash=cash,
            positions=frame["qty"],
            prices=frame["price"],
            as_of=as_of,
            account_id=account_id,
            rules=rules or {},
        )

    def rules_for(self, symbol: str) -> AssetRules:
        """The asset's rules, or the defaults (tradable, whole shares) if none were given."""
        return self.rules.get(symbol, DEFAULT_RULES)

    def value_of(self, symbol: str) -> Decimal:
        """Market value of the holding in `symbol` at its reference price (0 if not held)."""
        quantity = self.positions.get(symbol)  # None: not held
        return EXACT_CONTEXT.multiply(quantity, self.prices[symbol]) if quantity else ZERO
