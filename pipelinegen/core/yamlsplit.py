"""A services file cut, by its text, into the parts the loader can read apart (load.py).

A services file is a block mapping whose `services:` key holds one entry per service, each
starting on a line of its own at one indentation. `split` cuts the text there: the skeleton
(everything but the entries, `services:` left without a value) and each entry's lines. The cut
is only a guess made from the text; the loader proves it before trusting it, by parsing each
part apart (a part that ends inside a quoted string or a flow collection does not parse). Any
shape outside the plainest (carriage returns, an inline `services:` value, an entry key that is
not a plain name, a line between the entries' indentation and the top level) gives None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SERVICES = "services"
# A plain key that the YAML 1.2 resolver reads as a string (no digit first: 0x1, 1e3, .inf).
_KEY = re.compile(r"( +)([A-Za-z_][A-Za-z0-9_-]*):(?: |$)")
_SERVICES_LINE = re.compile(r"services:[ ]*(?:#.*)?")


@dataclass(frozen=True)
class Split:
    head: str  # the lines before `services:`
    skeleton: str  # the file without the entries' lines
    entries: tuple[tuple[str, str], ...]  # (key, its lines), in the file's order


def split(text: str) -> Split | None:
    """The file cut at its service entries; None when its shape is not the plainest."""
    if "\r" in text:
        return None
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if _SERVICES_LINE.fullmatch(line.rstrip("\n"))), None)
    if start is None:
        return None
    entries: list[tuple[str, list[str]]] = []
    indent = 0
    end = len(lines)
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.lstrip(" ")
        if not stripped.strip() or (not entries and stripped.startswith("#")):
            if entries:
                entries[-1][1].append(line)
            continue
        depth = len(line) - len(stripped)
        if depth == 0 and not stripped.startswith("#"):
            end = i
            break
        if not entries:
            indent = depth
        if depth == indent and not stripped.startswith("#"):
            key = _KEY.match(line)
            if key is None or len(key.group(1)) != indent:
                return None
            entries.append((key.group(2), [line]))
        elif depth > indent or stripped.startswith("#"):
            entries[-1][1].append(line)
        else:
            return None
    if not entries or indent == 0:
        return None
    head = "".join(lines[:start])
    skeleton = head + lines[start] + "".join(lines[end:])
    return Split(head, skeleton, tuple((key, "".join(body)) for key, body in entries))


def alone(entry: str) -> str:
    """An entry's lines as a document of their own, where they are parsed as in the file."""
    return f"{SERVICES}:\n{entry}"
