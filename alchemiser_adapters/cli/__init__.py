"""The `alchemiser` command: plan, check and execute rebalances from a terminal.

See ``docs/cli.md`` (or ``alchemiser --help``) for the commands and file formats.
"""

from alchemiser_adapters.cli._main import main

__all__ = ["main"]
