"""A plan depends on lot *values*, not on how a lot is split into units.

Doubling every price and halving every holding with a lot of 0.5 instead of 1 leaves
every lot, holding and target worth exactly what it was, so every rule of the planner
(floor and optimal, buys, sells, cash, minimums, the knapsack) must give the same
notionals, with half the quantities. A rule that confused a lot's value with its
price (price / increment, say) breaks this.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from alchemiser_core import AccountSnapshot, AssetRules, RebalanceConfig, plan_rebalance

T0 = datetime(2026, 1, 5, 15, tzinfo=UTC)
SYMBOLS = ("AAA", "BBB", "CCC", "DDD", "EEE")

_prices = st.lists(st.integers(100, 20_000), min_size=5, max_size=5)  # cents
_holdings = st.lists(st.integers(0, 40), min_size=5, max_size=5)
_weights = st.lists(st.integers(0, 30), min_size=5, max_size=5)  # percent, sum <= 150 capped below


@given(
    _prices,
    _holdings,
    _weights,
    st.integers(0, 5_000),
    st.sampled_from(["floor", "optimal"]),
    st.sampled_from([0, 5, 50]),
)
def test_halving_the_lot_and_doubling_the_price_halves_every_quantity(
    cents: list[int],
    holdings: list[int],
    percents: list[int],
    cash: int,
    rounding: str,
    min_trade: int,
) -> None:
    total = sum(percents) or 1
    weights = {
        s: Decimal(p) / Decimal(max(total, 100)) for s, p in zip(SYMBOLS, percents, strict=True)
    }
    prices = {s: Decimal(c) / 100 for s, c in zip(SYMBOLS, cents, strict=True)}
    config = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=min_trade, rounding=rounding)
    whole = AccountSnapshot(
        cash=cash,
        positions={s: h for s, h in zip(SYMBOLS, holdings, strict=True)},
        prices=prices,
        as_of=T0,
    )
    halves = AccountSnapshot(
        cash=cash,
        positions={s: Decimal(h) / 2 for s, h in zip(SYMBOLS, holdings, strict=True)},
        prices={s: price * 2 for s, price in prices.items()},
        as_of=T0,
        rules={s: AssetRules(qty_increment="0.5") for s in SYMBOLS},
    )

    by_whole = plan_rebalance(whole, weights, config)
    by_halves = plan_rebalance(halves, weights, config)

    assert [(o.symbol, o.side, o.notional, o.qty) for o in by_halves.orders] == [
        (o.symbol, o.side, o.notional, o.qty / 2) for o in by_whole.orders
    ]
    assert [(s.symbol, s.side, s.reason, s.notional) for s in by_halves.skipped] == [
        (s.symbol, s.side, s.reason, s.notional) for s in by_whole.skipped
    ]
