"""infra/terraform/modules/<service>/: the resources one service declares and its IAM role.

The role is bound to the service's Kubernetes service account with IRSA (an OIDC web identity
trust on `system:serviceaccount:<namespace>:<service>`): the External Secrets Operator's
SecretStore can log in as a given service account only that way (`auth.jwt`), so one role, one
policy, serves both the pods and the reading of their secrets. Its policy names exactly the
service's secrets (their ARNs come from the environment, literally) and its own resources.
"""

from __future__ import annotations

from pipelinegen.core.model import InfraResource, Model
from pipelinegen.emit.terraform import versions
from pipelinegen.emit.terraform.hcl import Block, Expr, Value

# checkov checks that do not apply, each skipped where it arises and with its reason (the
# README lists them too).
SKIP_MODULE_SHA = ("checkov:skip=CKV_TF_1:a Terraform Registry source cannot name a commit;"
                   " the module is pinned to an exact version")
SKIP_ROTATION = ("checkov:skip=CKV2_AWS_57:holds where a resource is (host, port, name), no"
                 " credential: nothing to rotate")
SKIP_SG_ATTACHED = ("checkov:skip=CKV2_AWS_5:attached to the database by the RDS module, which"
                    " checkov cannot read offline")
DB_ADMIN = "dbadmin"  # master user; its password is RDS's own, in Secrets Manager
KEY = "aws_kms_key.this.arn"


def ident(name: str) -> str:
    """A Terraform identifier for a resource name (which may hold dashes)."""
    return name.replace("-", "_")


def module_name(resource: str, spec: InfraResource) -> str:
    prefix = {"bucket": "bucket", "queue": "queue"}.get(spec.kind, "db")
    return f"{prefix}_{ident(resource)}"


def uses_aws_secrets(model: Model, service: str) -> bool:
    from pipelinegen.core import cloud

    return any(
        (store := cloud.store_for(model, env)) is not None
        and store.provider == "aws-secrets-manager"
        and cloud.declared_secrets(model, service, env)
        for env in model.project.environment_names())


def needs_module(model: Model, service: str) -> bool:
    return bool(model.services[service].infra) or uses_aws_secrets(model, service)


def files(model: Model, service: str) -> dict[str, list[Block]]:
    infra = dict(sorted(model.services[service].infra.items()))
    main: list[Block] = []
    if infra:
        main.append(_key())
    for resource, spec in infra.items():
        main.extend(_resource(resource, spec))
    if infra:
        main.extend(_connection_secrets(infra))
    return {
        "versions.tf": [_versions(modules=True)],
        "variables.tf": _variables(infra),
        "main.tf": main,
        "iam.tf": _iam(model, service, infra),
        "outputs.tf": _outputs(infra),
    }


def _versions(*, modules: bool) -> Block:
    aws = versions.AWS_PROVIDER_MODULES if modules else versions.AWS_PROVIDER
    return Block("terraform").set("required_version", versions.TERRAFORM).add(
        Block("required_providers").set("aws", {"source": "hashicorp/aws", "version": aws}))


def _variable(name: str, kind: str, description: str) -> Block:
    return Block("variable", (name,)).set("type", Expr(kind)).set("description", description)


def _variables(infra: dict[str, InfraResource]) -> list[Block]:
    out = [
        _variable("name_prefix", "string",
                  "Prefix of every name: <project>-<environment>-<service>."),
        _variable("service", "string", "The service, also its Kubernetes service account."),
        _variable("namespace", "string", "Kubernetes namespace of the service account."),
        _variable("partition", "string", "AWS partition (aws, aws-cn, aws-us-gov)."),
        _variable("region", "string", "AWS region."),
        _variable("account_id", "string", "AWS account id."),
        _variable("oidc_provider_arn", "string", "ARN of the EKS cluster's IAM OIDC provider."),
        _variable("oidc_issuer", "string",
                  "The cluster's OIDC issuer without https://, e.g. oidc.eks.<region>..."),
        _variable("secret_prefix", "string",
                  "Secrets Manager path of this service's connection secrets."),
        _variable("secret_arns", "list(string)",
                  "Exactly the secrets the service reads: declared ones and connection ones."),
    ]
    databases = {r: s for r, s in infra.items() if s.kind in versions.ENGINES}
    if databases:
        out += [
            _variable("vpc_id", "string", "VPC the databases live in."),
            _variable("vpc_cidr", "string", "CIDR allowed to connect to the databases."),
            _variable("database_subnet_ids", "list(string)", "Subnets of the databases."),
        ]
    for resource in databases:
        out.append(_variable(
            ident(resource),
            "object({ instance_class = string, allocated_storage = number, multi_az = bool })",
            f"Size of the {resource} database in this environment."))
    return out


def _key() -> Block:
    # The key policy keeps the account in control of the key, as AWS's default policy does;
    # IAM policies (the service role's) then grant its use.
    policy = Expr("""jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdministersTheKey"
      Effect    = "Allow"
      Principal = { AWS = "arn:${var.partition}:iam::${var.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })""")
    return (Block("resource", ("aws_kms_key", "this"))
            .set("description", Expr('"Encrypts the resources and secrets of ${var.name_prefix}"'))
            .set("enable_key_rotation", True).set("deletion_window_in_days", 30)
            .set("policy", policy))


def _resource(resource: str, spec: InfraResource) -> list[Block]:
    name = Expr(f'"${{var.name_prefix}}-{resource}"')
    module = module_name(resource, spec)
    if spec.kind == "bucket":
        source, version = versions.S3_BUCKET
        return [Block("module", (module,)).comment(SKIP_MODULE_SHA)
                .set("source", source).set("version", version).blank()
                .set("bucket", name).set("force_destroy", False)
                .set("control_object_ownership", True)
                .set("object_ownership", "BucketOwnerEnforced")
                .set("block_public_acls", True).set("block_public_policy", True)
                .set("ignore_public_acls", True).set("restrict_public_buckets", True)
                .set("attach_deny_insecure_transport_policy", True)
                .set("attach_require_latest_tls_policy", True)
                .set("versioning", {"enabled": True})
                .set("server_side_encryption_configuration", {"rule": {
                    "bucket_key_enabled": True,
                    "apply_server_side_encryption_by_default": {
                        "kms_master_key_id": Expr(KEY), "sse_algorithm": "aws:kms"}}})]
    if spec.kind == "queue":
        source, version = versions.SQS
        return [Block("module", (module,)).comment(SKIP_MODULE_SHA)
                .set("source", source).set("version", version).blank()
                .set("name", name).set("kms_master_key_id", Expr("aws_kms_key.this.id"))
                .set("kms_data_key_reuse_period_seconds", 300)
                .set("create_dlq", True).set("dlq_kms_master_key_id", Expr("aws_kms_key.this.id"))
                .set("redrive_policy", {"maxReceiveCount": 5})]
    return _database(resource, spec, name, module)


def _database(resource: str, spec: InfraResource, name: Expr, module: str) -> list[Block]:
    engine, major, family, logs = versions.ENGINES[spec.kind]
    source, version = versions.RDS
    size = f"var.{ident(resource)}"
    port = 5432 if spec.kind == "postgres" else 3306
    group = (Block("resource", ("aws_security_group", module)).comment(SKIP_SG_ATTACHED)
             .set("name", name).set("description", f"Connections to the {resource} database")
             .set("vpc_id", Expr("var.vpc_id")).blank()
             .add(Block("ingress").set("description", "From the cluster's VPC")
                  .set("from_port", port).set("to_port", port).set("protocol", "tcp")
                  .set("cidr_blocks", [Expr("var.vpc_cidr")])))
    db = (Block("module", (module,)).comment(SKIP_MODULE_SHA)
          .set("source", source).set("version", version).blank()
          .set("identifier", name).set("engine", engine).set("engine_version", major)
          .set("family", family).set("major_engine_version", major)
          .set("instance_class", Expr(f"{size}.instance_class"))
          .set("allocated_storage", Expr(f"{size}.allocated_storage"))
          .set("max_allocated_storage", Expr(f"{size}.allocated_storage * 2"))
          .set("multi_az", Expr(f"{size}.multi_az")).blank()
          .set("db_name", ident(resource)).set("username", DB_ADMIN).set("port", port)
          .set("manage_master_user_password", True)
          .set("master_user_secret_kms_key_id", Expr(KEY))
          .set("iam_database_authentication_enabled", True).blank()
          .set("create_db_subnet_group", True)
          .set("subnet_ids", Expr("var.database_subnet_ids"))
          .set("vpc_security_group_ids", [Expr(f"aws_security_group.{module}.id")]).blank()
          .set("storage_encrypted", True).set("kms_key_id", Expr(KEY))
          .set("deletion_protection", True).set("skip_final_snapshot", False)
          .set("final_snapshot_identifier_prefix", Expr(f'"${{var.name_prefix}}-{resource}-final"'))
          .set("backup_retention_period", 14).set("copy_tags_to_snapshot", True)
          .set("auto_minor_version_upgrade", True)
          .set("performance_insights_enabled", True)
          .set("performance_insights_kms_key_id", Expr(KEY))
          .set("enabled_cloudwatch_logs_exports", logs)
          .set("monitoring_interval", 60).set("create_monitoring_role", True)
          .set("monitoring_role_name", Expr(f'"${{var.name_prefix}}-{resource}-monitoring"')))
    return [group, db]


def connection_values(resource: str, spec: InfraResource) -> dict[str, Value]:
    """What the connection secret of a resource holds: where it is, never a password."""
    module = f"module.{module_name(resource, spec)}"
    if spec.kind == "bucket":
        return {"bucket": Expr(f"{module}.s3_bucket_id"), "region": Expr("var.region")}
    if spec.kind == "queue":
        return {"url": Expr(f"{module}.queue_url"), "region": Expr("var.region")}
    return {"host": Expr(f"{module}.db_instance_address"),
            "port": Expr(f"tostring({module}.db_instance_port)"),
            "dbname": Expr(f"{module}.db_instance_name"), "username": Expr("var.service")}


def _connection_secrets(infra: dict[str, InfraResource]) -> list[Block]:
    names = Expr("toset([" + ", ".join(f'"{r}"' for r in infra) + "])")
    secret = (Block("resource", ("aws_secretsmanager_secret", "connection"))
              .comment(SKIP_ROTATION).set("for_each", names).blank()
              .set("name", Expr('"${var.secret_prefix}/${each.key}"'))
              .set("description", Expr('"Where ${each.key} of ${var.service} is (no password)"'))
              .set("kms_key_id", Expr(KEY)).set("recovery_window_in_days", 7))
    values = {resource: connection_values(resource, spec) for resource, spec in infra.items()}
    version = (Block("resource", ("aws_secretsmanager_secret_version", "connection"))
               .set("for_each", Expr("aws_secretsmanager_secret.connection")).blank()
               .set("secret_id", Expr("each.value.id"))
               .set("secret_string", Expr("jsonencode(local.connection[each.key])")))
    return [Block("locals").set("connection", values), secret, version]


def policy_statements(model: Model, service: str) -> list[tuple[str, list[str], list[str]]]:
    """(sid, actions, resources) of the service role's policy; resources as HCL expressions."""
    infra = dict(sorted(model.services[service].infra.items()))
    out: list[tuple[str, list[str], list[str]]] = []
    if infra:
        out.append(("UseOwnKey", ["kms:Decrypt", "kms:GenerateDataKey"], [KEY]))
    for resource, spec in infra.items():
        module = f"module.{module_name(resource, spec)}"
        sid = "".join(part.capitalize() for part in resource.split("-"))
        if spec.kind == "bucket":
            out.append((f"List{sid}", ["s3:ListBucket"], [f"{module}.s3_bucket_arn"]))
            out.append((f"Objects{sid}", ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
                        [f'"${{{module}.s3_bucket_arn}}/*"']))
        elif spec.kind == "queue":
            out.append((f"Queue{sid}", ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                        "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                                        "sqs:ReceiveMessage", "sqs:SendMessage"],
                        [f"{module}.queue_arn"]))
        else:
            out.append((f"Connect{sid}", ["rds-db:connect"], [
                f'"arn:${{var.partition}}:rds-db:${{var.region}}:${{var.account_id}}:dbuser:'
                f'${{{module}.db_instance_resource_id}}/${{var.service}}"']))
    return out


def _iam(model: Model, service: str, infra: dict[str, InfraResource]) -> list[Block]:
    trust = (Block("data", ("aws_iam_policy_document", "trust")).add(
        Block("statement").set("sid", "ServiceAccount")
        .set("actions", ["sts:AssumeRoleWithWebIdentity"])
        .add(Block("principals").set("type", "Federated")
             .set("identifiers", [Expr("var.oidc_provider_arn")]))
        .add(Block("condition").set("test", "StringEquals")
             .set("variable", Expr('"${var.oidc_issuer}:sub"'))
             .set("values", [Expr('"system:serviceaccount:${var.namespace}:${var.service}"')]))
        .add(Block("condition").set("test", "StringEquals")
             .set("variable", Expr('"${var.oidc_issuer}:aud"'))
             .set("values", ["sts.amazonaws.com"]))))
    access = Block("data", ("aws_iam_policy_document", "access"))
    if uses_aws_secrets(model, service) or infra:
        access.add(Block("dynamic", ("statement",))
                   .set("for_each", Expr('length(var.secret_arns) > 0 ? ["ReadSecrets"] : []'))
                   .blank().add(Block("content")
                                .set("sid", Expr("statement.value"))
                                .set("actions", ["secretsmanager:DescribeSecret",
                                                 "secretsmanager:GetSecretValue"])
                                .set("resources", Expr("var.secret_arns"))))
    for sid, actions, resources in policy_statements(model, service):
        access.add(Block("statement").set("sid", sid).set("actions", actions)
                   .set("resources", [Expr(r) for r in resources]))
    role = (Block("resource", ("aws_iam_role", "this")).set("name", Expr("var.name_prefix"))
            .set("description", Expr('"Service account ${var.namespace}/${var.service} (IRSA)"'))
            .set("assume_role_policy", Expr("data.aws_iam_policy_document.trust.json"))
            .set("max_session_duration", 3600))
    attached = (Block("resource", ("aws_iam_role_policy", "access"))
                .set("name", Expr('"${var.name_prefix}-access"'))
                .set("role", Expr("aws_iam_role.this.id"))
                .set("policy", Expr("data.aws_iam_policy_document.access.json")))
    return [trust, access, role, attached]


def _outputs(infra: dict[str, InfraResource]) -> list[Block]:
    out = [Block("output", ("role_arn",)).set("description",
                                               "The role the service account is annotated with.")
           .set("value", Expr("aws_iam_role.this.arn"))]
    if infra:
        out.append(Block("output", ("connection_secret_arns",))
                   .set("description", "The connection secrets, by resource.")
                   .set("value", Expr("{ for k, s in aws_secretsmanager_secret.connection :"
                                      " k => s.arn }")))
    return out
