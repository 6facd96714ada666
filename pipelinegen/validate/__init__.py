"""`pipelinegen validate`: run the registered rules.

Rule modules are imported here, explicitly, so the registry is complete and its order stable.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipelinegen.errors import PipelinegenError, Problem

# Rule modules register themselves on import; the order here is the order rules run in.
from pipelinegen.validate import (
    branch_protection,
    charts,
    consistency,
    pinned_actions,
    pinned_base,
    service_files,
    vuln_exceptions,
)
from pipelinegen.validate.registry import RULES, Context, Rule

__all__ = [
    "RULES", "Context", "Rule", "branch_protection", "charts", "consistency", "pinned_actions",
    "pinned_base", "run", "service_files", "vuln_exceptions",
]


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
