"""Kept sections: lines of a generated file that belong to the repository, not to the model.

A generated file may hold one marked section (CODEOWNERS does) whose lines generation keeps as
they are on disk. Everything is compared and hashed with the section's lines left out, so
editing them is never drift and never a hand edit; `generate --adopt` moves a file pipelinegen
did not write into the section of the file it generates there.
"""

from __future__ import annotations

BEGIN = b"# --- kept: the repository's own lines; pipelinegen generate leaves them as they are ---"
END = b"# --- end of kept lines ---"
# The same in Markdown, where a `#` line is a heading.
MD_BEGIN = b"<!-- kept: your own notes below; pipelinegen generate leaves them as they are -->"
MD_END = b"<!-- end of kept notes -->"
MARKERS = ((BEGIN, END), (MD_BEGIN, MD_END))


def has_section(planned: bytes) -> bool:
    return _bounds(planned) is not None


def managed(on_disk: bytes | None, planned: bytes | None) -> bytes | None:
    """The disk's content as pipelinegen compares it: the kept lines left out, if the planned
    file has a kept section (and the disk's markers are intact)."""
    if on_disk is None or planned is None or not has_section(planned):
        return on_disk
    bounds = _bounds(on_disk)
    if bounds is None:
        return on_disk
    start, end = bounds
    return on_disk[:start] + on_disk[end:]


def merged(planned: bytes, on_disk: bytes | None) -> bytes:
    """The planned file with the disk's kept lines in its section."""
    return _with_lines(planned, _kept_lines(on_disk))


def adopted(planned: bytes, existing: bytes) -> bytes:
    """What `--adopt` writes: a file with a kept section keeps every line the existing file has
    (its own kept lines, or all of it); any other file is replaced by the planned one."""
    if not has_section(planned):
        return planned
    lines = _kept_lines(existing) if _bounds(existing) else existing
    return _with_lines(planned, lines)


def _with_lines(planned: bytes, lines: bytes) -> bytes:
    bounds = _bounds(planned)
    if bounds is None or not lines:
        return planned
    start, _ = bounds
    body = lines if lines.endswith(b"\n") else lines + b"\n"
    return planned[:start] + body + planned[start:]


def _kept_lines(data: bytes | None) -> bytes:
    bounds = None if data is None else _bounds(data)
    if data is None or bounds is None:
        return b""
    start, end = bounds
    return data[start:end]


def _bounds(data: bytes) -> tuple[int, int] | None:
    """(start, end) of the section's lines: after the BEGIN line, up to the END line."""
    for begin_marker, end_marker in MARKERS:
        begin = data.find(begin_marker + b"\n")
        if begin < 0:
            continue
        start = begin + len(begin_marker) + 1
        end = data.find(end_marker, start)
        if end < 0 or data[end - 1:end] != b"\n":
            return None
        return start, end
    return None
