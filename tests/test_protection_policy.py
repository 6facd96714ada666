"""Branch protection from the model: Scorecard tiers, the ruleset and CODEOWNERS files. (The
validate rules that grade the policy and check the jobs behind required status checks:
tests/rules/test_branch_protection_tier.py and tests/rules/test_required_checks_run.py.)"""

from __future__ import annotations

import json

import pytest

from pipelinegen import load
from pipelinegen.emit import codeowners, rulesets
from pipelinegen.errors import InputError
from pipelinegen.inputs import Inputs
from pipelinegen.model import Model
from pipelinegen.protection import policy, ruleset
from tests.support.protection import services_yaml


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
