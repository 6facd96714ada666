"""Each kind of model change, made in a real git repository, gives the expected review."""

from __future__ import annotations

import json

import pytest

from pipelinegen.change_report import ChangeReport
from pipelinegen.review.filediff import owner
from tests.support.review import (
    GO_AFTER,
    GO_BEFORE,
    Edit,
    Repo,
    add_service,
    assert_golden,
    change_base_digest,
    change_nothing,
    change_replicas,
    change_strategy,
    remove_service,
    rename_service,
)

GO = f"bases.go: digest {GO_BEFORE[:7]} -> {GO_AFTER[:7]}"
STRATEGY = "project.environments.staging.strategy: canary -> blue-green"

# name, edit, {service: (status, own changes, inherited changes)}, project changes.
# Services not listed must come out unchanged, or "affected" by the project changes alone.
CASES: list[tuple[str, Edit, dict[str, tuple[str, list[str], list[str]]], list[str]]] = [
    ("add-service", add_service, {"notifier": (
        "added", ["notifier: added (python, port 8085, path services/notifier)"], [])}, []),
    ("remove-service", remove_service, {"docs": (
        "removed", ["docs: removed (static, port 8080, path services/docs)"], [])}, []),
    ("rename-service", rename_service,
     {"help": ("renamed", ["help.path: services/docs -> services/help"], [])}, []),
    ("change-replicas", change_replicas,
     {"api": ("changed", ["api.deploy.replicas: 2 -> 3"], [])}, []),
    ("change-base-digest", change_base_digest,
     # stock's grpc health probe builds on the go base too.
     {"renderer": ("affected", [], [GO]), "docs": ("affected", [], [GO]),
      "stock": ("affected", [], [GO])}, [GO]),
    ("change-strategy", change_strategy, {}, [STRATEGY]),
    ("change-nothing", change_nothing, {}, []),
]


def _committed_change(repo: Repo, edit: Edit) -> None:
    """The change as a pull request holds it: model edited, files regenerated, committed."""
    edit(repo)
    repo.generate()
    repo.commit("change")


@pytest.mark.parametrize(("name", "edit", "services", "project"), CASES,
                         ids=[case[0] for case in CASES])
def test_each_change_gives_its_summary_per_service(
    repo: Repo, name: str, edit: Edit, services: dict[str, tuple[str, list[str], list[str]]],
    project: list[str],
) -> None:
    _committed_change(repo, edit)
    report = ChangeReport.model_validate_json(
        repo.review("--base", "HEAD~1", "--head", "HEAD", "--format", "json"))
    assert [c.summary for c in report.project.changes] == project
    for service in report.services:
        if service.name in services:
            status, own, inherited = services[service.name]
            assert (service.status, [c.summary for c in service.changes],
                    [c.summary for c in service.inherited]) == (status, own, inherited)
        else:
            # Untouched in the model: affected only where its generated files change.
            assert service.changes == []
            assert service.status == ("affected" if service.files else "unchanged")
            assert service.inherited == (report.project.changes if service.files else [])
        for file in service.files:
            assert owner(file.path, {service.name, service.renamed_from or ""}) != "project"
    assert {s.name for s in report.services if s.status != "unchanged"} >= set(services)
    assert report.drift == [] and report.drift_checked
    assert report.model_changed == (name != "change-nothing")
    if name == "change-nothing":
        # Same inputs on both sides must give the same plan; if not, some input of generation
        # is read from the working tree but not at the ref (see workspace.inputs_at).
        assert report.totals.files == 0, [f.path for f in report.project.files]
        assert not report.changed_services
    assert_golden(name, repo.review("--base", "HEAD~1", "--head", "HEAD", "--format",
                                    "markdown"))


def test_the_working_tree_is_the_default_head(repo: Repo) -> None:
    change_replicas(repo)
    repo.generate()
    committed = repo.review("--base", "HEAD", "--format", "json")
    report = json.loads(committed)
    assert report["head"] == "working tree"
    api = next(s for s in report["services"] if s["name"] == "api")
    assert [c["summary"] for c in api["changes"]] == ["api.deploy.replicas: 2 -> 3"]
    assert api["changes"][0]["old"] == 2 and api["changes"][0]["new"] == 3
    assert report["drift"] == []


def test_two_files_given_explicitly(repo: Repo, tmp_path: object) -> None:
    before = repo.path / "before.yaml"
    before.write_text(repo.services.read_text())
    change_base_digest(repo)
    text = repo.review("--old", str(before), "--new", str(repo.services))
    assert text.splitlines()[0] == f"services.yaml: {before} -> {repo.services}"
    assert f"  via {GO}\n" in text and "renderer: affected\n" in text
    report = json.loads(repo.review("--old", str(before), "--new", str(repo.services),
                                    "--format", "json"))
    assert report["drift_checked"] is False and report["drift"] == []


def test_text_format_lists_services_files_and_diffs(sample_repo: Repo) -> None:
    _committed_change(sample_repo, change_replicas)
    text = sample_repo.review("--base", "HEAD~1", "--head", "HEAD")
    assert "\x1b[" not in text  # not a terminal: no colour
    lines = text.splitlines()
    assert lines[:5] == ["services.yaml: HEAD~1 -> HEAD", lines[1], "", "api: changed",
                         "  api.deploy.replicas: 2 -> 3"]
    assert lines[1].startswith("1 of 10 service(s) affected, ")
    unchanged = "unchanged: courier, docs, imposer, invoices, ledger, renderer, stock, web, worker"
    api = lines[4:lines.index(unchanged)]
    assert "  M generated/sample/api.txt (+1 -1)" in api
    assert "  M generated/sample/api/values-staging.txt (+1 -1)" in api
    assert "-replicas 2\n+replicas 3\n" in text
    assert unchanged + "\n" in text
    stat = sample_repo.review("--base", "HEAD~1", "--head", "HEAD", "--stat")
    assert "@@" not in stat and "api.deploy.replicas: 2 -> 3" in stat
