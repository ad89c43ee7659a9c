"""`__all__` is the documented API: docs/api.md and the design contract's names agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import alchemiser_core

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"

# The names the design contract ("Core contract" table) promises to other code.
DESIGN_CONTRACT = {
    "AccountSnapshot",
    "AssetRules",
    "TargetAllocation",
    "RebalanceConfig",
    "size_position",
    "allocation_diff",
    "plan_rebalance",
    "RebalancePlan",
    "OrderIntent",
    "SkippedLeg",
    "SkipReason",
    "Side",
    "WeightDiff",
    "AlchemiserError",
    "InvalidInputError",
}


def _documented_names() -> set[str]:
    return set(re.findall(r"^- `([A-Za-z_][A-Za-z0-9_]*)`", DOCS.read_text(), flags=re.MULTILINE))


def test_all_matches_the_documented_names() -> None:
    assert set(alchemiser_core.__all__) == _documented_names()


def test_design_contract_names_are_exported() -> None:
    assert set(alchemiser_core.__all__) >= DESIGN_CONTRACT


def test_every_exported_name_exists() -> None:
    missing = [name for name in alchemiser_core.__all__ if not hasattr(alchemiser_core, name)]
    assert missing == []
