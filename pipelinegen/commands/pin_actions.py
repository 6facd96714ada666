"""`pipelinegen pin-actions`: each locked action's tag resolved to its commit SHA."""

from __future__ import annotations

from pathlib import Path

from pipelinegen.commands import Echo
from pipelinegen.pins import actions as pinning


def pin_actions(root: Path, requests: tuple[str, ...], base_url: str, check: bool,
                echo: Echo) -> None:
    changes = pinning.pin(root, requests, base_url, check=check)
    for change in changes:
        echo(change.line())
    echo(f"{len(changes)} pin(s) changed" + ("" if check else "; run `pipelinegen generate`"
                                             if changes else ""))
