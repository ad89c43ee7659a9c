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
    return sorted(path for path in CORE.rglob("*.py") if path.name not in TEST_SUPPORT)


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _module_id(path: Path) -> str:
    return str(path.relative_to(CORE))


#: The one exception: `to_frame()` builds a pandas DataFrame, so `notebook.frame` imports
#: pandas inside the function, when a frame is asked for (never at import, checked below).
LAZY_PANDAS = "notebook.py"


def _module_level_roots(tree: ast.Module) -> set[str]:
    return _imported_roots(ast.Module(body=[
        node for node in tree.body if not isinstance(node, ast.FunctionDef | ast.ClassDef)
    ], type_ignores=[]))  # fmt: skip


@pytest.mark.parametrize("module", _core_modules(), ids=_module_id)
def test_core_module_imports_nothing_impure(module: Path) -> None:
    tree = ast.parse(module.read_text())

    banned = _imported_roots(tree) & BANNED_ROOTS
    if module.name == LAZY_PANDAS:
        assert "pandas" not in _module_level_roots(tree)
        banned -= {"pandas"}
    assert banned == set()
    assert "hypothesis" not in _imported_roots(tree)


@pytest.mark.parametrize("module", _core_modules(), ids=_module_id)
def test_core_module_reads_no_clock_or_environment(module: Path) -> None:
    tree = ast.parse(module.read_text())

    used = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert used & BANNED_ATTRIBUTES == set()


_PROBE = "import sys{extra}; print(' '.join(sorted(sys.modules)))"
RUNTIME_BANNED = {
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


def _modules_loaded(extra: str = "") -> set[str]:
    return set(
        subprocess.run(  # noqa: S603 - runs this interpreter on a fixed probe
            [sys.executable, "-c", _PROBE.format(extra=extra)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )


def test_importing_the_core_loads_no_adapter_or_io_module() -> None:
    # Measured against a bare interpreter of the same environment: a .pth file (an
    # editable install, a coverage hook) may load modules at start-up, and those are
    # not the core's doing.
    bare = _modules_loaded()
    with_core = _modules_loaded(", alchemiser_core")
    loaded_by_core = with_core - bare
    if "mutmut" in {name.split(".")[0] for name in loaded_by_core}:
        pytest.skip("the core under test is mutmut's copy, whose trampolines import mutmut")

    assert {name for name in loaded_by_core if name.split(".")[0] in RUNTIME_BANNED} == set()


def test_the_bare_comparison_sees_a_banned_module() -> None:
    loaded = _modules_loaded(", logging") - _modules_loaded()

    assert "logging" in loaded


def test_the_banned_list_catches_a_banned_import() -> None:
    tree = ast.parse("import time\nfrom os import environ\nfrom datetime import datetime\n")

    assert _imported_roots(tree) & BANNED_ROOTS == {"time", "os"}


@pytest.mark.parametrize("module", sorted((CORE / "planning").glob("*.py")), ids=_module_id)
def test_planning_never_imports_risk(module: Path) -> None:
    # The layering the two subpackages show: risk builds on planning, never the reverse.
    tree = ast.parse(module.read_text())

    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {name for name in imported if name.startswith("alchemiser_core.risk")} == set()
