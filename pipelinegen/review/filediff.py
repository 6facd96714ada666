"""Which generated files differ between two plans, by how many lines, and whose they are."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from pipelinegen.core import layout
from pipelinegen.core.change_report import PROJECT, FileChange, FileStatus
from pipelinegen.generation.report import counted, unified

_SERVICE_PATH = layout.SERVICE_PATH


def owner(path: str, services: Collection[str]) -> str:
    """The service a generated path belongs to, or "project"."""
    match = _SERVICE_PATH.match(path)
    if match and match["name"] in services:
        return match["name"]
    return PROJECT


def renamed_path(path: str, old: str, new: str) -> str | None:
    """The path a service's file had under its old name; None if it is not that service's."""
    match = _SERVICE_PATH.match(path)
    if match is None or match["name"] != new:
        return None
    return path[: match.start("name")] + old + path[match.end("name") :]


def file_changes(old: Mapping[str, bytes], new: Mapping[str, bytes],
                 renames: Mapping[str, str]) -> list[FileChange]:
    """One entry per path whose content differs, sorted by path. `renames` (service old name ->
    new name) pairs a renamed service's files, so their diff shows what changed besides the name.
    """
    moved = {
        path: origin
        for path in new.keys() - old.keys()
        for service_old, service_new in renames.items()
        if (origin := renamed_path(path, service_old, service_new)) in old.keys() - new.keys()
    }
    changes = []
    for path in sorted((old.keys() - set(moved.values())) | new.keys()):
        source = moved.get(path, path)
        before, after = old.get(source), new.get(path)
        if before == after and source == path:
            continue
        lines = unified(path, before, after)
        status: FileStatus = ("renamed" if source != path else "added" if before is None
                              else "removed" if after is None else "modified")
        if lines and source != path:
            lines[0] = f"--- a/{source}\n"
        changes.append(FileChange(
            path=path,
            status=status,
            renamed_from=source if source != path else None,
            added=counted(lines, "+"),
            removed=counted(lines, "-"),
            diff="".join(lines),
        ))
    return changes
