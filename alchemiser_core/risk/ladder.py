"""Limit prices inside the spread, and the execution ladder that walks it.

buy  = bid + r x (ask - bid), rounded *down* to the tick (never pays more than intended)
sell = ask - r x (ask - bid), rounded *up* to the tick (never accepts less)

Each step is priced from the fresh quote the caller supplies, and a quote no newer
than the last one used is refused as data (`LadderAction.REQUOTE`): a ladder priced
from one stale quote walks into a spread that has moved.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import aware_datetime, bounds, member, number, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO
from alchemiser_core.planning.orders import Side
from alchemiser_core.risk.quotes import Quote
from alchemiser_core.venue import round_checked_price

__all__ = ["ExecutionLadder", "FinalAction", "LadderAction", "LadderStep", "limit_price"]


def limit_price(
    quote: Quote, side: Side | str, aggressiveness: object, tick: object = None
) -> Decimal:
    """The limit price `aggressiveness` (0 = passive side, 1 = far side) into the spread.

    >>> from datetime import UTC, datetime
    >>> q = Quote("10.00", "10.10", ts=datetime(2026, 11, 26, tzinfo=UTC))
    >>> limit_price(q, "buy", "0.75"), limit_price(q, "sell", "0.75")  # 10.075 -> 10.07 / 10.025 -> 10.03
    (Decimal('10.07'), Decimal('10.03'))
    """
    if not isinstance(quote, Quote):
        raise InvalidInputError("quote", "a Quote", quote)
    if side not in (Side.BUY, Side.SELL):
        raise InvalidInputError("side", "'buy' or 'sell'", side)
    ratio = number(aggressiveness, "aggressiveness", ge=ZERO, le=ONE)
    step = None if tick is None else number(tick, "tick", gt=ZERO)
    if quote.bid <= ZERO or quote.bid > quote.ask:  # so the ask is positive too
        raise InvalidInputError("quote", "a two-sided, uncrossed quote (assess it first)", quote)
    move = EXACT_CONTEXT.multiply(ratio, quote.spread)
    if Side(side) is Side.BUY:
        return round_checked_price(EXACT_CONTEXT.add(quote.bid, move), True, step)
    return round_checked_price(EXACT_CONTEXT.subtract(quote.ask, move), False, step)


class FinalAction(enum.StrEnum):
    """What to do when every limit step has expired unfilled."""

    MARKET = "market"
    CANCEL = "cancel"


class LadderAction(enum.StrEnum):
    """The kind of a ladder step."""

    LIMIT = "limit"
    MARKET = "market"
    CANCEL = "cancel"
    REQUOTE = "requote"


@attrs.frozen(slots=True)
class LadderStep:
    """What to do at one step: a limit order at `price` for up to `wait`, or the final action."""

    index: int
    action: LadderAction
    price: Decimal | None = None
    aggressiveness: Decimal | None = None
    wait: timedelta | None = None
    quote_ts: datetime | None = None


def _steps(value: object, field: str = "steps") -> tuple[Decimal, ...]:
    if not isinstance(value, tuple | list) or not value:
        raise InvalidInputError(field, "a non-empty sequence of aggressiveness in [0, 1]", value)
    steps = tuple(number(item, f"{field}[{i}]", ge=ZERO, le=ONE) for i, item in enumerate(value))
    if list(steps) != sorted(steps):
        raise InvalidInputError(field, "aggressiveness increasing step by step", value)
    return steps


def _wait(value: object, field: str = "wait_per_step") -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise InvalidInputError(field, "a positive timedelta", value)
    return value


@attrs.frozen(slots=True, field_transformer=value_fields)
class ExecutionLadder:
    """Limit steps walking into the spread, each waiting `wait_per_step`, then `final`.

    >>> ExecutionLadder().steps
    (Decimal('0.75'), Decimal('0.85'), Decimal('0.95'))
    """

    steps: tuple[Decimal, ...] = attrs.field(
        default=(Decimal("0.75"), Decimal("0.85"), Decimal("0.95")), converter=_steps
    )
    wait_per_step: timedelta = attrs.field(default=timedelta(seconds=5), converter=_wait)
    final: FinalAction = attrs.field(
        default=FinalAction.MARKET, converter=member, metadata=bounds(of=FinalAction)
    )

    def step(
        self,
        index: object,
        quote: Quote,
        side: Side | str,
        *,
        previous_quote_ts: datetime | None = None,
        tick: object = None,
    ) -> LadderStep:
        """Step `index` priced from `quote`, which must be newer than the previous step's.

        Past the last limit step it returns the final action (MARKET or CANCEL).
        """
        if not isinstance(index, int) or isinstance(index, bool) or index < 0:
            raise InvalidInputError("index", "a step number >= 0", index)
        if index >= len(self.steps):
            return LadderStep(index, LadderAction(self.final.value))
        if not isinstance(quote, Quote):
            raise InvalidInputError("quote", "a Quote", quote)
        if previous_quote_ts is not None:
            aware_datetime(previous_quote_ts, "previous_quote_ts")
        if previous_quote_ts is not None and quote.ts <= previous_quote_ts:
            return LadderStep(index, LadderAction.REQUOTE, quote_ts=quote.ts)
        aggressiveness = self.steps[index]
        price = limit_price(quote, side, aggressiveness, tick)
        return LadderStep(
            index, LadderAction.LIMIT, price, aggressiveness, self.wait_per_step, quote.ts
        )
