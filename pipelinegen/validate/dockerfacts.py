"""What a Dockerfile's runtime stage says about the container: EXPOSE, USER and HEALTHCHECK.

Only the last stage counts (the image that runs). Instructions come from the one Dockerfile
reader (continuations joined, comments and directives honoured); each fact keeps the line its
instruction starts on, so a problem can point at it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from pipelinegen.validate import dockerparse

HEALTH_URL = re.compile(r"http://127\.0\.0\.1:([0-9]+)(/[^\s\"',\]]*)")
# The address argument of pipelinegen's grpc health probe.
GRPC_ADDR = re.compile(r'"-addr",\s*"([^"]+)"')


@dataclass(frozen=True)
class Fact:
    value: str
    line: int


@dataclass(frozen=True)
class DockerFacts:
    expose: Fact | None = None  # "8080"
    user: Fact | None = None  # "10001:10001"
    health_port: Fact | None = None
    health_path: Fact | None = None
    # The check without an HTTP URL: the grpc probe's address, else the exec-form command.
    health_command: Fact | None = None


def facts(text: str) -> DockerFacts:
    """The runtime (last) stage's EXPOSE, USER and HEALTHCHECK URL."""
    stage: list[tuple[int, str, str]] = []
    for line, instruction in dockerparse.instructions(text):
        keyword, _, args = instruction.strip().partition(" ")
        if keyword.upper() == "FROM":
            stage = []
        stage.append((line, keyword.upper(), args.strip()))
    expose = user = port = path = command = None
    for line, keyword, args in stage:
        if keyword == "EXPOSE" and args:
            expose = Fact(args.split()[0].split("/")[0], line)
        elif keyword == "USER" and args:
            user = Fact(args.split()[0], line)
        elif keyword == "HEALTHCHECK":
            match = HEALTH_URL.search(args)
            if match:
                port, path = Fact(match.group(1), line), Fact(match.group(2), line)
            command = _command(args, line)
    return DockerFacts(expose, user, port, path, command)


def _command(args: str, line: int) -> Fact | None:
    """`HEALTHCHECK [options] CMD [...]`: the grpc probe's -addr, or the argv joined by spaces."""
    _, found, command = args.partition("CMD ")
    if not found:
        return None
    addr = GRPC_ADDR.search(command)
    if addr:
        return Fact(addr.group(1), line)
    try:
        argv = json.loads(command)
    except ValueError:
        return Fact(command.strip(), line)
    return Fact(" ".join(str(arg) for arg in argv) if isinstance(argv, list) else command, line)
