"""`python -m benchmarks.ledger` runs end to end on a tiny budget (no speed is asserted)."""

from __future__ import annotations

import re

import pytest

from benchmarks import ledger as bench


def test_the_ledger_benchmark_prints_a_row_per_store_and_process_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bench.main(["--seconds", "0.2", "--processes", "1,2", "--stores", "sqlite"])

    table = capsys.readouterr().out
    rows = re.findall(r"^\| sqlite \| (\d) \| ([\d,]+) \| ([\d,]+) \| ([\d.]+) \|", table, re.M)
    assert [row[0] for row in rows] == ["1", "2"]
    assert all(int(ledger.replace(",", "")) > 0 for _, ledger, _, _ in rows)


def test_an_unknown_store_is_refused() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--stores", "oracle"])
