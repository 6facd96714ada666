"""The GitHub Actions workflows: CI (affected builds behind the gate), deploy, drift and review."""

from __future__ import annotations

from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.workflows import ci, codeql, deploy, rescan, review


def emit(inputs: Inputs) -> dict[str, str]:
    return {**ci.emit(inputs), **codeql.emit(inputs), **deploy.emit(inputs),
            **rescan.emit(inputs), **review.emit(inputs)}
