"""The decimal contexts the core computes in. Private: a caller who could change them
(``EXACT_CONTEXT.prec = 5``) would make exact arithmetic round. Callers who want the
same contexts get fresh copies from `alchemiser_core.numeric.exact_context`.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
)

__all__ = ["EXACT_CONTEXT", "INTEGRAL_CONTEXT", "RATIO_CONTEXT"]

# With inputs of at most 15 + 30 digits (numeric.MAX_ABS, MAX_DECIMAL_PLACES), the
# deepest product the planner forms (weight x (equity - reserve), equity itself a sum
# of quantity x price) has fewer than 200 digits, so 250 digits of precision never
# round. Rounded/Inexact are trapped anyway: if that reasoning were ever wrong the
# planner fails loudly, not silently.
EXACT_CONTEXT = Context(
    prec=250,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded],
)

#: For quotients that are only reported or compared (weights, ratios), never spent.
RATIO_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emax=999_999,
    Emin=-999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

#: For dropping trailing zeros, which is exact, so Rounded need not trap.
INTEGRAL_CONTEXT = Context(
    prec=250, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow]
)
