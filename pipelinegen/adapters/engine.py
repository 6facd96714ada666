"""The Docker engine: which CLI builds (BuildKit), and the SDK client that measures images.

The build goes through the docker CLI with DOCKER_BUILDKIT=1 because the SDK's `images.build`
uses the legacy builder, which has no `RUN --mount` cache mounts. Recent CLIs (23+) build only
through the buildx plugin; older ones (such as Debian's docker.io 20.10) have BuildKit built in.
So the CLI chosen is $PIPELINEGEN_DOCKER, else the first `docker` on PATH that can build with
BuildKit: one with a working buildx plugin or a client older than 23.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from pipelinegen.adapters import proc
from pipelinegen.core.errors import PipelinegenError, ToolUnavailable

START_ENGINE = "start the Docker engine (dockerd) or set DOCKER_HOST to a running one"


@cache
def docker_cli() -> str:
    chosen = os.environ.get("PIPELINEGEN_DOCKER")
    if chosen:
        return proc.find("docker", "PIPELINEGEN_DOCKER", "")
    candidates = _on_path("docker")
    for candidate in candidates:
        if _can_buildkit(candidate):
            return candidate
    if not candidates:
        raise ToolUnavailable("the docker CLI is not installed",
                              "install Docker (e.g. `apt-get install docker.io`)")
    raise ToolUnavailable(
        f"no docker CLI on PATH can build with BuildKit ({', '.join(candidates)})",
        "install the buildx plugin, or set PIPELINEGEN_DOCKER to a docker CLI older than 23",
    )


def _on_path(program: str) -> list[str]:
    found: list[str] = []
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        path = Path(directory or ".") / program
        real = os.path.realpath(path)
        if path.is_file() and os.access(path, os.X_OK) and real not in map(os.path.realpath,
                                                                           found):
            found.append(str(path))
    return found


def _can_buildkit(cli: str) -> bool:
    try:
        version = proc.run([cli, "version", "--format", "{{.Client.Version}}"],
                           what="docker version", hint="").stdout
    except proc.CommandFailed as exc:  # the client still prints its version without an engine
        version = exc.result.stdout
    except ToolUnavailable:
        return False
    major = version.strip().split(".")[0]
    if major.isdigit() and int(major) < 23:
        return True
    try:
        proc.run([cli, "buildx", "version"], what="docker buildx version", hint="")
    except ToolUnavailable:
        return False
    return True


def client() -> Any:
    """A Docker SDK client that has answered a ping; ToolUnavailable otherwise."""
    try:
        import docker
    except ImportError:
        raise ToolUnavailable("the Docker SDK for Python is not installed",
                              "pip install 'pipelinegen[docker]'") from None
    try:
        engine = docker.from_env()
        engine.ping()
    except docker.errors.DockerException as exc:
        raise ToolUnavailable(f"cannot reach the Docker engine: {_first_line(exc)}",
                              START_ENGINE) from None
    return engine


def image_size(engine: Any, ref: str) -> int:
    """Uncompressed size in bytes of a local image (`docker image inspect` Size)."""
    import docker

    try:
        return int(engine.images.get(ref).attrs["Size"])
    except docker.errors.ImageNotFound:
        raise PipelinegenError(f"image {ref} is not in the local Docker engine",
                               "build it first, or pull it (`docker pull`)") from None
    except docker.errors.DockerException as exc:
        raise ToolUnavailable(f"cannot inspect image {ref}: {_first_line(exc)}",
                              START_ENGINE) from None


def ensure_local(engine: Any, ref: str, *, pull: bool) -> None:
    """The image is in the local engine, pulled first if `pull`; an error naming it otherwise."""
    import docker

    try:
        if pull:
            engine.images.pull(ref)
        engine.images.get(ref)
    except docker.errors.ImageNotFound:
        raise PipelinegenError(f"image {ref} is not in the local Docker engine",
                               "build it first (`pipelinegen build`), or pass --pull to pull"
                               " it from its registry") from None
    except docker.errors.DockerException as exc:
        what = "pull" if pull else "inspect"
        raise PipelinegenError(f"cannot {what} image {ref}: {_first_line(exc)}",
                               "check the reference and that the registry is reachable"
                               if pull else START_ENGINE) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
