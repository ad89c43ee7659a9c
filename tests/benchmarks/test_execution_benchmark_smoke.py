"""`python -m benchmarks.execution` runs end to end on a tiny plan (no speed is asserted)."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("alpaca", reason="alpaca-py is not installed (pip install -e '.[dev]')")

from benchmarks import execution as bench


def test_both_executors_fill_every_order_and_the_table_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench.main(["--orders", "4", "--latency", "0", "--fill-delay", "0.05"])

    table = capsys.readouterr().out
    rows = dict(re.findall(r"^\| (naive|alchemiser) \| (\d+) \|", table, re.M))
    assert rows == {"naive": "4", "alchemiser": "4"}
    assert "faster with" in table


def test_a_plan_needs_a_sell_and_a_buy() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--orders", "1"])
