"""Read planning inputs from JSON documents (the CLI's input format).

A document has ``snapshot`` (cash, positions, prices, as_of, account_id, rules),
``targets`` (symbol -> weight) and optional ``config`` (`RebalanceConfig` fields).
Numbers are written as strings so they reach the core exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    InvalidInputError,
    RebalanceConfig,
    TargetAllocation,
)

__all__ = ["PlanningInputs", "inputs_from_json"]

PlanningInputs = tuple[AccountSnapshot, TargetAllocation, RebalanceConfig]


def inputs_from_json(text: str) -> PlanningInputs:
    """Parse a planning document into core values; malformed input raises `InvalidInputError`."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidInputError("document", f"JSON ({error})", text[:80]) from None
    if not isinstance(document, dict):
        raise InvalidInputError("document", "a JSON object", document)
    snapshot = _snapshot(_section(document, "snapshot"))
    targets = TargetAllocation(_section(document, "targets"))
    config = RebalanceConfig(**_section(document, "config", required=False))
    return snapshot, targets, config


def _section(document: dict[str, Any], key: str, *, required: bool = True) -> dict[str, Any]:
    value = document.get(key, None if required else {})
    if not isinstance(value, dict):
        raise InvalidInputError(key, "a JSON object", value)
    return value


def _snapshot(section: dict[str, Any]) -> AccountSnapshot:
    as_of_text = section.get("as_of")
    try:
        as_of = datetime.fromisoformat(as_of_text) if isinstance(as_of_text, str) else as_of_text
    except ValueError:
        raise InvalidInputError("snapshot.as_of", "an ISO 8601 timestamp", as_of_text) from None
    rules_section = section.get("rules", {})
    if not isinstance(rules_section, dict):
        raise InvalidInputError("snapshot.rules", "a JSON object", rules_section)
    rules = {}
    for symbol, fields in rules_section.items():
        if not isinstance(fields, dict):
            raise InvalidInputError(f"snapshot.rules[{symbol!r}]", "a JSON object", fields)
        try:
            rules[symbol] = AssetRules(**fields)
        except TypeError as error:
            raise InvalidInputError(
                f"snapshot.rules[{symbol!r}]", "AssetRules fields", fields
            ) from error
    return AccountSnapshot(
        cash=section.get("cash"),
        positions=section.get("positions", {}),
        prices=section.get("prices", {}),
        as_of=as_of,
        account_id=section.get("account_id", "default"),
        rules=rules,
    )
