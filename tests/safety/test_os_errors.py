"""Operating-system errors while writing, on real file systems: a full tmpfs (ENOSPC), a
read-only mount (EROFS), a bind-mounted file (EBUSY), an immutable directory (EPERM) and a user
without write permission (EACCES). Each is exit 2, names the path and the cause, leaves every
file whole and leaves no temporary file behind. These tests need root (CI runs as root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from pipelinegen import writer
from pipelinegen.plan import MANIFEST
from tests.support.safety import copy_repo, edit, pipelinegen, snapshot

Mount = Callable[[str], Path]


def _planned(repo: Path, tmp_path: Path) -> dict[str, object]:
    """What a complete run writes, made in a scratch copy."""
    scratch = copy_repo(repo, tmp_path / "planned")
    assert pipelinegen("generate", "--force", cwd=scratch).returncode == 0
    return snapshot(scratch)


def _assert_whole(repo: Path, before: dict[str, object], after_run: dict[str, object]) -> None:
    """Every file is as it was or as a complete run writes it; no temporary file is left."""
    now = snapshot(repo)
    assert not [path for path in now if writer.TEMP.fullmatch(path.rpartition("/")[2])]
    for path, data in now.items():
        assert data in (before.get(path), after_run.get(path)), path
    assert now.get(MANIFEST) == before.get(MANIFEST)  # the manifest still describes the disk


def test_no_space_left_on_device(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    root = copy_repo(repo, tmpfs("1m") / "repo")
    assert pipelinegen("generate", cwd=root).returncode == 0
    edit(root / "services.yaml", "port: 8080", "port: 9090")
    edit(root / "services.yaml", "port: 8081", "port: 9091")
    planned = _planned(root, tmp_path)
    before = snapshot(root)
    filler = root.parent / "filler"
    fs = os.statvfs(root)  # fill the file system to the last byte
    filler.write_bytes(b"\0" * (fs.f_bavail * fs.f_frsize))
    result = pipelinegen("generate", cwd=root)
    assert result.returncode == 2, result.stderr
    assert "No space left on device" in result.stderr
    named = result.stderr.partition("error: cannot write ")[2].partition(":")[0]
    assert named in planned, result.stderr  # the path it could not write, a planned file
    assert "hint: free space on that file system" in result.stderr
    _assert_whole(root, before, planned)

    filler.unlink()
    assert pipelinegen("generate", cwd=root).returncode == 0
    assert snapshot(root) == planned


def test_read_only_file_system(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    point = tmpfs("4m")
    root = copy_repo(repo, point / "repo")
    assert pipelinegen("generate", cwd=root).returncode == 0
    edit(root / "services.yaml", "port: 8080", "port: 9090")
    before = snapshot(root)
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
    result = pipelinegen("generate", cwd=root)
    assert result.returncode == 2
    assert "Read-only file system" in result.stderr
    assert "generated/.pipelinegen.lock" in result.stderr
    assert "hint: the file system is mounted read-only" in result.stderr
    assert snapshot(root) == before
    subprocess.run(["mount", "-o", "remount,rw", str(point)], check=True)


def test_read_only_bind_mounted_directory(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    root = copy_repo(repo, tmpfs("4m") / "repo")
    assert pipelinegen("generate", cwd=root).returncode == 0
    edit(root / "services.yaml", "port: 8080", "port: 9090")
    planned = _planned(root, tmp_path)
    before = snapshot(root)
    helm = str(root / "generated/helm")
    subprocess.run(["mount", "--bind", helm, helm], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", helm], check=True)
    result = pipelinegen("generate", cwd=root)
    assert result.returncode == 2
    assert "error: cannot write generated/helm/api/" in result.stderr
    assert "Read-only file system" in result.stderr
    _assert_whole(root, before, planned)


def test_busy_bind_mounted_file(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    root = copy_repo(repo, tmpfs("4m") / "repo")
    assert pipelinegen("generate", cwd=root).returncode == 0
    edit(root / "services.yaml", "port: 8080", "port: 9090")
    planned = _planned(root, tmp_path)
    target = root / "generated/docker/api.Dockerfile"
    held = tmp_path / "held.Dockerfile"
    shutil.copy(target, held)
    subprocess.run(["mount", "--bind", str(held), str(target)], check=True)
    before = snapshot(root)
    result = pipelinegen("generate", cwd=root)
    assert result.returncode == 2
    assert ("error: cannot write generated/docker/api.Dockerfile: Device or resource busy"
            in result.stderr)
    assert "hint: it is in use or a mount point" in result.stderr
    _assert_whole(root, before, planned)


def test_immutable_directory(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    root = copy_repo(repo, tmpfs("4m") / "repo")
    assert pipelinegen("generate", cwd=root).returncode == 0
    edit(root / "services.yaml", "port: 8080", "port: 9090")
    planned = _planned(root, tmp_path)
    before = snapshot(root)
    subprocess.run(["chattr", "+i", str(root / "generated/docker")], check=True)
    result = pipelinegen("generate", cwd=root)
    subprocess.run(["chattr", "-i", str(root / "generated/docker")], check=True)
    assert result.returncode == 2
    assert ("error: cannot write generated/docker/api.Dockerfile: Operation not permitted"
            in result.stderr)
    assert "chattr -i" in result.stderr
    _assert_whole(root, before, planned)


def test_permission_denied(repo: Path, tmpfs: Mount, tmp_path: Path) -> None:
    repo = copy_repo(repo, tmpfs("4m") / "repo")  # owned by root, readable by everyone
    assert pipelinegen("generate", cwd=repo).returncode == 0
    edit(repo / "services.yaml", "port: 8080", "port: 9090")
    planned = _planned(repo, tmp_path)
    before = snapshot(repo)
    result = pipelinegen("generate", cwd=repo, user=65534)  # nobody: may read, not write
    assert result.returncode == 2, result.stderr
    assert "Permission denied" in result.stderr
    assert "generated/.pipelinegen.lock" in result.stderr
    assert "hint: give the user running pipelinegen write permission there" in result.stderr
    assert snapshot(repo) == before
    assert json.loads((repo / MANIFEST).read_text())
    _assert_whole(repo, before, planned)
