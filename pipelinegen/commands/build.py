"""`pipelinegen build` and `image-size`: images built and smoke-tested, sizes against budgets."""

from __future__ import annotations

from pipelinegen.commands import Echo
from pipelinegen.generation.workspace import Workspace
from pipelinegen.images import build as building


def build(ws: Workspace, services: tuple[str, ...], tag: str, args: dict[str, str],
          smoke_test: bool, echo: Echo) -> None:
    rows = building.build(ws.model, ws.root, services, tag, args, echo=echo,
                          smoke_test=smoke_test)
    echo(building.table(rows), nl=False)
    building.enforce(rows)


def image_size(ws: Workspace, service: str, image: str, echo: Echo) -> None:
    row = building.image_size(ws.model, service, image)
    echo(building.table([row]), nl=False)
    building.enforce([row])
