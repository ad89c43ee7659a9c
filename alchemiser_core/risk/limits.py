"""Pre-trade limits: notional caps per order and per account per New York trading day,
and guards against runaway plans (too many orders, too much turnover, a liquidation).

The check runs on the plan's actual orders and counts both sides (what actually
trades); `enforce_limits` applies a caller-chosen policy when it fails. A strategy
bug that returns no targets plans a full liquidation, and a sizing bug can plan a
flood of orders: both are denied here, by default, before anything is sent.
"""

from __future__ import annotations

import enum
import numbers
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import bounds, number, optional_number, strict_bool, value_fields
from alchemiser_core.errors import InvalidInputError
from alchemiser_core.notebook import frame, html_table
from alchemiser_core.numeric import ZERO, canonical, exact_sum
from alchemiser_core.planning.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.planning.plan import RebalancePlan

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


def _max_orders(value: object, field: str = "max_orders") -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidInputError(field, "None or a positive whole number", value)
    return operator.index(value)


@attrs.frozen(slots=True, field_transformer=value_fields)
class RiskLimits:
    """Caps on what one plan may trade, and guards against runaway plans.

    * `max_order_notional`: one order's notional ($100,000);
    * `max_daily_notional`: both sides' notional per account per New York trading
      day ($500,000), counting what was already used today;
    * `max_orders`: orders in one plan (None: no cap);
    * `max_turnover_pct`: Σ order notional / equity, as a fraction (None: no cap). A
      full rotation, everything sold and bought again, is 2;
    * `allow_liquidation`: unless True, a plan that sells every holding and buys
      nothing is denied (the plan an empty or all-zero target gives). Holdings the
      plan was asked to sell but could not (untradable, below a minimum) count as
      sold: a bug is no less a bug for one position that cannot trade.

    >>> RiskLimits()
    RiskLimits(max_order_notional=Decimal('100000'), max_daily_notional=Decimal('500000'), max_orders=None, max_turnover_pct=None, allow_liquidation=False)
    """

    max_order_notional: Decimal = attrs.field(
        default=Decimal(100_000), converter=number, metadata=bounds(gt=ZERO)
    )
    max_daily_notional: Decimal = attrs.field(
        default=Decimal(500_000), converter=number, metadata=bounds(gt=ZERO)
    )
    max_orders: int | None = attrs.field(default=None, converter=_max_orders)
    #: A fraction of equity (2 is a full rotation), not a percentage.
    max_turnover_pct: Decimal | None = attrs.field(
        default=None, converter=optional_number, metadata=bounds(gt=ZERO)
    )
    allow_liquidation: bool = attrs.field(default=False, converter=strict_bool)


class LimitReason(enum.StrEnum):
    """Why a limit check denied a plan."""

    ORDER_NOTIONAL = "order_notional_exceeds_cap"
    DAILY_NOTIONAL = "daily_notional_exceeds_cap"
    ORDER_COUNT = "order_count_exceeds_cap"
    TURNOVER = "turnover_exceeds_cap"
    LIQUIDATION = "liquidation_not_allowed"


@attrs.frozen(slots=True)
class LimitViolation:
    """One denial: the reason, the measured `value` against its `limit`, and the leg if any.

    ============== ========================================== =================================
    reason         value                                      limit
    ============== ========================================== =================================
    ORDER_NOTIONAL the order's notional                       `max_order_notional`
    DAILY_NOTIONAL the plan's notional, both sides            the day's headroom
    ORDER_COUNT    the plan's number of orders                `max_orders`
    TURNOVER       the plan's notional, both sides            `max_turnover_pct` x equity
    LIQUIDATION    the notional sold (every holding)          0: nothing of it allowed
    ============== ========================================== =================================

    `symbol`, `side` and `client_order_id` name the order for ORDER_NOTIONAL; `detail`
    says the same in words.
    """

    reason: LimitReason
    value: Decimal
    limit: Decimal
    symbol: str | None = None
    side: Side | None = None
    client_order_id: str | None = None
    detail: str = ""


@attrs.frozen(slots=True)
class LimitCheck:
    """The verdict: `allowed` iff there are no violations.

    `proposed` is Σ |notional| of every order (both sides); `headroom` = max(0, limit -
    used); `would_exceed_by` = max(0, used + proposed - limit), all for the daily cap.
    """

    allowed: bool
    violations: tuple[LimitViolation, ...]
    proposed: Decimal
    used: Decimal
    limit: Decimal
    headroom: Decimal
    would_exceed_by: Decimal

    def _repr_html_(self) -> str:
        """Jupyter's view: the verdict, the daily cap's arithmetic, one row per violation."""
        verdict = "allowed" if self.allowed else "denied"
        return html_table(
            f"Limit check: {verdict}",
            ["reason", "value", "limit", "symbol", "side", "detail"],
            [
                [(v.reason.value, "bad"), v.value, v.limit, v.symbol, v.side and v.side.value,
                 v.detail]
                for v in self.violations
            ],
            f"daily cap {self.limit}: used {self.used} + proposed {self.proposed}"
            f" · headroom {self.headroom} · would exceed by {self.would_exceed_by}",
        )  # fmt: skip

    def to_frame(self, *, as_float: bool = False) -> Any:
        """The violations as a pandas DataFrame (empty when allowed; needs pandas)."""
        return frame(
            ["reason", "value", "limit", "symbol", "side", "client_order_id", "detail"],
            [
                [v.reason.value, v.value, v.limit, v.symbol, v.side and v.side.value,
                 v.client_order_id, v.detail]
                for v in self.violations
            ],
            numeric=("value", "limit"),
            as_float=as_float,
        )  # fmt: skip


def check_limits(
    plan: RebalancePlan, limits: RiskLimits | None = None, used_today: object = 0
) -> LimitCheck:
    """Check a plan against every limit in `limits`, given what was traded today already.

    >>> from datetime import datetime, timezone
    >>> from alchemiser_core import AccountSnapshot, plan_rebalance
    >>> snap = AccountSnapshot(cash=200_000, positions={}, prices={"SPY": 500},
    ...                        as_of=datetime(2026, 1, 5, 15, tzinfo=timezone.utc))
    >>> plan = plan_rebalance(snap, {"SPY": 0.5})  # buy 198 SPY = 99,000
    >>> check = check_limits(plan, RiskLimits(), used_today=450_000)  # headroom 50,000
    >>> check.allowed, check.would_exceed_by  # 450,000 + 99,000 - 500,000
    (False, Decimal('49000'))
    >>> [(v.reason.value, v.value, v.limit) for v in check.violations]
    [('daily_notional_exceeds_cap', Decimal('99000'), Decimal('50000'))]
    """
    if not isinstance(plan, RebalancePlan):
        raise InvalidInputError("plan", "a RebalancePlan", plan)
    limits = RiskLimits() if limits is None else limits
    if not isinstance(limits, RiskLimits):
        raise InvalidInputError("limits", "a RiskLimits", limits)
    used = number(used_today, "used_today", ge=ZERO)
    violations = _order_violations(plan, limits.max_order_notional)
    proposed = canonical(exact_sum(order.notional for order in plan.orders))
    daily = limits.max_daily_notional
    headroom = canonical(max(ZERO, EXACT_CONTEXT.subtract(daily, used)))
    excess = EXACT_CONTEXT.subtract(EXACT_CONTEXT.add(used, proposed), daily)
    would_exceed_by = canonical(excess) if excess > ZERO else ZERO
    if would_exceed_by > ZERO and proposed > ZERO:
        violations.append(
            LimitViolation(
                LimitReason.DAILY_NOTIONAL,
                proposed,
                headroom,
                detail=f"plan trades {proposed}, {headroom} left of {daily} today",
            )
        )
    violations.extend(_runaway_violations(plan, limits, proposed))
    return LimitCheck(
        allowed=not violations,
        violations=tuple(violations),
        proposed=proposed,
        used=used,
        limit=daily,
        headroom=headroom,
        would_exceed_by=would_exceed_by,
    )


def _order_violations(plan: RebalancePlan, cap: Decimal) -> list[LimitViolation]:
    """One ORDER_NOTIONAL violation per order whose notional exceeds `cap`."""
    return [
        LimitViolation(
            LimitReason.ORDER_NOTIONAL,
            order.notional,
            cap,
            order.symbol,
            order.side,
            order.client_order_id,
            f"{order.side.value} {order.symbol} {order.notional} > {cap} per order",
        )
        for order in plan.orders
        if order.notional > cap
    ]


def _runaway_violations(
    plan: RebalancePlan, limits: RiskLimits, proposed: Decimal
) -> list[LimitViolation]:
    """Order count, turnover and liquidation: what a buggy strategy's plan looks like."""
    violations = []
    count = len(plan.orders)
    if limits.max_orders is not None and count > limits.max_orders:
        violations.append(
            LimitViolation(
                LimitReason.ORDER_COUNT,
                Decimal(count),
                Decimal(limits.max_orders),
                detail=f"{count} orders > {limits.max_orders} per plan",
            )
        )
    if limits.max_turnover_pct is not None:
        # Exactly, without dividing: Σ notional / equity > max  <=>  Σ notional > max x equity
        # (and at equity 0 any trade is too much turnover).
        allowed = canonical(EXACT_CONTEXT.multiply(limits.max_turnover_pct, plan.equity))
        if proposed > allowed:
            violations.append(
                LimitViolation(
                    LimitReason.TURNOVER,
                    proposed,
                    allowed,
                    detail=f"plan trades {proposed} > {limits.max_turnover_pct} x equity"
                    f" {plan.equity} = {allowed}",
                )
            )
    if not limits.allow_liquidation and _is_liquidation(plan):
        violations.append(
            LimitViolation(
                LimitReason.LIQUIDATION,
                plan.total_sell_value,
                ZERO,
                detail=f"plan sells every holding ({plan.total_sell_value}) and buys nothing;"
                " RiskLimits(allow_liquidation=True) allows it",
            )
        )
    return violations


def _is_liquidation(plan: RebalancePlan) -> bool:
    """Buys nothing and sells every holding it can.

    Holdings are worth equity - cash. Whatever the plan does not sell must be a sell
    it was asked for and could not make (untradable, below a minimum: a skipped sell
    leg of the holding's whole value), else the account keeps a position and this is
    an ordinary sell-down. A skipped leg's notional never exceeds its holding's value,
    so "the value left <= Σ skipped sell notional" holds exactly when every holding
    left is such a leg.
    """
    if not plan.orders or plan.total_buy_value:
        return False
    left = EXACT_CONTEXT.subtract(
        EXACT_CONTEXT.subtract(plan.equity, plan.cash_before), plan.total_sell_value
    )
    unsold = exact_sum(leg.notional for leg in plan.skipped if leg.side is Side.SELL)
    return left <= unsold


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
    if chosen is not LimitPolicy.BLOCK:
        candidate = (
            _drop(plan, lambda order: order.side is Side.BUY, SkipReason.REDUCE_ONLY)
            if chosen is LimitPolicy.REDUCE_ONLY
            else _split(plan, limits.max_order_notional)
        )
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
    order: OrderIntent, cap: object, max_children: int = MAX_SPLIT_CHILDREN
) -> list[OrderIntent]:
    """Children of `order`, each with notional <= `cap`, whose quantities sum exactly to its own.

    Children are cut on the order's own quantity grid (10^exponent of its quantity), so
    a whole-share order splits into whole shares: as many full children as fit, then
    the remainder, in the order they are to be sent. Only the last child carries the
    parent's `is_full_exit`: an executor that closes a position on that flag must act
    once, on the order that completes the exit. If even one unit of that grid costs
    more than the cap, or more than `max_children` children would be needed, the
    order is returned unsplit (the check will still deny it).

    >>> parent = OrderIntent("A", "sell", qty=25, ref_price=100, client_order_id="p-1",
    ...                      is_full_exit=True)
    >>> [(str(c.qty), c.is_full_exit) for c in split_order(parent, 1_000)]  # 10 + 10 + 5 shares
    [('10', False), ('10', False), ('5', True)]
    """
    if not isinstance(order, OrderIntent):
        raise InvalidInputError("order", "an OrderIntent", order)
    limit = number(cap, "cap", gt=ZERO)
    if type(max_children) is not int or max_children < 1:  # bool is an int subclass: refused
        raise InvalidInputError("max_children", "a positive int", max_children)
    exponent = order.qty.as_tuple().exponent
    assert isinstance(exponent, int)  # finite and canonical (so <= 0): checked by OrderIntent
    grid = Decimal(1).scaleb(exponent)
    steps = EXACT_CONTEXT.divide_int(limit, EXACT_CONTEXT.multiply(order.ref_price, grid))
    largest = EXACT_CONTEXT.multiply(steps, grid)
    if largest <= ZERO:
        return [order]
    full, rest = EXACT_CONTEXT.divmod(order.qty, largest)
    if full + (1 if rest else 0) > max_children:
        return [order]
    quantities: list[Decimal] = []
    remaining = order.qty
    while remaining > ZERO:
        qty = min(largest, remaining)
        remaining = EXACT_CONTEXT.subtract(remaining, qty)
        quantities.append(canonical(qty))
    last = len(quantities) - 1
    return [
        OrderIntent(
            order.symbol,
            order.side,
            qty,
            order.ref_price,
            order.client_order_id,
            order.target_weight,
            order.current_weight,
            order.is_full_exit and index == last,
        )
        for index, qty in enumerate(quantities)
    ]
