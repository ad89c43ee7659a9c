"""Symbol validation: upper-case tickers, share classes (``BRK.B``) and pairs (``BTC/USD``)."""

from __future__ import annotations

import re

from alchemiser_core.errors import InvalidInputError

__all__ = ["validate_symbol"]

_SYMBOL = re.compile(r"[A-Z][A-Z0-9]{0,11}(?:[./][A-Z0-9]{1,11})?")
_EXPECTED = "an upper-case ticker such as 'AAPL', 'BRK.B' or 'BTC/USD'"


def validate_symbol(symbol: object, field: str) -> str:
    """Return `symbol` if it is a well-formed symbol, else raise naming `field`.

    >>> validate_symbol("BRK.B", "symbol")
    'BRK.B'
    >>> validate_symbol("aapl", "symbol")
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: symbol: expected an upper-case ticker such as 'AAPL', 'BRK.B' or 'BTC/USD', got 'aapl'
    """
    if not isinstance(symbol, str) or _SYMBOL.fullmatch(symbol) is None:
        raise InvalidInputError(field, _EXPECTED, symbol)
    return symbol
