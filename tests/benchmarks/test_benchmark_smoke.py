"""The benchmark command runs end to end at tiny N (no timing is asserted anywhere).

The peers (PyPortfolioOpt, cvxpy + HiGHS) come with the `bench` extra, which the
README's test command (`.[dev]`) does not install: without them the peer checks skip
with the reason. `.ci/run` installs the extra and sets ALCHEMISER_REQUIRE_BENCH=1,
under which a missing peer is a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from alchemiser_core import TargetAllocation, plan_rebalance
from benchmarks import instructions
from benchmarks import rebalance as bench

ROOT = Path(__file__).resolve().parents[2]
PEERS_MISSING = bench.peers_available()


def _require_peers() -> None:
    if PEERS_MISSING is None:
        return
    if os.environ.get("ALCHEMISER_REQUIRE_BENCH") == "1":
        pytest.fail(f"benchmark peers missing, and ALCHEMISER_REQUIRE_BENCH=1: {PEERS_MISSING}")
    pytest.skip(f"benchmark peers missing (pip install -e '.[bench]'): {PEERS_MISSING}")


def test_benchmark_command_prints_a_row_per_method_and_case() -> None:
    args = ["--sizes", "4,6", "--repeats", "1", "--peer-repeats", "1"]
    if PEERS_MISSING is not None:
        args.append("--no-peers")

    result = subprocess.run(  # noqa: S603 (our own interpreter and module, fixed args)
        [sys.executable, "-m", "benchmarks.rebalance", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    methods = ["baseline", "floor", "output", "optimal"]
    if PEERS_MISSING is None:
        methods += ["greedy", "lp", "mip-l1"]
    for n in (4, 6):
        for start in bench.STARTS:
            for method in methods:
                assert f"| {n} | {start} | {method} |" in result.stdout


def test_seeded_cases_are_reproducible_and_invest_the_stated_value() -> None:
    first = bench.make_case(6, "holdings")
    again = bench.make_case(6, "holdings")

    assert first == again
    # cash + Σ qty x price is the portfolio value: $1M below 500 symbols.
    assert first.snapshot().equity == Decimal(1_000_000)
    assert sum(first.weights.weights.values(), Decimal(0)) == 1


def test_l1_error_of_a_hand_worked_allocation() -> None:
    case = bench.Case(
        n=2,
        start="cash",
        value=Decimal(1000),
        weights=TargetAllocation({"A": "0.6", "B": "0.4"}),
        prices={"A": Decimal(100), "B": Decimal(30)},
        positions={},
        cash=Decimal(1000),
    )

    error_bps, leftover = bench.l1_bps_and_leftover(case, {"A": Decimal(5), "B": Decimal(14)})

    # Targets 600 and 400; held 500 and 420: |600-500| + |400-420| = 120 = 1,200 bps of 1,000.
    assert error_bps == pytest.approx(1200)
    assert leftover == 1000 - 500 - 420


@pytest.mark.parametrize("n", [5, 10, 25])
@pytest.mark.parametrize("start", bench.STARTS)
def test_optimal_mode_is_within_one_percent_of_the_mixed_integer_optimum(
    n: int, start: str
) -> None:
    _require_peers()
    case = bench.make_case(n, start)
    plan = plan_rebalance(case.snapshot(), case.weights, bench.OPTIMAL)
    floor_plan = plan_rebalance(case.snapshot(), case.weights, bench.FLOOR)

    ours, _ = bench.l1_bps_and_leftover(case, bench.final_quantities_of_plan(case, plan))
    floor, _ = bench.l1_bps_and_leftover(case, bench.final_quantities_of_plan(case, floor_plan))
    mip, _ = bench.l1_bps_and_leftover(case, bench.integer_quantities(bench.mip_l1(case)))
    greedy, _ = bench.l1_bps_and_leftover(
        case, bench.integer_quantities(bench.pypfopt_allocation(case, "greedy"))
    )

    assert ours <= floor
    assert ours <= greedy
    assert ours <= mip * 1.01


def test_output_reference_rebuilds_exactly_the_floor_plan_it_times() -> None:
    case = bench.make_case(6, "holdings")
    plan = plan_rebalance(case.snapshot(), case.weights, bench.FLOOR)

    rebuilt = bench.output_of(plan)()

    assert rebuilt == plan
    assert rebuilt.to_json() == plan.to_json()


def test_instruction_counter_refuses_an_unknown_method_before_running_anything() -> None:
    with pytest.raises(SystemExit, match=r"unknown methods \['bogus'\]"):
        instructions.main(["--methods", "floor,bogus"])
