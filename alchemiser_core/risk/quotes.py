"""Quote checks: is this bid/ask fit to price an order from, right now?

`assess_quote` returns every problem as a reason code (it never raises for a bad
quote) and reports any repair it made.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT, RATIO_CONTEXT
from alchemiser_core._fields import aware_datetime, bounds, number, optional_number, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO

__all__ = ["Quote", "QuoteAssessment", "QuoteIssue", "QuotePolicy", "assess_quote"]

_TWO = Decimal(2)


@attrs.frozen(slots=True, field_transformer=value_fields)
class Quote:
    """Top of book at `ts`. A side of 0 means "no quote on that side"."""

    bid: Decimal = attrs.field(converter=number, metadata=bounds(ge=ZERO))
    ask: Decimal = attrs.field(converter=number, metadata=bounds(ge=ZERO))
    bid_size: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    ask_size: Decimal = attrs.field(default=ZERO, converter=number, metadata=bounds(ge=ZERO))
    ts: datetime = attrs.field(default=None, converter=aware_datetime)

    @property
    def mid(self) -> Decimal:
        """(bid + ask) / 2, exact."""
        return EXACT_CONTEXT.divide(EXACT_CONTEXT.add(self.bid, self.ask), _TWO)

    @property
    def spread(self) -> Decimal:
        """ask - bid (negative when crossed)."""
        return EXACT_CONTEXT.subtract(self.ask, self.bid)


class QuoteIssue(enum.StrEnum):
    """Why a quote is unfit."""

    NON_POSITIVE_BID = "non_positive_bid"
    NON_POSITIVE_ASK = "non_positive_ask"
    CROSSED = "crossed"
    LOCKED = "locked"
    SPREAD_TOO_WIDE = "spread_too_wide"
    SUSPICIOUS_SPREAD = "suspicious_spread"
    STALE = "stale"
    FROM_THE_FUTURE = "timestamp_in_the_future"
    FAR_FROM_REFERENCE = "far_from_reference_price"


def _max_age(value: object, field: str = "max_age") -> timedelta:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise InvalidInputError(field, "a non-negative timedelta", value)
    return value


@attrs.frozen(slots=True, field_transformer=value_fields)
class QuotePolicy:
    """Thresholds; every `*_pct` is a fraction (0.005 is 0.5%), spreads of the mid price.

    `one_sided_repair_pct`: when set, a quote missing one side is repaired by
    placing the missing side that fraction away from the other (reported); when
    None (default) a one-sided quote is simply unfit.
    """

    max_spread_pct: Decimal = attrs.field(
        default=Decimal("0.005"), converter=number, metadata=bounds(ge=ZERO)
    )
    suspicious_spread_pct: Decimal = attrs.field(
        default=Decimal("0.10"), converter=number, metadata=bounds(ge=ZERO)
    )
    max_age: timedelta = attrs.field(default=timedelta(seconds=10), converter=_max_age)
    #: How far the mid may be from the reference price, a fraction of the reference.
    max_reference_deviation_pct: Decimal = attrs.field(
        default=Decimal("0.05"), converter=number, metadata=bounds(ge=ZERO)
    )
    one_sided_repair_pct: Decimal | None = attrs.field(
        default=None, converter=optional_number, metadata=bounds(gt=ZERO, lt=ONE)
    )


@attrs.frozen(slots=True)
class QuoteAssessment:
    """`ok` iff no issues; `quote` is the (possibly repaired) quote the checks ran on."""

    ok: bool
    issues: tuple[QuoteIssue, ...]
    quote: Quote
    repairs: tuple[str, ...] = ()


_DEFAULT_POLICY = QuotePolicy()


def assess_quote(
    quote: Quote,
    now: datetime,
    policy: QuotePolicy = _DEFAULT_POLICY,
    reference_price: object = None,
) -> QuoteAssessment:
    """Every reason `quote` is unfit at `now` under `policy` (empty when fit).

    >>> from datetime import UTC, datetime
    >>> t = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    >>> assess_quote(Quote("10.00", "10.02", ts=t), t).ok  # spread 0.02 / 10.01 = 0.2% <= 0.5%
    True
    >>> assess_quote(Quote("10.02", "10.00", ts=t), t).issues
    (<QuoteIssue.CROSSED: 'crossed'>,)
    """
    if not isinstance(quote, Quote):
        raise InvalidInputError("quote", "a Quote", quote)
    if not isinstance(policy, QuotePolicy):
        raise InvalidInputError("policy", "a QuotePolicy", policy)
    now = aware_datetime(now, "now")
    reference = (
        None if reference_price is None else number(reference_price, "reference_price", gt=ZERO)
    )
    quote, repairs = _repair(quote, policy)
    issues = _price_issues(quote, policy, reference)
    age = now - quote.ts
    if age > policy.max_age:
        issues.append(QuoteIssue.STALE)
    elif age < timedelta(0):
        issues.append(QuoteIssue.FROM_THE_FUTURE)
    return QuoteAssessment(not issues, tuple(issues), quote, repairs)


def _price_issues(quote: Quote, policy: QuotePolicy, reference: Decimal | None) -> list[QuoteIssue]:
    """Missing sides, a crossed or locked book, the spread's width, the distance from
    the reference price."""
    issues: list[QuoteIssue] = []
    if quote.bid <= ZERO:
        issues.append(QuoteIssue.NON_POSITIVE_BID)
    if quote.ask <= ZERO:
        issues.append(QuoteIssue.NON_POSITIVE_ASK)
    if issues:
        return issues
    if quote.bid > quote.ask:
        issues.append(QuoteIssue.CROSSED)
    elif quote.bid == quote.ask:
        issues.append(QuoteIssue.LOCKED)
    else:
        width = RATIO_CONTEXT.divide(quote.spread, quote.mid)
        if width > policy.suspicious_spread_pct:
            issues.append(QuoteIssue.SUSPICIOUS_SPREAD)
        elif width > policy.max_spread_pct:
            issues.append(QuoteIssue.SPREAD_TOO_WIDE)
    if reference is not None:
        distance = EXACT_CONTEXT.subtract(quote.mid, reference).copy_abs()
        if RATIO_CONTEXT.divide(distance, reference) > policy.max_reference_deviation_pct:
            issues.append(QuoteIssue.FAR_FROM_REFERENCE)
    return issues


def _repair(quote: Quote, policy: QuotePolicy) -> tuple[Quote, tuple[str, ...]]:
    pct = policy.one_sided_repair_pct
    if pct is None or (quote.bid > ZERO) == (quote.ask > ZERO):
        return quote, ()
    if quote.bid <= ZERO:
        bid = EXACT_CONTEXT.multiply(quote.ask, ONE - pct)
        return attrs.evolve(quote, bid=bid), (f"bid missing: set to ask x (1 - {pct}) = {bid}",)
    ask = EXACT_CONTEXT.multiply(quote.bid, ONE + pct)
    return attrs.evolve(quote, ask=ask), (f"ask missing: set to bid x (1 + {pct}) = {ask}",)
