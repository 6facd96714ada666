"""The one way pipelinegen runs git: an error shows the command, exit code, stdout and stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipelinegen.errors import ToolUnavailable


class GitFailed(ToolUnavailable):
    """git ran and exited non-zero."""

    def __init__(self, args: list[str], code: int, stdout: str, stderr: str) -> None:
        shown = " ".join(args)
        super().__init__(
            f"`{shown}` exited {code}\nstdout: {stdout.strip() or '(empty)'}\n"
            f"stderr: {stderr.strip() or '(empty)'}",
            "check that the repository, the refs and the URL given exist and are reachable",
        )
        self.code = code
        self.stderr = stderr


def run(args: list[str], cwd: Path | None = None) -> str:
    """stdout of `git ARGS` (run in `cwd`); raises GitFailed or ToolUnavailable."""
    git = shutil.which("git")
    if git is None:
        raise ToolUnavailable("git is not installed", "install git (e.g. apt-get install git)")
    command = ["git", *args]
    try:
        done = subprocess.run(  # a fixed program and an argument list: no shell
            [git, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120,
            env=_environment(),
        )
    except subprocess.TimeoutExpired:
        raise ToolUnavailable(f"`{' '.join(command)}` did not finish in 120 s") from None
    if done.returncode != 0:
        raise GitFailed(command, done.returncode, done.stdout, done.stderr)
    return done.stdout


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for credentials on a terminal
    env["LC_ALL"] = "C"
    return env
