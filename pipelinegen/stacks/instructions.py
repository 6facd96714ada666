"""Dockerfile instructions the stacks' stages share."""

from __future__ import annotations

import json

from pipelinegen.stacks.base import Service


def exec_form(argv: list[str]) -> str:
    """A JSON array, the exec form of CMD and HEALTHCHECK (no shell, no variable expansion)."""
    return json.dumps(argv)


def run(*lines: str) -> str:
    """A RUN instruction continued over several lines."""
    return " \\\n    ".join(("RUN " + lines[0], *lines[1:]))


def copy_depends_on(service: Service, base: str) -> list[str]:
    return [f"COPY {path}/ {base}/{path}/" for path in service.depends_on]
