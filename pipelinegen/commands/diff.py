"""`pipelinegen diff`: the one function the command calls, whatever its options."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinegen.commands import Echo
from pipelinegen.core.change_report import ChangeReport
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation import report
from pipelinegen.generation.workspace import Workspace
from pipelinegen.review import render_json, render_markdown, render_text, snapshot
from pipelinegen.review.assemble import assemble_report

FORMATS = ("text", "markdown", "json")


@dataclass(frozen=True)
class DiffOptions:
    file: Path
    root: Path | None
    base: str | None = None  # git ref of the side to compare against
    head: str | None = None  # git ref of the changed side; default: the working tree
    old: Path | None = None  # or two services files
    new: Path | None = None
    fmt: str = "text"
    stat: bool = False  # the summary without the diffs
    color: bool = False


def diff(options: DiffOptions, echo: Echo) -> None:
    echo(diff_output(options), nl=False)


def diff_output(options: DiffOptions) -> str:
    """What `pipelinegen diff` prints: a review of two sides, or what `generate` would change."""
    _check_options(options)
    ws = Workspace.locate(options.file, options.root)
    if options.base is None and options.old is None:
        comparison = ws.compare()
        if options.stat:
            return report.stat_text(comparison)
        return report.diff_text(comparison, color=options.color)
    review = review_report(ws, options)
    if options.fmt == "json":
        return render_json.render(review)
    if options.fmt == "markdown":
        return render_markdown.render(review, stat=options.stat)
    return render_text.render(review, color=options.color, stat=options.stat)


def review_report(ws: Workspace, options: DiffOptions) -> ChangeReport:
    if options.old is not None and options.new is not None:
        base = snapshot.from_file(options.old, ws)
        head = snapshot.from_file(options.new, ws)
    else:
        assert options.base is not None
        base = snapshot.at_ref(ws, options.base)
        head = (snapshot.working_tree(ws) if options.head is None
                else snapshot.at_ref(ws, options.head))
    return assemble_report(base, head, ws.source)


def _check_options(options: DiffOptions) -> None:
    if (options.old is None) != (options.new is None):
        raise PipelinegenError("--old and --new go together",
                               "give both services files, or use --base")
    if options.base is not None and options.old is not None:
        raise PipelinegenError("--base and --old/--new are alternatives", "give one of them")
    if options.head is not None and options.base is None:
        raise PipelinegenError("--head needs --base", "add --base REF (e.g. origin/main)")
    reviewing = options.base is not None or options.old is not None
    if not reviewing and options.fmt != "text":
        raise PipelinegenError(f"--format {options.fmt} needs --base or --old/--new",
                    "without them, `diff` shows what `generate` would change, as text")
    if options.stat and options.fmt == "json":
        raise PipelinegenError("--stat does not apply to --format json", "drop --stat")
