"""`pipelinegen schema`: the JSON Schema of services.yaml."""

from __future__ import annotations

from pipelinegen.commands import Echo
from pipelinegen.emit.schema import schema_text


def schema(echo: Echo) -> None:
    echo(schema_text(), nl=False)
