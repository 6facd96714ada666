"""Emitters: pure functions from the model to generated files.

Each emitter is `emit(model, source) -> {relative path: text}`; `source` is the services file's
path relative to the repository root, named in headers. No emitter reads the disk, the clock or
anything random, so the same model always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelinegen.emit import schema
from pipelinegen.model import Model

Emitter = Callable[[Model, str], dict[str, str]]

EMITTERS: tuple[Emitter, ...] = (schema.emit,)


def emit_all(model: Model, source: str) -> dict[str, str]:
    """Every generated file, by path; two emitters claiming one path is a bug."""
    files: dict[str, str] = {}
    for emitter in EMITTERS:
        for path, text in emitter(model, source).items():
            if path in files:
                raise AssertionError(f"two emitters produce {path}")
            files[path] = text
    return files
