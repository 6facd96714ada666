"""The cost settings of services.yaml: the project's pricing profile and each service's budget.

They live here rather than in model.py to keep the cost vocabulary in one package; model.py
imports them into Project and Service.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from pipelinegen.core.strictmodel import Strict

PROFILES = ("eks-fargate", "gke-autopilot", "node-pool")

Money = Annotated[float, Field(ge=0, le=10_000_000)]
Price = Annotated[float, Field(ge=0, le=10_000)]
Amount = Annotated[float, Field(gt=0, le=100_000)]
EnvKey = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", max_length=63)]


class Prices(Strict):
    """Prices that replace the profile's own (USD)."""

    vcpu_hour: Price | None = None
    """Price of one vCPU for an hour."""
    gib_hour: Price | None = None
    """Price of one GiB of memory for an hour."""
    cluster_hour: Price | None = None
    """Fee per cluster per hour (0 where a free tier covers it)."""


class Rules(Strict):
    """Rounding rules that replace the profile's own (request-billed profiles)."""

    min_vcpu: Annotated[float, Field(ge=0, le=64)] | None = None
    """Smallest CPU a pod is billed for."""
    min_gib: Annotated[float, Field(ge=0, le=512)] | None = None
    """Smallest memory a pod is billed for, in GiB."""
    vcpu_step: Annotated[float, Field(ge=0, le=16)] | None = None
    """CPU is billed in multiples of this (0: no rounding)."""
    pod_overhead_gib: Annotated[float, Field(ge=0, le=16)] | None = None
    """Memory added to every pod before rounding (Fargate adds 0.25 GiB)."""


class Instance(Strict):
    """The instance a node-pool profile is made of."""

    type: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
    """Instance type, e.g. m5.large (shown in reports)."""
    hour: Price
    """On-demand price of one instance for an hour."""
    vcpu: Amount
    """vCPUs of one instance."""
    memory_gib: Amount
    """Memory of one instance, in GiB."""


class ProjectCost(Strict):
    profile: Literal["eks-fargate", "gke-autopilot", "node-pool"] = "eks-fargate"
    """Pricing profile shipped with pipelinegen: eks-fargate (us-east-1), gke-autopilot
    (us-central1) or node-pool (on-demand instances, default m5.large in us-east-1)."""
    prices: Prices = Field(default_factory=Prices)
    """Your own prices, replacing the profile's (a region, a discount)."""
    rules: Rules = Field(default_factory=Rules)
    """Your own rounding rules, replacing the profile's."""
    instance: Instance | None = None
    """For profile node-pool: the instance type, its price and shape."""
    clusters: Annotated[int, Field(ge=0, le=1000)] = 1
    """Clusters the per-cluster fee is paid for."""
    anomaly_percent: Annotated[float, Field(gt=0, le=1000)] = 10
    """Actual spend further than this from the projection (in percent) is an anomaly."""


class ServiceCost(Strict):
    budget: dict[EnvKey, Money] = Field(default_factory=dict)
    """Monthly budget in USD per environment, e.g. {production: 120, staging: 30}."""
    utilisation: dict[EnvKey, Annotated[float, Field(gt=0, le=100_000)]] = Field(
        default_factory=dict
    )
    """Typical CPU use per environment, in percent of what the minimum replica count (or the
    fixed count) requests; with autoscaling, the expected replica count is
    ceil(min_replicas x utilisation / target_cpu), within min..max."""
