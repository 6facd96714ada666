"""The linters and tools the test extra installs next to the interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    path = BIN / name
    assert path.is_file(), f"{name} is missing: pip install -e '.[test]'"
    return str(path)


def hadolint() -> str:
    return str(Path(sys.executable).parent / "hadolint")
