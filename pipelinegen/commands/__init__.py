"""One module per command: each takes the parsed options and a reporter (`echo`, click.echo in
the CLI) and does the command's work; cli.py only parses options and calls one function.

Nothing is imported here: the CLI imports a command's module only when that command runs, so
`pipelinegen check` never loads what `build` or `branch-protection` need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# What a command prints through: click.echo's signature (text, and nl=False for whole blocks).
Echo = Callable[..., Any]
