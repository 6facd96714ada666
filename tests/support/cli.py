"""pipelinegen's command line run in-process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from pipelinegen.cli import cli

RunCli = Callable[..., Result]


def run_cli(*args: str | Path) -> Result:
    """Run pipelinegen in-process; exceptions that escape the handler fail the test."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
