"""`pipelinegen diff` as users and workflows run it: the real command, exit codes, errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelinegen import git
from pipelinegen.change_report import ChangeReport
from pipelinegen.review import render_text
from tests.support.review import (
    Repo,
    change_base_digest,
    change_replicas,
    change_strategy,
    rename_service,
)


def _run(repo: Repo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", *args], cwd=repo.path,
                          capture_output=True, text=True, check=False)


def test_the_workflow_contract_markdown_on_stdout_exit_0(repo: Repo) -> None:
    change_replicas(repo)
    repo.generate()
    repo.commit("more api pods")
    done = _run(repo, "diff", "--base", "HEAD~1", "--format", "markdown")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("### pipelinegen: what this change does\n")
    assert "| `api` | changed | `api.deploy.replicas: 2 -> 3` |" in done.stdout


def test_an_unknown_ref_names_the_command_its_exit_code_and_stderr(repo: Repo) -> None:
    done = _run(repo, "diff", "--base", "no-such-branch")
    assert done.returncode == 2 and done.stdout == ""
    assert "error: git rev-parse failed (exit 128)\n" in done.stderr
    assert "command: git rev-parse --verify --end-of-options 'no-such-branch^{commit}'\n" \
        in done.stderr
    assert "--- stderr:\nfatal: " in done.stderr
    assert "hint: " in done.stderr and "Traceback" not in done.stderr


def test_an_invalid_model_at_the_ref_is_located_at_the_ref(repo: Repo) -> None:
    repo.replace("    port: 8081\n", "    port: 80810\n")
    repo.commit("a bad port")
    repo.git("checkout", "-q", "HEAD~1", "--", "services.yaml")
    done = _run(repo, "diff", "--base", "HEAD")
    assert done.returncode == 2
    line = next(n for n, text in enumerate(repo.git("show", "HEAD:services.yaml").splitlines(), 1)
                if text == "    port: 80810")
    assert f"HEAD:services.yaml:{line}:11: [error] input: services.worker.port:" in done.stderr
    assert "nothing was written" not in done.stderr and "Traceback" not in done.stderr


def test_a_ref_without_a_services_file_adds_every_service(repo: Repo) -> None:
    repo.git("checkout", "-q", "--orphan", "empty")
    repo.git("rm", "-q", "-r", "--cached", ".")
    repo.git("commit", "-q", "--allow-empty", "-m", "nothing yet")
    repo.git("checkout", "-q", "-f", "main")
    report = ChangeReport.model_validate_json(
        repo.review("--base", "empty", "--format", "json"))
    assert {s.name: s.status for s in report.services} == dict.fromkeys(
        ("api", "courier", "docs", "renderer", "stock", "web", "worker", "ledger", "imposer",
         "invoices"), "added")
    assert [c.field for c in report.project.changes] == [
        "version", "project", "backing", "bases.helm-test", "bases.python", "bases.node",
        "bases.go", "bases.static", "bases.jdk", "bases.jre", "bases.rust", "bases.cc",
        "bases.dotnet-sdk", "bases.aspnet", "bases.redis"]


@pytest.mark.parametrize(("args", "message"), [
    (["--head", "HEAD"], "--head needs --base"),
    (["--old", "services.yaml"], "--old and --new go together"),
    (["--base", "HEAD", "--old", "services.yaml", "--new", "services.yaml"],
     "--base and --old/--new are alternatives"),
    (["--format", "markdown"], "--format markdown needs --base or --old/--new"),
    (["--base", "HEAD", "--format", "json", "--stat"], "--stat does not apply to --format json"),
    (["--base", "--upload-pack=x"], "'--upload-pack=x' is not a git ref"),
])
def test_wrong_options_are_usage_errors(repo: Repo, args: list[str], message: str) -> None:
    done = _run(repo, "diff", *args)
    assert done.returncode == 2 and f"error: {message}" in done.stderr


def test_without_a_base_diff_still_shows_what_generate_would_change(repo: Repo) -> None:
    schema = repo.path / "specs/services.schema.json"
    schema.write_text(schema.read_text().replace('"title": "Model"', '"title": "Edited"'))
    done = _run(repo, "diff")
    assert done.returncode == 0
    assert '-  "title": "Edited",\n+  "title": "Model",\n' in done.stdout


def test_text_is_coloured_only_for_a_terminal(repo: Repo) -> None:
    change_replicas(repo)
    repo.generate()
    report = ChangeReport.model_validate_json(repo.review("--base", "HEAD", "--format", "json"))
    coloured = render_text.render(report, color=True)
    plain = render_text.render(report, color=False)
    assert "\x1b[1mapi\x1b[0m: changed" in coloured
    assert "\x1b[" not in plain and "api: changed" in plain


@pytest.mark.parametrize("max_pathspecs", [1_000, 1])
def test_a_root_below_the_top_of_the_git_repository(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, max_pathspecs: int,
) -> None:
    """pipelinegen's root is a sub-directory; many paths are read by listing the tree once."""
    monkeypatch.setattr(git, "_MAX_PATHSPECS", max_pathspecs)
    (repo.path / "platform").mkdir()
    for name in ("services.yaml", "specs", "generated"):
        (repo.path / name).rename(repo.path / "platform" / name)
    repo.services = repo.path / "platform" / "services.yaml"
    repo.commit("move into platform/")
    change_replicas(repo)
    repo.generate()
    schema = repo.path / "platform/specs/services.schema.json"
    schema.write_text(schema.read_text().replace('"title": "Model"', '"title": "Edited"'))
    report = ChangeReport.model_validate_json(repo.review("--base", "HEAD", "--format", "json"))
    api = next(s for s in report.services if s.name == "api")
    assert [c.summary for c in api.changes] == ["api.deploy.replicas: 2 -> 3"]
    assert [(d.path, d.cause) for d in report.drift] == [
        ("specs/services.schema.json", "edited-in-change")]


def test_the_same_change_gives_the_same_bytes_whatever_the_hash_seed(repo: Repo) -> None:
    rename_service(repo)
    change_base_digest(repo)
    change_strategy(repo)
    repo.generate()
    repo.commit("several changes")
    outputs = set()
    for seed in ("0", "1"):
        for fmt in ("json", "markdown", "text"):
            done = subprocess.run(
                [sys.executable, "-m", "pipelinegen", "diff", "--base", "HEAD~1", "--head",
                 "HEAD", "--format", fmt], cwd=repo.path, capture_output=True, text=True,
                check=True, env={**os.environ, "PYTHONHASHSEED": seed})
            outputs.add((fmt, done.stdout))
    assert len(outputs) == 3
    assert all(str(repo.path) not in text for _, text in outputs)  # no absolute paths
