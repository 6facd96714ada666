"""The repository's own files, as the rules that scan it see them: tool, dependency and cache
folders (a virtualenv's packages, node_modules) are never the project's."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

SKIPPED = frozenset({".git", ".venv", ".tools", "venv", "node_modules", "__pycache__", ".tox",
                     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".pipelinegen_cache"})


def find(root: Path, wanted: Callable[[Path], bool]) -> list[Path]:
    """Every file under root (skipped folders left out) that `wanted` accepts, sorted."""
    found = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d not in SKIPPED]
        found += [path for name in files if wanted(path := Path(directory) / name)]
    return sorted(found)
