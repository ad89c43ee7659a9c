"""The error roots: every exception Alchemiser raises on purpose derives from `AlchemiserError`.

Expected outcomes (a limit breach, an untradable leg) are *data*, never exceptions;
exceptions are for input that cannot be planned on.
"""

from __future__ import annotations

__all__ = ["AlchemiserError", "InvalidInputError", "MissingPriceError"]


class AlchemiserError(Exception):
    """Root of every error raised deliberately by Alchemiser."""


class InvalidInputError(AlchemiserError, ValueError):
    """An input was rejected; names the field, what was expected and what came.

    >>> str(InvalidInputError("cash", "a finite number", "NaN"))
    "cash: expected a finite number, got 'NaN'"
    """

    def __init__(self, field: str, expected: str, value: object) -> None:
        self.field = field
        self.expected = expected
        self.value = value
        super().__init__(f"{field}: expected {expected}, got {_short_repr(value)}")

    def __reduce__(self) -> tuple[type[InvalidInputError], tuple[str, str, object]]:
        return (type(self), (self.field, self.expected, self.value))


class MissingPriceError(InvalidInputError):
    """A held or targeted symbol has no reference price (never guess "1 share")."""


def _short_repr(value: object, limit: int = 120) -> str:
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<unrepresentable {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
