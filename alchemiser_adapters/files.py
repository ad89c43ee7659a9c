"""Read planning inputs from a JSON document (the CLI's input format), strictly.

A document is one JSON object::

    {
      "snapshot": {
        "cash": "12500.00",                         # required
        "as_of": "2026-11-26T15:30:00+00:00",       # required, with a UTC offset
        "positions": {"AAPL": "40"},                # symbol -> quantity held
        "prices": {"AAPL": "232.87", "SPY": "598.20"},
        "account_id": "demo",
        "rules": {"TSLA": {"fractionable": true}}   # symbol -> AssetRules fields
      },
      "targets": {"AAPL": "0.2", "SPY": "0.3"},     # required: symbol -> weight
      "config": {"cash_reserve_pct": "0.01"}        # RebalanceConfig fields
    }

Every key is checked: a key that is not one of those listed (``"position"`` for
``"positions"``) is an error naming it and the valid ones, never silently ignored,
because an ignored ``positions`` plans the account as all cash. Numbers may be
strings or JSON numbers; both reach the core exactly (JSON numbers are read as
`Decimal`, never through a binary float). Every defect raises `InvalidInputError`
with a one-line message naming the field.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from alchemiser_core import (
    AccountSnapshot,
    AssetRules,
    DriftBand,
    InvalidInputError,
    RebalanceConfig,
    RiskLimits,
    TargetAllocation,
)

__all__ = [
    "CONFIG_KEYS",
    "DOCUMENT_KEYS",
    "LIMITS_KEYS",
    "RULES_KEYS",
    "SNAPSHOT_KEYS",
    "PlanningInputs",
    "config_from_json",
    "decode_text",
    "inputs_from_json",
    "limits_from_json",
    "snapshot_from_json",
    "targets_from_csv",
    "targets_from_json",
]

PlanningInputs = tuple[AccountSnapshot, TargetAllocation, RebalanceConfig]

DOCUMENT_KEYS = ("config", "snapshot", "targets")
SNAPSHOT_KEYS = ("account_id", "as_of", "cash", "positions", "prices", "rules")
RULES_KEYS = tuple(field.name for field in attrs.fields(AssetRules))
CONFIG_KEYS = tuple(field.name for field in attrs.fields(RebalanceConfig))
DRIFT_BAND_KEYS = tuple(field.name for field in attrs.fields(DriftBand))
LIMITS_KEYS = tuple(field.name for field in attrs.fields(RiskLimits))
CSV_HEADER = ("symbol", "weight")

_T = TypeVar("_T")


def decode_text(data: bytes, source: str = "document") -> str:
    """UTF-8 text of `data` (a leading byte-order mark is allowed), or a one-line error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise InvalidInputError(
            source, f"UTF-8 text (byte 0x{bad} at offset {error.start} is not)", data[:20]
        ) from None


def inputs_from_json(text: str) -> PlanningInputs:
    """Parse a planning document into core values; any defect raises `InvalidInputError`.

    >>> snapshot, targets, config = inputs_from_json(
    ...     '{"snapshot": {"cash": 1000, "as_of": "2026-01-05T15:00:00+00:00"},'
    ...     ' "targets": {"SPY": 0.5}}')
    >>> snapshot.cash, targets.weights["SPY"], config.min_trade_notional
    (Decimal('1000'), Decimal('0.5'), Decimal('5'))
    >>> inputs_from_json('{"snapshot": {}, "target": {}}')
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: document: expected only the keys config, snapshot, targets (did you mean 'targets'?), got 'target'
    """
    document = _object(_parse(text), "document", DOCUMENT_KEYS)
    snapshot_section = _required(document, "snapshot", "document")
    targets_section = _required(document, "targets", "document")
    snapshot = _within("snapshot", lambda: _snapshot(snapshot_section))
    targets = _within("targets", lambda: TargetAllocation(targets_section))
    config = _within("config", lambda: _config(document.get("config", {})))
    return snapshot, targets, config


def snapshot_from_json(text: str) -> AccountSnapshot:
    """An account from a JSON object with the keys of a document's ``snapshot`` section."""
    return _within("snapshot", lambda: _snapshot(_parse(text)))


def config_from_json(text: str) -> RebalanceConfig:
    """A `RebalanceConfig` from a JSON object with the keys of a document's ``config``."""
    return _within("config", lambda: _config(_parse(text)))


def targets_from_json(text: str) -> TargetAllocation:
    """Targets from a JSON object of symbol to weight (``{"SPY": "0.6", "AGG": "0.4"}``)."""
    return _within("targets", lambda: TargetAllocation(_parse(text)))


def targets_from_csv(text: str) -> TargetAllocation:
    r"""Targets from CSV text: a ``symbol,weight`` header, then one row per symbol.

    >>> targets_from_csv("symbol,weight\nSPY,0.6\nAGG,0.4\n").weights["AGG"]
    Decimal('0.4')
    >>> targets_from_csv("symbol,weight\nSPY,0.6\nSPY,0.4\n")
    Traceback (most recent call last):
    ...
    alchemiser_core.errors.InvalidInputError: line 3: symbol: expected each symbol once, got 'SPY'
    """
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or tuple(cell.strip().lower() for cell in header) != CSV_HEADER:
        raise InvalidInputError("line 1", "the header symbol,weight", header)
    weights: dict[str, str] = {}
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line (a trailing one, say) is not a row
        if len(row) != len(CSV_HEADER):
            raise InvalidInputError(f"line {number}", "two cells: symbol,weight", row)
        symbol, weight = (cell.strip() for cell in row)
        if symbol in weights:
            raise InvalidInputError(f"line {number}: symbol", "each symbol once", symbol)
        weights[symbol] = weight
        try:
            TargetAllocation({symbol: weight})  # each row on its own, to name its line
        except InvalidInputError as error:
            cell = "symbol" if error.field.endswith("key") else "weight"
            raise type(error)(f"line {number}: {cell}", error.expected, error.value) from None
    return _within("targets", lambda: TargetAllocation(weights))


def limits_from_json(text: str) -> RiskLimits:
    """`RiskLimits` from a JSON object of its fields (``{"max_order_notional": "5000"}``).

    >>> limits_from_json('{"max_orders": 10}').max_orders
    10
    """
    section = _object(_parse(text), "limits", LIMITS_KEYS)
    return _within("limits", lambda: RiskLimits(**section))


def _parse(text: str) -> object:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise InvalidInputError("document", "JSON nested to a sane depth", text[:40]) from None
    except ValueError as error:
        if isinstance(error, InvalidInputError):
            raise
        raise InvalidInputError("document", f"JSON ({error})", text[:40]) from None


def _no_constant(name: str) -> object:
    raise InvalidInputError("document", "JSON numbers (NaN and Infinity are not JSON)", name)


def _object(value: object, field: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """`value` as a JSON object whose every key is one of `keys`."""
    if not isinstance(value, dict):
        raise InvalidInputError(field, "a JSON object", value)
    for key in value:
        if key not in keys:
            close = difflib.get_close_matches(str(key), keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InvalidInputError(field, f"only the keys {', '.join(keys)}{hint}", key)
    return value


def _required(section: Mapping[str, Any], key: str, field: str) -> Any:
    if key not in section:
        raise InvalidInputError(field, f"a {key!r} key (it is required)", sorted(section))
    return section[key]


def _within(prefix: str, build: Callable[[], _T]) -> _T:
    """Run `build`, naming `prefix` in front of the field of any input error it raises."""
    try:
        return build()
    except InvalidInputError as error:
        field = error.field if error.field.startswith(prefix) else f"{prefix}.{error.field}"
        raise type(error)(field, error.expected, error.value) from None


def _snapshot(value: object) -> AccountSnapshot:
    section = _object(value, "snapshot", SNAPSHOT_KEYS)
    as_of_text = _required(section, "as_of", "snapshot")
    if not isinstance(as_of_text, str):
        raise InvalidInputError("as_of", "an ISO 8601 timestamp string", as_of_text)
    try:
        as_of = datetime.fromisoformat(as_of_text)
    except ValueError:
        raise InvalidInputError("as_of", "an ISO 8601 timestamp", as_of_text) from None
    rules_section = section.get("rules", {})
    if not isinstance(rules_section, dict):
        raise InvalidInputError("rules", "a JSON object of symbol to rules", rules_section)
    rules = {symbol: _rules(symbol, fields) for symbol, fields in rules_section.items()}
    return AccountSnapshot(
        cash=_required(section, "cash", "snapshot"),
        positions=section.get("positions", {}),
        prices=section.get("prices", {}),
        as_of=as_of,
        account_id=section.get("account_id", "default"),
        rules=rules,
    )


def _rules(symbol: str, fields: object) -> AssetRules:
    field = f"rules[{symbol!r}]"
    return _within(field, lambda: AssetRules(**_object(fields, field, RULES_KEYS)))


def _config(value: object) -> RebalanceConfig:
    section = dict(_object(value, "config", CONFIG_KEYS))
    band = section.get("drift_band")
    if isinstance(band, dict):
        section["drift_band"] = DriftBand(**_object(band, "drift_band", DRIFT_BAND_KEYS))
    return RebalanceConfig(**section)
