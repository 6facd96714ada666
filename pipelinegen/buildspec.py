"""Where each service's image is built from: its Dockerfile, its build context, and the files
its stack's Dockerfile copies.

The one definition that `pipelinegen build`, the CI workflow, `affected` and the rules ask, so
an image builds the same way everywhere. Generated Dockerfiles build from the repository root
(shared `depends_on` paths can be copied; their .dockerignore sends only what the image needs);
a `stack: dockerfile` service's own Dockerfile builds from the service's directory, the way
`docker build services/x` would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinegen.emit.dockerfile import dockerfile_path
from pipelinegen.emit.stacks import STACK_FILES
from pipelinegen.model import Model, Service


@dataclass(frozen=True)
class BuildSpec:
    dockerfile: str  # relative to the repository root
    context: str  # a directory relative to the repository root; "." is the root
    generated: bool  # written by `pipelinegen generate` (else the service's own)


def of(model: Model, name: str) -> BuildSpec:
    service = model.services[name]
    if service.dockerfile is not None:
        return BuildSpec(service.dockerfile, service.path, generated=False)
    return BuildSpec(dockerfile_path(name), ".", generated=True)


# How to create each file a stack copies, for the hint when it is missing.
_CREATE = {
    "requirements.txt": "create it (it may list nothing, or pin with hashes:"
                        " `pip-compile --generate-hashes`)",
    "package.json": "run `npm init -y` there",
    "package-lock.json": "run `npm install` there to write it, and commit it",
    "go.mod": "run `go mod init <module path>` there",
    "public/": "put the site's files in it",
}


@dataclass(frozen=True)
class Missing:
    path: str  # relative to the repository root
    hint: str


def missing_stack_files(root: Path, service: Service) -> list[Missing]:
    """The files the stack's Dockerfile copies from the service's directory that do not exist."""
    found = []
    for needed in STACK_FILES.get(service.stack, ()):
        target = root / service.path / needed
        if not (target.is_dir() if needed.endswith("/") else target.is_file()):
            found.append(Missing(f"{service.path}/{needed}",
                                 f"{_CREATE[needed]} (in {service.path})"))
    return found


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
