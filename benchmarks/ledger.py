"""Ledger reservations per second against a raw counter update on the same store.

Run from the repository root (after ``pip install -e '.[dev]'``, with PostgreSQL at
ALCHEMISER_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test)::

    python -m benchmarks.ledger [--seconds 3] [--processes 1,8] [--markdown]

For each store (SQLite file, PostgreSQL schema) and each process count, every
process opens its own connection, waits for a common start, then works for
``--seconds``; the table gives operations per second over all processes:

* ``ledger``: `Ledger.reserve` with a new key each time, all on one account and
  day (the real contention: one daily counter). Each is one transaction that
  claims the key, moves the counter under the cap and stores the answer;
* ``raw``: the least a durable shared counter costs on that store, one
  transaction of ``UPDATE counter SET n = n + 1`` on one row, with the same
  durability settings (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE);
* ``pgbench``: PostgreSQL's own ``simple-update`` script (scale 1, so spread over
  100,000 rows, not one hot row) on the same server in the same run, as the
  server's reference figure.

The ratio ``ledger / raw`` is the ledger's own overhead (its extra statements,
Decimal conversions, Python); ratios hold across machines, the absolute numbers
do not. Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

POSTGRES_URL = os.environ.get(
    "ALCHEMISER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
DAY = date(2026, 11, 27)
CONTEXT = multiprocessing.get_context("spawn")
Store = tuple[str, ...]  # ("sqlite", path) | ("postgres", url, schema)


# -- work done in each process ----------------------------------------------------------


def _ledger_worker(store: Store, worker: int, start: float, seconds: float) -> int:
    from alchemiser_adapters.ledger.postgres import PostgresLedger
    from alchemiser_adapters.ledger.sqlite import SqliteLedger

    ledger = (
        SqliteLedger(store[1])
        if store[0] == "sqlite"
        else PostgresLedger(store[1], schema=store[2], max_connections=1)
    )
    count = _loop(
        start,
        seconds,
        lambda index: ledger.reserve("acct", DAY, f"w{worker}-{index}", "70.01", "1e14"),
    )
    ledger.close()
    return count


def _raw_worker(store: Store, worker: int, start: float, seconds: float) -> int:
    if store[0] == "sqlite":
        connection = sqlite3.connect(store[1], timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")

        def update(_: int) -> None:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
            connection.execute("COMMIT")

        count = _loop(start, seconds, update)
        connection.close()
        return count
    import psycopg

    with psycopg.connect(store[1], options=f"-c search_path={store[2]}") as pg:

        def update_pg(_: int) -> None:
            with pg.transaction():
                pg.execute("UPDATE counter SET n = n + 1 WHERE id = 1")

        return _loop(start, seconds, update_pg)


def _loop(start: float, seconds: float, operation: Callable[[int], object]) -> int:
    time.sleep(max(0.0, start - time.time()))
    end = start + seconds
    count = 0
    while time.time() < end:
        operation(count)
        count += 1
    return count


# -- stores -------------------------------------------------------------------------------


@contextmanager
def _sqlite_store() -> Iterator[Store]:
    folder = Path(tempfile.mkdtemp(prefix="alchemiser-bench-"))
    try:
        path = str(folder / "ledger.db")
        from alchemiser_adapters.ledger.sqlite import SqliteLedger

        SqliteLedger(path).close()  # schema in place before the processes start
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
            connection.execute("INSERT INTO counter VALUES (1, 0)")
        yield ("sqlite", path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _postgres_store(url: str) -> Iterator[Store]:
    import psycopg
    from psycopg import sql

    from alchemiser_adapters.ledger.postgres import PostgresLedger

    schema = f"alc_bench_{uuid.uuid4().hex[:10]}"
    PostgresLedger(url, schema=schema).close()
    with psycopg.connect(url, options=f"-c search_path={schema}", autocommit=True) as connection:
        connection.execute("CREATE TABLE counter (id integer PRIMARY KEY, n bigint)")
        connection.execute("INSERT INTO counter VALUES (1, 0)")
    try:
        yield ("postgres", url, schema)
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def _pgbench_tps(url: str, processes: int, seconds: float) -> float | None:
    """pgbench's simple-update TPS in a schema of its own, or None without pgbench."""
    binary = shutil.which("pgbench")
    if binary is None:
        return None
    with _postgres_store(url) as store:
        env = {**os.environ, "PGOPTIONS": f"-c search_path={store[2]}"}
        subprocess.run(  # noqa: S603 - pgbench with fixed arguments
            [binary, "-i", "-s", "1", "-q", url], env=env, check=True, capture_output=True
        )
        result = subprocess.run(  # noqa: S603
            [binary, "-b", "simple-update", "-c", str(processes), "-j", str(processes),
             "-T", str(max(1, round(seconds))), "-n", url],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout)
    return float(found.group(1)) if found else None


# -- running ----------------------------------------------------------------------------


@dataclass
class Row:
    store: str
    processes: int
    ledger: float
    raw: float
    pgbench: float | None

    @property
    def ratio(self) -> float:
        return self.ledger / self.raw if self.raw else float("nan")


def _rate(worker: Callable[..., int], store: Store, processes: int, seconds: float) -> float:
    start = time.time() + 1.5  # spawned processes import and connect first
    with CONTEXT.Pool(processes) as pool:
        counts = pool.starmap(
            worker, [(store, index, start, seconds) for index in range(processes)]
        )
    return sum(counts) / seconds


def measure(stores: list[str], processes: list[int], seconds: float, url: str) -> list[Row]:
    rows = []
    for name in stores:
        opener = _sqlite_store() if name == "sqlite" else _postgres_store(url)
        with opener as store:
            for count in processes:
                # Turns: raw, ledger, raw, ledger; the better of each pair is kept,
                # so a slow moment of the machine does not decide the ratio.
                raw = max(_rate(_raw_worker, store, count, seconds) for _ in range(2))
                led = max(_rate(_ledger_worker, store, count, seconds) for _ in range(2))
                bench = _pgbench_tps(url, count, seconds) if name == "postgres" else None
                rows.append(Row(name, count, led, raw, bench))
    return rows


def markdown(rows: list[Row], seconds: float) -> str:
    lines = [
        "| store | processes | ledger reserve/s | raw update/s | ledger / raw | pgbench simple-update TPS |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        bench = "" if row.pgbench is None else f"{row.pgbench:,.0f}"
        lines.append(
            f"| {row.store} | {row.processes} | {row.ledger:,.0f} | {row.raw:,.0f}"
            f" | {row.ratio:.2f} | {bench} |"
        )
    lines.append("")
    lines.append(
        f"({seconds:g} s per cell, best of 2 turns, this machine: {os.cpu_count()} cores.)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--processes", default="1,8")
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    stores = [name for name in args.stores.split(",") if name]
    unknown = set(stores) - {"sqlite", "postgres"}
    if unknown:
        parser.error(f"unknown stores {sorted(unknown)}")
    processes = [int(text) for text in args.processes.split(",")]
    print(markdown(measure(stores, processes, args.seconds, args.postgres_url), args.seconds))


if __name__ == "__main__":
    main()
