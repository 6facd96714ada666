"""Limits on what a services file may ask the YAML reader to build, checked on its event stream.

The parser's events arrive one at a time (no recursion, nothing constructed), so the checks here
run before anything could nest too deep or grow too large: nesting depth, with aliases counted at
the depth they are used; numbers of more digits than any field takes; aliases that refer to the
collection they are in; merge keys (`<<`) whose value is not a mapping or a list of distinct
mapping aliases; and the size of the document with every alias written out, so a small file
cannot expand into a large model (and the large output generated from it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
)

MAX_DEPTH = 64  # the model nests 8 deep
MAX_NUMBER = 64  # characters of a number; the largest any field takes has 10 digits
MAX_EXPANDED = 1024 * 1024  # bytes with every alias written out: the file size limit again

_NUMBER = re.compile(r"[-+]?(?:0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?:\.[0-9_]*)?"
                     r"(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?)")


class LimitExceeded(Exception):
    """One limit broken at a place: (line, col) 1-based, what is wrong and how to fix it."""

    def __init__(self, line: int, col: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.hint = line, col, message, hint


@dataclass
class _Anchor:
    size: int
    height: int
    mapping: bool


@dataclass
class _Frame:
    anchor: str | None
    mapping: bool
    start: int  # `expanded` when the collection began
    height: int = 0  # deepest nesting below it
    items: int = 0  # events seen directly inside (keys and values alternate in a mapping)
    merge_next: bool = False  # the next value is that of a merge key
    merge_list: bool = False  # this sequence is the value of a merge key
    merged: set[str] = field(default_factory=set)  # aliases in this merge list
    merges: int = 0  # merge keys in this mapping


class _Scan:
    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.anchors: dict[str, _Anchor] = {}
        self.expanded = 0

    def event(self, event: Any) -> None:
        if isinstance(event, ScalarEvent):
            self.scalar(event)
        elif isinstance(event, AliasEvent):
            self.alias(event)
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            self.start(event)
        elif isinstance(event, CollectionEndEvent):
            self.end()

    def _value_of_merge(self, event: Any) -> None:
        """Checks the event that is the value of a `<<` key, or an item of its list."""
        top = self.stack[-1] if self.stack else None
        if top is None:
            return
        if top.merge_list:
            if not isinstance(event, AliasEvent):
                _fail(event, "a merge key's list (<<: [...]) may hold only aliases of mappings",
                      "write <<: [*first, *second], each alias naming an anchored mapping")
            if event.anchor in top.merged:
                _fail(event, f"the merge list names *{event.anchor} twice", "name it once")
            top.merged.add(event.anchor)
        elif top.mapping and top.merge_next:
            top.merge_next = False
            anchor = self.anchors.get(event.anchor) if isinstance(event, AliasEvent) else None
            if isinstance(event, ScalarEvent) or (anchor is not None and not anchor.mapping):
                _fail(event, "a merge key (<<) takes a mapping, not a single value or a list",
                      "write <<: *anchor (an anchored mapping) or a list of such aliases")

    def _count(self, event: Any, size: int) -> None:
        if self.stack:
            self.stack[-1].items += 1
        self.expanded += size
        if self.expanded > MAX_EXPANDED:
            _fail(event, f"with its aliases written out the document is over {MAX_EXPANDED}"
                  " bytes", "write the values out instead of repeating large anchors")

    def scalar(self, event: Any) -> None:
        self._value_of_merge(event)
        value: str = event.value
        top = self.stack[-1] if self.stack else None
        plain = not event.style and event.tag is None  # libyaml gives "" where Python gives None
        if plain and len(value) > MAX_NUMBER and _NUMBER.fullmatch(value):
            _fail(event, f"a number of {len(value)} characters; at most {MAX_NUMBER} are read",
                  "write a smaller number, or quote it if it is text")
        if top is not None and top.mapping and top.items % 2 == 0 and plain and value == "<<":
            top.merges += 1
            if top.merges > 1:
                _fail(event, "a mapping may have only one merge key (<<)",
                      "merge several mappings with one list: <<: [*first, *second]")
            top.merge_next = True
        self._count(event, len(value) + 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(len(value) + 1, 0, mapping=False)

    def alias(self, event: Any) -> None:
        self._value_of_merge(event)
        name = event.anchor
        if any(frame.anchor == name for frame in self.stack):
            _fail(event, f"alias *{name} is inside the collection it names (a recursive"
                  " alias)", "an alias may only repeat a value defined before it")
        anchor = self.anchors.get(name)
        if anchor is None:
            _fail(event, f"alias *{name} has no anchor &{name} before it",
                  f"define &{name} first, or remove the alias")
        top = self.stack[-1] if self.stack else None
        if top is not None and top.merge_list and not anchor.mapping:
            _fail(event, f"*{name} in a merge list is not a mapping", "merge only mappings")
        if len(self.stack) + anchor.height > MAX_DEPTH:
            _fail(event, f"alias *{name} nests the document deeper than {MAX_DEPTH} levels",
                  "flatten the structure")
        if top is not None:
            top.height = max(top.height, anchor.height)
        self._count(event, anchor.size)

    def start(self, event: Any) -> None:
        top = self.stack[-1] if self.stack else None
        merge_list = (top is not None and top.mapping and top.merge_next
                      and isinstance(event, SequenceStartEvent))
        if top is not None and top.merge_next:
            top.merge_next = False
        else:
            self._value_of_merge(event)
        self._count(event, 1)
        if len(self.stack) >= MAX_DEPTH:
            _fail(event, f"the document nests deeper than {MAX_DEPTH} levels",
                  "flatten the structure")
        self.stack.append(_Frame(event.anchor, isinstance(event, MappingStartEvent),
                                 self.expanded - 1, merge_list=merge_list))

    def end(self) -> None:
        frame = self.stack.pop()
        if self.stack:
            self.stack[-1].height = max(self.stack[-1].height, frame.height + 1)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchor(self.expanded - frame.start, frame.height + 1,
                                                 frame.mapping)


def _fail(event: Any, message: str, hint: str) -> NoReturn:
    mark = event.start_mark
    raise LimitExceeded(mark.line + 1, mark.column + 1, message, hint)


def check(text: str) -> None:
    """Raise LimitExceeded at the first limit the document breaks. Syntax errors are left to
    the reader, which reports them with their place."""
    scan = _Scan()
    try:
        for event in YAML(typ="safe", pure=_pure()).parse(text):
            scan.event(event)
    except YAMLError:
        return


def _pure() -> bool:
    """The C parser (libyaml) when installed: the same events and places, faster."""
    import ruamel.yaml.main

    return getattr(ruamel.yaml.main, "CParser", None) is None
