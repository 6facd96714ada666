"""infra/terraform/environments/<env>/: the root module of one environment.

It composes the services' modules with this environment's names, sizes and literal secret
ARNs. Its state lives in S3, configured at `terraform init -backend-config=...` (a partial
backend configuration, so no bucket name or account is committed); each environment is its own
directory, so each has its own `.terraform.lock.hcl` to commit.
"""

from __future__ import annotations

from pipelinegen.core import cloud
from pipelinegen.core.model import Model
from pipelinegen.emit.terraform import service as svc_module
from pipelinegen.emit.terraform import versions
from pipelinegen.emit.terraform.hcl import Block, Expr


def secret_arns(model: Model, service: str, env: str) -> list[str]:
    """Exactly the secrets one service reads in one environment, as ARN patterns."""
    aws = cloud.aws_for(model, env)
    store = cloud.store_for(model, env)
    if aws is None or store is None or store.provider != "aws-secrets-manager":
        return []
    keys = [cloud.secret_key(model, env, name)
            for name in cloud.declared_secrets(model, service, env)]
    keys += [cloud.connection_key(model, env, service, resource)
             for resource in model.services[service].infra]
    return sorted(cloud.secret_arn(aws, key) for key in keys)


def services(model: Model, env: str) -> list[str]:
    """The services with something to create or grant in this environment."""
    return [name for name in sorted(model.services)
            if model.services[name].infra or secret_arns(model, name, env)]


def has_databases(model: Model, names: list[str]) -> bool:
    return any(spec.kind in versions.ENGINES
               for name in names for spec in model.services[name].infra.values())


def files(model: Model, env: str) -> dict[str, list[Block]]:
    aws = cloud.aws_for(model, env)
    assert aws is not None
    names = services(model, env)
    namespace = next(e.namespace for e in model.project.environments if e.name == env)
    terraform = (Block("terraform").set("required_version", versions.TERRAFORM)
                 .add(Block("required_providers").set("aws", {
                     "source": "hashicorp/aws", "version": versions.AWS_PROVIDER}))
                 .add(Block("backend", ("s3",))))
    provider = (Block("provider", ("aws",)).set("region", aws.region)
                .set("allowed_account_ids", [aws.account_id]).blank()
                .add(Block("default_tags").set("tags", {
                    "project": model.project.name, "environment": env,
                    "managed-by": "pipelinegen"})))
    variables = [
        Block("variable", ("oidc_provider_arn",)).set("type", Expr("string"))
        .set("description", "ARN of the EKS cluster's IAM OIDC provider (IRSA)."),
        Block("variable", ("oidc_issuer",)).set("type", Expr("string"))
        .set("description", "The cluster's OIDC issuer URL without https://."),
    ]
    if has_databases(model, names):
        variables += [
            Block("variable", ("vpc_id",)).set("type", Expr("string"))
            .set("description", "VPC of the databases."),
            Block("variable", ("database_subnet_ids",)).set("type", Expr("list(string)"))
            .set("description", "Private subnets of the databases, in two or more zones."),
        ]
    modules = [_module(model, env, name, namespace, aws) for name in names]
    outputs = [Block("output", ("role_arns",))
               .set("description", "The IAM role of each service's service account.")
               .set("value", {name: Expr(f"module.{svc_module.ident(name)}.role_arn")
                              for name in names})]
    return {"versions.tf": [terraform], "providers.tf": [provider],
            "variables.tf": variables, "main.tf": modules, "outputs.tf": outputs}


def _module(model: Model, env: str, name: str, namespace: str,
            aws: cloud.AwsTarget) -> Block:
    infra = dict(sorted(model.services[name].infra.items()))
    block = (Block("module", (svc_module.ident(name),))
             .set("source", f"../../modules/{name}").blank()
             .set("name_prefix", cloud.role_name(model, env, name)).set("service", name)
             .set("namespace", namespace).set("partition", aws.partition)
             .set("region", aws.region).set("account_id", aws.account_id)
             .set("oidc_provider_arn", Expr("var.oidc_provider_arn"))
             .set("oidc_issuer", Expr("var.oidc_issuer"))
             .set("secret_prefix", f"{model.project.name}/{env}/{name}")
             .set("secret_arns", secret_arns(model, name, env)))
    databases = {r: s for r, s in infra.items() if s.kind in versions.ENGINES}
    if databases:
        block.blank().set("vpc_id", Expr("var.vpc_id")).set("vpc_cidr", aws.vpc_cidr).set(
            "database_subnet_ids", Expr("var.database_subnet_ids"))
    for resource, spec in databases.items():
        size = cloud.db_size(spec, env)
        instance_class, storage = cloud.DB_SIZES[size]
        block.set(svc_module.ident(resource), {
            "instance_class": instance_class, "allocated_storage": storage,
            "multi_az": size != "small"})
    return block
