"""Putting a review together: model changes, file changes and drift, attributed per service."""

from __future__ import annotations

from collections.abc import Callable

from pipelinegen.core.change_report import (
    PROJECT,
    ChangeReport,
    CostChange,
    FieldChange,
    FileChange,
    ProjectChange,
    ServiceChange,
    ServiceStatus,
    Totals,
)
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.cost import delta as cost_delta
from pipelinegen.review import drift, filediff, infradiff, modeldiff
from pipelinegen.review.snapshot import Snapshot


def assemble_report(base: Snapshot, head: Snapshot, source: str) -> ChangeReport:
    """What changing `base` into `head` does, per service; pure apart from reading the sides."""
    delta = modeldiff.compare(base.model, head.model)
    owner = _owners(delta)
    files_of: dict[str, list[FileChange]] = {}
    renames = {d.renamed_from: name for name, d in delta.services.items() if d.renamed_from}
    changes = filediff.file_changes(base.outputs, head.outputs, renames)
    for change in changes:
        files_of.setdefault(owner(change.path), []).append(change)
    services = [
        _service(entry, delta, files_of.get(name, []))
        .model_copy(update={"infrastructure": infradiff.changes(
            base.model, head.model, entry.renamed_from or name, name)})
        for name, entry in delta.services.items()
    ]
    drift_checked = base.read is not None and head.read is not None
    return ChangeReport(
        source=source,
        base=base.label,
        head=head.label,
        services=services,
        project=ProjectChange(
            changes=[*delta.project, *delta.bases.values()], files=files_of.get(PROJECT, [])
        ),
        drift=drift.find(base, head, owner) if drift_checked else [],
        drift_checked=drift_checked,
        totals=Totals(
            files=len(changes),
            added=sum(c.added for c in changes),
            removed=sum(c.removed for c in changes),
        ),
        costs=_costs(base, head, renames),
    )


def _costs(base: Snapshot, head: Snapshot, renames: dict[str, str]) -> list[CostChange]:
    """The cost lines; none when a side cannot be priced (`pipelinegen cost` says why)."""
    try:
        deltas = cost_delta.compare(base.model, head.model, renames)
    except PipelinegenError:
        return []
    return [
        CostChange(service=d.service, environment=d.environment,
                   old_usd=None if d.old is None else float(d.old),
                   new_usd=None if d.new is None else float(d.new),
                   delta_usd=float(d.change), summary=d.summary())
        for d in deltas
    ]


def _owners(delta: modeldiff.ModelDiff) -> Callable[[str], str]:
    """Path -> the report entry it belongs to; a renamed service's old files go to its new name."""
    names = {name: name for name in delta.services}
    names.update({old: new for old, new in delta.old_names().items() if old not in names})

    def owner(path: str) -> str:
        found = filediff.owner(path, names)
        return names.get(found, found)

    return owner


def _service(entry: modeldiff.ServiceDelta, delta: modeldiff.ModelDiff,
             files: list[FileChange]) -> ServiceChange:
    inherited: list[FieldChange] = []
    if entry.status not in ("added", "removed"):
        # Bases it builds on change its image; project settings count where its files change.
        inherited = [delta.bases[name] for name in sorted(entry.bases) if name in delta.bases]
        if files:
            inherited += delta.project
    status: ServiceStatus = entry.status
    if status == "unchanged" and (inherited or files):
        status = "affected"
    return ServiceChange(
        name=entry.name,
        status=status,
        renamed_from=entry.renamed_from,
        changes=entry.changes,
        inherited=inherited,
        files=files,
    )
