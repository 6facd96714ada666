"""Where to save: each kind of proposal, with its amount checked by hand."""

from __future__ import annotations

from decimal import Decimal

from pipelinegen.core.load import loads
from pipelinegen.cost.estimate import estimate
from pipelinegen.cost.proposals import Proposal, propose

HEAD = """
version: 1
project:
  name: shop
  repository: acme/shop
  registry: ghcr.io/acme
  test_base: python  # the helm test pod's image: any declared base
  environments:
    - {name: dev, namespace: shop-dev}
    - {name: production, namespace: shop-prod}
  cost: {profile: %s}
bases:
  python: registry.example.invalid/python:3.12@sha256:%s
services:
"""


def _proposals(profile: str, services: str) -> list[Proposal]:
    model = loads((HEAD % (profile, "1" * 64) + services).encode(), "services.yaml")
    return propose(model, estimate(model))


def _one(found: list[Proposal], kind: str, service: str) -> Proposal:
    [match] = [p for p in found if p.kind == kind and p.service == service]
    return match


# m5.large: $0.096 an hour for 2 vCPU and 8 GiB; a month is 730 hours.
NODE_HOUR = Decimal("0.096")


def test_limits_far_above_requests_on_a_node_pool_save_the_burst_room() -> None:
    found = _proposals("node-pool", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy:
      replicas: 2
      resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: "1", memory: 1Gi}}
""")
    limits = _one(found, "limits", "api")
    assert limits.environments == ("dev", "production")
    # At the limits a pod takes 1/2 of the CPU of a node; at 2x the requests (500m) 1/4.
    per_env = (NODE_HOUR / 2 * 2 * 730).quantize(Decimal("0.01")) - \
        (NODE_HOUR / 4 * 2 * 730).quantize(Decimal("0.01"))
    assert limits.saving == 2 * per_env == Decimal("70.08")
    assert "limits are up to 4x the requests" in limits.line()
    assert limits.line().endswith("saves $70.08/month")
    # A node pool does not round requests: nothing is wasted by rounding.
    assert not [p for p in found if p.kind == "rounding"]


def test_limits_on_a_request_billed_profile_save_nothing_and_say_what_requesting_them_costs(
) -> None:
    found = _proposals("eks-fargate", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy:
      replicas: 1
      resources: {requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: "1", memory: 1Gi}}
""")
    limits = _one(found, "limits", "api")
    # Billed 0.25 vCPU / 0.5 GB; at the limits 1 vCPU and 1 GiB + 256 MiB -> 1 vCPU / 2 GB.
    at_limits = (Decimal("0.04048") + 2 * Decimal("0.004445")) * 730
    billed = (Decimal("0.25") * Decimal("0.04048") + Decimal("0.5") * Decimal("0.004445")) * 730
    one_env = at_limits.quantize(Decimal("0.01")) - billed.quantize(Decimal("0.01"))
    assert limits.saving == -2 * one_env
    assert limits.line().endswith(f"+${2 * one_env}/month")
    assert "eks-fargate bills requests" in limits.detail


def test_fixed_replicas_where_an_autoscaler_would_do() -> None:
    found = _proposals("eks-fargate", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy: {replicas: 6}
    cost: {utilisation: {production: 30}}
""")
    autoscaling = _one(found, "autoscaling", "api")
    pod = (Decimal("0.25") * Decimal("0.04048") + Decimal("0.5") * Decimal("0.004445")) * 730
    # dev: no utilisation given, so at most 6 -> 1 pod. production: 6 x 30 / 75 = 2.4 -> 3.
    assert autoscaling.environments == ("dev", "production")
    assert autoscaling.saving == (pod * 6).quantize(Decimal("0.01")) - pod.quantize(
        Decimal("0.01")) + (pod * 6).quantize(Decimal("0.01")) - (pod * 3).quantize(
        Decimal("0.01"))
    # With an autoscaler already, or a single pod, there is nothing to propose.
    assert not [p for p in _proposals("eks-fargate", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy:
      replicas: 1
      autoscaling: {min_replicas: 2, max_replicas: 4}
    environments:
      dev: {autoscaling: null}
""") if p.kind == "autoscaling"]


def test_production_without_a_pod_disruption_budget_costs_a_second_pod() -> None:
    found = _proposals("gke-autopilot", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy: {replicas: 1}
  worker:
    path: services/worker
    stack: python
    port: 8081
    deploy:
      autoscaling: {min_replicas: 2, max_replicas: 3}
""")
    pdb = _one(found, "pdb", "api")
    assert pdb.environments == ("production",)
    # Autopilot: 100m / 128Mi -> 0.25 vCPU / 0.5 GiB (minimums), a pod costs a month:
    pod = (Decimal("0.25") * Decimal("0.0445") + Decimal("0.5") * Decimal("0.0049225")) * 730
    assert pdb.saving == -pod.quantize(Decimal("0.01")) == Decimal("-9.92")
    assert pdb.line().endswith("+$9.92/month")
    assert not [p for p in found if p.kind == "pdb" and p.service == "worker"]


def test_rounding_waste_is_what_is_billed_beyond_the_requests() -> None:
    found = _proposals("gke-autopilot", """
  api:
    path: services/api
    stack: python
    port: 8080
    deploy:
      replicas: 2
      resources: {requests: {cpu: 300m, memory: 256Mi}, limits: {cpu: 300m, memory: 256Mi}}
""")
    rounding = _one(found, "rounding", "api")
    # 300m -> 500m (0.25 steps); 256Mi -> 512Mi (the minimum): 0.2 vCPU and 0.25 GiB unrequested.
    waste = (Decimal("0.2") * Decimal("0.0445") + Decimal("0.25") * Decimal("0.0049225")) * 2 * 730
    assert rounding.saving == 2 * waste.quantize(Decimal("0.01"))  # dev and production
    assert "requests 300m / 256Mi are billed as 500m / 512Mi on gke-autopilot" in rounding.detail
    # Proposals come largest saving first.
    assert [p.saving for p in found] == sorted((p.saving for p in found), reverse=True)
