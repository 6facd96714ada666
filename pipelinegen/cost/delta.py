"""What a change costs: the monthly estimate of each service and environment, before and after.

The review puts one line per service and environment whose estimate moves, with what moved it:
"api: +$9.01/month: replicas 2 -> 3 in staging". Each side is priced on its own profile, so a
change of profile or prices shows too; the per-cluster fee is a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pipelinegen.core.model import Model
from pipelinegen.cost.estimate import Estimate, Row, estimate, show_cpu, show_memory
from pipelinegen.cost.pricing import ZERO

CLUSTERS = "clusters"


@dataclass(frozen=True)
class Delta:
    service: str  # the name after the change (before it, when removed); "clusters": the fee
    environment: str  # "" for the cluster fee
    old: Decimal | None  # USD a month; None: not there before
    new: Decimal | None  # None: not there after
    reasons: tuple[str, ...]

    @property
    def change(self) -> Decimal:
        return (self.new or ZERO) - (self.old or ZERO)

    def summary(self) -> str:
        sign = "+" if self.change >= 0 else "-"
        where = f" in {self.environment}" if self.environment else ""
        return (f"{self.service}: {sign}${abs(self.change):,.2f}/month: "
                f"{', '.join(self.reasons)}{where}")


def compare(base: Model | None, head: Model | None, renames: dict[str, str]) -> list[Delta]:
    """Every estimate that moves from `base` to `head`; renames maps old names to new."""
    before = _rows(base)
    after = _rows(head)
    old_name = {new: old for old, new in renames.items()}
    out: list[Delta] = []
    keys = sorted({(renames.get(s, s), e) for s, e in before} | set(after))
    # Environments in promotion order: the head's, then any the change removed.
    order: dict[str, int] = {}
    for name in _environments(head) + _environments(base):
        order.setdefault(name, len(order))
    for service, env in sorted(keys, key=lambda k: (k[0], order.get(k[1], 0), k[1])):
        old = before.get((old_name.get(service, service), env))
        new = after.get((service, env))
        if old is not None and new is not None and old.estimated == new.estimated:
            continue
        out.append(Delta(service, env, None if old is None else old.estimated,
                         None if new is None else new.estimated,
                         _reasons(old, new, base, head)))
    fees = [_fee(base), _fee(head)]
    if fees[0] != fees[1]:
        out.append(Delta(CLUSTERS, "", fees[0][1] if base else None,
                         fees[1][1] if head else None,
                         (f"clusters {fees[0][0]} -> {fees[1][0]}",)
                         if fees[0][0] != fees[1][0] else ("cluster fee",)))
    return out


def _rows(model: Model | None) -> dict[tuple[str, str], Row]:
    if model is None:
        return {}
    return {(row.service, row.environment): row for row in estimate(model).rows}


def _environments(model: Model | None) -> list[str]:
    return [] if model is None else model.project.environment_names()


def _fee(model: Model | None) -> tuple[int, Decimal]:
    if model is None:
        return (0, ZERO)
    found: Estimate = estimate(model)
    return (found.clusters, found.cluster_fee)


def _reasons(old: Row | None, new: Row | None, base: Model | None,
             head: Model | None) -> tuple[str, ...]:
    if old is None:
        return ("added",)
    if new is None:
        return ("removed",)
    reasons = []
    if (old.min_replicas, old.max_replicas, old.replicas) != (
            new.min_replicas, new.max_replicas, new.replicas):
        reasons.append(f"replicas {_replicas(old)} -> {_replicas(new)}")
    for what, shown, a, b in (("cpu", show_cpu, old.requested_vcpu, new.requested_vcpu),
                              ("memory", show_memory, old.requested_gib, new.requested_gib)):
        if a != b:
            reasons.append(f"requests.{what} {_opt(shown, a)} -> {_opt(shown, b)}")
    if old.other != new.other:
        reasons.append(f"other resources ${old.other:,.2f} -> ${new.other:,.2f}")
    if not reasons or (old.pod.hourly != new.pod.hourly and old.requested_vcpu ==
                       new.requested_vcpu and old.requested_gib == new.requested_gib):
        assert base is not None and head is not None
        before, after = base.project.cost.profile, head.project.cost.profile
        reasons.append(f"pricing {before} -> {after}" if before != after else "prices")
    return tuple(reasons)


def _replicas(row: Row) -> str:
    if not row.autoscaled:
        return str(row.replicas)
    return f"{row.min_replicas}-{row.max_replicas} (expected {row.replicas})"


def _opt(shown: Callable[[Decimal], str], value: Decimal | None) -> str:
    return "unset" if value is None else shown(value)
