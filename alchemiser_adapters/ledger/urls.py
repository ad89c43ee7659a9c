"""`open_ledger(url)`: the backend a URL names, and the default SQLite file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from alchemiser_adapters.ledger._transactional import Clock
from alchemiser_adapters.ledger.port import Ledger
from alchemiser_core import InvalidInputError

__all__ = ["DEFAULT_SQLITE_PATH", "default_ledger_url", "open_ledger"]

#: Where the CLI keeps its ledger unless told otherwise: $XDG_DATA_HOME/alchemiser/ledger.db,
#: that is ~/.local/share/alchemiser/ledger.db by default.
DEFAULT_SQLITE_PATH = Path("alchemiser") / "ledger.db"
_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def default_ledger_url() -> str:
    """``sqlite:///`` + the user's data directory's ``alchemiser/ledger.db``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / DEFAULT_SQLITE_PATH}"


def open_ledger(url: str, *, clock: Clock | None = None) -> Ledger:
    """The ledger `url` names (see `alchemiser_adapters.ledger`), opened and migrated.

    >>> open_ledger("memory://").used("acct", __import__("datetime").date(2026, 11, 27))
    Decimal('0')
    >>> open_ledger("mysql://db")
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: ledger URL: expected memory://, sqlite:///PATH, postgresql://... or dynamodb://TABLE, got 'mysql://db'
    """
    if not isinstance(url, str):
        raise InvalidInputError("ledger URL", "a string", url)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "memory":
        from alchemiser_adapters.ledger.memory import MemoryLedger

        return MemoryLedger(clock)
    if scheme == "sqlite":
        path = url[len("sqlite:///") :] if url.startswith("sqlite:///") else ""
        if not path:
            raise InvalidInputError("ledger URL", "sqlite:///PATH (three slashes)", url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        from alchemiser_adapters.ledger.sqlite import SqliteLedger

        return SqliteLedger(path, clock=clock)
    if scheme in ("postgresql", "postgres"):
        parts = urlsplit(url)
        schema = parse_qs(parts.query).get("schema", ["alchemiser"])[-1]
        if not _SCHEMA.fullmatch(schema):
            raise InvalidInputError("schema", "a lower-case SQL identifier", schema)
        dsn = parts._replace(query="").geturl()
        from alchemiser_adapters.ledger.postgres import PostgresLedger

        return PostgresLedger(dsn, schema=schema, clock=clock)
    if scheme == "dynamodb":
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        from alchemiser_adapters.ledger.dynamodb import DynamoDbLedger

        return DynamoDbLedger(
            parts.netloc,
            region=query.get("region", [None])[-1],
            endpoint_url=query.get("endpoint", [None])[-1],
            clock=clock,
        )
    raise InvalidInputError(
        "ledger URL", "memory://, sqlite:///PATH, postgresql://... or dynamodb://TABLE", url
    )
