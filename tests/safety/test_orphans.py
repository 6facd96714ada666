"""A manifest is input anyone can edit: orphan deletion touches only pipelinegen's own output
locations, and only files still holding what pipelinegen wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pipelinegen.plan import MANIFEST
from tests.support.cli import RunCli
from tests.support.safety import pipelinegen, snapshot


def _list_in_manifest(repo: Path, path: str) -> None:
    """Forge a manifest entry for an existing file, with its true hash."""
    manifest = json.loads((repo / MANIFEST).read_text())
    manifest["files"][path] = hashlib.sha256((repo / path).read_bytes()).hexdigest()
    (repo / MANIFEST).write_text(json.dumps(manifest, indent=2))


@pytest.mark.parametrize(("path", "reason"), [
    ("services.yaml", "it is services.yaml, a source"),
    (".git/HEAD", "it is inside .git"),
    ("services/api/app.py", "it is inside services/api, a source"),
    ("packages/common/lib.py", "it is inside packages/common, a source"),
    (".github/workflows/release.yml", "pipelinegen never generates a file there"),
    ("specs/openapi.json", "pipelinegen never generates a file there"),
    ("README.md", "pipelinegen never generates a file there"),
])
def test_a_forged_manifest_entry_is_refused(repo: Path, run_cli: RunCli, path: str,
                                           reason: str) -> None:
    services = repo / "services.yaml"
    services.write_text(services.read_text().replace(
        "    path: services/api\n", "    path: services/api\n    depends_on: [packages/common]\n"))
    assert pipelinegen("generate", cwd=repo).returncode == 0
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    if not (repo / path).exists():
        (repo / path).write_text("a source\n")
    _list_in_manifest(repo, path)
    before = snapshot(repo)

    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 2, result.stderr
    assert f"lists {path} as a file pipelinegen wrote, but {reason}" in result.stderr
    assert "hint: restore generated/.pipelinegen-manifest.json" in result.stderr
    for command in ("check", "diff"):  # they agree with generate: the plan is refused
        other = run_cli(command, "--file", repo / "services.yaml")
        assert other.exit_code == 2, command
        assert f"lists {path} as a file pipelinegen wrote" in other.stderr
    assert snapshot(repo) == before


def test_a_source_inside_generated_is_never_deleted(repo: Path) -> None:
    """A service whose path lies in generated/ is refused, so its files can never be orphans."""
    services = repo / "services.yaml"
    services.write_text(services.read_text().replace("path: services/api",
                                                     "path: generated/api"))
    (repo / "generated/api").mkdir(parents=True)
    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 2
    line = services.read_text().splitlines().index("    path: generated/api") + 1
    assert f"services.yaml:{line}:11: [error] input: services.api.path: generated/ is" in (
        result.stderr)


def test_a_changed_orphan_is_kept_even_when_forced(repo: Path) -> None:
    assert pipelinegen("generate", cwd=repo).returncode == 0
    services = repo / "services.yaml"
    services.write_text(services.read_text().replace(
        "  worker:\n    path: services/worker\n    stack: python\n    port: 8081\n", ""))
    orphan = repo / "generated/docker/worker.Dockerfile"
    orphan.write_text(orphan.read_text() + "# a hand edit\n")
    before = snapshot(repo)

    plain = pipelinegen("generate", cwd=repo)
    assert plain.returncode == 1  # a hand edit: refused unless forced
    forced = pipelinegen("generate", "--force", cwd=repo)
    assert forced.returncode == 2
    assert "refusing to delete generated/docker/worker.Dockerfile" in forced.stderr
    assert snapshot(repo) == before
