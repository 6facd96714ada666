"""How pipelinegen runs git: through the one subprocess helper, never waiting for a prompt."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.adapters import proc
from pipelinegen.core.errors import PipelinegenError, ToolUnavailable

HINT = "check that the repository, the refs and the URL given exist and are reachable"


class GitFailed(proc.CommandFailed):
    """git ran and exited non-zero."""


def run_bytes(args: list[str], cwd: Path | None = None, *, stdin: bytes | None = None,
              hint: str = HINT) -> bytes:
    """Standard output of `git ARGS` run in `cwd`; raises GitFailed or ToolUnavailable."""
    git = shutil.which("git")
    if git is None:
        raise ToolUnavailable("git is not installed", "install git (e.g. apt-get install git)")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}  # never wait for a prompt
    try:
        return proc.run(["git", *args], what=f"git {args[0]} failed", hint=hint, env=env,
                        cwd=cwd, stdin=stdin, timeout=120).output
    except proc.CommandFailed as exc:
        raise GitFailed(exc.result, f"git {args[0]} failed", hint) from None


def run(args: list[str], cwd: Path | None = None, *, hint: str = HINT) -> str:
    """Like run_bytes, decoded as UTF-8."""
    return run_bytes(args, cwd, hint=hint).decode("utf-8", "replace")


_MAX_PATHSPECS = 1_000
_REF_HINT = "check that the ref exists here (CI: actions/checkout with fetch-depth: 0)"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return run_bytes(list(args), root, stdin=stdin, hint=_REF_HINT)


@dataclass(frozen=True)
class GitTree:
    """The files of one commit, addressed by paths relative to the pipelinegen root."""

    root: Path  # the pipelinegen root; may be a sub-directory of the git work tree
    ref: str  # as the user wrote it, for messages
    commit: str  # the resolved commit id
    prefix: str  # the root relative to the top of the git work tree, "" or ending in "/"

    @classmethod
    def at(cls, root: Path, ref: str) -> GitTree:
        if ref.startswith("-"):
            raise PipelinegenError(f"{ref!r} is not a git ref", "name a branch, tag or commit")
        commit = _git(root, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
        prefix = _git(root, "rev-parse", "--show-prefix")
        return cls(root, ref, commit.decode().strip(), prefix.decode().strip())

    def read(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        """The content of each path at the commit (None where it has no such file)."""
        wanted = sorted(set(paths))
        if not wanted:
            return {}
        # Name the paths when they are few; past that, list the root's tree once instead of
        # risking the command-line length limit.
        pathspecs = ([f":(literal){self.prefix}{path}" for path in wanted]
                     if len(wanted) <= _MAX_PATHSPECS else [f":(literal){self.prefix or '.'}"])
        listing = _git(self.root, "ls-tree", "-r", "-z", "--full-tree", self.commit, "--",
                      *pathspecs)
        blobs: dict[str, str] = {}
        for entry in listing.split(b"\0"):
            if entry:
                meta, _, name = entry.decode("utf-8", "surrogateescape").partition("\t")
                _mode, kind, blob = meta.split()
                if kind == "blob":
                    blobs[name.removeprefix(self.prefix)] = blob
        contents = _cat_blobs(self.root, [blobs[path] for path in wanted if path in blobs])
        return {path: contents[blobs[path]] if path in blobs else None for path in wanted}


def _cat_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    """Blob contents by id, all through one `git cat-file --batch`."""
    if not blobs:
        return {}
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
    contents: dict[str, bytes] = {}
    at = 0
    for blob in blobs:
        end = out.index(b"\n", at)
        _id, _kind, size = out[at:end].split()
        start = end + 1
        contents[blob] = out[start : start + int(size)]
        at = start + int(size) + 1  # the content is followed by a newline
    return contents
