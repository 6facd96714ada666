"""Fixtures for the safety tests: a scratch repository, a real pipelinegen process, a tmpfs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import MINIMAL

Run = Callable[..., subprocess.CompletedProcess[str]]


def snapshot(root: Path) -> dict[str, object]:
    """Every entry below root without following links: file bytes, link targets, directories."""
    found: dict[str, object] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir",)
            else:
                found[rel] = path.read_bytes()
    return found


def pipelinegen(*args: str | Path, cwd: Path | None = None, user: int | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """pipelinegen as a real process (as `user`, if given); a traceback on stderr fails the
    test."""
    command = [sys.executable, "-m", "pipelinegen", *map(str, args)]
    if user is not None:
        # The user may read and search everything (CAP_DAC_READ_SEARCH), so it reaches the
        # interpreter and the checkout wherever they live (under a 0700 directory, say), but
        # writes only where its own permissions allow.
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                   "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *command]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            check=False)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository holding the minimal model, with its service directories."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(MINIMAL, root / "services.yaml")
    for service in ("api", "worker"):
        (root / "services" / service).mkdir(parents=True)
        (root / "services" / service / "app.py").write_text(f"print('{service}')\n")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def require_root() -> None:
    """Mount tests need root; CI runs as root, so never skip them silently."""
    if os.geteuid() != 0:
        pytest.fail("this test mounts file systems: run the suite as root (CI does)")


@pytest.fixture
def tmpfs() -> Iterator[Callable[[str], Path]]:
    """mount(size) -> a fresh tmpfs of that size; everything mounted is unmounted afterwards.
    The mount points are reachable by every user (pytest's own directory is not)."""
    require_root()
    mounted: list[Path] = []
    base = Path(tempfile.mkdtemp(prefix="pipelinegen-tmpfs-"))
    base.chmod(0o755)

    def mount(size: str) -> Path:
        point = base / f"tmpfs{len(mounted)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs",
                        str(point)], check=True)
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["chattr", "-R", "-i", str(point)], check=False, capture_output=True)
        subprocess.run(["umount", "-R", str(point)], check=True)
    shutil.rmtree(base)


def copy_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    return target
