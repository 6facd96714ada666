"""Where the services file and the repository root are, and the model and plan they give."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pipelinegen import actions_lock, load, plan
from pipelinegen.errors import PipelinegenError
from pipelinegen.inputs import Inputs
from pipelinegen.model import Model
from pipelinegen.plan import Comparison


@dataclass(frozen=True)
class Workspace:
    root: Path  # the repository root; every generated path is relative to it
    source_path: Path  # the services file

    @classmethod
    def locate(cls, file: Path, root: Path | None) -> Workspace:
        """Root defaults to the directory of the services file."""
        source_path = file.absolute()
        root = (root or source_path.parent).absolute()
        try:
            source_path.relative_to(root)
        except ValueError:
            raise PipelinegenError(
                f"{file} is outside the repository root {root}",
                "put services.yaml inside the repository, or pass --root",
            ) from None
        if not root.is_dir():
            raise PipelinegenError(f"repository root {root} is not a directory")
        return cls(root, source_path)

    @property
    def source(self) -> str:
        """The services file relative to the root, as headers and messages name it."""
        return self.source_path.relative_to(self.root).as_posix()

    @cached_property
    def model(self) -> Model:
        return load.load(self.source_path, self.source)

    @cached_property
    def inputs(self) -> Inputs:
        return Inputs(self.model, self.source, actions_lock.read(self.root))

    @cached_property
    def plan(self) -> plan.Plan:
        return plan.build(self.inputs)

    def compare(self) -> Comparison:
        return plan.compare(self.plan, self.root)
