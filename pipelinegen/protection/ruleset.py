"""The model's branch protection as a GitHub repository ruleset, in the REST API's shape (the body
of `POST /repos/{owner}/{repo}/rulesets`, which GitHub's UI can also import), and the mapping
between the model's bypass notation and the API's bypass actors."""

from __future__ import annotations

from typing import Any

from pipelinegen.core import layout
from pipelinegen.core.model import Project
from pipelinegen.protection.policy import expected

NAME = "pipelinegen-branch-protection"
PATH = f"{layout.RULESETS}/{NAME}.json"

# Repository roles have fixed ids in rulesets (GitHub does not number them in role order).
ROLE_IDS = {"maintain": 2, "write": 4, "admin": 5}
_ROLE_NAMES = {number: name for name, number in ROLE_IDS.items()}
_KIND_TYPES = {"team": "Team", "app": "Integration", "user": "User"}
_TYPE_KINDS = {api: kind for kind, api in _KIND_TYPES.items()}


def bypass_actor(actor: str) -> dict[str, Any]:
    """'role:admin' -> {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}."""
    if actor == "org-admin":
        found: dict[str, Any] = {"actor_id": 1, "actor_type": "OrganizationAdmin"}
    elif actor == "deploy-keys":
        found = {"actor_id": None, "actor_type": "DeployKey"}
    else:
        kind, value = actor.split(":", 1)
        if kind == "role":
            found = {"actor_id": ROLE_IDS[value], "actor_type": "RepositoryRole"}
        else:
            found = {"actor_id": int(value), "actor_type": _KIND_TYPES[kind]}
    return {**found, "bypass_mode": "always"}


def actor_name(actor: dict[str, Any]) -> str:
    """An API bypass actor in the model's notation; a mode other than always is appended."""
    kind = actor.get("actor_type")
    number = actor.get("actor_id")
    if kind == "OrganizationAdmin":  # GitHub answers with id 1, 0 or null
        name = "org-admin"
    elif kind == "DeployKey":
        name = "deploy-keys"
    elif kind == "RepositoryRole":
        name = f"role:{_ROLE_NAMES.get(number, number)}" if isinstance(number, int) else "role:?"
    else:
        name = f"{_TYPE_KINDS.get(str(kind), str(kind).lower())}:{number}"
    mode = actor.get("bypass_mode", "always")
    return name if mode == "always" else f"{name} (bypass_mode {mode})"


def branch_refs(project: Project) -> list[str]:
    """The ruleset's ref_name include list: the default branch unless branches are listed."""
    branches = project.branch_protection.branches
    if not branches:
        return ["~DEFAULT_BRANCH"]
    return [f"refs/heads/{branch}" for branch in sorted(set(branches))]


def protected_branches(project: Project) -> list[str]:
    """The branch names the policy protects (the model's default branch unless listed)."""
    return sorted(set(project.branch_protection.branches)) or [project.default_branch]


def ruleset(project: Project) -> dict[str, Any]:
    """The ruleset body; `apply` sends exactly this, and the emitter writes exactly this."""
    want = expected(project)
    rules: list[dict[str, Any]] = []
    if want.block_deletions:
        rules.append({"type": "deletion"})
    if want.block_force_pushes:
        rules.append({"type": "non_fast_forward"})
    rules.append({"type": "pull_request", "parameters": {
        "required_approving_review_count": want.required_approvals,
        "dismiss_stale_reviews_on_push": want.dismiss_stale_reviews,
        "require_code_owner_review": want.code_owner_review,
        "require_last_push_approval": want.last_push_approval,
        "required_review_thread_resolution": want.conversation_resolution,
    }})
    if want.required_checks or want.strict_status_checks:
        rules.append({"type": "required_status_checks", "parameters": {
            "strict_required_status_checks_policy": want.strict_status_checks,
            "required_status_checks": [
                {"context": check.context, "integration_id": check.integration_id}
                for check in want.required_checks
            ],
        }})
    if want.linear_history:
        rules.append({"type": "required_linear_history"})
    if want.signed_commits:
        rules.append({"type": "required_signatures"})
    return {
        "name": NAME,
        "target": "branch",
        "enforcement": "active",
        "bypass_actors": [bypass_actor(actor) for actor in want.bypass],
        "conditions": {"ref_name": {"include": branch_refs(project), "exclude": []}},
        "rules": rules,
    }
