"""`pipelinegen validate` and `explain`: the repository against the rules, and why each exists."""

from __future__ import annotations

from pipelinegen import validate as validation
from pipelinegen.commands import Echo
from pipelinegen.core.errors import FindingsError
from pipelinegen.generation import report
from pipelinegen.generation.workspace import Workspace


def list_rules(echo: Echo) -> None:
    for rule in validation.RULES.values():
        echo(f"{rule.id:24} {rule.summary}")


def validate(ws: Workspace, rules: tuple[str, ...], fmt: str, echo: Echo) -> None:
    context = validation.Context(ws.root, ws.inputs, ws.plan)
    found = validation.run(context, rules)
    echo(report.problems(found, fmt), nl=False)
    if any(p.level == "error" for p in found):
        raise FindingsError(f"{len(found)} problem(s) found")
    if report.resolve_format(fmt) == "text":
        ran = len(rules or validation.RULES)
        echo(f"{ran - len({p.rule for p in found})} of {ran} rule(s) passed cleanly")


def explain(rule_id: str, echo: Echo) -> None:
    echo(validation.explain(rule_id))
