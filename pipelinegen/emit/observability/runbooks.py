"""docs/SRE/<service>.md: the runbook every alert of a service links to (`runbook_url`).

One section per alert, headed by the alert's name (its anchor is the alert name in lower case,
as GitHub derives it): what it means, the first checks with the exact commands for each
environment's namespace, the rollback to the previous Helm release, and whom to escalate to.
The notes section at the end is the team's own (pipelinegen.core.kept): regeneration keeps it.
"""

from __future__ import annotations

from pipelinegen.core import kept, layout
from pipelinegen.core.model import Environment, Model
from pipelinegen.emit.header import header
from pipelinegen.emit.observability.slo import BurnAlert, Objective, number, objectives

ROOT = layout.RUNBOOKS

PLACEHOLDER = (
    "_Your team's notes: known failure modes, dashboards, contacts. pipelinegen keeps\n"
    "everything between these two markers when it regenerates this runbook._\n"
)

MEANING = {
    "page": "Users are failing now and the error budget would be gone within days: act now.",
    "ticket": "The error budget is being spent faster than it refills: fix it within working "
              "hours, before it becomes a page.",
}


def path(service: str) -> str:
    return f"{ROOT}/{service}.md"


def paths(model: Model) -> list[str]:
    """The runbooks the model produces: one per service with SLOs."""
    return sorted(path(name) for name, svc in model.services.items() if svc.slos is not None)


def runbook(model: Model, service: str, source: str, notes_now: str | None) -> str:
    found = objectives(model, service)
    svc = model.services[service]
    owner = svc.owners[0] if svc.owners else "(no owner)"
    routing = model.project.observability.oncall.get(owner)
    lines = [
        "<!--", header(source, "").rstrip("\n"),
        "Except the notes section at the end, which is yours and kept on regeneration.", "-->",
        "",
        f"# {service} runbook",
        "",
        f"Owner: {owner}."
        + (f" Pages go to `{routing.page}`, tickets to `{routing.ticket}`." if routing else ""),
        f"Dashboard: the Grafana dashboard \"{model.project.name} / {service}\".",
        "",
        "| SLO | objective | window | good requests |",
        "| --- | --- | --- | --- |",
        *(f"| {o.name} | {number(o.slo.objective)}% | {o.slo.window} | {o.description} |"
          for o in found),
        "",
        "## Alerts",
        "",
    ]
    for objective in found:
        for alert in objective.alerts():
            lines.extend(alert_section(model, objective, alert, owner))
    lines += ["## Notes", ""]
    return "\n".join(lines) + "\n" + kept.notes_section(PLACEHOLDER, notes_now)


def alert_section(model: Model, objective: Objective, alert: BurnAlert, owner: str
                  ) -> list[str]:
    policy = alert.policy
    share = number(policy.budget_share * 100)
    return [
        f"### {alert.name}",
        "",
        f"**{policy.severity}**: the {objective.name} SLO ({objective.description}) burns its"
        f" {objective.slo.window} error budget more than {number(alert.factor)}x too fast over"
        f" both {policy.long} and {policy.short} ({share}% of the budget per {policy.long})."
        f" {MEANING[policy.severity]} The alert's `namespace` label names the environment.",
        "",
        "First checks, then rollback if the last release is the cause:",
        "",
        *(line for env in model.project.environments
          for line in commands(objective.service, env)),
        f"Escalation: {owner}"
        + ("" if policy.severity == "page" else " in working hours")
        + "; if the cause is a dependency, page its owner (see its runbook in this folder).",
        "",
    ]


def commands(service: str, env: Environment) -> list[str]:
    ns, label = env.namespace, f"app.kubernetes.io/name={service}"
    rollback = f"helm rollback {service} -n {ns} --wait"
    if env.strategy == "blue-green":
        rollback += "   # restores the previous revision's active colour too"
    return [
        f"{env.name} (`{ns}`):",
        "",
        "```sh",
        f"kubectl get pods -n {ns} -l {label} -o wide",
        f"kubectl logs -n {ns} -l {label} --since=1h --tail=200 --prefix",
        f"kubectl get events -n {ns} --sort-by=.lastTimestamp | tail -n 30",
        f"helm history {service} -n {ns} --max 5",
        rollback,
        "```",
        "",
    ]


def emit(model: Model, source: str, notes_now: dict[str, str]) -> dict[str, str]:
    return {path(name): runbook(model, name, source, notes_now.get(path(name)))
            for name, svc in sorted(model.services.items()) if svc.slos is not None}
