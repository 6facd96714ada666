"""`pipelinegen generate`: write every generated file, delete the ones no longer generated."""

from __future__ import annotations

from pipelinegen.commands import Echo
from pipelinegen.generation import lock, plan, reuse, verified, writer
from pipelinegen.generation.workspace import Workspace


def generate(ws: Workspace, force: bool, adopt: frozenset[str], echo: Echo) -> None:
    # A tree the cache records as current may need nothing written (verified.py); it is looked
    # up under the lock, so a run beside another still fails as it would have.
    recorded = ws.cache is not None and not adopt
    if not recorded:
        ws.plan  # noqa: B018  (read the model and produce every file before touching the disk)
    with lock.held(ws.root) as held:
        interrupted = held.stale  # then the full run cleans up what the last one left
        if recorded and not interrupted and (current := verified.up_to_date(ws)) is not None:
            echo(f"0 created, 0 updated, 0 deleted, {current} unchanged")
            return
        comparison = ws.compare()
        summary = writer.write_changes(comparison, ws.root, force=force, adopt=adopt,
                                       interrupted=interrupted)
        plan.remember_render(ws.cache, ws.plan)
        if recorded:  # the plan was made under the lock: its files were looked at since then
            reuse.remember_stamps(ws.cache, ws.plan.stamps, held.since_ns)
        verified.remember(ws, comparison, summary.written)
        if ws.cache is not None:
            ws.cache.commit()
    for label, paths in (("removed", summary.cleaned), ("created", summary.created),
                         ("updated", summary.updated), ("deleted", summary.deleted)):
        for path in paths:
            echo(f"{label:8} {path}")
    echo(f"{len(summary.created)} created, {len(summary.updated)} updated, "
         f"{len(summary.deleted)} deleted, {len(summary.unchanged)} unchanged")
