"""The one helper every subprocess (git, the docker CLI, syft) runs through.

A failure raises ToolUnavailable (exit 2) whose message shows the command, its exit code, its
standard output and its standard error, so the user sees what ran and what it said.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.core.errors import ToolUnavailable

TAIL = 60  # lines of each output stream an error shows


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    output: bytes  # standard output as the program wrote it
    stderr: str

    @property
    def stdout(self) -> str:
        return self.output.decode("utf-8", "replace")


class CommandFailed(ToolUnavailable):
    """A program ran and exited non-zero."""

    def __init__(self, result: Result, what: str, hint: str) -> None:
        super().__init__(f"{what} (exit {result.returncode})\n{describe(result)}", hint)
        self.result = result


def describe(result: Result) -> str:
    def block(name: str, text: str) -> str:
        lines = text.rstrip("\n").splitlines()
        if len(lines) > TAIL:  # a build log: its end says what failed
            lines = [f"({len(lines) - TAIL} earlier lines not shown)", *lines[-TAIL:]]
        return f"--- {name}:\n" + ("\n".join(lines) or "(empty)")

    return "\n".join((f"command: {shlex.join(result.argv)}", f"exit code: {result.returncode}",
                      block("stdout", result.stdout), block("stderr", result.stderr)))


def find(program: str, env_var: str, install_hint: str) -> str:
    """A program from $env_var, else beside this Python (a venv's bin), else on PATH."""
    chosen = os.environ.get(env_var)
    if chosen:
        if not (shutil.which(chosen)):
            raise ToolUnavailable(f"{env_var}={chosen} is not an executable program",
                                  f"point {env_var} at {program}, or unset it")
        return chosen
    beside = Path(sys.executable).parent / program
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(program)
    if found is None:
        raise ToolUnavailable(f"{program} is not installed (not on PATH)", install_hint)
    return found


def run(
    argv: Sequence[str],
    *,
    what: str,
    hint: str,
    env: Mapping[str, str] | None = None,
    echo: Callable[[str], None] | None = None,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    timeout: float | None = None,
) -> Result:
    """Run argv to completion; raise CommandFailed on a non-zero exit.

    With `echo`, standard error is merged into standard output and each line is passed to
    `echo` as it arrives (long builds show progress), and still captured for the error.
    """
    full_env = {**os.environ, **(env or {})}
    try:
        if echo is None:
            done = subprocess.run(list(argv), capture_output=True, env=full_env, cwd=cwd,
                                  check=False, input=stdin, timeout=timeout,
                                  stdin=None if stdin is not None else subprocess.DEVNULL)
            result = Result(tuple(argv), done.returncode, done.stdout,
                            done.stderr.decode("utf-8", "replace"))
        else:
            result = _streamed(argv, full_env, echo, cwd)
    except OSError as exc:
        raise ToolUnavailable(f"cannot run {argv[0]}: {exc.strerror}", hint) from None
    except subprocess.TimeoutExpired:
        raise ToolUnavailable(f"`{shlex.join(argv)}` did not finish in {timeout} s", hint) from None
    if result.returncode != 0:
        raise CommandFailed(result, what, hint)
    return result


def _streamed(argv: Sequence[str], env: Mapping[str, str], echo: Callable[[str], None],
              cwd: Path | None) -> Result:
    lines: list[str] = []
    with subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, text=True, env=dict(env),
                          cwd=cwd) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            echo(line.rstrip("\n"))
    return Result(tuple(argv), process.returncode, "".join(lines).encode(), "")
