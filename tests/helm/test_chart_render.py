"""Every chart of the bundled example renders with the real Helm SDK for every environment and
rollout state, `helm lint --strict` is clean, and every object passes the strict Kubernetes
schema."""

from __future__ import annotations

from types import ModuleType

import pytest

from pipelinegen.validate import crds, rendering
from pipelinegen.validate.rendering import KUBE_VERSION
from tests.support.charts import ENVIRONMENTS, MODEL, ROOT, SERVICES

SCENARIOS = [s for svc in SERVICES for s in rendering.scenarios(MODEL, svc)]


def test_every_service_and_environment_is_covered() -> None:
    covered = {(s.service, s.environment.name) for s in SCENARIOS}
    assert covered == {(svc, env) for svc in SERVICES for env in ENVIRONMENTS}
    assert any(s.overrides.get("canary") for s in SCENARIOS)
    assert any(s.overrides.get("blueGreen") for s in SCENARIOS)


@pytest.mark.helm
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: f"{s.service}-{s.title}")
def test_renders_and_validates_strictly(sdk: ModuleType, kube: ModuleType,
                                        scenario: rendering.Scenario) -> None:
    objects = rendering.objects(rendering.render(sdk, ROOT, scenario), scenario.chart)
    kinds = {obj.kind for obj in objects}
    served = MODEL.services[scenario.service].port is not None
    # A service without a port has no Service and no `helm test` pod.
    assert {"Deployment", "ServiceAccount", "NetworkPolicy", *(["Service", "Pod"] * served)} \
        <= kinds
    for obj in objects:
        assert obj.body["metadata"]["namespace"] == scenario.environment.namespace
        if crds.vendored(obj.body):
            # The operators' objects (External Secrets, Prometheus): against their vendored CRDs.
            assert crds.errors(obj.body) == [], obj.body
            continue
        # Raises on any schema violation; strict: unknown fields are errors.
        assert kube.validate(obj.body, KUBE_VERSION, strict=True) == "1.36"


@pytest.mark.helm
def test_strict_schema_rejects_an_unknown_field(sdk: ModuleType, kube: ModuleType) -> None:
    rendered = rendering.render(sdk, ROOT, SCENARIOS[0])
    [service] = [o for o in rendering.objects(rendered, SCENARIOS[0].chart) if o.kind == "Service"]
    body = {**service.body, "spec": {**service.body["spec"], "selectr": {}}}
    with pytest.raises(kube.ValidationError):
        kube.validate(body, KUBE_VERSION, strict=True)


@pytest.mark.helm
@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("service", SERVICES)
def test_helm_lint_has_no_errors_or_warnings(sdk: ModuleType, service: str,
                                             environment: str) -> None:
    env = next(e for e in MODEL.project.environments if e.name == environment)
    scenario = rendering.Scenario(service, env)
    values = rendering.scenario_values(sdk, ROOT, scenario)
    report = sdk.lint(str(ROOT / scenario.chart), values, strict=True,
                      namespace=env.namespace, kube_version=f"v{KUBE_VERSION}")
    assert report["total_charts_linted"] == 1
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


@pytest.mark.helm
def test_values_of_one_environment_refuse_another_namespace(sdk: ModuleType) -> None:
    chart = ROOT / "generated/helm/api"
    values = sdk.values_from_yaml((chart / "values-production.yaml").read_text())
    with sdk.Chart.load(str(chart)) as loaded, pytest.raises(sdk.HelmError) as caught:
        loaded.render(values=values, name="api", namespace="printloop-dev")
    assert "belong in namespace" in str(caught.value)


@pytest.mark.helm
def test_helm_packages_the_chart(sdk: ModuleType, tmp_path: object) -> None:
    archive = sdk.package(str(ROOT / "generated/helm/docs"), destination=str(tmp_path))
    with sdk.Chart.load(archive) as chart:
        assert chart.metadata["apiVersion"] == "v2"
        assert chart.version.startswith(MODEL.services["docs"].app_version + "+")
        assert chart.metadata["appVersion"] == MODEL.services["docs"].app_version
        assert chart.schema is not None
