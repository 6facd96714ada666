"""Prometheus rules of a service's SLOs: recording rules per window and burn-rate alerts.

The same groups go out twice: as a plain rules file (what `promtool check rules` and
`promtool test rules` read) and wrapped in a Prometheus Operator PrometheusRule object, labelled
with the operator's `release` so its default rule selector picks it up.
"""

from __future__ import annotations

from typing import Any

from pipelinegen.core.model import Model
from pipelinegen.emit.observability.slo import (
    BUDGET_REMAINING,
    ERROR_RATIO,
    BurnAlert,
    Objective,
    minutes,
    number,
)

SUMMARIES = {
    "page": "burning its {window} error budget {factor}x too fast: at this rate it is gone"
            " in {left}",
    "ticket": "burning its {window} error budget {factor}x too fast",
}


def runbook_base(model: Model) -> str:
    obs = model.project.observability
    if obs.runbook_url is not None:
        return obs.runbook_url.rstrip("/")
    project = model.project
    return f"https://github.com/{project.repository}/blob/{project.default_branch}/docs/SRE"


def runbook_url(model: Model, service: str, alert: BurnAlert) -> str:
    return f"{runbook_base(model)}/{service}.md#{alert.anchor}"


def groups(model: Model, service: str, objectives: list[Objective]) -> list[dict[str, Any]]:
    recording: list[dict[str, Any]] = []
    alerting: list[dict[str, Any]] = []
    for objective in objectives:
        recording.extend(recording_rules(objective))
        alerting.extend(alert_rule(model, objective, alert) for alert in objective.alerts())
    return [
        {"name": f"{service}-slo-recording", "rules": recording},
        {"name": f"{service}-slo-alerts", "rules": alerting},
    ]


def recording_rules(objective: Objective) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {"record": f"{ERROR_RATIO}{window}", "expr": objective.error_ratio(window) + "\n",
         "labels": objective.labels}
        for window in objective.windows()
    ]
    rules.append({
        "record": BUDGET_REMAINING,
        "expr": f"1 - {ERROR_RATIO}{objective.slo.window}{objective.selector()}"
                f" / {number(objective.budget)}\n",
        "labels": objective.labels,
    })
    return rules


def alert_expr(objective: Objective, alert: BurnAlert) -> str:
    selector = objective.selector()
    return (f"{ERROR_RATIO}{alert.policy.long}{selector} > {alert.threshold}\n"
            f"and\n"
            f"{ERROR_RATIO}{alert.policy.short}{selector} > {alert.threshold}\n")


def alert_labels(objective: Objective, alert: BurnAlert) -> dict[str, str]:
    return {"severity": alert.policy.severity, "owner": objective.owner, **objective.labels}


def alert_annotations(model: Model, objective: Objective, alert: BurnAlert) -> dict[str, str]:
    window = objective.slo.window
    left_hours = minutes(window) / 60 / float(alert.factor)
    summary = SUMMARIES[alert.policy.severity].format(
        window=window, factor=number(alert.factor), left=_duration(left_hours))
    return {
        "summary": f"{objective.service} {objective.name}: {summary}",
        "description": (
            f"{objective.service} misses its {objective.name} objective of"
            f" {number(objective.slo.objective)}% ({objective.description}) over"
            f" {alert.policy.long} and {alert.policy.short} at more than {number(alert.factor)}x"
            f" the sustainable error rate; {number(alert.policy.budget_share * 100)}% of the"
            f" {window} budget is spent per {alert.policy.long}."),
        "runbook_url": runbook_url(model, objective.service, alert),
    }


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{number(round(hours, 1))}h"
    return f"{number(round(hours / 24, 1))}d"


def alert_rule(model: Model, objective: Objective, alert: BurnAlert) -> dict[str, Any]:
    return {
        "alert": alert.name,
        "expr": alert_expr(objective, alert),
        "for": alert.policy.hold,
        "labels": alert_labels(objective, alert),
        "annotations": alert_annotations(model, objective, alert),
    }


def prometheus_rule(model: Model, service: str, rule_groups: list[dict[str, Any]]
                    ) -> dict[str, Any]:
    obs = model.project.observability
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": f"{service}-slo",
            "namespace": obs.namespace,
            "labels": {
                "app.kubernetes.io/name": service,
                "app.kubernetes.io/part-of": model.project.name,
                "app.kubernetes.io/managed-by": "pipelinegen",
                "release": obs.release,
            },
        },
        "spec": {"groups": rule_groups},
    }
