"""Tables for the terminal: a plan, a limit check, an execution report, the ledger's fills.

Each function returns a rich renderable; rich drops colour and box-drawing colour codes
when the output is not a terminal, so the same tables read in a log or a pipe.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from alchemiser_adapters.execution_report import ExecutionReport, OrderOutcome
from alchemiser_adapters.ledger import Fill
from alchemiser_adapters.ledger.model import canonical
from alchemiser_core import LimitCheck, RebalancePlan, Side

__all__ = ["fills_table", "limits_table", "plan_table", "report_table"]

_SIDE_STYLE = {Side.SELL: "red", Side.BUY: "green"}
_OUTCOME_STYLE = {
    OrderOutcome.FILLED: "green",
    OrderOutcome.PARTIALLY_FILLED: "yellow",
    OrderOutcome.UNFILLED: "yellow",
    OrderOutcome.REJECTED: "red",
    OrderOutcome.DENIED: "red",
    OrderOutcome.NOT_SENT: "dim",
}


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in columns:
        numeric = column in {"qty", "price", "notional", "filled", "avg price", "value", "limit"}
        table.add_column(column, justify="right" if numeric else "left", no_wrap=True)
    return table


def _side(side: Side) -> Text:
    return Text(side.value, style=_SIDE_STYLE[side])


def _weight(value: Decimal) -> str:
    return f"{value * 100:.2f}%"


def plan_table(plan: RebalancePlan) -> RenderableType:
    """The plan's orders (sells first), its skipped legs with their reasons, and totals."""
    title = f"Plan {plan.plan_id} for account {plan.account_id} as of {plan.as_of.isoformat()}"
    orders = _table("side", "symbol", "qty", "price", "notional", "weight now", "target", "note")
    for order in plan.orders:
        orders.add_row(
            _side(order.side),
            order.symbol,
            str(order.qty),
            str(order.ref_price),
            str(order.notional),
            _weight(order.current_weight),
            _weight(order.target_weight),
            "full exit" if order.is_full_exit else "",
        )
    parts: list[RenderableType] = [Text(title, style="bold"), orders]
    if plan.skipped:
        skipped = _table("side", "symbol", "reason", "qty", "notional", "detail")
        for leg in plan.skipped:
            skipped.add_row(
                _side(leg.side), leg.symbol, leg.reason.value, str(leg.qty), str(leg.notional),
                leg.detail,
            )  # fmt: skip
        parts += [Text("Skipped (not traded, or not in full)", style="bold"), skipped]
    parts.append(
        Text(
            f"equity {plan.equity}  reserve {plan.reserve}  sells {plan.total_sell_value}"
            f"  buys {plan.total_buy_value}  cash {plan.cash_before} -> {plan.cash_after}"
        )
    )
    return Group(*parts)


def limits_table(check: LimitCheck) -> RenderableType:
    """The verdict, the daily cap's arithmetic and one row per violation."""
    verdict = Text("allowed", style="green") if check.allowed else Text("denied", style="red")
    head = Text.assemble(
        "Limit check: ", verdict,
        f"  (daily cap {check.limit}: used {check.used} + proposed {check.proposed};"
        f" headroom {check.headroom})",
    )  # fmt: skip
    if not check.violations:
        return head
    table = _table("reason", "value", "limit", "symbol", "side", "detail")
    for violation in check.violations:
        table.add_row(
            Text(violation.reason.value, style="red"),
            str(violation.value),
            str(violation.limit),
            violation.symbol or "",
            violation.side.value if violation.side else "",
            violation.detail,
        )
    return Group(head, table)


def report_table(report: ExecutionReport) -> RenderableType:
    """Each plan order's outcome, then the totals and the run's status."""
    title = Text(f"Execution of plan {report.plan_id}", style="bold")
    table = _table("side", "symbol", "qty", "filled", "avg price", "notional", "outcome", "reason")
    for order in report.orders:
        table.add_row(
            _side(order.side),
            order.symbol,
            str(order.requested_qty),
            str(order.filled_qty),
            "" if order.average_price is None else str(order.average_price),
            str(order.filled_notional),
            Text(order.outcome.value, style=_OUTCOME_STYLE[order.outcome]),
            order.reason,
        )
    detail = f"  ({report.detail})" if report.detail else ""
    totals = Text(
        f"sold {report.sold_notional}  bought {report.bought_notional}"
        f"  status {report.status.value}{detail}"
    )
    return Group(title, table, totals)


def fills_table(fills: Iterable[Fill], title: str) -> RenderableType:
    """The ledger's fills, one row each."""
    table = _table("time", "side", "symbol", "qty", "price", "value", "client order id")
    for fill in fills:
        table.add_row(
            fill.ts.isoformat(timespec="seconds"),
            _side(fill.side),
            fill.symbol,
            str(fill.qty),
            str(fill.price),
            str(canonical(fill.qty * fill.price)),
            fill.client_order_id,
        )
    return Group(Text(title, style="bold"), table)
