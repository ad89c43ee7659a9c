"""What is particular to one backend: URLs, SQLite's schema versions, memory's threads."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from alchemiser_adapters.ledger import LedgerError, default_ledger_url, open_ledger
from alchemiser_adapters.ledger.memory import MemoryLedger
from alchemiser_adapters.ledger.sqlite import SCHEMA_VERSION, SqliteLedger
from alchemiser_core import InvalidInputError

DAY = date(2026, 11, 27)


def test_memory_ledger_is_safe_across_threads() -> None:
    # 8 threads x 40 reservations of $70 under $10,000: exactly floor(10,000 / 70) = 142.
    ledger = MemoryLedger()
    granted: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        for index in range(40):
            key = f"t{worker}-{index}"
            if ledger.reserve("acct", DAY, key, 70, 10_000).granted:
                with lock:
                    granted.append(key)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 142
    assert ledger.used("acct", DAY) == 9_940


def test_a_memory_transaction_that_fails_half_way_writes_nothing() -> None:
    ledger = MemoryLedger()
    ledger.reserve("acct", DAY, "k1", 70, 100)

    with pytest.raises(InvalidInputError):
        ledger.settle("k1", 80)  # more than held: refused after reading, before writing

    assert ledger.used("acct", DAY) == 70


def test_a_new_sqlite_file_carries_the_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"

    SqliteLedger(path).close()

    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)
        ]
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_reopening_a_current_file_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with SqliteLedger(path) as ledger:
        ledger.reserve("acct", DAY, "k1", "70.5", 100)

    with SqliteLedger(path) as ledger:
        assert ledger.used("acct", DAY) == Decimal("70.5")


def test_money_is_stored_as_exact_text_never_real(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with SqliteLedger(path) as ledger:
        ledger.reserve("acct", DAY, "k1", "0.1", 100)
        ledger.reserve("acct", DAY, "k2", "0.2", 100)

    with sqlite3.connect(path) as connection:
        (used, kind) = connection.execute("SELECT used, typeof(used) FROM usage").fetchone()
    assert (used, kind) == ("0.3", "text")  # 0.1 + 0.2 in binary floats is 0.30000000000000004


def test_a_file_from_a_newer_alchemiser_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    SqliteLedger(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))

    with pytest.raises(LedgerError, match=rf"schema version {SCHEMA_VERSION + 1}"):
        SqliteLedger(path)


def test_sqlite_url_creates_the_folder(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "ledger.db"

    ledger = open_ledger(f"sqlite:///{path}")
    ledger.reserve("acct", DAY, "k1", 1, 10)
    ledger.close()

    assert path.exists()


def test_the_default_url_is_in_the_users_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/data")
    assert default_ledger_url() == "sqlite:////srv/data/alchemiser/ledger.db"

    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", "/home/bot")
    assert default_ledger_url() == "sqlite:////home/bot/.local/share/alchemiser/ledger.db"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("mysql://db", "ledger URL"),
        ("sqlite://relative.db", "ledger URL"),
        ("postgresql://127.0.0.1/test?schema=Bad-Name", "schema"),
        ("postgresql://127.0.0.1/test?schema=x;drop", "schema"),
    ],
)
def test_bad_urls_are_input_errors(url: str, field: str) -> None:
    with pytest.raises(InvalidInputError, match=rf"^{field}: expected"):
        open_ledger(url)


def test_a_postgres_password_never_shows(postgres_url: str, postgres_schema: str) -> None:
    # Trust auth ignores the password; it must still appear in no repr.
    with_password = postgres_url.replace("postgres@", "postgres:s3cret-sentinel@")
    ledger = open_ledger(f"{with_password}?schema={postgres_schema}")

    assert "s3cret-sentinel" not in repr(ledger)
    assert ledger.used("acct", DAY) == 0
    ledger.close()
