"""Changes to a repository, each a function of its root, and the values they edit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        text = (root / path).read_text()
        assert old in text, f"{old!r} not in {path}"
        (root / path).write_text(text.replace(old, new, 1))
    return change


def write(path: str, text: str = "changed\n") -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for one in changes:
            one(root)
    return change


API_FILE = "services/api/api/__init__.py"
GO_DIGEST = "3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437"
PY_DIGEST = "782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254"
