"""Emitters: pure functions from the inputs to generated files.

Each emitter is `emit(inputs) -> {relative path: text}`. No emitter reads the disk, the clock or
anything random, so the same inputs always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelinegen.core.inputs import Inputs
from pipelinegen.emit import (
    codeowners,
    devops_docs,
    diff_schema,
    dockerfile,
    helm,
    observability,
    rulesets,
    schema,
    scorecard,
    terraform,
    workflows,
)

Emitter = Callable[[Inputs], dict[str, str]]

# The registered emitters, in a fixed order.
EMITTERS: tuple[Emitter, ...] = (
    schema.emit,
    diff_schema.emit,
    dockerfile.emit,
    helm.emit,
    helm.emit_backing,
    observability.emit,
    workflows.emit,
    rulesets.emit,
    codeowners.emit,
    terraform.emit,
    devops_docs.emit,
    scorecard.emit,
)

# Emitters whose files are a function of pipelinegen's code alone, whatever the inputs: the
# plan may take them from the cache (plan.render).
CONSTANT: tuple[Emitter, ...] = (schema.emit, diff_schema.emit)


def emit_all(inputs: Inputs) -> dict[str, str]:
    """Every generated file, by path; two emitters claiming one path is a bug."""
    files: dict[str, str] = {}
    for emitter in EMITTERS:
        for path, text in emitter(inputs).items():
            if path in files:
                raise AssertionError(f"two emitters produce {path}")
            files[path] = text
    return files
