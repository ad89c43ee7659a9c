"""`DynamoDbLedger`: the ledger in one DynamoDB table, for serverless bots (`dynamodb://table`).

Table layout (create it with `DynamoDbLedger.create_table`): partition key ``pk``
and sort key ``sk``, both strings; no secondary index, so every read can be
strongly consistent. Key parts are JSON arrays, so no id can forge another's key
whatever characters it holds.

=========================== ============================= ==================================
item                        pk / sk                       attributes
=========================== ============================= ==================================
day's use                   ["usage", account, day] / "-" ``used`` (N)
reservation                 ["res", key] / "-"            the answer and its state
order intent                ["order", client id] / "-"    the `OrderRecord` fields
fill                        ["fills", account] / fill id  the `Fill` fields (a Query per account)
lease                       ["lease", name] / "-"         ``holder``, ``token``, ``expires_us``
=========================== ============================= ==================================

Every write is conditional: a key is claimed with ``attribute_not_exists(pk)``; the
day's use moves by ``ADD used :a`` under ``used <= :cap - :a``; a reservation and
its counter move together in one ``TransactWriteItems``; a fenced write carries a
``ConditionCheck`` on the lease item. Numbers travel as decimal strings (DynamoDB
keeps 38 significant digits exactly). Tests run this against moto, which proves
the behaviour, not the concurrency: moto serialises every call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger._transactional import Clock, system_clock
from alchemiser_adapters.ledger.model import (
    Fill,
    Lease,
    LedgerError,
    OrderRecord,
    Reservation,
    StaleLeaseError,
    canonical,
    positive_ttl,
    text,
    trading_date,
)
from alchemiser_core import InvalidInputError

__all__ = ["DynamoDbLedger"]

_T = TypeVar("_T")
_ATTEMPTS = 8  # optimistic retries when another writer changed an item first
_NO_SORT = "-"


def _item_key(kind: str, *ids: str, sort: str = _NO_SORT) -> dict[str, Any]:
    return {"pk": {"S": json.dumps([kind, *ids])}, "sk": {"S": sort}}


def _n(number: Decimal | int) -> dict[str, str]:
    # Positional ("0.000000001", never "1E-9"): the form every DynamoDB accepts.
    return {"N": str(number) if isinstance(number, int) else format(number, "f")}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _at(micros: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)


class DynamoDbLedger:
    """The `Ledger` in DynamoDB table `table`."""

    def __init__(
        self,
        table: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        clock: Clock | None = None,
        client: Any = None,
    ) -> None:
        if client is None:
            import boto3

            client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)
        self.table = text(table, "table")
        self._db = client
        self._clock = clock or system_clock

    def __repr__(self) -> str:
        return f"DynamoDbLedger(table={self.table!r})"

    @staticmethod
    def create_table(client: Any, table: str) -> None:
        """Create the table this ledger expects (on-demand capacity) and wait for it."""
        client.create_table(
            TableName=table,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        client.get_waiter("table_exists").wait(TableName=table)

    def close(self) -> None:
        """Nothing to release: boto3 clients hold no connection to close."""

    def __enter__(self) -> DynamoDbLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- low-level ------------------------------------------------------------------

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._db.get_item(
            TableName=self.table, Key=key, ConsistentRead=True
        ).get("Item")
        return found

    def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """Run the writes together: None if done, else each item's cancellation code."""
        for item in items:
            next(iter(item.values()))["TableName"] = self.table
        try:
            self._db.transact_write_items(TransactItems=items)
        except self._db.exceptions.TransactionCanceledException as error:
            return [reason.get("Code", "None") for reason in error.response["CancellationReasons"]]
        return None

    def _fence_check(self, lease: Lease | None) -> list[dict[str, Any]]:
        if lease is None:
            return []
        rules.check_lease(lease)
        return [
            {
                "ConditionCheck": {
                    "Key": _item_key("lease", lease.name),
                    "ConditionExpression": "#t = :t AND holder = :h AND expires_us > :now",
                    "ExpressionAttributeNames": {"#t": "token"},
                    "ExpressionAttributeValues": {
                        ":t": _n(lease.token),
                        ":h": _s(lease.holder),
                        ":now": _n(_micros(self._clock())),
                    },
                }
            }
        ]

    def _retrying(self, attempt: Callable[[], _T | None], what: str) -> _T:
        """Run `attempt` until it returns an answer (None: another writer won a race)."""
        for tries in range(_ATTEMPTS):
            answer = attempt()
            if answer is not None:
                return answer
            time.sleep(0.01 * 2**tries)
        raise LedgerError(f"{what}: still contended after {_ATTEMPTS} attempts")

    @staticmethod
    def _stale_if(codes: list[str], lease: Lease | None) -> None:
        if lease is not None and codes[-1] == "ConditionalCheckFailed":
            raise StaleLeaseError(f"lease {lease.name!r} token {lease.token} is not current")

    # -- the daily counter ------------------------------------------------------------

    def reserve(
        self,
        account_id: str,
        day: date,
        key: str,
        amount: Decimal | int | str,
        cap: Decimal | int | str,
        *,
        lease: Lease | None = None,
    ) -> Reservation:
        request = rules.check_reserve(account_id, day, key, amount, cap)
        return self._retrying(lambda: self._try_reserve(request, lease), f"reserve {key!r}")

    def _try_reserve(
        self, request: rules.ReserveRequest, lease: Lease | None
    ) -> Reservation | None:
        stored = self._get(_item_key("res", request.key))
        if stored is not None:
            return self._repeat(request, stored)
        usage_key = _item_key("usage", request.account_id, request.day.isoformat())
        placeholder = {
            **_item_key("res", request.key),
            "account_id": _s(request.account_id),
            "day": _s(request.day.isoformat()),
            "amount": _n(request.amount),
            "cap": _n(request.cap),
            "state": _s(rules.HELD),
            "held": _n(request.amount),
        }
        codes = self._transact(
            [
                {"Put": {"Item": placeholder, "ConditionExpression": "attribute_not_exists(pk)"}},
                {
                    "Update": {
                        "Key": usage_key,
                        "UpdateExpression": "ADD used :a",
                        "ConditionExpression": "attribute_not_exists(used) OR used <= :room",
                        "ExpressionAttributeValues": {
                            ":a": _n(request.amount),
                            ":room": _n(request.cap - request.amount),
                        },
                    }
                },
                *self._fence_check(lease),
            ]
        )
        if codes is None:
            return self._store_answer(request, granted=True)
        self._stale_if(codes, lease)
        if codes[0] == "ConditionalCheckFailed" or "TransactionConflict" in codes:
            return None  # claimed meanwhile, or contended: read again
        if codes[1] != "ConditionalCheckFailed":
            raise LedgerError(f"reserve {request.key!r}: DynamoDB cancelled it ({codes})")
        denied = {**placeholder, "state": _s(rules.DENIED), "held": _n(0)}
        try:
            self._db.put_item(
                TableName=self.table, Item=denied, ConditionExpression="attribute_not_exists(pk)"
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return None
        return self._store_answer(request, granted=False)

    def _store_answer(self, request: rules.ReserveRequest, *, granted: bool) -> Reservation:
        """Write the day's use as seen now into the reservation, once: it is the answer."""
        used = self._usage(request.account_id, request.day)
        answer = rules.answer_reservation(request, used, granted=granted)
        try:
            self._db.update_item(
                TableName=self.table,
                Key=_item_key("res", request.key),
                UpdateExpression="SET granted = :g, used = :u, headroom = :h",
                ConditionExpression="attribute_not_exists(used)",
                ExpressionAttributeValues={
                    ":g": {"BOOL": granted},
                    ":u": _n(answer.used),
                    ":h": _n(answer.headroom),
                },
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            stored = self._get(_item_key("res", request.key))
            assert stored is not None
            return self._repeat(request, stored)
        return answer

    def _repeat(self, request: rules.ReserveRequest, stored: dict[str, Any]) -> Reservation:
        if "used" not in stored:  # the writer stopped before storing its answer
            return self._store_answer(request, granted=stored["state"]["S"] != rules.DENIED)
        first = Reservation(
            key=request.key,
            account_id=stored["account_id"]["S"],
            day=date.fromisoformat(stored["day"]["S"]),
            amount=_decimal(stored["amount"]),
            cap=_decimal(stored["cap"]),
            granted=stored["granted"]["BOOL"],
            used=_decimal(stored["used"]),
            headroom=_decimal(stored["headroom"]),
        )
        return rules.repeat_reservation(request, first)

    def settle(self, key: str, amount: Decimal | int | str, *, lease: Lease | None = None) -> None:
        checked = text(key, "key")
        self._retrying(
            lambda: self._try_step(
                checked, lambda row: rules.settle_step(checked, row, amount), lease
            ),
            f"settle {key!r}",
        )

    def release(self, key: str, *, lease: Lease | None = None) -> None:
        checked = text(key, "key")
        self._retrying(
            lambda: self._try_step(checked, lambda row: rules.release_step(checked, row), lease),
            f"release {key!r}",
        )

    def _try_step(
        self,
        key: str,
        step: Callable[[rules.Held | None], tuple[rules.Held, Decimal]],
        lease: Lease | None,
    ) -> bool | None:
        stored = self._get(_item_key("res", key))
        old = None if stored is None else self._held(stored)
        new, back = step(old)
        if new == old:
            return True
        assert stored is not None and old is not None
        settled = {":s": _n(new.settled)} if new.settled is not None else {}
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": _item_key("res", key),
                    "UpdateExpression": "SET #st = :new, held = :h"
                    + (", settled = :s" if settled else ""),
                    "ConditionExpression": "#st = :old AND held = :oldh",
                    "ExpressionAttributeNames": {"#st": "state"},
                    "ExpressionAttributeValues": {
                        ":new": _s(new.state),
                        ":h": _n(new.held),
                        ":old": _s(old.state),
                        ":oldh": _n(old.held),
                        **settled,
                    },
                }
            }
        ]
        if back:
            writes.append(
                {
                    "Update": {
                        "Key": _item_key("usage", stored["account_id"]["S"], stored["day"]["S"]),
                        "UpdateExpression": "ADD used :a",
                        "ExpressionAttributeValues": {":a": _n(-back)},
                    }
                }
            )
        codes = self._transact([*writes, *self._fence_check(lease)])
        if codes is None:
            return True
        self._stale_if(codes, lease)
        return None  # the reservation moved meanwhile: read it again

    @staticmethod
    def _held(stored: dict[str, Any]) -> rules.Held:
        settled = stored.get("settled")
        return rules.Held(
            stored["state"]["S"],
            _decimal(stored["held"]),
            None if settled is None else _decimal(settled),
        )

    def used(self, account_id: str, day: date) -> Decimal:
        return self._usage(text(account_id, "account_id"), trading_date(day))

    def _usage(self, account_id: str, day: date) -> Decimal:
        stored = self._get(_item_key("usage", account_id, day.isoformat()))
        return Decimal(0) if stored is None or "used" not in stored else _decimal(stored["used"])

    # -- orders and fills ---------------------------------------------------------------

    def record_order(self, record: OrderRecord, *, lease: Lease | None = None) -> bool:
        if not isinstance(record, OrderRecord):
            raise InvalidInputError("record", "an OrderRecord", record)
        item = {**_item_key("order", record.client_order_id), **_order_item(record)}
        if not self._claim(item, lease):
            stored = self.order(record.client_order_id)
            assert stored is not None
            return rules.same_order(stored, record)
        return True

    def order(self, client_order_id: str) -> OrderRecord | None:
        stored = self._get(_item_key("order", text(client_order_id, "client_order_id")))
        return None if stored is None else _order_from(stored)

    def record_fill(self, fill: Fill, *, lease: Lease | None = None) -> bool:
        if not isinstance(fill, Fill):
            raise InvalidInputError("fill", "a Fill", fill)
        item = {**_item_key("fills", fill.account_id, sort=fill.fill_id), **_fill_item(fill)}
        if not self._claim(item, lease):
            stored = self._get(_item_key("fills", fill.account_id, sort=fill.fill_id))
            assert stored is not None
            return rules.same_fill(_fill_from(stored), fill)
        return True

    def _claim(self, item: dict[str, Any], lease: Lease | None) -> bool:
        """Put `item` unless its key exists: True if written."""
        codes = self._transact(
            [
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                *self._fence_check(lease),
            ]
        )
        if codes is None:
            return True
        self._stale_if(codes, lease)
        return False

    def fills(
        self,
        account_id: str,
        day: date | None = None,
        plan_id: str | None = None,
        symbol: str | None = None,
    ) -> tuple[Fill, ...]:
        account = text(account_id, "account_id")
        checked_day = None if day is None else trading_date(day)
        found: list[Fill] = []
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _item_key("fills", account)["pk"]},
            ConsistentRead=True,
        )
        for page in pages:
            found.extend(_fill_from(item) for item in page["Items"])
        return tuple(
            sorted(
                (
                    fill
                    for fill in found
                    if (checked_day is None or fill.day == checked_day)
                    and (plan_id is None or fill.plan_id == plan_id)
                    and (symbol is None or fill.symbol == symbol)
                ),
                key=lambda fill: (fill.ts, fill.fill_id),
            )
        )

    # -- leases -------------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, ttl: timedelta) -> Lease | None:
        checked_name, checked_holder = rules.check_lease_args(name, holder)
        duration = positive_ttl(ttl)

        def attempt() -> tuple[Lease | None] | None:
            current, item = self._lease(checked_name)
            granted = rules.grant_lease(
                current, checked_name, checked_holder, duration, self._clock()
            )
            if granted is None:
                return (None,)
            return (granted,) if self._swap_lease(item, granted) else None

        return self._retrying(attempt, f"acquire lease {name!r}")[0]

    def renew_lease(self, lease: Lease, ttl: timedelta) -> Lease:
        checked = rules.check_lease(lease)
        duration = positive_ttl(ttl)

        def attempt() -> Lease | None:
            current, item = self._lease(checked.name)
            renewed = rules.renewed_lease(current, checked, duration, self._clock())
            return renewed if self._swap_lease(item, renewed) else None

        return self._retrying(attempt, f"renew lease {lease.name!r}")

    def release_lease(self, lease: Lease) -> None:
        checked = rules.check_lease(lease)

        def attempt() -> bool | None:
            current, item = self._lease(checked.name)
            ended = rules.released_lease(current, checked)
            return True if ended is None or self._swap_lease(item, ended) else None

        self._retrying(attempt, f"release lease {lease.name!r}")

    def _lease(self, name: str) -> tuple[Lease | None, dict[str, Any] | None]:
        stored = self._get(_item_key("lease", name))
        if stored is None:
            return None, None
        lease = Lease(
            name=name,
            holder=stored["holder"]["S"],
            token=int(stored["token"]["N"]),
            expires_at=_at(int(stored["expires_us"]["N"])),
        )
        return lease, stored

    def _swap_lease(self, old: dict[str, Any] | None, new: Lease) -> bool:
        """Write `new` iff the lease item is still `old` (compare-and-swap on the token)."""
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if old is None
            else {
                "ConditionExpression": "#t = :t AND expires_us = :e",
                "ExpressionAttributeNames": {"#t": "token"},
                "ExpressionAttributeValues": {":t": old["token"], ":e": old["expires_us"]},
            }
        )
        try:
            self._db.put_item(
                TableName=self.table,
                Item={
                    **_item_key("lease", new.name),
                    "holder": _s(new.holder),
                    "token": _n(new.token),
                    "expires_us": _n(_micros(new.expires_at)),
                },
                **condition,
            )
        except self._db.exceptions.ConditionalCheckFailedException:
            return False
        return True


def _decimal(attribute: dict[str, str]) -> Decimal:
    return canonical(Decimal(attribute["N"]))


def _fill_item(fill: Fill) -> dict[str, Any]:
    return {
        "account_id": _s(fill.account_id),
        "fill_id": _s(fill.fill_id),
        "client_order_id": _s(fill.client_order_id),
        "plan_id": _s(fill.plan_id),
        "symbol": _s(fill.symbol),
        "side": _s(fill.side.value),
        "qty": _n(fill.qty),
        "price": _n(fill.price),
        "ts": _s(fill.ts.isoformat()),
    }


def _fill_from(item: dict[str, Any]) -> Fill:
    return Fill(
        account_id=item["account_id"]["S"],
        fill_id=item["fill_id"]["S"],
        client_order_id=item["client_order_id"]["S"],
        plan_id=item["plan_id"]["S"],
        symbol=item["symbol"]["S"],
        side=item["side"]["S"],
        qty=_decimal(item["qty"]),
        price=_decimal(item["price"]),
        ts=datetime.fromisoformat(item["ts"]["S"]),
    )


def _order_item(record: OrderRecord) -> dict[str, Any]:
    item = {
        "account_id": _s(record.account_id),
        "client_order_id": _s(record.client_order_id),
        "plan_id": _s(record.plan_id),
        "symbol": _s(record.symbol),
        "side": _s(record.side.value),
        "qty": _n(record.qty),
        "ref_price": _n(record.ref_price),
        "created_at": _s(record.created_at.isoformat()),
    }
    if record.limit_price is not None:
        item["limit_price"] = _n(record.limit_price)
    return item


def _order_from(item: dict[str, Any]) -> OrderRecord:
    limit = item.get("limit_price")
    return OrderRecord(
        account_id=item["account_id"]["S"],
        client_order_id=item["client_order_id"]["S"],
        plan_id=item["plan_id"]["S"],
        symbol=item["symbol"]["S"],
        side=item["side"]["S"],
        qty=_decimal(item["qty"]),
        ref_price=_decimal(item["ref_price"]),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        limit_price=None if limit is None else _decimal(limit),
    )
