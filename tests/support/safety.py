"""What the safety tests share: a real pipelinegen process, a snapshot of a tree that keeps its
links, small edits, and the check that mount tests run as root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

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


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def require_root() -> None:
    """Mount tests need root; CI runs as root, so never skip them silently."""
    if os.geteuid() != 0:
        pytest.fail("this test mounts file systems: run the suite as root (CI does)")


def copy_repo(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, dirs_exist_ok=True, symlinks=True)
    return target
