"""Instructions per run, counted by valgrind: a steady measure on a noisy machine.

Wall-clock ratios on a shared two-core VM move by 10-30% from run to run;
callgrind's instruction count for the same code and inputs repeats exactly. Run
from the repository root (needs valgrind: ``apt-get install valgrind``)::

    python -m benchmarks.instructions [--sizes 5000] [--methods baseline,floor,output]

For each N and start it runs the benchmark's case under callgrind twice, once
doing nothing and once doing --runs runs of the method, with the garbage
collector off as in ``benchmarks.rebalance``, and prints the difference per run.
Instructions are not time (a cache miss or a SHA extension costs what the count
does not show), so this complements the timed table rather than replacing it.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable

from alchemiser_core import plan_rebalance
from benchmarks.rebalance import FLOOR, OPTIMAL, STARTS, baseline, make_case, output_of

METHODS = ("baseline", "floor", "output", "optimal")
_COLLECTED = re.compile(r"Collected : (\d+)")


def _method(name: str, n: int, start: str) -> Callable[[], object]:
    case = make_case(n, start)
    snapshot, targets = case.snapshot(), case.weights
    runs: dict[str, Callable[[], object]] = {
        "baseline": lambda: baseline(case),
        "floor": lambda: plan_rebalance(snapshot, targets, FLOOR),
        "output": output_of(plan_rebalance(snapshot, targets, FLOOR)),
        "optimal": lambda: plan_rebalance(snapshot, targets, OPTIMAL),
    }
    return runs[name]


def _inner(name: str, n: int, start: str, runs: int) -> None:
    """What runs under valgrind: build, warm up once, then `runs` timed-free runs."""
    run = _method(name, n, start)
    run()
    gc.collect()
    gc.disable()
    for _ in range(runs):
        run()


def _count(name: str, n: int, start: str, runs: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--inner",
        f"{name},{n},{start},{runs}",
    ]
    # A fixed hash seed: string hashing otherwise moves the count between runs.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(  # noqa: S603 (valgrind on our own interpreter and module)
        command, capture_output=True, text=True, check=True, env=environment
    )
    match = _COLLECTED.search(done.stderr)
    if match is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000", help="comma-separated N")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument("--runs", type=int, default=3, help="runs counted per method")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        name, n, start, runs = args.inner.split(",")
        _inner(name, int(n), start, int(runs))
        return 0
    methods = [name for name in args.methods.split(",") if name]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        raise SystemExit(f"unknown methods {unknown}; choose from {list(METHODS)}")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    print("| N | start | method | M instructions per run | vs baseline |")
    print("|---:|---|---|---:|---:|")
    for n in (int(size) for size in args.sizes.split(",") if size):
        for start in STARTS:
            per_run: dict[str, float] = {}
            for name in methods:
                spent = _count(name, n, start, args.runs) - _count(name, n, start, 0)
                per_run[name] = spent / args.runs
                base = per_run.get("baseline")
                ratio = f"{per_run[name] / base:.1f}x" if base else "-"
                print(f"| {n:,} | {start} | {name} | {per_run[name] / 1e6:.1f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
