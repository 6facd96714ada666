"""The services model: the single source of truth every emitter reads.

Models are frozen and forbid unknown keys. String fields that end up inside generated YAML,
Dockerfiles or shell lines are constrained by patterns here, once, so no emitter has to escape
user data: a value that could break out of its place is rejected at load time.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from pipelinegen import stacks
from pipelinegen.core import layout, toolsource
from pipelinegen.core.cost_settings import ProjectCost, ServiceCost
from pipelinegen.core.strictmodel import Strict
from pipelinegen.core.vuln_settings import Severity, Vulnerabilities

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
# A fully qualified protobuf service name, e.g. "printloop.v1.Stock" (empty: the whole server).
GRPC_SERVICE = r"^([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)?$"
GITHUB_REPO = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$"
# CODEOWNERS owners: @user, @org/team, or an e-mail address whose characters GitHub reads as one
# owner (no '#', which starts a comment, nor whitespace).
GITHUB_OWNER = (
    r"^@[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"
    r"|^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$"
)
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
ARG = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
# Free text values (env var values): the same.
TEXT = ARG
AWS_ACCOUNT = r"^[0-9]{12}$"
AWS_REGION = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"
# Go durations the External Secrets Operator accepts, e.g. "1h", "15m", "1h30m".
DURATION = r"^([0-9]+(h|m|s))+$"
CIDR = (r"^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])"
        r"/(3[0-2]|[12]?[0-9])$")
HTTPS_URL = r"^https://[a-z0-9.-]+(:[0-9]{1,5})?$"
VAULT_PATH = r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$"


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


# --- observability -------------------------------------------------------------------------

METRIC_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
LABEL_NAME = r"^[a-zA-Z_][a-zA-Z0-9_]*$"
# Label values and regexes end up inside PromQL double quotes: no quote, backslash or brace.
LABEL_VALUE = r"^[A-Za-z0-9 _.:/@*+?|()\[\]^$-]*$"
DAYS = r"^[1-9][0-9]*d$"
MetricName = Annotated[str, _pattern(METRIC_NAME, max_length=200)]
LabelName = Annotated[str, _pattern(LABEL_NAME, max_length=100)]
LabelValue = Annotated[str, _pattern(LABEL_VALUE, max_length=200)]


class Slo(Strict):
    objective: Annotated[float, Field(gt=0, lt=100)] = 99.9
    """Target, in percent of good requests, e.g. 99.9."""
    window: Annotated[str, _pattern(DAYS, max_length=8)] = "30d"
    """Rolling window the objective is measured over, in days (>= 7d), e.g. "30d"."""

    @model_validator(mode="after")
    def _long_enough(self) -> Slo:
        # The slowest alert looks at 3 days; a shorter SLO window makes it meaningless.
        if int(self.window[:-1]) < 7:
            raise ValueError("window must be at least 7d (the slowest burn-rate alert spans 3d)")
        return self


class LatencySlo(Slo):
    objective: Annotated[float, Field(gt=0, lt=100)] = 99.0
    """Share of requests, in percent, that must finish within `threshold`."""
    threshold: Annotated[float, Field(gt=0)] = 0.3
    """Seconds; must be one of the duration histogram's bucket bounds (`le`)."""


class Slos(Strict):
    availability: Slo | None = None
    """Availability: requests answered without a server error (by `metrics.error_codes`)."""
    latency: LatencySlo | None = None
    """Latency: requests answered within a threshold."""

    @model_validator(mode="after")
    def _some_objective(self) -> Slos:
        # Alerts, rule tests and dashboards are built from the objectives: none is a typo.
        if self.availability is None and self.latency is None:
            raise ValueError("slos needs availability or latency (e.g. `availability: {}`)"
                             " - or remove slos")
        return self


class Metrics(Strict):
    """Where a service's SLIs come from; the defaults match the demo services' /metrics."""

    requests: MetricName = "http_requests_total"
    """Counter of answered requests, with a `code` label (the HTTP status)."""
    duration: MetricName = "http_request_duration_seconds"
    """Histogram of request durations in seconds."""
    saturation: MetricName = "process_cpu_seconds_total"
    """Counter shown as the dashboard's saturation panel (CPU seconds)."""
    error_codes: LabelValue = "5.."
    """Regex of the `code` values that count as errors."""
    selector: dict[LabelName, LabelValue] = Field(default_factory=dict)
    """Label matchers (equality) that pick the service's series; default {job: <service>}."""
    path: HttpPath = "/metrics"
    """HTTP path the service exposes its metrics on (scraped through the ServiceMonitor)."""
    exposes: list[MetricName] = Field(default_factory=list)
    """Further metric names the service exposes, for queries beyond the three above."""

    def matchers(self, service: str) -> dict[str, str]:
        return dict(sorted((self.selector or {"job": service}).items()))

    def exposed(self) -> set[str]:
        """Every series name the service declares: histograms give _bucket, _count and _sum."""
        histogram = {f"{self.duration}{suffix}" for suffix in ("_bucket", "_count", "_sum")}
        return {self.requests, self.saturation, *histogram, *self.exposes}


class SecretRef(Strict):
    secret: Annotated[str, _pattern(DNS_LABEL, max_length=253)]
    """Name of the Kubernetes Secret that holds the value (never the value itself)."""
    key: Annotated[str, _pattern(r"^[-._A-Za-z0-9]+$", max_length=253)]
    """Key inside that Secret."""


class PagerDuty(Strict):
    routing_key: SecretRef
    """Events API v2 integration key, by reference to a Secret mounted into Alertmanager."""


class Slack(Strict):
    webhook: SecretRef
    """Incoming-webhook URL, by reference to a Secret mounted into Alertmanager."""
    channel: Annotated[str, _pattern(r"^#[a-z0-9][a-z0-9_-]{0,79}$", max_length=81)]
    """Channel the tickets are posted to, e.g. "#backend-alerts"."""


class Receiver(Strict):
    """One of pagerduty or slack."""

    pagerduty: PagerDuty | None = None
    """Page through PagerDuty."""
    slack: Slack | None = None
    """Post to a Slack channel."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Receiver:
        if (self.pagerduty is None) == (self.slack is None):
            raise ValueError("a receiver has exactly one of 'pagerduty' or 'slack'")
        return self


class OnCall(Strict):
    page: ServiceName
    """Receiver (in observability.receivers) of page alerts: fast budget burn, wake someone."""
    ticket: ServiceName
    """Receiver of ticket alerts: slow budget burn, handle in working hours."""


class Observability(Strict):
    release: Annotated[str, _pattern(DNS_LABEL, max_length=63)] = "kube-prometheus-stack"
    """`release` label of ServiceMonitors and PrometheusRules: the Prometheus Operator's Helm
    release, whose default selectors pick objects up by it."""
    namespace: Annotated[str, _pattern(DNS_LABEL, max_length=63)] = "monitoring"
    """Namespace of Prometheus, Alertmanager and Grafana (PrometheusRules and dashboards go
    there; the NetworkPolicy lets it scrape)."""
    runbook_url: Annotated[str, _pattern(r"^https://[A-Za-z0-9._~/:%-]+$", max_length=255)] | None \
        = None
    """Base URL of docs/SRE/; default: the repository's default branch on GitHub."""
    receivers: dict[ServiceName, Receiver] = Field(default_factory=dict)
    """Alertmanager receivers by name."""
    oncall: dict[Owner, OnCall] = Field(default_factory=dict)
    """Receivers per owner team (a service's first owner) and severity."""


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
    pipelinegen: Annotated[str, _pattern(toolsource.PATTERN, max_length=200)] | None = None
    """Where CI installs pipelinegen from: a version from the package index ("0.1.0"; default:
    the version running `generate`), a git commit ("git+https://github.com/OWNER/REPO@<40 hex
    sha>"), or the checkout ("." when the repository is pipelinegen). It must be the
    pipelinegen that generates the files."""
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


class AwsOverride(Strict):
    """What differs in one environment's AWS account; unset fields keep the project's."""

    account_id: Annotated[str, _pattern(AWS_ACCOUNT, max_length=12)] | None = None
    """12-digit AWS account id of this environment."""
    region: Annotated[str, _pattern(AWS_REGION, max_length=32)] | None = None
    """AWS region of this environment."""
    vpc_cidr: Annotated[str, _pattern(CIDR, max_length=18)] | None = None
    """CIDR of the VPC the databases live in."""


class Aws(Strict):
    account_id: Annotated[str, _pattern(AWS_ACCOUNT, max_length=12)]
    """12-digit AWS account id the resources, roles and secrets live in (quote it)."""
    region: Annotated[str, _pattern(AWS_REGION, max_length=32)]
    """AWS region, e.g. eu-west-1."""
    vpc_cidr: Annotated[str, _pattern(CIDR, max_length=18)] = "10.0.0.0/16"
    """CIDR of the VPC the databases live in: the NetworkPolicy egress to them."""
    api_cidr: Annotated[str, _pattern(CIDR, max_length=18)] = "0.0.0.0/0"
    """Where pods reach the AWS APIs of buckets and queues (HTTPS); narrow it to VPC endpoints."""
    environments: dict[EnvironmentName, AwsOverride] = Field(default_factory=dict)
    """Per-environment account, region or VPC, keyed by environment name."""


class Vault(Strict):
    server: Annotated[str, _pattern(HTTPS_URL, max_length=253)]
    """Vault address, e.g. https://vault.example.com:8200."""
    mount: Annotated[str, _pattern(VAULT_PATH, max_length=128)] = "secret"
    """Mount path of the KV version 2 secrets engine."""
    auth_mount: Annotated[str, _pattern(VAULT_PATH, max_length=128)] = "kubernetes"
    """Mount path of the Kubernetes auth method; each service logs in with the role of its name."""


SecretProvider = Literal["aws-secrets-manager", "vault"]


class SecretStoreOverride(Strict):
    """What differs in one environment's secret store; unset fields keep the project's."""

    provider: SecretProvider | None = None
    """aws-secrets-manager or vault."""
    refresh_interval: Annotated[str, _pattern(DURATION, max_length=16)] | None = None
    """How often secrets are read again from the store."""
    vault: Vault | None = None
    """The Vault server (provider vault)."""


class SecretStore(Strict):
    provider: SecretProvider = "aws-secrets-manager"
    """Where secret values live: aws-secrets-manager (project.aws) or vault."""
    refresh_interval: Annotated[str, _pattern(DURATION, max_length=16)] = "1h"
    """How often the External Secrets Operator reads each secret again, e.g. "1h" or "15m"."""
    vault: Vault | None = None
    """The Vault server (provider vault)."""
    environments: dict[EnvironmentName, SecretStoreOverride] = Field(default_factory=dict)
    """Per-environment store settings, keyed by environment name."""


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
    ingress_namespace: Annotated[str, _pattern(DNS_LABEL, max_length=63)] = "ingress-nginx"
    """Namespace of the ingress controller, let in to services that have an Ingress."""

    test_base: BaseName = "helm-test"
    """Name (in `bases`) of the image the charts' `helm test` pod runs; it needs busybox wget."""
    ci: Ci = Field(default_factory=Ci)
    """How the generated workflows run pipelinegen."""
    cloud: Cloud = Field(default_factory=Cloud)
    """Where deploys go: an EKS cluster reached with OIDC credentials named by GitHub variables."""
    cost: ProjectCost = Field(default_factory=ProjectCost)
    """The pricing profile `pipelinegen cost` and the review estimate spend with."""
    aws: Aws | None = None
    """The AWS account of the services' resources, roles and secrets (Terraform in infra/)."""
    secret_store: SecretStore | None = None
    """Where secret values live; set, every `secrets:` reference becomes an ExternalSecret."""
    observability: Observability = Field(default_factory=Observability)
    """Prometheus Operator labels, Alertmanager receivers and on-call routing."""
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


DatabaseSize = Literal["small", "medium", "large"]


class InfraOverride(Strict):
    """What differs for a resource in one environment."""

    size: DatabaseSize | None = None
    """Database size in this environment."""


class InfraResource(Strict):
    kind: Literal["postgres", "mysql", "bucket", "queue"]
    """postgres or mysql (an RDS database), bucket (S3) or queue (SQS)."""
    size: DatabaseSize | None = None
    """Databases only: small, medium or large (instance class and storage); default small."""
    environments: dict[EnvironmentName, InfraOverride] = Field(default_factory=dict)
    """Per-environment size, keyed by environment name."""

    @model_validator(mode="after")
    def _size_only_for_databases(self) -> InfraResource:
        sized = self.size is not None or any(o.size for o in self.environments.values())
        if sized and self.kind in ("bucket", "queue"):
            raise ValueError(f"a {self.kind} has no size; remove 'size'")
        return self


def _network(value: str) -> str:
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"not a CIDR block: {exc}") from None
    return value


CIDR = r"^[0-9a-fA-F.:]+/[0-9]{1,3}$"
Cidr = Annotated[str, _pattern(CIDR, max_length=64), AfterValidator(_network)]
# Kubernetes label keys (optional DNS prefix) and values.
LABEL_KEY = (r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?"
             r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$"
Port = Annotated[int, Field(ge=1, le=65535)]


class Egress(Strict):
    """A destination the service's pods may connect to, beyond DNS and the services it calls
    (the NetworkPolicy denies everything else): an IP block, or pods by namespace and labels."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    cidr: Cidr | None = None
    """IP block outside the cluster, e.g. "10.20.0.0/16" (a database) or "0.0.0.0/0"."""
    except_: list[Cidr] = Field(default_factory=list, alias="except")
    """Blocks inside `cidr` that stay closed, e.g. ["169.254.169.254/32"] (cloud metadata)."""
    namespace: Annotated[str, _pattern(DNS_LABEL, max_length=63)] | None = None
    """Pods in this namespace (all of them unless `pods` narrows it)."""
    pods: dict[Annotated[str, _pattern(LABEL_KEY, max_length=317)],
               Annotated[str, _pattern(LABEL_VALUE, max_length=63)]] = Field(
        default_factory=dict)
    """Pods with these labels: in `namespace`, or in the service's own namespace without it."""
    ports: list[Port] = Field(default_factory=list)
    """Destination ports; empty: every port."""
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"
    """Protocol of the ports."""

    @model_validator(mode="after")
    def _one_kind_of_peer(self) -> Egress:
        pods_given = self.namespace is not None or bool(self.pods)
        if (self.cidr is None) == (not pods_given):
            raise ValueError("give either 'cidr' or 'namespace'/'pods', not both and not none")
        if self.except_ and self.cidr is None:
            raise ValueError("'except' narrows a 'cidr'; add one or remove 'except'")
        if self.cidr is not None:
            block = ipaddress.ip_network(self.cidr)
            for hole in self.except_:
                inner = ipaddress.ip_network(hole)
                if inner.version != block.version or not inner.subnet_of(block):  # type: ignore[arg-type]
                    raise ValueError(f"except {hole} is not inside cidr {self.cidr}")
        return self


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
    egress: list[Egress] | None = None
    """Destinations the pods may connect to (replaces the service's list)."""


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
    public_env: list[EnvVarName] = Field(default_factory=list)
    """Keys under env (here or in any environment) that look like credentials, e.g. TOKEN_URL,
    but hold nothing secret: they may have literal values."""
    egress: list[Egress] = Field(default_factory=list)
    """Destinations outside the model the pods may connect to (NetworkPolicy egress)."""

    def merged(self, override: DeployOverride | None) -> Deploy:
        """This deploy with an environment's override applied."""
        if override is None:
            return self
        # This deploy's fields as they are (validated models are taken as they are, not
        # dumped and validated again: thousands of merges per run), the override's as data.
        data: dict[str, Any] = dict(self)
        for key, value in override.model_dump(exclude_none=True).items():
            if key in ("env", "secrets"):
                data[key] = {**data[key], **value}
            elif key == "resources":
                data[key] = {part: {**getattr(self.resources, part).model_dump(),
                                    **{k: v for k, v in value[part].items() if v is not None}}
                             for part in ("requests", "limits")}
            else:
                data[key] = value
        return Deploy.model_validate(data)


# A file or directory (trailing /) inside the service's directory: REL_PATH's segments, so it
# cannot climb out with ".." or start at the root; the service-files rule checks it exists and
# that no symbolic link leads outside.
RUNTIME_PATH = r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*/?$"
# An absolute directory whose segments never start with "." (no "..").
ABS_DIR = r"^/([A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*)?$"
# A Debian package name (Debian policy 5.6.1), optionally pinned: name=version (5.6.12).
PACKAGE = r"^[a-z0-9][a-z0-9+.-]+(=[0-9][A-Za-z0-9.+~:-]*)?$"
AbsDir = Annotated[str, _pattern(ABS_DIR, max_length=255)]
Package = Annotated[str, _pattern(PACKAGE, max_length=128)]


class Runtime(Strict):
    """What the running service reads besides its code, and where it runs."""

    files: list[Annotated[str, _pattern(RUNTIME_PATH, max_length=255)]] = Field(
        default_factory=list)
    """Files and directories (trailing /) the service reads at run time, relative to its
    directory, e.g. [templates/, data/prices.json]; copied read-only (owned by root) into the
    runtime image under `workdir`, at the same relative paths."""
    workdir: AbsDir | None = None
    """Working directory of the container; default: where the stack puts the service (/app
    for go and static, /app/<path> for python and node)."""

    @model_validator(mode="after")
    def _unique(self) -> Runtime:
        seen = [path.rstrip("/") for path in self.files]
        twice = sorted({path for path in seen if seen.count(path) > 1})
        if twice:
            raise ValueError(f"files lists {', '.join(twice)} more than once")
        return self


class Packages(Strict):
    """OS packages (Debian, apt) installed into the image's stages."""

    build: list[Package] = Field(default_factory=list)
    """Installed in the build stage only, e.g. [make, g++] for a native Node addon."""
    runtime: list[Package] = Field(default_factory=list)
    """Installed in the runtime image, e.g. [ca-certificates, tzdata]; pin with name=version.
    Not for stacks whose runtime has no package manager (distroless or chiseled: go, static,
    rust, dotnet)."""


class Backing(Strict):
    """A backing service that is an image, not code (a cache or a database for dev): deployed
    from its own hardened chart, reachable only from the services that list it in `uses`."""

    image: BaseName
    """Name (in `bases`) of its image, pinned by digest like every base."""
    port: Port
    """TCP port it listens on (the Service's and the NetworkPolicy's)."""
    command: list[Arg] = Field(default_factory=list)
    """Container args (the image's entrypoint stays), e.g. [redis-server, --save, ""]."""
    probe: list[Arg] = Field(default_factory=list)
    """Exec probe command, e.g. [redis-cli, ping]; empty: a TCP probe on the port."""
    data: AbsDir | None = None
    """Directory it writes to, mounted as an emptyDir (the root file system is read-only)."""
    data_size: Memory = "256Mi"
    """Size limit of the data emptyDir."""
    resources: Resources = Field(
        default_factory=lambda: Resources(
            requests=ResourceAmounts(cpu="50m", memory="64Mi"),
            limits=ResourceAmounts(cpu="250m", memory="256Mi"),
        )
    )
    """CPU and memory requests and limits."""

# The base (a Go toolchain) that builds the grpc health probe of images whose builder is not
# the Go base (a Go stack's builder builds it itself).
GRPC_PROBE_BASE = "go"

# The registry's stacks (pipelinegen/stacks/), in its order; mypy sees a plain string.
if TYPE_CHECKING:
    Stack = str
    BuildToolName = str
else:
    Stack = Literal[stacks.NAMES]
    BuildToolName = Literal[stacks.BUILD_TOOLS]



class Service(Strict):
    path: RelPath
    """Build context: the service's directory, relative to the repository root."""
    stack: Stack
    """Toolchain: python, node, go, static, java, rust, dotnet, or dockerfile (the service
    brings its own)."""
    build_tool: BuildToolName | None = None
    """java: the build tool, maven or gradle: the one the image builds with (through the
    service's own wrapper), its Dependabot ecosystem, the build file the checks ask for. Unset:
    the image builds with whichever build file the directory holds (pom.xml first), and
    Dependabot updates maven's."""
    version: Annotated[str, _pattern(VERSION, max_length=32)] | None = None
    """Stack version for CI toolchain set-up, e.g. "3.12" for python, "22" for node, "17" for
    java, "1.97" for rust or "10.0" for dotnet."""
    app_version: Annotated[str, _pattern(SEMVER, max_length=64)] = "0.1.0"
    """Semantic version: the chart's appVersion and the image tag used when no digest is set."""
    base: BaseName | None = None
    """Name (in `bases`) of the runtime stage's base image; defaults by stack."""
    builder: BaseName | None = None
    """Name (in `bases`) of the build stage's base image; defaults by stack."""
    dockerfile: RelPath | None = None
    """For stack dockerfile: the service's own Dockerfile, relative to the repository root."""
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    """Port the service listens on; omit for a worker that serves nothing (no Service, no
    Ingress, no callers: its probes run `health_command`)."""
    protocol: Literal["http", "grpc"] = "http"
    """What the port speaks: http (probes GET `health`) or grpc (probes call the standard
    grpc.health.v1 Health/Check for `health_service`)."""
    command: list[Arg] = Field(default_factory=list)
    """Command the container runs, exec form, e.g. ["python", "-m", "api"]."""
    test: list[Arg] = Field(default_factory=list)
    """Command that runs the service's tests from its directory, e.g. ["go", "test", "./..."]."""
    health: HttpPath = "/healthz"
    """HTTP path that answers 200 when the service is healthy (protocol http)."""
    health_service: Annotated[str, _pattern(GRPC_SERVICE, max_length=200)] = ""
    """protocol grpc: the service name its grpc.health.v1 Health/Check reports on, e.g.
    "printloop.Stock"; empty: the server as a whole."""
    health_command: list[Arg] = Field(default_factory=list)
    """Services without a port: the command (exec form) that exits 0 while the service is
    healthy; the image's HEALTHCHECK and the pod's probes run it."""
    min_coverage: Percent | None = None
    """Lowest line coverage (percent) of the tests; defaults to the project's (python, node, go
    and rust services)."""
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
    infra: dict[Annotated[str, _pattern(DNS_LABEL, max_length=24)], InfraResource] = Field(
        default_factory=dict)
    """Cloud resources the service uses (Terraform in infra/), keyed by a short name."""
    slos: Slos | None = None
    """Service level objectives; with them come rules, alerts, dashboards and a runbook."""
    metrics: Metrics = Field(default_factory=Metrics)
    """Where the SLIs come from (the metric names and label selector)."""
    runtime: Runtime = Field(default_factory=Runtime)
    """Files the service reads at run time and its working directory."""
    packages: Packages = Field(default_factory=Packages)
    """OS packages of the build stage and of the runtime image."""
    uses: list[ServiceName] = Field(default_factory=list)
    """Backing services (in `backing`) the service connects to (NetworkPolicy both ways)."""

    @model_validator(mode="after")
    def _dockerfile_only_for_dockerfile_stack(self) -> Service:
        own = [name for name in stacks.NAMES if stacks.get(name).own_dockerfile]
        if self.stack in own and self.dockerfile is None:
            raise ValueError(f"stack {self.stack!r} needs 'dockerfile: <path to the Dockerfile>'")
        if self.stack not in own and self.dockerfile is not None:
            raise ValueError(f"'dockerfile' is only for stack {' or '.join(map(repr, own))};"
                             " remove it")
        return self

    @model_validator(mode="after")
    def _protocol_settings_fit(self) -> Service:
        given = self.model_fields_set
        if self.protocol == "grpc" and "health" in given:
            raise ValueError("'health' is an HTTP path; a grpc service names its health"
                             " service in 'health_service' instead")
        if self.protocol != "grpc" and "health_service" in given:
            raise ValueError("'health_service' is for protocol grpc; set 'protocol: grpc' or"
                             " remove it")
        if self.port is None:
            if stacks.get(self.stack).serves:
                raise ValueError(f"stack {self.stack!r} serves on a port; add 'port'")
            for key in ("protocol", "health", "health_service", "callers"):
                if key in given:
                    raise ValueError(f"'{key}' needs a port: a service without one serves"
                                     " nothing; remove it or add 'port'")
            if not self.health_command:
                raise ValueError("a service without a port needs 'health_command': the"
                                 " command that exits 0 while it works (its probes run it)")
        elif self.health_command:
            raise ValueError("'health_command' is for services without a port (a service"
                             " with one is probed on it); remove it")
        return self._routable()

    def _routable(self) -> Service:
        """An Ingress routes HTTP to a port; SLOs need the metrics scraped from one."""
        ingress = [self.deploy.ingress, *(o.ingress for o in self.environments.values())]
        if any(ingress) and (self.port is None or self.protocol == "grpc"):
            what = "without a port" if self.port is None else "speaking grpc"
            raise ValueError(f"a service {what} has no Ingress (it routes HTTP requests);"
                             " remove 'ingress'")
        if self.slos is not None and self.port is None:
            raise ValueError("'slos' need a port: their metrics are scraped from it; remove"
                             " 'slos' or add 'port'")
        return self

    @property
    def grpc(self) -> bool:
        return self.port is not None and self.protocol == "grpc"

    def base_names(self) -> tuple[str | None, str | None]:
        """(builder, runtime) base names after stack defaults; None for own-Dockerfile services."""
        defaults = stacks.get(self.stack).bases
        if defaults is None:
            return (None, None)
        default_builder, default_runtime = defaults
        return (self.builder or default_builder, self.base or default_runtime)

    def probe_base(self) -> str:
        """The Go base the grpc probe builds on: the builder when the stack builds on the Go
        base (go, static), else `go`."""
        defaults = stacks.get(self.stack).bases
        builder = self.base_names()[0]
        return builder if defaults and defaults[0] == GRPC_PROBE_BASE and builder \
            else GRPC_PROBE_BASE

    def generated_sources(self) -> list[str]:
        """Generated files the image builds from besides its Dockerfile: the grpc probe's."""
        own = stacks.get(self.stack).own_dockerfile
        return [layout.GRPC_PROBE_SOURCE] if self.grpc and not own else []

    def image_bases(self) -> set[str]:
        """Every base name the generated Dockerfile builds on: builder, runtime and the grpc
        probe's Go base."""
        names = {name for name in self.base_names() if name}
        return names | {self.probe_base()} if self.generated_sources() else names

    def deploy_for(self, environment: str) -> Deploy:
        # Asked thousands of times per run (each asking validates a merged Deploy): the service
        # is frozen, so its merged deploys are kept, beside the service they belong to.
        kept = _MERGED.get((id(self), environment))
        if kept is not None and kept[0] is self:
            return kept[1]
        merged = self.deploy.merged(self.environments.get(environment))
        _MERGED[(id(self), environment)] = (self, merged)
        return merged

    def deploy_setting(self, environment: str, name: str) -> Any:
        """One field of `deploy_for(environment)`, without merging the others (a page over
        every service asks a few fields of each): the environment's value replaces the
        service's, env and secrets merge key by key, resources go through the whole merge."""
        mine = getattr(self.deploy, name)
        if name not in DeployOverride.model_fields:  # not set per environment
            return mine
        override = self.environments.get(environment)
        given = None if override is None else getattr(override, name)
        if given is None:
            return mine
        if name in ("env", "secrets"):
            return {**mine, **given}
        return self.deploy_for(environment).resources if name == "resources" else given


# (id(service), environment) -> (the service, its merged deploy); holding the service keeps its
# id from being reused by another object.
_MERGED: dict[tuple[int, str], tuple[Service, Deploy]] = {}


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
    backing: dict[ServiceName, Backing] = Field(default_factory=dict)
    """Backing services that are images (redis, postgres for dev), keyed by name."""

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

# Words in an environment variable's name that say its value is a credential.
_CREDENTIAL_WORDS = ("PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "CREDENTIAL",
                     "APIKEY", "PRIVATEKEY", "ACCESSKEY", "SIGNINGKEY", "ENCRYPTIONKEY")


def looks_like_credential(key: str) -> bool:
    """DB_PASSWORD, GITHUB_TOKEN, API_KEY, stripe_secret_key, ...: a name for a secret."""
    joined = key.upper().replace("_", "")
    return any(word in joined for word in _CREDENTIAL_WORDS)


def _literal_credentials(name: str, service: Service) -> list[tuple[Loc, str, str]]:
    """Literal env values under credential-looking names: they would land in values files."""
    envs: list[tuple[Loc, dict[str, str]]] = [(("services", name, "deploy", "env"),
                                               service.deploy.env)]
    envs += [(("services", name, "environments", env, "env"), override.env)
             for env, override in service.environments.items() if override.env]
    problems: list[tuple[Loc, str, str]] = []
    for loc, env in envs:
        for key in env:
            if looks_like_credential(key) and key not in service.deploy.public_env:
                problems.append((
                    (*loc, key), f"{key} looks like a credential, and a literal value under env"
                    " is written into the Helm values files",
                    f"move it under secrets ({key}: {{secret: <name>, key: <key>}}); if it is"
                    f" not secret, add {key} to services.{name}.deploy.public_env"))
    return problems


# A pinned, non-root image with busybox wget, suggested for the `helm test` pod.
HELM_TEST_IMAGE = (
    "docker.io/nginxinc/nginx-unprivileged:1.27-alpine"
    "@sha256:65e3e85dbaed8ba248841d9d58a899b6197106c23cb0ff1a132b7bfe0547e4c0"
)

# Job ids the generated CI workflow uses besides the gate.
CI_JOBS = ("changes", "build", "publish", "deploy")


def _tooling_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """The pipelinegen CI installs, and the image of the `helm test` pod."""
    problems: list[tuple[Loc, str, str]] = []
    wrong_tool = toolsource.mismatch(model.project.ci.pipelinegen)
    if wrong_tool is not None:
        problems.append((("project", "ci", "pipelinegen"), *wrong_tool))
    probe_users = sorted(name for name, svc in model.services.items()
                         if svc.generated_sources() and svc.probe_base() == GRPC_PROBE_BASE)
    if probe_users and GRPC_PROBE_BASE not in model.bases:
        problems.append((("services", probe_users[0], "protocol"),
                         f"the grpc health probe of the image builds on the base"
                         f" {GRPC_PROBE_BASE!r} (a Go toolchain), not declared in bases",
                         f"add '{GRPC_PROBE_BASE}: golang:<version>-bookworm' under bases, then"
                         " `pipelinegen pin`"))
    test_base = model.project.test_base
    if test_base not in model.bases:
        own = "test_base" in model.project.model_fields_set
        problems.append((("project", "test_base") if own else ("bases",),
                         f"the helm test image {test_base!r} is not declared in bases",
                         f"add '{test_base}: {HELM_TEST_IMAGE}' under bases (any pinned image"
                         " with busybox wget), then `pipelinegen pin`"))
    return problems


def model_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """Checks across a valid model's parts beyond the plain cross-references of references.py:
    environments named by cost settings, literal credentials, coverage gates, on-call routing
    of SLOs."""
    problems: list[tuple[Loc, str, str]] = receiver_problems(model)
    problems += _tooling_problems(model)
    envs = model.project.environment_names()
    declared_envs = ", ".join(envs)
    for name, service in model.services.items():
        for where, keys in ((("cost", "budget"), service.cost.budget),
                            (("cost", "utilisation"), service.cost.utilisation)):
            problems += [(("services", name, *where, env),
                          f"no environment {env!r} in project.environments",
                          f"use one of: {declared_envs}") for env in keys if env not in envs]
        problems += _literal_credentials(name, service)
        problems.extend(_coverage_problems(model, name, service))
        problems.extend(_build_tool_problems(name, service))
        problems.extend(_slo_problems(model, name, service))
    problems.extend(_exception_problems(model))
    problems.extend(_image_only_problems(model))
    return problems  # references.py adds the cloud resources' (core/cloud.py)


def _image_only_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """Runtime files and OS packages a stack can honour; backing services and their users."""
    problems: list[tuple[Loc, str, str]] = []
    declared = ", ".join(sorted(model.backing)) or "none"
    for name, service in model.services.items():
        where = ("services", name)
        if stacks.get(service.stack).own_dockerfile:
            for field, given in (("runtime", service.runtime != Runtime()),
                                 ("packages", service.packages != Packages())):
                if given:
                    problems.append(((*where, field), f"stack {service.stack}: pipelinegen does not"
                                     f" write its Dockerfile, so it cannot honour {field}",
                                     f"remove {field}; add the lines to {service.dockerfile}"))
        elif service.packages.runtime and not stacks.get(service.stack).runtime_packages:
            problems.append(((*where, "packages", "runtime"),
                             f"the {service.stack} stack's runtime image has no package manager"
                             " (distroless or chiseled) to install packages",
                             f"remove packages.runtime: {stacks.get(service.stack).runtime_holds};"
                             " for more, use a stack whose runtime has apt, or stack dockerfile"))
        for index, used in enumerate(service.uses):
            if used not in model.backing:
                problems.append(((*where, "uses", index), f"no backing service named {used!r}",
                                 f"declare it under backing, or use one of: {declared}"))
    for name, backing in model.backing.items():
        if name in model.services:
            problems.append((("backing", name), f"{name!r} is both a service and a backing"
                             " service (each gets a chart of that name)", "rename one of them"))
        if backing.image not in model.bases:
            problems.append((("backing", name, "image"),
                             f"image {backing.image!r} is not declared in bases",
                             f"add '{backing.image}: <image>:<tag>' under bases, then"
                             " `pipelinegen pin` adds its digest"))
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
    chain = stacks.get(service.stack).toolchain
    if chain is None or not chain.measures_coverage:
        if service.min_coverage is None:
            return []
        measured = stacks.coverage_stacks()
        return [(("services", name, "min_coverage"),
                 f"stack {service.stack!r} has no coverage gate (CI measures"
                 f" {', '.join(measured[:-1])} and {measured[-1]})",
                 "remove min_coverage; the service's own test command can check it")]
    prefix = chain.test_prefix
    if not service.test or not model.coverage_minimum(name):
        return []
    if tuple(service.test[:len(prefix)]) != prefix:
        return [(("services", name, "test"),
                 f"the coverage gate wraps a {service.stack} test command that starts with"
                 f" {' '.join(prefix)!r}", f"run the tests as `{' '.join(prefix)} ...`, or set"
                 " min_coverage: 0 to measure no coverage")]
    return []


def _build_tool_problems(name: str, service: Service) -> list[tuple[Loc, str, str]]:
    """A build tool is one of the service's stack's."""
    if service.build_tool is None or stacks.build_tool(service) is not None:
        return []
    tools = [tool.name for tool in stacks.get(service.stack).build_tools]
    if not tools:
        return [(("services", name, "build_tool"),
                 f"stack {service.stack!r} has no build tools to choose from (build_tool is"
                 f" for {' and '.join(s for s in stacks.NAMES if stacks.get(s).build_tools)})",
                 "remove build_tool")]
    return [(("services", name, "build_tool"),
             f"{service.build_tool!r} is not a build tool of stack {service.stack!r}",
             f"use one of: {', '.join(tools)}")]


def _slo_problems(model: Model, name: str, service: Service) -> list[tuple[Loc, str, str]]:
    """A service with SLOs needs an owner whose on-call routing names declared receivers."""
    obs = model.project.observability
    problems: list[tuple[Loc, str, str]] = []
    if service.slos is None:
        return problems
    if not service.owners:
        return [(("services", name, "slos"), "a service with slos needs an owner to alert",
                 "add owners: [\"@org/team\"] and route that team under"
                 " project.observability.oncall")]
    owner = service.owners[0]
    if owner not in obs.oncall:
        problems.append((("services", name, "owners", 0),
                         f"no on-call routing for {owner!r}",
                         f"add '{owner}': {{page: <receiver>, ticket: <receiver>}} under"
                         " project.observability.oncall"))
    return problems


def receiver_problems(model: Model) -> list[tuple[Loc, str, str]]:
    """Every on-call receiver is declared."""
    obs = model.project.observability
    declared = ", ".join(sorted(obs.receivers)) or "none"
    return [(("project", "observability", "oncall", owner, severity),
             f"no receiver named {receiver!r}",
             f"declare it under project.observability.receivers, or use one of: {declared}")
            for owner, routing in obs.oncall.items()
            for severity, receiver in (("page", routing.page), ("ticket", routing.ticket))
            if receiver not in obs.receivers]
