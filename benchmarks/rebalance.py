"""Alchemiser's planner against the bare arithmetic and against PyPortfolioOpt.

Run from the repository root (after ``pip install -e '.[dev,bench]'``)::

    python -m benchmarks.rebalance

For each N and each start (all cash, or existing holdings) it builds one seeded
input and measures, in this one process:

* ``baseline``: a loop of ``Decimal`` floor(target / price) over the same inputs,
  the cost of the arithmetic alone;
* ``floor`` and ``optimal``: `plan_rebalance` in each rounding mode (inputs built
  beforehand, as a bot holds them; building them is reported separately);
* ``output``: rebuilding the floor plan from its already-sized legs: its
  `OrderIntent`s and `SkippedLeg`s, client ids and content-hash id, with no sizing.
  Not a method but a reference: the part of ``floor`` that the plan's contract
  (one frozen object per leg, a content-hash id) costs whatever the planner does;
* ``greedy`` and ``lp``: PyPortfolioOpt's ``greedy_portfolio`` and ``lp_portfolio``
  (HiGHS, N <= --lp-max) on the same weights, prices and total value;
* ``mip-l1``: the true L1 optimum, min Σ|T_i - p_i x_i| s.t. Σ p_i x_i <= value,
  x integer >= 0, solved by HiGHS through cvxpy (N <= --mip-max), a stricter
  reference than ``lp``, whose objective is 2 x under-allocation, not L1.

Times are medians of --repeats runs; Alchemiser's runs of one case take turns, one
of each per round, so a drifting machine slows them alike. Ratios compare runs in
the same process, so they mean the same on a fast or a slow machine; absolute
times do not. L1 is
Σ_i |w_i x value - p_i x q_i| over the final quantities q, in basis points of the
portfolio value; leftover is the cash not invested. Peak memory is tracemalloc's
peak while planning (the inputs already exist).

Nothing here asserts a time: the numbers are printed (and, with --markdown,
written as the table in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import os
import platform
import random
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path
from typing import Any

from alchemiser_core import (
    AccountSnapshot,
    RebalanceConfig,
    RebalancePlan,
    Side,
    TargetAllocation,
    plan_rebalance,
)
from alchemiser_core.numeric import ZERO, exact_context
from alchemiser_core.planning.orders import SkippedLeg
from alchemiser_core.planning.plan import PlanBasis, skipped_order

SIZES = (10, 100, 500, 2_000, 5_000)
STARTS = ("cash", "holdings")
SEED = 20261126
AS_OF = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
# The peers invest the whole value, so Alchemiser is run without reserve or minimum.
FLOOR = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="floor")
OPTIMAL = RebalanceConfig(cash_reserve_pct=0, min_trade_notional=0, rounding="optimal")
BPS = Decimal(10_000)
MODES = (("floor", FLOOR), ("optimal", OPTIMAL))


@dataclass(frozen=True)
class Case:
    """One seeded input: targets, prices, and the account before the rebalance."""

    n: int
    start: str
    value: Decimal
    weights: TargetAllocation
    prices: dict[str, Decimal]
    positions: dict[str, Decimal]
    cash: Decimal

    def snapshot(self) -> AccountSnapshot:
        return AccountSnapshot(
            cash=self.cash, positions=self.positions, prices=self.prices, as_of=AS_OF
        )


def make_case(n: int, start: str, seed: int = SEED) -> Case:
    """Random weights, prices $1-$2,000 in cents; $1M below 500 symbols, else $10M.

    From holdings, a random 80% of the symbols are held at a second random weight
    vector (95% invested) and the rest of the value is cash.
    """
    rng = random.Random(f"{seed}-{n}-{start}")
    value = Decimal(1_000_000 if n < 500 else 10_000_000)
    symbols = [f"S{i:05d}" for i in range(n)]
    # Raw weights k x 1e-12 (Σ < 1, as TargetAllocation requires), then scaled to sum to 1.
    raw = {symbol: Decimal(rng.randint(1, 1_000_000)).scaleb(-12) for symbol in symbols}
    weights = TargetAllocation(raw).normalized()
    prices = {symbol: Decimal(rng.randint(100, 200_000)) / 100 for symbol in symbols}
    positions: dict[str, Decimal] = {}
    cash = value
    if start == "holdings":
        held = [symbol for symbol in symbols if rng.random() < 0.8] or symbols[:1]
        held_raw = {symbol: rng.random() for symbol in held}
        total_raw = sum(held_raw.values())
        budget = value * Decimal("0.95")
        with localcontext(exact_context()):
            for symbol in held:
                share = Decimal(repr(held_raw[symbol] / total_raw))
                qty = (share * budget) // prices[symbol]
                if qty:
                    positions[symbol] = qty
                    cash -= qty * prices[symbol]
    return Case(n, start, value, weights, prices, positions, cash)


# -- measurements ---------------------------------------------------------------------


def baseline(case: Case) -> list[Decimal]:
    """The bare arithmetic: floor(target / price), target = w x value, default context."""
    value = case.value
    prices = case.prices
    return [
        (weight * value / prices[symbol]).to_integral_value(ROUND_FLOOR)
        for symbol, weight in case.weights.weights.items()
    ]


def final_quantities_of_plan(case: Case, plan: RebalancePlan) -> dict[str, Decimal]:
    quantities = dict(case.positions)
    with localcontext(exact_context()):
        for order in plan.orders:
            signed = order.qty if order.side is Side.BUY else -order.qty
            quantities[order.symbol] = quantities.get(order.symbol, ZERO) + signed
    return quantities


def l1_bps_and_leftover(case: Case, quantities: Mapping[str, Decimal]) -> tuple[float, Decimal]:
    """(Σ |target - achieved| in bps of value, cash left) for final quantities."""
    with localcontext(exact_context()):
        weights = case.weights.weights
        error = ZERO
        invested = ZERO
        for symbol in set(weights).union(quantities):
            held_value = quantities.get(symbol, ZERO) * case.prices[symbol]
            invested += held_value
            error += abs(weights.get(symbol, ZERO) * case.value - held_value)
        leftover = case.value - invested
    return float(error * BPS / case.value), leftover


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of `run`, garbage collector off while timing (as `timeit` does).

    Otherwise a collection that the peers' large imports make slow lands at random
    in whichever run allocates most.
    """
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
    return statistics.median(times)


def peak_mib(run: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak / 2**20


@dataclass
class Row:
    """What one method achieved on one case."""

    method: str
    seconds: float
    l1_bps: float | None = None
    leftover: Decimal | None = None
    peak_mib: float | None = None
    note: str = ""


@dataclass
class CaseResult:
    case: Case
    rows: dict[str, Row] = field(default_factory=dict)
    inputs_seconds: float = 0.0


def run_alchemiser(case: Case, repeats: int, result: CaseResult) -> None:
    snapshot = case.snapshot()
    targets = case.weights
    plans = {name: plan_rebalance(snapshot, targets, config) for name, config in MODES}
    runs: dict[str, Callable[[], object]] = {
        "baseline": lambda: baseline(case),
        "floor": functools.partial(plan_rebalance, snapshot, targets, FLOOR),
        "output": output_of(plans["floor"]),
        "optimal": functools.partial(plan_rebalance, snapshot, targets, OPTIMAL),
        "inputs": lambda: (case.snapshot(), TargetAllocation(case.weights.weights)),
    }
    seconds = median_seconds_each(runs, repeats)
    result.inputs_seconds = seconds["inputs"]
    result.rows["baseline"] = Row("baseline", seconds["baseline"])
    for name, _ in MODES:
        l1, leftover = l1_bps_and_leftover(case, final_quantities_of_plan(case, plans[name]))
        memory = peak_mib(runs[name])
        result.rows[name] = Row(name, seconds[name], l1, leftover, memory)
        if name == "floor":
            result.rows["output"] = Row("output", seconds["output"])


def median_seconds_each(runs: Mapping[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """`median_seconds` of each run, taken in turns (one of each per round).

    Taking turns puts every run through the same drift of a shared machine, so the
    ratios between them hold better than when each is timed in its own block.
    """
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            times[name].append(median_seconds(run, 1))
    return {name: statistics.median(values) for name, values in times.items()}


def output_of(plan: RebalancePlan) -> Callable[[], RebalancePlan]:
    """A run that rebuilds `plan` from its sized legs, as the planner's last steps do.

    It makes each skipped leg, sorts them, and calls the planner's own `RebalancePlan._from_legs`
    (OrderIntents, client ids, content hash, totals). It checks once that the
    rebuilt plan equals `plan`, so it times the same output.
    """
    legs = [order.to_leg() for order in plan.orders]
    sells = [leg for leg in legs if leg.side is Side.SELL]
    buys = [leg for leg in legs if leg.side is Side.BUY]
    basis = PlanBasis(plan.account_id, plan.as_of, plan.cash_before, plan.reserve, plan.equity)
    skipped_fields = [
        (leg.symbol, leg.side, leg.reason, leg.detail, leg.qty, leg.notional)
        for leg in plan.skipped
    ]

    def rebuild() -> RebalancePlan:
        skipped = [SkippedLeg._checked(*fields) for fields in skipped_fields]
        skipped.sort(key=skipped_order)
        return RebalancePlan._from_legs(basis, sells, buys, skipped)

    if rebuild() != plan:
        raise AssertionError("the output reference does not rebuild the plan it times")
    return rebuild


# -- peers ------------------------------------------------------------------------------


def peers_available() -> str | None:
    """None if PyPortfolioOpt, cvxpy and HiGHS import, else why not."""
    try:
        import cvxpy
        import pandas  # noqa: F401
        import pypfopt  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (pip install -e '.[bench]')"
    if "HIGHS" not in cvxpy.installed_solvers():
        return "cvxpy has no HiGHS solver (pip install highspy)"
    return None


def _peer_inputs(case: Case) -> tuple[dict[str, float], Any, float]:
    import pandas as pd

    # Same order for weights and prices: PyPortfolioOpt 1.5/1.6's lp_portfolio
    # mislabels tickers when they differ.
    symbols = list(case.weights.weights)
    weights = {symbol: float(case.weights.weights[symbol]) for symbol in symbols}
    prices = pd.Series([float(case.prices[symbol]) for symbol in symbols], index=symbols)
    return weights, prices, float(case.value)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence Python and C-level stdout (HiGHS prints a banner from C)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def pypfopt_allocation(case: Case, method: str) -> dict[str, int]:
    from pypfopt.discrete_allocation import DiscreteAllocation

    weights, prices, value = _peer_inputs(case)
    allocation = DiscreteAllocation(weights, prices, total_portfolio_value=value)
    with _quiet():
        if method == "greedy":
            shares, _ = allocation.greedy_portfolio()
        else:
            shares, _ = allocation.lp_portfolio(solver="HIGHS")
    return {str(symbol): int(count) for symbol, count in shares.items()}


def mip_l1(case: Case) -> dict[str, int]:
    import cvxpy as cp
    import numpy as np

    symbols = list(case.weights.weights)
    prices = np.array([float(case.prices[symbol]) for symbol in symbols])
    targets = np.array([float(case.weights.weights[symbol] * case.value) for symbol in symbols])
    shares = cp.Variable(len(symbols), integer=True)
    problem = cp.Problem(
        cp.Minimize(cp.sum(cp.abs(targets - cp.multiply(shares, prices)))),
        [shares >= 0, prices @ shares <= float(case.value)],
    )
    with _quiet():
        problem.solve(solver="HIGHS")
    values = np.rint(shares.value).astype(int)
    return {symbol: int(count) for symbol, count in zip(symbols, values, strict=True) if count}


def integer_quantities(shares: Mapping[str, int]) -> dict[str, Decimal]:
    return {symbol: Decimal(count) for symbol, count in shares.items()}


def run_peers(case: Case, repeats: int, lp_max: int, mip_max: int, result: CaseResult) -> None:
    peer_runs: list[tuple[str, Callable[[], dict[str, int]]]] = [
        ("greedy", lambda: pypfopt_allocation(case, "greedy"))
    ]
    if case.n <= lp_max:
        peer_runs.append(("lp", lambda: pypfopt_allocation(case, "lp")))
    if case.n <= mip_max:
        peer_runs.append(("mip-l1", lambda: mip_l1(case)))
    for name, run in peer_runs:
        shares = run()
        quantities = integer_quantities(shares)
        # The peers allocate the whole value from nothing; from holdings their
        # allocation is compared as the final state it would reach.
        l1, leftover = l1_bps_and_leftover(case, quantities)
        result.rows[name] = Row(name, median_seconds(run, repeats), l1, leftover)


# -- report -------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def _ratio(numerator: Row | None, denominator: Row | None) -> str:
    if numerator is None or denominator is None or not denominator.seconds:
        return "-"
    return f"{numerator.seconds / denominator.seconds:.1f}x"


def table(results: list[CaseResult]) -> str:
    lines = [
        "| N | start | method | median ms | vs baseline | L1 bps | leftover $ | peak MiB |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        base = result.rows.get("baseline")
        for row in result.rows.values():
            lines.append(
                f"| {result.case.n:,} | {result.case.start} | {row.method} | {_ms(row.seconds)}"
                f" | {_ratio(row, base)}"
                f" | {'-' if row.l1_bps is None else f'{row.l1_bps:.2f}'}"
                f" | {'-' if row.leftover is None else f'{row.leftover:,.2f}'}"
                f" | {'-' if row.peak_mib is None else f'{row.peak_mib:.2f}'} |"
            )
    lines.append("")
    lines.append(
        "| N | start | inputs ms | floor / baseline | output / baseline | greedy / floor"
        " | optimal / baseline"
        " | lp / optimal | mip-l1 / optimal | optimal L1 / lp L1 | optimal L1 / mip-l1 L1"
        " | optimal L1 / greedy L1 |"
    )
    lines.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for result in results:
        rows = result.rows
        lines.append(
            f"| {result.case.n:,} | {result.case.start} | {_ms(result.inputs_seconds)}"
            f" | {_ratio(rows.get('floor'), rows.get('baseline'))}"
            f" | {_ratio(rows.get('output'), rows.get('baseline'))}"
            f" | {_ratio(rows.get('greedy'), rows.get('floor'))}"
            f" | {_ratio(rows.get('optimal'), rows.get('baseline'))}"
            f" | {_ratio(rows.get('lp'), rows.get('optimal'))}"
            f" | {_ratio(rows.get('mip-l1'), rows.get('optimal'))}"
            f" | {_error_ratio(rows.get('optimal'), rows.get('lp'))}"
            f" | {_error_ratio(rows.get('optimal'), rows.get('mip-l1'))}"
            f" | {_error_ratio(rows.get('optimal'), rows.get('greedy'))} |"
        )
    return "\n".join(lines)


def _error_ratio(ours: Row | None, theirs: Row | None) -> str:
    if ours is None or theirs is None or ours.l1_bps is None or theirs.l1_bps is None:
        return "-"
    if not theirs.l1_bps:
        return "0 vs 0" if not ours.l1_bps else "inf"
    return f"{ours.l1_bps / theirs.l1_bps:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N")
    parser.add_argument("--repeats", type=int, default=7, help="runs per median (default 7)")
    parser.add_argument("--peer-repeats", type=int, default=3, help="runs per peer median")
    parser.add_argument("--lp-max", type=int, default=500, help="largest N for PyPortfolioOpt lp")
    parser.add_argument("--mip-max", type=int, default=5_000, help="largest N for mip-l1")
    parser.add_argument("--no-peers", action="store_true", help="skip PyPortfolioOpt and HiGHS")
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        help="also write the tables between the result markers of FILE (docs/benchmarks.md)",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    missing = "skipped by --no-peers" if args.no_peers else peers_available()
    header = (
        f"python {sys.version.split()[0]} on {platform.machine()} ({os.cpu_count()} cores);"
        f" seed {SEED}; median of {args.repeats} runs ({args.peer_repeats} for peers)"
    )
    if missing:
        header += f"; peers: {missing}"
    print(header)
    # Alchemiser and the baseline first, in a process that has not yet imported the
    # peers: with pandas and cvxpy loaded the bare Decimal loop runs ~1.5x slower
    # (allocator state), which would flatter every ratio against it.
    results = [CaseResult(make_case(n, start)) for n in sizes for start in STARTS]
    for result in results:
        run_alchemiser(result.case, args.repeats, result)
        print(f"alchemiser: N={result.case.n} {result.case.start}", file=sys.stderr, flush=True)
    if not missing:
        for result in results:
            run_peers(result.case, args.peer_repeats, args.lp_max, args.mip_max, result)
            print(f"peers: N={result.case.n} {result.case.start}", file=sys.stderr, flush=True)
    report = table(results)
    print(report)
    if args.markdown:
        _write_results(Path(args.markdown), header, report)
    return 0


_START, _END = "<!-- results:start -->", "<!-- results:end -->"


def _write_results(path: Path, header: str, report: str) -> None:
    """Replace what lies between the result markers of `path`, keeping the prose."""
    text = path.read_text()
    before, _, rest = text.partition(_START)
    _, _, after = rest.partition(_END)
    if not rest:
        raise SystemExit(f"{path}: no {_START} ... {_END} markers")
    path.write_text(f"{before}{_START}\n{header}\n\n{report}\n{_END}{after}")


if __name__ == "__main__":
    sys.exit(main())
