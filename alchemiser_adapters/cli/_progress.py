"""A live view of `execute_plan` while its orders work, fed by the executor's log records.

The executor logs one record per step with `event`, `fields` and `plan_order_id`
attributes (see `alchemiser_adapters.executor`). On a terminal this shows a rich
progress bar and one row per order; elsewhere (a pipe, a log file, CI) it prints one
plain line per event that changes an order, so the output stays readable as text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from alchemiser_adapters.executor import LOG as EXECUTOR_LOG
from alchemiser_core import RebalancePlan

__all__ = ["ExecutionProgress"]

#: Statuses after which an order does nothing more at the broker.
_ENDED = {"filled", "canceled", "expired", "rejected", "done_for_day"}
#: Events that change what an order shows, and how they read.
_SHOWN = {"reserve", "submitted", "adopted", "status", "rejected", "shrunk for cash"}


class ExecutionProgress(logging.Handler):
    """Follow one execution of `plan` on `console` (a context manager)."""

    def __init__(self, plan: RebalancePlan, console: Console) -> None:
        super().__init__(level=logging.INFO)
        self.console = console
        self.live = console.is_terminal
        self._orders = {order.client_order_id: order for order in plan.orders}
        self._ended: set[str] = set()
        # Each row: what it is, a bar, and a count (orders done; an order's qty filled).
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            console=console,
            transient=False,
        )
        self._rows: dict[str, TaskID] = {}
        self._overall = self._progress.add_task(
            "orders done", total=len(plan.orders), count=f"0/{len(plan.orders)}"
        )
        self._saved_level = EXECUTOR_LOG.level

    def __enter__(self) -> ExecutionProgress:
        EXECUTOR_LOG.addHandler(self)
        EXECUTOR_LOG.setLevel(logging.INFO)
        if self.live:
            self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        EXECUTOR_LOG.removeHandler(self)
        EXECUTOR_LOG.setLevel(self._saved_level)
        if self.live:
            self._progress.stop()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._follow(record)
        except Exception:  # a display must never stop an execution
            self.handleError(record)

    def _follow(self, record: logging.LogRecord) -> None:
        event: str = getattr(record, "event", "")
        fields: dict[str, object] = getattr(record, "fields", {})
        order_id: str | None = getattr(record, "plan_order_id", None)
        if event == "limits":
            verdict = "allowed" if fields.get("allowed") else "reshaped or blocked"
            self._say(f"limits {verdict}: {fields.get('orders')} orders to send")
            total = int(str(fields.get("orders", 0)))
            self._progress.update(self._overall, total=total, count=f"0/{total}")
            return
        if order_id is None or event not in _SHOWN:
            return
        text = _describe(event, fields)
        order = self._orders.get(order_id)
        label = f"{order.side.value} {order.qty} {order.symbol}" if order else order_id
        self._say(f"{label}: {text}")
        if self.live and order is not None:
            self._row(order_id, f"{label:<28} {text}", fields.get("filled_qty"), order.qty)
        if self._has_ended(event, fields) and order_id not in self._ended:
            self._ended.add(order_id)
            task = self._progress.tasks[self._overall]
            self._progress.update(
                self._overall, advance=1, count=f"{len(self._ended)}/{task.total:.0f}"
            )

    def _row(self, order_id: str, text: str, filled: object, qty: Decimal) -> None:
        if order_id not in self._rows:
            self._rows[order_id] = self._progress.add_task(text, total=float(qty), count=f"0/{qty}")
        self._progress.update(self._rows[order_id], description=text)
        if isinstance(filled, Decimal):
            self._progress.update(
                self._rows[order_id], completed=float(filled), count=f"{filled}/{qty}"
            )

    def _say(self, line: str) -> None:
        if not self.live:
            self.console.print(line, highlight=False, markup=False, soft_wrap=True)

    @staticmethod
    def _has_ended(event: str, fields: dict[str, object]) -> bool:
        if event == "rejected" or (event == "reserve" and not fields.get("granted")):
            return True
        return str(fields.get("status", "")) in _ENDED and event in {"submitted", "status"}


def _describe(event: str, fields: dict[str, object]) -> str:
    texts: dict[str, Callable[[], str]] = {
        "reserve": lambda: "reserved" if fields.get("granted") else "denied by the daily cap",
        "submitted": lambda: (
            f"sent {fields.get('order_type')}"
            + (f" @ {fields['limit_price']}" if fields.get("limit_price") else "")
            + f", {fields.get('status')}"
        ),
        "adopted": lambda: f"found at the broker ({fields.get('status')})",
        "status": lambda: f"{fields.get('status')}, {fields.get('filled_qty')} filled",
        "rejected": lambda: f"rejected: {fields.get('reason')}",
        "shrunk for cash": lambda: f"shrunk to {fields.get('affordable')} for cash",
    }
    return texts[event]()
