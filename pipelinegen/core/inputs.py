"""Everything generation depends on, gathered once by the workspace and handed to emitters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelinegen.core.errors import PipelinegenError
from pipelinegen.core.model import REL_PATH, Model


@dataclass(frozen=True)
class ActionPin:
    """One GitHub Action pinned in the lock file: `uses: {action}@{sha} # {tag}`."""

    action: str
    tag: str
    sha: str


@dataclass(frozen=True)
class Inputs:
    model: Model
    source: str  # the services file relative to the repository root, named in headers
    actions: Mapping[str, ActionPin] = field(default_factory=dict)  # by action, from the lock
    # Hand-written notes sections of generated files as they are now, by path (see kept.py).
    notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The name is written into headers, run: lines and Dockerfile comments: like a service
        # path, it may hold no character a shell, YAML, GitHub or a Dockerfile would interpret.
        if not re.fullmatch(REL_PATH, self.source) or len(self.source) > 255:
            raise PipelinegenError(
                f"the services file {self.source!r} has a name pipelinegen cannot write into"
                " generated files (headers, workflow run: lines, Dockerfile comments)",
                "rename it, and the directories it is in below the root, with letters, digits"
                " and '.', '_', '-' only (e.g. services.yaml or ci/services.yaml)")
