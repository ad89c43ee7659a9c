"""`PostgresLedger`: one PostgreSQL schema shared by several bot instances (`postgresql://`).

Runs at READ COMMITTED with a connection pool (psycopg 3, the ``postgres`` extra).
Correct under many concurrent writers because every decision is made on a locked
row or by one conditional statement:

* the daily cap: ``UPDATE usage SET used = used + a WHERE ... AND used + a <= cap
  RETURNING used``. A concurrent update makes PostgreSQL wait, then re-check the
  WHERE on the newest row version, so two grants can never both see the same room;
* keys (reservations, fills, orders): ``INSERT ... ON CONFLICT DO NOTHING`` first;
  a second writer of the same key waits for the first to commit, then finds its
  row and repeats its answer;
* leases: ``SELECT ... FOR UPDATE`` to grant, ``FOR SHARE`` to fence a write, so a
  new grant cannot commit between a write's check and the write.

Money is NUMERIC (exact); all SQL is parameterised. This module imports psycopg, so
`open_ledger` imports it only for a ``postgresql://`` URL. The DSN, which may carry a
password, appears in no repr and no message of this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool

from alchemiser_adapters.ledger import _rows as rows
from alchemiser_adapters.ledger import _rules as rules
from alchemiser_adapters.ledger._transactional import Clock, Transaction, TransactionalLedger
from alchemiser_adapters.ledger.model import Fill, Lease, LedgerError, OrderRecord, Reservation
from alchemiser_core import InvalidInputError

__all__ = ["SCHEMA_VERSION", "PostgresLedger"]

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE usage (
            account_id text NOT NULL, day date NOT NULL, used numeric NOT NULL,
            PRIMARY KEY (account_id, day))""",
        """CREATE TABLE reservations (
            key text PRIMARY KEY, account_id text NOT NULL, day date NOT NULL,
            amount numeric NOT NULL, cap numeric NOT NULL, granted boolean NOT NULL,
            used numeric NOT NULL, headroom numeric NOT NULL, state text NOT NULL,
            held numeric NOT NULL, settled numeric)""",
        """CREATE TABLE orders (
            client_order_id text PRIMARY KEY, account_id text NOT NULL, plan_id text NOT NULL,
            symbol text NOT NULL, side text NOT NULL, qty numeric NOT NULL,
            ref_price numeric NOT NULL, limit_price numeric, created_at timestamptz NOT NULL)""",
        """CREATE TABLE fills (
            account_id text NOT NULL, fill_id text NOT NULL, client_order_id text NOT NULL,
            plan_id text NOT NULL, symbol text NOT NULL, side text NOT NULL,
            qty numeric NOT NULL, price numeric NOT NULL, ts timestamptz NOT NULL,
            day date NOT NULL, PRIMARY KEY (account_id, fill_id))""",
        "CREATE INDEX fills_by_day ON fills (account_id, day)",
        """CREATE TABLE leases (
            name text PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL,
            expires_at timestamptz NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# Serialises migrations across instances starting at once (any fixed 64-bit number).
_MIGRATION_LOCK = 0x616C6368656D6973


class PostgresLedger(TransactionalLedger):
    """The `Ledger` in PostgreSQL schema `schema` (created and migrated on open)."""

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "alchemiser",
        clock: Clock | None = None,
        max_connections: int = 4,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(clock)
        if _SCHEMA.fullmatch(str(schema)) is None or not isinstance(schema, str):
            raise InvalidInputError("schema", "a lower-case SQL identifier", schema)
        self.schema = schema
        self._pool = ConnectionPool(
            dsn,
            min_size=1,
            max_size=max_connections,
            timeout=timeout,
            kwargs={"options": f"-c search_path={schema}", "connect_timeout": int(timeout)},
            open=True,
        )
        self._migrate()

    def __repr__(self) -> str:
        return f"PostgresLedger(schema={self.schema!r})"

    def _migrate(self) -> None:
        with self._pool.connection() as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            connection.execute(
                sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema))
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)"
            )
            found = connection.execute("SELECT version FROM schema_version").fetchone()
            version = 0 if found is None else int(found[0])
            if version > SCHEMA_VERSION:
                raise LedgerError(
                    f"schema {self.schema!r} has ledger version {version}; this Alchemiser"
                    f" knows up to {SCHEMA_VERSION} (upgrade Alchemiser to open it)"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    connection.execute(statement)
            if found is None:
                connection.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION,))
            else:
                connection.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        # The pool's connection block commits on a normal exit and rolls back otherwise.
        with self._pool.connection() as connection, connection.cursor() as cursor:
            yield _PostgresTransaction(cursor)

    def close(self) -> None:
        self._pool.close()


class _PostgresTransaction:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def _one(self, statement: str, params: tuple[object, ...]) -> tuple[Any, ...] | None:
        found: tuple[Any, ...] | None = self._cursor.execute(statement, params).fetchone()
        return found

    def lease(self, name: str, *, for_update: bool) -> Lease | None:
        if for_update:
            # A row must exist to be locked; token 0 is "never granted" (expired at epoch).
            self._cursor.execute(
                "INSERT INTO leases (name, holder, token, expires_at)"
                " VALUES (%s, '', 0, 'epoch') ON CONFLICT (name) DO NOTHING",
                (name,),
            )
        lock = "FOR UPDATE" if for_update else "FOR SHARE"
        found = self._one(
            f"SELECT name, holder, token, expires_at FROM leases WHERE name = %s {lock}",  # noqa: S608 - fixed text
            (name,),
        )
        return None if found is None else rows.lease_from(found)

    def put_lease(self, lease: Lease) -> None:
        self._cursor.execute(
            "INSERT INTO leases (name, holder, token, expires_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
            " token = excluded.token, expires_at = excluded.expires_at",
            (lease.name, lease.holder, lease.token, lease.expires_at),
        )

    def claim_reservation(self, request: rules.ReserveRequest) -> Reservation | None:
        self._cursor.execute(
            f"INSERT INTO reservations ({rows.RESERVATION_COLUMNS})"  # noqa: S608 - fixed column list
            " VALUES (%s, %s, %s, %s, %s, false, 0, 0, 'claimed', 0, NULL)"
            " ON CONFLICT (key) DO NOTHING",
            (request.key, request.account_id, request.day, request.amount, request.cap),
        )
        if self._cursor.rowcount:
            return None
        found = self.reservation(request.key)
        assert found is not None  # the conflicting row is committed: we waited for it
        return found[0]

    def reservation(self, key: str) -> tuple[Reservation, rules.Held] | None:
        found = self._one(
            f"SELECT {rows.RESERVATION_COLUMNS} FROM reservations WHERE key = %s FOR UPDATE",  # noqa: S608 - fixed column list
            (key,),
        )
        return None if found is None else rows.reservation_from(found)

    def write_reservation(self, reservation: Reservation, row: rules.Held) -> None:
        self._cursor.execute(
            "UPDATE reservations SET granted = %s, used = %s, headroom = %s, state = %s,"
            " held = %s, settled = %s WHERE key = %s",
            (
                reservation.granted, reservation.used, reservation.headroom, row.state,
                row.held, row.settled, reservation.key,
            ),
        )  # fmt: skip

    def add_usage(
        self, account_id: str, day: date, amount: Decimal, cap: Decimal
    ) -> Decimal | None:
        self._cursor.execute(
            "INSERT INTO usage (account_id, day, used) VALUES (%s, %s, 0)"
            " ON CONFLICT (account_id, day) DO NOTHING",
            (account_id, day),
        )
        found = self._one(
            "UPDATE usage SET used = used + %s"
            " WHERE account_id = %s AND day = %s AND used + %s <= %s RETURNING used",
            (amount, account_id, day, amount, cap),
        )
        return None if found is None else rows.decimal_of(found[0])

    def usage(self, account_id: str, day: date) -> Decimal:
        found = self._one(
            "SELECT used FROM usage WHERE account_id = %s AND day = %s", (account_id, day)
        )
        return Decimal(0) if found is None else rows.decimal_of(found[0])

    def give_back(self, account_id: str, day: date, amount: Decimal) -> None:
        self._cursor.execute(
            "UPDATE usage SET used = used - %s WHERE account_id = %s AND day = %s",
            (amount, account_id, day),
        )

    def claim_fill(self, fill: Fill) -> Fill | None:
        self._cursor.execute(
            f"INSERT INTO fills ({rows.FILL_COLUMNS})"  # noqa: S608 - fixed column list
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (account_id, fill_id) DO NOTHING",
            (
                fill.account_id, fill.fill_id, fill.client_order_id, fill.plan_id, fill.symbol,
                fill.side.value, fill.qty, fill.price, fill.ts, fill.day,
            ),
        )  # fmt: skip
        if self._cursor.rowcount:
            return None
        found = self._one(
            f"SELECT {rows.FILL_COLUMNS} FROM fills WHERE account_id = %s AND fill_id = %s",  # noqa: S608 - fixed column list
            (fill.account_id, fill.fill_id),
        )
        assert found is not None
        return rows.fill_from(found)

    def claim_order(self, record: OrderRecord) -> OrderRecord | None:
        self._cursor.execute(
            f"INSERT INTO orders ({rows.ORDER_COLUMNS})"  # noqa: S608 - fixed column list
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (client_order_id) DO NOTHING",
            (
                record.client_order_id, record.account_id, record.plan_id, record.symbol,
                record.side.value, record.qty, record.ref_price, record.limit_price,
                record.created_at,
            ),
        )  # fmt: skip
        return None if self._cursor.rowcount else self.order(record.client_order_id)

    def order(self, client_order_id: str) -> OrderRecord | None:
        found = self._one(
            f"SELECT {rows.ORDER_COLUMNS} FROM orders WHERE client_order_id = %s",  # noqa: S608 - fixed column list
            (client_order_id,),
        )
        return None if found is None else rows.order_from(found)

    def fills(
        self, account_id: str, day: date | None, plan_id: str | None, symbol: str | None
    ) -> list[Fill]:
        found = self._cursor.execute(
            f"SELECT {rows.FILL_COLUMNS} FROM fills WHERE account_id = %s"  # noqa: S608 - fixed column list
            " AND (%s::date IS NULL OR day = %s) AND (%s::text IS NULL OR plan_id = %s)"
            " AND (%s::text IS NULL OR symbol = %s)",
            (account_id, day, day, plan_id, plan_id, symbol, symbol),
        ).fetchall()
        return [rows.fill_from(row) for row in found]
