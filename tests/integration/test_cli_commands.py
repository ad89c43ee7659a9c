"""The console script's commands end to end: demo, plan, check, rebalance, ledger.

Each runs the installed `alchemiser` in a subprocess with its own HOME and temp dir;
`rebalance` talks to Alpaca through alpaca-py's real client and a loopback server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from alchemiser_adapters.files import inputs_from_json
from alchemiser_adapters.ledger import open_ledger
from alchemiser_core import (
    RebalancePlan,
    RiskLimits,
    TargetAllocation,
    check_limits,
    plan_rebalance,
    trading_day,
)
from tests.integration.fake_alpaca import KEY_ID, SECRET, FakeAlpaca, two_cent_market

SCRIPT = Path(sys.executable).with_name("alchemiser")
AS_OF = "2026-11-26T15:30:00+00:00"
D = Decimal
pytestmark = pytest.mark.skipif(
    not SCRIPT.exists(), reason=f"the console script is not installed beside {sys.executable}"
)

TARGETS = {"AAPL": "0.5", "MSFT": "0.5"}
DOCUMENT: dict[str, dict[str, object]] = {
    "snapshot": {
        "cash": "10000",
        "as_of": AS_OF,
        "positions": {"AAPL": "10", "XOM": "5"},
        "prices": {"AAPL": "150", "MSFT": "400", "SPY": "600", "XOM": "100"},
        "account_id": "acct",
    },
    "targets": dict(TARGETS),
    "config": {"cash_reserve_pct": "0"},
}


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A fresh user: its own HOME and temp dir, no XDG variables, no Alpaca credentials."""
    (tmp_path / "home").mkdir()
    (tmp_path / "tmp").mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "APCA_")) and key not in {"COLUMNS"}
    }
    env.update(HOME=str(tmp_path / "home"), TMPDIR=str(tmp_path / "tmp"))
    return env


def _run(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the project's own console script
        [str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def _file(tmp_path: Path, name: str, content: str | dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


def _rows(table: str, first_cell: str) -> list[list[str]]:
    """The cells of a table's rows that start with `first_cell` (side, say)."""
    return [line.split() for line in table.splitlines() if line.split()[:1] == [first_cell]]


# -- plan -------------------------------------------------------------------------------


def _expected_plan(targets: dict[str, str]) -> RebalancePlan:
    snapshot, _, config = inputs_from_json(json.dumps(DOCUMENT))
    return plan_rebalance(snapshot, TargetAllocation(targets), config)


@pytest.mark.parametrize("targets_format", ["document", "json", "csv"])
def test_plan_prints_a_json_plan_equal_to_the_librarys(
    tmp_path: Path, home: dict[str, str], targets_format: str
) -> None:
    document = _file(tmp_path, "plan.json", DOCUMENT)
    targets = {"AAPL": "0.3", "SPY": "0.6"}
    extra: list[str] = []
    if targets_format == "json":
        extra = ["--targets", _file(tmp_path, "t.json", dict(targets))]
    elif targets_format == "csv":
        extra = ["--targets", _file(tmp_path, "t.csv", "symbol,weight\nAAPL,0.3\nSPY,0.6\n")]
    else:
        targets = TARGETS

    result = _run(home, "plan", document, "--format", "json", *extra)

    assert (result.returncode, result.stderr) == (0, "")
    assert RebalancePlan.from_json(result.stdout) == _expected_plan(targets)


@pytest.mark.parametrize("targets_format", ["document", "json", "csv"])
def test_plan_table_lists_sells_then_buys_with_totals(
    tmp_path: Path, home: dict[str, str], targets_format: str
) -> None:
    # The same targets from each input format give the same table.
    extra = {
        "document": [],
        "json": ["--targets", _file(tmp_path, "t.json", dict(TARGETS))],
        "csv": ["--targets", _file(tmp_path, "t.csv", "symbol,weight\nAAPL,0.5\nMSFT,0.5\n")],
    }[targets_format]

    result = _run(home, "plan", _file(tmp_path, "plan.json", DOCUMENT), *extra)

    assert (result.returncode, result.stderr) == (0, "")
    # E = 10,000 + 10 x 150 + 5 x 100 = 12,000; no reserve; T = 6,000 each.
    # XOM (not targeted): sell all 5. AAPL: (6,000 - 1,500) / 150 = 30 more.
    # MSFT: 6,000 / 400 = 15. Cash 10,000 + 500 - 4,500 - 6,000 = 0.
    sells = _rows(result.stdout, "sell")
    buys = _rows(result.stdout, "buy")
    assert [row[:5] for row in sells] == [["sell", "XOM", "5", "100", "500"]]
    assert [row[:5] for row in buys] == [
        ["buy", "MSFT", "15", "400", "6000"],
        ["buy", "AAPL", "30", "150", "4500"],
    ]
    assert sells[0][-2:] == ["full", "exit"]
    assert "cash 10000 -> 0" in result.stdout


def test_plan_table_shows_skipped_legs_with_their_reason(
    tmp_path: Path, home: dict[str, str]
) -> None:
    document = json.loads(json.dumps(DOCUMENT))
    document["targets"] = {"AAPL": "0.5", "TSLA": "0.1"}
    document["config"]["missing_price"] = "skip"

    result = _run(home, "plan", _file(tmp_path, "plan.json", document))

    assert result.returncode == 0, result.stderr
    (skipped,) = _rows(result.stdout.split("Skipped")[1], "buy")
    assert skipped[:3] == ["buy", "TSLA", "missing_price"]


# -- check ------------------------------------------------------------------------------


def test_check_allows_within_limits_and_denies_past_them(
    tmp_path: Path, home: dict[str, str]
) -> None:
    document = _file(tmp_path, "plan.json", DOCUMENT)
    loose = _file(tmp_path, "loose.json", {"max_order_notional": "10000"})
    # The MSFT buy is 6,000 > 5,000: one violation naming it.
    tight = _file(tmp_path, "tight.json", {"max_order_notional": "5000"})

    allowed = _run(home, "check", document, "--limits", loose)
    denied = _run(home, "check", document, "--limits", tight)
    denied_json = _run(home, "check", document, "--limits", tight, "--format", "json")

    assert allowed.returncode == 0 and "Limit check: allowed" in allowed.stdout
    assert denied.returncode == 1 and "Limit check: denied" in denied.stdout
    assert [row[:3] for row in _rows(denied.stdout, "order_notional_exceeds_cap")] == [
        ["order_notional_exceeds_cap", "6000", "5000"]
    ]
    expected = check_limits(_expected_plan(TARGETS), RiskLimits(max_order_notional=5000))
    verdict = json.loads(denied_json.stdout)
    assert verdict["allowed"] is expected.allowed is False
    assert [(v["reason"], v["symbol"], D(v["value"])) for v in verdict["violations"]] == [
        (v.reason.value, v.symbol, v.value) for v in expected.violations
    ]


# -- bad input ----------------------------------------------------------------------------

BAD = {
    "limits: unknown key": (
        ["check", "{doc}", "--limits", "{limits_typo}"],
        "{limits_typo}: limits: expected only the keys max_order_notional,",
    ),
    "limits: bad value": (
        ["check", "{doc}", "--limits", "{limits_negative}"],
        "{limits_negative}: limits.max_order_notional: expected a number > 0, got '-5'",
    ),
    "csv: header": (
        ["plan", "{doc}", "--targets", "{csv_header}"],
        "{csv_header}: line 1: expected the header symbol,weight, got ['ticker', 'w']",
    ),
    "csv: duplicate": (
        ["plan", "{doc}", "--targets", "{csv_duplicate}"],
        "{csv_duplicate}: line 3: symbol: expected each symbol once, got 'SPY'",
    ),
    "csv: weight": (
        ["plan", "{doc}", "--targets", "{csv_weight}"],
        "{csv_weight}: line 2: weight: expected a numeric string, got 'half'",
    ),
    "check: used": (
        ["check", "{doc}", "--limits", "{limits_ok}", "--used", "-1"],
        "--used: used_today: expected a number >= 0, got '-1'",
    ),
    "ledger: day": (
        ["ledger", "used", "--account", "a", "--day", "27/11/2026"],
        "--day: expected a date YYYY-MM-DD, got '27/11/2026'",
    ),
    "ledger: url": (
        ["ledger", "used", "--account", "a", "--ledger", "mysql://x"],
        "--ledger: ledger URL: expected memory://, sqlite:///PATH",
    ),
    "rebalance: live on paper": (
        ["rebalance", "--targets", "{targets}", "--broker", "paper", "--live", "--execute"],
        "--live needs --broker alpaca",
    ),
    "rebalance: no credentials": (
        ["rebalance", "--targets", "{targets}"],
        "credentials: expected a key id and secret (arguments, or APCA_API_KEY_ID and",
    ),
    "rebalance: missing targets file": (
        ["rebalance", "--targets", "/nonexistent/t.csv", "--broker", "paper"],
        "cannot read /nonexistent/t.csv: No such file or directory",
    ),
}


@pytest.mark.parametrize(("args", "expected"), BAD.values(), ids=BAD.keys())
def test_every_bad_input_exits_2_with_one_line(
    tmp_path: Path, home: dict[str, str], args: list[str], expected: str
) -> None:
    files = {
        "doc": _file(tmp_path, "plan.json", DOCUMENT),
        "limits_typo": _file(tmp_path, "typo.json", {"max_order": "1"}),
        "limits_negative": _file(tmp_path, "neg.json", {"max_order_notional": "-5"}),
        "limits_ok": _file(tmp_path, "ok.json", {}),
        "csv_header": _file(tmp_path, "h.csv", "ticker,w\nSPY,1\n"),
        "csv_duplicate": _file(tmp_path, "d.csv", "symbol,weight\nSPY,0.2\nSPY,0.3\n"),
        "csv_weight": _file(tmp_path, "w.csv", "symbol,weight\nSPY,half\n"),
        "targets": _file(tmp_path, "t.csv", "symbol,weight\nSPY,0.5\n"),
    }

    result = _run(home, *(arg.format(**files) for arg in args))

    assert result.returncode == 2, result
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"alchemiser: {expected.format(**files)}"), lines[0]


def test_debug_shows_the_traceback(tmp_path: Path, home: dict[str, str]) -> None:
    csv = _file(tmp_path, "w.csv", "symbol,weight\nSPY,half\n")

    result = _run(home, "plan", _file(tmp_path, "p.json", DOCUMENT), "--targets", csv, "--debug")

    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr


# -- demo and the ledger ------------------------------------------------------------------


def test_demo_runs_end_to_end_in_a_fresh_home_and_its_fills_are_in_the_ledger(
    home: dict[str, str],
) -> None:
    result = _run(home, "demo")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Limit check: allowed" in result.stdout
    report = result.stdout.split("Execution of plan")[1]
    outcomes = [row[6] for row in _rows(report, "sell") + _rows(report, "buy")]
    assert outcomes == ["filled"] * 7
    assert "status completed" in report
    # Not a terminal: progress comes as plain lines, one per change.
    assert "sell 55 XOM: reserved" in result.stdout

    url = next(word for word in result.stdout.split() if word.startswith("sqlite:///"))
    assert url.startswith(f"sqlite:///{home['TMPDIR']}/alchemiser-demo-")
    fills = _run(home, "ledger", "fills", "--account", "demo", "--ledger", url)
    used = _run(home, "ledger", "used", "--account", "demo", "--ledger", url)
    assert fills.returncode == used.returncode == 0
    rows = [line.split() for line in fills.stdout.splitlines()]
    filled = {row[2]: row[3] for row in rows if row[1:2] in (["sell"], ["buy"])}
    assert filled.keys() == {"XOM", "TSLA", "AAPL", "SPY", "GLD", "BRK.B", "MSFT"}
    assert filled["TSLA"] == "7.2273576"
    ledger = open_ledger(url)
    try:
        xom = [fill for fill in ledger.fills("demo") if fill.symbol == "XOM"]
        assert sum(fill.qty for fill in xom) == 55
        assert D(used.stdout.strip()) == ledger.used("demo", trading_day(xom[0].ts)) > 0
    finally:
        ledger.close()


# -- rebalance ------------------------------------------------------------------------------


@pytest.fixture
def alpaca(home: dict[str, str]) -> Iterator[tuple[FakeAlpaca, dict[str, str]]]:
    server = two_cent_market()
    url = server.start()
    env = home | {
        "APCA_API_KEY_ID": KEY_ID,
        "APCA_API_SECRET_KEY": SECRET,
        "APCA_API_BASE_URL": url,
        "APCA_API_DATA_URL": url,
    }
    yield server, env
    server.stop()


def test_rebalance_without_execute_sends_nothing(
    tmp_path: Path, alpaca: tuple[FakeAlpaca, dict[str, str]]
) -> None:
    server, env = alpaca
    targets = _file(tmp_path, "t.csv", "symbol,weight\nAAPL,0.5\nMSFT,0.4\n")

    result = _run(env, "rebalance", "--targets", targets)

    assert result.returncode == 0, result.stderr
    assert "Dry run: nothing was sent" in result.stdout
    # E = 10,000 + 40 x 150 + 30 x 100 = 19,000; reserve 190; MSFT T = 0.4 x 18,810 =
    # 7,524 -> 18 at 400 (the mid of 399.99 / 400.01).
    assert ["buy", "MSFT", "18"] in [row[:3] for row in _rows(result.stdout, "buy")]
    assert ["sell", "XOM", "30"] in [row[:3] for row in _rows(result.stdout, "sell")]
    assert server.orders == []
    assert [path for _, method, path in server.requests if method != "GET"] == []


def test_rebalance_execute_sends_each_order_once_and_records_it(
    tmp_path: Path, alpaca: tuple[FakeAlpaca, dict[str, str]]
) -> None:
    server, env = alpaca
    targets = _file(tmp_path, "t.json", {"AAPL": "0.5", "MSFT": "0.4"})
    url = f"sqlite:///{tmp_path}/ledger.db"

    result = _run(
        env, "rebalance", "--targets", targets, "--execute", "--ledger", url, "--format", "json"
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "completed"
    assert {o["symbol"]: o["outcome"] for o in report["orders"]} == {
        "XOM": "filled",
        "AAPL": "filled",
        "MSFT": "filled",
    }
    assert all(count == 1 for count in server.posts_by_client_id.values())
    ledger = open_ledger(url)
    try:
        assert {f.symbol for f in ledger.fills(report["account_id"])} == {"XOM", "AAPL", "MSFT"}
    finally:
        ledger.close()


def test_rebalance_on_the_paper_broker_from_an_account_file(
    tmp_path: Path, home: dict[str, str]
) -> None:
    account = _file(tmp_path, "account.json", DOCUMENT["snapshot"])
    targets = _file(tmp_path, "t.csv", "symbol,weight\nSPY,0.5\n")
    url = f"sqlite:///{tmp_path}/ledger.db"

    result = _run(
        home, "rebalance", "--broker", "paper", "--account", account, "--targets", targets,
        "--execute", "--ledger", url, "--format", "json",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # E = 12,000; reserve 120; SPY T = 0.5 x 11,880 = 5,940 -> 9 at 600 (5,400).
    assert {(o["symbol"], o["side"], o["requested_qty"]) for o in report["orders"]} == {
        ("AAPL", "sell", "10"),
        ("XOM", "sell", "5"),
        ("SPY", "buy", "9"),
    }
    assert report["status"] == "completed"


def test_live_execution_needs_a_confirmation(
    tmp_path: Path, alpaca: tuple[FakeAlpaca, dict[str, str]]
) -> None:
    server, env = alpaca
    targets = _file(tmp_path, "t.csv", "symbol,weight\nAAPL,0.5\n")

    result = _run(env, "rebalance", "--targets", targets, "--live", "--execute")

    assert result.returncode == 2
    assert result.stderr.startswith("alchemiser: --live --execute sends real orders:")
    assert server.orders == []


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path: Path, home: dict[str, str]) -> None:
    account = _file(tmp_path, "account.json", DOCUMENT["snapshot"])
    targets = _file(tmp_path, "t.csv", "symbol,weight\nSPY,0.5\n")
    url = f"sqlite:///{tmp_path}/ledger.db"

    with subprocess.Popen(  # noqa: S603 - the project's own console script
        [str(SCRIPT), "rebalance", "--broker", "paper", "--account", account, "--targets",
         targets, "--execute", "--ledger", url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=home,
    ) as process:  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            if ": sent " in line:  # an order is working at the broker
                break
        process.send_signal(signal.SIGINT)
        process.stdout.read()
        stderr = process.stderr.read()
        status = process.wait(timeout=60)

    assert status == 130
    (line,) = stderr.splitlines()
    assert line.startswith("alchemiser: stopped by Ctrl-C during plan ")
    assert "run the same command again to resume" in line
    ledger = open_ledger(url)
    try:
        # The lease was given back: another run may start at once.
        assert ledger.acquire_lease("execute:acct", "next-run", timedelta(minutes=1)) is not None
        # What the stopped run reserved is still counted against the day's cap.
        assert ledger.used("acct", trading_day(datetime.now(UTC))) > 0
    finally:
        ledger.close()


def test_ledger_commands_need_an_account(home: dict[str, str]) -> None:
    result = _run(home, "ledger", "used")

    assert result.returncode == 2
    assert "the following arguments are required: --account" in result.stderr


def test_a_config_file_changes_the_plan(tmp_path: Path, home: dict[str, str]) -> None:
    account = _file(tmp_path, "account.json", DOCUMENT["snapshot"])
    targets = _file(tmp_path, "t.csv", "symbol,weight\nSPY,0.5\n")
    config = _file(tmp_path, "config.json", {"cash_reserve_pct": "0", "keep_unlisted": True})

    result = _run(
        home, "rebalance", "--broker", "paper", "--account", account, "--targets", targets,
        "--config", config, "--format", "json",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    plan = RebalancePlan.from_json(result.stdout)
    # keep_unlisted: AAPL and XOM stay; SPY T = 0.5 x 12,000 = 6,000 -> 10 at 600.
    assert [(o.symbol, o.qty) for o in plan.orders] == [("SPY", 10)]
