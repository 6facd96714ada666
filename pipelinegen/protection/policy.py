"""What the model asks of a protected branch, in one shape shared with the live configuration,
and the OpenSSF Scorecard Branch-Protection tier it reaches.

Tiers (Scorecard's Branch-Protection check): 1 no force pushes and no deletions; 2 pull requests
with >= 1 approval, branches up to date before merging, last-push approval; 3 >= 1 required status
check; 4 >= 2 approvals and code-owner review (with a CODEOWNERS file that names owners); 5 stale
approvals dismissed and nobody, admins included, may bypass. A tier counts only when every lower
tier is met.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipelinegen.core.model import BranchProtection, Model, Project

# GitHub Actions' app id: the integration that reports a workflow job's check run.
GITHUB_ACTIONS_APP_ID = 15368

TOP_TIER = 5


@dataclass(frozen=True, order=True)
class RequiredCheck:
    """A required status check: its context and the app that must report it (None: any app)."""

    context: str
    integration_id: int | None = GITHUB_ACTIONS_APP_ID

    def __str__(self) -> str:
        if self.integration_id is None:
            return f"{self.context} (from any app)"
        if self.integration_id == GITHUB_ACTIONS_APP_ID:
            return f"{self.context} (from GitHub Actions)"
        return f"{self.context} (from app {self.integration_id})"


def required_checks(project: Project) -> tuple[RequiredCheck, ...]:
    """The required status checks, derived from the CI gate job: never typed by hand.

    The CI workflow's gate job has job id and `name:` equal to `project.gate_job`, so the check
    run GitHub Actions reports for it has exactly that context. The ruleset emitter, the live
    comparison and the `required-checks-run` rule all read this one function.
    """
    if not project.branch_protection.require_status_checks:
        return ()
    return (RequiredCheck(project.gate_job),)


@dataclass(frozen=True)
class Settings:
    """The protection of one branch, whatever states it: the model, rulesets or classic rules."""

    block_deletions: bool = False
    block_force_pushes: bool = False
    require_pull_request: bool = False
    required_approvals: int = 0
    code_owner_review: bool = False
    dismiss_stale_reviews: bool = False
    last_push_approval: bool = False
    conversation_resolution: bool = False
    required_checks: tuple[RequiredCheck, ...] = ()
    strict_status_checks: bool = False
    linear_history: bool = False
    signed_commits: bool = False
    bypass: tuple[str, ...] = ()  # actors that may bypass, in the model's notation, sorted


def expected(project: Project) -> Settings:
    """The settings the model asks for on every protected branch."""
    bp = project.branch_protection
    return Settings(
        block_deletions=not bp.allow_deletions,
        block_force_pushes=not bp.allow_force_pushes,
        require_pull_request=True,
        required_approvals=bp.required_approvals,
        code_owner_review=bp.code_owner_review,
        dismiss_stale_reviews=bp.dismiss_stale_reviews,
        last_push_approval=bp.last_push_approval,
        conversation_resolution=bp.conversation_resolution,
        required_checks=tuple(sorted(required_checks(project))),
        strict_status_checks=bp.strict_status_checks,
        linear_history=bp.linear_history,
        signed_commits=bp.signed_commits,
        bypass=tuple(sorted(set(bp.bypass))),
    )


def has_code_owners(model: Model) -> bool:
    """Whether CODEOWNERS names anyone (Scorecard ignores code-owner review without owners)."""
    return bool(model.project.owners) or any(s.owners for s in model.services.values())


@dataclass(frozen=True)
class Requirement:
    """One setting a tier needs: where the model states it, and how to meet it."""

    tier: int
    key: tuple[str, ...]  # key path in the services file
    need: str  # what the tier needs, e.g. "required_approvals >= 1"
    fix: str  # the line to write, e.g. "required_approvals: 1"
    met: Callable[[Model], bool]


def _bp(model: Model) -> BranchProtection:
    return model.project.branch_protection


_BP = ("project", "branch_protection")

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(1, (*_BP, "allow_force_pushes"), "no force pushes", "allow_force_pushes: false",
                lambda m: not _bp(m).allow_force_pushes),
    Requirement(1, (*_BP, "allow_deletions"), "no branch deletion", "allow_deletions: false",
                lambda m: not _bp(m).allow_deletions),
    Requirement(2, (*_BP, "required_approvals"), "at least 1 approving review",
                "required_approvals: 1", lambda m: _bp(m).required_approvals >= 1),
    Requirement(2, (*_BP, "strict_status_checks"), "branches up to date before merging",
                "strict_status_checks: true", lambda m: _bp(m).strict_status_checks),
    Requirement(2, (*_BP, "last_push_approval"), "approval of the last push",
                "last_push_approval: true", lambda m: _bp(m).last_push_approval),
    Requirement(3, (*_BP, "require_status_checks"), "at least 1 required status check",
                "require_status_checks: true", lambda m: bool(required_checks(m.project))),
    Requirement(4, (*_BP, "required_approvals"), "at least 2 approving reviews",
                "required_approvals: 2", lambda m: _bp(m).required_approvals >= 2),
    Requirement(4, (*_BP, "code_owner_review"), "code-owner review",
                "code_owner_review: true", lambda m: _bp(m).code_owner_review),
    Requirement(4, ("project", "owners"), "a CODEOWNERS file that names owners",
                'owners: ["@org/team"] (or owners on the services)', has_code_owners),
    Requirement(5, (*_BP, "dismiss_stale_reviews"), "stale approvals dismissed on push",
                "dismiss_stale_reviews: true", lambda m: _bp(m).dismiss_stale_reviews),
    Requirement(5, (*_BP, "bypass"), "nobody, admins included, may bypass the rules",
                "bypass: []", lambda m: not _bp(m).bypass),
)


def tier(model: Model) -> int:
    """The highest tier whose requirements, and those of every lower tier, the model meets."""
    reached = 0
    for level in range(1, TOP_TIER + 1):
        if missing(model, level):
            break
        reached = level
    return reached


def missing(model: Model, level: int) -> list[Requirement]:
    """The requirements of exactly this tier that the model does not meet."""
    return [r for r in REQUIREMENTS if r.tier == level and not r.met(model)]
