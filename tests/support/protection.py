"""A model for the branch-protection tests, and running one validate rule on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from pipelinegen import validate as validation
from pipelinegen.errors import Problem
from pipelinegen.model import HELM_TEST_IMAGE
from pipelinegen.protection import scorecard
from pipelinegen.workspace import Workspace


def services_yaml(protection: str = "", project_extra: str = "", owners: str = '["@acme/api"]',
                  gate: str = "gate") -> str:
    block = textwrap.indent(textwrap.dedent(protection).strip(), "    ")
    return (
        "version: 1\n"
        "project:\n"
        "  name: demo\n"
        "  repository: acme/demo\n"
        "  registry: ghcr.io/acme\n"
        f"  gate_job: {gate}\n"
        "  environments: [{name: dev, namespace: demo-dev}]\n"
        f"{project_extra}"
        "  branch_protection:\n"
        f"    minimum_tier: 0\n{block}\n"
        f"bases: {{helm-test: '{HELM_TEST_IMAGE}'}}\n"
        "services:\n"
        "  api:\n"
        "    path: services/api\n"
        "    stack: dockerfile\n"
        "    dockerfile: services/api/Dockerfile\n"
        "    port: 8080\n"
        "    depends_on: [packages/common]\n"
        f"    owners: {owners}\n"
        "  web:\n"
        "    path: services/web\n"
        "    stack: dockerfile\n"
        "    dockerfile: services/web/Dockerfile\n"
        "    port: 3000\n"
        "    depends_on: [packages/common, services/api]\n"
        '    owners: ["@acme/web"]\n'
    )


def run_rule(root: Path, text: str, rule_id: str, scorecard_files: bool = True
             ) -> list[Problem]:
    (root / "services.yaml").write_text(text)
    ws = Workspace.locate(root / "services.yaml", root)
    if scorecard_files:  # as `generate` writes them
        for _, path in scorecard.CHECKS:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(ws.plan.outputs[path])
    return validation.run(validation.Context(ws.root, ws.inputs, ws.plan), [rule_id])
