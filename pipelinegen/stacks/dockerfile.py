"""The dockerfile stack: the service brings its own Dockerfile (`dockerfile:`), built from its
directory; pipelinegen generates none, sets no toolchain up and runs its test command as given."""

from __future__ import annotations

from pipelinegen.stacks.base import Stack
from pipelinegen.stacks.detection import Detector, Files, Project


def detect(tree: Files, project: Project) -> None:
    project.entry = f"it has its own {project.manifest}"


# A directory with a Dockerfile and no other manifest (rank: every other stack's wins).
STACK = Stack(name="dockerfile", bases=None, stages=None,
              detector=Detector(("Dockerfile",), detect, rank=7))
