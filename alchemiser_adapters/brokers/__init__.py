"""Brokers: the `Broker` port, `PaperBroker` (in-process) and `AlpacaBroker` (alpaca-py).

`AlpacaBroker` is imported from `alchemiser_adapters.brokers.alpaca` (it needs the
``alpaca`` extra); everything else here needs nothing beyond the core.
"""

from __future__ import annotations

from alchemiser_adapters.brokers.paper import PaperBroker, PaperFills
from alchemiser_adapters.brokers.port import (
    Broker,
    BrokerError,
    BrokerOrder,
    BrokerRejectedError,
    BrokerUnavailableError,
    DuplicateClientOrderIdError,
    OrderRequest,
    OrderStatus,
    OrderType,
)

__all__ = [
    "Broker",
    "BrokerError",
    "BrokerOrder",
    "BrokerRejectedError",
    "BrokerUnavailableError",
    "DuplicateClientOrderIdError",
    "OrderRequest",
    "OrderStatus",
    "OrderType",
    "PaperBroker",
    "PaperFills",
]
