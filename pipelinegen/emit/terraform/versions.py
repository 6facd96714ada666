"""Versions the generated Terraform pins, each checked against its project's published releases.

Community modules are pinned exactly (a module's inputs change between minors); the AWS
provider by `~>` in the environments (one lock file per environment pins the exact build) and
by a lower bound in the modules, as HashiCorp advises for reusable modules.
"""

from __future__ import annotations

TERRAFORM = ">= 1.5.0, < 2.0.0"
AWS_PROVIDER = "~> 5.80"
AWS_PROVIDER_MODULES = ">= 5.80, < 6.0"
# terraform-aws-modules: rds 6.6.0 (2024-05-03), s3-bucket 4.1.2 (2024-04-16), sqs 4.2.1
# (2024-10-11); all built for AWS provider 5.
RDS = ("terraform-aws-modules/rds/aws", "6.6.0")
S3_BUCKET = ("terraform-aws-modules/s3-bucket/aws", "4.1.2")
SQS = ("terraform-aws-modules/sqs/aws", "4.2.1")
# Engine versions of new databases (RDS picks the newest minor; minor upgrades are automatic).
ENGINES: dict[str, tuple[str, str, str, list[str]]] = {
    # kind: (engine, major version, parameter group family, log exports)
    "postgres": ("postgres", "16", "postgres16", ["postgresql", "upgrade"]),
    "mysql": ("mysql", "8.0", "mysql8.0", ["error", "slowquery"]),
}
