"""values.schema.json (generated from the values model) makes Helm itself reject bad values."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pipelinegen.emit.helm import values
from tests.support.charts import DIGEST_A, ROOT, SERVICES

CHART = ROOT / "generated/helm/api"


def _render(sdk: ModuleType, overrides: dict[str, Any]) -> dict[str, str]:
    with sdk.Chart.load(str(CHART)) as chart:
        rendered: dict[str, str] = chart.render(values=overrides, name="api", namespace="ns")
        return rendered


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_schema_is_the_values_model(service: str) -> None:
    on_disk = json.loads((ROOT / f"generated/helm/{service}/values.schema.json").read_text())
    assert on_disk == json.loads(values.schema_text())
    assert on_disk["additionalProperties"] is False
    assert on_disk["properties"]["replicas"]["type"] == "integer"


@pytest.mark.helm
@pytest.mark.parametrize(("bad", "complaint"), [
    ({"replicas": "two"}, "at '/replicas': got string, want integer"),
    ({"replica": 2}, "additional properties 'replica' not allowed"),
    ({"image": {"digest": "latest"}}, "'/image/digest'"),
    ({"strategy": "recreate"}, "'/strategy'"),
    ({"blueGreen": {"active": "red"}}, "'/blueGreen/active'"),
    ({"canary": {"replicas": 0}}, "'/canary/replicas'"),
    ({"podSecurity": {"runAsUser": 0}}, "'/podSecurity/runAsUser'"),
    ({"secrets": {"TOKEN": {"secret": "api-webhooks", "key": "token", "value": "hunter2"}}},
     "additional properties 'value' not allowed"),
])
def test_helm_rejects_bad_values(sdk: ModuleType, bad: dict[str, Any], complaint: str) -> None:
    with pytest.raises(sdk.HelmValuesError) as caught:
        _render(sdk, bad)
    assert complaint in str(caught.value)


@pytest.mark.helm
def test_helm_lint_rejects_a_bad_values_file(sdk: ModuleType, tmp_path: Path) -> None:
    bad = tmp_path / "values-bad.yaml"
    bad.write_text("replicas: two\nreplica: 3\n")
    report = sdk.lint(str(CHART), sdk.values_from_yaml(bad.read_text()), strict=True)
    errors = " ".join(report["errors"])
    assert "at '/replicas': got string, want integer" in errors
    assert "additional properties 'replica' not allowed" in errors


@pytest.mark.helm
def test_helm_accepts_the_values_the_deploy_workflow_sets(sdk: ModuleType) -> None:
    rendered = _render(sdk, {
        "image": {"digest": DIGEST_A}, "strategy": "canary",
        "canary": {"digest": DIGEST_A, "replicas": 2},
        "blueGreen": {"active": "green", "green": {"digest": DIGEST_A}},
        "resources": {"limits": {"cpu": 1, "memory": "1Gi"}},
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    })
    assert f"ghcr.io/printloop/api@{DIGEST_A}" in rendered["api/templates/deployment.yaml"]
