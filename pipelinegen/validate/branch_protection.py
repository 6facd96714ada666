"""Branch protection rules: the Scorecard tier the model reaches, and the jobs behind its required
status checks."""

from __future__ import annotations

from collections.abc import Iterator

from pipelinegen.core.errors import Problem
from pipelinegen.protection import policy, ruleset, scorecard
from pipelinegen.validate import workflow_jobs
from pipelinegen.validate.registry import Context, rule


@rule("branch-protection-tier")
def tier(ctx: Context) -> Iterator[Problem]:
    """The branch protection policy reaches at least project.branch_protection.minimum_tier.

    Tiers are OpenSSF Scorecard's Branch-Protection levels 1-5; each problem names a setting the
    next tier needs, at the line of the services file that states it.

    It also counts the Scorecard checks a repository meets by its files (SAST, Dependency-Update-
    Tool, Security-Policy): each file `generate` writes for them must be there.

    Passes:  branch_protection: {required_approvals: 2, minimum_tier: 4}
    Fails:   branch_protection: {required_approvals: 1, minimum_tier: 4}
             (tier 3 reached; tier 4 needs at least 2 approving reviews)
             SECURITY.md deleted (Scorecard Security-Policy not met)
    """
    model = ctx.model
    source = ctx.inputs.source
    for check, path in scorecard.unmet(ctx.root):
        yield Problem(path, 1, 1, "branch-protection-tier",
                      f"Scorecard {check} is not met: {path} is missing",
                      "run `pipelinegen generate` to write it")
    minimum = model.project.branch_protection.minimum_tier
    reached = policy.tier(model)
    if reached >= minimum:
        return
    for requirement in policy.missing(model, reached + 1):
        line, col = ctx.positions.of(requirement.key, key=True)
        yield Problem(source, line, col, "branch-protection-tier",
                      f"branch protection reaches Scorecard tier {reached}, below minimum_tier"
                      f" {minimum}: tier {reached + 1} needs {requirement.need}",
                      f"set {requirement.fix} ({'.'.join(requirement.key[:-1])})")


@rule("required-checks-run")
def required_checks_run(ctx: Context) -> Iterator[Problem]:
    """Every required status check is reported by a workflow job that runs on every pull request.

    The job's name (or id) is the check; its workflow triggers on pull_request without a path
    filter, and the job has no `if:` but `always()`, so the check can never stay pending or be
    skipped into success.

    Passes:  on: {pull_request: {}, merge_group: {}}
             jobs: {gate: {name: gate, needs: [test], if: always(), ...}}
    Fails:   on: {pull_request: {paths: [services/**]}}
             jobs: {gate: {name: gate, needs: [test], ...}}
    """
    model = ctx.model
    checks = policy.required_checks(model.project)
    if not checks:
        return
    jobs, unreadable = workflow_jobs.read(ctx.root)
    for finding in unreadable:
        yield _problem(finding)
    branches = ruleset.protected_branches(model.project)
    for check in checks:
        candidates = [job for job in jobs if job.check_name == check.context]
        results = [list(workflow_jobs.problems(job, branches)) for job in candidates]
        clean = [found for found in results if all(f.level != "error" for f in found)]
        # One clean job is enough to report the check (its warnings still show); else say why
        # every candidate falls short.
        for found in clean[:1] or results:
            yield from (_problem(f) for f in found)
        if not candidates:
            source = ctx.inputs.source
            line, col = ctx.positions.of(("project", "gate_job"), key=True)
            yield Problem(source, line, col, "required-checks-run",
                          f"required status check {check.context!r} is reported by no job in"
                          f" {workflow_jobs.WORKFLOWS}",
                          f"generate the CI workflow, or add a job with id and name"
                          f" {check.context!r} that runs on every pull request")


def _problem(finding: workflow_jobs.Finding) -> Problem:
    return Problem(finding.file, finding.line, finding.col, "required-checks-run",
                   finding.message, level=finding.level)
