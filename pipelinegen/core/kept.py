"""The lines of a generated file that stay the repository's, not the model's.

Two forms, each a section between marker lines; everything is compared and hashed with the
section's lines left out, so editing them is never drift and never a hand edit:

- A kept section (CODEOWNERS, the devops pages): generation splices the disk's lines into the
  planned file (`merged`); `generate --adopt` moves a file pipelinegen did not write into the
  section of the file it generates there (`adopted`).
- A notes section (the runbooks): the emitter itself writes the disk's text, or its placeholder
  for a new file (`notes_section`, `extract_notes`); the manifest records the file's digest with
  the section emptied (`without_notes`).
"""

from __future__ import annotations

BEGIN = b"# --- kept: the repository's own lines; pipelinegen generate leaves them as they are ---"
END = b"# --- end of kept lines ---"
# The same in Markdown, where a `#` line is a heading.
MD_BEGIN = b"<!-- kept: your own notes below; pipelinegen generate leaves them as they are -->"
MD_END = b"<!-- end of kept notes -->"
MARKERS = ((BEGIN, END), (MD_BEGIN, MD_END))
NOTES_BEGIN = "<!-- pipelinegen:notes:begin - hand-written, kept when the file is regenerated -->"
NOTES_END = "<!-- pipelinegen:notes:end -->"
_NOTES_BEGIN, _NOTES_END = NOTES_BEGIN.encode(), NOTES_END.encode()


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
    """(start, end) of the kept section's lines, in either marker form."""
    return next((found for begin, end in MARKERS if (found := _section(data, begin, end))), None)


def _section(data: bytes, begin_marker: bytes, end_marker: bytes) -> tuple[int, int] | None:
    """(start, end) of the lines between a BEGIN line and the next END line; None without a
    whole section."""
    begin = data.find(begin_marker + b"\n")
    if begin < 0:
        return None
    start = begin + len(begin_marker) + 1
    end = data.find(b"\n" + end_marker, start - 1)  # from the BEGIN line's own newline
    return None if end < 0 else (start, end + 1)


# --- notes sections ----------------------------------------------------------------------------

def notes_section(placeholder: str, notes: str | None) -> str:
    """The notes section: the disk's notes, or the placeholder when there are none."""
    body = placeholder if notes is None else notes
    return f"{NOTES_BEGIN}\n{body}{NOTES_END}\n"


def extract_notes(data: bytes | None) -> str | None:
    """The text between the notes markers (each on its own line), or None without a whole
    section."""
    found = None if data is None else _section(data, _NOTES_BEGIN, _NOTES_END)
    if data is None or found is None:
        return None
    start, end = found
    return data[start:end].decode("utf-8", "replace")


def without_notes(data: bytes) -> bytes:
    """The file with its notes section emptied: what the manifest's digest covers."""
    found = _section(data, _NOTES_BEGIN, _NOTES_END)
    if found is None:
        return data
    start, end = found
    return data[:start] + data[end:]
