"""The trade ledger: durable daily limits, order intents, fills and fencing leases.

`open_ledger(url)` picks the backend:

=================================== ==========================================
``memory://``                       `MemoryLedger` (tests, notebooks)
``sqlite:///path/to/ledger.db``     `SqliteLedger`, the embedded default
``postgresql://user@host/db``       `PostgresLedger` (``postgres`` extra), for
                                    several bot instances on one account;
                                    ``?schema=name`` picks the schema
``dynamodb://table?region=...``     `DynamoDbLedger` (``dynamodb`` extra)
=================================== ==========================================
"""

from __future__ import annotations

from alchemiser_adapters.ledger.model import (
    Fill,
    Lease,
    LedgerConflictError,
    LedgerError,
    OrderRecord,
    Reservation,
    StaleLeaseError,
)
from alchemiser_adapters.ledger.port import Ledger
from alchemiser_adapters.ledger.urls import DEFAULT_SQLITE_PATH, default_ledger_url, open_ledger

__all__ = [
    "DEFAULT_SQLITE_PATH",
    "Fill",
    "Lease",
    "Ledger",
    "LedgerConflictError",
    "LedgerError",
    "OrderRecord",
    "Reservation",
    "StaleLeaseError",
    "default_ledger_url",
    "open_ledger",
]
