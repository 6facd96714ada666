"""Reading a changed services file by its entries (load._entries_data, yamlsplit.py) gives
exactly what reading the whole file gives, or gives up.

The property: take a file the cache has read (its entries recorded), change its text at random
(a field, comments, blank lines, and the shapes that could make a cut at an entry's first line
wrong: a quote or a flow collection left open across entries, block scalars, anchors, keys
repeated, indentation off), and the entries' reading is either None (the whole file is read
instead) or equal to the whole reading. Where the whole reader refuses a text, so must it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import synthetic
from pipelinegen.core import cache, load, yamlio, yamlsplit

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = (PROJECT / "services.yaml").read_bytes()
BASES = load.loads(EXAMPLE, "services.yaml").bases
SYNTHETIC = yamlio.dump(synthetic.synthetic_model(6, BASES)).encode()
PORT = re.search(rb"\n    port: [0-9]+\n", SYNTHETIC)
assert PORT is not None

# Lines inserted at random places: each is harmless, or leaves something open, or changes
# the structure around an entry's first line.
SNIPPETS = [
    "# a comment\n", "\n", "  # an indented comment\n", "    # deeper\n",
    '    note: "a quote left open\n', "    note: 'another\n", "    list: [open\n",
    "    map: {open: 1\n", '"\n', "'\n", "]\n", "}\n", "    text: |+\n      kept\n\n",
    "    folded: >\n      a\n      b\n", "  svc-0001:\n", "  svc-0002: {}\n",
    " odd: 1\n", "   odd: 2\n", "extra: 1\n", "services:\n", "    anchor: &a x\n",
    "    alias: *a\n", "    tags: !!str x\n", "---\n", "...\n", "\t\n", "  svc-new:\n    port: 1\n",
    "    port: 8081\n", '  "quoted-key":\n', "  null:\n", "  123:\n", "    plain: a\n  b\n",
]


def known(raw: bytes) -> load.Entries:
    """The entries the cache records after reading `raw` (through JSON, as stored)."""
    whole = load._whole_data(raw)
    assert whole is not None and whole[1] is not None
    return json.loads(json.dumps(whole[1]))


def whole(raw: bytes) -> Any:
    read = load._whole_data(raw)
    return None if read is None else read[0]


def agree(raw: bytes, entries: load.Entries) -> None:
    by_entries = load._entries_data(raw, entries)
    expected = whole(raw)
    if by_entries is not None:
        assert expected is not None, "the entries were read where the whole file is refused"
        assert json.dumps(by_entries[0]) == json.dumps(expected)
        assert by_entries[0] == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([EXAMPLE, SYNTHETIC]), data=st.data())
def test_reading_by_entries_equals_reading_the_whole_file(base: bytes, data: st.DataObject
                                                          ) -> None:
    entries = known(base)
    lines = base.decode().splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        at = data.draw(st.integers(0, len(lines)), label="line")
        if data.draw(st.booleans(), label="insert"):
            lines.insert(at, data.draw(st.sampled_from(SNIPPETS), label="snippet"))
        elif at < len(lines):
            line = lines[at]
            cut = data.draw(st.integers(0, len(line)), label="column")
            char = data.draw(st.sampled_from(['"', "'", "[", "{", "#", " ", ":", "x", "&a ",
                                              "*a", "-", "\n"]), label="char")
            lines[at] = line[:cut] + char + line[cut:]
    agree("".join(lines).encode(), entries)


def test_a_changed_entry_alone_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = known(SYNTHETIC)
    changed = SYNTHETIC.replace(PORT.group(), b"\n    port: 1234\n", 1)
    assert changed != SYNTHETIC
    parsed: list[str] = []
    real = load._entry_alone

    def counted(key: str, body: str) -> list[Any] | None:
        parsed.append(key)
        return real(key, body)

    monkeypatch.setattr(load, "_entry_alone", counted)
    read = load._entries_data(changed, entries)
    assert read is not None and read[0] == whole(changed)
    assert len(parsed) == 1 and f"  {parsed[0]}:".encode() in SYNTHETIC


@pytest.mark.parametrize("text", [
    # A quoted string that runs across the cut: the entries between are part of it.
    'version: 1\nproject: "abc\nservices:\n  svc-a: {}\nx"\nservices:\n',
    'version: 1\nservices:\n  svc-a:\n    note: "open\n  svc-b: {}\n    x"\n',
    "version: 1\nservices:\n  svc-a: [1,\n  svc-b, 2]\n",
    # An anchor outside the entries, an alias inside.
    "version: 1\nproject: &p {a: 1}\nservices:\n  svc-a: *p\n",
    # A key repeated across entries, and `services` twice.
    "version: 1\nservices:\n  svc-a: {}\n  svc-a: {}\n",
    "version: 1\nservices:\n  svc-a: {}\nservices:\n  svc-b: {}\n",
])
def test_a_cut_that_is_not_the_structure_is_never_trusted(text: str) -> None:
    entries = {load._sha256(body): [key, {}, 2, 2]
               for key, body in (("svc-a", "  svc-a: {}\n"), ("svc-b", "  svc-b: {}\n"))}
    agree(text.encode(), entries)
    assert load._entries_data(text.encode(), entries) is None or whole(text.encode()) is not None


def test_the_limits_hold_for_the_whole_file() -> None:
    """Entries each within the node limit, together over it: the whole reader decides."""
    per_entry = load.MAX_NODES // 3
    body = "[" + ", ".join(["x"] * per_entry) + "]"
    text = "version: 1\nservices:\n" + "".join(f"  svc-{i}: {body}\n" for i in range(4))
    raw = text.encode()
    assert whole(raw) is None  # over the limit
    entries = {}
    for i in range(4):
        entry = load._entry_alone(f"svc-{i}", f"  svc-{i}: {body}\n")
        assert entry is not None
        entries[load._sha256(f"  svc-{i}: {body}\n")] = entry
    assert load._entries_data(raw, entries) is None


def test_the_cut_follows_the_entries() -> None:
    text = EXAMPLE.decode()
    parts = yamlsplit.split(text)
    assert parts is not None
    names = list(load.loads(EXAMPLE, "services.yaml").services)
    assert [key for key, _ in parts.entries] == names
    bodies = "".join(body for _, body in parts.entries)
    assert bodies in text
    assert len(parts.skeleton) + len(bodies) == len(text)


def test_a_cached_load_of_a_changed_file_equals_a_fresh_one(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path / cache.DIRECTORY, writable=True)
    load.loads(SYNTHETIC, "services.yaml", store)
    store.commit()
    assert len(list(store.directory.glob(f"{load._ENTRIES_KIND}-*"))) == 1
    changed = SYNTHETIC.replace(PORT.group(), b"\n    port: 1235\n", 1)
    cached = load.loads(changed, "services.yaml", store)
    fresh = load.loads(changed, "services.yaml")
    assert cached.model_dump_json() == fresh.model_dump_json()
    assert repr(cached) == repr(fresh)
