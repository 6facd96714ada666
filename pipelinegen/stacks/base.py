"""What a stack is: the interface every module of pipelinegen/stacks/ fills in.

A stack answers every question the rest of pipelinegen asks about a toolchain: which bases it
builds and runs on, which files of the service it copies, the build and runtime stages of its
generated Dockerfile, how CI sets it up, installs, tests and measures coverage, and how the
image probes its own health. Nothing outside pipelinegen/stacks/ names a stack.

Every stack keeps the repository's layout under one directory (`/app` in python and node images,
`/src` in the go build stage): `<dir>/<service path>`, `<dir>/<depends_on path>`, so relative
references between a service and its shared packages (Go `replace` directives, for one) work
unchanged. Dependency manifests are copied and installed before any source, so a source-only
change reuses the dependency layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from pipelinegen.stacks.detection import Detector


class Metrics(Protocol):
    @property
    def path(self) -> str: ...


class Runtime(Protocol):
    @property
    def files(self) -> Sequence[str]: ...
    @property
    def workdir(self) -> str | None: ...


class Packages(Protocol):
    @property
    def build(self) -> Sequence[str]: ...
    @property
    def runtime(self) -> Sequence[str]: ...


class Service(Protocol):
    """What a stack reads of a service (model.Service has it; the stacks sit below the model)."""

    @property
    def stack(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def depends_on(self) -> Sequence[str]: ...
    @property
    def port(self) -> int | None: ...
    @property
    def health(self) -> str: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def runtime(self) -> Runtime: ...
    @property
    def packages(self) -> Packages: ...
    @property
    def build_tool(self) -> str | None: ...


@dataclass(frozen=True)
class Stages:
    """What a stack's generated Dockerfile holds: the bodies of its build and runtime stages."""

    build: list[str]  # instructions after `FROM <builder> AS build`
    runtime: list[str]  # instructions after `FROM <runtime> AS runtime`, before USER
    health: list[str]  # argv of the HEALTHCHECK; the URL is one argument of its own
    command: list[str]  # the CMD when the service names none
    extra_context: tuple[str, ...] = ()  # generated paths the build context must include
    ignored: tuple[str, ...] = ()  # more patterns the build context never sends (build output)
    code_dir: str | None = None  # where the runtime image holds the whole service directory
    # The runtime's working directory when the service names none (the stack's own lines copy
    # there by absolute path, so runtime.workdir can move it); None: the base image's.
    workdir: str | None = None


@dataclass(frozen=True)
class NeededFile:
    """A file the stack's Dockerfile copies from the service's directory (a trailing / is a
    directory, `a|b` any one of them, `*.x` any file matching it); the service-files rule and
    `pipelinegen build` check it exists."""

    path: str
    create: str  # how to create it, for the hint when it is missing


@dataclass(frozen=True)
class BuildTool:
    """A build tool a service of the stack can name (`build_tool`): the files its build needs in
    the service's directory and the Dependabot ecosystem of the dependencies it declares."""

    name: str
    files: tuple[NeededFile, ...]
    dependabot: str


@dataclass(frozen=True)
class Toolchain:
    """How CI sets the stack up, installs a service's dependencies and runs its tests."""

    setup: str  # the set-up action
    version_input: str  # its version input
    default_version: str  # when neither the service nor its base tags name one
    images: tuple[str, ...]  # image names (last path segment, prefix) that carry the toolchain
    cache_paths: str
    cache_key_files: str  # the files the cache key hashes
    install: str  # shell: installs a service's locked dependencies, if it has any
    test_prefix: tuple[str, ...]  # how a test command must start for the coverage tool to wrap
    # The test command, run measuring coverage; None: the stack has no coverage gate (its
    # tests run as given).
    coverage: Callable[[list[str]], str] | None
    figure: str | None  # shell: prints the total line coverage in percent
    extra: dict[str, object] = field(default_factory=dict)  # more inputs of the set-up action
    # The variable that makes a service's `depends_on` paths importable in its tests, as the
    # image makes them importable (python: PYTHONPATH); None when the toolchain needs none.
    shared_path_variable: str | None = None

    @property
    def measures_coverage(self) -> bool:
        """Whether CI can gate the stack's tests on line coverage."""
        return self.coverage is not None and self.figure is not None


@dataclass(frozen=True)
class Stack:
    """One stack: everything pipelinegen knows about it."""

    name: str
    # (builder, runtime) base names when a service names none; None: the service brings its
    # own Dockerfile, and pipelinegen generates none.
    bases: tuple[str, str] | None
    stages: Callable[[str, Service, str], Stages] | None  # (image name, service, health URL)
    files: tuple[NeededFile, ...] = ()
    toolchain: Toolchain | None = None  # None: CI sets nothing up (the test command runs as is)
    # Images a newcomer can add under `bases:` for the base names this stack introduces;
    # {version} is the toolchain version.
    base_images: dict[str, str] = field(default_factory=dict)
    # Files pipelinegen ships for the stack's images: {generated path: (file in pipelinegen/data,
    # the comment marker of its header, None for none)}.
    shipped: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    codeql: str | None = None  # CodeQL's language for the stack's sources
    codeql_build: str = "none"  # CodeQL's build mode for it
    # Dependabot's package-ecosystem for a service's own dependencies; None: none it updates.
    dependabot: str | None = None
    # The build tools a service may name; one that names none gets `files` and `dependabot`.
    build_tools: tuple[BuildTool, ...] = ()
    port: int = 8080  # the usual port, when `pipelinegen init` finds none
    # Whether the runtime image has apt for `packages.runtime` (distroless ones have none), and
    # else what it already holds (the hint when a service asks for packages).
    runtime_packages: bool = True
    runtime_holds: str = ""
    serves: bool = False  # the image is the server itself (static): a service needs a port
    detector: Detector | None = None  # how `pipelinegen init` finds its projects; None: it does not

    @property
    def own_dockerfile(self) -> bool:
        """The service brings its own Dockerfile (and names it with `dockerfile:`)."""
        return self.stages is None
