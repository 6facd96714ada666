"""Where to save: proposals from the model and the profile, each with its monthly amount.

- limits far above requests (4x or more): on a node pool, the burst room the limits claim beyond
  twice the requests; a request-billed profile bills requests only and a pod never gets past its
  billed size, so nothing is saved there and the line says what requesting the limits would cost;
- a fixed replica count (2 or more) where an autoscaler would do: with a typical utilisation,
  the pods it would not need; without, the most it could save (down to 1 pod, 2 in the last,
  production, environment, which keeps its PodDisruptionBudget);
- production (the last environment) with a single pod, which gets no PodDisruptionBudget: what
  a second pod costs (a negative saving);
- rounding waste on request-billed profiles: what the pods pay for beyond their requests.
Each proposal covers one service and kind, over the environments where it applies.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from pipelinegen.core.model import Model
from pipelinegen.cost.estimate import Estimate, Row, show_cpu, show_memory
from pipelinegen.cost.pricing import HOURS_PER_MONTH, ZERO, Profile, cents

LIMIT_RATIO = 4
PROPOSED_LIMIT_RATIO = 2
HPA_TARGET = 75  # the model's default target_cpu


@dataclass(frozen=True)
class Proposal:
    kind: str  # limits | autoscaling | pdb | rounding
    service: str
    environments: tuple[str, ...]
    saving: Decimal  # USD a month; negative: what the change costs
    detail: str

    def line(self) -> str:
        amount = (f"saves ${self.saving:,.2f}/month" if self.saving >= 0
                  else f"+${-self.saving:,.2f}/month")
        return f"{self.service} ({', '.join(self.environments)}): {self.detail}: {amount}"


def propose(model: Model, estimate: Estimate) -> list[Proposal]:
    found: dict[tuple[str, str], list[tuple[Row, Decimal, str]]] = {}
    production = model.project.environments[-1].name
    for row in estimate.rows:
        utilisation = model.services[row.service].cost.utilisation.get(row.environment)
        for kind, saving, detail in _for_row(estimate.profile, row, production, utilisation):
            found.setdefault((row.service, kind), []).append((row, saving, detail))
    out = [
        Proposal(kind, service, tuple(r.environment for r, _, _ in items),
                 sum((s for _, s, _ in items), ZERO), items[0][2])
        for (service, kind), items in found.items()
    ]
    return sorted(out, key=lambda p: (-p.saving, p.service, p.kind))


def _for_row(profile: Profile, row: Row, production: str, utilisation: float | None
             ) -> Iterator[tuple[str, Decimal, str]]:
    yield from _limits(profile, row)
    yield from _autoscaling(profile, row, production, utilisation)
    if row.environment == production and row.min_replicas == 1:
        yield ("pdb", -profile.monthly(row.pod, 1),
               "production runs 1 pod, so it gets no PodDisruptionBudget; run 2")
    yield from _rounding(profile, row)


def _limits(profile: Profile, row: Row) -> Iterator[tuple[str, Decimal, str]]:
    pairs = ((row.requested_vcpu, row.limit_vcpu), (row.requested_gib, row.limit_gib))
    ratios = [limit / request for request, limit in pairs
              if request and limit and limit / request >= LIMIT_RATIO]
    if not ratios or row.requested_vcpu is None or row.requested_gib is None:
        return
    at_limits = profile.bill(row.limit_vcpu or row.requested_vcpu,
                             row.limit_gib or row.requested_gib)
    worst = f"limits are up to {max(ratios):.0f}x the requests"
    if profile.billing == "pod":
        extra = profile.monthly(at_limits, row.replicas) - profile.monthly(row.pod, row.replicas)
        if extra <= 0:
            return  # the limits fit in what is billed anyway
        yield ("limits", -extra,
               f"{worst}; {profile.name} bills requests, so a pod never gets past its billed "
               f"{show_cpu(row.pod.vcpu)} / {show_memory(row.pod.gib)}: lower the limits to "
               f"that, or request what it needs (the cost if it requested its limits)")
        return
    capped = profile.bill(
        min(row.limit_vcpu or row.requested_vcpu, row.requested_vcpu * PROPOSED_LIMIT_RATIO),
        min(row.limit_gib or row.requested_gib, row.requested_gib * PROPOSED_LIMIT_RATIO))
    saving = profile.monthly(at_limits, row.replicas) - profile.monthly(capped, row.replicas)
    if saving > 0:
        yield ("limits", saving,
               f"{worst}; the node room they claim for bursts shrinks by this much with "
               f"limits at {PROPOSED_LIMIT_RATIO}x the requests")


def _autoscaling(profile: Profile, row: Row, production: str, utilisation: float | None
                 ) -> Iterator[tuple[str, Decimal, str]]:
    if row.autoscaled or row.replicas < 2:
        return
    floor = 2 if row.environment == production else 1
    if utilisation is None:
        needed = floor
        how = "at most, at low load, with min_replicas 1 (2 in production)"
    else:
        wanted = math.ceil(Decimal(row.replicas) * Decimal(str(utilisation)) / HPA_TARGET)
        needed = min(row.replicas, max(floor, wanted))
        how = f"at the typical utilisation given, with target_cpu {HPA_TARGET}"
    if needed < row.replicas:
        yield ("autoscaling",
               profile.monthly(row.pod, row.replicas) - profile.monthly(row.pod, needed),
               f"fixed replica counts where an autoscaler would do; it saves this {how}")


def _rounding(profile: Profile, row: Row) -> Iterator[tuple[str, Decimal, str]]:
    if profile.billing != "pod" or row.requested_vcpu is None or row.requested_gib is None:
        return
    spare_cpu = row.pod.vcpu - row.requested_vcpu
    spare_gib = row.pod.gib - row.requested_gib - profile.pod_overhead_gib
    hourly = max(spare_cpu, ZERO) * profile.vcpu_hour + max(spare_gib, ZERO) * profile.gib_hour
    waste = cents(hourly * row.replicas * HOURS_PER_MONTH)
    if waste > 0:
        yield ("rounding", waste,
               f"requests {show_cpu(row.requested_vcpu)} / {show_memory(row.requested_gib)} "
               f"are billed as {show_cpu(row.pod.vcpu)} / {show_memory(row.pod.gib)} on "
               f"{profile.name}; request what is paid for, or run fewer, larger pods")
