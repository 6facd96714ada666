"""Names and settings of the cloud side, derived from the model in one place.

The chart (SecretStore, ExternalSecrets, the service account's role), the Terraform (resources,
IAM policies) and the review all read names from here, so a secret's path, a bucket's name or a
role's ARN is spelled once and the three can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelinegen.core.model import InfraResource, Loc, Model, Vault

# Instance class and storage (GiB) of each database size: burstable for small, general purpose
# for medium, memory optimised for large (Graviton classes, RDS's recommended current families).
DB_SIZES: dict[str, tuple[str, int]] = {
    "small": ("db.t4g.small", 20),
    "medium": ("db.m7g.large", 100),
    "large": ("db.r7g.xlarge", 500),
}
DB_PORTS = {"postgres": 5432, "mysql": 3306}
# Keys of each resource's connection secret (written by Terraform, read by an ExternalSecret).
CONNECTION_KEYS: dict[str, tuple[str, ...]] = {
    "postgres": ("host", "port", "dbname", "username"),
    "mysql": ("host", "port", "dbname", "username"),
    "bucket": ("bucket", "region"),
    "queue": ("url", "region"),
}
MAX_NAME = 63  # S3 bucket names, RDS identifiers and IAM role names (64) all fit in this


@dataclass(frozen=True)
class AwsTarget:
    """The AWS account one environment's resources live in."""

    account_id: str
    region: str
    vpc_cidr: str
    api_cidr: str

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        return "aws-us-gov" if "-gov-" in self.region else "aws"


@dataclass(frozen=True)
class StoreTarget:
    """One environment's secret store."""

    provider: str
    refresh_interval: str
    vault: Vault | None


def aws_for(model: Model, environment: str) -> AwsTarget | None:
    aws = model.project.aws
    if aws is None:
        return None
    over = aws.environments.get(environment)
    return AwsTarget(
        account_id=(over and over.account_id) or aws.account_id,
        region=(over and over.region) or aws.region,
        vpc_cidr=(over and over.vpc_cidr) or aws.vpc_cidr,
        api_cidr=aws.api_cidr,
    )


def store_for(model: Model, environment: str) -> StoreTarget | None:
    store = model.project.secret_store
    if store is None:
        return None
    over = store.environments.get(environment)
    return StoreTarget(
        provider=(over and over.provider) or store.provider,
        refresh_interval=(over and over.refresh_interval) or store.refresh_interval,
        vault=(over and over.vault) or store.vault,
    )


def secret_key(model: Model, environment: str, secret: str) -> str:
    """Path of a declared secret in the store: scoped by project and environment."""
    return f"{model.project.name}/{environment}/{secret}"


def connection_key(model: Model, environment: str, service: str, resource: str) -> str:
    """Path of a resource's connection secret, which Terraform writes."""
    return f"{model.project.name}/{environment}/{service}/{resource}"


def resource_name(model: Model, environment: str, service: str, resource: str) -> str:
    """The cloud name of a resource: bucket name, queue name, database identifier."""
    return f"{model.project.name}-{environment}-{service}-{resource}"


def role_name(model: Model, environment: str, service: str) -> str:
    return f"{model.project.name}-{environment}-{service}"


def role_arn(model: Model, environment: str, service: str) -> str | None:
    aws = aws_for(model, environment)
    if aws is None:
        return None
    name = role_name(model, environment, service)
    return f"arn:{aws.partition}:iam::{aws.account_id}:role/{name}"


def secret_arn(aws: AwsTarget, key: str) -> str:
    """Secrets Manager appends six random characters to a secret's ARN; `-??????` matches
    exactly those, so the pattern grants this secret and no other (AWS's documented form)."""
    return f"arn:{aws.partition}:secretsmanager:{aws.region}:{aws.account_id}:secret:{key}-??????"


def bucket_arn(aws: AwsTarget, name: str) -> str:
    return f"arn:{aws.partition}:s3:::{name}"


def queue_arn(aws: AwsTarget, name: str) -> str:
    return f"arn:{aws.partition}:sqs:{aws.region}:{aws.account_id}:{name}"


def db_size(resource: InfraResource, environment: str) -> str:
    over = resource.environments.get(environment)
    return (over and over.size) or resource.size or "small"


def env_prefix(resource: str) -> str:
    return resource.upper().replace("-", "_")


def connection_env(resource: str, kind: str) -> dict[str, str]:
    """Environment variable -> key of the connection secret, e.g. ORDERS_HOST -> host."""
    return {f"{env_prefix(resource)}_{key.upper()}": key for key in CONNECTION_KEYS[kind]}


def declared_secrets(model: Model, service: str, environment: str) -> dict[str, tuple[str, ...]]:
    """Kubernetes Secret name -> the keys the service reads from it, in one environment."""
    found: dict[str, set[str]] = {}
    for ref in model.services[service].deploy_setting(environment, "secrets").values():
        found.setdefault(ref.secret, set()).add(ref.key)
    return {name: tuple(sorted(keys)) for name, keys in sorted(found.items())}


def problems(model: Model) -> list[tuple[Loc, str, str]]:
    """What the schema cannot say about secret stores and resources."""
    found: list[tuple[Loc, str, str]] = []
    envs = model.project.environment_names()
    project = model.project
    for section, overrides in (("aws", project.aws and project.aws.environments),
                               ("secret_store", project.secret_store
                                and project.secret_store.environments)):
        for env in overrides or {}:
            if env not in envs:
                found.append((("project", section, "environments", env),
                              f"no environment {env!r} in project.environments",
                              f"use one of: {', '.join(envs)}"))
    for env in envs:
        found.extend(_store_problems(model, env))
    for name, service in model.services.items():
        found.extend(_infra_problems(model, name, envs))
        if not service.infra:
            continue
        if project.aws is None:
            found.append((("services", name, "infra"),
                          "resources need the AWS account they are created in",
                          "add project.aws with account_id and region"))
        stores = [store_for(model, env) for env in envs]
        if any(s is None or s.provider != "aws-secrets-manager" for s in stores):
            found.append((("services", name, "infra"),
                          "resources hand their connection settings over in AWS Secrets Manager",
                          "set project.secret_store.provider to aws-secrets-manager in every"
                          " environment"))
    return found


def _store_problems(model: Model, env: str) -> list[tuple[Loc, str, str]]:
    store = store_for(model, env)
    if store is None:
        return []
    if store.provider == "vault" and store.vault is None:
        return [(("project", "secret_store"), f"environment {env!r} uses vault with no server",
                 "add vault: {server: https://vault.example.com:8200}")]
    if store.provider == "aws-secrets-manager" and model.project.aws is None:
        return [(("project", "secret_store"),
                 "aws-secrets-manager needs the account and region of the secrets",
                 "add project.aws with account_id and region")]
    return []


def _infra_problems(model: Model, service: str, envs: list[str]) -> list[tuple[Loc, str, str]]:
    found: list[tuple[Loc, str, str]] = []
    svc = model.services[service]
    if not svc.infra:
        return found
    given = [(svc.deploy_setting(env, "env"), svc.deploy_setting(env, "secrets")) for env in envs]
    secrets = {ref.secret for _, refs in given for ref in refs.values()}
    variables = {var for env, refs in given for var in (*env, *refs)}
    for name, resource in svc.infra.items():
        loc: Loc = ("services", service, "infra", name)
        for env in resource.environments:
            if env not in envs:
                found.append(((*loc, "environments", env),
                              f"no environment {env!r} in project.environments",
                              f"use one of: {', '.join(envs)}"))
        if name in secrets:
            found.append((loc, f"resource {name!r} has the name of a secret the service reads",
                          "rename the resource or the secret"))
        clash = sorted(set(connection_env(name, resource.kind)) & variables)
        if clash:
            found.append((loc, f"the connection variables of {name!r} are already set: "
                               f"{', '.join(clash)}", "rename the resource or the variables"))
        longest = max(envs, key=len)
        cloud_name = resource_name(model, longest, service, name)
        if len(cloud_name) > MAX_NAME:
            found.append((loc, f"the cloud name {cloud_name!r} is longer than {MAX_NAME}"
                               " characters", "shorten the resource or service name"))
    return found
