"""Per-module table of a mutmut run: ``mutmut results --all true | python -m tests.mutation_summary``.

Reads mutmut 3's result lines (``alchemiser_core.planning.plan.x_build__mutmut_3: killed``)
and prints, per module, how many mutants ran and were killed, survived, timed out or
had no test, and how many were not run yet, as the Markdown table docs/testing.md shows.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable

_MODULE = re.compile(r"^(?P<module>[\w.]+?)\.(?:x_|xǁ)")
_NOT_RUN = ("checked", "not checked")


def summarize(lines: Iterable[str]) -> list[str]:
    """The Markdown rows: a header, one row per module, then the total."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for line in lines:
        name, _, status = line.strip().rpartition(":")
        match = _MODULE.match(name.strip())
        if match:
            counts[match["module"].removeprefix("alchemiser_core.")][status.strip()] += 1
    rows = [
        "| module | run | killed | survived | timeout | no tests | not run | killed % |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total: Counter[str] = Counter()
    for module in sorted(counts):
        total.update(counts[module])
        rows.append(_row(module, counts[module]))
    rows.append(_row("**core**", total))
    return rows


def _row(name: str, count: Counter[str]) -> str:
    not_run = sum(count[status] for status in _NOT_RUN)
    ran = sum(count.values()) - not_run
    killed = f"{100 * count['killed'] / ran:.1f}" if ran else "-"
    return (
        f"| {name} | {ran} | {count['killed']} | {count['survived']} | {count['timeout']}"
        f" | {count['no tests']} | {not_run} | {killed} |"
    )


if __name__ == "__main__":
    print("\n".join(summarize(sys.stdin)))  # noqa: T201 - a command-line report
