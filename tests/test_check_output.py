"""What `check` prints: a per-file summary by default (the whole diff with --diff), findings at
the first line that differs, and hints that name the command that really fixes each case."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pipelinegen import validate
from pipelinegen.validate.registry import Context
from pipelinegen.workspace import Workspace
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL


@pytest.fixture
def repo(tmp_path: Path, run_cli: RunCli) -> Path:
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    assert run_cli("generate", "--file", tmp_path / "services.yaml").exit_code == 0
    return tmp_path


def _check(repo: Path, run_cli: RunCli, *args: str) -> tuple[int, str, str]:
    result = run_cli("check", "--file", repo / "services.yaml", "--format", "text", *args)
    return result.exit_code, result.stdout, result.stderr


def test_a_new_repository_gets_one_line_per_file_not_the_diff(tmp_path: Path,
                                                              run_cli: RunCli) -> None:
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    code, out, _ = _check(tmp_path, run_cli)
    assert code == 1
    assert "@@" not in out and "+++ " not in out
    # One line per missing file, with its line count, and a total.
    assert re.search(r"^\.github/workflows/ci\.yml:1:1: \[error\] drift-missing: generated file"
                     r" is missing \(\+\d+ -0\)$", out, re.MULTILINE), out
    files = len(Workspace.locate(tmp_path / "services.yaml", tmp_path).plan.files)
    assert re.search(rf"^{files} file\(s\) differ, \d+ line\(s\) to add, 0 to remove", out,
                     re.MULTILINE), out
    assert "pipelinegen check --diff" in out
    assert len(out.splitlines()) == files + 1


def test_diff_prints_every_line(tmp_path: Path, run_cli: RunCli) -> None:
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    code, out, _ = _check(tmp_path, run_cli, "--diff")
    assert code == 1
    assert "+++ b/.github/workflows/ci.yml" in out and "@@ -0,0 +1," in out


def test_github_format_still_carries_the_diff(tmp_path: Path, run_cli: RunCli) -> None:
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    result = run_cli("check", "--file", tmp_path / "services.yaml", "--format", "github")
    assert result.exit_code == 1
    assert "::error file=.github/workflows/ci.yml,line=1,col=1" in result.stdout
    assert "+++ b/.github/workflows/ci.yml" in result.stdout


def test_drift_points_at_the_first_differing_line(repo: Path, run_cli: RunCli) -> None:
    values = repo / "generated/helm/api/values.yaml"
    lines = values.read_text().splitlines(keepends=True)
    number = next(n for n, text in enumerate(lines, 1) if text.startswith("replicas:"))
    lines[number - 1] = "replicas: 7\n"
    values.write_text("".join(lines))
    code, out, _ = _check(repo, run_cli)
    assert code == 1
    assert f"generated/helm/api/values.yaml:{number}:1: [error] drift-hand-edited:" in out


def test_a_stale_file_is_found_where_the_model_change_lands(repo: Path, run_cli: RunCli) -> None:
    model = repo / "services.yaml"
    model.write_text(model.read_text().replace("port: 8081", "port: 8082"))
    values = (repo / "generated/helm/worker/values.yaml").read_text().splitlines()
    port_line = next(n for n, text in enumerate(values, 1) if text == "port: 8081")
    code, out, err = _check(repo, run_cli)
    assert code == 1
    assert f"generated/helm/worker/values.yaml:{port_line}:1: [error] drift-stale:" in out
    assert "hint: run `pipelinegen generate`" in err
    assert "--force" not in out + err  # nothing was edited by hand


def test_hand_edits_are_fixed_by_force_or_a_revert(repo: Path, run_cli: RunCli) -> None:
    path = repo / "generated/helm/api/values.yaml"
    path.write_text(path.read_text() + "# mine\n")
    code, out, err = _check(repo, run_cli)
    assert code == 1
    assert "`pipelinegen generate --force`" in out
    assert "git checkout -- generated/helm/api/values.yaml" in out
    assert "`pipelinegen generate --force`" in err  # the closing hint, too
    # ... and the hint is true: plain generate refuses, --force fixes it.
    assert run_cli("generate", "--file", repo / "services.yaml").exit_code == 1
    assert run_cli("generate", "--force", "--file", repo / "services.yaml").exit_code == 0
    assert _check(repo, run_cli)[0] == 0


def test_check_with_bad_input_does_not_say_nothing_was_written(repo: Path,
                                                               run_cli: RunCli) -> None:
    model = repo / "services.yaml"
    model.write_text(model.read_text().replace("port: 8081", "port: 0"))
    code, _, err = _check(repo, run_cli)
    assert code == 2 and "services.yaml:" in err
    assert "nothing was written" not in err
    generate = run_cli("generate", "--file", model)
    assert "nothing was written" in generate.stderr


def test_an_explicit_root_is_not_told_to_pass_root(tmp_path: Path, run_cli: RunCli) -> None:
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("check", "--file", tmp_path / "services.yaml", "--root", elsewhere)
    assert result.exit_code == 2
    assert "is outside the repository root" in result.stderr
    assert "or pass --root" not in result.stderr
    assert "pass a --root that contains" in result.stderr


def _consistency(root: Path) -> list[validate.Problem]:
    ws = Workspace.locate(root / "services.yaml", root)
    return [p for p in validate.run(Context(ws.root, ws.inputs, ws.plan), ["consistency"])
            if p.file.endswith("Dockerfile")]


def test_a_hand_edited_generated_dockerfile_needs_force(repo: Path) -> None:
    path = repo / "generated/docker/api.Dockerfile"
    path.write_text(path.read_text().replace("EXPOSE 8080", "EXPOSE 9000"))
    [problem] = _consistency(repo)
    assert "`pipelinegen generate --force`" in problem.hint


def test_an_own_dockerfile_is_fixed_by_editing_it(repo: Path, run_cli: RunCli) -> None:
    model = repo / "services.yaml"
    model.write_text(model.read_text() + (
        "  legacy:\n    path: services/legacy\n    stack: dockerfile\n"
        "    dockerfile: services/legacy/Dockerfile\n    port: 8085\n"))
    own = repo / "services/legacy/Dockerfile"
    own.parent.mkdir(parents=True)
    own.write_text(
        "FROM registry.example.invalid/python:3.12@sha256:" + "1" * 64 + "\n"
        "EXPOSE 9000\nUSER 10001:10001\n"
        'HEALTHCHECK CMD ["python", "-c", "import urllib.request; '
        "urllib.request.urlopen('http://127.0.0.1:8085/healthz')\"]\n"
        'CMD ["python", "-m", "legacy"]\n')
    assert run_cli("generate", "--file", model).exit_code == 0
    [problem] = _consistency(repo)
    assert (problem.file, problem.line) == ("services/legacy/Dockerfile", 2)
    assert "generate" not in problem.hint
    assert problem.hint.startswith("edit services/legacy/Dockerfile")
    assert "EXPOSE 8085" in problem.hint
