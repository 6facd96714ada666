"""Drift: committed generated files that are not what the committed model produces.

A change that edits generated files by hand leaves the model's plan as it was, so it shows up
here and not as a model change. Only the head side is judged: its plan is made by the code that
runs, which is the head's own. The base side tells whether the change caused the drift.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelinegen.core import kept
from pipelinegen.core.change_report import Drift, DriftCause, DriftState
from pipelinegen.generation.plan import MANIFEST
from pipelinegen.generation.report import unified
from pipelinegen.review.snapshot import Snapshot, manifest_paths


def find(base: Snapshot, head: Snapshot, owner: Callable[[str], str]) -> list[Drift]:
    """Every generated path (planned at head, or listed in its committed manifest) that differs."""
    listed = manifest_paths(head.committed([MANIFEST])[MANIFEST])
    paths = sorted({*head.files, *listed})
    at_head = head.committed(paths)
    at_base = base.committed(paths)
    found = []
    for path in paths:
        wanted, committed = head.files.get(path), at_head[path]
        if kept.managed(committed, wanted) == wanted:
            continue  # equal, or differing only in kept lines
        state: DriftState = ("missing" if committed is None else "orphaned" if wanted is None
                             else "stale")
        cause: DriftCause
        if committed != at_base.get(path):
            cause = "edited-in-change"
        elif base.files.get(path) != wanted:
            cause = "not-regenerated"
        else:
            cause = "pre-existing"
        found.append(Drift(
            path=path,
            owner=owner(path),
            state=state,
            cause=cause,
            diff="".join(unified(path, wanted, committed)),
        ))
    return found
