"""The values of a service's chart: one typed model gives both values.yaml and values.schema.json.

Because the schema comes from the same classes that build the values, Helm's own schema check
(run on install, upgrade, template and lint) rejects a values file the templates do not expect:
a wrong type (`replicas: "two"`), an unknown key, or a digest that is not `sha256:<64 hex>`.
The keys the deploy workflow drives (image.digest, strategy, canary, blueGreen) are a contract;
renaming them breaks deploys.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from pipelinegen.core.model import CPU, DNS_LABEL, MEMORY, Deploy, Model, ResourceAmounts
from pipelinegen.core.strictmodel import Documented
from pipelinegen.emit.helm import external
from pipelinegen.stacks.grpcprobe import BINARY as GRPC_PROBE

DIGEST = r"^(sha256:[0-9a-f]{64})?$"

Digest = Annotated[str, Field(pattern=DIGEST)]
Name = Annotated[str, Field(pattern=DNS_LABEL, max_length=63)]
# `--set resources.limits.cpu=1` arrives as a number, so quantities accept both.
CpuQuantity = Annotated[
    str, WithJsonSchema({"type": ["string", "number"], "pattern": CPU, "minimum": 0})
]
MemoryQuantity = Annotated[
    str, WithJsonSchema({"type": ["string", "number"], "pattern": MEMORY, "minimum": 0})
]
IntOrPercent = Annotated[
    int | str,
    WithJsonSchema({"oneOf": [{"type": "integer", "minimum": 0},
                              {"type": "string", "pattern": r"^[0-9]{1,3}%$"}]}),
]


class Values(Documented):
    # Built on first use: a run that reuses every chart never needs these models.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Image(Values):
    repository: str
    """Image repository the CI pushes to (without tag or digest)."""
    tag: str
    """Tag deployed when no digest is set (the chart's appVersion)."""
    digest: Digest
    """sha256:<hex> of the image to deploy; wins over the tag when set."""
    pullPolicy: Literal["IfNotPresent", "Always", "Never"]
    """Kubernetes imagePullPolicy."""


class RollingUpdate(Values):
    maxUnavailable: IntOrPercent
    """Pods that may be unavailable during a rolling update (number or percent)."""
    maxSurge: IntOrPercent
    """Pods created above the desired count during a rolling update (number or percent)."""


class Canary(Values):
    digest: Digest
    """Image digest of the canary Deployment; it exists while this is not empty."""
    replicas: Annotated[int, Field(ge=1, le=1000)]
    """Pods of the canary; its traffic share is replicas / (replicas + stable replicas)."""


class Colour(Values):
    digest: Digest
    """Image digest this colour runs; empty: the colour is idle (unless active)."""


class BlueGreen(Values):
    active: Literal["blue", "green"]
    """The colour the Service sends traffic to."""
    blue: Colour
    """The blue Deployment."""
    green: Colour
    """The green Deployment."""


class Amounts(Values):
    cpu: CpuQuantity
    """CPU quantity, e.g. 250m."""
    memory: MemoryQuantity
    """Memory quantity, e.g. 256Mi."""


class Resources(Values):
    requests: Amounts
    """What the scheduler reserves for each pod."""
    limits: Amounts
    """Hard ceiling for each pod."""


class Autoscaling(Values):
    enabled: bool
    """Run a HorizontalPodAutoscaler instead of a fixed replica count."""
    minReplicas: Annotated[int, Field(ge=1, le=1000)]
    """Fewest pods."""
    maxReplicas: Annotated[int, Field(ge=1, le=1000)]
    """Most pods."""
    targetCPUUtilizationPercentage: Annotated[int, Field(ge=1, le=100)]
    """Average CPU utilisation (percent of requests) to aim for."""


class Ingress(Values):
    enabled: bool
    """Create an Ingress for the service."""
    className: str
    """IngressClass name; empty: the cluster's default class."""
    host: str
    """Public host name."""
    path: str
    """Path prefix routed to the service."""
    tlsSecret: str
    """Secret holding the TLS certificate for the host; empty: no TLS section."""


class SecretRef(Values):
    secret: Name
    """Name of the Kubernetes Secret (only the name: the value never leaves the cluster)."""
    key: str
    """Key inside the Secret."""


class Callee(Values):
    service: Name
    """A service this one calls."""
    port: Annotated[int, Field(ge=1, le=65535)]
    """Its container port."""


class ResourceEgress(Values):
    cidr: str
    """Addresses of a cloud resource the service uses (a database's VPC, the AWS APIs)."""
    port: Annotated[int, Field(ge=1, le=65535)]
    """Its TCP port."""


class Egress(Values):
    """One egress destination of the model (services.yaml `deploy.egress`)."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    cidr: str
    """IP block; empty: the destination is pods (namespace and/or pod labels)."""
    except_: list[str] = Field(alias="except")
    """Blocks inside cidr that stay closed."""
    namespace: str
    """Namespace of the destination pods; empty: the release's own (or none with a cidr)."""
    pods: dict[str, str]
    """Labels of the destination pods; empty: every pod of the namespace."""
    ports: list[Annotated[int, Field(ge=1, le=65535)]]
    """Destination ports; empty: every port."""
    protocol: Literal["TCP", "UDP", "SCTP"]
    """Protocol of the ports."""


class NetworkPolicy(Values):
    ingressNamespace: Name
    """Namespace of the ingress controller allowed in when the Ingress is enabled."""
    callers: list[Name]
    """Services (app.kubernetes.io/name) whose pods may connect to this one."""
    calls: list[Callee]
    """Services this one may connect to (egress); DNS is always allowed."""
    resources: list[ResourceEgress]
    """Egress to the service's declared cloud resources (services.yaml `infra`)."""
    extraEgress: list[dict[str, Any]]
    """More NetworkPolicy egress rules, as Kubernetes writes them (external APIs)."""


class ServiceAccount(Values):
    annotations: dict[str, str]
    """Annotations of the service account, e.g. the IAM role it assumes (IRSA)."""


class AwsStore(Values):
    region: str
    """Region of the AWS Secrets Manager secrets."""


class VaultStore(Values):
    server: str
    """Vault address."""
    path: str
    """Mount path of the KV version 2 engine."""
    authMountPath: str
    """Mount path of the Kubernetes auth method."""
    role: str
    """Vault role the service account logs in with."""


class SecretStore(Values):
    provider: Literal["", "aws", "vault"]
    """Where the secrets are read from; empty: no SecretStore, Secrets are made by hand."""
    refreshInterval: Annotated[str, Field(pattern=r"^([0-9]+(h|m|s))+$")]
    """How often each ExternalSecret reads its values again."""
    aws: AwsStore
    """AWS Secrets Manager settings (provider aws); the service account's IAM role reads."""
    vault: VaultStore
    """Vault settings (provider vault)."""


class ExternalSecret(Values):
    name: Name
    """Secret name as the model writes it; the synced Secret is <fullname>-<name>."""
    remoteKey: str
    """Path of the secret in the store."""
    keys: list[Annotated[str, Field(pattern=r"^[-._A-Za-z0-9]+$")]]
    """Properties of the stored secret copied into the Secret, under the same keys."""


class ServiceMonitor(Values):
    enabled: bool
    """Whether Prometheus (Operator) scrapes the service: on for services with SLOs."""
    path: Annotated[str, Field(pattern=r"^/")]
    """HTTP path of the metrics."""
    interval: Annotated[str, Field(pattern=r"^[0-9]+(ms|s|m)$")]
    """Scrape interval."""
    release: str
    """`release` label: the Prometheus Operator release whose selector picks the object up."""
    prometheusNamespace: Name
    """Namespace of Prometheus, allowed in by the NetworkPolicy when enabled."""


class PodSecurity(Values):
    runAsUser: Annotated[int, Field(ge=10000)]
    """Numeric user the pods run as: the USER of the service's Dockerfile."""
    runAsGroup: Annotated[int, Field(ge=10000)]
    """Numeric group the pods run as: the group of the Dockerfile's USER."""


class Tests(Values):
    image: str
    """Image of the `helm test` pod of an http service; it needs busybox wget."""
    grpcProbe: str
    """The grpc health probe in the service's own image, run by the test pod of a grpc
    service."""


class Environment(Values):
    name: str
    """Environment these values are for; empty in values.yaml."""
    namespace: str
    """Namespace the release must be installed in; empty: any."""


class ChartValues(Values):
    """Values of a pipelinegen service chart."""

    partOf: str
    """Project the service belongs to (app.kubernetes.io/part-of)."""
    environment: Environment
    """The environment of this values file; rendering fails in any other namespace."""
    image: Image
    """The service's image."""
    strategy: Literal["rolling", "canary", "blue-green"]
    """How a new version replaces the old one."""
    rollingUpdate: RollingUpdate
    """Surge and unavailability of every Deployment's rolling update."""
    canary: Canary
    """Canary rollout (strategy canary)."""
    blueGreen: BlueGreen
    """Blue-green rollout (strategy blue-green)."""
    replicas: Annotated[int, Field(ge=0, le=1000)]
    """Pods per Deployment when not autoscaling."""
    port: Annotated[int, Field(ge=0, le=65535)]
    """Container port (named after the protocol); the Dockerfile EXPOSEs the same. 0: the
    service serves nothing (no Service, no test, probes run healthCommand)."""
    protocol: Literal["http", "grpc"]
    """What the port speaks: http (probes GET health) or grpc (grpc.health.v1 probes)."""
    health: Annotated[str, Field(pattern=r"^/")]
    """HTTP path of the probes (protocol http); the Dockerfile HEALTHCHECK uses the same."""
    healthService: str
    """Service name the grpc probes check (protocol grpc); empty: the whole server."""
    healthCommand: list[str]
    """Command of the exec probes of a service without a port; its HEALTHCHECK runs the same."""
    resources: Resources
    """CPU and memory requests and limits."""
    autoscaling: Autoscaling
    """Horizontal pod autoscaling."""
    ingress: Ingress
    """Ingress."""
    env: dict[str, str]
    """Plain environment variables, delivered through a ConfigMap."""
    secrets: dict[str, SecretRef]
    """Environment variables read from Secrets by secretKeyRef."""
    serviceAccount: ServiceAccount
    """The pods' service account."""
    secretStore: SecretStore
    """The External Secrets Operator store the Secrets come from."""
    externalSecrets: list[ExternalSecret]
    """One ExternalSecret per Secret the pods read (when secretStore.provider is set)."""
    egress: list[Egress]
    """Destinations beyond DNS and the called services that the pods may connect to."""
    podSecurity: PodSecurity
    """Numeric user and group of the pods."""
    networkPolicy: NetworkPolicy
    """Who may connect to the pods and whom they may connect to."""
    serviceMonitor: ServiceMonitor
    """Prometheus scraping (a Prometheus Operator ServiceMonitor)."""
    tests: Tests
    """The `helm test` hook."""


@cache
def schema_text() -> str:
    """values.schema.json, the same for every chart: Helm validates the merged values against it.

    Built once per process: generating a JSON Schema costs milliseconds, times every service.
    """
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **ChartValues.model_json_schema(mode="validation"),
    }
    return json.dumps(schema, indent=2) + "\n"


def _amounts(given: ResourceAmounts, default: ResourceAmounts) -> Amounts:
    # A model that sets only some quantities keeps the defaults for the others, so every pod
    # has both requests and limits.
    return Amounts(cpu=given.cpu or default.cpu or "", memory=given.memory or default.memory or "")


def deploy_values(deploy: Deploy) -> dict[str, Any]:
    """The keys of the values that a service's deploy settings (per environment) decide."""
    defaults = Deploy().resources
    scaling = deploy.autoscaling
    ingress = deploy.ingress
    return {
        "replicas": deploy.replicas,
        "resources": Resources(
            requests=_amounts(deploy.resources.requests, defaults.requests),
            limits=_amounts(deploy.resources.limits, defaults.limits),
        ).model_dump(),
        "autoscaling": Autoscaling(
            enabled=scaling is not None,
            minReplicas=scaling.min_replicas if scaling else 1,
            maxReplicas=scaling.max_replicas if scaling else 1,
            targetCPUUtilizationPercentage=scaling.target_cpu if scaling else 75,
        ).model_dump(),
        "ingress": Ingress(
            enabled=ingress is not None, className="", host=ingress.host if ingress else "",
            path=ingress.path if ingress else "/", tlsSecret="",
        ).model_dump(),
        "env": dict(sorted(deploy.env.items())),
        "secrets": {name: SecretRef(secret=ref.secret, key=ref.key).model_dump()
                    for name, ref in sorted(deploy.secrets.items())},
        "egress": [Egress(cidr=rule.cidr or "", except_=list(rule.except_),
                          namespace=rule.namespace or "", pods=dict(sorted(rule.pods.items())),
                          ports=list(rule.ports), protocol=rule.protocol).model_dump()
                   for rule in deploy.egress],
    }


def calls(model: Model, service: str) -> list[Callee]:
    """The services that list `service` among their callers, i.e. the ones it calls, and the
    backing services it uses."""
    found = [(name, other.port) for name, other in model.services.items()
             if service in other.callers and other.port is not None]
    found += [(name, model.backing[name].port) for name in model.services[service].uses]
    return [Callee(service=name, port=port) for name, port in sorted(found)]


def base_values(model: Model, service: str, app_version: str) -> ChartValues:
    svc = model.services[service]
    defaults = model.project.defaults
    return ChartValues.model_validate({
        "partOf": model.project.name,
        "environment": {"name": "", "namespace": ""},
        "image": {"repository": model.image(service), "tag": app_version, "digest": "",
                  "pullPolicy": "IfNotPresent"},
        "strategy": "rolling",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
        "canary": {"digest": "", "replicas": 1},
        "blueGreen": {"active": "blue", "blue": {"digest": ""}, "green": {"digest": ""}},
        **deploy_values(svc.deploy),
        "secrets": external.secrets(model, service, svc.deploy),
        **external.base(),
        "port": svc.port or 0,
        "protocol": svc.protocol,
        "health": svc.health,
        "healthService": svc.health_service,
        "healthCommand": list(svc.health_command),
        "podSecurity": {"runAsUser": defaults.uid, "runAsGroup": defaults.gid},
        "networkPolicy": {
            "ingressNamespace": model.project.ingress_namespace,
            "callers": sorted(svc.callers),
            "calls": [callee.model_dump() for callee in calls(model, service)],
            "resources": [],
            "extraEgress": [],
        },
        "serviceMonitor": {
            "enabled": svc.slos is not None,
            "path": svc.metrics.path,
            "interval": "30s",
            "release": model.project.observability.release,
            "prometheusNamespace": model.project.observability.namespace,
        },
        # From `bases` (project.test_base), so `pin` keeps it current like every other image.
        "tests": {"image": model.bases[model.project.test_base], "grpcProbe": GRPC_PROBE},
    })


def environment_values(model: Model, service: str, environment: str) -> dict[str, Any]:
    """values-<env>.yaml: the environment, its strategy, and every deploy key that differs.

    Changed keys are written whole (e.g. all of `ingress`), so Helm's deep merge with
    values.yaml gives exactly the model's `deploy_for(environment)`.
    """
    svc = model.services[service]
    env = next(e for e in model.project.environments if e.name == environment)
    base = {**deploy_values(svc.deploy), "secrets": external.secrets(model, service, svc.deploy)}
    deploy = svc.deploy_for(environment)
    effective = {**deploy_values(deploy), "secrets": external.secrets(model, service, deploy)}
    return {
        "environment": {"name": env.name, "namespace": env.namespace},
        "strategy": env.strategy,
        **{key: value for key, value in effective.items() if base[key] != value},
        **external.environment(model, service, environment),
    }
