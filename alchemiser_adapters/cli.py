"""The `alchemiser` command: plan a rebalance and print it.

alchemiser demo            # plan the bundled example portfolio
alchemiser demo --json     # ... and print the plan as JSON
alchemiser plan FILE       # plan a snapshot/targets/config document (see files.py)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources

from alchemiser_adapters.files import inputs_from_json
from alchemiser_core import AlchemiserError, RebalancePlan, plan_rebalance

DEMO_RESOURCE = "demo_portfolio.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code (2 for bad input)."""
    parser = argparse.ArgumentParser(prog="alchemiser", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="plan the bundled example portfolio")
    demo.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan = commands.add_parser("plan", help="plan a JSON document of snapshot, targets, config")
    plan.add_argument("file", help="path to the document, or - for standard input")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    args = parser.parse_args(argv)

    if args.command == "demo":
        text = resources.files("alchemiser_adapters.examples").joinpath(DEMO_RESOURCE).read_text()
    elif args.file == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(args.file, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            print(f"alchemiser: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 2
    try:
        snapshot, targets, config = inputs_from_json(text)
        result = plan_rebalance(snapshot, targets, config)
    except AlchemiserError as error:
        print(f"alchemiser: {error}", file=sys.stderr)
        return 2
    print(result.to_json() if args.json else _describe(result))
    return 0


def _describe(plan: RebalancePlan) -> str:
    lines = [repr(plan), ""]
    lines.append(f"equity {plan.equity}, reserve kept {plan.reserve}, cash after {plan.cash_after}")
    for order in plan.orders:
        lines.append(f"  {order.client_order_id}  {order.side.value:<4} {order.symbol}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
