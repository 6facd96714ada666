"""Where each service's image is built from: its Dockerfile and its build context.

The one definition that `pipelinegen build`, the CI workflow, `affected` and the rules ask, so
an image builds the same way everywhere. Generated Dockerfiles build from the repository root
(shared `depends_on` paths can be copied; their .dockerignore sends only what the image needs);
a `stack: dockerfile` service's own Dockerfile builds from the service's directory, the way
`docker build services/x` would.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelinegen.emit.dockerfile import dockerfile_path
from pipelinegen.model import Model


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
