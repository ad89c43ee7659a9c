"""`alchemiser_core` imports no adapter, I/O, clock, randomness, environment or logging module.

Checked statically over every module's imports (including function-level ones) and
attribute uses such as `datetime.now` and `os.environ`, and dynamically in a fresh
interpreter: importing the core must not load the adapters or the banned modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "alchemiser_core"
BANNED_ROOTS = {
    "alchemiser_adapters",
    "alpaca",
    "boto3",
    "botocore",
    "psycopg",
    "psycopg2",
    "pandas",
    "numpy",  # accepted as input (recognised by the numbers ABCs), never imported
    "requests",
    "httpx",
    "urllib",
    "socket",
    "sqlite3",
    "time",
    "random",
    "secrets",
    "os",
    "logging",
    "subprocess",
    "pathlib",
    "io",
    "shutil",
    "tempfile",
    "threading",
    "asyncio",
    "zoneinfo",
    "uuid",
}
BANNED_ATTRIBUTES = {"now", "utcnow", "today", "environ", "getenv"}
# The strategies module is for users' tests and needs Hypothesis; it is never imported
# by the package itself (checked below).
TEST_SUPPORT = {"testing.py"}


def _core_modules() -> list[Path]:
    return sorted(path for path in CORE.glob("*.py") if path.name not in TEST_SUPPORT)


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", _core_modules(), ids=lambda path: path.name)
def test_core_module_imports_nothing_impure(module: Path) -> None:
    tree = ast.parse(module.read_text())

    assert _imported_roots(tree) & BANNED_ROOTS == set()
    assert "hypothesis" not in _imported_roots(tree)


@pytest.mark.parametrize("module", _core_modules(), ids=lambda path: path.name)
def test_core_module_reads_no_clock_or_environment(module: Path) -> None:
    tree = ast.parse(module.read_text())

    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert used & BANNED_ATTRIBUTES == set()


def test_importing_the_core_loads_no_adapter_or_io_module() -> None:
    probe = (
        "import sys, alchemiser_core; "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {banned})))"
    ).format(
        banned=sorted(
            {
                "alchemiser_adapters",
                "alpaca",
                "boto3",
                "psycopg",
                "pandas",
                "numpy",
                "hypothesis",
                "sqlite3",
                "socket",
                "logging",
                "random",
            }
        )
    )

    loaded = subprocess.run(  # noqa: S603 - runs this interpreter on a fixed probe
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()

    assert loaded == []


def test_the_banned_list_catches_a_banned_import() -> None:
    tree = ast.parse("import time\nfrom os import environ\nfrom datetime import datetime\n")

    assert _imported_roots(tree) & BANNED_ROOTS == {"time", "os"}
