"""The stacks pipelinegen builds, one module each, and the one registry of them.

Everything outside this package asks the registry (`get`, `NAMES`, ...) instead of naming a
stack. Adding a stack: a module beside these that defines `STACK` (see base.Stack), and its
line in `_ALL` below; the order of `_ALL` is the order the schema lists the stacks in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinegen.stacks import dockerfile, dotnet, go, java, node, python, rust, static
from pipelinegen.stacks.base import BuildTool, NeededFile, Service, Stack, Stages, Toolchain
from pipelinegen.stacks.detection import Detector

__all__ = ["BUILD_TOOLS", "NAMES", "STACKS", "BaseImage", "BuildTool", "Missing", "NeededFile",
           "Stack", "Stages", "Toolchain", "base_image", "build_tool", "coverage_stacks",
           "dependabot", "detectors", "get", "missing_files", "missing_in", "needed_files",
           "runtime_file_problems", "shipped", "toolchain_stacks"]

_ALL = (
    python.STACK,
    node.STACK,
    go.STACK,
    static.STACK,
    java.STACK,
    rust.STACK,
    dotnet.STACK,
    dockerfile.STACK,
)

STACKS: dict[str, Stack] = {stack.name: stack for stack in _ALL}
NAMES: tuple[str, ...] = tuple(STACKS)
# Every stack's build tools, in stack order: what `build_tool` may say.
BUILD_TOOLS: tuple[str, ...] = tuple(tool.name for stack in _ALL for tool in stack.build_tools)


def get(name: str) -> Stack:
    return STACKS[name]


def build_tool(service: Service) -> BuildTool | None:
    """The build tool the service names, None when it names none (or one its stack lacks)."""
    return next((tool for tool in get(service.stack).build_tools
                 if tool.name == service.build_tool), None)


def needed_files(service: Service) -> tuple[NeededFile, ...]:
    """The files the service's build needs in its directory: its build tool's, else the
    stack's."""
    tool = build_tool(service)
    return tool.files if tool else get(service.stack).files


def dependabot(service: Service) -> str | None:
    """Dependabot's package-ecosystem for the service's own dependencies; None: none."""
    tool = build_tool(service)
    return tool.dependabot if tool else get(service.stack).dependabot


def toolchain_stacks() -> list[str]:
    """The stacks CI sets a toolchain up for."""
    return [name for name, stack in STACKS.items() if stack.toolchain is not None]


def coverage_stacks() -> list[str]:
    """The stacks whose tests CI measures the coverage of."""
    return [name for name, stack in STACKS.items()
            if stack.toolchain is not None and stack.toolchain.measures_coverage]


def detectors() -> dict[str, Detector]:
    """{stack: its detector} for every stack `pipelinegen init` can find projects of."""
    return {name: stack.detector for name, stack in STACKS.items() if stack.detector is not None}


def shipped(path: str) -> tuple[str, str | None]:
    """(file in pipelinegen/data, header comment marker or None) of a file a stack ships."""
    return next(stack.shipped[path] for stack in _ALL if path in stack.shipped)


@dataclass(frozen=True)
class BaseImage:
    """What a newcomer can add under `bases:` for a stack's default base name."""

    stack: str  # the stack that introduces it
    template: str  # {version}: the toolchain version
    default_version: str  # the owning stack's default toolchain version ("latest" if none)

    def image(self, version: str | None = None) -> str:
        return self.template.format(version=version or self.default_version)


def base_image(base: str) -> BaseImage:
    """The suggested image of a default base name, from the stack that introduces it."""
    for stack in _ALL:
        if base in stack.base_images:
            chain = stack.toolchain
            return BaseImage(stack.name, stack.base_images[base],
                             chain.default_version if chain else "latest")
    raise KeyError(base)


@dataclass(frozen=True)
class Missing:
    path: str  # relative to the repository root
    hint: str


def missing_files(root: Path, service: Service) -> list[Missing]:
    """The files the service's build copies from its directory (those of its build tool, when
    it names one) that do not exist."""
    return missing_in(root, service.stack, service.path, needed_files(service))


def missing_in(root: Path, stack: str, path: str,
               files: tuple[NeededFile, ...] | None = None) -> list[Missing]:
    """The files (default: the stack's) a service of `stack` in directory `path` needs that do
    not exist."""
    found = []
    for needed in files if files is not None else get(stack).files:
        if not any(_present(root / path, one) for one in needed.path.split("|")):
            found.append(Missing(f"{path}/{needed.path.replace('|', ' or ')}",
                                 f"{needed.create} (in {path})"))
    return found


def _present(directory: Path, needed: str) -> bool:
    if "*" in needed:
        return any(path.is_file() for path in directory.glob(needed))
    target = directory / needed
    return target.is_dir() if needed.endswith("/") else target.is_file()


def runtime_file_problems(root: Path, service: Service) -> list[tuple[int, str]]:
    """(index in runtime.files, what is wrong) for each runtime file that is missing, of the
    wrong kind, or that a symbolic link leads out of the service's directory (the build would
    copy what it points at, or fail)."""
    base = (root / service.path).resolve()
    found = []
    for index, path in enumerate(service.runtime.files):
        target = root / service.path / path
        shown = f"{service.path}/{path}"
        if not target.resolve().is_relative_to(base):
            found.append((index, f"runtime file {shown} leads outside {service.path}/"
                                 " (a symbolic link)"))
        elif not target.exists():
            found.append((index, f"runtime file {shown} does not exist"))
        elif path.endswith("/") and not target.is_dir():
            found.append((index, f"runtime file {shown} is not a directory"))
        elif not path.endswith("/") and not target.is_file():
            found.append((index, f"runtime file {shown} is a directory: write it as {shown}/"))
    return found
