"""Secrets never reach the terminal: the tokens pipelinegen was given, and anything shaped like
a GitHub token (a server may echo the Authorization header in its error message)."""

from __future__ import annotations

import os
import re

TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
REDACTED = "[redacted]"
# ghp_ (classic), gho_ (OAuth), ghu_ (user-to-server), ghs_ (installation), ghr_ (refresh),
# github_pat_ (fine-grained); and whatever follows "Bearer" or an echoed Authorization header.
_SHAPES = re.compile(r"\bgh[opusr]_[A-Za-z0-9_]{8,}|\bgithub_pat_[A-Za-z0-9_]{8,}")
_HEADER = re.compile(r"(?i)(\bbearer\s+|\bauthorization[\"']?\s*[:=]\s*[\"']?"
                     r"(?:(?:bearer|token|basic)\s+)?)[^\s\"',;]+")


def redact(text: str, *secrets: str) -> str:
    """text without the given secrets, the token variables' values, or token-shaped words."""
    for secret in sorted({*secrets, *_from_environment()}, key=len, reverse=True):
        if len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _SHAPES.sub(REDACTED, _HEADER.sub(lambda found: found.group(1) + REDACTED, text))


def _from_environment() -> list[str]:
    return [value.strip() for name in TOKEN_VARIABLES if (value := os.environ.get(name, ""))]
