"""What `execute_plan` did: one line per plan order, totals, and why anything was left out."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any

import attrs

from alchemiser_adapters.ledger.model import canonical
from alchemiser_core import BreakerState, LimitCheck, Side, SkippedLeg
from alchemiser_core.notebook import frame, html_table

__all__ = ["ExecutionReport", "ExecutionStatus", "OrderOutcome", "OrderReport"]


class OrderOutcome(enum.StrEnum):
    """How one plan order ended."""

    FILLED = "filled"
    PARTIALLY_FILLED = "partially_filled"
    UNFILLED = "unfilled"  # sent, nothing filled (cancelled at the end of its ladder)
    REJECTED = "rejected"  # the broker refused it
    DENIED = "denied"  # the daily-cap reservation was not granted
    NOT_SENT = "not_sent"  # shrunk to nothing for cash, breaker open, or no fit quote


class ExecutionStatus(enum.StrEnum):
    """How the run as a whole ended."""

    COMPLETED = "completed"  # every order reached an end (see each outcome)
    LOCKED = "locked"  # another instance holds the account's lease: nothing done
    BLOCKED = "blocked"  # the limits (or the trading state) left no order to send
    INTERRUPTED = "interrupted"  # stopped part-way (breaker open, lease lost): run it again


_OUTCOME_CLASS = {
    OrderOutcome.FILLED: "good",
    OrderOutcome.PARTIALLY_FILLED: "",
    OrderOutcome.UNFILLED: "",
    OrderOutcome.REJECTED: "bad",
    OrderOutcome.DENIED: "bad",
    OrderOutcome.NOT_SENT: "",
}


@attrs.frozen(slots=True)
class OrderReport:
    """One plan order: what was asked, what filled (over all its ladder steps), and why."""

    client_order_id: str
    symbol: str
    side: Side
    requested_qty: Decimal
    filled_qty: Decimal
    average_price: Decimal | None
    outcome: OrderOutcome
    reason: str = ""
    broker_order_ids: tuple[str, ...] = ()

    @property
    def filled_notional(self) -> Decimal:
        if self.average_price is None:
            return Decimal(0)
        return canonical(self.filled_qty * self.average_price)


@attrs.frozen(slots=True)
class ExecutionReport:
    """The run: the plan executed (after limits and trading state), per-order lines, totals."""

    status: ExecutionStatus
    account_id: str
    plan_id: str
    executed_plan_id: str
    correlation_id: str
    orders: tuple[OrderReport, ...] = ()
    skipped: tuple[SkippedLeg, ...] = ()
    limit_check: LimitCheck | None = None
    breaker: BreakerState | None = None
    detail: str = ""

    @property
    def sold_notional(self) -> Decimal:
        return canonical(
            sum((o.filled_notional for o in self.orders if o.side is Side.SELL), Decimal(0))
        )

    @property
    def bought_notional(self) -> Decimal:
        return canonical(
            sum((o.filled_notional for o in self.orders if o.side is Side.BUY), Decimal(0))
        )

    def _repr_html_(self) -> str:
        """Jupyter's view: each order's outcome, the skipped legs, and the totals."""
        rows: list[list[object]] = [
            [(o.side.value, o.side.value), o.symbol, o.requested_qty, o.filled_qty,
             o.average_price, o.filled_notional, (o.outcome.value, _OUTCOME_CLASS[o.outcome]),
             o.reason]
            for o in self.orders
        ]  # fmt: skip
        rows += [
            [(f"skip {leg.side.value}", "bad"), leg.symbol, leg.qty, None, None, None, "",
             f"{leg.reason.value}: {leg.detail}" if leg.detail else leg.reason.value]
            for leg in self.skipped
        ]  # fmt: skip
        detail = f" · {self.detail}" if self.detail else ""
        return html_table(
            f"Execution of plan {self.plan_id} · account {self.account_id}: {self.status.value}",
            ["side", "symbol", "qty", "filled", "avg price", "notional", "outcome", "reason"],
            rows,
            f"sold {self.sold_notional} · bought {self.bought_notional}{detail}",
        )

    def to_frame(self, *, as_float: bool = False) -> Any:
        """One row per plan order as a pandas DataFrame (exact Decimals; needs pandas)."""
        return frame(
            ["client_order_id", "symbol", "side", "requested_qty", "filled_qty",
             "average_price", "filled_notional", "outcome", "reason"],
            [
                [o.client_order_id, o.symbol, o.side.value, o.requested_qty, o.filled_qty,
                 o.average_price, o.filled_notional, o.outcome.value, o.reason]
                for o in self.orders
            ],
            numeric=("requested_qty", "filled_qty", "average_price", "filled_notional"),
            as_float=as_float,
        )  # fmt: skip

    def __repr__(self) -> str:
        lines = [
            f"ExecutionReport({self.status.value}, account={self.account_id!r},"
            f" plan={self.plan_id!r}, sold={self.sold_notional}, bought={self.bought_notional},"
            f" {len(self.orders)} orders{', ' + self.detail if self.detail else ''})"
        ]
        for order in self.orders:
            price = "" if order.average_price is None else f" @ {order.average_price}"
            why = f" ({order.reason})" if order.reason else ""
            lines.append(
                f"  {order.side.name:<4} {order.filled_qty}/{order.requested_qty} {order.symbol}"
                f"{price} {order.outcome.value}{why}"
            )
        return "\n".join(lines)
