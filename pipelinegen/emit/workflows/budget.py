"""`timeout-minutes` of every generated job, from the model's time budgets.

On the default branch a CI run's jobs run one after another: changes, build (its matrix legs in
parallel), publish, gate. The budget (`project.ci.budget_minutes`, 20 by default, the charter's
target) is shared out along that path in twentieths: 3 + 12 + 3 + 2, so no run whose jobs all
keep to their timeouts can exceed it. The pull-request-only jobs of pipelinegen.yml do what
`changes` does (check out, install pipelinegen, run it) and get its share. Each deploy job gets
`project.ci.deploy_minutes` (30 by default, the recovery-time target). A job that calls a
reusable workflow takes no `timeout-minutes` (GitHub rejects it there); the called jobs carry it.
"""

from __future__ import annotations

from pipelinegen.core.model import Ci

# Twentieths of the CI budget, per job on the default branch's path (they add up to 20).
SHARES = {"changes": 3, "build": 12, "publish": 3, "gate": 2}
PULL_REQUEST_JOBS = "changes"  # whose share drift and review get


def ci_minutes(ci: Ci, job: str) -> int:
    """A CI job's timeout: its share of the budget, rounded down, at least a minute."""
    return max(1, ci.budget_minutes * SHARES[job] // sum(SHARES.values()))


def review_minutes(ci: Ci) -> int:
    return ci_minutes(ci, PULL_REQUEST_JOBS)
