"""Branch protection from the model: Scorecard tiers, the ruleset and CODEOWNERS files, and the
validate rules that grade the policy and check the jobs behind required status checks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from pipelinegen import validate as validation
from pipelinegen.core import load
from pipelinegen.core.errors import InputError, Problem
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import HELM_TEST_IMAGE, Model
from pipelinegen.emit import codeowners, rulesets
from pipelinegen.generation.workspace import Workspace
from pipelinegen.protection import policy, ruleset, scorecard


def services_yaml(protection: str = "", project_extra: str = "", owners: str = '["@acme/api"]',
                  gate: str = "gate") -> str:
    block = textwrap.indent(textwrap.dedent(protection).strip(), "    ")
    return (
        "version: 1\n"
        "project:\n"
        "  name: demo\n"
        "  repository: acme/demo\n"
        "  registry: ghcr.io/acme\n"
        f"  gate_job: {gate}\n"
        "  environments: [{name: dev, namespace: demo-dev}]\n"
        f"{project_extra}"
        "  branch_protection:\n"
        f"    minimum_tier: 0\n{block}\n"
        f"bases: {{helm-test: '{HELM_TEST_IMAGE}'}}\n"
        "services:\n"
        "  api:\n"
        "    path: services/api\n"
        "    stack: dockerfile\n"
        "    dockerfile: services/api/Dockerfile\n"
        "    port: 8080\n"
        "    depends_on: [packages/common]\n"
        f"    owners: {owners}\n"
        "  web:\n"
        "    path: services/web\n"
        "    stack: dockerfile\n"
        "    dockerfile: services/web/Dockerfile\n"
        "    port: 3000\n"
        "    depends_on: [packages/common, services/api]\n"
        '    owners: ["@acme/web"]\n'
    )


def model_of(text: str) -> Model:
    return load.loads(text.encode(), "services.yaml")


# --- tiers -------------------------------------------------------------------------------------

# Each tier N appears twice: a model just at it (every setting of tier N+1 but one) and a model
# just below it (one setting of tier N missing). The defaults reach tier 5.
TIER_CASES = [
    ("allow_force_pushes: true", 0),
    ("allow_deletions: true", 0),
    ("required_approvals: 0", 1),
    ("strict_status_checks: false", 1),
    ("last_push_approval: false", 1),
    ("require_status_checks: false", 2),
    ("required_approvals: 1", 3),
    ("code_owner_review: false", 3),
    ("dismiss_stale_reviews: false", 4),
    ("bypass: [role:admin]", 4),
    ("bypass: [team:42]", 4),
    ("", 5),
    ("signed_commits: true", 5),
]


@pytest.mark.parametrize(("setting", "expected"), TIER_CASES)
def test_each_tier_boundary_is_graded(setting: str, expected: int) -> None:
    assert policy.tier(model_of(services_yaml(setting))) == expected


def test_code_owner_review_without_any_owner_stays_at_tier_3() -> None:
    # Scorecard ignores code-owner review when CODEOWNERS names nobody.
    model = model_of(services_yaml(owners="[]").replace('    owners: ["@acme/web"]\n', ""))
    assert policy.tier(model) == 3
    assert [r.key[-1] for r in policy.missing(model, 4)] == ["owners"]
    with_platform = model_of(services_yaml(owners="[]", project_extra='  owners: ["@acme/p"]\n')
                             .replace('    owners: ["@acme/web"]\n', ""))
    assert policy.tier(with_platform) == 5


def test_missing_names_the_settings_of_the_next_tier() -> None:
    model = model_of(services_yaml("required_approvals: 0\nlast_push_approval: false"))
    assert policy.tier(model) == 1
    assert [r.need for r in policy.missing(model, 2)] == [
        "at least 1 approving review", "approval of the last push"]


def test_bypass_actor_must_use_a_known_form() -> None:
    with pytest.raises(InputError) as caught:
        model_of(services_yaml("bypass: [team:platform]"))
    problem = caught.value.problems[0]
    assert (problem.line, problem.col) == (10, 14)
    assert "'team:platform' is not allowed here" in problem.message
    assert "numeric id" in problem.hint


# --- ruleset -----------------------------------------------------------------------------------


def test_ruleset_requires_exactly_the_gate_and_follows_a_rename() -> None:
    for gate in ("gate", "ci-gate"):
        project = model_of(services_yaml(gate=gate)).project
        body = ruleset.ruleset(project)
        (checks_rule,) = [r for r in body["rules"] if r["type"] == "required_status_checks"]
        # The ruleset and the required-checks-run rule read the same derivation.
        assert checks_rule["parameters"]["required_status_checks"] == [
            {"context": gate, "integration_id": 15368}]
        assert [c.context for c in policy.required_checks(project)] == [gate]


def test_emitted_ruleset_file_is_the_rest_body() -> None:
    model = model_of(services_yaml("bypass: [role:admin, team:7, org-admin, deploy-keys]"))
    files = rulesets.emit(Inputs(model, "services.yaml"))
    assert list(files) == [".github/rulesets/pipelinegen-branch-protection.json"]
    assert json.loads(files[ruleset.PATH]) == {
        "name": "pipelinegen-branch-protection",
        "target": "branch",
        "enforcement": "active",
        "bypass_actors": [
            {"actor_id": None, "actor_type": "DeployKey", "bypass_mode": "always"},
            {"actor_id": 1, "actor_type": "OrganizationAdmin", "bypass_mode": "always"},
            {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"},
            {"actor_id": 7, "actor_type": "Team", "bypass_mode": "always"},
        ],
        "conditions": {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}},
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            {"type": "pull_request", "parameters": {
                "required_approving_review_count": 2,
                "dismiss_stale_reviews_on_push": True,
                "require_code_owner_review": True,
                "require_last_push_approval": True,
                "required_review_thread_resolution": True,
            }},
            {"type": "required_status_checks", "parameters": {
                "strict_required_status_checks_policy": True,
                "required_status_checks": [{"context": "gate", "integration_id": 15368}],
            }},
            {"type": "required_linear_history"},
        ],
    }


def test_ruleset_follows_each_setting() -> None:
    model = model_of(services_yaml("""
        branches: [release, main]
        allow_deletions: true
        require_status_checks: false
        linear_history: false
        signed_commits: true
        required_approvals: 1
        conversation_resolution: false
    """))
    body = ruleset.ruleset(model.project)
    assert body["conditions"]["ref_name"]["include"] == ["refs/heads/main", "refs/heads/release"]
    assert [r["type"] for r in body["rules"]] == [
        "non_fast_forward", "pull_request", "required_status_checks", "required_signatures"]
    assert body["rules"][1]["parameters"]["required_approving_review_count"] == 1
    assert body["rules"][1]["parameters"]["required_review_thread_resolution"] is False
    # Strict without checks is still a rule (GitHub accepts an empty list); no check is invented.
    assert body["rules"][2]["parameters"] == {
        "strict_required_status_checks_policy": True, "required_status_checks": []}


# --- CODEOWNERS --------------------------------------------------------------------------------


def test_codeowners_from_services_and_shared_paths() -> None:
    model = model_of(services_yaml())
    text = codeowners.emit(Inputs(model, "services.yaml"))[".github/CODEOWNERS"]
    assert text == (
        "# Generated by pipelinegen from services.yaml. Do not edit by hand:\n"
        "# change services.yaml, then run `pipelinegen generate`.\n"
        "\n"
        "# Your own lines go in this section, which generation keeps (lines below win).\n"
        "# --- kept: the repository's own lines; pipelinegen generate leaves them as they are"
        " ---\n"
        "# --- end of kept lines ---\n"
        "\n"
        "# Each service's path, and shared paths, owned by every service that uses them.\n"
        "/packages/common @acme/api @acme/web\n"
        "/services/api/ @acme/api @acme/web\n"
        "/services/web/ @acme/web\n"
        "\n"
        "# The services file and the files generated from it.\n"
        "/services.yaml @acme/api @acme/web\n"
        "/.github/ @acme/api @acme/web\n"
        "/docs/devops/ @acme/api @acme/web\n"
        "/generated/ @acme/api @acme/web\n"
        "/specs/ @acme/api @acme/web\n"
    )


def test_codeowners_platform_owners_and_source_path() -> None:
    model = model_of(services_yaml(project_extra='  owners: ["@acme/platform"]\n'))
    text = codeowners.emit(Inputs(model, "ci/services.yaml"))[".github/CODEOWNERS"]
    assert "# change ci/services.yaml, then run `pipelinegen generate --file ci/services.yaml`." \
        in text
    assert text.endswith("/ci/services.yaml @acme/platform\n/.github/ @acme/platform\n"
                         "/docs/devops/ @acme/platform\n/generated/ @acme/platform\n"
                         "/specs/ @acme/platform\n")


# --- validate rules ----------------------------------------------------------------------------


def run_rule(root: Path, text: str, rule_id: str, scorecard_files: bool = True
             ) -> list[Problem]:
    (root / "services.yaml").write_text(text)
    ws = Workspace.locate(root / "services.yaml", root)
    if scorecard_files:  # as `generate` writes them
        for _, path in scorecard.CHECKS:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(ws.plan.outputs[path])
    return validation.run(validation.Context(ws.root, ws.inputs, ws.plan), [rule_id])


def test_tier_rule_counts_the_scorecard_files(tmp_path: Path) -> None:
    text = services_yaml()
    assert run_rule(tmp_path, text, "branch-protection-tier") == []
    (tmp_path / "SECURITY.md").unlink()
    (tmp_path / ".github" / "dependabot.yml").unlink()
    (tmp_path / ".github" / "workflows" / "codeql.yml").unlink()
    found = run_rule(tmp_path, text, "branch-protection-tier", scorecard_files=False)
    assert [(p.file, p.message) for p in found] == [
        (".github/dependabot.yml",
         "Scorecard Dependency-Update-Tool is not met: .github/dependabot.yml is missing"),
        (".github/workflows/codeql.yml",
         "Scorecard SAST is not met: .github/workflows/codeql.yml is missing"),
        ("SECURITY.md", "Scorecard Security-Policy is not met: SECURITY.md is missing"),
    ]


def test_tier_rule_points_at_the_setting_for_the_next_tier(tmp_path: Path) -> None:
    text = services_yaml("required_approvals: 1").replace("minimum_tier: 0", "minimum_tier: 4")
    assert text.splitlines()[9] == "    required_approvals: 1"
    assert run_rule(tmp_path, text, "branch-protection-tier") == [Problem(
        "services.yaml", 10, 5, "branch-protection-tier",
        "branch protection reaches Scorecard tier 3, below minimum_tier 4: tier 4 needs at least"
        " 2 approving reviews",
        "set required_approvals: 2 (project.branch_protection)")]


def test_tier_rule_names_every_missing_setting_of_the_next_tier(tmp_path: Path) -> None:
    text = services_yaml("").replace("minimum_tier: 0", "minimum_tier: 5")
    assert run_rule(tmp_path, text, "branch-protection-tier") == []
    text = services_yaml("bypass: [role:admin]\ndismiss_stale_reviews: false").replace(
        "minimum_tier: 0", "minimum_tier: 5")
    found = run_rule(tmp_path, text, "branch-protection-tier")
    assert [(p.line, p.col, p.message.split(" needs ")[1]) for p in found] == [
        (10, 5, "nobody, admins included, may bypass the rules"),
        (11, 5, "stale approvals dismissed on push"),
    ]


def test_tier_rule_points_at_the_nearest_key_for_an_unwritten_setting(tmp_path: Path) -> None:
    text = (services_yaml(owners="[]").replace('    owners: ["@acme/web"]\n', "")
            .replace("minimum_tier: 0", "minimum_tier: 4"))
    (problem,) = run_rule(tmp_path, text, "branch-protection-tier")
    assert (problem.line, problem.col) == (2, 1)  # `project:`, where project.owners belongs
    assert problem.message.endswith("tier 4 needs a CODEOWNERS file that names owners")
    assert problem.hint == 'set owners: ["@org/team"] (or owners on the services) (project)'


def test_tier_rule_passes_at_the_minimum(tmp_path: Path) -> None:
    text = services_yaml("required_approvals: 1").replace("minimum_tier: 0", "minimum_tier: 3")
    assert run_rule(tmp_path, text, "branch-protection-tier") == []


GOOD_WORKFLOW = """\
name: ci
on:
  pull_request:
  merge_group:
  push:
    branches: [main]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo test
  gate:
    name: gate
    needs: [test]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo gate
"""


def with_workflow(root: Path, text: str, name: str = "ci.yml") -> None:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def checks_problems(root: Path, text: str = "", gate: str = "gate") -> list[tuple[str, int, str]]:
    found = run_rule(root, services_yaml(text, gate=gate), "required-checks-run")
    return [(f"{p.file}:{p.line}:{p.col}", p.level == "error", p.message) for p in found]


def test_required_check_from_a_job_that_always_runs_passes(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW)
    assert checks_problems(tmp_path) == []
    # ${{ }} around always() and an id differing from the name are fine too.
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  gate:\n", "  final:\n")
                  .replace("if: always()", "if: ${{ always() }}"))
    assert checks_problems(tmp_path) == []


def test_required_check_without_a_job_points_at_the_model(tmp_path: Path) -> None:
    assert checks_problems(tmp_path) == [(
        "services.yaml:6:3", True,
        "required status check 'gate' is reported by no job in .github/workflows")]
    with_workflow(tmp_path, GOOD_WORKFLOW)
    # Renaming the gate in the model leaves the workflow's job behind.
    assert checks_problems(tmp_path, gate="ci-gate") == [(
        "services.yaml:6:3", True,
        "required status check 'ci-gate' is reported by no job in .github/workflows")]
    assert checks_problems(tmp_path, "require_status_checks: false", gate="ci-gate") == []


@pytest.mark.parametrize(("change", "where", "message"), [
    (("  pull_request:\n", "  pull_request:\n    paths: [services/**]\n"), "4:5",
     "pull_request `paths:` leaves the required check pending on pull requests it filters out;"
     " detect changes inside a job instead"),
    (("  pull_request:\n", "  pull_request:\n    paths-ignore: [docs/**]\n"), "4:5",
     "pull_request `paths-ignore:` leaves the required check pending on pull requests it"
     " filters out; detect changes inside a job instead"),
    (("    if: always()\n", ""), "13:3",
     "job gate: it has `needs:` but no `if: always()`, so a failed dependency skips it and the"
     " skipped check reports success"),
    (("if: always()", "if: github.event_name == 'pull_request'"), "16:5",
     "job gate: `if: github.event_name == 'pull_request'` can skip it, and a skipped job"
     " reports success; use `if: always()` and fail inside the job"),
    (("  pull_request:\n", "  pull_request:\n    branches: ['release/**']\n"), "4:5",
     "pull_request branch filters exclude pull requests into main"),
    (("  pull_request:\n", "  pull_request:\n    branches-ignore: [ma*]\n"), "4:5",
     "pull_request branch filters exclude pull requests into main"),
    (("  pull_request:\n", "  pull_request:\n    types: [opened, labeled]\n"), "4:5",
     "pull_request `types:` must include opened, synchronize and reopened, or new pushes to a"
     " pull request leave the check stale"),
    (("    needs: [test]\n", "    strategy: {matrix: {os: [a, b]}}\n    needs: [test]\n"),
     "13:3", "job gate: a matrix job reports one check per combination, 'gate (...)', never"
     " 'gate'"),
    (("  pull_request:\n  merge_group:\n", "  merge_group:\n"), "2:1",
     "the workflow does not run on pull_request"),
])
def test_required_check_job_that_can_be_skipped_fails(tmp_path: Path,
                                                      change: tuple[str, str], where: str,
                                                      message: str) -> None:
    text = GOOD_WORKFLOW.replace(*change)
    assert text != GOOD_WORKFLOW
    with_workflow(tmp_path, text)
    assert checks_problems(tmp_path) == [(f".github/workflows/ci.yml:{where}", True, message)]


def test_branch_filters_that_cover_the_protected_branches_pass(tmp_path: Path) -> None:
    for branches in ("[main]", "['**']", "['*', '!release']", "['m*']"):
        with_workflow(tmp_path, GOOD_WORKFLOW.replace(
            "  pull_request:\n", f"  pull_request:\n    branches: {branches}\n"))
        assert checks_problems(tmp_path) == [], branches
    with_workflow(tmp_path, GOOD_WORKFLOW.replace(
        "  pull_request:\n", "  pull_request:\n    branches: ['*', '!main']\n"))
    assert checks_problems(tmp_path)[0][2] == (
        "pull_request branch filters exclude pull requests into main")
    # Every protected branch must be covered.
    assert checks_problems(tmp_path, "branches: [develop, main]") != []


def test_missing_merge_group_is_a_warning(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  merge_group:\n", ""))
    assert checks_problems(tmp_path) == [(
        ".github/workflows/ci.yml:2:1", False,
        "the workflow does not run on merge_group, so a merge queue would wait for its required"
        " check forever")]


def test_one_clean_job_is_enough_and_broken_files_are_reported(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  pull_request:\n",
                                                  "  pull_request:\n    paths: [x]\n"), "a.yml")
    with_workflow(tmp_path, GOOD_WORKFLOW, "b.yaml")
    assert checks_problems(tmp_path) == []
    with_workflow(tmp_path, "on: [pull_request\njobs: {}\n", "c.yml")
    found = checks_problems(tmp_path)
    assert found == [(".github/workflows/c.yml:2:5", True, "cannot read the workflow: while"
                      " parsing a flow sequence expected ',' or ']', but got ':'")]
