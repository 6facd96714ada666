"""Which generated files differ between two plans, by how many lines, and whose they are."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from pipelinegen.report import unified
from pipelinegen.review.changes import PROJECT, FileChange, FileStatus

# A generated file belongs to a service when its name, or the directory it sits in, directly
# under generated/<kind>/ is the service's name: generated/docker/<svc>.Dockerfile,
# generated/helm/<svc>/... . Everything else (workflows, rulesets, schemas) is the project's.
_SERVICE_PATH = re.compile(r"^generated/[^/]+/(?P<name>[^/.]+)(?:\.[^/]*)?(?:/|$)")


def owner(path: str, services: Collection[str]) -> str:
    """The service a generated path belongs to, or "project"."""
    match = _SERVICE_PATH.match(path)
    if match and match["name"] in services:
        return match["name"]
    return PROJECT


def file_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[FileChange]:
    """One entry per path whose content differs, sorted by path."""
    changes = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        lines = unified(path, before, after)
        status: FileStatus = ("added" if before is None else "removed" if after is None
                              else "modified")
        changes.append(FileChange(
            path=path,
            status=status,
            added=count(lines, "+"),
            removed=count(lines, "-"),
            diff="".join(lines),
        ))
    return changes


def count(lines: list[str], sign: str) -> int:
    """Added ("+") or removed ("-") lines of a unified diff; its two header lines left out."""
    return sum(1 for line in lines[2:] if line.startswith(sign))
