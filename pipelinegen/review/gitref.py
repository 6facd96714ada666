"""Reading the repository at a git ref: one subprocess helper, one reader of inputs at a ref."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelinegen import actions_lock, load
from pipelinegen.errors import PipelinegenError, ToolUnavailable
from pipelinegen.inputs import Inputs

_MAX_PATHSPECS = 1_000


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in `root`, return its stdout; a failure names the command, exit code and stderr."""
    program = shutil.which("git")
    if program is None:
        raise ToolUnavailable("git is not installed", "install git (apt-get install -y git)")
    command = ["git", *args]
    done = subprocess.run(
        [program, *args], cwd=root, input=stdin, capture_output=True, check=False
    )
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        raise PipelinegenError(
            f"`{' '.join(command)}` failed with exit code {done.returncode}: {stderr}",
            "check that the ref exists here (CI: actions/checkout with fetch-depth: 0)",
        )
    return done.stdout


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
        commit = git(root, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")
        prefix = git(root, "rev-parse", "--show-prefix")
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
        listing = git(self.root, "ls-tree", "-r", "-z", "--full-tree", self.commit, "--",
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
    out = git(root, "cat-file", "--batch", stdin="".join(f"{b}\n" for b in blobs).encode())
    contents: dict[str, bytes] = {}
    at = 0
    for blob in blobs:
        end = out.index(b"\n", at)
        _id, _kind, size = out[at:end].split()
        start = end + 1
        contents[blob] = out[start : start + int(size)]
        at = start + int(size) + 1  # the content is followed by a newline
    return contents


Reader = Callable[[Iterable[str]], dict[str, bytes | None]]


def inputs_at(read: Reader, where: str, source: str, model_file: Path | None = None
              ) -> Inputs | None:
    """Everything generation depends on, read through `read` (a commit's files, or the disk);
    None without a services file. `where` ("REF:" or "") prefixes file names in messages;
    `model_file` stands in for the services file (`diff --old/--new`).

    This is the one place that knows which files are inputs besides the workspace, so a new
    input (a lock file) is read at refs by adding it here.
    """
    if model_file is not None:
        model = load.load(model_file, str(model_file))
    else:
        raw = read([source])[source]
        if raw is None:
            return None
        model = load.loads(raw, f"{where}{source}")
    lock = read([actions_lock.LOCK])[actions_lock.LOCK]
    text = None if lock is None else lock.decode("utf-8", "replace")
    actions = actions_lock.parse_or_default(text, f"{where}{actions_lock.LOCK}")
    return Inputs(model, source, actions)
