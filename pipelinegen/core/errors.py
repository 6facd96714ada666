"""One exception root; the CLI's single handler turns these into messages and exit codes."""

from __future__ import annotations

import errno
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


_OS_HINTS = {
    errno.ENOSPC: "free space on that file system, then run again (every file is whole: as it"
    " was, or as generated)",
    errno.EDQUOT: "raise the disk quota or free space, then run again",
    errno.EROFS: "the file system is mounted read-only: remount it read-write, or work in a"
    " writable checkout",
    errno.EACCES: "give the user running pipelinegen write permission there",
    errno.EPERM: "the file or directory refuses changes (permissions, or an immutable attribute:"
    " `lsattr`, `chattr -i`)",
    errno.EBUSY: "it is in use or a mount point (such as a bind-mounted file): unmount it, or"
    " work in another checkout",
    errno.ELOOP: "a symbolic link is in the way: replace it with a real file or directory",
    errno.ENAMETOOLONG: "use a shorter path",
}


def os_failure(action: str, path: str, exc: OSError) -> PipelinegenError:
    """An operating-system error as a message naming the path and the cause, with a hint."""
    cause = exc.strerror or type(exc).__name__
    return PipelinegenError(f"cannot {action} {path}: {cause}", _OS_HINTS.get(exc.errno or 0, ""))
