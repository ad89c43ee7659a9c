"""The `alchemiser` command: plan a rebalance and print it.

alchemiser demo            # plan the bundled example portfolio
alchemiser demo --json     # ... and print the plan as JSON
alchemiser plan FILE       # plan a snapshot/targets/config document (- reads stdin)

Exit status: 0 planned, 2 bad input (one line on standard error, naming the file,
the field and the value). Output cut short by a closed pipe (`| head`) ends quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import resources
from typing import NoReturn

from alchemiser_adapters.files import (
    CONFIG_KEYS,
    RULES_KEYS,
    SNAPSHOT_KEYS,
    decode_text,
    inputs_from_json,
)
from alchemiser_core import AlchemiserError, RebalancePlan, __version__, plan_rebalance

DEMO_RESOURCE = "demo_portfolio.json"
EXIT_INPUT = 2

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
  Any other key is an error. See docs/cli.md.
"""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line too, like every other input defect."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_INPUT, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 for bad input)."""
    try:
        return _run(argv)
    except BrokenPipeError:
        # The reader went away (`alchemiser demo | head`): nothing left to say. Point
        # stdout at /dev/null so the interpreter's final flush does not complain.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(argv: Sequence[str] | None) -> int:
    parser = _Parser(
        prog="alchemiser",
        description=__doc__.splitlines()[0],
        epilog=INPUT_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    demo = commands.add_parser("demo", help="plan the bundled example portfolio")
    demo.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan = commands.add_parser(
        "plan",
        help="plan a JSON document of snapshot, targets, config",
        epilog=INPUT_FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    plan.add_argument("file", help="path to the document, or - for standard input")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    args = parser.parse_args(argv)

    if args.command == "demo":
        source = "demo"
        data = resources.files("alchemiser_adapters.examples").joinpath(DEMO_RESOURCE).read_bytes()
    elif args.file == "-":
        source = "<stdin>"
        data = sys.stdin.buffer.read()
    else:
        source = args.file
        try:
            with open(args.file, "rb") as handle:
                data = handle.read()
        except OSError as error:
            return _input_error(f"cannot read {args.file}: {error.strerror}")
    try:
        snapshot, targets, config = inputs_from_json(decode_text(data))
        result = plan_rebalance(snapshot, targets, config)
    except AlchemiserError as error:
        return _input_error(f"{source}: {error}")
    print(result.to_json() if args.json else _describe(result))
    sys.stdout.flush()  # a closed pipe shows here, inside main's handler
    return 0


def _input_error(message: str) -> int:
    # One line, whatever the value held: a newline inside a repr would split it.
    print(f"alchemiser: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_INPUT


def _describe(plan: RebalancePlan) -> str:
    lines = [repr(plan), ""]
    lines.append(f"equity {plan.equity}, reserve kept {plan.reserve}, cash after {plan.cash_after}")
    for order in plan.orders:
        lines.append(f"  {order.client_order_id}  {order.side.value:<4} {order.symbol}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
