"""The services model: the single source of truth every emitter reads.

Models are frozen and forbid unknown keys. String fields that end up inside generated YAML,
Dockerfiles or shell lines are constrained by patterns here, once, so no emitter has to escape
user data: a value that could break out of its place is rejected at load time.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from pipelinegen import __version__
from pipelinegen.cost.settings import ProjectCost, ServiceCost
from pipelinegen.vulns.settings import Severity, Vulnerabilities

SCHEMA_VERSION = 1

# --- constrained scalars -------------------------------------------------------------------

DNS_LABEL = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
# Relative POSIX path whose segments never start with "." (so no ".." and no escape from the
# repository) and hold no character a shell, YAML or Dockerfile would interpret.
REL_PATH = r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$"
SIZE = r"^[0-9]+(\.[0-9]+)?\s?(B|kB|KB|MB|GB|KiB|MiB|GiB)$"
CPU = r"^([0-9]+m|[0-9]+(\.[0-9]{1,3})?)$"
MEMORY = r"^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$"
ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
HOSTNAME = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
HTTP_PATH = r"^/[A-Za-z0-9._~/-]*$"
GITHUB_REPO = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"
GITHUB_OWNER = r"^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(/[A-Za-z0-9._-]+)?$|^[^@\s]+@[^@\s]+\.[a-z]+$"
BRANCH = r"^[A-Za-z0-9._/-]+$"
BYPASS_ACTOR = r"^(role:(admin|maintain|write)|org-admin|deploy-keys|(team|app|user):[0-9]+)$"
REGISTRY = r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$"
# name[:tag][@sha256:digest]; registry host with optional port.
IMAGE_REF = (
    r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?"
    r"(@sha256:[0-9a-f]{64})?$"
)
VERSION = r"^[0-9A-Za-z][0-9A-Za-z._-]*$"
# Semantic version without build metadata (pipelinegen appends the chart's own).
_SEMVER_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER = (
    r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    rf"(?:-{_SEMVER_ID}(?:\.{_SEMVER_ID})*)?$"
)
# Arguments of commands: printable, no newline, no GitHub expression opener.
ARG = r"^[^\x00-\x1f\x7f]*$"
# Free text values (env var values): the same.
TEXT = ARG


def _no_expression(value: str) -> str:
    """Reject text GitHub would evaluate, or that a later ${{ }} could smuggle in."""
    if "${{" in value or "}}" in value:
        raise ValueError("must not contain '${{' or '}}': GitHub Actions would evaluate it")
    return value


def _pattern(pattern: str, *, max_length: int = 253) -> Any:
    return StringConstraints(pattern=pattern, max_length=max_length)


ServiceName = Annotated[str, _pattern(DNS_LABEL, max_length=63)]
EnvironmentName = Annotated[str, _pattern(DNS_LABEL, max_length=63)]
BaseName = Annotated[str, _pattern(DNS_LABEL, max_length=63)]
RelPath = Annotated[str, _pattern(REL_PATH, max_length=255)]
Size = Annotated[str, _pattern(SIZE, max_length=32)]
Memory = Annotated[str, _pattern(MEMORY, max_length=32)]
Hostname = Annotated[str, _pattern(HOSTNAME)]
HttpPath = Annotated[str, _pattern(HTTP_PATH, max_length=255)]
EnvVarName = Annotated[str, _pattern(ENV_NAME, max_length=128)]
_NO_EXPRESSION_SCHEMA = Field(json_schema_extra={"not": {"pattern": r"\$\{\{|\}\}"}})
Text = Annotated[
    str, _pattern(TEXT, max_length=4096), AfterValidator(_no_expression), _NO_EXPRESSION_SCHEMA
]
Arg = Annotated[
    str, _pattern(ARG, max_length=1024), AfterValidator(_no_expression), _NO_EXPRESSION_SCHEMA
]
Owner = Annotated[str, _pattern(GITHUB_OWNER, max_length=140)]
ImageRef = Annotated[str, _pattern(IMAGE_REF, max_length=512)]


def _cpu_to_str(value: object) -> object:
    # YAML reads `cpu: 1` as an int; Kubernetes accepts both, so do we.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


Cpu = Annotated[
    str,
    _pattern(CPU, max_length=16),
    WithJsonSchema({"type": ["string", "number"], "pattern": CPU, "minimum": 0}),
]

_UNITS = {
    "B": 1, "kB": 1000, "KB": 1000, "MB": 1000**2, "GB": 1000**3,
    "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3,
}


def size_to_bytes(size: str) -> int:
    """'300MB' -> 300000000, '250MiB' -> 262144000."""
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s?([A-Za-z]+)", size)
    if match is None:
        raise ValueError(f"not a size: {size!r}")
    return int(float(match.group(1)) * _UNITS[match.group(2)])


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, use_attribute_docstrings=True
    )


# --- project -------------------------------------------------------------------------------


class Environment(Strict):
    name: EnvironmentName
    """Environment name, also the GitHub deployment environment."""
    namespace: Annotated[str, _pattern(DNS_LABEL, max_length=63)]
    """Kubernetes namespace the services are deployed to."""
    approval: bool = False
    """Whether deploys to this environment wait for a reviewer (a protected GitHub environment)."""
    strategy: Literal["rolling", "canary", "blue-green"] = "rolling"
    """How a new version replaces the old one in this environment."""
    fail_on: Severity | None = None
    """Lowest vulnerability severity that stops a deploy here; unset: the project's fail_on."""


Percent = Annotated[float, Field(ge=0, le=100)]


class Defaults(Strict):
    image_size_budget: Size = "300MB"
    """Largest allowed uncompressed image size, e.g. "300MB" or "250MiB"."""
    uid: Annotated[int, Field(ge=10000, le=2147483647)] = 10001
    """Numeric user id every image and pod runs as (>= 10000, non-root)."""
    gid: Annotated[int, Field(ge=10000, le=2147483647)] = 10001
    """Numeric group id every image and pod runs as."""
    min_coverage: Percent = 80
    """Lowest line coverage (percent) a service's tests may reach before CI fails; 0: no gate."""


class BranchProtection(Strict):
    branches: list[Annotated[str, _pattern(BRANCH, max_length=255)]] = Field(default_factory=list)
    """Protected branches; empty means the default branch."""
    required_approvals: Annotated[int, Field(ge=0, le=10)] = 2
    """Approving reviews a pull request needs before it can merge (pull requests are required)."""
    code_owner_review: bool = True
    """Require a review from the CODEOWNERS of the changed paths."""
    dismiss_stale_reviews: bool = True
    """Dismiss approvals when new commits are pushed."""
    last_push_approval: bool = True
    """The most recent push must be approved by someone other than its author."""
    require_status_checks: bool = True
    """Require the CI gate job (project.gate_job) to pass; the check is derived, never listed."""
    strict_status_checks: bool = True
    """The branch must be up to date with the base branch before merging."""
    linear_history: bool = True
    """Forbid merge commits."""
    signed_commits: bool = False
    """Require signed commits."""
    conversation_resolution: bool = True
    """All review conversations must be resolved before merging."""
    allow_force_pushes: bool = False
    """Allow force pushes to the protected branches (Scorecard tier 1 forbids them)."""
    allow_deletions: bool = False
    """Allow deleting the protected branches (Scorecard tier 1 forbids it)."""
    bypass: list[Annotated[str, _pattern(BYPASS_ACTOR, max_length=40)]] = Field(
        default_factory=list
    )
    """Who may bypass the rules: "role:admin", "role:maintain", "role:write", "org-admin",
    "deploy-keys", or "team:<id>", "app:<id>", "user:<id>" by numeric id; empty binds admins."""
    minimum_tier: Annotated[int, Field(ge=0, le=5)] = 4
    """Lowest OpenSSF Scorecard Branch-Protection tier (1-5) the policy must reach; 0: none."""


RUNNER = r"^[a-z0-9][a-z0-9._-]*$"


class Ci(Strict):
    runner: Annotated[str, _pattern(RUNNER, max_length=64)] = "ubuntu-24.04"
    """Runner label every generated job runs on."""
    python: Annotated[str, _pattern(VERSION, max_length=32)] = "3.12"
    """Python version that runs pipelinegen in CI."""
    pipelinegen: Arg = f"pipelinegen[docker]=={__version__}"
    """pip requirement that installs pipelinegen in CI ("." when the repository is pipelinegen)."""
    budget_minutes: Annotated[int, Field(ge=5, le=360)] = 20
    """Longest a CI run on the default branch may take; every CI job's timeout-minutes is its
    share of it (the charter's target: under 20 minutes)."""
    deploy_minutes: Annotated[int, Field(ge=5, le=360)] = 30
    """timeout-minutes of each environment's deploy job, roll-back included (the recovery-time
    target: under 30 minutes)."""


class Cloud(Strict):
    role_variable: EnvVarName = "DEPLOY_ROLE_ARN"
    """GitHub variable (repository or environment) with the AWS role ARN deploys assume (OIDC)."""
    region_variable: EnvVarName = "AWS_REGION"
    """GitHub variable (repository or environment) with the AWS region of the cluster."""
    cluster_variable: EnvVarName = "EKS_CLUSTER"
    """GitHub variable (repository or environment) with the EKS cluster name."""
    helm_version: Annotated[str, _pattern(VERSION, max_length=32)] = "v3.16.4"
    """Helm version the deploy jobs install."""


class Project(Strict):
    name: Annotated[str, _pattern(DNS_LABEL, max_length=63)]
    """Product name, used in labels and workflow names."""
    repository: Annotated[str, _pattern(GITHUB_REPO, max_length=140)]
    """GitHub repository as owner/name."""
    default_branch: Annotated[str, _pattern(BRANCH, max_length=255)] = "main"
    """Branch that CI pushes images from and deploys."""
    registry: Annotated[str, _pattern(REGISTRY, max_length=255)]
    """Container registry images are pushed to, e.g. ghcr.io/acme."""
    gate_job: Annotated[str, _pattern(r"^[A-Za-z_][A-Za-z0-9_-]*$", max_length=64)] = "gate"
    """Id of the CI job that is the single required status check."""
    environments: Annotated[list[Environment], Field(min_length=1)]
    """Deployment environments, in promotion order."""
    defaults: Defaults = Field(default_factory=Defaults)
    """Defaults for every service."""
    branch_protection: BranchProtection = Field(default_factory=BranchProtection)
    """Branch protection policy, emitted as a GitHub ruleset."""
    owners: list[Owner] = Field(default_factory=list)
    """CODEOWNERS of the services file, specs/, generated/ and .github/; empty: every owner."""

    ci: Ci = Field(default_factory=Ci)
    """How the generated workflows run pipelinegen."""
    cloud: Cloud = Field(default_factory=Cloud)
    """Where deploys go: an EKS cluster reached with OIDC credentials named by GitHub variables."""
    cost: ProjectCost = Field(default_factory=ProjectCost)
    """The pricing profile `pipelinegen cost` and the review estimate spend with."""
    vulnerabilities: Vulnerabilities = Field(default_factory=Vulnerabilities)
    """The vulnerability scan gate: scanner, severity that fails it, and expiring exceptions."""

    def environment_names(self) -> list[str]:
        return [env.name for env in self.environments]


# --- services ------------------------------------------------------------------------------


class ResourceAmounts(Strict):
    cpu: Annotated[Cpu, AfterValidator(str)] | None = None
    """CPU as a Kubernetes quantity, e.g. "250m" or 1."""
    memory: Memory | None = None
    """Memory as a Kubernetes quantity, e.g. "256Mi"."""


class Resources(Strict):
    requests: ResourceAmounts = Field(default_factory=ResourceAmounts)
    """What the scheduler reserves for each pod."""
    limits: ResourceAmounts = Field(default_factory=ResourceAmounts)
    """Hard ceiling for each pod."""


class Autoscaling(Strict):
    min_replicas: Annotated[int, Field(ge=1, le=1000)]
    """Fewest pods the autoscaler keeps."""
    max_replicas: Annotated[int, Field(ge=1, le=1000)]
    """Most pods the autoscaler starts."""
    target_cpu: Annotated[int, Field(ge=1, le=100)] = 75
    """Average CPU utilisation (percent of requests) the autoscaler aims for."""

    @model_validator(mode="after")
    def _ordered(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError("min_replicas must not exceed max_replicas")
        return self


class Ingress(Strict):
    host: Hostname
    """Public host name routed to the service."""
    path: HttpPath = "/"
    """Path prefix routed to the service."""


class SecretRef(Strict):
    secret: Annotated[str, _pattern(DNS_LABEL, max_length=253)]
    """Name of the Kubernetes Secret that holds the value (never the value itself)."""
    key: Annotated[str, _pattern(r"^[-._A-Za-z0-9]+$", max_length=253)]
    """Key inside that Secret."""


class DeployOverride(Strict):
    """Per-environment changes to a service's deploy settings; unset fields keep the service's."""

    replicas: Annotated[int, Field(ge=0, le=1000)] | None = None
    """Number of pods (ignored while autoscaling is on)."""
    resources: Resources | None = None
    """CPU and memory requests and limits."""
    autoscaling: Autoscaling | None = None
    """Horizontal pod autoscaling; omit for a fixed replica count."""
    ingress: Ingress | None = None
    """Expose the service through an Ingress."""
    env: dict[EnvVarName, Text] | None = None
    """Plain environment variables (merged key by key with the service's)."""
    secrets: dict[EnvVarName, SecretRef] | None = None
    """Environment variables read from Kubernetes Secrets (merged key by key)."""


class Deploy(Strict):
    replicas: Annotated[int, Field(ge=0, le=1000)] = 2
    """Number of pods (ignored while autoscaling is on)."""
    resources: Resources = Field(
        default_factory=lambda: Resources(
            requests=ResourceAmounts(cpu="100m", memory="128Mi"),
            limits=ResourceAmounts(cpu="500m", memory="256Mi"),
        )
    )
    """CPU and memory requests and limits."""
    autoscaling: Autoscaling | None = None
    """Horizontal pod autoscaling; omit for a fixed replica count."""
    ingress: Ingress | None = None
    """Expose the service through an Ingress."""
    env: dict[EnvVarName, Text] = Field(default_factory=dict)
    """Plain environment variables."""
    secrets: dict[EnvVarName, SecretRef] = Field(default_factory=dict)
    """Environment variables read from Kubernetes Secrets, by reference."""

    def merged(self, override: DeployOverride | None) -> Deploy:
        """This deploy with an environment's override applied."""
        if override is None:
            return self
        data = self.model_dump()
        for key, value in override.model_dump(exclude_none=True).items():
            if key in ("env", "secrets"):
                data[key] = {**data[key], **value}
            elif key == "resources":
                for part in ("requests", "limits"):
                    given = {k: v for k, v in value[part].items() if v is not None}
                    data[key][part] = {**data[key][part], **given}
            else:
                data[key] = value
        return Deploy.model_validate(data)


Stack = Literal["python", "node", "go", "static", "dockerfile"]

# Stacks whose tests CI measures, and how a test command must start for the coverage tool to
# wrap it (python: any command, run under coverage.py).
COVERAGE_STACKS: dict[str, tuple[str, ...]] = {
    "python": (), "node": ("node",), "go": ("go", "test"),
}

# Base names a stack uses when a service does not name its own: (builder, runtime).
STACK_BASES: dict[str, tuple[str, str]] = {
    "python": ("python", "python"),
    "node": ("node", "node"),
    "go": ("go", "static"),
    # Static sites are served by a tiny Go file server that pipelinegen ships.
    "static": ("go", "static"),
}


class Service(Strict):
    path: RelPath
    """Build context: the service's directory, relative to the repository root."""
    stack: Stack
    """Toolchain: python, node, go, static, or dockerfile (the service brings its own)."""
    version: Annotated[str, _pattern(VERSION, max_length=32)] | None = None
    """Stack version for CI toolchain set-up, e.g. "3.12" for python or "22" for node."""
    app_version: Annotated[str, _pattern(SEMVER, max_length=64)] = "0.1.0"
    """Semantic version: the chart's appVersion and the image tag used when no digest is set."""
    base: BaseName | None = None
    """Name (in `bases`) of the runtime stage's base image; defaults by stack."""
    builder: BaseName | None = None
    """Name (in `bases`) of the build stage's base image; defaults by stack."""
    dockerfile: RelPath | None = None
    """For stack dockerfile: the service's own Dockerfile, relative to the repository root."""
    port: Annotated[int, Field(ge=1, le=65535)]
    """Port the service listens on (HTTP)."""
    command: list[Arg] = Field(default_factory=list)
    """Command the container runs, exec form, e.g. ["python", "-m", "api"]."""
    test: list[Arg] = Field(default_factory=list)
    """Command that runs the service's tests from its directory, e.g. ["go", "test", "./..."]."""
    health: HttpPath = "/healthz"
    """HTTP path that answers 200 when the service is healthy."""
    min_coverage: Percent | None = None
    """Lowest line coverage (percent) of the tests; defaults to the project's (python, node, go)."""
    image_size_budget: Size | None = None
    """Largest allowed uncompressed image size; defaults to the project's."""
    depends_on: list[RelPath] = Field(default_factory=list)
    """Shared paths (e.g. packages/common) whose changes also rebuild this service."""
    callers: list[ServiceName] = Field(default_factory=list)
    """Services allowed to call this one (NetworkPolicy); ingress traffic is allowed separately."""
    owners: list[Owner] = Field(default_factory=list)
    """CODEOWNERS of the service's paths, e.g. "@acme/payments"."""
    deploy: Deploy = Field(default_factory=Deploy)
    """Kubernetes deploy settings."""
    environments: dict[EnvironmentName, DeployOverride] = Field(default_factory=dict)
    """Per-environment overrides of the deploy settings, keyed by environment name."""
    cost: ServiceCost = Field(default_factory=ServiceCost)
    """Monthly budgets and typical utilisation, per environment (`pipelinegen cost`)."""

    @model_validator(mode="after")
    def _dockerfile_only_for_dockerfile_stack(self) -> Service:
        if self.stack == "dockerfile" and self.dockerfile is None:
            raise ValueError("stack 'dockerfile' needs 'dockerfile: <path to the Dockerfile>'")
        if self.stack != "dockerfile" and self.dockerfile is not None:
            raise ValueError("'dockerfile' is only for stack 'dockerfile'; remove it")
        return self

    def base_names(self) -> tuple[str | None, str | None]:
        """(builder, runtime) base names after stack defaults; None for own-Dockerfile services."""
        if self.stack == "dockerfile":
            return (None, None)
        default_builder, default_runtime = STACK_BASES[self.stack]
        return (self.builder or default_builder, self.base or default_runtime)

    def deploy_for(self, environment: str) -> Deploy:
        return self.deploy.merged(self.environments.get(environment))


class Model(Strict):
    """A monorepo's services, described once."""

    version: Literal[1]
    """Format version of this file; always 1."""
    project: Project
    """Repository-wide settings."""
    bases: dict[BaseName, ImageRef] = Field(default_factory=dict)
    """Named base images, pinned by digest, e.g. python: python:3.12-slim@sha256:..."""
    services: Annotated[dict[ServiceName, Service], Field(min_length=1)]
    """The services, keyed by name (a DNS-1123 label)."""

    def size_budget(self, service: str) -> int:
        """A service's image size budget in bytes (its own, else the project default)."""
        own = self.services[service].image_size_budget
        return size_to_bytes(own or self.project.defaults.image_size_budget)

    def coverage_minimum(self, service: str) -> float:
        """A service's coverage gate in percent (its own, else the project default)."""
        own = self.services[service].min_coverage
        return own if own is not None else self.project.defaults.min_coverage

    def fail_on(self, environment: str | None) -> str:
        """The gate's severity: the environment's own, else the project's."""
        own = next((e.fail_on for e in self.project.environments if e.name == environment), None)
        return own or self.project.vulnerabilities.fail_on

    def image(self, service: str) -> str:
        """Repository (without tag or digest) the service's image is pushed to."""
        return f"{self.project.registry}/{service}"


Loc = tuple[str | int, ...]

# Job ids the generated CI workflow uses besides the gate.
CI_JOBS = ("changes", "build", "publish", "deploy")


def reference_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """Cross-references a schema cannot express, as (location, problem, hint) triples."""
    problems: list[tuple[Loc, str, str]] = []
    envs = model.project.environment_names()
    for index, env in enumerate(envs):
        if env in envs[:index]:
            problems.append((("project", "environments", index, "name"),
                             f"environment {env!r} is declared twice",
                             "give each environment a unique name"))
    if model.project.gate_job in CI_JOBS:
        problems.append((("project", "gate_job"),
                         f"gate_job {model.project.gate_job!r} is already a job of the CI workflow",
                         f"choose another name than: {', '.join(CI_JOBS)}"))
    declared_envs = ", ".join(envs)
    declared_bases = ", ".join(sorted(model.bases)) or "none"
    for name, service in model.services.items():
        for where, keys in ((("environments",), service.environments),
                            (("cost", "budget"), service.cost.budget),
                            (("cost", "utilisation"), service.cost.utilisation)):
            problems += [(("services", name, *where, env),
                          f"no environment {env!r} in project.environments",
                          f"use one of: {declared_envs}") for env in keys if env not in envs]
        builder, runtime = service.base_names()
        for field, base in (("builder", builder), ("base", runtime)):
            if base is not None and base not in model.bases:
                own = getattr(service, field) is not None
                loc: Loc = ("services", name, field) if own else ("services", name)
                problems.append((loc, f"{field} image {base!r} is not declared in bases",
                                 f"add '{base}: <image>:<tag>@sha256:<digest>' under bases,"
                                 f" or set {field} to one of: {declared_bases}"))
        problems.extend(_coverage_problems(model, name, service))
        for index, caller in enumerate(service.callers):
            if caller not in model.services:
                problems.append((("services", name, "callers", index),
                                 f"no service named {caller!r}",
                                 f"use one of: {', '.join(sorted(model.services))}"))
    problems.extend(_exception_problems(model))
    return problems


def _exception_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """Every vulnerability exception names a service of the model."""
    return [(("project", "vulnerabilities", "exceptions", index, "service"),
             f"no service named {exception.service!r}",
             f"use one of: {', '.join(sorted(model.services))}")
            for index, exception in enumerate(model.project.vulnerabilities.exceptions)
            if exception.service not in model.services]


def _coverage_problems(model: Model, name: str, service: Service) -> list[tuple[Loc, str, str]]:
    """A coverage gate needs a stack CI measures and a test command its tool can wrap."""
    prefix = COVERAGE_STACKS.get(service.stack)
    if prefix is None:
        if service.min_coverage is None:
            return []
        return [(("services", name, "min_coverage"),
                 f"stack {service.stack!r} has no coverage gate (CI measures python, node and go)",
                 "remove min_coverage; a dockerfile service's own test command can check it")]
    if not service.test or not model.coverage_minimum(name):
        return []
    if tuple(service.test[:len(prefix)]) != prefix:
        return [(("services", name, "test"),
                 f"the coverage gate wraps a {service.stack} test command that starts with"
                 f" {' '.join(prefix)!r}", f"run the tests as `{' '.join(prefix)} ...`, or set"
                 " min_coverage: 0 to measure no coverage")]
    return []
