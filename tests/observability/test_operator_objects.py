"""ServiceMonitor and PrometheusRule objects, validated strictly against the operator's CRDs
(vendored from prometheus-operator v0.93.0), rendered by the real Helm SDK."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import helm_python
import pytest
import yaml

from pipelinegen import load
from pipelinegen.emit.observability import observed
from pipelinegen.validate import crds, rendering
from tests.support.observability import bundled, generate

pytestmark = pytest.mark.helm


def _objects(root: Path, service: str, kind: str) -> list[dict[str, Any]]:
    if not (root / "services.yaml").exists():
        generate(bundled(), root)
    model = load.loads((root / "services.yaml").read_bytes(), "services.yaml")
    found = []
    for scenario in rendering.scenarios(model, service):
        rendered = rendering.render(helm_python, root, scenario)
        found += [o.body for o in rendering.objects(rendered, scenario.chart) if o.kind == kind]
    return found


def test_every_service_monitor_validates_and_selects_the_service(tmp_path: Path) -> None:
    services = observed(generate(bundled(), tmp_path))
    assert services == ["api", "docs", "renderer", "web", "worker"]
    for service in services:
        monitors = _objects(tmp_path, service, "ServiceMonitor")
        assert len(monitors) >= 3, service  # every environment
        for monitor in monitors:
            assert crds.errors(monitor) == []
            assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
            assert monitor["spec"]["jobLabel"] == "app.kubernetes.io/name"
            assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"


def test_no_service_monitor_for_a_service_without_slos(tmp_path: Path) -> None:
    docs = '    owners: ["@printloop/docs"]\n    slos:\n      availability: {}\n'
    text = bundled()
    assert text.count(docs) == 1
    generate(text.replace(docs, '    owners: ["@printloop/docs"]\n'), tmp_path)
    assert _objects(tmp_path, "docs", "ServiceMonitor") == []
    assert _objects(tmp_path, "web", "ServiceMonitor")


def test_network_policy_lets_prometheus_scrape(tmp_path: Path) -> None:
    [policy, *_] = _objects(tmp_path, "api", "NetworkPolicy")
    sources = policy["spec"]["ingress"][0]["from"]
    assert {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}} in sources


def test_strict_crd_validation_rejects_unknown_and_mistyped_fields(tmp_path: Path) -> None:
    [monitor, *_] = _objects(tmp_path, "api", "ServiceMonitor")
    typo = copy.deepcopy(monitor)
    typo["spec"]["endpoints"][0]["pth"] = "/metrics"
    assert [path for path, _ in crds.errors(typo)] == ["spec.endpoints.0"]
    wrong = copy.deepcopy(monitor)
    wrong["spec"]["endpoints"] = "http"
    assert crds.errors(wrong)


def test_prometheus_rules_validate_and_carry_the_release_label(tmp_path: Path) -> None:
    services = observed(generate(bundled(), tmp_path))
    assert len(services) == 5
    for service in services:
        path = tmp_path / "generated" / "observability" / service / "prometheusrule.yaml"
        rule = yaml.safe_load(path.read_text())
        assert crds.errors(rule) == []
        assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
        broken = copy.deepcopy(rule)
        broken["spec"]["groups"][0]["rules"][0]["recrod"] = "x"
        assert crds.errors(broken)
