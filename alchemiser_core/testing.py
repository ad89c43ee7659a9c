"""Hypothesis strategies for Alchemiser's values, for your own property tests.

Every strategy generates only *valid* values (prices > 0, weights summing to <= 1,
aware timestamps, a price for every held or targeted symbol), with realistic
magnitudes: prices from $0.01 to $5,000 (sub-dollar on the 1/100-cent grid),
whole or fractional quantities, accounts from empty to tens of millions (margin
accounts, with cash down to minus the holdings, included).
Hypothesis cannot infer attrs validators, so the strategies are built explicitly.

Needs the ``hypothesis`` package (``pip install 'alchemiser[dev]'``)::

    from hypothesis import given
    from alchemiser_core import plan_rebalance
    from alchemiser_core.testing import planning_inputs

    @given(planning_inputs())
    def test_my_bot_never_overspends(inputs):
        snapshot, targets, config = inputs
        plan = plan_rebalance(snapshot, targets, config)
        assert plan.cash_after >= 0 or not plan.buys
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, localcontext

from hypothesis import strategies as st

from alchemiser_core.numeric import exact_context
from alchemiser_core.planning.account import AccountSnapshot, AssetRules
from alchemiser_core.planning.config import DriftBand, RebalanceConfig
from alchemiser_core.planning.targets import TargetAllocation

__all__ = [
    "account_snapshots",
    "asset_rules",
    "aware_datetimes",
    "planning_inputs",
    "prices",
    "quantities",
    "rebalance_configs",
    "symbols",
    "target_allocations",
]

_WELL_KNOWN = ("AAPL", "MSFT", "NVDA", "SPY", "QQQ", "BRK.B", "TLT", "GLD", "BTC/USD", "ETH/USD")


def symbols() -> st.SearchStrategy[str]:
    """Valid symbols: well-known tickers, share classes, crypto pairs and made-up tickers."""
    return st.sampled_from(_WELL_KNOWN) | st.from_regex(r"[A-Z]{1,5}", fullmatch=True)


def prices() -> st.SearchStrategy[Decimal]:
    """Positive reference prices: $1 to $5,000 in cents, and sub-dollar prices in 1/100 cent."""
    return st.decimals(min_value="1", max_value="5000", places=2) | st.decimals(
        min_value="0.0001", max_value="0.9999", places=4
    )


def quantities(*, fractional: bool = True) -> st.SearchStrategy[Decimal]:
    """Held quantities >= 0: whole shares, and (optionally) fractions to nine places."""
    whole = st.integers(min_value=0, max_value=20_000).map(Decimal)
    if not fractional:
        return whole
    return whole | st.decimals(min_value="0", max_value="5000", places=9)


def aware_datetimes() -> st.SearchStrategy[datetime]:
    """Timezone-aware timestamps (UTC and fixed offsets) between 2000 and 2040."""
    offsets = st.sampled_from(
        [timedelta(0), timedelta(hours=-5), timedelta(hours=-4), timedelta(hours=9)]
    )
    return st.builds(
        lambda moment, offset: moment.replace(tzinfo=UTC).astimezone(timezone(offset)),
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),  # noqa: DTZ001
        offsets,
    )


def asset_rules() -> st.SearchStrategy[AssetRules]:
    """Per-asset rules: mostly tradable, sometimes fractionable, various lots and minimums."""
    return st.builds(
        AssetRules,
        tradable=st.sampled_from([True, True, True, False]),
        fractionable=st.booleans(),
        qty_increment=st.sampled_from([Decimal(1), Decimal("0.001"), Decimal("0.0001")]),
        min_notional=st.sampled_from([Decimal(0), Decimal(1), Decimal(10)]),
    )


@st.composite
def target_allocations(
    draw: st.DrawFn, universe: list[str] | None = None, *, max_symbols: int = 12
) -> TargetAllocation:
    """Weights over `universe` (or drawn symbols), each in [0, 1], summing to <= 1.

    Drawn as integers and divided by a total that is at least their sum, floored to
    six places, so the sum never exceeds 1; zero weights (exits) are common.
    """
    if universe is None:
        universe = draw(st.lists(symbols(), min_size=0, max_size=max_symbols, unique=True))
    chosen = draw(st.lists(st.sampled_from(universe), unique=True)) if universe else []
    raw = [draw(st.integers(min_value=0, max_value=1000)) for _ in chosen]
    total = sum(raw) + draw(st.sampled_from([0, 0, 1, 50, 500]))
    if total == 0:
        return TargetAllocation({symbol: 0 for symbol in chosen})
    # Integer floor division: each weight <= part / total, so the sum stays <= 1.
    weights = {
        symbol: Decimal(part * 1_000_000 // total).scaleb(-6)
        for symbol, part in zip(chosen, raw, strict=True)
    }
    return TargetAllocation(weights)


@st.composite
def account_snapshots(
    draw: st.DrawFn,
    universe: list[str] | None = None,
    *,
    max_symbols: int = 12,
    with_rules: bool = True,
    margin: bool = True,
) -> AccountSnapshot:
    """Snapshots whose every symbol in `universe` has a price; some are held.

    With `margin`, cash may be negative down to minus the holdings' value (equity
    0), as on a margin account.
    """
    if universe is None:
        universe = draw(st.lists(symbols(), min_size=0, max_size=max_symbols, unique=True))
    price_of = {symbol: draw(prices()) for symbol in universe}
    held = draw(st.lists(st.sampled_from(universe), unique=True)) if universe else []
    positions = {symbol: draw(quantities()) for symbol in held}
    rules = {}
    if with_rules and universe:
        for symbol in draw(st.lists(st.sampled_from(universe), unique=True)):
            rules[symbol] = draw(asset_rules())
    cash_values = st.decimals(min_value="0", max_value="20000000", places=2) | st.sampled_from(
        [Decimal(0), Decimal(5), Decimal(100)]
    )
    with localcontext(exact_context()):
        holdings = sum((qty * price_of[symbol] for symbol, qty in positions.items()), Decimal(0))
    if margin and holdings:
        # Margin debt up to the whole holdings (equity >= 0), exactly the holdings too.
        cash_values |= st.decimals(min_value=-holdings, max_value="0", places=2) | st.just(
            -holdings
        )
    cash = draw(cash_values)
    return AccountSnapshot(
        cash=cash,
        positions=positions,
        prices=price_of,
        as_of=draw(aware_datetimes()),
        account_id=draw(st.sampled_from(["default", "acct-1", "PA3XYZ"])),
        rules=rules,
    )


def rebalance_configs(*, rounding: str | None = None) -> st.SearchStrategy[RebalanceConfig]:
    """Planning policies around the defaults: reserve 0-5%, minimum $0-$50, bands, buffers."""
    bands = st.none() | st.builds(
        DriftBand,
        absolute=st.decimals(min_value="0", max_value="0.05", places=3),
        relative=st.decimals(min_value="0", max_value="0.2", places=2),
    )
    return st.builds(
        RebalanceConfig,
        cash_reserve_pct=st.decimals(min_value="0", max_value="0.05", places=3),
        min_trade_notional=st.sampled_from([Decimal(0), Decimal(1), Decimal(5), Decimal(50)]),
        fractional=st.booleans(),
        rounding=st.just(rounding) if rounding else st.sampled_from(["floor", "optimal"]),
        drift_band=bands,
        buy_price_buffer_pct=st.sampled_from(
            [Decimal(0), Decimal(0), Decimal("0.005"), Decimal("0.02")]
        ),
        keep_unlisted=st.booleans(),
        missing_price=st.sampled_from(["raise", "skip"]),
    )


@st.composite
def planning_inputs(
    draw: st.DrawFn, *, max_symbols: int = 12, rounding: str | None = None
) -> tuple[AccountSnapshot, TargetAllocation, RebalanceConfig]:
    """A consistent (snapshot, targets, config) triple: every targeted symbol is priced."""
    universe = draw(st.lists(symbols(), min_size=1, max_size=max_symbols, unique=True))
    snapshot = draw(account_snapshots(universe))
    targets = draw(target_allocations(universe))
    config = draw(rebalance_configs(rounding=rounding))
    return snapshot, targets, config
