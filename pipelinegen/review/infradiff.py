"""What a change does to each service's cloud infrastructure, per environment.

Resources are compared by name (added, removed, resized: a database whose size changes); IAM by
the grants of the service's role, each an action set on one resource, so a review shows exactly
which ARN a role gains or loses.
"""

from __future__ import annotations

from pipelinegen.core import cloud
from pipelinegen.core.change_report import InfraChange, InfraChangeKind
from pipelinegen.core.model import Model
from pipelinegen.emit.terraform import environment, service

SECRET_ACTIONS = "secretsmanager:DescribeSecret, secretsmanager:GetSecretValue"


def resources(model: Model | None, name: str, env: str) -> dict[str, str]:
    """Resource -> its description in one environment, e.g. "postgres (large)"."""
    if model is None or name not in model.services or model.project.aws is None:
        return {}
    found = {}
    for resource, spec in model.services[name].infra.items():
        sized = spec.kind in cloud.DB_PORTS
        found[resource] = f"{spec.kind} ({cloud.db_size(spec, env)})" if sized else spec.kind
    return found


def grants(model: Model | None, name: str, env: str) -> set[str]:
    """The role's grants in one environment, one line each: "<actions> on <resource>"."""
    if model is None or name not in model.services or model.project.aws is None:
        return set()
    if name not in environment.services(model, env):
        return set()
    found = {f"{SECRET_ACTIONS} on {arn}" for arn in environment.secret_arns(model, name, env)}
    for _, actions, targets in service.policy_statements(model, name):
        found.update(f"{', '.join(actions)} on {target.strip(chr(34))}" for target in targets)
    return found


def changes(old: Model | None, new: Model | None, old_name: str, new_name: str,
            ) -> list[InfraChange]:
    envs = sorted({*(old.project.environment_names() if old else []),
                   *(new.project.environment_names() if new else [])})
    out: list[InfraChange] = []
    for env in envs:
        before, after = resources(old, old_name, env), resources(new, new_name, env)
        for resource in sorted({*before, *after}):
            was, now = before.get(resource), after.get(resource)
            if was == now:
                continue
            kind: InfraChangeKind
            if was is None:
                kind, text = "resource-added", f"{resource}: {now} added"
            elif now is None:
                kind, text = "resource-removed", f"{resource}: {was} removed"
            else:
                kind, text = "resource-changed", f"{resource}: {was} -> {now}"
            out.append(InfraChange(environment=env, change=kind, summary=text))
        granted, revoked = grants(old, old_name, env), grants(new, new_name, env)
        out += [InfraChange(environment=env, change="iam-granted", summary=line)
                for line in sorted(revoked - granted)]
        out += [InfraChange(environment=env, change="iam-revoked", summary=line)
                for line in sorted(granted - revoked)]
    return out
