"""Pre-trade notional limits: per order and per account per New York trading day.

The audited system defined a $500,000 daily cap and never enforced it, and checked
its $100,000 order cap against a planned amount instead of the order sent. Here the
check runs on the plan's actual orders, counts both sides (what actually trades),
and `enforce_limits` applies a caller-chosen policy when it fails.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from decimal import Decimal

import attrs

from alchemiser_core._fields import decimal_in
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.numeric import EXACT_CONTEXT, ZERO, canonical, exact_sum
from alchemiser_core.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.plan import RebalancePlan

__all__ = [
    "LimitCheck",
    "LimitOutcome",
    "LimitPolicy",
    "LimitReason",
    "LimitViolation",
    "RiskLimits",
    "check_limits",
    "enforce_limits",
    "split_order",
]


def _to_max_order_notional(value: object) -> Decimal:
    return decimal_in(value, "max_order_notional", gt=ZERO)


def _to_max_daily_notional(value: object) -> Decimal:
    return decimal_in(value, "max_daily_notional", gt=ZERO)


@attrs.frozen(slots=True)
class RiskLimits:
    """Caps on traded notional: one order, and one account per New York trading day.

    >>> RiskLimits()
    RiskLimits(max_order_notional=Decimal('100000'), max_daily_notional=Decimal('500000'))
    """

    max_order_notional: Decimal = attrs.field(
        default=Decimal(100_000), converter=_to_max_order_notional
    )
    max_daily_notional: Decimal = attrs.field(
        default=Decimal(500_000), converter=_to_max_daily_notional
    )


class LimitReason(enum.StrEnum):
    """Why a limit check denied a plan."""

    ORDER_NOTIONAL = "order_notional_exceeds_cap"
    DAILY_NOTIONAL = "daily_notional_exceeds_cap"


@attrs.frozen(slots=True)
class LimitViolation:
    """One denial: the reason, the offending leg (None for the daily total) and the numbers."""

    reason: LimitReason
    notional: Decimal
    limit: Decimal
    symbol: str | None = None
    side: Side | None = None
    client_order_id: str | None = None


@attrs.frozen(slots=True)
class LimitCheck:
    """The verdict: `allowed` iff there are no violations.

    `proposed` is Σ |notional| of every order (both sides); `headroom` = max(0, limit -
    used); `would_exceed_by` = max(0, used + proposed - limit).
    """

    allowed: bool
    violations: tuple[LimitViolation, ...]
    proposed: Decimal
    used: Decimal
    limit: Decimal
    headroom: Decimal
    would_exceed_by: Decimal


def check_limits(
    plan: RebalancePlan, limits: RiskLimits | None = None, used_today: object = 0
) -> LimitCheck:
    """Check every order against the single-order cap and the plan against the daily cap.

    >>> from decimal import Decimal
    >>> # (used 400,000 + proposed 100,001) - 500,000 = 1 over; see tests for the plan.
    >>> RiskLimits().max_daily_notional - Decimal(400_000)
    Decimal('100000')
    """
    if not isinstance(plan, RebalancePlan):
        raise InvalidInputError("plan", "a RebalancePlan", plan)
    limits = RiskLimits() if limits is None else limits
    if not isinstance(limits, RiskLimits):
        raise InvalidInputError("limits", "a RiskLimits", limits)
    used = decimal_in(used_today, "used_today", ge=ZERO)
    violations = [
        LimitViolation(
            LimitReason.ORDER_NOTIONAL,
            order.notional,
            limits.max_order_notional,
            order.symbol,
            order.side,
            order.client_order_id,
        )
        for order in plan.orders
        if order.notional > limits.max_order_notional
    ]
    proposed = canonical(exact_sum(order.notional for order in plan.orders))
    daily = limits.max_daily_notional
    headroom = max(ZERO, EXACT_CONTEXT.subtract(daily, used))
    excess = EXACT_CONTEXT.subtract(EXACT_CONTEXT.add(used, proposed), daily)
    would_exceed_by = canonical(excess) if excess > ZERO else ZERO
    if would_exceed_by > ZERO and proposed > ZERO:
        violations.append(LimitViolation(LimitReason.DAILY_NOTIONAL, proposed, headroom))
    return LimitCheck(
        allowed=not violations,
        violations=tuple(violations),
        proposed=proposed,
        used=used,
        limit=daily,
        headroom=canonical(headroom) if headroom else ZERO,
        would_exceed_by=would_exceed_by,
    )


class LimitPolicy(enum.StrEnum):
    """What `enforce_limits` does when the check fails."""

    BLOCK = "block"
    """Drop every order (the default: nothing surprising is sent)."""
    REDUCE_ONLY = "reduce_only"
    """Keep the sells, drop the buys; block everything if the sells alone still fail."""
    SPLIT = "split"
    """Split orders above the single-order cap into children that respect it; block if
    the daily cap still fails."""


@attrs.frozen(slots=True)
class LimitOutcome:
    """The plan to send (always within limits, possibly empty) and the checks that led to it."""

    plan: RebalancePlan
    check: LimitCheck
    original_check: LimitCheck
    policy: LimitPolicy


def enforce_limits(
    plan: RebalancePlan,
    limits: RiskLimits | None = None,
    used_today: object = 0,
    policy: LimitPolicy | str = LimitPolicy.BLOCK,
) -> LimitOutcome:
    """Return a plan that passes `check_limits`: unchanged if it already does, else per `policy`.

    Removed orders become `SkippedLeg`s (`BLOCKED_BY_LIMIT` / `REDUCE_ONLY`), so nothing
    disappears silently. A changed plan gets a new plan id and client order ids.
    """
    limits = RiskLimits() if limits is None else limits
    try:
        chosen = LimitPolicy(policy)
    except ValueError:
        raise InvalidInputError("policy", "'block', 'reduce_only' or 'split'", policy) from None
    original = check_limits(plan, limits, used_today)
    if original.allowed:
        return LimitOutcome(plan, original, original, chosen)
    candidate = plan
    if chosen is LimitPolicy.REDUCE_ONLY:
        candidate = _drop(plan, lambda order: order.side is Side.BUY, SkipReason.REDUCE_ONLY)
    elif chosen is LimitPolicy.SPLIT:
        candidate = _split(plan, limits.max_order_notional)
    if chosen is not LimitPolicy.BLOCK:
        check = check_limits(candidate, limits, used_today)
        if check.allowed:
            return LimitOutcome(candidate, check, original, chosen)
    blocked = _drop(plan, lambda order: True, SkipReason.BLOCKED_BY_LIMIT)
    return LimitOutcome(blocked, check_limits(blocked, limits, used_today), original, chosen)


def _drop(
    plan: RebalancePlan, drop: Callable[[OrderIntent], bool], reason: SkipReason
) -> RebalancePlan:
    kept = [order for order in plan.orders if not drop(order)]
    removed = [
        SkippedLeg(
            order.symbol,
            order.side,
            reason,
            f"order {order.client_order_id} removed",
            order.qty,
            order.notional,
        )
        for order in plan.orders
        if drop(order)
    ]
    return plan.with_legs(kept, removed)


def _split(plan: RebalancePlan, cap: Decimal) -> RebalancePlan:
    orders: list[OrderIntent] = []
    for order in plan.orders:
        if order.notional <= cap:
            orders.append(order)
            continue
        orders.extend(split_order(order, cap))
    return plan.with_legs(orders)


#: More children than this is not an order any more but a flood: leave it unsplit (blocked).
MAX_SPLIT_CHILDREN = 50


def split_order(
    order: OrderIntent, cap: Decimal, max_children: int = MAX_SPLIT_CHILDREN
) -> list[OrderIntent]:
    """Children of `order`, each with notional <= `cap`, whose quantities sum exactly to its own.

    Children are cut on the order's own quantity grid (10^exponent of its quantity), so
    a whole-share order splits into whole shares. If even one unit of that grid costs
    more than the cap, or more than `max_children` children would be needed, the order
    is returned unsplit (the check will still deny it).
    """
    exponent = order.qty.as_tuple().exponent
    assert isinstance(exponent, int)
    grid = Decimal(1).scaleb(min(exponent, 0))
    steps = EXACT_CONTEXT.divide_int(cap, EXACT_CONTEXT.multiply(order.ref_price, grid))
    largest = EXACT_CONTEXT.multiply(steps, grid)
    if largest <= ZERO or EXACT_CONTEXT.divide_int(order.qty, largest) >= max_children:
        return [order]
    children: list[OrderIntent] = []
    remaining = order.qty
    while remaining > ZERO:
        qty = min(largest, remaining)
        remaining = EXACT_CONTEXT.subtract(remaining, qty)
        children.append(
            OrderIntent(
                order.symbol,
                order.side,
                canonical(qty),
                order.ref_price,
                order.client_order_id,
                order.target_weight,
                order.current_weight,
                order.is_full_exit,
            )
        )
    return children
