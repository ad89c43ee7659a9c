"""Ledger backends for the integration tests, each on a real store.

PostgreSQL is the server this machine runs (override with ALCHEMISER_TEST_POSTGRES_URL);
every test gets its own schema, dropped afterwards. Without the server the tests
skip with the reason, except under CI=true, where a missing service is a failure.
DynamoDB runs on moto, which proves behaviour, not concurrency.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import pytest

from alchemiser_adapters.ledger import Ledger

POSTGRES_URL = os.environ.get(
    "ALCHEMISER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["memory", "sqlite", "postgres", "dynamodb"]


class FakeClock:
    """A clock the test moves by hand (lease expiry without sleeping)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def service_unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true requires this service: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    try:
        import psycopg
    except ImportError:
        service_unavailable("psycopg is not installed (pip install -e '.[dev]')")
    try:
        psycopg.connect(POSTGRES_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        service_unavailable(f"no PostgreSQL at ALCHEMISER_TEST_POSTGRES_URL: {error}")
    return POSTGRES_URL


@pytest.fixture
def postgres_schema(postgres_url: str) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    schema = f"alc_test_{uuid.uuid4().hex[:12]}"
    yield schema
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dynamodb_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    moto = pytest.importorskip("moto", reason="moto is not installed (pip install -e '.[dev]')")
    import boto3

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with moto.mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture(params=BACKENDS)
def open_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[Callable[[], Ledger]]:
    """Opens the backend's store; every call is a new instance on the same store."""
    opened: list[Ledger] = []
    factory: Callable[[], Ledger]
    if request.param == "memory":
        from alchemiser_adapters.ledger.memory import MemoryLedger

        shared = MemoryLedger(clock)
        factory = lambda: shared  # noqa: E731 - one store per process, by design
    elif request.param == "sqlite":
        from alchemiser_adapters.ledger.sqlite import SqliteLedger

        factory = lambda: SqliteLedger(tmp_path / "ledger.db", clock=clock)  # noqa: E731
    elif request.param == "postgres":
        from alchemiser_adapters.ledger.postgres import PostgresLedger

        url, schema = (
            request.getfixturevalue("postgres_url"),
            request.getfixturevalue("postgres_schema"),
        )
        factory = lambda: PostgresLedger(url, schema=schema, clock=clock)  # noqa: E731
    else:
        from alchemiser_adapters.ledger.dynamodb import DynamoDbLedger

        client = request.getfixturevalue("dynamodb_client")
        DynamoDbLedger.create_table(client, "ledger")
        factory = lambda: DynamoDbLedger("ledger", client=client, clock=clock)  # noqa: E731

    def tracked() -> Ledger:
        ledger = factory()
        opened.append(ledger)
        return ledger

    yield tracked
    for ledger in opened:
        ledger.close()


@pytest.fixture
def ledger(open_store: Callable[[], Ledger]) -> Ledger:
    return open_store()
