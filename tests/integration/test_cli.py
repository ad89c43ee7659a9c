"""The installed `alchemiser` console script, run as a user runs it: in a subprocess.

Every input defect exits 2 with exactly one line on standard error, naming the file,
the field and the value, and no traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alchemiser_adapters.files import CONFIG_KEYS, RULES_KEYS, SNAPSHOT_KEYS
from alchemiser_core import RebalancePlan, __version__

SCRIPT = Path(sys.executable).with_name("alchemiser")
AS_OF = "2026-11-26T15:30:00+00:00"
pytestmark = pytest.mark.skipif(
    not SCRIPT.exists(), reason=f"the console script is not installed beside {sys.executable}"
)


def _run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    raw = subprocess.run(  # noqa: S603 - the project's own console script
        [str(SCRIPT), *args], input=stdin, capture_output=True, check=False, timeout=60
    )
    return subprocess.CompletedProcess(
        raw.args, raw.returncode, raw.stdout.decode(), raw.stderr.decode()
    )


def _document(**sections: object) -> dict[str, object]:
    document: dict[str, object] = {
        "snapshot": {
            "cash": "10000",
            "as_of": AS_OF,
            "positions": {"AAPL": "10"},
            "prices": {"AAPL": "150", "MSFT": "400"},
        },
        "targets": {"AAPL": "0.5", "MSFT": "0.5"},
    }
    document.update(sections)
    return document


def _write(tmp_path: Path, content: bytes | dict[str, object]) -> Path:
    path = tmp_path / "input.json"
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def test_a_document_plans_and_its_json_reads_back(tmp_path: Path) -> None:
    path = _write(tmp_path, _document())

    result = _run("plan", str(path), "--json")

    assert (result.returncode, result.stderr) == (0, "")
    plan = RebalancePlan.from_json(result.stdout)
    # E = 10,000 + 1,500 = 11,500; R = 115; T = 0.5 x 11,385 = 5,692.5 each.
    # AAPL: floor((5,692.5 - 1,500) / 150) = 27; MSFT: floor(5,692.5 / 400) = 14.
    assert [(o.symbol, o.qty) for o in plan.orders] == [("MSFT", 14), ("AAPL", 27)]


def _misspelled_positions() -> dict[str, object]:
    document = _document()
    snapshot = dict(document["snapshot"])  # type: ignore[call-overload]
    snapshot["position"] = snapshot.pop("positions")
    return _document(snapshot=snapshot)


BAD_INPUTS: dict[str, tuple[bytes | dict[str, object], str]] = {
    "misspelled positions": (
        _misspelled_positions(),
        "snapshot: expected only the keys account_id, as_of, cash, positions, prices, rules"
        " (did you mean 'positions'?), got 'position'",
    ),
    "unknown top-level key": (
        _document(targetz={}),
        "document: expected only the keys config, snapshot, targets (did you mean 'targets'?),"
        " got 'targetz'",
    ),
    "unknown config key": (
        _document(config={"reserve": "0.01"}),
        "config: expected only the keys cash_reserve_pct,",
    ),
    "unknown drift band key": (
        _document(config={"drift_band": {"abs": "0.01"}}),
        "config.drift_band: expected only the keys absolute, relative",
    ),
    "bad config value": (
        _document(config={"cash_reserve_pct": "lots"}),
        "config.cash_reserve_pct: expected a numeric string, got 'lots'",
    ),
    "missing targets": (
        {"snapshot": {"cash": "1", "as_of": AS_OF}},
        "document: expected a 'targets' key (it is required)",
    ),
    "not UTF-8": (b'{"snapshot": "\xff"}', "document: expected UTF-8 text (byte 0xff at offset"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "document: expected JSON nested to a sane"),
    "NaN constant": (b'{"snapshot": {"cash": NaN}}', "document: expected JSON numbers"),
    "not JSON": (b"{snapshot", "document: expected JSON (Expecting property name"),
    "weight over 1": (
        _document(targets={"AAPL": 1.5}),
        "targets.weights['AAPL']: expected a number <= 1, got Decimal('1.5')",
    ),
}


@pytest.mark.parametrize(("content", "expected"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_every_input_defect_exits_2_with_one_line_naming_file_field_and_value(
    tmp_path: Path, content: bytes | dict[str, object], expected: str
) -> None:
    path = _write(tmp_path, content)

    result = _run("plan", str(path))

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"alchemiser: {path}: {expected}"), lines[0]


def test_standard_input_is_read_as_bytes_and_named() -> None:
    result = _run("plan", "-", stdin=b"\xfe")

    assert result.returncode == 2
    assert result.stderr.startswith("alchemiser: <stdin>: document: expected UTF-8 text")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("plan",), "alchemiser plan: the following arguments are required: file"),
        (("trade",), "alchemiser: argument command: invalid choice: 'trade'"),
        (("plan", "/nonexistent/plan.json"), "alchemiser: cannot read /nonexistent/plan.json"),
    ],
)
def test_usage_and_file_errors_are_one_line_too(args: tuple[str, ...], expected: str) -> None:
    result = _run(*args)

    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(expected)


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # A plan of 3,000 symbols prints far more than a pipe buffer (64 KiB) holds, so the
    # write fails once the reader has gone, as with `alchemiser plan big.json | head -1`.
    symbols = [f"S{a}{b}{c}" for a in "ABCDEFGHIJKLMNO" for b in "ABCDEFGHIJ" for c in "ABCDEFGHIJ"]
    weight = "0.0003"  # x 3,000 = 0.9
    document = _document(
        snapshot={"cash": "10000000", "as_of": AS_OF, "prices": dict.fromkeys(symbols, "10")},
        targets=dict.fromkeys(symbols, weight),
    )
    path = _write(tmp_path, document)

    with subprocess.Popen(  # noqa: S603 - the project's own console script
        [str(SCRIPT), "plan", str(path), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.read(100)
        process.stdout.close()
        stderr = process.stderr.read()
        returncode = process.wait(timeout=60)

    assert first.startswith(b'{"account_id"')
    assert (returncode, stderr) == (0, b"")


def test_version_is_the_package_version() -> None:
    result = _run("--version")

    assert (result.returncode, result.stdout.strip()) == (0, f"alchemiser {__version__}")


def test_help_documents_the_input_format_and_every_key() -> None:
    result = _run("plan", "--help")

    assert result.returncode == 0
    for key in (*SNAPSHOT_KEYS, *RULES_KEYS, *CONFIG_KEYS, "targets"):
        assert key in result.stdout
