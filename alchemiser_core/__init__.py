"""Alchemiser's pure core: exact, deterministic rebalance planning over immutable values.

No I/O, no clock, no randomness: time enters only as an argument. Every number is a
`decimal.Decimal`; every result is a frozen attrs value you can print, hash, compare
and serialise.
"""

from alchemiser_core.account import AccountSnapshot, AssetRules
from alchemiser_core.config import DriftBand, RebalanceConfig
from alchemiser_core.diff import WeightDiff, allocation_diff
from alchemiser_core.errors import AlchemiserError, InvalidInputError, MissingPriceError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import (
    ceil_to_increment,
    default_tick,
    floor_to_increment,
    round_price_to_tick,
    to_decimal,
)
from alchemiser_core.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.plan import RebalancePlan
from alchemiser_core.planner import plan_rebalance
from alchemiser_core.sizing import size_position
from alchemiser_core.targets import TargetAllocation

__all__ = [
    "AccountSnapshot",
    "AlchemiserError",
    "AssetRules",
    "DriftBand",
    "FrozenMap",
    "InvalidInputError",
    "MissingPriceError",
    "OrderIntent",
    "RebalanceConfig",
    "RebalancePlan",
    "Side",
    "SkipReason",
    "SkippedLeg",
    "TargetAllocation",
    "WeightDiff",
    "allocation_diff",
    "ceil_to_increment",
    "default_tick",
    "floor_to_increment",
    "plan_rebalance",
    "round_price_to_tick",
    "size_position",
    "to_decimal",
]

__version__ = "0.1.0"
