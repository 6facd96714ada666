"""Every job of every generated workflow holds exactly the token scopes its steps need.

The needs are read off the steps themselves (which action, which command), so a step added
without its scope, or a scope left behind after its step went, fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models

Scopes = dict[str, str]
LEVEL = {"read": 1, "write": 2}


def _add(needs: Scopes, scope: str, level: str) -> None:
    if LEVEL[level] > LEVEL.get(needs.get(scope, ""), 0):
        needs[scope] = level


def _uses_token_for_registry(steps: list[dict[str, Any]]) -> bool:
    """The job logs in to ghcr.io with GITHUB_TOKEN (other registries use a secret)."""
    return any(s.get("uses", "").startswith("docker/login-action@")
               and s["with"]["password"] == "${{ github.token }}" for s in steps)


def step_needs(step: dict[str, Any], registry_token: bool, needs: Scopes) -> None:
    action = step.get("uses", "").split("@")[0]
    run = step.get("run", "")
    writes_registry = ("docker push" in run or "cosign sign" in run
                       or bool(step.get("with", {}).get("push-to-registry")))
    if action == "actions/checkout":
        _add(needs, "contents", "read")
    if action == "aws-actions/configure-aws-credentials" or "cosign sign" in run:
        _add(needs, "id-token", "write")
    if action in ("actions/attest-build-provenance", "actions/attest-sbom"):
        _add(needs, "id-token", "write")
        _add(needs, "attestations", "write")
    if registry_token and writes_registry:
        _add(needs, "packages", "write")
    if registry_token and ("imagetools inspect" in run or "cosign verify" in run
                           or "gh attestation verify" in run):
        _add(needs, "packages", "read")
    scanned = step.get("with", {}).get("image") or step.get("with", {}).get("image-ref") or ""
    if registry_token and action in ("anchore/scan-action", "aquasecurity/trivy-action") \
            and "@" in scanned:  # by digest: pulled from the registry, not the local build
        _add(needs, "packages", "read")
    if "gh api" in run and "/actions/runs/" in run:
        _add(needs, "actions", "read")
    if action == "actions/github-script" and "createComment" in step["with"]["script"]:
        _add(needs, "pull-requests", "write")
    if "gh issue create" in run:
        _add(needs, "issues", "write")
    if action.startswith("github/codeql-action/"):
        _add(needs, "security-events", "write")


def job_needs(job: dict[str, Any], flows: dict[str, Any]) -> Scopes:
    needs: Scopes = {}
    if "uses" in job:  # a reusable workflow: the caller grants what its jobs hold
        called = flows[Path(job["uses"]).name]
        for inner in called["jobs"].values():
            for scope, level in job_needs(inner, flows).items():
                _add(needs, scope, level)
        return needs
    token = _uses_token_for_registry(job["steps"])
    for step in job["steps"]:
        step_needs(step, token, needs)
    return needs


@pytest.mark.parametrize("model", ["bundled", "variant"])
def test_every_job_holds_exactly_what_its_steps_need(model: str, tmp_path: Path) -> None:
    files = workflow_models.bundled() if model == "bundled" else workflow_models.variant(tmp_path)
    flows = {Path(path).name: YAML(typ="safe").load(text) for path, text in files.items()}
    checked = 0
    for name, flow in flows.items():
        for job_id, job in flow["jobs"].items():
            assert dict(job["permissions"]) == job_needs(job, flows), (name, job_id)
            checked += 1
    assert checked >= 9


def test_the_reading_notices_a_missing_scope() -> None:
    """Guards the test above: a signing step without its OIDC scope is seen to need it."""
    job = {"permissions": {"packages": "write"}, "steps": [
        {"uses": "docker/login-action@x", "with": {"password": "${{ github.token }}"}},
        {"run": 'cosign sign --yes "${REF}"'}]}
    assert job_needs(job, {}) == {"id-token": "write", "packages": "write"}
