"""MkDocs hook: show the docstrings' doctest examples as code.

The docstrings carry ``>>>`` examples that pytest runs (``--doctest-modules``). Plain
Markdown would render them as prose, and read ``[...]`` in their output as links; this
wraps each run of example lines (a ``>>>`` line, its ``...`` continuations and its
output, up to a blank line) in a ``pycon`` fence before Markdown sees it.
"""

from __future__ import annotations

from typing import Any

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor


class _DoctestFences(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        result: list[str] = []
        in_fence = False
        in_example = False
        indent = ""
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith("```"):
                in_fence = not in_fence
            if not in_fence and not in_example and stripped.startswith(">>>"):
                indent = line[: len(line) - len(stripped)]
                result += ["", indent + "```pycon"]
                in_example = True
            elif in_example and not stripped:
                result.append(indent + "```")
                in_example = False
            result.append(line)
        if in_example:
            result.append(indent + "```")
        return result


class DoctestFencesExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # Before the fenced-code preprocessor (priority 25), so it sees the new fences.
        md.preprocessors.register(_DoctestFences(md), "doctest_fences", 40)


def on_config(config: Any) -> Any:
    config["markdown_extensions"].append(DoctestFencesExtension())
    return config
