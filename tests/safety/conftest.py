"""Fixtures for the safety tests: a scratch repository and a tmpfs (their helpers are in
tests/support/safety.py)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.paths import MINIMAL
from tests.support.safety import require_root


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
