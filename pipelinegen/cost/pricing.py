"""Pricing profiles: what a pod of given requests is billed as, and what that costs an hour.

The profiles ship as data (pipelinegen/data/pricing/<name>.json, each with its region, the date
its prices were checked and its sources); project.cost in the model picks one and may replace
its prices and rules. Amounts are Decimals, so figures are exact until they are rounded to cents.

Two kinds of billing:
- pod: the pod's requests, rounded by the profile's rules, times a price per vCPU-hour and per
  GiB-hour (Fargate: the cheapest listed configuration that holds requests + 0.25 GiB; Autopilot:
  minimums, CPU steps and a memory-per-vCPU range);
- node: the share of an instance the requests take, by the scarcer resource.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from functools import cache
from importlib import resources
from typing import Any

from pipelinegen.core.cost_settings import ProjectCost
from pipelinegen.core.errors import PipelinegenError

HOURS_PER_MONTH = Decimal(730)  # 8,760 hours a year / 12, as AWS and Google price a month
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Billed:
    """What one pod is billed for."""

    vcpu: Decimal
    gib: Decimal
    hourly: Decimal


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    region: str
    checked: str
    billing: str  # "pod" or "node"
    vcpu_hour: Decimal = ZERO
    gib_hour: Decimal = ZERO
    cluster_hour: Decimal = ZERO
    # Rules of pod billing; absent ones do not apply.
    min_vcpu: Decimal = ZERO
    min_gib: Decimal = ZERO
    vcpu_step: Decimal = ZERO
    gib_per_vcpu: tuple[Decimal, Decimal] | None = None
    default_vcpu: Decimal | None = None
    default_gib: Decimal | None = None
    pod_overhead_gib: Decimal = ZERO
    # Fargate-style fixed (vCPU, GiB) configurations, cheapest first.
    configurations: tuple[tuple[Decimal, Decimal], ...] = ()
    # Node billing: (type, price an hour, vCPU, GiB).
    instance: tuple[str, Decimal, Decimal, Decimal] | None = None
    sources: tuple[str, ...] = field(default=())

    def bill(self, vcpu: Decimal | None, gib: Decimal | None) -> Billed:
        """What a pod requesting `vcpu` and `gib` (None: not set) is billed as."""
        if self.billing == "node":
            return self._node_share(vcpu or ZERO, gib or ZERO)
        if vcpu is None and gib is None and self.default_vcpu is not None:
            vcpu, gib = self.default_vcpu, self.default_gib
        cpu, mem = self._rounded(vcpu or ZERO, (gib or ZERO) + self.pod_overhead_gib)
        return Billed(cpu, mem, cpu * self.vcpu_hour + mem * self.gib_hour)

    def _rounded(self, cpu: Decimal, mem: Decimal) -> tuple[Decimal, Decimal]:
        if self.configurations:
            return self._configuration(cpu, mem)
        cpu, mem = max(cpu, self.min_vcpu), max(mem, self.min_gib)
        cpu = _step_up(cpu, self.vcpu_step)
        if self.gib_per_vcpu is not None:
            low, high = self.gib_per_vcpu
            mem = max(mem, cpu * low)  # too little memory per vCPU: memory is raised
            if mem > cpu * high:  # too much: CPU is raised, in its steps
                cpu = _step_up(mem / high, self.vcpu_step)
        return cpu, mem

    def _configuration(self, cpu: Decimal, mem: Decimal) -> tuple[Decimal, Decimal]:
        fitting = [(c, m) for c, m in self.configurations if c >= cpu and m >= mem]
        if not fitting:
            raise PipelinegenError(
                f"no {self.name} configuration holds {cpu} vCPU and {mem} GiB per pod",
                "lower the requests, or choose another profile in project.cost.profile",
            )
        return min(fitting, key=lambda c: (c[0] * self.vcpu_hour + c[1] * self.gib_hour, c))

    def _node_share(self, cpu: Decimal, mem: Decimal) -> Billed:
        assert self.instance is not None
        _type, hour, inst_cpu, inst_gib = self.instance
        share = max(cpu / inst_cpu, mem / inst_gib)
        return Billed(cpu, mem, hour * share)

    def monthly(self, billed: Billed, replicas: int) -> Decimal:
        """Cost of `replicas` such pods for a month, in cents."""
        return cents(billed.hourly * replicas * HOURS_PER_MONTH)

    def cluster_monthly(self, clusters: int) -> Decimal:
        return cents(self.cluster_hour * clusters * HOURS_PER_MONTH)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding="ROUND_HALF_UP")


def _step_up(value: Decimal, step: Decimal) -> Decimal:
    if step <= 0:
        return value
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def for_project(settings: ProjectCost) -> Profile:
    """The project's profile with its overrides applied."""
    profile = shipped(settings.profile)
    changes: dict[str, Any] = {
        key: _dec(value)
        for key, value in (*settings.prices.model_dump().items(),
                           *settings.rules.model_dump().items())
        if value is not None
    }
    if settings.instance is not None:
        given = settings.instance
        changes["instance"] = (given.type, _dec(given.hour), _dec(given.vcpu),
                               _dec(given.memory_gib))
    return replace(profile, **changes)


@cache
def shipped(name: str) -> Profile:
    """A profile as shipped in pipelinegen/data/pricing/."""
    text = resources.files("pipelinegen").joinpath(f"data/pricing/{name}.json").read_text()
    data = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    ratio = data.get("gib_per_vcpu")
    instance = data.get("instance")
    return Profile(
        name=data["name"], title=data["title"], region=data["region"],
        checked=data["checked"], billing=data["billing"],
        vcpu_hour=data.get("vcpu_hour", ZERO), gib_hour=data.get("gib_hour", ZERO),
        cluster_hour=data.get("cluster_hour", ZERO),
        min_vcpu=data.get("min_vcpu", ZERO), min_gib=data.get("min_gib", ZERO),
        vcpu_step=data.get("vcpu_step", ZERO),
        gib_per_vcpu=(ratio[0], ratio[1]) if ratio else None,
        default_vcpu=data.get("default_vcpu"), default_gib=data.get("default_gib"),
        pod_overhead_gib=data.get("pod_overhead_gib", ZERO),
        configurations=tuple(_configurations(data.get("configurations", []))),
        instance=(instance["type"], instance["hour"], instance["vcpu"], instance["memory_gib"])
        if instance else None,
        sources=tuple(source["url"] for source in data["sources"]),
    )


def _configurations(listed: list[dict[str, Any]]) -> list[tuple[Decimal, Decimal]]:
    out: list[tuple[Decimal, Decimal]] = []
    for entry in listed:
        memory = entry["memory_gib"]
        if isinstance(memory, dict):
            count = int((memory["to"] - memory["from"]) / memory["step"]) + 1
            memory = [memory["from"] + memory["step"] * index for index in range(count)]
        out += [(entry["vcpu"], gib) for gib in memory]
    return out


def _dec(value: float) -> Decimal:
    # Through str: 0.1 stays 0.1, not the binary float's 0.1000000000000000055...
    return Decimal(str(value))
