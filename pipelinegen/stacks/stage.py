"""The pieces a stack contributes to a generated Dockerfile, and the instruction helpers they are
written with (emit/stacks.py and the stack modules beside this one build on them)."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Stack:
    """What a stack contributes: its build stage body and its runtime stage body."""

    build: list[str]  # instructions after `FROM <builder> AS build`
    runtime: list[str]  # instructions after `FROM <runtime> AS runtime`, before USER
    health: list[str]  # argv of the HEALTHCHECK; the URL is one argument of its own
    command: list[str]  # the CMD when the service names none
    extra_context: tuple[str, ...] = ()  # generated paths the build context must include
    ignored: tuple[str, ...] = ()  # more patterns the build context never sends (build output)


def exec_form(argv: list[str]) -> str:
    """A JSON array, the exec form of CMD and HEALTHCHECK (no shell, no variable expansion)."""
    return json.dumps(argv)


def run(*lines: str) -> str:
    """A RUN instruction continued over several lines."""
    return " \\\n    ".join(("RUN " + lines[0], *lines[1:]))
