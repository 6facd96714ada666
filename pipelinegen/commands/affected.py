"""`pipelinegen affected`: the services a git change affects, for a CI matrix or a reader."""

from __future__ import annotations

from pipelinegen.commands import Echo
from pipelinegen.generation.workspace import Workspace
from pipelinegen.impact import affected as changes


def affected(ws: Workspace, base: str, head: str, fmt: str, only: str, echo: Echo) -> None:
    if only == "removed":
        names = changes.removed(ws.root, ws.source, base, head)
    else:
        every, deploy_only = changes.split(ws.root, ws.source, base, head)
        names = {"all": every, "deploy-only": deploy_only,
                 "build": sorted(set(every) - set(deploy_only))}[only]
    if fmt == "matrix":
        from pipelinegen.emit.workflows import matrix

        echo(matrix.github_output(ws.model, names), nl=False)
        return
    echo(changes.render(names, fmt), nl=False)
