"""Generated files edited by hand, or left behind a model change, are reported as drift."""

from __future__ import annotations

import re

from pipelinegen.change_report import ChangeReport
from tests.support.review import Repo, change_replicas, change_strategy, rename_service

SCHEMA = "specs/services.schema.json"


def _report(repo: Repo, *args: str) -> ChangeReport:
    return ChangeReport.model_validate_json(repo.review(*args, "--format", "json"))


def _sample(paths: list[str]) -> list[str]:
    """The files of the sample emitter (other emitters' files change too, as they should)."""
    return [path for path in paths if path.startswith("generated/sample/")]


def test_a_hand_edit_of_a_generated_file_is_drift_not_a_model_change(repo: Repo) -> None:
    schema = repo.path / SCHEMA
    schema.write_text(schema.read_text().replace('"title": "Model"', '"title": "Edited"'))
    repo.commit("edit the schema by hand")
    report = _report(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert not report.model_changed
    assert report.project.changes == [] and report.project.files == []
    assert all(s.status == "unchanged" and s.files == [] for s in report.services)
    assert [(d.path, d.owner, d.state, d.cause) for d in report.drift] == [
        (SCHEMA, "project", "stale", "edited-in-change")]
    assert '-  "title": "Model"' in report.drift[0].diff
    assert '+  "title": "Edited"' in report.drift[0].diff
    markdown = repo.review("--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert "the model is unchanged" in markdown
    assert f"| `{SCHEMA}` | `project` | stale | edited by hand in this change |" in markdown
    text = repo.review("--base", "HEAD~1", "--head", "HEAD")
    assert f"  {SCHEMA} (project): stale, edited by hand in this change\n" in text


def test_the_working_tree_is_judged_as_it_is_on_disk(repo: Repo) -> None:
    (repo.path / SCHEMA).unlink()
    report = _report(repo, "--base", "HEAD")
    assert [(d.path, d.state, d.cause) for d in report.drift] == [
        (SCHEMA, "missing", "edited-in-change")]


def test_drift_is_attributed_to_its_service_and_its_cause(sample_repo: Repo) -> None:
    api_values = sample_repo.path / "generated/sample/api/values-dev.txt"
    api_values.write_text(api_values.read_text() + "edited\n")
    sample_repo.commit("already drifted on main")
    change_replicas(sample_repo)  # the model changes, but nothing is regenerated
    (sample_repo.path / "generated/sample/web.txt").write_text("edited\n")
    sample_repo.commit("change without generate")
    report = _report(sample_repo, "--base", "HEAD~1", "--head", "HEAD")
    drifted = {d.path for d in report.drift}
    assert "generated/.pipelinegen-manifest.json" in drifted
    assert [(d.path, d.owner, d.state, d.cause) for d in report.drift
            if d.path in _sample(list(drifted))] == [
        ("generated/sample/api.txt", "api", "stale", "not-regenerated"),
        ("generated/sample/api/values-dev.txt", "api", "stale", "pre-existing"),
        ("generated/sample/api/values-production.txt", "api", "stale", "not-regenerated"),
        ("generated/sample/api/values-staging.txt", "api", "stale", "not-regenerated"),
        ("generated/sample/web.txt", "web", "stale", "edited-in-change"),
    ]
    api = next(s for s in report.services if s.name == "api")
    assert [c.summary for c in api.changes] == ["api.deploy.replicas: 2 -> 3"]


def test_a_file_no_longer_generated_but_still_committed_is_orphaned(sample_repo: Repo) -> None:
    sample_repo.replace("\n  docs:\n", "\n  help:\n")
    sample_repo.commit("rename docs without generate")
    report = _report(sample_repo, "--base", "HEAD~1", "--head", "HEAD")
    states = {(d.path, d.state) for d in report.drift}
    assert ("generated/sample/docs.txt", "orphaned") in states
    assert ("generated/sample/help.txt", "missing") in states
    help_ = next(s for s in report.services if s.name == "help")
    assert (help_.status, help_.renamed_from) == ("renamed", "docs")
    assert {d.owner for d in report.drift if d.path in {"generated/sample/docs.txt",
                                                         "generated/sample/help.txt"}} == {"help"}


def test_project_changes_count_for_the_services_whose_files_they_change(
    sample_repo: Repo,
) -> None:
    change_strategy(sample_repo)
    sample_repo.generate()
    sample_repo.commit("staging goes blue-green")
    report = _report(sample_repo, "--base", "HEAD~1", "--head", "HEAD")
    strategy = "project.environments.staging.strategy: canary -> blue-green"
    for service in report.services:
        assert service.status == "affected"
        assert [c.summary for c in service.inherited] == [strategy]
        assert [(f.path, f.status, f.added, f.removed) for f in service.files
                if f.path in _sample([f.path for f in service.files])] == [
            (f"generated/sample/{service.name}/values-staging.txt", "modified", 1, 1)]
    assert _sample([f.path for f in report.project.files]) == [
        "generated/sample/environments.txt"]
    every = [f for s in report.services for f in s.files] + report.project.files
    assert (report.totals.files, report.totals.added, report.totals.removed) == (
        len(every), sum(f.added for f in every), sum(f.removed for f in every))
    assert report.drift == []


def test_a_renamed_service_s_files_are_diffed_against_their_old_selves(
    sample_repo: Repo,
) -> None:
    rename_service(sample_repo)
    sample_repo.generate()
    sample_repo.commit("docs becomes help")
    report = _report(sample_repo, "--base", "HEAD~1", "--head", "HEAD")
    help_ = next(s for s in report.services if s.name == "help")
    sample = _sample([f.path for f in help_.files])
    assert [(f.path, f.status, f.renamed_from, f.added, f.removed) for f in help_.files
            if f.path in sample] == [
        ("generated/sample/help.txt", "renamed", "generated/sample/docs.txt", 1, 1),
        ("generated/sample/help/values-dev.txt", "renamed",
         "generated/sample/docs/values-dev.txt", 0, 0),
        ("generated/sample/help/values-production.txt", "renamed",
         "generated/sample/docs/values-production.txt", 0, 0),
        ("generated/sample/help/values-staging.txt", "renamed",
         "generated/sample/docs/values-staging.txt", 0, 0),
    ]
    renamed = next(f for f in help_.files if f.path == "generated/sample/help.txt")
    assert renamed.diff.startswith(
        "--- a/generated/sample/docs.txt\n+++ b/generated/sample/help.txt\n")
    assert "-service docs\n+service help\n" in renamed.diff
    markdown = sample_repo.review("--base", "HEAD~1", "--head", "HEAD", "--format", "markdown")
    assert ("| `generated/sample/help.txt` | renamed from `generated/sample/docs.txt` | +1 | -1 |"
            in markdown)
    # Files renamed without a change have nothing to show: they are counted.
    assert "generated/sample/help/values-dev.txt" not in markdown
    moved = re.search(r"\n([0-9]+) more generated file\(s\) only renamed with the service\.\n",
                      markdown)
    assert moved and int(moved[1]) >= 3  # the sample's three, and other emitters' alike
    assert "<code>generated/sample/help.txt</code> +1 -1" in markdown
