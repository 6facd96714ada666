"""Rendering of problems and file differences: text, GitHub annotations, JSON."""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from pipelinegen.core.errors import Problem

if TYPE_CHECKING:
    from pipelinegen.generation.plan import Comparison

FORMATS = ("auto", "text", "github", "json")


def resolve_format(fmt: str) -> str:
    """'auto' is GitHub annotations inside GitHub Actions, text elsewhere (as yamllint does)."""
    if fmt == "auto":
        return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    return fmt


def problems(found: Iterable[Problem], fmt: str) -> str:
    items = sorted(found)
    fmt = resolve_format(fmt)
    if fmt == "json":
        return json.dumps([_problem_dict(p) for p in items], indent=2) + "\n"
    if fmt == "github":
        return "".join(annotation(p) + "\n" for p in items)
    return "".join(problem_line(p) + "\n" for p in items)


def problem_line(p: Problem) -> str:
    text = f"{p.file}:{p.line}:{p.col}: [{p.level}] {p.rule}: {p.message}"
    # A hint of several lines (lines to paste, say) stays indented under its problem.
    hint = p.hint.replace("\n", "\n          ")
    return text + (f"\n    hint: {hint}" if p.hint else "")


def annotation(p: Problem) -> str:
    """A GitHub workflow command: ::error file=F,line=L,col=C,title=T::message."""
    level = {"error": "error", "warning": "warning"}.get(p.level, "notice")
    message = p.message + (f" (hint: {p.hint})" if p.hint else "")
    props = f"file={_prop(p.file)},line={p.line},col={p.col},title={_prop(p.rule)}"
    return f"::{level} {props}::{_data(message)}"


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")


def _problem_dict(p: Problem) -> dict[str, object]:
    return {"file": p.file, "line": p.line, "col": p.col, "level": p.level, "rule": p.rule,
            "message": p.message, "hint": p.hint}


# --- file differences ----------------------------------------------------------------------


def unified(path: str, old: bytes | None, new: bytes | None) -> list[str]:
    """Unified diff lines of one file (each ending in a newline)."""
    before = _lines(old)
    after = _lines(new)
    lines = list(difflib.unified_diff(
        before, after,
        fromfile="/dev/null" if old is None else f"a/{path}",
        tofile="/dev/null" if new is None else f"b/{path}",
    ))
    return [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
            for line in lines]


def counted(lines: list[str], sign: str) -> int:
    """Added ("+") or removed ("-") lines of a unified diff; its two header lines left out."""
    return sum(1 for line in lines[2:] if line.startswith(sign))


def _lines(data: bytes | None) -> list[str]:
    return [] if data is None else data.decode("utf-8", "replace").splitlines(keepends=True)


def changed_paths(comparison: Comparison) -> list[str]:
    return sorted({*comparison.create, *comparison.update, *comparison.delete})


def diff_text(comparison: Comparison, *, color: bool) -> str:
    out: list[str] = []
    for path in changed_paths(comparison):
        for line in unified(path, comparison.current.get(path), comparison.wanted(path)):
            out.append(_colour(line) if color else line)
    return "".join(out)


def _colour(line: str) -> str:
    if line.startswith(("+++", "---")):
        return click.style(line, bold=True)
    if line.startswith("+"):
        return click.style(line, fg="green")
    if line.startswith("-"):
        return click.style(line, fg="red")
    if line.startswith("@@"):
        return click.style(line, fg="cyan")
    return line


def stat_text(comparison: Comparison) -> str:
    rows = []
    added_total = removed_total = 0
    for path in changed_paths(comparison):
        lines = unified(path, comparison.current.get(path), comparison.wanted(path))
        added, removed = counted(lines, "+"), counted(lines, "-")
        added_total += added
        removed_total += removed
        rows.append((path, added, removed))
    width = max((len(path) for path, _, _ in rows), default=0)
    out = [f" {path.ljust(width)} | +{added} -{removed}\n" for path, added, removed in rows]
    out.append(f" {len(rows)} file(s) changed, {added_total} insertion(s)(+),"
               f" {removed_total} deletion(s)(-)\n")
    return "".join(out)


_STATES = (
    ("missing", "create", "generated file is missing"),
    ("stale", "update", "generated file is out of date"),
    ("orphaned", "delete", "no longer generated; `generate` deletes it"),
)


def first_difference(old: bytes | None, new: bytes | None) -> int:
    """The 1-based line where two versions of a file first differ (1 when one is absent)."""
    if old is None or new is None:
        return 1
    before, after = _lines(old), _lines(new)
    for number, (a, b) in enumerate(zip(before, after, strict=False), start=1):
        if a != b:
            return number
    return min(len(before), len(after)) + 1


def fix_hint(comparison: Comparison, source: str) -> str:
    """The command that brings the disk back to the plan: hand edits need --force (or a revert),
    because plain `generate` refuses to overwrite them."""
    if comparison.hand_edited:
        return ("move the change into services.yaml, or discard it with"
                " `pipelinegen generate --force` (or `git checkout -- <file>`)")
    return f"run `pipelinegen generate` to update the files from {source}"


def drift_problems(comparison: Comparison, source: str) -> list[Problem]:
    """One problem per drifted file, for `check` in text, GitHub or JSON form, at the first line
    where the file on disk differs from what the model produces."""
    edited = set(comparison.hand_edited)
    foreign = set(comparison.not_generated)
    found = []
    for state, attr, message in _STATES:
        for path in getattr(comparison, attr):
            line = first_difference(comparison.current.get(path), comparison.plan.files.get(path))
            if path in edited:
                found.append(Problem(
                    path, line, 1, "drift-hand-edited",
                    "edited by hand; the model does not produce this content",
                    "move the change into services.yaml, or discard it with"
                    f" `pipelinegen generate --force` (or `git checkout -- {path}`)"))
            elif path in foreign:
                found.append(Problem(
                    path, line, 1, "drift-not-generated",
                    "exists, not generated: `generate --adopt PATH` takes it over",
                    f"take it over with `pipelinegen generate --adopt {path}`"))
            else:
                found.append(Problem(path, line, 1, f"drift-{state}", message,
                                     f"run `pipelinegen generate` to update it from {source}"))
    return found


def drift_summary(comparison: Comparison, source: str) -> str:
    """`check`'s text: one line per drifted file, at its first differing line, with the lines
    added and removed; the hint (the same for every file) comes once, with the error."""
    out = []
    added_total = removed_total = 0
    for p in sorted(drift_problems(comparison, source)):
        lines = unified(p.file, comparison.current.get(p.file), comparison.plan.files.get(p.file))
        added, removed = counted(lines, "+"), counted(lines, "-")
        added_total += added
        removed_total += removed
        line = f"{p.file}:{p.line}:{p.col}: [{p.level}] {p.rule}: {p.message} (+{added} -{removed})"
        # A hand edit's fix differs from the others' (generate refuses it): said per file.
        out.append(line + (f"\n    hint: {p.hint}\n" if p.rule == "drift-hand-edited" else "\n"))
    out.append(f"{len(out)} file(s) differ, {added_total} line(s) to add, {removed_total} to"
               " remove (`pipelinegen check --diff` shows every line)\n")
    return "".join(out)
