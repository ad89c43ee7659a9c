"""Alchemiser's pure core: exact, deterministic rebalance planning over immutable values.

No I/O, no clock, no randomness: time enters only as an argument. Every number is a
`decimal.Decimal`; every result is a frozen attrs value you can print, hash, compare
and serialise.
"""

from alchemiser_core.errors import AlchemiserError, InvalidInputError, MissingPriceError
from alchemiser_core.frozen import FrozenMap
from alchemiser_core.numeric import ceil_to_increment, floor_to_increment, to_decimal
from alchemiser_core.planning.account import AccountSnapshot, AssetRules
from alchemiser_core.planning.config import DriftBand, RebalanceConfig
from alchemiser_core.planning.diff import WeightDiff, allocation_diff
from alchemiser_core.planning.orders import OrderIntent, Side, SkippedLeg, SkipReason
from alchemiser_core.planning.plan import RebalancePlan
from alchemiser_core.planning.planner import plan_rebalance
from alchemiser_core.planning.sizing import size_position
from alchemiser_core.planning.targets import TargetAllocation
from alchemiser_core.risk.breaker import BreakerState, BreakerStatus
from alchemiser_core.risk.ladder import (
    ExecutionLadder,
    FinalAction,
    LadderAction,
    LadderStep,
    limit_price,
)
from alchemiser_core.risk.limits import (
    LimitCheck,
    LimitOutcome,
    LimitPolicy,
    LimitReason,
    LimitViolation,
    RiskLimits,
    check_limits,
    enforce_limits,
    split_order,
)
from alchemiser_core.risk.new_york import trading_day
from alchemiser_core.risk.preflight import Denial, DenialReason, Preflight, preflight
from alchemiser_core.risk.quotes import (
    Quote,
    QuoteAssessment,
    QuoteIssue,
    QuotePolicy,
    assess_quote,
)
from alchemiser_core.risk.trading_state import (
    LossLimits,
    TradingState,
    TradingStateReason,
    apply_trading_state,
    trading_state,
)
from alchemiser_core.venue import VenueRules, default_tick, round_price_to_tick

__all__ = [
    "AccountSnapshot",
    "AlchemiserError",
    "AssetRules",
    "BreakerState",
    "BreakerStatus",
    "Denial",
    "DenialReason",
    "DriftBand",
    "ExecutionLadder",
    "FinalAction",
    "FrozenMap",
    "InvalidInputError",
    "LadderAction",
    "LadderStep",
    "LimitCheck",
    "LimitOutcome",
    "LimitPolicy",
    "LimitReason",
    "LimitViolation",
    "LossLimits",
    "MissingPriceError",
    "OrderIntent",
    "Preflight",
    "Quote",
    "QuoteAssessment",
    "QuoteIssue",
    "QuotePolicy",
    "RebalanceConfig",
    "RebalancePlan",
    "RiskLimits",
    "Side",
    "SkipReason",
    "SkippedLeg",
    "TargetAllocation",
    "TradingState",
    "TradingStateReason",
    "VenueRules",
    "WeightDiff",
    "allocation_diff",
    "apply_trading_state",
    "assess_quote",
    "ceil_to_increment",
    "check_limits",
    "default_tick",
    "enforce_limits",
    "floor_to_increment",
    "limit_price",
    "plan_rebalance",
    "preflight",
    "round_price_to_tick",
    "size_position",
    "split_order",
    "to_decimal",
    "trading_day",
    "trading_state",
]

__version__ = "0.1.0"
