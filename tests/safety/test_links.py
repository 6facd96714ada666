"""No path the writer opens follows a symbolic link or leads out of the repository: not the
generated files, not the manifest, not their temporary names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipelinegen import writer
from pipelinegen.layout import LOCK
from pipelinegen.plan import MANIFEST
from tests.support.safety import edit, pipelinegen, snapshot


def _generated(repo: Path) -> list[str]:
    return sorted([*json.loads((repo / MANIFEST).read_text())["files"], MANIFEST])


def test_links_planted_at_temporary_names_are_never_followed(repo: Path, tmp_path: Path) -> None:
    assert pipelinegen("generate", cwd=repo).returncode == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    planted = []
    for path in _generated(repo):  # every name a temporary file of this path ever had
        target = repo / path
        for name in (f".{target.name}.pipelinegen-tmp", f".{target.name}.tmp"):
            (target.parent / name).symlink_to(victim)
            planted.append(target.parent / name)
    edit(repo / "services.yaml", "port: 8080", "port: 9090")  # every file of api changes
    (repo / LOCK).write_text("")  # as a killed run leaves it: the next run cleans everywhere

    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert not victim.is_symlink()
    assert pipelinegen("check", cwd=repo).returncode == 0
    # The links named like pipelinegen's temporaries went (the link, not what it points to).
    leftover = [p for p in planted if p.is_symlink()]
    assert all(not writer.TEMP.fullmatch(p.name) for p in leftover)
    assert "removed " in result.stdout


@pytest.mark.parametrize("link", ["generated", "generated/docker", "generated/helm/api",
                                  ".github/workflows", "generated/docker/api.Dockerfile",
                                  MANIFEST])
def test_a_link_anywhere_on_a_generated_path_is_refused(repo: Path, link: str) -> None:
    """Even a link that stays inside the repository: pipelinegen writes only real paths."""
    assert pipelinegen("generate", cwd=repo).returncode == 0
    elsewhere = repo / "elsewhere"
    os.replace(repo / link, elsewhere)
    (repo / link).symlink_to(elsewhere)
    edit(repo / "services.yaml", "port: 8080", "port: 9090")
    before = snapshot(repo)

    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 2
    assert f"{link} is a symbolic link" in result.stderr
    assert "hint: replace" in result.stderr
    assert snapshot(repo) == before


def test_a_link_out_of_the_repository_is_refused_by_every_command(repo: Path,
                                                                   tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / "generated").symlink_to(outside)
    for command in ("generate", "check", "diff"):
        result = pipelinegen(command, cwd=repo)
        assert result.returncode == 2, command
        assert "resolves outside the repository" in result.stderr
    assert list(outside.iterdir()) == []


def test_a_directory_where_a_generated_file_belongs_has_a_hint(repo: Path) -> None:
    (repo / "generated/docker/api.Dockerfile").mkdir(parents=True)
    before = snapshot(repo)
    result = pipelinegen("generate", cwd=repo)
    assert result.returncode == 2
    assert "api.Dockerfile is a directory where a generated file belongs" in result.stderr
    assert "\nhint: move the directory elsewhere" in result.stderr
    assert snapshot(repo) == before
