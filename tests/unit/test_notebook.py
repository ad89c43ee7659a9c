"""What a notebook user sees: HTML views, exact DataFrames, pandas inputs."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from html.parser import HTMLParser

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
    AssetRules,
    InvalidInputError,
    LimitCheck,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    Side,
    TargetAllocation,
    check_limits,
    plan_rebalance,
)
from alchemiser_core.notebook import _STYLE, frame, html_table, is_pandas  # noqa: E402

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


class _Cells(HTMLParser):
    """The caption, header, rows (cells as (css class, text)) and footer of one table."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.caption = self.footer = ""
        self.header: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self._in = ""
        self._class = ""
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and self._in != "thead":
            self.rows.append([])
        if tag in {"caption", "th", "td", "p", "thead", "style"}:
            self._in = "thead" if tag == "thead" else tag
            self._class = dict(attrs).get("class") or ""
            if tag == "td":
                self.rows[-1].append((self._class, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"caption", "p", "thead", "style"} or (tag == "th" and self._in == "th"):
            self._in = "" if tag != "th" else "thead"

    def handle_data(self, data: str) -> None:
        if self._in == "caption":
            self.caption += data
        elif self._in == "th":
            self.header.append(data)
        elif self._in == "td":
            css, text = self.rows[-1][-1]
            self.rows[-1][-1] = (css, text + data)
        elif self._in == "p":
            self.footer += data


def test_html_table_is_exactly_this_markup() -> None:
    page = html_table("T <1>", ["a", "b"], [[("x", "sell"), D("1.5")], [None, "y&z"]], "f")
    bare = html_table("T", ["a"], [])

    assert page == (
        f'<div class="alchemiser">{_STYLE}<table><caption>T &lt;1&gt;</caption>'
        "<thead><tr><th>a</th><th>b</th></tr></thead><tbody>"
        '<tr><td class="sell">x</td><td class="num">1.5</td></tr>'
        "<tr><td></td><td>y&amp;z</td></tr></tbody></table><p>f</p></div>"
    )
    assert bare == (
        f'<div class="alchemiser">{_STYLE}<table><caption>T</caption>'
        "<thead><tr><th>a</th></tr></thead><tbody></tbody></table></div>"
    )


def test_a_plans_html_cell_by_cell() -> None:
    plan = _plan()

    table = _Cells(plan._repr_html_())

    assert (
        table.caption == f"Plan {plan.plan_id} · account default · as of 2026-01-05T15:00:00+00:00"
    )
    assert table.header == [
        "side", "symbol", "qty", "price", "notional", "weight now", "target", "note",
    ]  # fmt: skip
    # C: 99.99 / 1,099.99 = 9.09%; A: target 50%; Z: target value 0.1 x 1,099.99.
    assert table.rows == [
        [("sell", "sell"), ("", "C"), ("num", "3"), ("num", "33.33"), ("num", "99.99"),
         ("", "9.09%"), ("", "0.00%"), ("", "full exit")],
        [("buy", "buy"), ("", "A"), ("num", "70"), ("num", "7.77"), ("num", "543.9"),
         ("", "0.00%"), ("", "50.00%"), ("", "")],
        [("bad", "skip buy"), ("", "Z"), ("num", "0"), ("", ""), ("num", "109.999"), ("", ""),
         ("", ""), ("", "missing_price: no price; target value 109.999")],
    ]  # fmt: skip
    assert table.footer == (
        "equity 1099.99 · reserve 0 · sells 99.99 · buys 543.9 · cash 1000 → 556.09"
    )


def test_a_limit_checks_html_cell_by_cell() -> None:
    check = check_limits(_plan(), RiskLimits(max_order_notional=500))

    table = _Cells(check._repr_html_())

    assert table.caption == "Limit check: denied"
    assert table.header == ["reason", "value", "limit", "symbol", "side", "detail"]
    ((reason, value, limit, symbol, side, detail),) = table.rows
    assert (reason, value, limit, symbol, side) == (
        ("bad", "order_notional_exceeds_cap"), ("num", "543.9"), ("num", "500"), ("", "A"),
        ("", "buy"),
    )  # fmt: skip
    assert detail == ("", "buy A 543.9 > 500 per order")
    # Both sides count against the daily cap: 99.99 + 543.9 = 643.89.
    assert table.footer == (
        "daily cap 500000: used 0 + proposed 643.89 · headroom 500000 · would exceed by 0"
    )
    assert _Cells(check_limits(_plan(), RiskLimits())._repr_html_()).caption == (
        "Limit check: allowed"
    )


def test_a_plans_frame_row_by_row() -> None:
    plan = _plan()
    frame = plan.to_frame()
    ids = [order.client_order_id for order in plan.orders]

    assert list(frame.columns) == [
        "kind", "symbol", "side", "qty", "ref_price", "notional", "current_weight",
        "target_weight", "is_full_exit", "reason", "detail", "client_order_id",
    ]  # fmt: skip
    rows = [list(row) for row in frame.itertuples(index=False)]
    # C's weight now: 99.99 / 1,099.99 = 0.09090082637114882862... -> 18 places, half-even.
    assert rows == [
        ["order", "C", "sell", D(3), D("33.33"), D("99.99"), D("0.090900826371148829"),
         D(0), True, "", "", ids[0]],
        ["order", "A", "buy", D(70), D("7.77"), D("543.9"), D(0), D("0.5"), False, "", "",
         ids[1]],
        ["skipped", "Z", "buy", D(0), None, D("109.999"), None, None, False, "missing_price",
         "no price; target value 109.999", ""],
    ]  # fmt: skip
    floats = _plan().to_frame(as_float=True)
    assert floats["ref_price"].isna().tolist() == [False, False, True]
    assert floats["qty"].tolist() == [3.0, 70.0, 0.0]


def test_is_pandas_knows_a_series_from_a_look_alike() -> None:
    class Series(dict[str, object]):  # a Series by name only
        pass

    assert is_pandas(pandas.Series(dtype=object), "Series")
    assert not is_pandas(Series(), "Series")
    assert not is_pandas(pandas.Series(dtype=object), "DataFrame")
    assert is_pandas(pandas.DataFrame(), "DataFrame")


def _denied_twice() -> LimitCheck:
    # The A buy (543.9) is over a 500 order cap, and both orders (643.89) are over
    # a 600 daily cap: the second violation names no order.
    return check_limits(_plan(), RiskLimits(max_order_notional=500, max_daily_notional=600))


def test_a_limit_checks_frame_names_every_column_and_keeps_decimals() -> None:
    frame = _denied_twice().to_frame()
    floats = _denied_twice().to_frame(as_float=True)

    assert list(frame.columns) == [
        "reason", "value", "limit", "symbol", "side", "client_order_id", "detail",
    ]  # fmt: skip
    assert [list(row)[:5] for row in frame.itertuples(index=False)] == [
        ["order_notional_exceeds_cap", D("543.9"), D(500), "A", "buy"],
        ["daily_notional_exceeds_cap", D("643.89"), D(600), None, None],
    ]
    assert frame["client_order_id"].iloc[0] == _plan().orders[1].client_order_id
    assert frame["detail"].iloc[0] == "buy A 543.9 > 500 per order"
    assert (floats["value"].dtype, floats["limit"].dtype) == ("float64", "float64")
    assert floats["symbol"].dtype == object


def test_a_daily_cap_violation_shows_without_a_side() -> None:
    table = _Cells(_denied_twice()._repr_html_())

    assert [row[0][1] for row in table.rows] == [
        "order_notional_exceeds_cap",
        "daily_notional_exceeds_cap",
    ]
    assert [row[3:5] for row in table.rows][1] == [("", ""), ("", "")]


def test_frame_keeps_decimals_unless_asked_for_floats() -> None:
    exact = frame(["x"], [[D("0.1")]], numeric=["x"])
    floats = frame(["x"], [[D("0.1")]], numeric=["x"], as_float=True)

    assert exact["x"].iloc[0] == D("0.1") and exact["x"].dtype == object
    assert floats["x"].iloc[0] == 0.1 and floats["x"].dtype == "float64"


def test_to_frame_without_pandas_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails

    with pytest.raises(ImportError) as raised:
        _plan().to_frame()

    assert str(raised.value) == "to_frame() needs pandas: pip install 'alchemiser[notebook]'"


def test_a_repeated_symbol_in_a_series_is_named_exactly() -> None:
    with pytest.raises(InvalidInputError) as raised:
        AccountSnapshot(
            cash=0,
            positions=pandas.Series([1, 2, 3], index=["B", "A", "B"]),
            prices={},
            as_of=AS_OF,
        )

    assert str(raised.value) == "positions: expected a Series with each symbol once, got ['B']"


def test_from_frame_passes_the_rest_through() -> None:
    holdings = pandas.DataFrame({"qty": [1], "price": [10]}, index=["A"])
    rules = {"A": AssetRules(fractionable=True)}

    plain = AccountSnapshot.from_frame(holdings, cash=0, as_of=AS_OF)
    ruled = AccountSnapshot.from_frame(holdings, cash=0, as_of=AS_OF, rules=rules)

    assert plain.account_id == "default" and dict(plain.rules) == {}
    assert dict(ruled.rules) == rules


def test_from_frame_errors_show_what_came() -> None:
    not_a_frame = {"qty": {"A": 1}}
    no_price = pandas.DataFrame({"qty": [1], "px": [2]}, index=["A"])

    with pytest.raises(InvalidInputError) as wrong_type:
        AccountSnapshot.from_frame(not_a_frame, cash=0, as_of=AS_OF)
    with pytest.raises(InvalidInputError) as wrong_columns:
        AccountSnapshot.from_frame(no_price, cash=0, as_of=AS_OF)

    assert wrong_type.value.value is not_a_frame
    assert wrong_columns.value.value == ["qty", "px"]
