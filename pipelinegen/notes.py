"""Hand-written notes inside a generated file: the one part of it that regeneration keeps.

A generated file may carry one notes section between two marker lines. `generate` writes the
section as it finds it on disk (or the emitter's placeholder for a new file), and the manifest
records the file's digest with the section emptied, so editing the notes is neither drift nor a
hand edit; editing anything outside them still is.
"""

from __future__ import annotations

BEGIN = "<!-- pipelinegen:notes:begin - hand-written, kept when the file is regenerated -->"
END = "<!-- pipelinegen:notes:end -->"
_BEGIN, _END = BEGIN.encode(), END.encode()


def section(placeholder: str, kept: str | None) -> str:
    """The notes section: the kept text, or the placeholder when there is none."""
    body = placeholder if kept is None else kept
    return f"{BEGIN}\n{body}{END}\n"


def extract(data: bytes | None) -> str | None:
    """The text between the markers (each on its own line), or None without a whole section."""
    if data is None:
        return None
    start = data.find(_BEGIN + b"\n")
    end = data.find(b"\n" + _END, start)
    if start < 0 or end < 0:
        return None
    return data[start + len(_BEGIN) + 1:end + 1].decode("utf-8", "replace")


def without_notes(data: bytes) -> bytes:
    """The file with its notes section emptied: what the manifest's digest covers."""
    start = data.find(_BEGIN + b"\n")
    end = data.find(b"\n" + _END, start)
    if start < 0 or end < 0:
        return data
    return data[:start + len(_BEGIN) + 1] + data[end + 1:]
