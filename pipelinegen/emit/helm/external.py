"""The chart values that connect a service to its secret store and cloud resources.

With `project.secret_store` set, each Secret the pods read is an ExternalSecret synced from the
store by the External Secrets Operator through a SecretStore of the service's own, which logs in
as the service's service account: on AWS with the IAM role that account is bound to (IRSA), on
Vault with the Kubernetes auth role of the service's name. Without it, nothing changes: the
Secrets are made by hand and only referenced.
"""

from __future__ import annotations

from typing import Any

from pipelinegen.core import cloud
from pipelinegen.core.model import Deploy, Model

ROLE_ANNOTATION = "eks.amazonaws.com/role-arn"
HTTPS = 443


def base() -> dict[str, Any]:
    """values.yaml: no store; every environment's values file says which one it uses."""
    return {
        "serviceAccount": {"annotations": {}},
        "secretStore": {"provider": "", "refreshInterval": "1h", "aws": {"region": ""},
                        "vault": {"server": "", "path": "", "authMountPath": "", "role": ""}},
        "externalSecrets": [],
    }


def secrets(model: Model, service: str, deploy: Deploy) -> dict[str, dict[str, str]]:
    """The `secrets` value: the declared references plus each resource's connection settings."""
    found = {name: {"secret": ref.secret, "key": ref.key} for name, ref in deploy.secrets.items()}
    for resource, spec in model.services[service].infra.items():
        for variable, key in cloud.connection_env(resource, spec.kind).items():
            found[variable] = {"secret": resource, "key": key}
    return dict(sorted(found.items()))


def resource_egress(model: Model, service: str, environment: str) -> list[dict[str, Any]]:
    """NetworkPolicy egress to the service's resources: databases in the VPC on their port,
    buckets and queues on the AWS APIs over HTTPS."""
    aws = cloud.aws_for(model, environment)
    if aws is None:
        return []
    rules = set()
    for spec in model.services[service].infra.values():
        if spec.kind in cloud.DB_PORTS:
            rules.add((aws.vpc_cidr, cloud.DB_PORTS[spec.kind]))
        else:
            rules.add((aws.api_cidr, HTTPS))
    return [{"cidr": cidr, "port": port} for cidr, port in sorted(rules)]


def environment(model: Model, service: str, env: str) -> dict[str, Any]:
    """The keys of values-<env>.yaml that the store and the resources decide; none without."""
    store = cloud.store_for(model, env)
    svc = model.services[service]
    if store is None or not (svc.infra or cloud.declared_secrets(model, service, env)):
        return {}  # nothing to read: no store, no role
    out: dict[str, Any] = {}
    role = cloud.role_arn(model, env, service)
    if role is not None:
        out["serviceAccount"] = {"annotations": {ROLE_ANNOTATION: role}}
    aws = cloud.aws_for(model, env)
    vault = store.vault
    out["secretStore"] = {
        "provider": "aws" if store.provider == "aws-secrets-manager" else "vault",
        "refreshInterval": store.refresh_interval,
        "aws": {"region": aws.region if aws and store.provider != "vault" else ""},
        "vault": {"server": vault.server, "path": vault.mount, "authMountPath": vault.auth_mount,
                  "role": service} if vault and store.provider == "vault" else
                 base()["secretStore"]["vault"],
    }
    external = [{"name": name, "remoteKey": cloud.secret_key(model, env, name), "keys": list(keys)}
                for name, keys in cloud.declared_secrets(model, service, env).items()]
    for resource, spec in sorted(model.services[service].infra.items()):
        external.append({"name": resource,
                         "remoteKey": cloud.connection_key(model, env, service, resource),
                         "keys": sorted(cloud.CONNECTION_KEYS[spec.kind])})
    out["externalSecrets"] = sorted(external, key=lambda item: item["name"])
    egress = resource_egress(model, service, env)
    if egress:
        out["networkPolicy"] = {"resources": egress}
    return out
