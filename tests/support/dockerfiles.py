"""Reading Dockerfiles in tests."""

from __future__ import annotations


def instructions(text: str) -> list[str]:
    return [line for line in text.replace("\\\n", "").splitlines()
            if line and not line.startswith("#")]
