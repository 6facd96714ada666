"""The review for a terminal: the summary per service, then every file's unified diff."""

from __future__ import annotations

from typing import Any

import click

from pipelinegen.core.change_report import DRIFT_CAUSES, ChangeReport, FieldChange, FileChange

_FILE_MARK = {"added": "A", "removed": "D", "modified": "M", "renamed": "R"}


def render(report: ChangeReport, *, color: bool, stat: bool = False) -> str:
    def style(text: str, **how: Any) -> str:
        return click.style(text, **how) if color else text

    totals = report.totals
    out = [
        style(f"{report.source}: {report.base} -> {report.head}", bold=True) + "\n",
        f"{len(report.changed_services)} of {len(report.services)} service(s) affected, "
        f"{totals.files} generated file(s) change (+{totals.added} -{totals.removed})"
        + ("" if report.model_changed else "; the model is unchanged") + "\n",
    ]
    for service in report.changed_services:
        status = (f"renamed from {service.renamed_from}" if service.renamed_from
                  else service.status)
        out.append("\n" + style(service.name, bold=True) + f": {status}\n")
        out += _entries(service.changes, service.inherited, service.files)
    project = report.project
    if project.changes or project.files:
        out.append("\n" + style("project", bold=True) + "\n")
        out += _entries(project.changes, [], project.files)
    unchanged = [s.name for s in report.services if s.status == "unchanged"]
    if unchanged:
        out.append(f"\nunchanged: {', '.join(unchanged)}\n")
    if report.costs:
        out.append("\n" + style("monthly cost", bold=True) + "\n")
        out += [f"  {c.summary}\n" for c in report.costs]
    if report.drift:
        out.append("\n" + style("drift: committed generated files that differ from the model"
                                " (not model changes; `pipelinegen generate` fixes them,"
                                " `--force` where edited by hand)",
                                fg="yellow", bold=True) + "\n")
        out += [f"  {d.path} ({d.owner}): {d.state}, {DRIFT_CAUSES[d.cause]}\n"
                for d in report.drift]
    if stat:
        return "".join(out)
    for diff in [f.diff for s in report.services for f in s.files] + [
        f.diff for f in project.files
    ]:
        out.append("\n")
        out += [_colour(line, style) for line in diff.splitlines(keepends=True)]
    for drift in report.drift:
        out.append("\n" + style(f"drift in {drift.path} (model output -> committed):",
                                fg="yellow") + "\n")
        out += [_colour(line, style) for line in drift.diff.splitlines(keepends=True)]
    return "".join(out)


def _entries(own: list[FieldChange], inherited: list[FieldChange],
             files: list[FileChange]) -> list[str]:
    lines = [f"  {c.summary}\n" for c in own]
    lines += [f"  via {c.summary}\n" for c in inherited]
    lines += [f"  {_FILE_MARK[f.status]} {f.path}"
              + (f" (from {f.renamed_from})" if f.renamed_from else "")
              + f" (+{f.added} -{f.removed})\n" for f in files]
    return lines


def _colour(line: str, style: Any) -> str:
    if line.startswith(("+++ ", "--- ")):
        return str(style(line, bold=True))
    for prefix, colour in (("+", "green"), ("-", "red"), ("@@", "cyan")):
        if line.startswith(prefix):
            return str(style(line, fg=colour))
    return line
