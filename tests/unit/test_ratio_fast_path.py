"""`ratio` takes a fast path for weights; it must spell results exactly as `canonical`."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core._contexts import RATIO_CONTEXT
from alchemiser_core.numeric import ZERO, canonical, ratio

_RATIO_PLACES = Decimal("1e-18")

decimals = st.decimals(
    min_value=Decimal("-1e14"), max_value=Decimal("1e14"), allow_nan=False, places=20
)


def _reference(numerator: Decimal, denominator: Decimal) -> Decimal:
    """The documented rule, written out: 28 digits, at most 18 places, canonical."""
    if not numerator:
        return ZERO
    quotient = RATIO_CONTEXT.divide(numerator, denominator)
    if quotient.adjusted() < 9:
        quotient = quotient.quantize(_RATIO_PLACES, context=RATIO_CONTEXT)
    return canonical(quotient) if quotient else ZERO


@given(decimals, decimals.filter(bool))
def test_ratio_matches_the_written_rule_digit_for_digit(
    numerator: Decimal, denominator: Decimal
) -> None:
    assert str(ratio(numerator, denominator)) == str(_reference(numerator, denominator))


def test_a_quotient_rounding_up_to_ten_is_spelled_in_full() -> None:
    # 9.99999999999999999999 rounds to 10.000000000000000000 at 18 places: "10", not "1E+1".
    assert str(ratio(Decimal("9.99999999999999999999"), Decimal(1))) == "10"


@pytest.mark.parametrize(
    ("numerator", "denominator", "spelled"),
    [
        ("0", "5", "0"),  # nothing of something
        ("5", "0", "0"),  # a share of nothing is 0 (equity 0), not a division error
        ("0", "0", "0"),
        ("-1", "3", "-0.333333333333333333"),  # 18 places, half-even
        ("2", "3", "0.666666666666666667"),
        ("9", "1", "9"),  # the fast path's edge: normalized, no trailing zeros
        ("-9", "1", "-9"),
        ("90", "1", "90"),  # an integer above it is written out, not 9E+1
        # 10^10 / 3: 10 digits before the point + 18 after = 28, the context's precision.
        ("10000000000", "3", "3333333333.333333333333333333"),
        # 10^11 / 3: 11 + 18 would need 29 digits; the 28-digit quotient is kept as is.
        ("100000000000", "3", "33333333333.33333333333333333"),
    ],
)
def test_ratio_by_hand(numerator: str, denominator: str, spelled: str) -> None:
    assert str(ratio(Decimal(numerator), Decimal(denominator))) == spelled
