"""What a notebook user sees: HTML views, exact DataFrames, pandas inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

pandas = pytest.importorskip(
    "pandas", reason="pandas is the notebook extra's (pip install -e '.[dev]')"
)

from alchemiser_adapters.execution_report import (  # noqa: E402 - after the skip
    ExecutionReport,
    ExecutionStatus,
    OrderOutcome,
    OrderReport,
)
from alchemiser_core import (  # noqa: E402
    AccountSnapshot,
    InvalidInputError,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    TargetAllocation,
    check_limits,
    plan_rebalance,
)

AS_OF = datetime(2026, 1, 5, 15, tzinfo=UTC)
D = Decimal


def _plan() -> RebalancePlan:
    # E = 1,000 + 3 x 33.33 = 1,099.99; no reserve. A: T = 0.5 x 1,099.99 = 549.995 ->
    # floor(549.995 / 7.77) = 70 (543.9). C (held, unlisted): sell all 3 (99.99).
    # Z: weight 0.1 but no price -> skipped (missing_price="skip").
    account = AccountSnapshot(
        cash=1000, positions={"C": 3}, prices={"A": "7.77", "C": "33.33"}, as_of=AS_OF
    )
    config = RebalanceConfig(cash_reserve_pct=0, missing_price="skip")
    return plan_rebalance(account, {"A": "0.5", "Z": "0.1"}, config)


def _report(*orders: OrderReport) -> ExecutionReport:
    return ExecutionReport(
        status=ExecutionStatus.COMPLETED,
        account_id="a",
        plan_id="p",
        executed_plan_id="p",
        correlation_id="c",
        orders=orders,
    )


def test_a_plans_frame_holds_its_exact_decimals() -> None:
    plan = _plan()

    frame = plan.to_frame()

    orders = frame[frame["kind"] == "order"]
    assert list(orders["symbol"]) == [o.symbol for o in plan.orders]
    assert list(orders["notional"]) == [o.notional for o in plan.orders]
    assert all(type(value) is Decimal for value in orders["notional"])
    assert list(orders["qty"]) == [D(3), D(70)]
    assert orders["notional"].sum() == D("99.99") + D("543.9")
    (skipped,) = frame[frame["kind"] == "skipped"].itertuples()
    assert (skipped.symbol, skipped.reason) == ("Z", "missing_price")


def test_as_float_is_for_plotting() -> None:
    frame = _plan().to_frame(as_float=True)

    assert frame["notional"].dtype == "float64"
    assert frame["notional"].iloc[1] == pytest.approx(543.9)
    assert frame["kind"].dtype == object


def test_a_plans_html_shows_sells_buys_skips_and_totals() -> None:
    plan = _plan()

    page = plan._repr_html_()

    assert page.index('<td class="sell">sell</td><td>C</td>') < page.index(
        '<td class="buy">buy</td><td>A</td>'
    )
    assert '<td class="bad">skip buy</td><td>Z</td>' in page
    assert "missing_price" in page
    assert f"cash {plan.cash_before} → {plan.cash_after}" in page


def test_html_escapes_what_it_shows() -> None:
    report = _report(
        OrderReport("id", "A", Side.BUY, D(1), D(0), None, OrderOutcome.REJECTED, "<b>no</b>")
    )

    page = report._repr_html_()

    assert "&lt;b&gt;no&lt;/b&gt;" in page and "<b>no</b>" not in page
    assert '<td class="bad">rejected</td>' in page


def test_a_limit_check_as_html_and_frame() -> None:
    check = check_limits(_plan(), RiskLimits(max_order_notional=500))

    frame = check.to_frame()

    # Only the A buy (543.9) is over the 500 cap.
    assert list(frame["reason"]) == ["order_notional_exceeds_cap"]
    assert (frame["value"].iloc[0], frame["limit"].iloc[0]) == (D("543.9"), D(500))
    assert "Limit check: denied" in check._repr_html_()
    assert check_limits(_plan(), RiskLimits()).to_frame().empty


def test_an_execution_reports_frame_keeps_its_decimals() -> None:
    report = _report(OrderReport("id", "A", Side.BUY, D(3), D(3), D("7.77"), OrderOutcome.FILLED))

    frame = report.to_frame()

    assert frame["filled_notional"].iloc[0] == D("23.31")  # 3 x 7.77
    assert frame["outcome"].iloc[0] == "filled"


def test_targets_take_a_series_of_weights() -> None:
    weights = pandas.Series({"SPY": 0.6, "AGG": 0.4})

    targets = TargetAllocation(weights)

    assert dict(targets.weights) == {"AGG": D("0.4"), "SPY": D("0.6")}


def test_a_series_with_a_repeated_symbol_is_refused() -> None:
    weights = pandas.Series([0.3, 0.2], index=["SPY", "SPY"])

    with pytest.raises(InvalidInputError) as raised:
        TargetAllocation(weights)

    assert (raised.value.field, raised.value.value) == ("weights", ["SPY"])


def test_plan_rebalance_takes_a_series_of_targets() -> None:
    account = AccountSnapshot(cash=1000, positions={}, prices={"A": 10}, as_of=AS_OF)

    plan = plan_rebalance(account, pandas.Series({"A": 0.5}), RebalanceConfig(cash_reserve_pct=0))

    assert [(o.symbol, o.qty) for o in plan.orders] == [("A", D(50))]  # 500 / 10


def test_a_snapshot_from_a_frame_of_qty_and_price() -> None:
    holdings = pandas.DataFrame({"qty": [10, 0], "price": [150.0, 400.0]}, index=["AAPL", "MSFT"])

    account = AccountSnapshot.from_frame(holdings, cash="1000", as_of=AS_OF, account_id="nb")

    assert account.equity == 2500  # 1,000 + 10 x 150
    assert dict(account.prices) == {"AAPL": D(150), "MSFT": D(400)}
    assert account.account_id == "nb"


@pytest.mark.parametrize(
    ("frame", "field", "expected"),
    [
        (pandas.DataFrame({"qty": [1]}, index=["A"]), "frame", "the columns qty and price"),
        ({"qty": {"A": 1}}, "frame", "a pandas DataFrame with qty and price columns"),
        (
            pandas.DataFrame({"qty": [1], "price": [float("nan")]}, index=["A"]),
            "prices['A']",
            "a finite number (not NaN or Infinity)",
        ),
    ],
)
def test_a_bad_frame_names_what_is_wrong(frame: object, field: str, expected: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        AccountSnapshot.from_frame(frame, cash=0, as_of=AS_OF)

    assert (raised.value.field, raised.value.expected) == (field, expected)
