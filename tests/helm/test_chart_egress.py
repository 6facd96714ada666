"""Egress in the model (IP blocks with holes, namespaces, pod labels) and the ingress
controller's namespace reach the NetworkPolicy; the chart still renders, lints clean and passes
the strict Kubernetes schema with the real Helm SDK. A repository's own values file per service
and environment is left alone by generate."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import helm_python
import pytest

from pipelinegen import load, validate, writer
from pipelinegen.errors import InputError
from pipelinegen.validate import rendering
from pipelinegen.validate.registry import Context
from pipelinegen.workspace import Workspace
from tests.support.charts import ROOT

EGRESS = """\
      egress:
        - cidr: 10.20.0.0/16
          except: [10.20.9.0/24]
          ports: [5432]
        - namespace: monitoring
          pods: {app.kubernetes.io/name: otel-collector}
          ports: [4317, 4318]
        - pods: {app: cache}
          ports: [6379]
        - namespace: metrics
          protocol: UDP
"""
PRODUCTION = """\
      production:
        egress:
          - cidr: 172.16.0.0/12
            ports: [5432]
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("egress")
    text = (ROOT / "services.yaml").read_text()
    text = text.replace('  owners: ["@printloop/platform"]\n',
                        '  owners: ["@printloop/platform"]\n  ingress_namespace: traefik\n', 1)
    anchor = "        SHOP_WEBHOOK_TOKEN: {secret: api-webhooks, key: token}\n"
    text = text.replace(anchor, anchor + EGRESS.replace("      egress", "      egress", 1), 1)
    text = text.replace("      production:\n        autoscaling:",
                        PRODUCTION + "        autoscaling:", 1)
    (root / "services.yaml").write_text(text)
    ws = Workspace.locate(root / "services.yaml", root)
    writer.write_changes(ws.compare(), root)
    return root


def _policy(repo: Path, environment: str) -> dict[str, Any]:
    model = load.load(repo / "services.yaml")
    env = next(e for e in model.project.environments if e.name == environment)
    scenario = rendering.Scenario("api", env)
    objects = rendering.objects(rendering.render(helm_python, repo, scenario), scenario.chart)
    [policy] = [o.body for o in objects if o.kind == "NetworkPolicy" and o.name == "api"]
    return dict(policy["spec"])


@pytest.mark.helm
def test_model_egress_becomes_network_policy_rules(repo: Path) -> None:
    spec = _policy(repo, "dev")
    # After DNS and the egress to the service's own cloud resources (services.yaml `infra`).
    assert spec["egress"][-4:] == [
        {"to": [{"ipBlock": {"cidr": "10.20.0.0/16", "except": ["10.20.9.0/24"]}}],
         "ports": [{"port": 5432, "protocol": "TCP"}]},
        {"to": [{"namespaceSelector": {"matchLabels": {
                    "kubernetes.io/metadata.name": "monitoring"}},
                 "podSelector": {"matchLabels": {"app.kubernetes.io/name": "otel-collector"}}}],
         "ports": [{"port": 4317, "protocol": "TCP"}, {"port": 4318, "protocol": "TCP"}]},
        {"to": [{"podSelector": {"matchLabels": {"app": "cache"}}}],
         "ports": [{"port": 6379, "protocol": "TCP"}]},
        # No ports: every port of the namespace's pods.
        {"to": [{"namespaceSelector": {"matchLabels": {
            "kubernetes.io/metadata.name": "metrics"}}}]},
    ]
    ingress_from = spec["ingress"][0]["from"][0]
    assert ingress_from == {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "traefik"}}}


@pytest.mark.helm
def test_an_environment_replaces_the_egress_list(repo: Path) -> None:
    spec = _policy(repo, "production")
    assert not any(rule.get("to") == [{"ipBlock": {"cidr": "10.20.0.0/16",
                                                   "except": ["10.20.9.0/24"]}}]
                   for rule in spec["egress"])  # the service-wide list is replaced
    assert spec["egress"][-1:] == [{"to": [{"ipBlock": {"cidr": "172.16.0.0/12"}}],
                                   "ports": [{"port": 5432, "protocol": "TCP"}]}]


@pytest.mark.helm
def test_charts_with_egress_render_lint_and_validate_strictly(repo: Path) -> None:
    ws = Workspace.locate(repo / "services.yaml", repo)
    found = validate.run(Context(ws.root, ws.inputs, ws.plan),
                         ["chart-render", "chart-lint", "chart-schema", "consistency"])
    assert found == []


@pytest.mark.parametrize(("rule", "message"), [
    ("{cidr: 10.0.0.0/8, namespace: db}", "either 'cidr' or 'namespace'/'pods'"),
    ("{ports: [5432]}", "either 'cidr' or 'namespace'/'pods'"),
    ("{cidr: 10.0.0.0/8, except: [192.168.0.0/16]}", "except 192.168.0.0/16 is not inside"),
    ("{namespace: db, except: [10.0.0.0/24]}", "'except' narrows a 'cidr'"),
    ("{cidr: 10.0.0.1/8}", "not a CIDR block"),
    ("{cidr: 10.0.0.0/8, ports: [0]}", "greater than or equal to 1"),
])
def test_malformed_egress_is_rejected_where_written(rule: str, message: str) -> None:
    text = (ROOT / "services.yaml").read_text().replace(
        "      env:\n        LOG_LEVEL: info\n",
        f"      env:\n        LOG_LEVEL: info\n      egress: [{rule}]\n", 1)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("      egress:"))
    with pytest.raises(InputError) as caught:
        load.loads(text.encode(), "services.yaml")
    [problem] = caught.value.problems
    assert problem.line == line and "services.api.deploy.egress[0]" in problem.message
    assert message in problem.message


def test_generate_never_touches_the_own_values_files(tmp_path: Path) -> None:
    shutil.copy(ROOT / "services.yaml", tmp_path / "services.yaml")
    own = tmp_path / "deploy/values/api-production.yaml"
    own.parent.mkdir(parents=True)
    own.write_text("networkPolicy:\n  extraEgress: []\n")
    for _ in range(2):
        ws = Workspace.locate(tmp_path / "services.yaml", tmp_path)
        writer.write_changes(ws.compare(), tmp_path)
    assert own.read_text() == "networkPolicy:\n  extraEgress: []\n"
    comparison = Workspace.locate(tmp_path / "services.yaml", tmp_path).compare()
    assert comparison.clean and not any(p.startswith("deploy/") for p in comparison.plan.files)


@pytest.mark.helm
def test_the_own_values_file_is_rendered_and_checked(repo: Path) -> None:
    own = repo / "deploy/values/api-dev.yaml"
    own.parent.mkdir(parents=True, exist_ok=True)
    rule = {"to": [{"ipBlock": {"cidr": "192.0.2.0/24"}}],
            "ports": [{"port": 443, "protocol": "TCP"}]}
    own.write_text("networkPolicy:\n  extraEgress:\n    - to: [{ipBlock: {cidr: 192.0.2.0/24}}]\n"
                   "      ports: [{port: 443, protocol: TCP}]\n")
    try:
        assert _policy(repo, "dev")["egress"][-1] == rule
        ws = Workspace.locate(repo / "services.yaml", repo)
        context = Context(ws.root, ws.inputs, ws.plan)
        assert validate.run(context, ["chart-render", "chart-lint", "chart-schema"]) == []
        own.write_text("replicas: two\n")  # the chart's values schema still applies
        [problem, *_] = validate.run(context, ["chart-render"])
        assert "replicas" in problem.message
    finally:
        own.unlink()
