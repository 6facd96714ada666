"""One exception root; the CLI's single handler turns these into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1  # drift, validation findings, budget exceeded
    USAGE = 2  # bad input, bad usage, or a required engine or tool is unavailable


@dataclass(frozen=True, order=True)
class Problem:
    """One finding, located in a file: printed as file:line:col: [level] rule: message."""

    file: str
    line: int
    col: int
    rule: str
    message: str
    hint: str = ""
    level: str = "error"


class PipelinegenError(Exception):
    """Root of every error pipelinegen reports to its user (never with a traceback)."""

    exit_code = Exit.USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(PipelinegenError):
    """The model or another input is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the input")
        self.problems = sorted(problems)


class ToolUnavailable(PipelinegenError):
    """A required engine or program (Docker, syft, git, the registry) is missing or failing."""


class FindingsError(PipelinegenError):
    """The command ran and found something the user must fix (exit 1)."""

    exit_code = Exit.FINDINGS
