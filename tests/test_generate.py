"""generate / check / diff mechanics: idempotence, orphans, hand edits, atomicity, path safety.

These tests register a small per-service emitter beside the real ones, so the mechanics are
shown with files that come and go with services whichever emitters exist.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipelinegen import emit
from pipelinegen.core import cache
from pipelinegen.core.inputs import Inputs
from pipelinegen.generation import writer
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL
from tests.support.trees import read_tree


def _per_service(inputs: Inputs) -> dict[str, str]:
    return {f"generated/test/{name}.txt": f"{name} listens on {service.port}\n"
            for name, service in inputs.model.services.items()}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(emit, "EMITTERS", (*emit.EMITTERS, _per_service))
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    return tmp_path


def _edit_model(repo: Path, old: str, new: str) -> None:
    path = repo / "services.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _drop_worker(repo: Path) -> None:
    worker = "  worker:\n    path: services/worker\n    stack: python\n    port: 8081\n"
    _edit_model(repo, worker, "")


def test_generate_creates_then_changes_nothing(repo: Path, run_cli: RunCli) -> None:
    first = run_cli("generate", "--file", repo / "services.yaml")
    assert first.exit_code == 0
    assert "created  generated/test/api.txt" in first.output
    assert (repo / "generated/test/api.txt").read_text() == "api listens on 8080\n"
    manifest = json.loads((repo / "generated/.pipelinegen-manifest.json").read_text())
    assert "generated/test/worker.txt" in manifest["files"]
    stamps = {p: p.stat().st_mtime_ns for p in repo.rglob("*") if p.is_file()}

    second = run_cli("generate", "--file", repo / "services.yaml")
    assert second.exit_code == 0
    assert "0 created, 0 updated, 0 deleted, " in second.output
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*") if p.is_file()} == stamps


def test_orphans_are_deleted_and_nothing_else(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    (repo / "generated/test/notes.txt").write_text("mine\n")  # never generated: never deleted
    _drop_worker(repo)

    result = run_cli("generate", "--file", repo / "services.yaml")
    assert result.exit_code == 0
    assert "deleted  generated/test/worker.txt" in result.output
    assert not (repo / "generated/test/worker.txt").exists()
    assert (repo / "generated/test/notes.txt").read_text() == "mine\n"
    assert (repo / "generated/test/api.txt").exists()


def test_emptied_directories_of_orphans_are_removed(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    _drop_worker(repo)
    _edit_model(repo, "  api:\n", "  orders:\n")
    assert run_cli("generate", "--file", repo / "services.yaml").exit_code == 0
    assert sorted(p.name for p in (repo / "generated/test").iterdir()) == ["orders.txt"]


def test_hand_edits_are_refused_unless_forced(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    edited = repo / "generated/test/api.txt"
    edited.write_text("tuned by hand\n")
    _edit_model(repo, "port: 8080", "port: 9090")

    refused = run_cli("generate", "--file", repo / "services.yaml")
    assert refused.exit_code == 1
    assert "refusing to overwrite files edited by hand" in refused.stderr
    assert "generated/test/api.txt" in refused.stderr
    assert "--force" in refused.stderr
    assert edited.read_text() == "tuned by hand\n"

    forced = run_cli("generate", "--force", "--file", repo / "services.yaml")
    assert forced.exit_code == 0
    assert edited.read_text() == "api listens on 9090\n"


def test_a_file_pipelinegen_never_wrote_is_not_overwritten(repo: Path, run_cli: RunCli) -> None:
    (repo / "generated/test").mkdir(parents=True)
    (repo / "generated/test/api.txt").write_text("someone else's file\n")
    result = run_cli("generate", "--file", repo / "services.yaml")
    assert result.exit_code == 1
    assert "generated/test/api.txt" in result.stderr
    assert (repo / "generated/test/api.txt").read_text() == "someone else's file\n"
    assert not (repo / "generated/test/worker.txt").exists()  # refused before writing anything


def test_an_interrupted_write_leaves_every_file_whole(
    repo: Path,
    run_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # Only the writer's renames are counted: the model cache's own one is left out of this run.
    monkeypatch.setenv(cache.DISABLE, "1")
    run_cli("generate", "--file", repo / "services.yaml")
    _edit_model(repo, "port: 8080", "port: 9090")
    _edit_model(repo, "port: 8081", "port: 9091")
    before = read_tree(repo)
    finished = tmp_path_factory.mktemp("finished") / "repo"
    shutil.copytree(repo, finished)
    run_cli("generate", "--file", finished / "services.yaml")
    after_complete_run = read_tree(finished)

    real_replace = os.replace
    calls = []

    def replace_then_die(src: str, dst: str, **dirs: int) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the power goes out between two files
        real_replace(src, dst, **dirs)

    monkeypatch.setattr(writer.os, "replace", replace_then_die)
    interrupted = run_cli("generate", "--file", repo / "services.yaml")
    assert interrupted.exit_code != 0
    assert "Aborted" in interrupted.stderr
    monkeypatch.setattr(writer.os, "replace", real_replace)

    after = read_tree(repo)
    assert sorted(after) == sorted(before)  # no temporary files left behind
    old = [path for path in after if after[path] == before[path]]
    new = [path for path in after if after[path] == after_complete_run[path] != before[path]]
    assert len(new) == 1  # the one file renamed into place before the interruption, whole
    assert sorted(old + new) == sorted(after)  # every other file exactly as it was
    manifest = "generated/.pipelinegen-manifest.json"
    assert manifest in old  # still describes the old files

    rerun = run_cli("generate", "--file", repo / "services.yaml")  # no false hand-edit alarm
    assert rerun.exit_code == 0, rerun.stderr
    assert read_tree(repo) == after_complete_run


def test_check_exit_codes_and_findings(repo: Path, run_cli: RunCli) -> None:
    source = repo / "services.yaml"
    missing = run_cli("check", "--format", "text", "--file", source)
    assert missing.exit_code == 1
    assert "generated/test/api.txt:1:1: [error] drift-missing" in missing.output

    run_cli("generate", "--file", source)
    clean = run_cli("check", "--file", source)
    assert clean.exit_code == 0
    assert "up to date" in clean.output

    _edit_model(repo, "port: 8080", "port: 9090")
    (repo / "generated/test/worker.txt").write_text("edited\n")
    before = read_tree(repo)
    drift = run_cli("check", "--format", "text", "--file", source)
    assert drift.exit_code == 1
    assert "generated/test/api.txt:1:1: [error] drift-stale" in drift.output
    assert "generated/test/worker.txt:1:1: [error] drift-hand-edited" in drift.output
    # A line per file by default, with its counts.
    assert "api.txt:1:1: [error] drift-stale: generated file is out of date (+1 -1)" in drift.output
    full = run_cli("check", "--format", "text", "--diff", "--file", source)
    assert "-api listens on 8080\n+api listens on 9090\n" in full.output
    assert read_tree(repo) == before  # check writes nothing

    github = run_cli("check", "--format", "github", "--file", source)
    assert "::error file=generated/test/api.txt,line=1,col=1,title=drift-stale::" in github.output

    as_json = run_cli("check", "--format", "json", "--file", source)
    found = {(p["file"], p["rule"]) for p in json.loads(as_json.stdout)}
    assert ("generated/test/api.txt", "drift-stale") in found


def test_check_reports_orphans(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    _drop_worker(repo)
    result = run_cli("check", "--format", "text", "--file", repo / "services.yaml")
    assert result.exit_code == 1
    assert "generated/test/worker.txt:1:1: [error] drift-orphaned" in result.output


def test_check_uses_annotations_inside_github_actions(
    repo: Path, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli("check", "--file", repo / "services.yaml")
    assert result.exit_code == 1
    assert "::error file=generated/test/api.txt,line=1,col=1,title=drift-missing::" in result.output


def test_diff_shows_what_generate_would_do(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    _edit_model(repo, "port: 8080", "port: 9090")
    before = read_tree(repo)

    result = run_cli("diff", "--file", repo / "services.yaml")
    assert result.exit_code == 0
    assert "--- a/generated/test/api.txt\n+++ b/generated/test/api.txt\n" in result.output
    assert "-api listens on 8080\n+api listens on 9090\n" in result.output
    assert "\x1b[" not in result.output  # no colour when not a terminal

    stat = run_cli("diff", "--stat", "--file", repo / "services.yaml")
    assert stat.exit_code == 0
    rows = stat.output.splitlines()
    assert any(row.split() == ["generated/test/api.txt", "|", "+1", "-1"] for row in rows)
    assert any("generated/.pipelinegen-manifest.json" in row for row in rows)
    assert rows[-1].startswith(f" {len(rows) - 1} file(s) changed")
    assert read_tree(repo) == before


def test_diff_after_generate_is_empty(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    result = run_cli("diff", "--file", repo / "services.yaml")
    assert (result.exit_code, result.output) == (0, "")


def test_manifest_paths_outside_the_repository_are_refused(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    manifest_path = repo / "generated/.pipelinegen-manifest.json"
    manifest = json.loads(manifest_path.read_text())
    victim = repo.parent / "victim.txt"
    victim.write_text("precious\n")
    manifest["files"]["../victim.txt"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))

    result = run_cli("generate", "--file", repo / "services.yaml")
    assert result.exit_code == 2
    assert "unsafe output path '../victim.txt'" in result.stderr
    assert victim.read_text() == "precious\n"


def test_a_symlink_out_of_the_repository_is_refused(
    repo: Path, run_cli: RunCli, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (repo / "generated").symlink_to(outside, target_is_directory=True)
    result = run_cli("generate", "--file", repo / "services.yaml")
    assert result.exit_code == 2
    assert "resolves outside the repository" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_corrupt_manifest_is_a_clear_error(repo: Path, run_cli: RunCli) -> None:
    run_cli("generate", "--file", repo / "services.yaml")
    (repo / "generated/.pipelinegen-manifest.json").write_text("{not json")
    result = run_cli("generate", "--file", repo / "services.yaml")
    assert result.exit_code == 2
    assert "is not a pipelinegen manifest" in result.stderr
