"""Work done by separate processes in the ledger concurrency and crash tests.

Each function opens its own ledger from a `Store` description (a process never
shares a connection), waits for a common start time so the processes overlap,
then works and returns plain values.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import attrs

from alchemiser_adapters.ledger import Fill, Lease, Ledger, StaleLeaseError

DAY = date(2026, 11, 27)
Store = tuple[str, ...]  # ("sqlite", path) or ("postgres", url, schema)


def open_store(store: Store) -> Ledger:
    if store[0] == "sqlite":
        from alchemiser_adapters.ledger.sqlite import SqliteLedger

        return SqliteLedger(store[1])
    from alchemiser_adapters.ledger.postgres import PostgresLedger

    return PostgresLedger(store[1], schema=store[2], max_connections=2)


def _wait_until(start: float) -> None:
    time.sleep(max(0.0, start - time.time()))


def reserve_many(
    store: Store, worker: int, count: int, amount: str, cap: str, start: float
) -> list[tuple[str, bool]]:
    """`count` reservations of `amount` under `cap`: (key, granted) for each."""
    ledger = open_store(store)
    _wait_until(start)
    answers = []
    for index in range(count):
        key = f"w{worker}-{index}"
        answers.append((key, ledger.reserve("acct", DAY, key, amount, cap).granted))
    ledger.close()
    return answers


def sample_fill() -> Fill:
    return Fill(
        account_id="acct",
        fill_id="same-fill",
        client_order_id="alc-plan-0",
        plan_id="plan",
        symbol="AAPL",
        side="buy",
        qty="3",
        price="100.5",
        ts=datetime(2026, 11, 27, 15, 30, tzinfo=UTC),
    )


def record_same_fill(store: Store, start: float) -> bool:
    ledger = open_store(store)
    _wait_until(start)
    recorded = ledger.record_fill(sample_fill())
    ledger.close()
    return recorded


def race_for_lease(store: Store, holder: str, ttl_seconds: float, start: float) -> Lease | None:
    ledger = open_store(store)
    _wait_until(start)
    lease = ledger.acquire_lease("acct", holder, timedelta(seconds=ttl_seconds))
    ledger.close()
    return lease


def write_under(store: Store, lease: Lease) -> str:
    """Try a fenced write from this process: 'written' or 'stale'."""
    ledger = open_store(store)
    try:
        ledger.record_fill(sample_fill(), lease=lease)
    except StaleLeaseError:
        return "stale"
    finally:
        ledger.close()
    return "written"


def die_inside_a_transaction(store: Store, ready: str) -> None:
    """Make a reservation and record a fill inside one open transaction, say so, then hang.

    The parent kills this process with SIGKILL while the transaction is open: none of
    its writes may survive.
    """
    from alchemiser_adapters.ledger import _rules as rules
    from alchemiser_adapters.ledger._transactional import TransactionalLedger

    ledger = open_store(store)
    assert isinstance(ledger, TransactionalLedger)
    request = rules.check_reserve("acct", DAY, "crash-key", "70", "10000")
    with ledger._transaction() as tx:
        assert tx.claim_reservation(request) is None
        used = tx.add_usage("acct", DAY, request.amount, request.cap)
        assert used is not None
        tx.write_reservation(
            rules.answer_reservation(request, used, granted=True),
            rules.Held(rules.HELD, request.amount, None),
        )
        assert tx.claim_fill(sample_fill()) is None
        Path(ready).write_text("in transaction")
        time.sleep(60)  # killed long before this ends


def churn(store: Store, worker: int) -> None:
    """Reserve, record a fill, settle, release, forever: killed at a random moment."""
    ledger = open_store(store)
    index = 0
    while True:
        key = f"churn{worker}-{index}"
        ledger.reserve("acct", DAY, key, "7.01", "1000000")
        ledger.record_fill(attrs.evolve(sample_fill(), fill_id=f"{key}-fill", client_order_id=key))
        if index % 2:
            ledger.settle(key, "3.5")
        else:
            ledger.release(key)
        index += 1


def consistency_problems(store: Store) -> list[str]:
    """Read the raw tables: the day's counter must equal what its reservations hold or
    settled, and no reservation may be left half-made."""
    query_usage = "SELECT used FROM usage WHERE account_id = 'acct'"
    query_rows = "SELECT state, held, settled FROM reservations WHERE account_id = 'acct'"
    if store[0] == "sqlite":
        import sqlite3

        with sqlite3.connect(store[1]) as connection:
            usage = connection.execute(query_usage).fetchall()
            rows = connection.execute(query_rows).fetchall()
    else:
        import psycopg

        with psycopg.connect(store[1], options=f"-c search_path={store[2]}") as connection:
            usage = connection.execute(query_usage).fetchall()
            rows = connection.execute(query_rows).fetchall()
    used = sum((Decimal(str(row[0])) for row in usage), Decimal(0))
    counted = sum(
        (Decimal(str(held)) for state, held, _ in rows if state == "held"), Decimal(0)
    ) + sum((Decimal(str(settled)) for state, _, settled in rows if state == "settled"), Decimal(0))
    problems = []
    if used != counted:
        problems.append(f"counter {used} != reservations' held + settled {counted}")
    unknown = {state for state, _, _ in rows} - {"held", "settled", "released", "denied"}
    if unknown:
        problems.append(f"reservations left in state {unknown}")
    return problems


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
