"""Every rendered pod template (each Deployment of every strategy, and the helm test Pod) meets
the Pod Security Standard "restricted" and pipelinegen's hardening list, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from pipelinegen import cloud
from tests.support.charts import DIGEST_A, MODEL, ROOT, SERVICES, render, sdk_scenarios_objects

UID = MODEL.project.defaults.uid
GID = MODEL.project.defaults.gid

PODS = [
    pytest.param(scenario, obj, id=f"{scenario.service}-{scenario.title}-{obj.kind}-{obj.name}")
    for scenario, objects in sdk_scenarios_objects(ROOT)
    for obj in objects if obj.kind in ("Deployment", "Pod")
]


def _pod(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pod metadata, pod spec) of a Deployment's template or of a bare Pod."""
    if obj.kind == "Pod":
        return obj.body["metadata"], obj.body["spec"]
    template = obj.body["spec"]["template"]
    return template["metadata"], template["spec"]


@pytest.mark.helm
@pytest.mark.parametrize(("scenario", "obj"), PODS)
def test_pod_template_is_hardened(scenario: Any, obj: Any) -> None:
    metadata, spec = _pod(obj)
    svc = MODEL.services[scenario.service]

    assert spec["automountServiceAccountToken"] is False
    pod_security = spec["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] == UID
    assert pod_security["runAsGroup"] == GID
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "hostNetwork" not in spec and "hostPID" not in spec and "hostIPC" not in spec

    tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
    assert spec["containers"], "a pod without containers"
    for container in spec["containers"]:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["privileged"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["runAsNonRoot"] is True
        assert security["runAsUser"] == UID
        assert security["runAsGroup"] == GID
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert mounts["/tmp"] in tmp_volumes
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}
        image = container["image"]
        # The test pod of a gRPC service runs the service's own image (its grpc probe): by
        # digest as deployed, by tag like the Deployments without one.
        assert "@sha256:" in image or obj.kind == "Deployment" or svc.grpc

    assert metadata["labels"]["app.kubernetes.io/instance"] == scenario.service
    assert metadata["labels"]["app.kubernetes.io/part-of"] == MODEL.project.name
    assert "app.kubernetes.io/managed-by" in metadata["labels"]
    if obj.kind == "Pod":
        assert obj.body["metadata"]["annotations"]["helm.sh/hook"] == "test"
        return

    assert metadata["labels"]["app.kubernetes.io/name"] == scenario.service
    assert spec["serviceAccountName"] == scenario.service
    [container] = spec["containers"]
    _ports_and_probes(container, svc)
    selector = obj.body["spec"]["selector"]["matchLabels"]
    assert selector.items() <= metadata["labels"].items()
    deploy = svc.deploy_for(scenario.environment.name)
    # Plain variables come from the ConfigMap; `env:` holds PORT (the port the app listens on)
    # and, otherwise, only references to Secrets.
    assert container.get("envFrom", []) == (
        [{"configMapRef": {"name": f"{scenario.service}-env"}}] if deploy.env else [])
    # With a secret store, each Secret is the release's own, synced by an ExternalSecret.
    prefix = f"{scenario.service}-" if MODEL.project.secret_store else ""
    expected = {name: {"secretKeyRef": {"name": prefix + ref.secret, "key": ref.key}}
                for name, ref in deploy.secrets.items()}
    for resource, spec_ in svc.infra.items():
        for variable, key in cloud.connection_env(resource, spec_.kind).items():
            expected[variable] = {"secretKeyRef": {"name": prefix + resource, "key": key}}
    env = container["env"] or []  # a worker without a port nor secrets has none
    port = [{"name": "PORT", "value": str(svc.port)}] if svc.port else []
    assert env[:len(port)] == port
    assert {e["name"]: e["valueFrom"] for e in env[len(port):]} == expected


@pytest.mark.helm
@pytest.mark.parametrize("service", SERVICES)
def test_image_is_by_digest_when_given_and_by_tag_otherwise(service: str) -> None:
    def images(**overrides: Any) -> set[str]:
        return {o.body["spec"]["template"]["spec"]["containers"][0]["image"]
                for o in render(service, "dev", **overrides) if o.kind == "Deployment"}

    repository = MODEL.image(service)
    assert images() == {f"{repository}:{MODEL.services[service].app_version}"}
    assert images(image={"digest": DIGEST_A}) == {f"{repository}@{DIGEST_A}"}


@pytest.mark.helm
@pytest.mark.parametrize("service", SERVICES)
def test_replicated_pods_spread_and_have_a_disruption_budget(service: str) -> None:
    replicated = render(service, "staging")  # two replicas everywhere in staging
    [deployment] = [o for o in replicated if o.kind == "Deployment"]
    spread = deployment.body["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {"kubernetes.io/hostname",
                                                  "topology.kubernetes.io/zone"}
    assert all(c["labelSelector"]["matchLabels"].items()
               <= deployment.body["spec"]["template"]["metadata"]["labels"].items()
               for c in spread)
    assert [o.kind for o in replicated].count("PodDisruptionBudget") == 1

    single = render(service, "dev", replicas=1, autoscaling={"enabled": False})
    [deployment] = [o for o in single if o.kind == "Deployment"]
    assert "topologySpreadConstraints" not in deployment.body["spec"]["template"]["spec"]
    assert "PodDisruptionBudget" not in [o.kind for o in single]


def _ports_and_probes(container: Any, svc: Any) -> None:
    """HTTP, gRPC or exec probes, and the port named after the protocol."""
    if svc.port is None:  # a worker: no port, exec probes of its health command
        assert "ports" not in container
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["exec"] == {"command": svc.health_command}
    elif svc.grpc:
        assert container["ports"] == [{"name": "grpc", "containerPort": svc.port,
                                       "protocol": "TCP"}]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": svc.port, "service": svc.health_service}
    else:
        assert container["ports"] == [{"name": "http", "containerPort": svc.port,
                                       "protocol": "TCP"}]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": svc.health, "port": "http"}
