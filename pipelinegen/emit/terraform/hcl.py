"""A small HCL writer whose output is already as `terraform fmt` writes it.

Values are Python data: str is a quoted string, Expr an expression written as is, bool, int,
list and dict (an object, keys in the order given). Blocks hold attributes and nested blocks.
As terraform fmt does, the `=` of consecutive one-line attributes line up; a blank line, a
nested block or a multi-line value (never aligned itself) ends the run. The tests run
`terraform fmt -check` on the output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

INDENT = "  "
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Expr:
    """An HCL expression, written as is: a reference, a function call, a template string."""

    text: str


Value: TypeAlias = "str | Expr | bool | int | Sequence[Value] | Mapping[str, Value]"


@dataclass(frozen=True)
class Blank:
    """An empty line between groups of attributes."""


@dataclass(frozen=True)
class Comment:
    """A `#` comment line, e.g. a checkov skip with its reason."""

    text: str


@dataclass
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: list[tuple[str, Value] | Block | Blank | Comment] = field(default_factory=list)

    def comment(self, text: str) -> Block:
        self.body.append(Comment(text))
        return self

    def set(self, name: str, value: Value) -> Block:
        self.body.append((name, value))
        return self

    def blank(self) -> Block:
        self.body.append(Blank())
        return self

    def add(self, block: Block) -> Block:
        self.body.append(block)
        return self


def string(text: str) -> str:
    """A quoted HCL string; `${` and `%{` are escaped so nothing is interpolated."""
    quoted = json.dumps(text, ensure_ascii=False)
    return quoted.replace("${", "$${").replace("%{", "%%{")


def _key(name: str) -> str:
    return name if _IDENT.match(name) else string(name)


def value(item: Value, depth: int) -> str:
    if isinstance(item, Expr):
        return item.text
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Sequence):
        return _list(item, depth)
    return _object(item, depth)


def _list(items: Sequence[Value], depth: int) -> str:
    parts = [value(v, depth + 1) for v in items]
    one_line = "[" + ", ".join(parts) + "]"
    if "\n" not in one_line and len(one_line) + depth * 2 < 80:
        return one_line
    inner = INDENT * (depth + 1)
    return "[\n" + "".join(f"{inner}{p},\n" for p in parts) + INDENT * depth + "]"


def _object(item: Mapping[str, Value], depth: int) -> str:
    if not item:
        return "{}"
    lines = _assignments(list(item.items()), depth + 1)
    return "{\n" + "".join(lines) + INDENT * depth + "}"


def _assignments(items: list[tuple[str, Value]], depth: int) -> list[str]:
    """Attribute lines with the `=` of each run of one-line attributes aligned."""
    rendered = [(_key(k), value(v, depth)) for k, v in items]
    out: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        out.extend(f"{INDENT * depth}{k.ljust(width)} = {v}\n" for k, v in run)
        run.clear()

    for key, text in rendered:
        if "\n" in text:
            # A multi-line value stands alone: it ends the run above and starts no new one.
            flush()
            out.append(f"{INDENT * depth}{key} = {text}\n")
            continue
        run.append((key, text))
    flush()
    return out


def block(item: Block, depth: int = 0) -> str:
    head = " ".join([item.type, *(string(label) for label in item.labels)])
    if not item.body:
        return f"{INDENT * depth}{head} {{}}\n"
    lines: list[str] = []
    pending: list[tuple[str, Value]] = []
    for entry in item.body:
        if isinstance(entry, tuple):
            pending.append(entry)
            continue
        lines.extend(_assignments(pending, depth + 1))
        pending = []
        if isinstance(entry, Blank):
            lines.append("\n")
        elif isinstance(entry, Comment):
            lines.append(f"{INDENT * (depth + 1)}# {entry.text}\n")
        else:
            if lines and lines[-1] != "\n":
                lines.append("\n")
            lines.append(block(entry, depth + 1))
    lines.extend(_assignments(pending, depth + 1))
    return f"{INDENT * depth}{head} {{\n" + "".join(lines) + f"{INDENT * depth}}}\n"


def document(blocks: list[Block], head: str = "") -> str:
    """Top-level blocks separated by one blank line."""
    return head + "\n".join(block(b) for b in blocks)
