"""infra/terraform/: Terraform for what each service needs, when the model names an AWS account.

modules/<service>/ holds a service's resources and IAM role; environments/<env>/ composes them
for one environment. The files are formatted as `terraform fmt` writes them.
"""

from __future__ import annotations

from pipelinegen.core import layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.header import header
from pipelinegen.emit.terraform import environment, hcl, service

ROOT = layout.TERRAFORM


def emit(inputs: Inputs) -> dict[str, str]:
    model = inputs.model
    if model.project.aws is None:
        return {}
    head = header(inputs.source) + "\n"
    files: dict[str, str] = {}
    for name in sorted(model.services):
        if service.needs_module(model, name):
            for file, blocks in service.files(model, name).items():
                files[f"{ROOT}/modules/{name}/{file}"] = hcl.document(blocks, head)
    for env in model.project.environment_names():
        for file, blocks in environment.files(model, env).items():
            files[f"{ROOT}/environments/{env}/{file}"] = hcl.document(blocks, head)
    return files
