"""`pipelinegen check`: exit 1 if the generated files on disk differ from what the model makes."""

from __future__ import annotations

from pipelinegen.commands import Echo
from pipelinegen.core.errors import FindingsError
from pipelinegen.generation import report, verified
from pipelinegen.generation.workspace import Workspace


def check(ws: Workspace, fmt: str, full_diff: bool, color: bool, echo: Echo) -> None:
    shown = report.resolve_format(fmt)
    # A tree the cache records as current needs no plan (verified.py); else the full check.
    current = verified.up_to_date(ws)
    if current is not None:
        echo("[]" if shown == "json" else f"{current} generated files are up to date")
        return
    comparison = ws.compare()
    if comparison.clean:
        echo("[]" if shown == "json" else
             f"{len(comparison.unchanged)} generated files are up to date")
        return
    if shown == "text" and not full_diff:
        # A new repository drifts by thousands of lines: a line per file, the diff on request.
        echo(report.drift_summary(comparison, ws.source), nl=False)
    else:
        echo(report.problems(report.drift_problems(comparison, ws.source), fmt), nl=False)
        if shown != "json":
            echo(report.diff_text(comparison, color=color), nl=False)
    raise FindingsError("generated files are out of date", report.fix_hint(comparison, ws.source))
