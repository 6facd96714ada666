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
from pipelinegen.stacks import dotnet, java, rust


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
    **java.CREATE, **rust.CREATE, **dotnet.CREATE,
}


@dataclass(frozen=True)
class Missing:
    path: str  # relative to the repository root
    hint: str


def missing_stack_files(root: Path, service: Service) -> list[Missing]:
    """The files the stack's Dockerfile copies from the service's directory that do not exist."""
    found = []
    for needed in STACK_FILES.get(service.stack, ()):
        if not any(_present(root / service.path, choice) for choice in needed.split("|")):
            found.append(Missing(f"{service.path}/{needed.replace('|', ' or ')}",
                                 f"{_CREATE[needed]} (in {service.path})"))
    return found


def _present(directory: Path, needed: str) -> bool:
    if "*" in needed:
        return any(path.is_file() for path in directory.glob(needed))
    target = directory / needed
    return target.is_dir() if needed.endswith("/") else target.is_file()
