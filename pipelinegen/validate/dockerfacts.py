"""What a Dockerfile's runtime stage says about the container: EXPOSE, USER and HEALTHCHECK.

Only the last stage counts (the image that runs). Continuation lines are joined and each fact
keeps the line its instruction starts on, so a problem can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEALTH_URL = re.compile(r"http://127\.0\.0\.1:([0-9]+)(/[^\s\"',\]]*)")


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


def instructions(text: str) -> list[tuple[int, str, str]]:
    """(line, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    found: list[tuple[int, str, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending.append(line[:-1].strip())
            continue
        pending.append(line)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, args = joined.partition(" ")
        found.append((start, keyword.upper(), args.strip()))
    return found


def facts(text: str) -> DockerFacts:
    """The runtime (last) stage's EXPOSE, USER and HEALTHCHECK URL."""
    stage: list[tuple[int, str, str]] = []
    for item in instructions(text):
        if item[1] == "FROM":
            stage = []
        stage.append(item)
    expose = user = port = path = None
    for line, keyword, args in stage:
        if keyword == "EXPOSE" and args:
            expose = Fact(args.split()[0].split("/")[0], line)
        elif keyword == "USER" and args:
            user = Fact(args.split()[0], line)
        elif keyword == "HEALTHCHECK":
            match = HEALTH_URL.search(args)
            if match:
                port, path = Fact(match.group(1), line), Fact(match.group(2), line)
    return DockerFacts(expose, user, port, path)
