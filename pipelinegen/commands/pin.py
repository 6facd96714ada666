"""`pipelinegen pin`: every base resolved to its registry's current digest in services.yaml."""

from __future__ import annotations

from collections.abc import Callable

from pipelinegen.commands import Echo
from pipelinegen.generation.workspace import Workspace
from pipelinegen.pins import images as pinning


def pin(ws: Workspace, check: bool, insecure: tuple[str, ...],
        regenerate: Callable[[], None] | None, echo: Echo) -> None:
    """`regenerate`, when given, runs `generate` on a fresh read of the new model."""
    changes = pinning.pin(ws.source_path, ws.source, check=check, insecure=insecure, echo=echo)
    echo(f"{len(changes)} base(s) {'would change' if check else 'updated'}")
    if check or not changes:
        return
    if regenerate is not None:
        regenerate()
    else:
        # The Dockerfiles name the digests: they are stale until regenerated.
        echo(f"{ws.source} changed, so the generated files are now stale: run"
             " `pipelinegen generate` (or pin with `--generate`)")
