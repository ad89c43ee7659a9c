"""Every Python example in docs/ and the README runs as written.

The ```python blocks of one page run in order in one namespace (a page builds on its
earlier blocks), in a temporary working directory. A block that cannot run here (it
needs credentials or a server) starts with the comment ``# not run: <why>``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([*(ROOT / "docs").glob("*.md"), ROOT / "README.md"])
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks(page: Path) -> list[str]:
    return [
        block for block in _BLOCK.findall(page.read_text()) if not block.startswith("# not run:")
    ]


@pytest.mark.parametrize(
    "page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_pages_examples_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    for number, block in enumerate(_blocks(page), start=1):
        code = compile(block, f"{page.name}, python block {number}", "exec")
        exec(code, namespace)  # noqa: S102 - the project's own documentation


def test_a_failing_example_fails_the_test(tmp_path: Path) -> None:
    page = tmp_path / "bad.md"
    page.write_text(
        "text\n\n```python\nassert 1 + 1 == 3\n```\n\n```python\n# not run: x\n1/0\n```\n"
    )

    (block,) = _blocks(page)
    with pytest.raises(AssertionError):
        exec(compile(block, "bad.md", "exec"), {})  # noqa: S102
