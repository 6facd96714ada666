"""The SLO arithmetic every observability file shares: SLI queries, windows and burn rates.

Burn-rate alerts follow the multiwindow, multi-burn-rate recipe of Google's SRE workbook
(chapter "Alerting on SLOs"). Each alert spends a share of the error budget over a long window,
and a short window of a twelfth of it makes the alert stop soon after the errors do:

    burn factor = budget share x SLO window / long window

For a 30-day window that gives the workbook's 14.4x over 1h (2% of the budget), 6x over 6h
(5%), 3x over 1d and 1x over 3d (10% each); a 28-day window gives 13.44, 5.6, 2.8 and 0.933.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pipelinegen.core.model import LatencySlo, Model, Service, Slo

Severity = Literal["page", "ticket"]

ERROR_RATIO = "slo:sli_error:ratio_rate"  # + window: the recording rules' name
BUDGET_REMAINING = "slo:error_budget:remaining"


@dataclass(frozen=True)
class Policy:
    severity: Severity
    long: str
    short: str
    budget_share: Decimal  # share of the whole window's budget the alert spends
    hold: str  # the alert's `for:`, against flapping (pyrra's choice for these windows)


POLICIES = (
    Policy("page", "1h", "5m", Decimal("0.02"), "2m"),
    Policy("page", "6h", "30m", Decimal("0.05"), "15m"),
    Policy("ticket", "1d", "2h", Decimal("0.10"), "1h"),
    Policy("ticket", "3d", "6h", Decimal("0.10"), "3h"),
)

_UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}


def minutes(duration: str) -> int:
    """'5m' -> 5, '6h' -> 360, '30d' -> 43200."""
    return int(duration[:-1]) * _UNIT_MINUTES[duration[-1]]


def number(value: Decimal | float) -> str:
    """A decimal as PromQL and people write it: 14.4, 6, 0.001, 0.9333."""
    text = format(Decimal(str(value)).quantize(Decimal("0.0001")).normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


@dataclass(frozen=True)
class BurnAlert:
    name: str
    slo: str  # availability | latency
    policy: Policy
    factor: Decimal
    budget: Decimal  # 1 - objective

    @property
    def threshold(self) -> str:
        return f"({number(self.factor)} * {number(self.budget)})"

    @property
    def anchor(self) -> str:
        """The runbook heading's anchor, as GitHub derives it from `### {name}`."""
        return self.name.lower()


@dataclass(frozen=True)
class Objective:
    """One SLO of one service, with everything the emitters derive from it."""

    service: str
    name: str  # availability | latency
    slo: Slo
    owner: str
    good: str  # PromQL: what counts as an error, per window "{w}"; see error_ratio
    description: str

    @property
    def budget(self) -> Decimal:
        return (Decimal(100) - Decimal(str(self.slo.objective))) / Decimal(100)

    @property
    def labels(self) -> dict[str, str]:
        return {"service": self.service, "slo": self.name}

    def selector(self) -> str:
        return "{" + ",".join(f'{k}="{v}"' for k, v in self.labels.items()) + "}"

    def windows(self) -> list[str]:
        """Every window a recording rule is kept for, shortest first."""
        wanted = {p.long for p in POLICIES} | {p.short for p in POLICIES} | {self.slo.window}
        return sorted(wanted, key=minutes)

    def error_ratio(self, window: str) -> str:
        return self.good.replace("{w}", window)

    def alerts(self) -> list[BurnAlert]:
        prefix = camel(self.service) + camel(self.name)
        window = Decimal(minutes(self.slo.window))
        return [BurnAlert(f"{prefix}Burn{p.long}", self.name, p,
                          p.budget_share * window / minutes(p.long), self.budget)
                for p in POLICIES]


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def le(threshold: float) -> str:
    """The `le` label of a histogram bucket: shortest form, as the Go client writes it."""
    return f"{threshold:g}"


def matchers(service: Service, name: str, extra: str = "") -> str:
    pairs = [f'{k}="{v}"' for k, v in service.metrics.matchers(name).items()]
    return "{" + ",".join([*pairs, *([extra] if extra else [])]) + "}"


def _sum(metric: str, selector: str) -> str:
    return f"sum by (namespace) (rate({metric}{selector}[{{w}}]))"


def objectives(model: Model, service: str) -> list[Objective]:
    """The service's SLOs, availability first; empty without `slos`."""
    svc = model.services[service]
    if svc.slos is None:
        return []
    owner = svc.owners[0] if svc.owners else ""
    metrics = svc.metrics
    found: list[Objective] = []
    if svc.slos.availability is not None:
        errors = _sum(metrics.requests, matchers(svc, service, f'code=~"{metrics.error_codes}"'))
        total = _sum(metrics.requests, matchers(svc, service))
        # No error yet means no error series: `or` the total times 0, so the ratio is 0, not absent.
        ratio = f"(\n  {errors}\n  or\n  0 * {total}\n)\n/\n{total}"
        found.append(Objective(
            service, "availability", svc.slos.availability, owner, ratio,
            f"requests answered without a server error (code =~ {metrics.error_codes})"))
    if svc.slos.latency is not None:
        latency: LatencySlo = svc.slos.latency
        bucket = f'le="{le(latency.threshold)}"'
        fast = _sum(f"{metrics.duration}_bucket", matchers(svc, service, bucket))
        total = _sum(f"{metrics.duration}_count", matchers(svc, service))
        found.append(Objective(
            service, "latency", latency, owner, f"1 - (\n  {fast}\n  /\n  {total}\n)",
            f"requests answered within {le(latency.threshold)}s"))
    return found


def error_code(regex: str) -> str:
    """A status code the error regex matches, for the generated rule tests."""
    for code in ("500", "503", "502", "504", "429", "404", "400"):
        if re.fullmatch(regex, code):
            return code
    return "500"
