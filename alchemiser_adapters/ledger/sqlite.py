"""`SqliteLedger`: one SQLite file, the embedded default (`sqlite:///path`).

Durable and safe for several processes on one machine: WAL journal,
``synchronous=FULL`` (a committed transaction survives power loss), a busy
time-out, and ``BEGIN IMMEDIATE`` for every read-modify-write, so writers are
serialised by SQLite's own lock and each step sees the rows it is about to change.
Money is stored as exact decimal text, never REAL. The schema carries its version;
opening a file migrates it forward, and refuses one newer than this code knows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from alchemiser_adapters.ledger import _rows as rows
from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger._transactional import Clock, Transaction, TransactionalLedger
from alchemiser_adapters.ledger.model import (
    Fill,
    Lease,
    LedgerError,
    OrderRecord,
    Reservation,
    exact_sub,
)

__all__ = ["SCHEMA_VERSION", "SqliteLedger"]

#: Forward migrations, in order: migration N takes a file from version N - 1 to N.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE usage (
            account_id TEXT NOT NULL, day TEXT NOT NULL, used TEXT NOT NULL,
            PRIMARY KEY (account_id, day))""",
        """CREATE TABLE reservations (
            key TEXT PRIMARY KEY, account_id TEXT NOT NULL, day TEXT NOT NULL,
            amount TEXT NOT NULL, cap TEXT NOT NULL, granted INTEGER NOT NULL,
            used TEXT NOT NULL, headroom TEXT NOT NULL, state TEXT NOT NULL,
            held TEXT NOT NULL, settled TEXT)""",
        """CREATE TABLE orders (
            client_order_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, plan_id TEXT NOT NULL,
            symbol TEXT NOT NULL, side TEXT NOT NULL, qty TEXT NOT NULL,
            ref_price TEXT NOT NULL, limit_price TEXT, created_at TEXT NOT NULL)""",
        """CREATE TABLE fills (
            account_id TEXT NOT NULL, fill_id TEXT NOT NULL, client_order_id TEXT NOT NULL,
            plan_id TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL,
            qty TEXT NOT NULL, price TEXT NOT NULL, ts TEXT NOT NULL, day TEXT NOT NULL,
            PRIMARY KEY (account_id, fill_id))""",
        "CREATE INDEX fills_by_day ON fills (account_id, day)",
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY, holder TEXT NOT NULL, token INTEGER NOT NULL,
            expires_at TEXT NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class SqliteLedger(TransactionalLedger):
    """The `Ledger` in one SQLite file; each process opens its own.

    >>> import tempfile, pathlib
    >>> from datetime import date
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "ledger.db"
    >>> with SqliteLedger(path) as ledger:
    ...     ledger.reserve("acct", date(2026, 11, 27), "k1", "70.10", cap=100).used
    Decimal('70.1')
    >>> with SqliteLedger(path) as ledger:  # durable: a new connection sees it
    ...     ledger.used("acct", date(2026, 11, 27))
    Decimal('70.1')
    """

    def __init__(
        self, path: str | Path, *, clock: Clock | None = None, busy_timeout: float = 30.0
    ) -> None:
        super().__init__(clock)
        self.path = Path(path)
        self._connection = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()  # one connection, used by one thread at a time
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=FULL")
        self._connection.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        self._migrate()

    def _migrate(self) -> None:
        with self._transaction() as tx:
            assert isinstance(tx, _SqliteTransaction)
            cursor = tx.cursor
            cursor.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            found = cursor.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if found is None else int(found[0])
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"{self.path} has ledger schema version {version}; this Alchemiser"
                    f" knows up to {SCHEMA_VERSION} (upgrade Alchemiser to open it)"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    cursor.execute(statement)
            if found is None:
                cursor.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            else:
                cursor.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        with self._lock:
            cursor = self._connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteTransaction(cursor)
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._connection.close()


class _SqliteTransaction:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.cursor = cursor

    def lease(self, name: str, *, for_update: bool) -> Lease | None:
        # BEGIN IMMEDIATE already holds the write lock: no row lock needed.
        found = self.cursor.execute(
            "SELECT name, holder, token, expires_at FROM leases WHERE name = ?", (name,)
        ).fetchone()
        return None if found is None else rows.lease_from(found)

    def put_lease(self, lease: Lease) -> None:
        self.cursor.execute(
            "INSERT INTO leases (name, holder, token, expires_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " token = excluded.token, expires_at = excluded.expires_at",
            (lease.name, lease.holder, lease.token, lease.expires_at.isoformat()),
        )

    def claim_reservation(self, request: rules.ReserveRequest) -> Reservation | None:
        found = self.reservation(request.key)
        if found is not None:
            return found[0]
        return None  # the write lock is ours: nobody else can claim it before we commit

    def reservation(self, key: str) -> tuple[Reservation, rules.Held] | None:
        found = self.cursor.execute(
            f"SELECT {rows.RESERVATION_COLUMNS} FROM reservations WHERE key = ?",  # noqa: S608 - fixed column list
            (key,),
        ).fetchone()
        return None if found is None else rows.reservation_from(found)

    def write_reservation(self, reservation: Reservation, row: rules.Held) -> None:
        self.cursor.execute(
            f"INSERT INTO reservations ({rows.RESERVATION_COLUMNS})"  # noqa: S608 - fixed column list
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state,"
            " held = excluded.held, settled = excluded.settled",
            (
                reservation.key,
                reservation.account_id,
                reservation.day.isoformat(),
                str(reservation.amount),
                str(reservation.cap),
                int(reservation.granted),
                str(reservation.used),
                str(reservation.headroom),
                row.state,
                str(row.held),
                None if row.settled is None else str(row.settled),
            ),
        )

    def add_usage(
        self, account_id: str, day: date, amount: Decimal, cap: Decimal
    ) -> Decimal | None:
        after = rules.add_within_cap(self.usage(account_id, day), amount, cap)
        if after is not None:
            self._set_usage(account_id, day, after)
        return after

    def usage(self, account_id: str, day: date) -> Decimal:
        found = self.cursor.execute(
            "SELECT used FROM usage WHERE account_id = ? AND day = ?", (account_id, day.isoformat())
        ).fetchone()
        return Decimal(0) if found is None else rows.decimal_of(found[0])

    def give_back(self, account_id: str, day: date, amount: Decimal) -> None:
        self._set_usage(account_id, day, exact_sub(self.usage(account_id, day), amount))

    def _set_usage(self, account_id: str, day: date, used: Decimal) -> None:
        self.cursor.execute(
            "INSERT INTO usage (account_id, day, used) VALUES (?, ?, ?)"
            " ON CONFLICT (account_id, day) DO UPDATE SET used = excluded.used",
            (account_id, day.isoformat(), str(used)),
        )

    def claim_fill(self, fill: Fill) -> Fill | None:
        inserted = self.cursor.execute(
            f"INSERT INTO fills ({rows.FILL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - fixed column list
            " ON CONFLICT (account_id, fill_id) DO NOTHING",
            (
                fill.account_id, fill.fill_id, fill.client_order_id, fill.plan_id, fill.symbol,
                fill.side.value, str(fill.qty), str(fill.price), fill.ts.isoformat(),
                fill.day.isoformat(),
            ),
        ).rowcount  # fmt: skip
        if inserted:
            return None
        found = self.cursor.execute(
            f"SELECT {rows.FILL_COLUMNS} FROM fills WHERE account_id = ? AND fill_id = ?",  # noqa: S608 - fixed column list
            (fill.account_id, fill.fill_id),
        ).fetchone()
        return rows.fill_from(found)

    def claim_order(self, record: OrderRecord) -> OrderRecord | None:
        inserted = self.cursor.execute(
            f"INSERT INTO orders ({rows.ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608 - fixed column list
            " ON CONFLICT (client_order_id) DO NOTHING",
            (
                record.client_order_id, record.account_id, record.plan_id, record.symbol,
                record.side.value, str(record.qty), str(record.ref_price),
                None if record.limit_price is None else str(record.limit_price),
                record.created_at.isoformat(),
            ),
        ).rowcount  # fmt: skip
        return None if inserted else self.order(record.client_order_id)

    def order(self, client_order_id: str) -> OrderRecord | None:
        found = self.cursor.execute(
            f"SELECT {rows.ORDER_COLUMNS} FROM orders WHERE client_order_id = ?",  # noqa: S608 - fixed column list
            (client_order_id,),
        ).fetchone()
        return None if found is None else rows.order_from(found)

    def fills(
        self, account_id: str, day: date | None, plan_id: str | None, symbol: str | None
    ) -> list[Fill]:
        # Each filter is "column = ? OR the parameter is NULL": one fixed statement.
        found = self.cursor.execute(
            f"SELECT {rows.FILL_COLUMNS} FROM fills WHERE account_id = ?"  # noqa: S608 - fixed column list
            " AND (? IS NULL OR day = ?) AND (? IS NULL OR plan_id = ?)"
            " AND (? IS NULL OR symbol = ?)",
            (
                account_id,
                *(2 * [None if day is None else day.isoformat()]),
                *(2 * [plan_id]),
                *(2 * [symbol]),
            ),
        ).fetchall()
        return [rows.fill_from(row) for row in found]
