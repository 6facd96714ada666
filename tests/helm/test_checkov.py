"""checkov's Kubernetes checks pass on every rendered chart: every service of the bundled example
in every environment, as deployed (image by digest) and mid-rollout, `helm test` pod included.

The charts are rendered by the real Helm SDK and checked by the real checkov (the one
scripts/bootstrap installs in .tools/checkov); the only skips are those of
.checkov/kubernetes.yaml, each with its reason there.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import helm_python
import pytest
from ruamel.yaml import YAML

from pipelinegen.validate import rendering
from tests.support.charts import MODEL, ROOT, SERVICES

CONFIG = ROOT / ".checkov/kubernetes.yaml"


def _checkov() -> str:
    given = os.environ.get("PIPELINEGEN_CHECKOV")
    path = Path(given) if given else ROOT / ".tools/checkov/bin/checkov"
    if not path.is_file():
        raise AssertionError("checkov is missing: run scripts/bootstrap (or set"
                             " PIPELINEGEN_CHECKOV)")
    return str(path)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file of manifests per service and scenario, as Helm renders them."""
    out = tmp_path_factory.mktemp("rendered")
    deployed = {"image": {"digest": rendering.PLACEHOLDER_DIGEST}}
    for service in SERVICES:
        for index, given in enumerate(rendering.scenarios(MODEL, service)):
            scenario = rendering.Scenario(service, given.environment,
                                          rendering.merge(deployed, given.overrides))
            texts = rendering.render(helm_python, ROOT, scenario)
            (out / f"{service}-{index}.yaml").write_text("\n---\n".join(
                text for name, text in sorted(texts.items()) if not name.endswith("NOTES.txt")))
    return out


def test_checkov_reports_no_failure_on_any_chart(rendered: Path) -> None:
    result = subprocess.run(
        [_checkov(), "-d", str(rendered), "--framework", "kubernetes", "--skip-download",
         "--config-file", str(CONFIG), "-o", "json"],
        capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    failed = Counter((check["check_id"], check["resource"])
                     for check in report["results"].get("failed_checks", []))
    assert report["summary"]["failed"] == 0, sorted(failed)
    assert report["summary"]["parsing_errors"] == 0
    # Every kind of object was checked, the `helm test` pods and their policies among them.
    resources = {check["resource"] for check in report["results"]["passed_checks"]}
    for service in SERVICES:
        assert any(r.startswith("Deployment.") and f".{service}" in r for r in resources)
        if MODEL.services[service].port is not None:
            assert f"Pod.{MODEL.project.environments[0].namespace}.{service}-test" in resources
    skips = YAML(typ="safe").load(CONFIG.read_text())["skip-check"]
    skipped = {check["check_id"] for check in report["results"].get("skipped_checks", [])}
    assert skipped <= set(skips) and len(skips) <= 3


def test_the_test_pod_is_selected_by_a_policy_its_service_admits() -> None:
    """The NetworkPolicy of the `helm test` pod lets it reach its service's port and DNS only,
    and the service's own policy lets the test pod in."""
    from tests.support.charts import render

    for service in SERVICES:
        port = MODEL.services[service].port
        objs = {(o.kind, o.name): o.body for o in render(service, "staging")}
        if port is None:
            assert not [key for key in objs if key[1] == f"{service}-test"]
            continue
        test_pod = objs[("Pod", f"{service}-test")]
        policy = objs[("NetworkPolicy", f"{service}-test")]["spec"]
        labels = test_pod["metadata"]["labels"]
        assert all(labels[k] == v for k, v in policy["podSelector"]["matchLabels"].items())
        assert policy["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in policy
        to_service = [rule for rule in policy["egress"]
                      if rule["ports"] == [{"port": port, "protocol": "TCP"}]]
        assert len(policy["egress"]) == 2 and len(to_service) == 1
        own = objs[("NetworkPolicy", service)]["spec"]
        admitted = [peer["podSelector"]["matchLabels"] for rule in own["ingress"]
                    for peer in rule["from"] if "podSelector" in peer]
        assert any(all(labels.get(k) == v for k, v in match.items()) for match in admitted)
