"""Dockerfile instructions the stacks' stages share."""

from __future__ import annotations

import json
from collections.abc import Sequence

from pipelinegen.stacks.base import Service, Stages


def exec_form(argv: list[str]) -> str:
    """A JSON array, the exec form of CMD and HEALTHCHECK (no shell, no variable expansion)."""
    return json.dumps(argv)


def run(*lines: str) -> str:
    """A RUN instruction continued over several lines."""
    return " \\\n    ".join(("RUN " + lines[0], *lines[1:]))


def copy_depends_on(service: Service, base: str) -> list[str]:
    return [f"COPY {path}/ {base}/{path}/" for path in service.depends_on]


# --- what every stack's stages share: OS packages, runtime files, the working directory ------


def apt_install(packages: Sequence[str]) -> list[str]:
    """One RUN that installs Debian packages and leaves no apt lists, downloaded packages or
    package caches behind (hadolint DL3009, DL3015; a base without the official images'
    docker-clean hook would otherwise keep some 80 MB). Unpinned names take the version of the
    digest-pinned base's Debian release at build time, which DL3008 would flag: the model allows
    them (pins `name=version` break on every point release that drops the old version), so the
    ignore is written only then."""
    if not packages:
        return []
    ignore = [] if all("=" in package for package in packages) else [
        "# Unpinned packages follow the base image's Debian release (pin with name=version).",
        "# hadolint ignore=DL3008"]
    return [*ignore, run("apt-get update",
                         f"&& apt-get install -y --no-install-recommends {' '.join(packages)}",
                         "&& apt-get clean && rm -rf /var/lib/apt/lists/*")]


def build_stage(service: Service, stack: Stages) -> list[str]:
    """The instructions after `FROM <builder> AS build`."""
    return [*apt_install(service.packages.build), *stack.build]


def runtime_stage(service: Service, stack: Stages) -> list[str]:
    """The instructions after `FROM <runtime> AS runtime`, before the contract lines: packages
    first (the slowest layer changes least), the working directory, the stack's own lines, then
    the runtime files. Copied files keep root ownership, so the non-root process can read them
    but never change them."""
    runtime = service.runtime
    workdir = runtime.workdir or stack.code_dir or stack.workdir or "/app"
    lines = apt_install(service.packages.runtime)
    if runtime.workdir or runtime.files or stack.code_dir or stack.workdir:
        lines.append(f"WORKDIR {workdir}")
    lines += stack.runtime
    if workdir != stack.code_dir:  # else the stack copied the whole service directory there
        lines += [f"COPY {service.path}/{path} {workdir}/{path}" for path in runtime.files]
    return lines
