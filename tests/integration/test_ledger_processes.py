"""The ledger under real processes: concurrent writers and a writer killed mid-transaction.

Run on SQLite (one file, several processes) and PostgreSQL (this machine's server,
a schema per test). DynamoDB is left out: moto serialises every call, so it could
not show a race.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alchemiser_adapters.ledger import Lease
from tests.integration import ledger_workers as workers

PROCESSES = 8
# Spawned, not forked: each process starts clean and opens its own connections.
CONTEXT = multiprocessing.get_context("spawn")


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[workers.Store]:
    if request.param == "sqlite":
        yield ("sqlite", str(tmp_path / "ledger.db"))
    else:
        url = request.getfixturevalue("postgres_url")
        yield ("postgres", url, request.getfixturevalue("postgres_schema"))


def _prepared(store: workers.Store) -> None:
    # Create the schema once, before the processes race to open it.
    workers.open_store(store).close()


def _in_processes(function: Any, arguments: list[tuple[Any, ...]]) -> list[Any]:
    with CONTEXT.Pool(len(arguments)) as pool:
        return pool.starmap(function, arguments, chunksize=1)


def test_eight_processes_never_reserve_past_the_cap(store: workers.Store) -> None:
    # 8 x 40 reservations of $70 against $10,000: 320 x 70 = 22,400 asked. Grants only
    # ever add, so the day fills to floor(10,000 / 70) = 142 grants = 9,940, whatever
    # the interleaving, and no more.
    _prepared(store)
    start = time.time() + 2.0

    answers = _in_processes(
        workers.reserve_many,
        [(store, worker, 40, "70", "10000", start) for worker in range(PROCESSES)],
    )

    granted = [key for answer in answers for key, ok in answer if ok]
    assert len(granted) == 142
    assert len(set(granted)) == 142
    ledger = workers.open_store(store)
    assert ledger.used("acct", workers.DAY) == 142 * 70 == 9_940
    ledger.close()
    assert workers.consistency_problems(store) == []


def test_eight_processes_recording_one_fill_make_one_row(store: workers.Store) -> None:
    _prepared(store)
    start = time.time() + 2.0

    recorded = _in_processes(workers.record_same_fill, [(store, start)] * PROCESSES)

    assert sorted(recorded) == [False] * (PROCESSES - 1) + [True]
    ledger = workers.open_store(store)
    assert ledger.fills("acct") == (workers.sample_fill(),)
    ledger.close()


def test_one_of_many_racing_instances_gets_the_lease_and_stale_tokens_cannot_write(
    store: workers.Store,
) -> None:
    _prepared(store)
    start = time.time() + 2.0

    leases = _in_processes(
        workers.race_for_lease,
        [(store, f"bot-{worker}", 1.5, start) for worker in range(PROCESSES)],
    )

    winners = [lease for lease in leases if lease is not None]
    assert len(winners) == 1
    (winner,) = winners
    # A loser writing as if it held the lease: its own name, the winner's token.
    loser = Lease(name="acct", holder="bot-x", token=winner.token, expires_at=winner.expires_at)
    assert _in_processes(workers.write_under, [(store, loser)]) == ["stale"]
    # Once the winner's 1.5 s have run out, its own token is refused too, and after
    # another instance takes the lease, the old token stays refused.
    time.sleep(max(0.0, (winner.expires_at.timestamp() - time.time()) + 0.2))
    assert _in_processes(workers.write_under, [(store, winner)]) == ["stale"]
    successor = workers.open_store(store).acquire_lease("acct", "bot-y", timedelta(seconds=30))
    assert successor is not None and successor.token > winner.token
    assert _in_processes(workers.write_under, [(store, winner)]) == ["stale"]
    assert _in_processes(workers.write_under, [(store, successor)]) == ["written"]


def test_a_writer_killed_inside_a_transaction_leaves_nothing_behind(
    store: workers.Store, tmp_path: Path
) -> None:
    _prepared(store)
    ready = tmp_path / "ready"
    process = CONTEXT.Process(target=workers.die_inside_a_transaction, args=(store, str(ready)))
    process.start()
    deadline = time.time() + 60
    while not ready.exists() and process.is_alive() and time.time() < deadline:
        time.sleep(0.05)
    assert ready.exists(), "the writer never reached its open transaction"

    workers.kill(process.pid)  # type: ignore[arg-type]
    process.join(30)

    assert process.exitcode == -9
    ledger = workers.open_store(store)
    assert ledger.used("acct", workers.DAY) == 0
    assert ledger.fills("acct") == ()
    # The key was never taken: reserving it now is a fresh grant.
    assert ledger.reserve("acct", workers.DAY, "crash-key", "70", "10000").used == 70
    ledger.close()
    assert workers.consistency_problems(store) == []


@pytest.mark.parametrize("delay", [0.3, 0.55, 0.8])
def test_a_busy_writer_killed_at_any_moment_leaves_a_consistent_ledger(
    store: workers.Store, delay: float
) -> None:
    _prepared(store)
    process = CONTEXT.Process(target=workers.churn, args=(store, 0))
    process.start()
    time.sleep(1.5 + delay)  # start-up (spawn, imports, connect), then churn for `delay`

    workers.kill(process.pid)  # type: ignore[arg-type]
    process.join(30)

    assert process.exitcode == -9
    assert workers.consistency_problems(store) == []
    ledger = workers.open_store(store)
    fills = ledger.fills("acct")
    assert fills, "the writer recorded nothing before it was killed: no test"
    assert all(fill.qty == 3 and fill.price == workers.sample_fill().price for fill in fills)
    ledger.close()
