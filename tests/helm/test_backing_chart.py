"""The chart of a backing service (the example's redis `cache`): hardened, strictly valid in
every environment, clean by checkov, and reachable only from the services that use it, whose
own NetworkPolicies let them out to it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

from pipelinegen.validate import rendering
from tests.support.charts import ENVIRONMENTS, MODEL, ROOT, render

CHECKOV = ROOT / ".tools/checkov/bin/checkov"


def _objects(environment: str, name: str = "cache") -> dict[str, dict[str, Any]]:
    return {obj.kind: obj.body for obj in render(name, environment)}


def test_the_example_declares_a_backing_service_used_by_one_service() -> None:
    assert list(MODEL.backing) == ["cache"]
    assert [name for name, svc in MODEL.services.items() if svc.uses] == ["api"]


def test_every_environment_renders_strictly_valid_objects(kube: ModuleType) -> None:
    for environment in ENVIRONMENTS:
        objects = render("cache", environment)
        assert sorted(obj.kind for obj in objects) == [
            "Deployment", "NetworkPolicy", "Service", "ServiceAccount"]
        for obj in objects:
            kube.validate(obj.body, rendering.KUBE_VERSION, strict=True)


def test_helm_lint_strict_is_clean(sdk: ModuleType) -> None:
    for env in MODEL.project.environments:
        values = sdk.values_from_yaml((ROOT / f"generated/helm/cache/values-{env.name}.yaml")
                                      .read_text())
        report = sdk.lint(str(ROOT / "generated/helm/cache"), values, strict=True,
                          namespace=env.namespace, kube_version=f"v{rendering.KUBE_VERSION}")
        assert [m for m in report.get("messages", []) if int(m.get("severity", 0)) >= 2] == []


def test_the_pod_is_hardened_and_runs_the_pinned_image() -> None:
    deployment = _objects("production")["Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["image"] == MODEL.bases["redis"] and "@sha256:" in container["image"]
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] and context["runAsNonRoot"]
    assert context["runAsUser"] == MODEL.project.defaults.uid
    assert context["capabilities"]["drop"] == ["ALL"] and not context["allowPrivilegeEscalation"]
    assert pod["automountServiceAccountToken"] is False
    assert container["resources"]["limits"] and container["resources"]["requests"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["exec"]["command"] == ["redis-cli", "ping"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/data"]] and "emptyDir" in volumes[mounts["/tmp"]]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # its data is the pod's own


def test_only_its_users_get_in_and_it_gets_out_nowhere() -> None:
    policy = _objects("dev")["NetworkPolicy"]["spec"]
    [rule] = policy["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "api"}}}]
    assert rule["ports"] == [{"port": "tcp", "protocol": "TCP"}]
    assert policy["egress"] == [] and policy["policyTypes"] == ["Ingress", "Egress"]


def _egress_to_cache(service: str) -> list[dict[str, Any]]:
    # The service's own policy (its helm test pod has one of its own, named <service>-test).
    policy = next(obj.body for obj in render(service, "dev")
                  if obj.kind == "NetworkPolicy" and obj.body["metadata"]["name"] == service)
    return [rule for rule in policy["spec"]["egress"]
            if {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "cache"}}}
            in rule["to"]]


def test_users_may_connect_to_it_and_no_other_service_may() -> None:
    assert _egress_to_cache("api") == [{
        "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "cache"}}}],
        "ports": [{"port": 6379, "protocol": "TCP"}]}]
    for service in MODEL.services:
        if service != "api":
            assert _egress_to_cache(service) == [], service


def test_a_service_that_stops_using_it_loses_both_ways(tmp_path: Path) -> None:
    from pipelinegen import load
    from pipelinegen.emit.helm import backing, values

    text = (ROOT / "services.yaml").read_text().replace("    uses: [cache]", "    uses: []")
    model = load.loads(text.encode(), "services.yaml")
    assert backing.users(model, "cache") == []
    assert all(callee.service != "cache" for callee in values.calls(model, "api"))


def test_checkov_reports_no_failure_on_the_rendered_chart(tmp_path: Path) -> None:
    given = os.environ.get("PIPELINEGEN_CHECKOV")
    checkov = Path(given) if given else CHECKOV
    assert checkov.is_file(), f"{checkov} is missing: run scripts/bootstrap"
    for environment in ENVIRONMENTS:
        manifests = [json.dumps(obj.body) for obj in render("cache", environment)]
        (tmp_path / f"cache-{environment}.yaml").write_text("\n---\n".join(manifests) + "\n")
    done = subprocess.run([str(checkov), "-d", str(tmp_path), "--framework", "kubernetes",
                           "--skip-download", "-o", "json"], capture_output=True, text=True,
                          check=False)
    reports = json.loads(done.stdout)
    report = reports[0] if isinstance(reports, list) else reports
    failed = [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert report["summary"]["failed"] == 0, failed
    assert report["summary"]["passed"] >= 30 * len(ENVIRONMENTS)
    assert report["results"]["skipped_checks"] == []
