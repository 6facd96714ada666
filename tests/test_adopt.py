"""Adopting pipelinegen in a repository that already has a CODEOWNERS and workflows: files it did
not write are "exists, not generated", never clobbered; `--adopt` takes one over, and a
CODEOWNERS keeps the repository's own lines in a kept section that generation preserves."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import RunCli
from tests.support.gitrepo import commit_all, git

THEIR_OWNERS = "# Our rules\n* @printloop/everyone\n/docs/ @printloop/writers\n"
THEIR_CI = "name: ours\non: push\njobs: {}\n"
THEIR_RELEASE = "name: release\non: {release: {types: [published]}}\njobs: {}\n"
BEGIN = "# --- kept: the repository's own lines; pipelinegen generate leaves them as they are ---"
END = "# --- end of kept lines ---"


def existing(repo: Path) -> dict[str, str]:
    files = {".github/CODEOWNERS": THEIR_OWNERS, ".github/workflows/ci.yml": THEIR_CI,
             ".github/workflows/release.yml": THEIR_RELEASE}
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    return files


def test_files_it_did_not_write_are_not_clobbered(example_repo: Path, run_cli: RunCli) -> None:
    existing(example_repo)
    services = example_repo / "services.yaml"
    refused = run_cli("generate", "--file", services)
    assert refused.exit_code == 1
    assert "exists, not generated (pipelinegen did not write it):\n  .github/CODEOWNERS\n" \
           "  .github/workflows/ci.yml\n" in refused.output
    assert "edited by hand" not in refused.output
    assert "--adopt .github/CODEOWNERS --adopt .github/workflows/ci.yml" in refused.output
    assert not (example_repo / "generated").exists(), "nothing is written"
    assert (example_repo / ".github/CODEOWNERS").read_text() == THEIR_OWNERS
    check = run_cli("check", "--file", services)
    assert check.exit_code == 1
    assert (".github/CODEOWNERS:1:1: [error] drift-not-generated: exists, not generated:"
            " `generate --adopt PATH` takes it over") in check.output


def test_adopting_keeps_their_lines_and_their_other_workflows(example_repo: Path,
                                                              run_cli: RunCli) -> None:
    existing(example_repo)
    services = example_repo / "services.yaml"
    wrong = run_cli("generate", "--file", services, "--adopt", "services.yaml")
    assert wrong.exit_code == 2 and "nothing to adopt at services.yaml" in wrong.output
    adopted = run_cli("generate", "--file", services, "--adopt", ".github/CODEOWNERS",
                      "--adopt", ".github/workflows/ci.yml")
    assert adopted.exit_code == 0, adopted.output
    owners = (example_repo / ".github/CODEOWNERS").read_text()
    assert f"{BEGIN}\n{THEIR_OWNERS}{END}\n" in owners
    assert "/services/api/ @printloop/backend" in owners.split(END)[1], "generated lines last"
    assert (example_repo / ".github/workflows/release.yml").read_text() == THEIR_RELEASE
    assert "pipelinegen" in (example_repo / ".github/workflows/ci.yml").read_text()
    assert run_cli("check", "--file", services).exit_code == 0

    # Their lines are theirs to edit: no drift, no hand edit, and generation keeps them.
    edited = owners.replace("/docs/ @printloop/writers", "/docs/ @printloop/editors")
    (example_repo / ".github/CODEOWNERS").write_text(edited)
    assert run_cli("check", "--file", services).exit_code == 0
    text = services.read_text().replace('owners: ["@printloop/backend"]',
                                        'owners: ["@printloop/api-team"]', 1)
    # api has SLOs: its new owner team needs on-call routing too.
    routing = '"@printloop/backend": {page: backend-pagerduty, ticket: backend-slack}'
    team = routing.replace("@printloop/backend", "@printloop/api-team")
    text = text.replace(routing, f"{routing}\n      {team}")
    services.write_text(text)
    regenerated = run_cli("generate", "--file", services)
    assert regenerated.exit_code == 0, regenerated.output
    assert "updated  .github/CODEOWNERS" in regenerated.output
    owners = (example_repo / ".github/CODEOWNERS").read_text()
    assert "/docs/ @printloop/editors\n" in owners.split(END)[0]
    assert "/services/api/ @printloop/api-team" in owners.split(END)[1]
    assert run_cli("check", "--file", services).exit_code == 0

    # Lines written outside the section are a hand edit, as before.
    (example_repo / ".github/CODEOWNERS").write_text(owners + "/extra/ @someone\n")
    assert "drift-hand-edited" in run_cli("check", "--file", services).output


def test_force_replaces_but_still_keeps_their_owners(example_repo: Path, run_cli: RunCli) -> None:
    existing(example_repo)
    forced = run_cli("generate", "--file", example_repo / "services.yaml", "--force")
    assert forced.exit_code == 0, forced.output
    assert f"{BEGIN}\n{THEIR_OWNERS}{END}\n" in (example_repo / ".github/CODEOWNERS").read_text()
    assert (example_repo / ".github/workflows/ci.yml").read_text() != THEIR_CI


def test_kept_lines_are_not_drift_in_a_review(example_repo: Path, run_cli: RunCli) -> None:
    existing(example_repo)
    services = example_repo / "services.yaml"
    assert run_cli("generate", "--file", services, "--adopt", ".github/CODEOWNERS",
                   "--adopt", ".github/workflows/ci.yml").exit_code == 0
    git(example_repo, "init", "-q")
    commit_all(example_repo, "adopt pipelinegen")
    owners = example_repo / ".github/CODEOWNERS"
    owners.write_text(owners.read_text().replace("/docs/ @printloop/writers", "/docs/ @x/y"))
    review = run_cli("diff", "--file", services, "--base", "HEAD", "--format", "json")
    assert review.exit_code == 0, review.output
    assert json.loads(review.output)["drift"] == []
    # An edit outside the section is drift.
    owners.write_text(owners.read_text() + "/extra/ @someone\n")
    review = run_cli("diff", "--file", services, "--base", "HEAD", "--format", "json")
    assert [d["path"] for d in json.loads(review.output)["drift"]] == [".github/CODEOWNERS"]
