"""validate rule branch-protection-tier: the model's branch protection reaches its minimum
Scorecard tier, and the Scorecard files generation writes are there."""

from __future__ import annotations

from pathlib import Path

from pipelinegen.errors import Problem
from tests.support.protection import run_rule, services_yaml


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
