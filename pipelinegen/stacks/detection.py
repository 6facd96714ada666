"""How `pipelinegen init` recognises a stack's projects: the interface each stack's detector
fills in, and the readers of manifest formats they share.

A detector names the manifest files that make a directory a project of its stack and reads
what they say (name, version, whether it runs, how to test it), each guess with its reason.
init walks the repository and asks every stack's detector; it names no stack itself.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol


class Guess(NamedTuple):
    value: Any
    why: str


@dataclass
class Project:
    """A directory that a manifest makes a project of its own."""

    path: str  # directory relative to the root ("" for the root itself)
    kind: str  # the stack whose manifest shows it
    manifest: str  # the file that shows it
    name: str  # the name it declares (package, module path) or its directory's
    version: Guess | None = None
    entry: str | None = None  # why it runs as a service; None: a library
    command: Guess | None = None
    test: Guess | None = None
    build_tool: Guess | None = None  # which of the stack's build tools the manifest is for
    dockerfile: str | None = None  # a Dockerfile already in the directory
    workspace: bool = False  # declares workspace members (a monorepo root)
    requires: set[str] = field(default_factory=set)  # names of the packages it depends on
    local: set[str] = field(default_factory=set)  # directories it depends on by path


class Files(Protocol):
    """The repository as a detector reads it (init's Tree; the stacks sit below init)."""

    def read(self, path: str) -> str | None: ...
    def has(self, path: str) -> bool: ...
    def under(self, directory: str, *suffixes: str) -> list[str]: ...
    def code(self, directory: str, *suffixes: str) -> list[str]: ...


@dataclass(frozen=True)
class Detector:
    """What makes a directory a project of the stack, and how its manifest is read."""

    # Files that make their directory a project: a name (`go.mod`), a pattern of names
    # (`*.csproj`), or a path below the project (`public/index.html`); of two in one
    # directory, the one listed first shows the project (pom.xml before build.gradle).
    manifests: tuple[str, ...]
    read: Callable[[Files, Project], None]  # fills in what the manifest and the code say
    # When one directory holds the manifests of several stacks, the lowest rank wins (a Go
    # module with a package.json for its tooling is a Go project).
    rank: int
    code: tuple[str, ...] = ()  # suffixes of its source files (where a port may be found)
    tests: tuple[str, ...] = ()  # suffixes of its test files (a test's port is not the service's)
    grpc: tuple[str, ...] = ()  # dependencies that make a project a gRPC server
    # A library used without being declared: the file that makes a directory a package its
    # code can import (`__init__.py`), and the names a source file imports.
    package: str | None = None
    imports: re.Pattern[str] | None = None

    def project_of(self, path: str) -> tuple[str, int] | None:
        """(the project directory, the manifest's place in `manifests`) when `path` is one of
        the manifests, else None."""
        name = path.rpartition("/")[2]
        for index, manifest in enumerate(self.manifests):
            if "/" in manifest:
                if path == manifest or path.endswith(f"/{manifest}"):
                    return path[:-len(manifest)].rstrip("/"), index
            elif name == manifest or (manifest.startswith("*") and name.endswith(manifest[1:])):
                return parent(path), index
        return None


# --- readers the detectors share ------------------------------------------------------------


def parent(path: str) -> str:
    """The directory of a repository path ("" for a file at the root)."""
    return path.rpartition("/")[0]


def join(directory: str) -> str:
    """A directory as the prefix of the paths in it ("" for the root)."""
    return f"{directory}/" if directory else ""


def toml(text: str | None) -> dict[str, Any]:
    try:
        return tomllib.loads(text) if text else {}
    except tomllib.TOMLDecodeError:
        return {}


def json_object(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def listens(text: str | None) -> bool:
    return bool(text) and re.search(r"\.listen\(|ListenAndServe|HTTPServer\(|uvicorn\.run|"
                                    r"app\.run\(|serve\(", text or "") is not None


def relative(directory: str, target: str) -> str:
    """A path written relative to `directory`, as a repository path (may climb out: init drops
    what is not a project)."""
    parts = [part for part in directory.split("/") if part]
    for part in target.strip().rstrip("/").split("/"):
        if part == "..":
            if not parts:
                return ""
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def major_minor(spec: str) -> str | None:
    found = re.search(r"([0-9]+\.[0-9]+)", spec)
    return found.group(1) if found else None


def major(spec: str) -> str | None:
    found = re.search(r"([0-9]+)", spec)
    return found.group(1) if found else None


def plain_argv(script: str) -> list[str] | None:
    """A script as argv when it is one plain command (no shell operators or variables)."""
    if not script or re.search(r"[|&;<>$`()]", script):
        return None
    try:
        return shlex.split(script)
    except ValueError:
        return None
