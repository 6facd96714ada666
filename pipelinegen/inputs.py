"""Everything generation depends on, gathered once by the workspace and handed to emitters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pipelinegen.model import Model


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
    # Hand-written notes sections of generated files as they are now, by path (see notes.py).
    notes: Mapping[str, str] = field(default_factory=dict)
