"""A real temporary git repository holding the bundled example, for tests that diff commits."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
IDENTITY = ["-c", "user.name=Test", "-c", "user.email=test@example.com",
            "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *IDENTITY, *args], cwd=root, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD")


def example_repo(root: Path) -> Path:
    """The bundled services.yaml with the demo services and packages, committed once."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "services.yaml", root / "services.yaml")
    for tree in ("services", "packages"):
        shutil.copytree(REPO_ROOT / tree, root / tree,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    (root / "README.md").write_text("# example\n")
    git(root, "init", "-q")
    commit_all(root, "base")
    return root
