"""One side of a review: the model there, the plan it gives, and how to read committed files."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.adapters.git import GitTree
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.model import Model
from pipelinegen.generation import plan
from pipelinegen.generation.workspace import Reader, Workspace, disk_reader, inputs_at


@dataclass(frozen=True)
class Snapshot:
    label: str  # how the side is named in the report: a ref, a file or "working tree"
    model: Model | None  # None: there is no services file on this side
    files: Mapping[str, bytes]  # the plan: every generated file, the manifest included
    read: Reader | None  # reads files as committed there; None outside a repository

    @property
    def outputs(self) -> dict[str, bytes]:
        """The generated files without the manifest, which only records them."""
        return {path: data for path, data in self.files.items() if path != plan.MANIFEST}

    def committed(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        return {} if self.read is None else self.read(paths)


def _planned(label: str, inputs: Inputs | None, read: Reader | None) -> Snapshot:
    if inputs is None:
        return Snapshot(label, None, {}, read)
    return Snapshot(label, inputs.model, plan.make(inputs).files, read)


def at_ref(ws: Workspace, ref: str) -> Snapshot:
    """The side at a git ref, for the workspace's services file."""
    tree = GitTree.at(ws.root, ref)
    return _planned(ref, inputs_at(tree.read, f"{ref}:", ws.source), tree.read)


def working_tree(ws: Workspace) -> Snapshot:
    """The side on disk: what `generate` and `check` see."""
    return _planned("working tree", ws.inputs, disk_reader(ws.root))


def from_file(path: Path, ws: Workspace) -> Snapshot:
    """A side given as a services file, with the workspace's other inputs; its plan names the
    workspace's services file in headers, like the real one."""
    return _planned(str(path), inputs_at(disk_reader(ws.root), "", ws.source, path), None)


def manifest_paths(data: bytes | None) -> list[str]:
    """The paths a committed manifest lists; none when it is absent or unreadable."""
    try:
        files = json.loads(data or b"{}").get("files", {})
    except (ValueError, AttributeError):
        return []
    if not isinstance(files, dict):
        return []
    return sorted(str(path) for path in files if _safe(str(path)))


def _safe(path: str) -> bool:
    try:
        plan.check_relative(path)
    except PipelinegenError:
        return False
    return True
