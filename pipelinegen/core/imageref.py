"""Container image references: `[host[:port]/]path[:tag][@sha256:digest]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
DOCKER_HUB = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    name: str  # as written, without tag or digest (e.g. python, ghcr.io/acme/api)
    tag: str | None
    digest: str | None

    @property
    def host(self) -> str:
        """The registry host: the first path component when it looks like one, else Docker Hub."""
        first, sep, _ = self.name.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            return first
        return DOCKER_HUB

    @property
    def repository(self) -> str:
        """The repository path inside the registry (Docker Hub's official images: library/x)."""
        if self.host != DOCKER_HUB:
            return self.name.partition("/")[2]
        path = self.name.removeprefix("docker.io/")
        return path if "/" in path else f"library/{path}"

    def with_digest(self, digest: str) -> str:
        return f"{self.name}{':' + self.tag if self.tag else ''}@{digest}"


def parse(ref: str) -> ImageRef:
    name, _, digest = ref.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return ImageRef(name, tag or None, digest or None)


def pinned(ref: str) -> bool:
    digest = parse(ref).digest
    return digest is not None and DIGEST.match(digest) is not None
