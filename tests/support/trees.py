"""Whole-tree helpers: read a directory into {relative path: bytes} and compare two trees."""

from __future__ import annotations

from pathlib import Path

# Not the project's files: version control, bytecode, the interpreter and pipelinegen's cache.
IGNORED_PARTS = {".git", "__pycache__", ".venv", ".pipelinegen_cache"}


def read_tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not IGNORED_PARTS & set(path.relative_to(root).parts)
    }


def tree_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Every path missing on either side or with other content, both ways."""
    return (
        [f"missing: {p}" for p in sorted(expected.keys() - actual.keys())]
        + [f"unexpected: {p}" for p in sorted(actual.keys() - expected.keys())]
        + [f"differs: {p}" for p in sorted(expected.keys() & actual.keys())
           if expected[p] != actual[p]]
    )
