"""`RebalancePlan`: an immutable, printable, hashable plan with an exact JSON round trip.

The plan id is a content hash: a SHA-256 over a canonical text of everything in
the plan except the ids themselves. Client order ids are derived from it, so the
same plan always carries the same ids (re-running an execution cannot
double-submit) and a plan edited after the fact no longer matches its id
(`from_json` refuses it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

from alchemiser_core._contexts import EXACT_CONTEXT
from alchemiser_core._fields import aware_datetime, bounds, identifier, number, value_fields
from alchemiser_core.errors import AlchemiserError, InvalidInputError
from alchemiser_core.notebook import frame, html_table
from alchemiser_core.numeric import ZERO, canonical, exact_sum, to_decimal
from alchemiser_core.planning.orders import Leg, OrderIntent, Side, SkippedLeg, leg_notional

__all__ = ["PLAN_FORMAT", "PlanBasis", "RebalancePlan", "client_order_id_for", "skipped_order"]

#: Written into every JSON plan; bump when the canonical content changes.
PLAN_FORMAT = "alchemiser.plan/1"
_PLAN_ID_HEX = 32
_REPR_LEGS = 40
_FRAME_COLUMNS = (
    "kind", "symbol", "side", "qty", "ref_price", "notional", "current_weight",
    "target_weight", "is_full_exit", "reason", "detail", "client_order_id",
)  # fmt: skip
_FRAME_NUMBERS = ("qty", "ref_price", "notional", "current_weight", "target_weight")


def _percent(weight: Decimal) -> str:
    return f"{weight * 100:.2f}%"


def _plan_id(value: object, field: str = "plan_id") -> str:
    if not isinstance(value, str) or len(value) != _PLAN_ID_HEX or not _is_hex(value):
        raise InvalidInputError(field, f"{_PLAN_ID_HEX} lower-case hex digits", value)
    return value


def _is_hex(text: str) -> bool:
    return all(character in "0123456789abcdef" for character in text)


def _as_of_utc(value: object, field: str = "as_of") -> datetime:
    # Stored in UTC so the JSON round trip gives back an identical (not just equal) value.
    return aware_datetime(value, field).astimezone(UTC)


def _orders(value: object, field: str = "orders") -> tuple[OrderIntent, ...]:
    items = tuple(value) if isinstance(value, tuple | list) else None
    if items is None or not all(isinstance(item, OrderIntent) for item in items):
        raise InvalidInputError(field, "a sequence of OrderIntent", value)
    return items


def _skipped(value: object, field: str = "skipped") -> tuple[SkippedLeg, ...]:
    items = tuple(value) if isinstance(value, tuple | list) else None
    if items is None or not all(isinstance(item, SkippedLeg) for item in items):
        raise InvalidInputError(field, "a sequence of SkippedLeg", value)
    return items


class PlanBasis(NamedTuple):
    """Package-internal: what a plan was computed from, besides its legs (checked values)."""

    account_id: str
    as_of: datetime
    cash_before: Decimal
    reserve: Decimal
    equity: Decimal


def client_order_id_for(plan_id: str, index: int) -> str:
    """The client order id of the `index`-th order of plan `plan_id` (<= 48 characters).

    >>> client_order_id_for("0123456789abcdef0123456789abcdef", 7)
    'alc-0123456789abcdef0123456789abcdef-7'
    """
    return f"alc-{plan_id}-{index}"


@attrs.frozen(slots=True, repr=False, field_transformer=value_fields)
class RebalancePlan:
    """The orders (sells first, then buys) and skipped legs that move an account to its targets.

    Build plans with `plan_rebalance` (or `RebalancePlan.build` from legs); the
    constructor re-checks everything a hand-built or deserialised plan could get
    wrong: ids, ordering, totals.
    """

    plan_id: str = attrs.field(converter=_plan_id)
    account_id: str = attrs.field(converter=identifier)
    as_of: datetime = attrs.field(converter=_as_of_utc)
    orders: tuple[OrderIntent, ...] = attrs.field(converter=_orders)
    skipped: tuple[SkippedLeg, ...] = attrs.field(converter=_skipped)
    cash_before: Decimal = attrs.field(converter=number)
    reserve: Decimal = attrs.field(converter=number, metadata=bounds(ge=ZERO))
    equity: Decimal = attrs.field(converter=number, metadata=bounds(ge=ZERO))
    total_sell_value: Decimal = attrs.field(init=False)
    total_buy_value: Decimal = attrs.field(init=False)
    cash_after: Decimal = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if list(self.orders) != sorted(self.orders, key=_order_sort_key):
            raise InvalidInputError(
                "orders", "sells before buys, larger notional first, then symbol", self.orders
            )
        if list(self.skipped) != sorted(self.skipped, key=skipped_order):
            raise InvalidInputError("skipped", "legs sorted by symbol, side, reason", self.skipped)
        expected_id = _content_id(
            self._basis(), [order.to_leg() for order in self.orders], self.skipped
        )
        if self.plan_id != expected_id:
            raise InvalidInputError(
                "plan_id", f"the content hash {expected_id!r} (was the plan edited?)", self.plan_id
            )
        for index, order in enumerate(self.orders):
            expected_client_id = client_order_id_for(expected_id, index)
            if order.client_order_id != expected_client_id:
                raise InvalidInputError(
                    f"orders[{index}].client_order_id",
                    repr(expected_client_id),
                    order.client_order_id,
                )
        _set_totals(
            self,
            (order.notional for order in self.orders if order.side is Side.SELL),
            (order.notional for order in self.orders if order.side is Side.BUY),
        )

    # -- construction -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        account_id: str,
        as_of: datetime,
        orders: Iterable[OrderIntent],
        skipped: Iterable[SkippedLeg],
        cash_before: object,
        reserve: object,
        equity: object,
    ) -> RebalancePlan:
        """Assemble a plan from legs: check them, sort them, hash the content, derive the ids.

        Orders are put sells first, then buys; within a side larger notional
        first, then symbol. Incoming client ids are replaced by derived ones. Every
        argument is checked as the constructor checks it.
        """
        basis = PlanBasis(
            identifier(account_id, "account_id"),
            _as_of_utc(as_of),
            number(cash_before, "cash_before"),
            number(reserve, "reserve", ge=ZERO),
            number(equity, "equity", ge=ZERO),
        )
        legs = [order.to_leg() for order in sorted(_orders(list(orders)), key=_order_sort_key)]
        return cls._from_legs(
            basis,
            [leg for leg in legs if leg.side is Side.SELL],
            [leg for leg in legs if leg.side is Side.BUY],
            sorted(_skipped(list(skipped)), key=skipped_order),
        )

    @classmethod
    def _from_legs(
        cls, basis: PlanBasis, sells: list[Leg], buys: list[Leg], skipped: Iterable[SkippedLeg]
    ) -> RebalancePlan:
        """The one fast constructor, for the planner and `build`: checked legs, each side in
        submission order, skipped legs sorted. Hashes the content, derives the client
        ids, and makes each `OrderIntent` once."""
        skipped_legs = tuple(skipped)
        basis = basis._replace(as_of=basis.as_of.astimezone(UTC))  # see `_as_of_utc`
        legs = sells + buys
        plan_id = _content_id(basis, legs, skipped_legs)
        prefix = f"alc-{plan_id}-"
        orders = tuple(
            OrderIntent._from_leg(leg, f"{prefix}{index}") for index, leg in enumerate(legs)
        )
        plan = _new(cls)
        for name, value in (
            ("plan_id", plan_id),
            *zip(PlanBasis._fields, basis, strict=True),
            ("orders", orders),
            ("skipped", skipped_legs),
        ):
            _setattr(plan, name, value)
        _set_totals(plan, map(leg_notional, sells), map(leg_notional, buys))
        return plan

    def _basis(self) -> PlanBasis:
        return PlanBasis(self.account_id, self.as_of, self.cash_before, self.reserve, self.equity)

    def with_legs(
        self, orders: Iterable[OrderIntent], extra_skipped: Iterable[SkippedLeg] = ()
    ) -> RebalancePlan:
        """A new plan (new id, new client ids) with these orders and additional skipped legs."""
        return RebalancePlan.build(
            account_id=self.account_id,
            as_of=self.as_of,
            orders=orders,
            skipped=(*self.skipped, *extra_skipped),
            cash_before=self.cash_before,
            reserve=self.reserve,
            equity=self.equity,
        )

    # -- views ------------------------------------------------------------------------

    @property
    def sells(self) -> tuple[OrderIntent, ...]:
        """The sell orders, in submission order."""
        return tuple(order for order in self.orders if order.side is Side.SELL)

    @property
    def buys(self) -> tuple[OrderIntent, ...]:
        """The buy orders, in submission order."""
        return tuple(order for order in self.orders if order.side is Side.BUY)

    def __repr__(self) -> str:
        """A header, then one line per order and one per leg that has no order at all.

        A leg that was only partly ordered (reduced for cash) is a note on its order's
        line, not a line of its own: the header's "skipped" counts legs not traded.
        """
        notes: dict[tuple[str, Side], list[SkippedLeg]] = {}
        ordered = {(order.symbol, order.side) for order in self.orders}
        unordered = []
        for leg in self.skipped:
            if (leg.symbol, leg.side) in ordered:
                notes.setdefault((leg.symbol, leg.side), []).append(leg)
            else:
                unordered.append(leg)
        reduced = f", {len(self.skipped) - len(unordered)} reduced" if notes else ""
        head = (
            f"RebalancePlan(plan_id={self.plan_id!r}, account_id={self.account_id!r},"
            f" as_of={self.as_of.isoformat()}, equity={self.equity}, reserve={self.reserve},"
            f" cash {self.cash_before} -> {self.cash_after},"
            f" sells={self.total_sell_value}, buys={self.total_buy_value},"
            f" {len(self.orders)} orders, {len(unordered)} skipped{reduced})"
        )
        lines = [head]
        for order in self.orders[:_REPR_LEGS]:
            exit_note = " (full exit)" if order.is_full_exit else ""
            leg_notes = "".join(
                f" ({_why(leg)})" for leg in notes.pop((order.symbol, order.side), ())
            )
            lines.append(
                f"  {order.side.name:<4} {order.qty} {order.symbol} @ {order.ref_price}"
                f" = {order.notional}{exit_note}{leg_notes}"
            )
        if len(self.orders) > _REPR_LEGS:
            lines.append(f"  ... {len(self.orders) - _REPR_LEGS} more orders")
        for leg in unordered[:_REPR_LEGS]:
            lines.append(f"  skip {leg.side.name:<4} {leg.symbol}: {_why(leg)}")
        if len(unordered) > _REPR_LEGS:
            lines.append(f"  ... {len(unordered) - _REPR_LEGS} more skipped")
        return "\n".join(lines)

    # -- notebooks --------------------------------------------------------------------

    def _repr_html_(self) -> str:
        """Jupyter's view: orders (sells first), skipped legs with reasons, and totals."""
        rows: list[list[object]] = [
            [
                (order.side.value, order.side.value),
                order.symbol,
                order.qty,
                order.ref_price,
                order.notional,
                _percent(order.current_weight),
                _percent(order.target_weight),
                "full exit" if order.is_full_exit else "",
            ]
            for order in self.orders
        ]
        rows += [
            [(f"skip {leg.side.value}", "bad"), leg.symbol, leg.qty, None, leg.notional, "", "",
             _why(leg)]
            for leg in self.skipped
        ]  # fmt: skip
        return html_table(
            f"Plan {self.plan_id} · account {self.account_id} · as of {self.as_of.isoformat()}",
            ["side", "symbol", "qty", "price", "notional", "weight now", "target", "note"],
            rows,
            f"equity {self.equity} · reserve {self.reserve} · sells {self.total_sell_value}"
            f" · buys {self.total_buy_value} · cash {self.cash_before} → {self.cash_after}",
        )

    def to_frame(self, *, as_float: bool = False) -> Any:
        """The orders, then the skipped legs, as a pandas DataFrame (needs pandas).

        Columns: ``kind`` ("order" or "skipped"), ``symbol``, ``side``, ``qty``,
        ``ref_price``, ``notional``, ``current_weight``, ``target_weight``,
        ``is_full_exit``, ``reason``, ``detail``, ``client_order_id``. Numbers are the
        plan's exact Decimals (a skipped leg's ``qty`` and ``notional`` are what was not
        ordered; its prices and weights are None); ``as_float=True`` gives floats for
        plotting.
        """
        orders: list[list[object]] = [
            ["order", o.symbol, o.side.value, o.qty, o.ref_price, o.notional, o.current_weight,
             o.target_weight, o.is_full_exit, "", "", o.client_order_id]
            for o in self.orders
        ]  # fmt: skip
        skipped: list[list[object]] = [
            ["skipped", leg.symbol, leg.side.value, leg.qty, None, leg.notional, None, None,
             False, leg.reason.value, leg.detail, ""]
            for leg in self.skipped
        ]  # fmt: skip
        return frame(_FRAME_COLUMNS, orders + skipped, numeric=_FRAME_NUMBERS, as_float=as_float)

    # -- JSON -------------------------------------------------------------------------

    def to_json(self) -> str:
        """A canonical JSON text (numbers as exact decimal strings) that `from_json` reads back."""
        document = {
            "format": PLAN_FORMAT,
            "plan_id": self.plan_id,
            "account_id": self.account_id,
            "as_of": self.as_of.isoformat(),
            "cash_before": str(self.cash_before),
            "reserve": str(self.reserve),
            "equity": str(self.equity),
            "total_sell_value": str(self.total_sell_value),
            "total_buy_value": str(self.total_buy_value),
            "cash_after": str(self.cash_after),
            "orders": [
                {
                    "symbol": order.symbol,
                    "side": order.side.value,
                    "qty": str(order.qty),
                    "ref_price": str(order.ref_price),
                    "notional": str(order.notional),
                    "client_order_id": order.client_order_id,
                    "target_weight": str(order.target_weight),
                    "current_weight": str(order.current_weight),
                    "is_full_exit": order.is_full_exit,
                }
                for order in self.orders
            ],
            "skipped": [
                {
                    "symbol": leg.symbol,
                    "side": leg.side.value,
                    "reason": leg.reason.value,
                    "detail": leg.detail,
                    "qty": str(leg.qty),
                    "notional": str(leg.notional),
                }
                for leg in self.skipped
            ],
        }
        # json.dumps escapes every non-ASCII character by default: the text is ASCII.
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> RebalancePlan:
        """Read a plan written by `to_json`, verifying its id, client ids, order and totals.

        Anything malformed or tampered with raises `InvalidInputError`.
        """
        try:
            document = json.loads(text)
        except (TypeError, ValueError) as error:
            raise InvalidInputError("plan JSON", "a JSON document", _excerpt(text)) from error
        try:
            return _plan_from_document(document)
        except AlchemiserError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidInputError(
                "plan JSON", f"a plan document ({error})", _excerpt(text)
            ) from None


def _why(leg: SkippedLeg) -> str:
    return f"{leg.reason.value}: {leg.detail}" if leg.detail else leg.reason.value


def _excerpt(text: object) -> object:
    return text[:80] if isinstance(text, str | bytes) else text


def _require(document: Mapping[str, Any], key: str, kind: type) -> Any:
    value = document[key]
    if not isinstance(value, kind):
        raise InvalidInputError(f"plan JSON {key}", kind.__name__, value)
    return value


def _plan_from_document(document: object) -> RebalancePlan:
    if not isinstance(document, dict):
        raise InvalidInputError("plan JSON", "a JSON object", document)
    if document.get("format") != PLAN_FORMAT:
        raise InvalidInputError("plan JSON format", repr(PLAN_FORMAT), document.get("format"))
    as_of_text = _require(document, "as_of", str)
    try:
        as_of = datetime.fromisoformat(as_of_text)
    except ValueError:
        raise InvalidInputError("plan JSON as_of", "an ISO 8601 timestamp", as_of_text) from None
    plan = RebalancePlan(
        plan_id=_require(document, "plan_id", str),
        account_id=_require(document, "account_id", str),
        as_of=as_of,
        orders=_orders_from(_require(document, "orders", list)),
        skipped=_skipped_from(_require(document, "skipped", list)),
        cash_before=to_decimal(_require(document, "cash_before", str), "cash_before"),
        reserve=to_decimal(_require(document, "reserve", str), "reserve"),
        equity=to_decimal(_require(document, "equity", str), "equity"),
    )
    _check_written_totals(plan, document)
    return plan


def _orders_from(entries: list[Any]) -> tuple[OrderIntent, ...]:
    return tuple(
        OrderIntent(
            symbol=_require(entry, "symbol", str),
            side=_require(entry, "side", str),
            qty=_require(entry, "qty", str),
            ref_price=_require(entry, "ref_price", str),
            client_order_id=_require(entry, "client_order_id", str),
            target_weight=_require(entry, "target_weight", str),
            current_weight=_require(entry, "current_weight", str),
            is_full_exit=_require(entry, "is_full_exit", bool),
        )
        for entry in entries
    )


def _skipped_from(entries: list[Any]) -> tuple[SkippedLeg, ...]:
    return tuple(
        SkippedLeg(
            symbol=_require(entry, "symbol", str),
            side=_require(entry, "side", str),
            reason=_require(entry, "reason", str),
            detail=_require(entry, "detail", str),
            qty=_require(entry, "qty", str),
            notional=_require(entry, "notional", str),
        )
        for entry in entries
    )


def _check_written_totals(plan: RebalancePlan, document: dict[str, Any]) -> None:
    # Compared by value, so a plan written with trailing zeros ("2539.50") reads back.
    # The orders were read from the same list, so the indices match.
    for index, order in enumerate(plan.orders):
        field = f"plan JSON notional of {order.symbol}"
        written = _require(document["orders"][index], "notional", str)
        if to_decimal(written, field) != order.notional:
            raise InvalidInputError(field, str(order.notional), written)
    for key in ("total_sell_value", "total_buy_value", "cash_after"):
        written = _require(document, key, str)
        if to_decimal(written, f"plan JSON {key}") != getattr(plan, key):
            raise InvalidInputError(f"plan JSON {key}", str(getattr(plan, key)), written)


# -- invariants and hashing ---------------------------------------------------------------


def _set_totals(
    plan: RebalancePlan, sell_notionals: Iterable[Decimal], buy_notionals: Iterable[Decimal]
) -> None:
    # Sums of canonical values need not be canonical (0.5 + 0.5 is 1.0).
    sells = canonical(exact_sum(sell_notionals))
    buys = canonical(exact_sum(buy_notionals))
    _setattr(plan, "total_sell_value", sells)
    _setattr(plan, "total_buy_value", buys)
    cash_after = EXACT_CONTEXT.subtract(EXACT_CONTEXT.add(plan.cash_before, sells), buys)
    _setattr(plan, "cash_after", canonical(cash_after))


def _order_sort_key(order: OrderIntent) -> tuple[int, Decimal, str]:
    return (0 if order.side is Side.SELL else 1, -order.notional, order.symbol)


def skipped_order(leg: SkippedLeg) -> tuple[str, str, str]:
    """Package-internal: the order of a plan's skipped legs (symbol, side, reason)."""
    return (leg.symbol, leg.side.value, leg.reason.value)


def _content_id(basis: PlanBasis, legs: Iterable[Leg], skipped: Iterable[SkippedLeg]) -> str:
    """SHA-256 over a canonical text of the plan: its basis, every order leg, every skipped leg.

    Each field is written with `str` (exact, canonical Decimals) between separators that
    no field may contain, so two different plans never share a text.
    """
    account_id, as_of, cash_before, reserve, equity = basis
    parts = [
        PLAN_FORMAT,
        account_id,
        as_of.isoformat(),
        str(cash_before),
        str(reserve),
        str(equity),
    ]
    # `!s` rather than a bare field: Decimal.__format__ is three times slower than str().
    parts += [
        f"o|{leg.symbol}|{leg.side!s}|{leg.qty!s}|{leg.ref_price!s}|{leg.target_weight!s}"
        f"|{leg.current_weight!s}|{_BIT[leg.is_full_exit]}"
        for leg in legs
    ]
    parts += [
        f"s|{leg.symbol}|{leg.side!s}|{leg.reason!s}|{leg.qty!s}|{leg.notional!s}|{leg.detail}"
        for leg in skipped
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return digest[:_PLAN_ID_HEX]


_BIT = ("0", "1")  # is_full_exit as the content text spells it
_new = object.__new__
_setattr = object.__setattr__  # a frozen class refuses plain assignment
