"""Monthly cost per service and environment: billed pod x replicas x 730 hours.

A fixed replica count is the count; with autoscaling the cost is a range from min_replicas to
max_replicas, and the estimate is the expected count when the service gives a typical
utilisation (ceil(min x utilisation / target_cpu), within the range), else min_replicas. The
steady state is priced: a canary or the second colour of a blue-green rollout runs only while a
rollout is under way.

Other resources a service uses (databases, buckets, queues) are priced by the functions in
RESOURCE_COSTS, each returning the monthly cost of what a service declares in an environment;
none are registered yet, so the column is zero until the model declares such resources.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pipelinegen.core.model import Deploy, Model
from pipelinegen.cost.pricing import ZERO, Billed, Profile, cents, for_project

# (model, service, environment, profile) -> monthly USD of the service's other resources there.
ResourceCost = Callable[[Model, str, str, Profile], Decimal]
RESOURCE_COSTS: tuple[ResourceCost, ...] = ()

_MEMORY_UNITS = {
    "": 1, "k": 1000, "M": 1000**2, "G": 1000**3, "T": 1000**4,
    "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4,
}
GIB = Decimal(1024**3)


@dataclass(frozen=True)
class Row:
    """One service in one environment."""

    service: str
    environment: str
    replicas: int  # the count the estimate uses
    min_replicas: int
    max_replicas: int
    autoscaled: bool
    requested_vcpu: Decimal | None  # per pod, as written (None: not set)
    requested_gib: Decimal | None
    limit_vcpu: Decimal | None
    limit_gib: Decimal | None
    pod: Billed  # what one pod is billed as
    estimated: Decimal  # USD a month, cents
    minimum: Decimal
    maximum: Decimal
    other: Decimal  # other resources (RESOURCE_COSTS)
    budget: Decimal | None

    @property
    def vcpu(self) -> Decimal:
        return self.pod.vcpu * self.replicas

    @property
    def gib(self) -> Decimal:
        return self.pod.gib * self.replicas

    @property
    def variance(self) -> Decimal | None:
        """Estimate minus budget (positive: over budget)."""
        return None if self.budget is None else self.estimated - self.budget


@dataclass(frozen=True)
class Estimate:
    profile: Profile
    rows: list[Row]
    clusters: int
    cluster_fee: Decimal  # USD a month for every cluster

    @property
    def total(self) -> Decimal:
        return sum((row.estimated for row in self.rows), ZERO) + self.cluster_fee


def estimate(model: Model) -> Estimate:
    profile = for_project(model.project.cost)
    rows = [
        row(model, profile, name, env.name)
        for name in sorted(model.services)
        for env in model.project.environments
    ]
    clusters = model.project.cost.clusters
    return Estimate(profile, rows, clusters, profile.cluster_monthly(clusters))


def row(model: Model, profile: Profile, name: str, environment: str) -> Row:
    service = model.services[name]
    deploy = service.deploy_for(environment)
    low, high, expected = replica_range(deploy, service.cost.utilisation.get(environment))
    requests, limits = deploy.resources.requests, deploy.resources.limits
    pod = profile.bill(cpu(requests.cpu), gib(requests.memory))
    other = sum((price(model, name, environment, profile) for price in RESOURCE_COSTS), ZERO)
    budget = service.cost.budget.get(environment)
    return Row(
        service=name, environment=environment, replicas=expected, min_replicas=low,
        max_replicas=high, autoscaled=deploy.autoscaling is not None,
        requested_vcpu=cpu(requests.cpu), requested_gib=gib(requests.memory),
        limit_vcpu=cpu(limits.cpu), limit_gib=gib(limits.memory), pod=pod,
        estimated=profile.monthly(pod, expected) + cents(other),
        minimum=profile.monthly(pod, low) + cents(other),
        maximum=profile.monthly(pod, high) + cents(other),
        other=cents(other),
        budget=None if budget is None else cents(Decimal(str(budget))),
    )


def replica_range(deploy: Deploy, utilisation: float | None) -> tuple[int, int, int]:
    """(fewest, most, expected) pods."""
    scaling = deploy.autoscaling
    if scaling is None:
        return deploy.replicas, deploy.replicas, deploy.replicas
    low, high = scaling.min_replicas, scaling.max_replicas
    if utilisation is None:
        return low, high, low
    # Decimal, so 3 x 140 / 70 is exactly 6, not 6.000000000000001 rounded up to 7.
    wanted = Decimal(low) * Decimal(str(utilisation)) / scaling.target_cpu
    return low, high, min(high, max(low, math.ceil(wanted)))


def cpu(quantity: str | None) -> Decimal | None:
    """A Kubernetes CPU quantity in vCPU: "250m" -> 0.25, "1.5" -> 1.5."""
    if quantity is None:
        return None
    if quantity.endswith("m"):
        return Decimal(quantity[:-1]) / 1000
    return Decimal(quantity)


def gib(quantity: str | None) -> Decimal | None:
    """A Kubernetes memory quantity in GiB: "128Mi" -> 0.125, "1G" -> 0.931322574615478515625."""
    if quantity is None:
        return None
    match = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)", quantity)
    assert match is not None, quantity  # the model's pattern admits nothing else
    return Decimal(match.group(1)) * _MEMORY_UNITS[match.group(2)] / GIB


def show_cpu(vcpu: Decimal) -> str:
    """0.25 -> "250m", 2 -> "2" (how Kubernetes writes it)."""
    if vcpu < 1 and (vcpu * 1000) == (vcpu * 1000).to_integral_value():
        return f"{int(vcpu * 1000)}m"
    return f"{vcpu.normalize():f}"


def show_memory(gib_amount: Decimal) -> str:
    """0.125 -> "128Mi", 2 -> "2Gi"."""
    mib = gib_amount * 1024
    if gib_amount < 1 and mib == mib.to_integral_value():
        return f"{int(mib)}Mi"
    return f"{gib_amount.normalize():f}Gi"
