"""The generated layout, in one place: where each generated file lives, which Dockerfile and
build context each service's image builds from, and where pipelinegen may write and delete.

Every other module asks this one for a path; none spells one out.


A manifest is input that anyone can edit, so the paths it lists are not trusted: `generate`
deletes an orphan only if this version of pipelinegen could itself have generated that path and
it is not a source (the services file, anything under .git/, a service's or a shared package's
files). `plan.make` refuses an emitter whose path falls outside these locations, so the list
below cannot fall behind the emitters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class _Service(Protocol):
    """What the layout reads of a service (model.Service has it; the layout sits below it)."""

    @property
    def path(self) -> str: ...
    @property
    def dockerfile(self) -> str | None: ...
    @property
    def depends_on(self) -> Sequence[str]: ...


class _Model(Protocol):
    @property
    def services(self) -> Mapping[str, _Service]: ...

# pipelinegen's own directory: everything in it is generated (the manifest and the lock too).
DIRECTORY = "generated/"
LOCK = "generated/.pipelinegen.lock"
MANIFEST = "generated/.pipelinegen-manifest.json"
# The action pins that generation reads (actions_lock.py): an input, not an output.
ACTIONS_LOCK = ".github/actions.lock.json"

# --- images -------------------------------------------------------------------------------
DOCKER = "generated/docker"


def dockerfile_path(service: str) -> str:
    """A service's generated Dockerfile (its .dockerignore sits beside it)."""
    return f"{DOCKER}/{service}.Dockerfile"


def dockerignore(service: str) -> str:
    """BuildKit reads a Dockerfile's own .dockerignore, beside it, in place of the context's."""
    return dockerfile_path(service) + ".dockerignore"


@dataclass(frozen=True)
class ImageSource:
    """Where a service's image builds from."""

    dockerfile: str  # relative to the repository root
    context: str  # a directory relative to the repository root; "." is the root
    generated: bool  # written by `pipelinegen generate` (else the service's own)


def image_source(model: _Model, name: str) -> ImageSource:
    """Generated Dockerfiles build from the repository root (shared `depends_on` paths can be
    copied; their .dockerignore sends only what the image needs); a service's own Dockerfile
    builds from the service's directory, the way `docker build services/x` would."""
    service = model.services[name]
    if service.dockerfile is not None:
        return ImageSource(service.dockerfile, service.path, generated=False)
    return ImageSource(dockerfile_path(name), ".", generated=True)


# --- charts -------------------------------------------------------------------------------
HELM = "generated/helm"
BASE_VALUES = "values.yaml"
# The repository's own values files, <service>-<environment>.yaml: deploys add them with `-f`
# after the generated ones when they exist, and generate never writes there.
OWN_VALUES = "deploy/values"


def chart_dir(service: str) -> str:
    return f"{HELM}/{service}"


def values_file(service: str, environment: str) -> str:
    """An environment's values file of a service's chart."""
    return f"{chart_dir(service)}/{environment_values(environment)}"


def environment_values(environment: str) -> str:
    """The name of an environment's values file inside a chart."""
    return f"values-{environment}.yaml"


def own_values(service: str, environment: str) -> str:
    return f"{OWN_VALUES}/{service}-{environment}.yaml"


# --- observability, infrastructure and runbooks ---------------------------------------------
OBSERVABILITY = "generated/observability"
TERRAFORM = "infra/terraform"
TERRAFORM_MODULES = f"{TERRAFORM}/modules"
RUNBOOKS = "docs/SRE"
HTTPD_SOURCE = f"{DOCKER}/pipelinegen-httpd.go"  # the shipped file server, built in images
GRPC_PROBE_SOURCE = f"{DOCKER}/pipelinegen-grpc-probe.go"  # the shipped gRPC health probe

# --- repository files -----------------------------------------------------------------------
WORKFLOWS = ".github/workflows"
CI_WORKFLOW = f"{WORKFLOWS}/ci.yml"
CODEQL_WORKFLOW = f"{WORKFLOWS}/codeql.yml"
DEPLOY_WORKFLOW = f"{WORKFLOWS}/deploy.yml"
REVIEW_WORKFLOW = f"{WORKFLOWS}/pipelinegen.yml"
RESCAN_WORKFLOW = f"{WORKFLOWS}/rescan.yml"
CODEOWNERS = ".github/CODEOWNERS"
DEPENDABOT = ".github/dependabot.yml"
RULESETS = ".github/rulesets"
SERVICES_SCHEMA = "specs/services.schema.json"
DIFF_SCHEMA = "specs/diff.schema.json"
SECURITY = "SECURITY.md"
DEVOPS_DOCS = "docs/devops"

# Directories whose every file pipelinegen generates (a module per service and environment).
DIRECTORIES = (DIRECTORY, f"{TERRAFORM}/", f"{RUNBOOKS}/")
# Generated files outside generated/, by exact path.
FILES = frozenset({
    CODEOWNERS,
    DEPENDABOT,
    f"{RULESETS}/pipelinegen-branch-protection.json",
    CI_WORKFLOW,
    CODEQL_WORKFLOW,
    DEPLOY_WORKFLOW,
    REVIEW_WORKFLOW,
    RESCAN_WORKFLOW,
    SECURITY,
    f"{DEVOPS_DOCS}/deployment.md",
    f"{DEVOPS_DOCS}/emergency.md",
    f"{DEVOPS_DOCS}/environments.md",
    DIFF_SCHEMA,
    SERVICES_SCHEMA,
})

# A generated file belongs to a service when its name, or the directory it sits in, directly
# under generated/<kind>/ (or the Terraform modules) is the service's name:
# generated/docker/<svc>.Dockerfile, generated/helm/<svc>/... . Everything else (workflows,
# rulesets, schemas) is the project's.
SERVICE_PATH = re.compile(rf"^(?:{re.escape(DIRECTORY)}[^/]+|{re.escape(TERRAFORM_MODULES)})"
                          r"/(?P<name>[^/.]+)(?:\.[^/]*)?(?:/|$)")


def is_output_location(path: str) -> bool:
    """Whether this version of pipelinegen can generate `path` (a normalised relative path)."""
    return path in FILES or (path.startswith(DIRECTORIES) and ".git" not in path.split("/"))


def sources(model: _Model, source: str) -> list[str]:
    """Paths that are never pipelinegen's to delete: the services file, .git, service sources."""
    paths = {source, ".git"}
    for service in model.services.values():
        paths.add(service.path)
        paths.update(service.depends_on)
        if service.dockerfile is not None:
            paths.add(service.dockerfile)
    return sorted(paths)


def why_not_deletable(path: str, protected: Iterable[str]) -> str | None:
    """None if `generate` may delete this orphan; else the reason it may not."""
    if path == LOCK:
        return "it is pipelinegen's lock file"
    for kept in protected:
        if path == kept:
            return f"it is {kept}, a source pipelinegen never deletes"
        if path.startswith(f"{kept}/"):
            return f"it is inside {kept}, a source pipelinegen never deletes"
    if ".git" in path.split("/"):
        return "it is inside .git"
    if not is_output_location(path):
        return "pipelinegen never generates a file there"
    return None
