"""Where the services file and the repository root are, and the model and plan they give.

This is the one module that knows which files are generation inputs (the services file, the
action lock, and the hand-written notes of the runbooks): the workspace reads them from disk,
and `inputs_at` through any reader, a git
commit's included, so `diff --base` sees exactly what `generate` would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pipelinegen.core import cache as caching
from pipelinegen.core import layout
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation import plan

if TYPE_CHECKING:
    from pipelinegen.core.inputs import ActionPin, Inputs
    from pipelinegen.core.model import Model
    from pipelinegen.generation.plan import Comparison

# The model's modules (pydantic, ruamel.yaml, the emitters) are imported where the model is
# first needed: a `check` of a tree known to be current (verified.py) needs none of them.


@dataclass(frozen=True)
class Workspace:
    root: Path  # the repository root; every generated path is relative to it
    source_path: Path  # the services file
    cache: caching.Cache | None = None

    @classmethod
    def locate(cls, file: Path, root: Path | None, *, writes: bool = False) -> Workspace:
        """Root defaults to the directory of the services file. Only a command that `writes`
        files stores entries in the cache."""
        source_path = file.absolute()
        root = (root or source_path.parent).absolute()
        try:
            source_path.relative_to(root)
        except ValueError:
            raise PipelinegenError(
                f"{file} is outside the repository root {root}",
                # Only an explicit --root can exclude the file: fix it, do not pass it again.
                f"pass a --root that contains {file}, or move the services file under {root}",
            ) from None
        if not root.is_dir():
            raise PipelinegenError(f"repository root {root} is not a directory")
        return cls(root, source_path, caching.at(root, writable=writes))

    @property
    def source(self) -> str:
        """The services file relative to the root, as headers and messages name it."""
        return self.source_path.relative_to(self.root).as_posix()

    @cached_property
    def source_bytes(self) -> bytes:
        """The services file as read once: the model, and the cache's keys, come from these."""
        from pipelinegen.core import load

        return load.read(self.source_path, self.source)

    @cached_property
    def lock_bytes(self) -> bytes | None:
        """The action lock as read once (None: there is none)."""
        return disk_reader(self.root)([layout.ACTIONS_LOCK])[layout.ACTIONS_LOCK]

    @cached_property
    def model(self) -> Model:
        from pipelinegen.core import load, service_paths

        model = load.loads(self.source_bytes, self.source, self.cache)
        service_paths.check(model, self.root, self.source_path, self.source)
        return model

    @cached_property
    def inputs(self) -> Inputs:
        from pipelinegen.core.inputs import Inputs

        read = disk_reader(self.root)
        return Inputs(self.model, self.source, _actions(self.lock_bytes, ""),
                      notes_at(read, self.model))

    @cached_property
    def plan(self) -> plan.Plan:
        return plan.make(self.inputs, plan.previous_render(self.root, self.cache), self.cache)

    def compare(self) -> Comparison:
        return plan.compare(self.plan, self.root)


# Reads repository-relative paths; None for a path with no file there.
Reader = Callable[[Iterable[str]], dict[str, bytes | None]]


def disk_reader(root: Path) -> Reader:
    """A Reader of the files on disk (refusing paths that lead out of the repository)."""

    def read(paths: Iterable[str]) -> dict[str, bytes | None]:
        return {path: _read_file(plan.resolve_inside(root, path)) for path in sorted(paths)}

    return read


def _read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None


def actions_at(read: Reader, where: str) -> Mapping[str, ActionPin]:
    """The action lock's pins; without a lock, the pins shipped with pipelinegen."""
    return _actions(read([layout.ACTIONS_LOCK])[layout.ACTIONS_LOCK], where)


def _actions(lock: bytes | None, where: str) -> Mapping[str, ActionPin]:
    from pipelinegen.core import actions_lock

    text = None if lock is None else lock.decode("utf-8", "replace")
    return actions_lock.parse_or_default(text, f"{where}{layout.ACTIONS_LOCK}")


def inputs_at(read: Reader, where: str, source: str, model_file: Path | None = None
              ) -> Inputs | None:
    """Everything generation depends on, read through `read` (a commit's files, or the disk);
    None without a services file. `where` ("REF:" or "") prefixes file names in messages;
    `model_file` stands in for the services file (`diff --old/--new`)."""
    from pipelinegen.core import load
    from pipelinegen.core.inputs import Inputs

    if model_file is not None:
        model = load.load(model_file, str(model_file))
    else:
        raw = read([source])[source]
        if raw is None:
            return None
        model = load.loads(raw, f"{where}{source}")
    return Inputs(model, source, actions_at(read, where), notes_at(read, model))


def notes_at(read: Reader, model: Model) -> Mapping[str, str]:
    """The notes sections of the generated files that keep them (the runbooks)."""
    from pipelinegen.core import kept
    from pipelinegen.emit.observability import runbooks

    found = {path: kept.extract_notes(data) for path, data in read(runbooks.paths(model)).items()}
    return {path: text for path, text in found.items() if text is not None}
