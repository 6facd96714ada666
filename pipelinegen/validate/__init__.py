"""`pipelinegen validate`: run the registered rules.

Rule modules are imported here, explicitly, so the registry is complete and its order stable.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipelinegen.core.errors import PipelinegenError, Problem

# Rule modules register themselves on import; the order here is the order rules run in.
from pipelinegen.validate import (
    branch_protection,
    charts,
    consistency,
    observability,
    pinned_actions,
    pinned_base,
    secret_values,
    service_files,
    toolchain_version,
    vuln_exceptions,
)
from pipelinegen.validate.registry import RULES, Context, Rule

__all__ = [
    "RULES", "Context", "Rule", "branch_protection", "charts", "consistency", "explain",
    "observability", "pinned_actions", "pinned_base", "run", "secret_values", "service_files",
    "toolchain_version", "vuln_exceptions",
]


def explain(rule_id: str) -> str:
    """A rule's id and summary, then its rationale with the passing and failing examples."""
    if rule_id not in RULES:
        raise PipelinegenError(f"unknown rule: {rule_id}", f"known rules: {', '.join(RULES)}")
    rule = RULES[rule_id]
    return f"{rule.id}\n\n{rule.details}\n"


def run(context: Context, only: Iterable[str] = ()) -> list[Problem]:
    selected = list(only) or list(RULES)
    unknown = [rule_id for rule_id in selected if rule_id not in RULES]
    if unknown:
        raise PipelinegenError(
            f"unknown rule(s): {', '.join(unknown)}", f"known rules: {', '.join(RULES)}"
        )
    found: list[Problem] = []
    for rule_id in selected:
        found.extend(RULES[rule_id].check(context))
    return sorted(found)
