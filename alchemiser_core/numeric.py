"""One conversion point for every public number, and the explicit rounding helpers.

Every public entry point turns its numbers into `Decimal` through `to_decimal`:
`Decimal`, `int` and `str` are taken exactly, a `float` through its shortest repr
(so ``0.1`` means ``Decimal("0.1")``). NumPy's real scalars, which a notebook hands
over from a pandas Series or an array, convert as their Python values would: integer
types exactly, floating types through the shortest repr *in their own precision*
(``numpy.float32(0.1)`` means ``Decimal("0.1")``, not the float32 value's binary
expansion). NumPy is never imported here; its scalars are recognised by the numbers
ABCs NumPy registers them with. `bool`, NaN, infinities and junk raise
`InvalidInputError` naming the field.

Values are canonical (``100.00`` becomes ``100``, ``-0`` becomes ``0``) so that equal
inputs give byte-identical plans and plan ids. Magnitude and precision are bounded
(`MAX_ABS`, `MAX_DECIMAL_PLACES`) so that the planner's arithmetic, run in
an exact context, is provably exact: that context traps every rounding.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Iterable
from decimal import Context, Decimal, InvalidOperation, localcontext

from alchemiser_core._contexts import EXACT_CONTEXT, INTEGRAL_CONTEXT, RATIO_CONTEXT
from alchemiser_core.errors import InvalidInputError

__all__ = [
    "MAX_ABS",
    "MAX_DECIMAL_PLACES",
    "ONE",
    "ZERO",
    "canonical",
    "ceil_checked",
    "ceil_to_increment",
    "exact_context",
    "exact_sum",
    "floor_checked",
    "floor_to_increment",
    "ratio",
    "to_decimal",
]

ZERO = Decimal(0)
ONE = Decimal(1)

#: Inputs must be smaller than this in absolute value (a quadrillion).
MAX_ABS = Decimal(10) ** 15
#: Inputs may carry at most this many digits after the point.
MAX_DECIMAL_PLACES = 30

_FINEST_PLACE = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
_RATIO_PLACES = Decimal("1e-18")
_RATIO_MAX_ADJUSTED = 9


def to_decimal(value: object, field: str) -> Decimal:
    """Convert a public numeric input to a canonical finite `Decimal`, or raise.

    >>> to_decimal(0.1, "weight")
    Decimal('0.1')
    >>> to_decimal("100.00", "price")
    Decimal('100')
    >>> to_decimal(True, "qty")
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: qty: expected a number (Decimal, int, str, float or a NumPy real scalar), got True
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        # The shortest repr is what a notebook user means: 0.1 is "0.1". float's own
        # repr, because a subclass (numpy.float64) spells its repr differently.
        number = Decimal(float.__repr__(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except (InvalidOperation, ValueError):
            raise InvalidInputError(field, "a numeric string", value) from None
    else:
        number = _foreign_number(value, field)
    if not number.is_finite():
        raise InvalidInputError(field, "a finite number (not NaN or Infinity)", value)
    if number.is_zero():
        return ZERO
    if number.copy_abs() >= MAX_ABS:
        raise InvalidInputError(field, f"a number smaller than {MAX_ABS:,} in magnitude", value)
    # A digit beyond the last place allowed changes the value when quantized to it
    # (trailing zeros do not). Cheaper than reading the exponent from `as_tuple()`.
    if _quantize(number, _FINEST_PLACE) != number:
        raise InvalidInputError(
            field, f"a number with at most {MAX_DECIMAL_PLACES} decimal places", value
        )
    return canonical(number)


_NUMBER = "a number (Decimal, int, str, float or a NumPy real scalar)"


def _foreign_number(value: object, field: str) -> Decimal:
    """A number of another library: any exact integer type, or a NumPy floating scalar.

    Booleans (Python's and NumPy's) are refused: ``True`` as a quantity is a bug.
    """
    if isinstance(value, bool):
        raise InvalidInputError(field, _NUMBER, value)
    if isinstance(value, numbers.Integral):
        return Decimal(operator.index(value))  # numpy.int8 .. numpy.uint64: exact
    if isinstance(value, numbers.Real) and type(value).__module__ == "numpy":
        # NumPy's str() is the shortest text that reads back to the same value in the
        # scalar's own precision ("0.1" for float32(0.1)); NaN and inf come out as
        # "nan" and "inf", which the finiteness check refuses.
        return Decimal(str(value))
    raise InvalidInputError(field, _NUMBER, value)


def canonical(number: Decimal) -> Decimal:
    """The canonical spelling of a finite Decimal: no trailing zeros, no positive exponent.

    >>> canonical(Decimal("100.00")), canonical(Decimal("1E+2")), canonical(Decimal("1.50"))
    (Decimal('100'), Decimal('100'), Decimal('1.5'))
    """
    # An integer is written out in full (1E+2 reads badly); anything else loses its
    # trailing zeros, which leaves a negative exponent. Dropping zero digits is
    # exact, so the context here need not trap Rounded (EXACT_CONTEXT would).
    if number == _to_integral(number):
        return _quantize(number, ONE)
    return _normalize(number)


_to_integral = INTEGRAL_CONTEXT.to_integral_value
_quantize = INTEGRAL_CONTEXT.quantize
_normalize = EXACT_CONTEXT.normalize


def exact_context() -> Context:
    """A fresh copy of the context the core computes money in: 250 digits, every rounding trapped.

    >>> exact_context().multiply(Decimal("1.5"), Decimal("2"))
    Decimal('3.0')
    """
    return EXACT_CONTEXT.copy()


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    """Σ values with no rounding (the default context would round past 28 digits).

    >>> exact_sum([Decimal("0.1")] * 3)
    Decimal('0.3')
    """
    # sum() adds in C, in the current context: make that the exact one.
    with localcontext(EXACT_CONTEXT):
        return sum(values, ZERO)


def floor_to_increment(value: object, increment: object) -> Decimal:
    """Largest multiple of `increment` that is <= `value` (exact).

    >>> floor_to_increment(Decimal("7.2273576"), Decimal("0.001"))
    Decimal('7.227')
    >>> floor_to_increment(Decimal("-0.5"), Decimal("1"))
    Decimal('-1')
    """
    return floor_checked(to_decimal(value, "value"), _positive(increment, "increment"))


def ceil_to_increment(value: object, increment: object) -> Decimal:
    """Smallest multiple of `increment` that is >= `value` (exact).

    >>> ceil_to_increment(Decimal("10.001"), Decimal("0.01"))
    Decimal('10.01')
    """
    return ceil_checked(to_decimal(value, "value"), _positive(increment, "increment"))


def _positive(value: object, field: str) -> Decimal:
    number = to_decimal(value, field)
    if number <= ZERO:
        raise InvalidInputError(field, "a number > 0", value)
    return number


def floor_checked(value: Decimal, increment: Decimal) -> Decimal:
    """Package-internal `floor_to_increment` for numbers already checked (increment > 0)."""
    steps = EXACT_CONTEXT.divide_int(value, increment)
    floored = EXACT_CONTEXT.multiply(steps, increment)
    if floored > value:  # divide_int truncates toward zero; step down for negatives
        floored = EXACT_CONTEXT.subtract(floored, increment)
    return canonical(floored) if floored else ZERO


def ceil_checked(value: Decimal, increment: Decimal) -> Decimal:
    """Package-internal `ceil_to_increment` for numbers already checked (increment > 0)."""
    return -floor_checked(-value, increment) if value else ZERO


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal:
    """numerator / denominator for reporting (weights): 28 digits, at most 18 places.

    Only reported, never spent, so rounding half-even is fine; the cap on places keeps
    the value within `to_decimal`'s bounds so it survives a JSON round trip. A share
    of nothing is 0: every weight here is of equity, and a margin account whose debt
    equals its holdings has equity 0.

    >>> ratio(Decimal(1), Decimal(3)), ratio(Decimal(5), Decimal(0))
    (Decimal('0.333333333333333333'), Decimal('0'))
    """
    if not numerator or not denominator:
        return ZERO
    quotient = _ratio_divide(numerator, denominator)
    if -_NINE < quotient < _NINE:
        # The common case, a weight: at most 19 digits once quantized, and (even
        # rounded up) below 10, where nothing normalizes to a positive exponent; so
        # this is `canonical`, three times faster.
        quotient = _ratio_quantize(quotient, _RATIO_PLACES)
        return _ratio_normalize(quotient) if quotient else ZERO
    if quotient.adjusted() < _RATIO_MAX_ADJUSTED:
        quotient = quotient.quantize(_RATIO_PLACES, context=RATIO_CONTEXT)
    return canonical(quotient) if quotient else ZERO


_NINE = Decimal(9)
_ratio_divide = RATIO_CONTEXT.divide
_ratio_quantize = RATIO_CONTEXT.quantize
_ratio_normalize = RATIO_CONTEXT.normalize
