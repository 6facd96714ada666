"""pipelinegen as a real process: the repository's own files, determinism, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.cli import RunCli
from tests.support.paths import REPO
from tests.support.trees import read_tree, tree_differences


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", *args], cwd=cwd, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, check=False)


def test_the_repository_generated_files_are_current() -> None:
    result = _run("check", "--format", "text", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_generation_is_deterministic_across_hash_seeds(example_repo: Path, tmp_path: Path) -> None:
    trees = []
    for seed in ("0", "1"):
        copy = tmp_path / f"seed{seed}"
        copy.mkdir()
        (copy / "services.yaml").write_bytes((example_repo / "services.yaml").read_bytes())
        result = _run("generate", cwd=copy, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        trees.append(read_tree(copy))
    assert len(trees[0]) > 1
    assert tree_differences(trees[0], trees[1]) == []


def test_generated_tree_equals_the_committed_one(example_repo: Path) -> None:
    result = _run("generate", cwd=example_repo)
    assert result.returncode == 0, result.stderr
    manifest = (example_repo / "generated/.pipelinegen-manifest.json").read_text()
    generated = {path: data for path, data in read_tree(example_repo).items()
                 if f'"{path}"' in manifest or path.endswith("pipelinegen-manifest.json")}
    committed = {path: (REPO / path).read_bytes() for path in generated}
    assert tree_differences(committed, generated) == []


def test_bad_input_from_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "services.yaml").write_text("version: 1\nproject: [\n")
    result = _run("generate", cwd=tmp_path)
    assert result.returncode == 2
    assert "services.yaml:" in result.stderr and "invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["services.yaml"]


def test_usage_errors_exit_2(run_cli: RunCli) -> None:
    assert run_cli("no-such-command").exit_code == 2
    assert run_cli("check", "--format", "xml").exit_code == 2


def test_services_file_outside_the_root_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "services.yaml").write_text((REPO / "services.yaml").read_text())
    (tmp_path / "repo").mkdir()
    result = run_cli("generate", "--root", tmp_path / "repo", "--file", tmp_path / "services.yaml")
    assert result.exit_code == 2
    assert "outside the repository root" in result.stderr


def test_help_lists_the_commands(run_cli: RunCli) -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for command in ("generate", "check", "diff", "schema", "validate"):
        assert command in result.output
    assert "0 ok, 1 findings or drift, 2 usage or input error" in result.output


def test_removing_a_service_removes_everything_generated_for_it(example_repo: Path) -> None:
    assert _run("generate", cwd=example_repo).returncode == 0
    owned = ["generated/docker/docs.Dockerfile", "generated/docker/docs.Dockerfile.dockerignore",
             "generated/helm/docs/Chart.yaml", "generated/helm/docs/templates/deployment.yaml"]
    assert all((example_repo / path).is_file() for path in owned)
    text = (example_repo / "services.yaml").read_text()
    (example_repo / "services.yaml").write_text(text[: text.index("\n  docs:\n") + 1])

    result = _run("generate", cwd=example_repo)
    assert result.returncode == 0, result.stderr
    assert "deleted  generated/helm/docs/Chart.yaml" in result.stdout
    assert not any((example_repo / path).exists() for path in owned)
    assert not (example_repo / "generated/helm/docs").exists()  # emptied directories go too
    assert (example_repo / "generated/helm/api/Chart.yaml").is_file()
    assert "/services/docs/" not in (example_repo / ".github/CODEOWNERS").read_text()
    assert _run("check", cwd=example_repo).returncode == 0
