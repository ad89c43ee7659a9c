"""`execute_plan`: apply a plan at a broker and record it in a ledger; never send an order twice.

The steps, each logged with the plan id, the client order id and a correlation id:

1. **Lease** on the account (``execute:<account>``): a second instance gets
   ``LOCKED`` and does nothing. Every write below is fenced by the lease.
2. **Limits**: the kill switch's trading state, then the core's `enforce_limits`
   against the ledger's use for the New York trading day (the plan's own earlier
   reservations excluded, so a re-run is judged as the first run was).
3. **Sells**, then **buys**, each phase as a ladder: every order gets a
   reservation of its notional (plus `price_tolerance_pct`) under the daily cap,
   its intent is recorded, then it is sent as a limit order priced from a fresh
   quote; each step waits, polls every open order in one request, cancels what is
   open and re-quotes; after the last step the ladder's final action (market or
   cancel) takes the rest. An unfit quote (`assess_quote`) sends nothing that step.
4. Before buying, the account is **read again** and buys are shrunk to the cash
   really there (minus the plan's reserve): never a buy on a shortfall.
5. Every fill is **recorded**; each reservation is **settled** to what traded (the
   rest released).

Re-running the same plan after any interruption resumes it: an order whose intent
is in the ledger is looked up at the broker by client order id and adopted, never
sent again; an ambiguous submission (time-out, 429, 5xx) is resolved by looking
the order up, and sent again only when the broker says it has none, under the same
client order id, so the broker itself refuses a duplicate.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import NamedTuple, TypeVar

import attrs

from alchemiser_adapters.brokers.port import (
    Broker,
    BrokerOrder,
    BrokerRejectedError,
    BrokerUnavailableError,
    DuplicateClientOrderIdError,
    OrderRequest,
    OrderType,
)
from alchemiser_adapters.execution_report import (
    ExecutionReport,
    ExecutionStatus,
    OrderOutcome,
    OrderReport,
)
from alchemiser_adapters.ledger import Fill, Lease, Ledger, OrderRecord, StaleLeaseError
from alchemiser_adapters.ledger.model import average_price, canonical
from alchemiser_core import (
    BreakerState,
    ExecutionLadder,
    LadderAction,
    LimitPolicy,
    OrderIntent,
    Quote,
    QuotePolicy,
    RebalancePlan,
    RiskLimits,
    TradingState,
    apply_trading_state,
    assess_quote,
    enforce_limits,
    floor_to_increment,
    trading_day,
)

__all__ = ["ExecutionPolicy", "execute_plan"]

LOG = logging.getLogger("alchemiser.executor")
_T = TypeVar("_T")
#: A reservation for what traded beyond its order's reservation (slippage past the
#: tolerance) is recorded against this cap: it already traded, the ledger must say so.
_UNCAPPED = Decimal("999999999999999")


@attrs.frozen(slots=True)
class ExecutionPolicy:
    """How to work orders: the ladder, quote checks, waits and margins."""

    ladder: ExecutionLadder = attrs.field(factory=ExecutionLadder)
    quote_policy: QuotePolicy = attrs.field(factory=QuotePolicy)
    lease_ttl: timedelta = timedelta(minutes=5)
    poll_interval: timedelta = timedelta(milliseconds=500)
    #: How long the final (market) step may take to fill before it is cancelled.
    final_wait: timedelta = timedelta(seconds=30)
    cancel_wait: timedelta = timedelta(seconds=10)
    #: Reservations hold notional x (1 + this), so a fill a little above the reference
    #: price still fits what was reserved.
    price_tolerance_pct: Decimal = Decimal("0.02")
    #: Submissions of one order (each after a look-up found nothing).
    submit_attempts: int = 3
    #: Orders of one phase worked at once (reserve, record, submit): bounded, so a
    #: 40-order plan does not wait on 40 round trips in a row, nor open 40 connections.
    max_in_flight: int = 4


class _BreakerOpen(Exception):
    pass


class _Step(NamedTuple):
    """What every order of one ladder step shares."""

    number: int
    last: int
    quotes: dict[str, Quote]
    recorded: dict[str, BrokerOrder | None]
    day: date


@attrs.define
class _Leg:
    """One plan order while it is worked: its children are its ladder steps' orders."""

    order: OrderIntent
    qty: Decimal  # what to execute: the plan's, or less after the cash check
    children: dict[str, BrokerOrder] = attrs.field(factory=dict)
    outcome: OrderOutcome | None = None
    reason: str = ""
    reserved: bool = False
    seen_fit_quote: bool = False

    def child_id(self, step: int) -> str:
        return self.order.client_order_id if step == 0 else f"{self.order.client_order_id}-{step}"

    @property
    def filled_qty(self) -> Decimal:
        return canonical(sum((c.filled_qty for c in self.children.values()), Decimal(0)))

    @property
    def filled_notional(self) -> Decimal:
        return canonical(sum((c.filled_notional for c in self.children.values()), Decimal(0)))

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled_qty

    @property
    def live(self) -> list[BrokerOrder]:
        return [child for child in self.children.values() if not child.is_terminal]


def execute_plan(  # noqa: PLR0913 - plan, broker, ledger, then keyword-only policy knobs
    plan: RebalancePlan,
    broker: Broker,
    ledger: Ledger,
    *,
    limits: RiskLimits | None = None,
    policy: LimitPolicy | str = LimitPolicy.BLOCK,
    execution: ExecutionPolicy | None = None,
    state: TradingState | str = TradingState.ACTIVE,
    breaker: BreakerState | None = None,
    holder: str | None = None,
    clock: Callable[[], datetime] | None = None,
    sleep: Callable[[float], None] | None = None,
    correlation_id: str | None = None,
) -> ExecutionReport:
    """Apply `plan` at `broker`, recording it in `ledger` (see the module's docstring).

    Safe to call again with the same plan after any interruption: it resumes. `holder`
    names this instance in the account's lease (default: host and process id); a run
    that died holding it is resumed once the lease's `lease_ttl` has run out.
    """
    run = _Execution(
        plan=plan,
        broker=broker,
        ledger=ledger,
        limits=limits or RiskLimits(),
        execution=execution or ExecutionPolicy(),
        breaker=breaker or BreakerState(),
        clock=clock or (lambda: datetime.now(UTC)),
        sleep=sleep or time.sleep,
        correlation_id=correlation_id or uuid.uuid4().hex,
    )
    return run.execute(policy, state, holder or f"{socket.gethostname()}:{os.getpid()}")


@attrs.define
class _Execution:
    plan: RebalancePlan
    broker: Broker
    ledger: Ledger
    limits: RiskLimits
    execution: ExecutionPolicy
    breaker: BreakerState
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    correlation_id: str
    lease: Lease | None = None
    executed: RebalancePlan | None = None
    interrupted: str = ""
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    # -- the run ---------------------------------------------------------------------

    def execute(
        self, policy: LimitPolicy | str, state: TradingState | str, holder: str
    ) -> ExecutionReport:
        account = self.plan.account_id
        self.lease = self.ledger.acquire_lease(
            f"execute:{account}", holder, self.execution.lease_ttl
        )
        if self.lease is None:
            self._log("locked", detail="another instance holds the account's lease")
            return self._report(ExecutionStatus.LOCKED, [], detail="account lease held elsewhere")
        try:
            return self._execute_leased(policy, state)
        finally:
            with contextlib.suppress(StaleLeaseError):  # expired: nothing of ours to release
                self.ledger.release_lease(self.lease)

    def _execute_leased(
        self, policy: LimitPolicy | str, state: TradingState | str
    ) -> ExecutionReport:
        day = trading_day(self.clock())
        gated = apply_trading_state(self.plan, state)
        used = max(
            Decimal(0), self.ledger.used(self.plan.account_id, day) - self._own_use(gated, policy)
        )
        outcome = enforce_limits(gated, self.limits, used, policy)
        self.executed = outcome.plan
        self._log(
            "limits",
            allowed=outcome.original_check.allowed,
            used=used,
            policy=outcome.policy,
            orders=len(self.executed.orders),
        )
        if not self.executed.orders:
            return self._report(
                ExecutionStatus.BLOCKED if self.plan.orders else ExecutionStatus.COMPLETED,
                [],
                check=outcome.original_check,
                detail="no order left to send" if self.plan.orders else "",
            )
        sells = [_Leg(order, order.qty) for order in self.executed.sells]
        buys = [_Leg(order, order.qty) for order in self.executed.buys]
        self._phase(sells, day)
        if not self.interrupted:
            self._fit_buys_to_cash(buys)
            self._phase(buys, day)
        legs = sells + buys
        if not self.interrupted:
            self._record_and_settle(legs)
        status = ExecutionStatus.INTERRUPTED if self.interrupted else ExecutionStatus.COMPLETED
        return self._report(status, legs, check=outcome.original_check, detail=self.interrupted)

    def _own_use(self, gated: RebalancePlan, policy: LimitPolicy | str) -> Decimal:
        """What an earlier run of this plan reserved already, so a re-run is judged as the
        first run was. The policy may have reshaped the plan (split, reduce-only: new
        client ids), so every shape it can take is looked at: as is, and reshaped with the
        daily cap not binding and binding. Only the shape that ran has recorded intents."""
        shapes = [
            gated,
            enforce_limits(gated, self.limits, 0, policy).plan,
            enforce_limits(gated, self.limits, self.limits.max_daily_notional, policy).plan,
        ]
        orders = {order.client_order_id: order for shape in shapes for order in shape.orders}
        return sum(
            (self._reservation_amount(order) for client_order_id, order in orders.items()
             if self.ledger.order(client_order_id) is not None),
            Decimal(0),
        )  # fmt: skip

    # -- one phase: the ladder over every order of a side ---------------------------------

    def _phase(self, legs: list[_Leg], day: date) -> None:
        ladder = self.execution.ladder
        last = len(ladder.steps)
        for step in range(last + 1):
            active = [leg for leg in legs if leg.outcome is None and leg.remaining > 0]
            if not active or self.interrupted:
                break
            try:
                self._renew_lease()
                symbols = {leg.order.symbol for leg in active}
                try:
                    quotes = self._call(lambda: self.broker.quotes(symbols))  # noqa: B023 - called at once
                except BrokerUnavailableError as error:
                    self._log("no quotes", None, step=step, error=str(error))
                    quotes = {}  # nothing is priced this step; the breaker counted it
                recorded = self._recorded_children(active, step)
                context = _Step(step, last, quotes, recorded, day)
                self._for_each(active, partial(self._work_step, context))
                wait = self.execution.final_wait if step == last else ladder.wait_per_step
                self._wait_for(active, self.clock() + wait)
                self._cancel_open(active)
            except _BreakerOpen:
                self.interrupted = "circuit breaker open: broker calls stopped, run again later"
            except BrokerUnavailableError as error:
                self.interrupted = f"broker unavailable ({error}): run again to resume"
            except StaleLeaseError:
                self.interrupted = "account lease lost to another instance"
        for leg in legs:
            self._conclude(leg)

    def _for_each(self, legs: list[_Leg], work: Callable[[_Leg], None]) -> None:
        """Run `work` on every leg, at most `max_in_flight` at once; each leg is its own
        state, the shared parts (breaker, interruption) are guarded."""
        if self.execution.max_in_flight <= 1 or len(legs) <= 1:
            for leg in legs:
                work(leg)
            return
        with ThreadPoolExecutor(self.execution.max_in_flight) as pool:
            for done in [pool.submit(work, leg) for leg in legs]:
                done.result()  # re-raises what the leg's work raised

    def _recorded_children(self, legs: list[_Leg], step: int) -> dict[str, BrokerOrder | None]:
        """Children of this step already in the ledger (a re-run): as the broker has them."""
        recorded = [leg.child_id(step) for leg in legs if self.ledger.order(leg.child_id(step))]
        if not recorded:
            return {}
        found = self._call(lambda: self.broker.orders(recorded))
        return {child_id: found.get(child_id) for child_id in recorded}

    def _work_step(self, context: _Step, leg: _Leg) -> None:
        step, last, recorded = context.number, context.last, context.recorded
        quote = context.quotes.get(leg.order.symbol)
        child_id = leg.child_id(step)
        if child_id in recorded:
            # An intent is recorded only after its reservation was granted: it holds one.
            leg.reserved = True
            found = recorded[child_id]
            if found is not None:
                leg.children[child_id] = found  # sent before: adopt, never send again
                self._log("adopted", leg, child_id=child_id, status=found.status)
                return
            record = self.ledger.order(child_id)
            assert record is not None
            request = OrderRequest(
                child_id, record.symbol, record.side, record.qty,
                OrderType.LIMIT if record.limit_price is not None else OrderType.MARKET,
                record.limit_price,
            )  # fmt: skip
            self._send(leg, request)  # recorded, never reached the broker: send it now
            return
        request_or_reason = self._request_for(leg, step, last, quote)
        if isinstance(request_or_reason, str):
            if step == last and not leg.children:
                leg.reason = leg.reason or request_or_reason
            self._log("no order this step", leg, step=step, reason=request_or_reason)
            return
        if not leg.reserved and not self._reserve(leg, context.day):
            return
        assert self.lease is not None
        self.ledger.record_order(
            OrderRecord(
                account_id=self.plan.account_id,
                client_order_id=request_or_reason.client_order_id,
                plan_id=self._plan_id,
                symbol=request_or_reason.symbol,
                side=request_or_reason.side,
                qty=request_or_reason.qty,
                ref_price=leg.order.ref_price,
                created_at=self.clock(),
                limit_price=request_or_reason.limit_price,
            ),
            lease=self.lease,
        )
        self._send(leg, request_or_reason)

    def _request_for(
        self, leg: _Leg, step: int, last: int, quote: Quote | None
    ) -> OrderRequest | str:
        """This step's order for what is left of `leg`, or why there is none."""
        ladder = self.execution.ladder
        fit = None
        if quote is not None:
            assessment = assess_quote(
                quote, self.clock(), self.execution.quote_policy, leg.order.ref_price
            )
            fit = assessment.quote if assessment.ok else None
            leg.seen_fit_quote = leg.seen_fit_quote or fit is not None
        child_id = leg.child_id(step)
        if step == last:
            if ladder.final.value == LadderAction.CANCEL.value:
                return "ladder ended: final action is cancel"
            if not leg.seen_fit_quote:
                return "no fit quote at any step: no market order on a bad market"
            return OrderRequest(child_id, leg.order.symbol, leg.order.side, leg.remaining)
        if fit is None:
            return "quote missing or unfit"
        ladder_step = ladder.step(step, fit, leg.order.side)
        if ladder_step.action is not LadderAction.LIMIT or ladder_step.price is None:
            return f"ladder says {ladder_step.action.value}"
        return OrderRequest(
            child_id, leg.order.symbol, leg.order.side, leg.remaining, OrderType.LIMIT,
            ladder_step.price,
        )  # fmt: skip

    def _reserve(self, leg: _Leg, day: date) -> bool:
        assert self.lease is not None
        answer = self.ledger.reserve(
            self.plan.account_id,
            day,
            leg.order.client_order_id,
            self._reservation_amount(leg.order),
            self.limits.max_daily_notional,
            lease=self.lease,
        )
        self._log(
            "reserve", leg, granted=answer.granted, used=answer.used, headroom=answer.headroom
        )
        if not answer.granted:
            leg.outcome = OrderOutcome.DENIED
            leg.reason = f"daily cap: {answer.headroom} left, {answer.amount} needed"
            return False
        leg.reserved = True
        return True

    def _reservation_amount(self, order: OrderIntent) -> Decimal:
        # From the plan's own order, so a re-run asks for the very same amount.
        return canonical(order.notional * (1 + self.execution.price_tolerance_pct))

    def _send(self, leg: _Leg, request: OrderRequest) -> None:
        """Submit; resolve every ambiguous answer by looking the order up first."""
        look_up = lambda: self.broker.order_by_client_id(request.client_order_id)  # noqa: E731
        for attempt in range(1, self.execution.submit_attempts + 1):
            sent: BrokerOrder | None
            try:
                sent = self._call(lambda: self.broker.submit(request))
            except DuplicateClientOrderIdError:
                sent = self._call(look_up)
                if sent is None:
                    raise
            except BrokerRejectedError as error:
                self._log("rejected", leg, child_id=request.client_order_id, reason=str(error))
                if not leg.children:
                    leg.outcome = OrderOutcome.REJECTED
                    leg.reason = f"broker refused: {error}"
                return
            except BrokerUnavailableError as error:
                self._log(
                    "ambiguous",
                    leg,
                    child_id=request.client_order_id,
                    attempt=attempt,
                    error=str(error),
                )
                self.sleep(min(2.0, 0.2 * 2**attempt))
                sent = self._call(look_up)
                if sent is None:
                    continue  # the broker has none: sending again cannot duplicate
            leg.children[request.client_order_id] = sent
            self._log("submitted", leg, child_id=request.client_order_id, status=sent.status,
                      order_type=request.order_type, limit_price=request.limit_price, qty=request.qty)  # fmt: skip
            return
        leg.reason = f"no answer after {self.execution.submit_attempts} submissions"
        self.interrupted = f"order {request.client_order_id} could not be confirmed: run again"

    def _look_up_after_ambiguity(
        self, look_up: Callable[[], BrokerOrder | None]
    ) -> BrokerOrder | None:
        """The order if the broker has it, None if it says it has none; if it cannot say,
        stop: the order's fate is unknown and a re-run will look again."""
        for attempt in range(1, self.execution.submit_attempts + 1):
            self.sleep(min(2.0, 0.2 * 2**attempt))
            try:
                return self._call(look_up)
            except BrokerUnavailableError:
                continue
        raise BrokerUnavailableError("could not look the order up after an ambiguous answer")

    def _wait_for(self, legs: Iterable[_Leg], until: datetime) -> None:
        """Poll the open orders (one request for all) until they end or time is up."""
        while True:
            live = {c.client_order_id: leg for leg in legs for c in leg.live}
            if not live or self.clock() >= until:
                return
            self.sleep(self.execution.poll_interval.total_seconds())
            ids = list(live)
            try:
                found = self._call(lambda: self.broker.orders(ids))  # noqa: B023 - called at once
            except BrokerUnavailableError as error:
                self._log("poll failed", None, error=str(error))
                continue  # poll again; the breaker stops us after enough failures in a row
            for child_id, order in found.items():
                leg = live[child_id]
                before = leg.children[child_id]
                leg.children[child_id] = order
                if (order.status, order.filled_qty) != (before.status, before.filled_qty):
                    self._log("status", leg, child_id=child_id, status=order.status,
                              filled_qty=order.filled_qty)  # fmt: skip

    def _cancel_open(self, legs: list[_Leg]) -> None:
        open_orders = [c for leg in legs for c in leg.live]
        for order in open_orders:
            try:
                self._call(lambda order=order: self.broker.cancel(order.broker_order_id))  # type: ignore[misc]
            except (BrokerRejectedError, BrokerUnavailableError) as error:
                # Already ended (filled meanwhile), or no answer: the next poll tells.
                self._log("cancel refused", None, child_id=order.client_order_id, error=str(error))
            self._log("cancel", None, child_id=order.client_order_id)
        if open_orders:
            self._wait_for(legs, self.clock() + self.execution.cancel_wait)
        if any(leg.live for leg in legs):
            self.interrupted = "a cancel is still pending at the broker: run again to finish"

    # -- buys against the cash really there ---------------------------------------------

    def _fit_buys_to_cash(self, buys: list[_Leg]) -> None:
        """Shrink the buys not yet sent to the cash there now, at the asks there now, less
        what buys sent by an earlier run of this plan may still spend."""
        resumed = []
        for leg in buys:
            first = self.ledger.order(leg.order.client_order_id)
            if first is not None:
                leg.qty = first.qty  # what the earlier run decided after its own cash check
                resumed.append(leg)
        fresh = [leg for leg in buys if leg not in resumed]
        if not fresh:
            return
        symbols = [leg.order.symbol for leg in fresh]
        account = self._call(self.broker.snapshot)  # for its cash: the buys' quotes come next
        asks = {s: q.ask for s, q in self._call(lambda: self.broker.quotes(symbols)).items()}
        margin = 1 + self.execution.price_tolerance_pct
        # The plan's reserve is the slack for prices that moved since planning: a buy may
        # spend into it, never past the cash there (that would be a buy on a shortfall).
        available = account.cash - self._still_to_spend(resumed) * margin
        for leg in fresh:
            # What a share will cost: the ask now (a limit step pays at most that), or the
            # reference price with the tolerance when there is no quote.
            unit = asks.get(leg.order.symbol) or leg.order.ref_price * margin
            grid = Decimal(1) if leg.qty == leg.qty.to_integral_value() else Decimal("1e-9")
            affordable = floor_to_increment(max(Decimal(0), available) / unit, grid)
            if affordable < leg.qty:
                self._log(
                    "shrunk for cash", leg, wanted=leg.qty, affordable=affordable, cash=account.cash
                )
                leg.reason = f"cash after sells allows {affordable} of {leg.qty}"
                leg.qty = affordable
                if not affordable:
                    leg.outcome = OrderOutcome.NOT_SENT
            available -= leg.qty * unit

    def _still_to_spend(self, resumed: list[_Leg]) -> Decimal:
        """What resumed buys may still cost: their unfilled part at the reference price.

        Read from each one's first order (one request for all); fills of later ladder
        steps are not subtracted, so this errs towards spending less."""
        if not resumed:
            return Decimal(0)
        ids = [leg.order.client_order_id for leg in resumed]
        sent = self._call(lambda: self.broker.orders(ids))
        owed = Decimal(0)
        for leg in resumed:
            order = sent.get(leg.order.client_order_id)
            filled = order.filled_qty if order is not None else Decimal(0)
            owed += max(Decimal(0), leg.qty - filled) * leg.order.ref_price
        return owed

    # -- the end: fills, settlement, the report -------------------------------------------

    def _record_and_settle(self, legs: list[_Leg]) -> None:
        assert self.lease is not None
        for leg in legs:
            for child in leg.children.values():
                if child.filled_qty and child.filled_avg_price is not None:
                    new = self.ledger.record_fill(
                        Fill(
                            account_id=self.plan.account_id,
                            fill_id=child.broker_order_id,
                            client_order_id=child.client_order_id,
                            plan_id=self._plan_id,
                            symbol=child.symbol,
                            side=child.side,
                            qty=child.filled_qty,
                            price=child.filled_avg_price,
                            ts=child.updated_at or self.clock(),
                        ),
                        lease=self.lease,
                    )
                    self._log(
                        "fill", leg, child_id=child.client_order_id, qty=child.filled_qty, new=new
                    )
            if leg.reserved:
                self._settle(leg)

    def _settle(self, leg: _Leg) -> None:
        assert self.lease is not None
        held = self._reservation_amount(leg.order)
        traded = leg.filled_notional
        key = leg.order.client_order_id
        self.ledger.settle(key, min(traded, held), lease=self.lease)
        if traded > held:
            # Slippage beyond the tolerance: it traded, so the ledger must count it.
            LOG.warning(
                "traded %s beyond the %s reserved for %s", traded - held, held, key,
                extra=self._extra(key),
            )  # fmt: skip
            self.ledger.reserve(
                self.plan.account_id, trading_day(self.clock()), f"{key}+over",
                canonical(traded - held), _UNCAPPED, lease=self.lease,
            )  # fmt: skip
        self._log("settled", leg, traded=traded, held=held)

    @staticmethod
    def _conclude(leg: _Leg) -> None:
        """The leg's outcome from what its children did (a refusal or denial stands)."""
        filled = leg.filled_qty
        if filled:
            # Judged against the plan's quantity, not one shrunk for cash.
            full = filled >= leg.order.qty
            leg.outcome = OrderOutcome.FILLED if full else OrderOutcome.PARTIALLY_FILLED
        elif leg.outcome is None and leg.children:
            leg.outcome = OrderOutcome.UNFILLED
            leg.reason = leg.reason or "nothing filled by the end of the ladder"
        elif leg.outcome is None:
            leg.outcome = OrderOutcome.NOT_SENT

    def _report(
        self,
        status: ExecutionStatus,
        legs: list[_Leg],
        *,
        check: object = None,
        detail: str = "",
    ) -> ExecutionReport:
        orders = tuple(
            OrderReport(
                client_order_id=leg.order.client_order_id,
                symbol=leg.order.symbol,
                side=leg.order.side,
                requested_qty=leg.order.qty,
                filled_qty=leg.filled_qty,
                average_price=average_price(leg.filled_notional, leg.filled_qty)
                if leg.filled_qty
                else None,
                outcome=leg.outcome or OrderOutcome.NOT_SENT,
                reason=leg.reason,
                broker_order_ids=tuple(c.broker_order_id for c in leg.children.values()),
            )
            for leg in legs
        )
        report = ExecutionReport(
            status=status,
            account_id=self.plan.account_id,
            plan_id=self.plan.plan_id,
            executed_plan_id=self._plan_id,
            correlation_id=self.correlation_id,
            orders=orders,
            skipped=self.executed.skipped if self.executed is not None else (),
            limit_check=check,  # type: ignore[arg-type]
            breaker=self.breaker,
            detail=detail,
        )
        self._log(
            "done", None, status=status, sold=report.sold_notional, bought=report.bought_notional
        )
        return report

    # -- plumbing --------------------------------------------------------------------------

    @property
    def _plan_id(self) -> str:
        return (self.executed or self.plan).plan_id

    def _renew_lease(self) -> None:
        assert self.lease is not None
        self.lease = self.ledger.renew_lease(self.lease, self.execution.lease_ttl)

    def _call(self, call: Callable[[], _T]) -> _T:
        """A broker call under the circuit breaker: only a broker that did not answer counts."""
        with self.lock:
            allowed, self.breaker = self.breaker.acquire(self.clock())
        if not allowed:
            raise _BreakerOpen
        try:
            result = call()
        except BrokerUnavailableError:
            with self.lock:
                self.breaker = self.breaker.on_failure(self.clock())
            raise
        with self.lock:
            self.breaker = self.breaker.on_success(self.clock())
        return result

    def _extra(self, client_order_id: str | None) -> dict[str, object]:
        return {
            "plan_id": self._plan_id,
            "client_order_id": client_order_id,
            "correlation_id": self.correlation_id,
            "account_id": self.plan.account_id,
        }

    def _log(self, event: str, leg: _Leg | None = None, **fields: object) -> None:
        """One log record per step of the run. Besides the message, a record carries
        `event`, `fields` and (for an order's step) `plan_order_id`, the plan order's
        client id, so a progress display can follow the run without parsing text."""
        child = fields.pop("child_id", None)
        client_order_id = child or (leg.order.client_order_id if leg else None)
        text = " ".join(f"{key}={value}" for key, value in fields.items())
        extra = self._extra(str(client_order_id) if client_order_id else None)
        extra.update(
            event=event, fields=fields, plan_order_id=leg.order.client_order_id if leg else None
        )
        LOG.info(
            "%s plan=%s order=%s correlation=%s %s",
            event, self._plan_id, client_order_id, self.correlation_id, text, extra=extra,
        )  # fmt: skip
