"""The `alchemiser` command.

alchemiser demo                        # plan, check and execute the bundled portfolio on paper
alchemiser plan FILE [--targets T]     # plan a snapshot/targets/config document
alchemiser check FILE --limits L       # ... and check the plan against risk limits
alchemiser rebalance --targets T       # plan and check at a broker; --execute sends
alchemiser ledger used|fills           # what the ledger counted today, and its fills

Exit status: 0 done (a check allowed, an execution completed); 1 refused or not
completed (a check denied, an execution blocked or interrupted, a broker that did not
answer); 2 bad input, one line on standard error naming the file, the field and the
value; 130 stopped by Ctrl-C. No traceback unless --debug. Output cut short by a
closed pipe (`| head`) ends quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import NoReturn, TypeVar

from rich.console import Console, Group, RenderableType

from alchemiser_adapters.brokers import Broker, PaperBroker, PaperFills
from alchemiser_adapters.cli._progress import ExecutionProgress
from alchemiser_adapters.cli._render import fills_table, limits_table, plan_table, report_table
from alchemiser_adapters.execution_report import ExecutionReport, ExecutionStatus
from alchemiser_adapters.executor import ExecutionPolicy, execute_plan
from alchemiser_adapters.files import (
    CONFIG_KEYS,
    LIMITS_KEYS,
    RULES_KEYS,
    SNAPSHOT_KEYS,
    PlanningInputs,
    config_from_json,
    decode_text,
    inputs_from_json,
    limits_from_json,
    snapshot_from_json,
    targets_from_csv,
    targets_from_json,
)
from alchemiser_adapters.ledger import Ledger, open_ledger
from alchemiser_adapters.ledger.urls import default_ledger_url
from alchemiser_core import (
    AccountSnapshot,
    AlchemiserError,
    ExecutionLadder,
    LimitCheck,
    RebalanceConfig,
    RebalancePlan,
    RiskLimits,
    TargetAllocation,
    __version__,
    check_limits,
    plan_rebalance,
    trading_day,
)

__all__ = ["EXIT_FAILED", "EXIT_INPUT", "EXIT_INTERRUPTED", "main"]

EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130
DEMO_RESOURCE = "demo_portfolio.json"
_T = TypeVar("_T")

INPUT_FORMAT = f"""\
input document (JSON, UTF-8; numbers as strings or JSON numbers, read exactly):
  {{
    "snapshot": {{"cash": "12500.00", "as_of": "2026-11-26T15:30:00+00:00",
                 "positions": {{"AAPL": "40"}}, "prices": {{"AAPL": "232.87", "SPY": "598.20"}},
                 "account_id": "demo", "rules": {{"TSLA": {{"fractionable": true}}}}}},
    "targets": {{"AAPL": "0.2", "SPY": "0.3"}},
    "config": {{"cash_reserve_pct": "0.01", "min_trade_notional": "5"}}
  }}
  snapshot keys: {", ".join(SNAPSHOT_KEYS)} (cash and as_of required)
  rules keys:    {", ".join(RULES_KEYS)}
  config keys:   {", ".join(CONFIG_KEYS)}
  targets: symbol -> weight in [0, 1], summing to at most 1; the rest stays cash.
  A targets file (--targets) is that JSON object, or CSV with the header symbol,weight.
  A limits file (--limits) is a JSON object of: {", ".join(LIMITS_KEYS)}.
  Any other key is an error. See docs/cli.md.
"""


class CliError(Exception):
    """A failure the command reports in one line and an exit status."""

    def __init__(self, message: str, status: int = EXIT_INPUT) -> None:
        super().__init__(" ".join(message.split()))  # one line, whatever a value held
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line too, like every other input defect."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (see the module's docstring)."""
    args = _parser().parse_args(argv)
    console = _console()
    try:
        status: int = args.run(args, console)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
    except BrokenPipeError:
        # The reader went away (`alchemiser plan big.json | head`): nothing left to say.
        # Point stdout at /dev/null so the interpreter's final flush does not complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CliError as error:
        if args.debug:
            raise
        print(f"alchemiser: {error}", file=sys.stderr)
        return error.status
    except KeyboardInterrupt:
        # Before any order was sent (during an execution, _execute says how to resume).
        print("alchemiser: stopped by Ctrl-C; nothing was sent", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (AlchemiserError, OSError) as error:
        # Raised outside any one file (a broker or ledger that failed): no input to name.
        if args.debug:
            raise
        print(f"alchemiser: {' '.join(str(error).split())}", file=sys.stderr)
        return EXIT_FAILED
    return status


def _console() -> Console:
    # Not a terminal (a pipe, a file, CI): wide enough that no table wraps a row.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _parser() -> _Parser:
    parser = _Parser(
        prog="alchemiser",
        description=__doc__.splitlines()[0],
        epilog=INPUT_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, run: Callable[..., int], summary: str) -> _Parser:
        sub: _Parser = commands.add_parser(
            name,
            help=summary,
            description=summary,
            parents=[common],
            epilog=INPUT_FORMAT,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)
        return sub

    demo = command("demo", _demo, "plan, check and execute the bundled portfolio on paper")
    demo.add_argument("--ledger", help="ledger URL (default: a new SQLite file in a temp dir)")

    plan = command("plan", _plan, "plan a JSON document of snapshot, targets, config")
    _planning_arguments(plan)

    check = command("check", _check, "plan a document and check the plan against limits")
    _planning_arguments(check)
    check.add_argument("--limits", required=True, help="JSON file of RiskLimits fields")
    check.add_argument("--used", default="0", help="notional traded today already (default 0)")

    rebalance = command("rebalance", _rebalance, "plan at a broker; --execute sends the orders")
    rebalance.add_argument("--targets", required=True, help="JSON or CSV (symbol,weight) file")
    rebalance.add_argument("--config", help="JSON file of RebalanceConfig fields")
    rebalance.add_argument("--limits", help="JSON file of RiskLimits fields (default: defaults)")
    rebalance.add_argument("--broker", choices=("alpaca", "paper"), default="alpaca")
    rebalance.add_argument(
        "--account", help="paper broker only: JSON snapshot to start from (default: the demo's)"
    )
    rebalance.add_argument("--ledger", help=f"ledger URL (default {default_ledger_url()})")
    rebalance.add_argument("--execute", action="store_true", help="send the orders")
    rebalance.add_argument("--live", action="store_true", help="Alpaca's live account")
    rebalance.add_argument("--yes", action="store_true", help="skip the --live confirmation")
    rebalance.add_argument("--format", choices=("table", "json"), default="table")

    ledger = command("ledger", _ledger, "read the ledger: today's used notional, or fills")
    ledger.add_argument("what", choices=("used", "fills"))
    ledger.add_argument("--day", help="New York trading day, YYYY-MM-DD (default: today)")
    ledger.add_argument("--account", required=True, help="the account id")
    ledger.add_argument("--ledger", help=f"ledger URL (default {default_ledger_url()})")
    return parser


def _planning_arguments(parser: _Parser) -> None:
    parser.add_argument("file", help="path to the document, or - for standard input")
    parser.add_argument("--targets", help="JSON or CSV (symbol,weight) file replacing targets")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--json", action="store_const", const="json", dest="format",
                        help="the same as --format json")  # fmt: skip


# -- reading files ----------------------------------------------------------------------


def _read(path: str) -> tuple[str, str]:
    """(the name to show, the text) of a file, or of standard input for ``-``."""
    if path == "-":
        name, data = "<stdin>", sys.stdin.buffer.read()
    else:
        name = path
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CliError(f"cannot read {path}: {error.strerror}") from None
    return name, _parsed(name, lambda: decode_text(data))


def _parsed(name: str, parse: Callable[[], _T]) -> _T:
    """`parse()`, with any input error reported as one line naming the file."""
    try:
        return parse()
    except AlchemiserError as error:
        raise CliError(f"{name}: {error}") from None


def _from_file(path: str, parse: Callable[[str], _T]) -> _T:
    name, text = _read(path)
    return _parsed(name, lambda: parse(text))


def _targets(path: str) -> TargetAllocation:
    """A targets file: CSV if it is named ``.csv`` or does not start as a JSON object."""
    name, text = _read(path)
    is_csv = path.lower().endswith(".csv") or not text.lstrip().startswith("{")
    return _parsed(name, lambda: (targets_from_csv if is_csv else targets_from_json)(text))


def _document(args: argparse.Namespace) -> PlanningInputs:
    snapshot, targets, config = _from_file(args.file, inputs_from_json)
    if args.targets:
        targets = _targets(args.targets)
    return snapshot, targets, config


def _planned(source: str, inputs: PlanningInputs) -> RebalancePlan:
    return _parsed(source, lambda: plan_rebalance(*inputs))


# -- the commands -----------------------------------------------------------------------


def _plan(args: argparse.Namespace, console: Console) -> int:
    plan = _planned(args.file, _document(args))
    _show(console, args.format, plan_table(plan), plan.to_json())
    return 0


def _check(args: argparse.Namespace, console: Console) -> int:
    plan = _planned(args.file, _document(args))
    limits = _from_file(args.limits, limits_from_json)
    check = _parsed("--used", lambda: check_limits(plan, limits, args.used))
    _show(console, args.format, limits_table(check), json.dumps(_check_document(check)))
    return 0 if check.allowed else EXIT_FAILED


def _demo(args: argparse.Namespace, console: Console) -> int:
    account, targets, config = inputs_from_json(_demo_text())
    broker = _paper_broker(account)
    url = args.ledger or f"sqlite:///{Path(tempfile.mkdtemp(prefix='alchemiser-demo-'))}/ledger.db"
    console.print(f"Paper account {account.account_id!r}, ledger {url}")
    status = _run_rebalance(
        console, broker, url, (targets, config, RiskLimits()), execute=True, policy=_DEMO_POLICY
    )
    console.print(
        f"The fills, again: alchemiser ledger fills --account {account.account_id} --ledger {url}"
    )
    return status


#: The demo's orders work in seconds: one-second ladder steps, quick polls.
_DEMO_POLICY = ExecutionPolicy(
    ladder=ExecutionLadder(wait_per_step=timedelta(seconds=1)),
    poll_interval=timedelta(milliseconds=200),
    final_wait=timedelta(seconds=3),
    cancel_wait=timedelta(seconds=2),
)


def _paper_broker(account: AccountSnapshot) -> PaperBroker:
    # Orders rest for a poll or two and some fill in parts, so the run shows some work.
    return PaperBroker(
        cash=account.cash,
        quotes=account.prices,
        positions=account.positions,
        rules=account.rules,
        account_id=account.account_id,
        fills=PaperFills(seed=7, fill_after_polls=2, partial_fill_probability=0.3),
    )


def _rebalance(args: argparse.Namespace, console: Console) -> int:
    targets = _targets(args.targets)
    config = _from_file(args.config, config_from_json) if args.config else RebalanceConfig()
    limits = _from_file(args.limits, limits_from_json) if args.limits else RiskLimits()
    if args.broker == "paper":
        if args.live:
            raise CliError("--live needs --broker alpaca: a paper broker has no live account")
        account = (
            _from_file(args.account, snapshot_from_json)
            if args.account
            else inputs_from_json(_demo_text())[0]
        )
        broker: Broker = _paper_broker(account)
    else:
        broker = _alpaca_broker(live=args.live)
    if args.execute and args.live and not args.yes:
        _confirm_live(console)
    return _run_rebalance(
        console,
        broker,
        args.ledger or default_ledger_url(),
        (targets, config, limits),
        execute=args.execute,
        output=args.format,
    )


def _demo_text() -> str:
    return resources.files("alchemiser_adapters.examples").joinpath(DEMO_RESOURCE).read_text()


def _alpaca_broker(*, live: bool) -> Broker:
    try:
        from alchemiser_adapters.brokers.alpaca import AlpacaBroker
    except ImportError:  # pragma: no cover - the alpaca extra is not installed
        raise CliError(
            "--broker alpaca needs alpaca-py: pip install 'alchemiser[alpaca]'"
        ) from None
    base_url = os.environ.get("APCA_API_BASE_URL") or None
    data_url = os.environ.get("APCA_API_DATA_URL") or None
    try:
        return AlpacaBroker(paper=not live, base_url=base_url, data_url=data_url)
    except AlchemiserError as error:
        raise CliError(str(error)) from None


def _confirm_live(console: Console) -> None:
    if not sys.stdin.isatty():
        raise CliError("--live --execute sends real orders: confirm at a terminal, or add --yes")
    console.print("[bold red]This sends real orders to your LIVE Alpaca account.[/]")
    answer = console.input("Type 'live' to go on: ")
    if answer.strip() != "live":
        raise CliError("not confirmed: nothing was sent", EXIT_FAILED)


def _run_rebalance(
    console: Console,
    broker: Broker,
    ledger_url: str,
    wanted: tuple[TargetAllocation, RebalanceConfig, RiskLimits],
    *,
    execute: bool,
    output: str = "table",
    policy: ExecutionPolicy | None = None,
) -> int:
    targets, config, limits = wanted
    ledger = _parsed("--ledger", lambda: open_ledger(ledger_url))
    try:
        account = broker.snapshot(targets.weights.keys())
        plan = _parsed("targets", lambda: plan_rebalance(account, targets, config))
        used = ledger.used(plan.account_id, trading_day(datetime.now(UTC)))
        check = check_limits(plan, limits, used)
        if not execute:
            _show(console, output, Group(plan_table(plan), limits_table(check)), plan.to_json())
            if output == "table":
                console.print("Dry run: nothing was sent. Add --execute to send these orders.")
            return 0 if check.allowed else EXIT_FAILED
        if output == "table":
            console.print(plan_table(plan), limits_table(check))
        # With --format json, standard output carries the report's JSON alone.
        progress = console if output == "table" else Console(stderr=True, highlight=False)
        report = _execute(progress, plan, broker, ledger, limits, policy)
    finally:
        ledger.close()
    if output == "table":
        console.print(report_table(report))
    else:
        print(json.dumps(_report_document(report)))
    return 0 if report.status is ExecutionStatus.COMPLETED else EXIT_FAILED


def _execute(
    console: Console,
    plan: RebalancePlan,
    broker: Broker,
    ledger: Ledger,
    limits: RiskLimits,
    policy: ExecutionPolicy | None,
) -> ExecutionReport:
    try:
        with ExecutionProgress(plan, console):
            return execute_plan(plan, broker, ledger, limits=limits, execution=policy)
    except KeyboardInterrupt:
        raise CliError(
            f"stopped by Ctrl-C during plan {plan.plan_id}. Every order sent is in the ledger;"
            " run the same command again to resume it (orders already sent are looked up,"
            " never sent twice).",
            EXIT_INTERRUPTED,
        ) from None


def _ledger(args: argparse.Namespace, console: Console) -> int:
    day = _parsed("--day", lambda: _day(args.day))
    ledger = _parsed("--ledger", lambda: open_ledger(args.ledger or default_ledger_url()))
    try:
        if args.what == "used":
            print(ledger.used(args.account, day))
            return 0
        fills = ledger.fills(args.account, day=day)
        console.print(fills_table(fills, f"Fills of {args.account} on {day}"))
        return 0
    finally:
        ledger.close()


def _day(text: str | None) -> date:
    if text is None:
        return trading_day(datetime.now(UTC))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--day: expected a date YYYY-MM-DD, got {text!r}") from None


# -- output -----------------------------------------------------------------------------


def _show(console: Console, output: str, table: RenderableType, document: str) -> None:
    if output == "json":
        print(document)
    else:
        console.print(table)


def _check_document(check: LimitCheck) -> dict[str, object]:
    return {
        "allowed": check.allowed,
        "proposed": str(check.proposed),
        "used": str(check.used),
        "limit": str(check.limit),
        "headroom": str(check.headroom),
        "would_exceed_by": str(check.would_exceed_by),
        "violations": [
            {
                "reason": v.reason.value,
                "value": str(v.value),
                "limit": str(v.limit),
                "symbol": v.symbol,
                "side": v.side.value if v.side else None,
                "client_order_id": v.client_order_id,
                "detail": v.detail,
            }
            for v in check.violations
        ],
    }


def _report_document(report: ExecutionReport) -> dict[str, object]:
    return {
        "status": report.status.value,
        "account_id": report.account_id,
        "plan_id": report.plan_id,
        "executed_plan_id": report.executed_plan_id,
        "sold_notional": str(report.sold_notional),
        "bought_notional": str(report.bought_notional),
        "detail": report.detail,
        "orders": [
            {
                "client_order_id": o.client_order_id,
                "symbol": o.symbol,
                "side": o.side.value,
                "requested_qty": str(o.requested_qty),
                "filled_qty": str(o.filled_qty),
                "average_price": None if o.average_price is None else str(o.average_price),
                "outcome": o.outcome.value,
                "reason": o.reason,
            }
            for o in report.orders
        ],
    }


if __name__ == "__main__":
    sys.exit(main())
