"""The objects each service gets from the model: Ingress, HPA, ConfigMap, NetworkPolicy."""

from __future__ import annotations

from typing import Any

import pytest

from pipelinegen.validate.rendering import Rendered
from tests.support.charts import MODEL, SERVICES, render


def _one(objects: list[Rendered], kind: str) -> dict[str, Any]:
    """The one object of a kind, the `helm test` hooks (pod and policy) left out."""
    [body] = [o.body for o in objects if o.kind == kind
              and "helm.sh/hook" not in o.body["metadata"].get("annotations", {})]
    return body


@pytest.mark.helm
@pytest.mark.parametrize("service", SERVICES)
def test_objects_follow_the_model(service: str) -> None:
    for env in MODEL.project.environment_names():
        deploy = MODEL.services[service].deploy_for(env)
        objects = render(service, env)
        kinds = [o.kind for o in objects]
        if deploy.ingress is None:
            assert "Ingress" not in kinds
        else:
            rule = _one(objects, "Ingress")["spec"]["rules"][0]
            assert rule["host"] == deploy.ingress.host
            assert rule["http"]["paths"][0]["path"] == deploy.ingress.path
            assert rule["http"]["paths"][0]["backend"]["service"] == {
                "name": service, "port": {"name": "http"}}
        assert ("HorizontalPodAutoscaler" in kinds) == (deploy.autoscaling is not None)
        if deploy.env:
            assert _one(objects, "ConfigMap")["data"] == deploy.env
        else:
            assert "ConfigMap" not in kinds
        assert _one(objects, "ServiceAccount")["automountServiceAccountToken"] is False
        svc = MODEL.services[service]
        if svc.port is None:  # nothing to reach: no Service
            assert "Service" not in kinds
            continue
        port = _one(objects, "Service")["spec"]["ports"][0]
        named = "grpc" if svc.grpc else "http"
        assert port == {"name": named, "port": svc.port, "targetPort": named, "protocol": "TCP",
                        **({"appProtocol": "grpc"} if svc.grpc else {})}


def _peers(rule: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v["matchLabels"] for k, v in peer.items()} for peer in rule.get("from",
            rule.get("to", []))]


@pytest.mark.helm
def test_network_policy_denies_by_default_and_allows_what_the_model_declares() -> None:
    api = _one(render("api", "dev"), "NetworkPolicy")["spec"]
    assert api["policyTypes"] == ["Ingress", "Egress"]
    assert api["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api"}
    [inbound] = api["ingress"]
    assert _peers(inbound) == [
        {"namespaceSelector": {"kubernetes.io/metadata.name": "ingress-nginx"}},
        # api has SLOs: Prometheus scrapes it from its namespace (serviceMonitor).
        {"namespaceSelector": {"kubernetes.io/metadata.name": "monitoring"}},
        {"podSelector": {"app.kubernetes.io/name": "web"}},
        {"podSelector": {"app.kubernetes.io/name": "worker"}},
        {"podSelector": {"app.kubernetes.io/name": "api-test",
                         "app.kubernetes.io/instance": "api"}},
    ]
    assert inbound["ports"] == [{"port": "http", "protocol": "TCP"}]
    # api calls the gRPC stock service (it lists api among its callers); out: DNS, the backing
    # cache it uses and stock, by name, then its cloud resources (services.yaml infra): the AWS
    # APIs over HTTPS for its bucket, its database's VPC on the Postgres port.
    dns, cache, stock, aws_apis, database = api["egress"]
    assert cache == {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "cache"}}}],
                     "ports": [{"port": 6379, "protocol": "TCP"}]}
    assert stock == {"to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "stock"}}}],
                     "ports": [{"port": 50051, "protocol": "TCP"}]}
    assert _peers(dns) == [{"namespaceSelector": {"kubernetes.io/metadata.name": "kube-system"},
                            "podSelector": {"k8s-app": "kube-dns"}}]
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    assert aws_apis == {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                        "ports": [{"port": 443, "protocol": "TCP"}]}
    assert database == {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
                        "ports": [{"port": 5432, "protocol": "TCP"}]}
    production = _one(render("api", "production"), "NetworkPolicy")["spec"]["egress"]
    assert production[-1]["to"] == [{"ipBlock": {"cidr": "10.30.0.0/16"}}]

    # worker has no Ingress and no callers: only Prometheus and its test pod may connect; it
    # calls api and renderer (both list it among their callers), on their container ports.
    worker = _one(render("worker", "dev"), "NetworkPolicy")["spec"]
    assert _peers(worker["ingress"][0]) == [
        {"namespaceSelector": {"kubernetes.io/metadata.name": "monitoring"}},
        {"podSelector": {"app.kubernetes.io/name": "worker-test",
                         "app.kubernetes.io/instance": "worker"}}]
    calls = [(_peers(rule), rule["ports"]) for rule in worker["egress"][1:3]]
    assert calls == [
        ([{"podSelector": {"app.kubernetes.io/name": "api"}}],
         [{"port": 8080, "protocol": "TCP"}]),
        ([{"podSelector": {"app.kubernetes.io/name": "renderer"}}],
         [{"port": 8090, "protocol": "TCP"}]),
    ]


@pytest.mark.helm
def test_extra_egress_rules_are_added_as_written() -> None:
    database = {"to": [{"ipBlock": {"cidr": "10.20.0.0/16"}}],
                "ports": [{"port": 5432, "protocol": "TCP"}]}
    policy = _one(render("api", "dev", networkPolicy={"extraEgress": [database]}),
                  "NetworkPolicy")
    assert policy["spec"]["egress"][-1] == database
