"""The review as a pull-request comment: a summary table, then each file's diff folded away.

GitHub refuses comments over 65,536 characters. The output stays 1,024 under that, room for what
a workflow adds (its marker). The summary (tables and model changes) is kept whole; file diffs
fill what is left, whole where they fit (smallest first), then shortened, and a note says so.
Sizes are counted in UTF-8 bytes, which is never less than GitHub's count.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pipelinegen.core import layout
from pipelinegen.core.change_report import (
    DRIFT_CAUSES,
    PROJECT,
    ChangeReport,
    Drift,
    FieldChange,
    FileChange,
    InfraChange,
    ServiceChange,
)
from pipelinegen.impact import redeploy

GITHUB_LIMIT = 65_536
# What a workflow may add around the comment (its marker for finding the comment to update).
HEADROOM = 1_024
LIMIT = GITHUB_LIMIT - HEADROOM
_CELL_CHANGES = 3  # model changes listed in a summary-table cell before "and N more"
_MIN_SHORTENED_LINES = 5
_NAMED_UNCHANGED = 20  # past this many, unchanged services are counted, not named


@dataclass(frozen=True)
class _Diff:
    """A file diff that may be shortened or left out to keep the comment under the limit."""

    title: str  # the <summary> line, HTML
    diff: str


Chunk = str | _Diff


def render(report: ChangeReport, *, stat: bool = False, limit: int = LIMIT) -> str:
    chunks = _chunks(report, with_diffs=not stat)
    return _fit(chunks, report, limit)


# --- the document --------------------------------------------------------------------------


def _chunks(report: ChangeReport, *, with_diffs: bool) -> list[Chunk]:
    chunks: list[Chunk] = [
        "### pipelinegen: what this change does\n\n",
        f"{code(report.source)} at {code(report.base)} compared with {code(report.head)}: "
        f"{_headline(report)}.\n\n",
    ]
    changed = report.changed_services
    project = report.project
    if changed or project.changes or project.files:
        chunks.append(_summary_table(report))
    unchanged = [s.name for s in report.services if s.status == "unchanged"]
    if len(unchanged) > _NAMED_UNCHANGED:
        chunks.append(f"{len(unchanged)} services are unchanged.\n\n")
    elif unchanged:
        chunks.append(f"Unchanged: {', '.join(code(name) for name in unchanged)}.\n\n")
    if report.costs:
        chunks.append(_cost_section(report))
    if report.drift:
        chunks += _drift_section(report.drift, with_diffs=with_diffs)
    for service in changed:
        title = f"#### {code(service.name)}: {_status(service.status, service.renamed_from)}\n\n"
        if deploy_only(service):
            title += f"{DEPLOY_ONLY}\n\n"
        chunks += _section(title + _infrastructure(service.infrastructure), service.changes,
                           service.inherited, service.files, with_diffs=with_diffs)
    if project.changes or project.files:
        chunks += _section("#### Project\n\n", project.changes, [], project.files,
                           with_diffs=with_diffs)
    return chunks


DEPLOY_ONLY = ("Deploy settings only: CI deploys the image that runs now with the new settings;"
               " no rebuild, rescan or push.")


def deploy_only(service: ServiceChange) -> bool:
    """A change of image-neutral fields only (see pipelinegen.impact.redeploy), with no file changed
    outside the service's chart: CI deploys the running digest."""
    chart = f"{layout.chart_dir(service.name)}/"
    return (service.status == "changed" and not service.inherited and bool(service.changes)
            and all(redeploy.neutral_field(service.name, c.field) for c in service.changes)
            and all(f.path.startswith(chart) for f in service.files))


def _headline(report: ChangeReport) -> str:
    parts = [f"{len(report.changed_services)} of {len(report.services)} service(s) affected"]
    if not report.model_changed:
        parts.append("the model is unchanged")
    totals = report.totals
    parts.append(f"{totals.files} generated file(s) change (+{totals.added} -{totals.removed})")
    if report.drift:
        parts.append(f"**{len(report.drift)} generated file(s) differ from the model (drift)**")
    return ", ".join(parts)


def _summary_table(report: ChangeReport) -> str:
    rows = ["| Service | Change | Model changes | Files | Lines |\n", "|---|---|---|---:|---:|\n"]
    for service in report.changed_services:
        rows.append(_row(code(service.name), _status(service.status, service.renamed_from),
                         service.changes, service.inherited, service.files))
    project = report.project
    if project.changes or project.files:
        rows.append(_row(f"_{PROJECT}_", "changed" if project.changes else "affected",
                         project.changes, [], project.files))
    return "".join(rows) + "\n"


def _row(name: str, status: str, own: list[FieldChange], inherited: list[FieldChange],
         files: list[FileChange]) -> str:
    listed = [code(c.summary) for c in own] + [f"via {code(c.summary)}" for c in inherited]
    if len(listed) > _CELL_CHANGES:
        listed = [*listed[:_CELL_CHANGES], f"and {len(listed) - _CELL_CHANGES} more"]
    lines = f"+{sum(f.added for f in files)} -{sum(f.removed for f in files)}" if files else ""
    return f"| {name} | {status} | {'<br>'.join(listed)} | {len(files)} | {lines} |\n"


def _status(status: str, renamed_from: str | None) -> str:
    return f"renamed from {code(renamed_from)}" if renamed_from else status


def _section(title: str, own: list[FieldChange], inherited: list[FieldChange],
             files: list[FileChange], *, with_diffs: bool) -> list[Chunk]:
    text = title
    text += "".join(f"- {code(c.summary)}\n" for c in own)
    text += "".join(f"- via {code(c.summary)}\n" for c in inherited)
    if own or inherited:
        text += "\n"
    # Files that only moved with their renamed service are counted, not listed.
    moved = [f for f in files if f.renamed_from and not f.diff]
    listed = [f for f in files if f not in moved]
    if listed:
        text += "| Generated file | Change | Added | Removed |\n|---|---|---:|---:|\n"
        text += "".join(f"| {code(f.path)} | {_file_status(f)} | +{f.added} | -{f.removed} |\n"
                        for f in listed)
        text += "\n"
    if moved:
        text += f"{len(moved)} more generated file(s) only renamed with the service.\n\n"
    chunks: list[Chunk] = [text]
    if with_diffs:
        chunks += [_Diff(f"<code>{html.escape(f.path)}</code> +{f.added} -{f.removed}", f.diff)
                   for f in files if f.diff]
    return chunks


_INFRA_WORDS = {"resource-added": "added", "resource-removed": "removed",
                "resource-changed": "changed", "iam-granted": "IAM grant",
                "iam-revoked": "IAM revoke"}


def _infrastructure(found: list[InfraChange]) -> str:
    """The cloud side of a service's change: a table of resources and IAM grants."""
    if not found:
        return ""
    rows = "".join(f"| {code(c.environment)} | {_INFRA_WORDS[c.change]} | {code(c.summary)} |\n"
                   for c in found)
    return ("| Environment | Infrastructure | What |\n|---|---|---|\n" + rows + "\n")


def _file_status(file: FileChange) -> str:
    return f"renamed from {code(file.renamed_from)}" if file.renamed_from else file.status


def _cost_section(report: ChangeReport) -> str:
    total = sum(c.delta_usd for c in report.costs)
    sign = "+" if total >= 0 else "-"
    return ("#### Monthly cost\n\n"
            + "".join(f"- {code(c.summary)}\n" for c in report.costs)
            + f"\nEstimated change: **{sign}${abs(total):,.2f}/month** (`pipelinegen cost` "
            "shows every service).\n\n")


def _drift_section(found: list[Drift], *, with_diffs: bool) -> list[Chunk]:
    text = ("#### Drift\n\nThese committed generated files are not what "
            "the model produces: hand edits, or files not regenerated. They are not model "
            "changes; run `pipelinegen generate` to bring them back in line (`pipelinegen "
            "generate --force` for files edited by hand, which it otherwise refuses to "
            "overwrite).\n\n"
            "| Generated file | Owner | State | Cause |\n|---|---|---|---|\n")
    text += "".join(f"| {code(d.path)} | {code(d.owner)} | {d.state} | {DRIFT_CAUSES[d.cause]} |\n"
                    for d in found)
    chunks: list[Chunk] = [text + "\n"]
    if with_diffs:
        chunks += [_Diff(f"drift in <code>{html.escape(d.path)}</code> (model output -> "
                         "committed)", d.diff) for d in found]
    return chunks


# --- markdown pieces -----------------------------------------------------------------------


def code(text: str) -> str:
    """Inline code that survives backticks and table pipes in the text."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    return f"{ticks}{padded}{ticks}".replace("|", "\\|")


def _details(title: str, body: str, note: str = "") -> str:
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    if body and not body.endswith("\n"):
        body += "\n"
    return (f"<details><summary>{title}</summary>\n\n{fence}diff\n{body}{fence}\n"
            f"{note}\n</details>\n\n")


# --- fitting under the limit ---------------------------------------------------------------


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _fit(chunks: list[Chunk], report: ChangeReport, limit: int) -> str:
    whole = [c if isinstance(c, str) else _details(c.title, c.diff) for c in chunks]
    if _size("".join(whole)) <= limit:
        return "".join(whole)
    run = code(_command(report))
    essentials = "".join(c for c in chunks if isinstance(c, str))
    note = (f"\n> **Shortened** to stay under GitHub's {GITHUB_LIMIT:,}-character comment limit: "
            f"{{what}}. Run {run} for the whole review.\n")
    cut_note = note.format(what="the summary stops here and every diff is left out")
    if _size(essentials) > limit - _size(cut_note):
        return _cut_lines(essentials, limit - _size(cut_note)) + cut_note
    note = note.format(what="some file diffs are cut or left out")
    spare = limit - _size(note) - _size(essentials)
    # Whole diffs first, smallest first, so as many files as possible show in full; then
    # what is left shortens the next ones in order.
    kept: dict[int, str] = {}
    for index in sorted((i for i, c in enumerate(chunks) if isinstance(c, _Diff)),
                        key=lambda i: (_size(whole[i]), i)):
        if _size(whole[index]) > spare:
            break
        kept[index] = whole[index]
        spare -= _size(whole[index])
    for index, chunk in enumerate(chunks):
        if isinstance(chunk, _Diff) and index not in kept:
            shortened = _shorten(chunk, spare)
            if shortened:
                kept[index] = shortened
                spare -= _size(shortened)
    return "".join(c if isinstance(c, str) else kept.get(i, "") for i, c in enumerate(chunks)) \
        + note


def _command(report: ChangeReport) -> str:
    """The command that shows the whole review."""
    if not report.drift_checked:  # two services files
        return f"pipelinegen diff --old {report.base} --new {report.head}"
    head = "" if report.head == "working tree" else f" --head {report.head}"
    return f"pipelinegen diff --base {report.base}{head}"


def _shorten(chunk: _Diff, spare: int) -> str:
    """The diff's first lines that fit in `spare` bytes, closed properly; "" if too few fit."""
    lines = chunk.diff.splitlines(keepends=True)
    empty = _details(chunk.title, "", _more(len(lines)))
    room = spare - _size(empty)
    kept: list[str] = []
    for line in lines:
        room -= _size(line)
        if room < 0:
            break
        kept.append(line)
    if len(kept) < _MIN_SHORTENED_LINES:
        return ""
    return _details(chunk.title, "".join(kept), _more(len(lines) - len(kept)))


def _more(count: int) -> str:
    return f"\n_{count:,} more line(s) of this diff left out._\n"


def _cut_lines(text: str, budget: int) -> str:
    """Whole lines of `text` up to `budget` bytes."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        budget -= _size(line)
        if budget < 0:
            break
        out.append(line)
    return "".join(out)
