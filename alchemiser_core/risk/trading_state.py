"""Kill switch: ACTIVE / REDUCING / HALTED from loss limits, and applying it to a plan.

intraday loss = (day-start equity - equity) / day-start equity  >= limit -> HALTED
drawdown      = (high-water mark - equity) / high-water mark      >= limit -> REDUCING
HALTED wins when both trip. A HALTED plan has no orders; a REDUCING plan only sells.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import bounds, number, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import ONE, ZERO
from alchemiser_core.planning.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.planning.plan import RebalancePlan

__all__ = [
    "LossLimits",
    "TradingState",
    "TradingStateReason",
    "apply_trading_state",
    "trading_state",
]


class TradingState(enum.StrEnum):
    """How much trading is allowed now."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class TradingStateReason(enum.StrEnum):
    """Which limit put the account in its state."""

    INTRADAY_LOSS = "intraday_loss_limit"
    DRAWDOWN = "drawdown_limit"


@attrs.frozen(slots=True, field_transformer=value_fields)
class LossLimits:
    """Loss fractions that switch trading off (intraday) or to reduce-only (drawdown).

    Both are fractions in (0, 1] (0.05 is 5%), of the day-start equity and of the
    high-water mark.
    """

    max_intraday_loss_pct: Decimal = attrs.field(
        default=Decimal("0.05"), converter=number, metadata=bounds(gt=ZERO, le=ONE)
    )
    max_drawdown_pct: Decimal = attrs.field(
        default=Decimal("0.20"), converter=number, metadata=bounds(gt=ZERO, le=ONE)
    )


def trading_state(
    equity: object,
    day_start_equity: object,
    high_water_mark: object,
    limits: LossLimits | None = None,
) -> tuple[TradingState, tuple[TradingStateReason, ...]]:
    """The state and the limits that caused it.

    >>> trading_state(95_000, 100_000, 100_000)  # lost 5% today: the 5% intraday limit
    (<TradingState.HALTED: 'halted'>, (<TradingStateReason.INTRADAY_LOSS: 'intraday_loss_limit'>,))
    >>> trading_state(80_000, 80_500, 100_000)[0]  # 20% below the high-water mark
    <TradingState.REDUCING: 'reducing'>
    """
    limits = LossLimits() if limits is None else limits
    if not isinstance(limits, LossLimits):
        raise InvalidInputError("limits", "a LossLimits", limits)
    now = number(equity, "equity", ge=ZERO)
    start = number(day_start_equity, "day_start_equity", gt=ZERO)
    peak = number(high_water_mark, "high_water_mark", gt=ZERO)
    reasons = []
    if _breached(start, now, limits.max_intraday_loss_pct):
        reasons.append(TradingStateReason.INTRADAY_LOSS)
    if _breached(peak, now, limits.max_drawdown_pct):
        reasons.append(TradingStateReason.DRAWDOWN)
    if TradingStateReason.INTRADAY_LOSS in reasons:
        return TradingState.HALTED, tuple(reasons)
    if reasons:
        return TradingState.REDUCING, tuple(reasons)
    return TradingState.ACTIVE, ()


def _breached(reference: Decimal, now: Decimal, limit: Decimal) -> bool:
    # Exactly, without dividing: (reference - now) / reference >= limit.
    return EXACT_CONTEXT.subtract(reference, now) >= EXACT_CONTEXT.multiply(limit, reference)


def apply_trading_state(plan: RebalancePlan, state: object) -> RebalancePlan:
    """HALTED -> no orders; REDUCING -> sells only; ACTIVE -> the plan unchanged.

    Removed orders become skipped legs (`TRADING_HALTED` / `REDUCE_ONLY`).
    """
    if not isinstance(plan, RebalancePlan):
        raise InvalidInputError("plan", "a RebalancePlan", plan)
    if not isinstance(state, str) or state not in {s.value for s in TradingState}:
        raise InvalidInputError("state", "'active', 'reducing' or 'halted'", state)
    chosen = TradingState(state)
    if chosen is TradingState.ACTIVE:
        return plan
    reason = SkipReason.TRADING_HALTED if chosen is TradingState.HALTED else SkipReason.REDUCE_ONLY

    def keeps(order: OrderIntent) -> bool:
        return chosen is TradingState.REDUCING and order.side is Side.SELL

    kept = [o for o in plan.orders if keeps(o)]
    removed = [
        SkippedLeg(
            o.symbol, o.side, reason, f"order {o.client_order_id} removed", o.qty, o.notional
        )
        for o in plan.orders
        if not keeps(o)
    ]
    return plan.with_legs(kept, removed)
