"""The only reader of services.yaml.

It parses with ruamel.yaml (which keeps the line and column of every node), turns the tree into
plain data while remembering where each key and value came from, validates it against the model
and, when anything is wrong, raises one InputError that carries every problem with
file:line:col, the key path, what is wrong and how to fix it. A valid file is first read the
fast way (libyaml, no positions); the careful reader runs whenever that finds anything amiss.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import sys
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ruamel.yaml.main
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from pipelinegen.core import cache as caching
from pipelinegen.core import model as m
from pipelinegen.core import references, strictmodel, yamllimits, yamlsplit
from pipelinegen.core.errors import InputError, Problem

MAX_BYTES = 1024 * 1024  # a services.yaml of a thousand services is 300-700 KB
MAX_NODES = 200_000  # stops alias/anchor expansion bombs long before memory suffers
RULE = "input"
CONTROL_HINT = "remove it: keep the text on one line, with printable characters only"

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each key path's key and value start (1-based line and column)."""

    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """The closest known position: the node itself, else its nearest ancestor."""
        while True:
            found = (self.keys if key else self.values).get(loc) or self.keys.get(loc)
            if found or not loc:
                return found or (1, 1)
            loc = loc[:-1]


def load(path: Path, display: str | None = None, cache: caching.Cache | None = None) -> m.Model:
    """Read and validate a services.yaml; raise InputError listing every problem. With a
    cache, the data of a file read before is not parsed again (_quick)."""
    shown = display or str(path)
    return loads(read(path, shown), shown, cache)


def read(path: Path, shown: str) -> bytes:
    """The services file's bytes; InputError if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError([_problem(shown, 1, 1, f"cannot read the file: {exc.strerror}",
                                   "check the path given with --file")]) from None


def positions(raw: bytes, shown: str) -> Positions:
    """Where each key path of a YAML (or JSON) mapping is written, for messages that point into
    a file that was read without positions (the fast path). It parses the text again, so call it
    only once something needs a location; text it cannot read has no known positions."""
    try:
        return _parse(raw, shown)[1]
    except InputError:
        return Positions()


def loads(raw: bytes, shown: str, cache: caching.Cache | None = None) -> m.Model:
    """Validate services.yaml content; `shown` is the file name used in messages."""
    quick = _quick(raw, cache)
    if quick is not None:
        return quick
    data, positions = _parse(raw, shown)
    try:
        model = m.Model.model_validate(data)
    except ValidationError as exc:
        # Schema errors and cross-reference errors in one report, not one layer per run.
        schema = [(tuple(err["loc"]), _from_pydantic(err, positions, shown))
                  for err in exc.errors()]
        located = {loc for loc, _ in schema}
        raise InputError([problem for _, problem in schema] + [
            _problem(shown, *positions.of(loc), f"{_dotted(loc)}: {message}", hint)
            for loc, message, hint in references.raw_reference_problems(data)
            if loc not in located  # already wrong by the schema: say it once
        ]) from None
    problems = [
        _problem(shown, *positions.of(loc), f"{_dotted(loc)}: {message}", hint)
        for loc, message, hint in references.reference_problems(model)
    ]
    if problems:
        raise InputError(problems)
    return model


# --- the fast path for valid files --------------------------------------------------------

# libyaml's parser, from ruamel.yaml.clib; without it the fast path would be no faster.
_C_PARSER = getattr(ruamel.yaml.main, "CParser", None)
_PLAIN_SCALARS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float",
                                                                     "bool", "null"))
# An explicit tag (`!x`, `!!str`), a merge key or a directive: rare, and read the careful way.
_UNCOMMON = re.compile(rb"(?:^|[\s\[{,])!|<<|^%", re.MULTILINE)
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


# Control characters and line separators anywhere in the text (tab, LF and CR are YAML's own).
_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_RAW_CONTROL_UTF8 = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")


class _Unusual(Exception):
    """Something only the round-trip reader reports well: a problem, or uncommon YAML."""


def _quick(raw: bytes, cache: caching.Cache | None = None) -> m.Model | None:
    """The model of a valid file, read with libyaml (C); None on anything unusual or wrong.

    The round-trip reader, which knows every node's line and column, is pure Python and about
    ten times slower. It runs only when this returns None, so problems are still reported
    exactly where they are. Explicit tags, merge keys and directives are left to it too.

    With a cache, the plain data read from these exact bytes by this exact reader is taken from
    it instead of being parsed again; it is validated as freshly read data is, so the model is
    the same. Only the data of a valid file is stored. A file changed since is read by its
    service entries (_entries_data): only the entries whose text the cache does not hold.
    """
    key = None if cache is None else _cache_key(raw)
    cached = _cached_data(key, cache)
    if cached is not None:
        model = _valid(cached)
        if model is not None:
            return model
    known = _known_entries(cache) if key is not None else {}
    read: tuple[Any, Entries | None] | None = _entries_data(raw, known) if known else None
    writes = cache is not None and cache.writable and key is not None
    if read is None:
        read = _whole_data(raw, with_entries=writes)
    model = None if read is None else _valid(read[0])
    if model is not None and read is not None and cache is not None and writes:
        assert key is not None
        data, entries = read
        cache.write(_CACHE_KIND, key, json.dumps(data).encode())
        if entries is not None and entries != known:
            cache.write(_ENTRIES_KIND, _entries_key(), json.dumps(entries).encode())
    return model


# Each entry of `services` by the SHA-256 of its lines: [key, plain value, nodes, bytes] (the
# nodes and bytes the reader counted for it, so that the limits hold for the whole file).
Entries = dict[str, list[Any]]
# An anchor or an alias could tie an entry to text outside its lines: such files are read whole.
_ANCHOR = re.compile(rb"(?:^|[\s\[{,:])[&*]", re.MULTILINE)


def _text(raw: bytes) -> str | None:
    """The text the fast reader reads; None when only the careful reader may read it."""
    if _C_PARSER is None or len(raw) > MAX_BYTES or _uncommon(raw):
        return None
    if _has_control(raw):
        return None
    try:
        return raw.decode("utf-8")
    except ValueError:
        return None


# The searches below scan the whole file; a byte they need absent, they cannot match (the
# tests of `in` and `translate` run at memory speed, the patterns forty times slower).
_PRINTABLE_ASCII = b"\t\n\r" + bytes(range(0x20, 0x7F))


def _uncommon(raw: bytes) -> bool:
    return (b"!" in raw or b"<<" in raw or b"%" in raw) and _UNCOMMON.search(raw) is not None


def _has_control(raw: bytes) -> bool:
    if raw.isascii():  # the UTF-8 sequences of C1 and U+2028/9 have bytes above 0x7f
        return bool(raw.translate(None, _PRINTABLE_ASCII))
    return _RAW_CONTROL_UTF8.search(raw) is not None


def _anchored(raw: bytes) -> bool:
    return (b"&" in raw or b"*" in raw) and _ANCHOR.search(raw) is not None


def _whole_data(raw: bytes, *, with_entries: bool = True) -> tuple[Any, Entries | None] | None:
    """The plain data of the whole file and, `with_entries`, its entries for the cache (None:
    not asked for, or the file's text is not cut into entries); None on anything unusual."""
    text = _text(raw)
    if text is None:
        return None
    try:
        node, reader = _compose(text)
        if not isinstance(node, MappingNode):
            return None
        reader.watch = _services_node(node)
        data = reader.plain(node)
    except (ValueError, YAMLError, _Unusual, RecursionError):
        return None
    parts = None if not with_entries or _anchored(raw) else yamlsplit.split(text)
    services = data.get(yamlsplit.SERVICES)
    if (parts is None or not isinstance(services, dict)
            or [key for key, _ in parts.entries] != list(services)
            or len(reader.counts) != len(services)):
        return data, None
    # Each entry's lines hold exactly its key and value: its data can stand in for them.
    return data, {_sha256(body): [key, services[key], *counts]
                  for (key, body), counts in zip(parts.entries, reader.counts, strict=True)}


def _entries_data(raw: bytes, known: Entries) -> tuple[Any, Entries] | None:
    """The plain data of the file, parsing only the entries `known` does not hold; None on
    any doubt (then the whole file is read).

    Why the pieces read as the whole would: the lines before `services:` parse on their own,
    so none of them is left open (a quoted string, a flow collection) into the entries; each
    entry parses on its own under `services:` (or was read so before), so none is left open
    into the next; the next line then starts a key, where a reader of the whole file is too.
    Without anchors, no entry's value depends on text outside its lines."""
    text = _text(raw)
    parts = None if text is None or _anchored(raw) else yamlsplit.split(text)
    if parts is None:
        return None
    try:
        _compose(parts.head)
        node, skeleton = _compose(parts.skeleton)
        data = skeleton.plain(node) if isinstance(node, MappingNode) else None
        if not isinstance(data, dict) or data.get(yamlsplit.SERVICES, 0) is not None:
            return None
        nodes, size = MAX_NODES - skeleton.budget, yamllimits.MAX_EXPANDED - skeleton.bytes
        services: dict[str, Any] = {}
        entries: Entries = {}
        for key, body in parts.entries:
            digest = _sha256(body)
            entry = known.get(digest)
            if entry is None or entry[0] != key:
                entry = _entry_alone(key, body)
            if entry is None or key in services:
                return None
            services[key] = entry[1]
            nodes, size = nodes + entry[2], size + entry[3]
            entries[digest] = entry
    except (ValueError, YAMLError, _Unusual, RecursionError, IndexError, TypeError):
        return None
    if nodes > MAX_NODES or size > yamllimits.MAX_EXPANDED:
        return None  # the whole file's reader decides
    data[yamlsplit.SERVICES] = services
    return data, entries


def _entry_alone(key: str, body: str) -> list[Any] | None:
    node, reader = _compose(yamlsplit.alone(body))
    if not isinstance(node, MappingNode):
        return None
    reader.watch = _services_node(node)
    data = reader.plain(node)
    services = data.get(yamlsplit.SERVICES)
    if list(data) != [yamlsplit.SERVICES] or not isinstance(services, dict) \
            or list(services) != [key] or len(reader.counts) != 1:
        return None
    return [key, services[key], *reader.counts[0]]


def _compose(text: str) -> tuple[Any, _NodeReader]:
    """The text's root node (libyaml), and a reader of its nodes."""
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _Yaml12Resolver
    node = yaml.compose(text)
    return node, _NodeReader(yaml.constructor)


def _services_node(root: MappingNode) -> Any:
    """The node of the top-level `services` value (None without one)."""
    return next((value for key, value in root.value if isinstance(key, ScalarNode)
                 and key.tag == _STR and key.value == yamlsplit.SERVICES), None)


_ENTRIES_KIND = "model-entries"


def _entries_key() -> bytes:
    """One record of entries per reader: the newest file's (see _cache_key)."""
    return _versions().encode() + b"\0entries"


def _known_entries(cache: caching.Cache | None) -> Entries:
    if cache is None:
        return {}
    try:
        stored = cache.read(_ENTRIES_KIND, _entries_key())
        found = {} if stored is None else json.loads(stored)
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or not all(
            isinstance(entry, list) and len(entry) == 4 and isinstance(entry[0], str)
            and isinstance(entry[2], int) and isinstance(entry[3], int)
            for entry in found.values()):
        return {}
    return found


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _valid(data: Any) -> m.Model | None:
    try:
        model = m.Model.model_validate(data)
    except ValueError:  # ValidationError is a ValueError
        return None
    return None if references.reference_problems(model) else model


_CACHE_KIND = "model-data"


def _cache_key(raw: bytes) -> bytes | None:
    """Everything the plain data depends on: the bytes, and the code and versions reading them
    (pipelinegen's own files, so an edited reader never meets data its old self stored)."""
    try:
        versions = _versions()
    except OSError:
        return None
    return versions.encode() + b"\0" + raw


def _versions() -> str:
    return f"{caching.code_digest()} {ruamel.yaml.__version__} {sys.version}"


def _cached_data(key: bytes | None, cache: caching.Cache | None) -> Any:
    """The plain data stored for this key; None without one (or with a damaged one)."""
    if cache is None or key is None:
        return None
    try:
        stored = cache.read(_CACHE_KIND, key)
        return None if stored is None else json.loads(stored)
    except (OSError, ValueError):
        return None


class _Yaml12Resolver(VersionedResolver):
    """YAML 1.2, as the round-trip reader, without looking the version up for every node."""

    processing_version = (1, 2)


class _NodeReader:
    """Plain data from composed nodes; bounded against alias bombs like _Walker."""

    def __init__(self, constructor: Any) -> None:
        self.constructor = constructor
        self.budget = MAX_NODES
        self.bytes = yamllimits.MAX_EXPANDED  # as the careful reader counts them
        self.watch: Any = None  # a mapping node whose entries' costs are recorded
        self.counts: list[tuple[int, int]] = []  # (nodes, bytes) of each entry of `watch`

    def plain(self, node: Any) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Unusual
        tag = node.tag
        self.bytes -= len(node.value) + 1 if isinstance(node, ScalarNode) else 1
        if self.bytes < 0:
            raise _Unusual
        if tag == _STR and isinstance(node, ScalarNode):
            return node.value
        if isinstance(node, MappingNode) and tag == _MAP:
            result: dict[str, Any] = {}
            watched = node is self.watch
            for key_node, value_node in node.value:
                before = self.budget, self.bytes
                key = self.plain(key_node)
                if not isinstance(key, str) or key in result:
                    raise _Unusual
                result[key] = self.plain(value_node)
                if watched:
                    self.counts.append((before[0] - self.budget, before[1] - self.bytes))
            return result
        if isinstance(node, SequenceNode) and tag == _SEQ:
            return [self.plain(item) for item in node.value]
        if isinstance(node, ScalarNode) and tag in _PLAIN_SCALARS:
            return self.constructor.construct_object(node)
        raise _Unusual  # timestamps, binary, sets, custom tags: the round-trip reader explains


# --- parsing -------------------------------------------------------------------------------


def _parse(raw: bytes, shown: str) -> tuple[Any, Positions]:
    if len(raw) > MAX_BYTES:
        raise InputError([_problem(shown, 1, 1, f"the file is {len(raw)} bytes, over the"
                                   f" {MAX_BYTES}-byte limit", "split it or remove data")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError([_problem(shown, line, 1, "the file is not valid UTF-8",
                                   "save it as UTF-8")]) from None
    raw_control = _RAW_CONTROL.search(text)
    if raw_control is not None:  # the YAML reader would read some as line breaks: check first
        at = raw_control.start()
        line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        named = strictmodel.control_character(raw_control.group())
        raise InputError([_problem(shown, line, col, f"the file contains {named},"
                                   f" {strictmodel.CONTROL_MEANING}", CONTROL_HINT)])
    try:
        yamllimits.check(text)
    except yamllimits.LimitExceeded as exc:
        raise InputError([_problem(shown, exc.line, exc.col, exc.message, exc.hint)]) from None
    yaml = YAML(typ="rt", pure=True)  # round-trip nodes carry line/column; constructs no objects
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        hint = ("remove or rename the repeated key" if "duplicate" in what
                else "fix the YAML syntax here (indentation, quoting, a missing ':')")
        raise InputError([_problem(shown, line, col, f"invalid YAML: {what}", hint)]) from None
    except YAMLError as exc:
        raise InputError([_problem(shown, 1, 1, f"invalid YAML: {exc}",
                                   "fix the YAML syntax")]) from None
    if not isinstance(tree, CommentedMap):
        kind = "empty" if tree is None else _kind(tree)
        raise InputError([_problem(shown, 1, 1, f"the top level is {kind}, not a mapping",
                                   "start with 'version: 1', then 'project:' and 'services:'")])
    walker = _Walker(shown)
    data = walker.plain(tree, ())
    if walker.problems:
        raise InputError(walker.problems)
    return data, walker.positions


class _Walker:
    """Turns ruamel nodes into plain data, recording positions; bounded against alias bombs."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.positions = Positions()
        self.problems: list[Problem] = []
        self.budget = MAX_NODES

    def fail(self, loc: Loc, message: str, hint: str) -> None:
        self.problems.append(_problem(self.shown, *self.positions.of(loc), message, hint))

    def plain(self, node: Any, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget == -1:
            self.fail(loc, f"the document expands to more than {MAX_NODES} nodes (anchors and"
                      " aliases)", "write the values out instead of nesting aliases")
        if isinstance(node, TaggedScalar) or getattr(getattr(node, "tag", None), "value", None):
            self.fail(loc, f"{_dotted(loc) or 'value'}: custom YAML tags are not allowed",
                      "remove the '!tag'")
            node = None
        if self.budget < 0 or node is None:
            return None
        if isinstance(node, CommentedMap):
            return self.mapping(node, loc)
        if isinstance(node, CommentedSeq):
            return self.sequence(node, loc)
        if isinstance(node, str):
            self.control_characters(loc, node)
        if isinstance(node, bool | str):
            return str(node) if isinstance(node, str) else node  # drop ruamel's str subclasses
        if isinstance(node, int | float):
            return int(node) if isinstance(node, int) else float(node)
        self.fail(loc, f"{_dotted(loc)}: {_kind(node)} values are not supported",
                  "write a string, number, list or mapping (quote dates)")
        return None

    def control_characters(self, loc: Loc, text: str, *, is_key: bool = False) -> None:
        named = strictmodel.control_character(text)
        if named is not None:
            what = "the key" if is_key else _dotted(loc) or "value"
            self.problems.append(_problem(self.shown, *self.positions.of(loc, key=is_key),
                                          f"{what}: contains {named},"
                                          f" {strictmodel.CONTROL_MEANING}",
                                          CONTROL_HINT))

    def mapping(self, node: CommentedMap, loc: Loc) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in node.items():
            if not isinstance(key, str):
                self.fail(loc, f"{_dotted(loc) or 'top'}: key {key!r} is not a string",
                          "quote the key")
                continue
            child = (*loc, key)
            # A key merged in by `<<` has no place of its own: point at this mapping.
            kline, kcol, vline, vcol = node.lc.data.get(key) or (
                node.lc.line, node.lc.col, node.lc.line, node.lc.col)
            self.positions.keys[child] = (kline + 1, kcol + 1)
            block = isinstance(value, CommentedMap | CommentedSeq) and vline != kline
            # A block collection starts on the next line; its key is the clearer place to point.
            self.positions.values[child] = (kline + 1, kcol + 1) if block else (vline + 1, vcol + 1)
            self.control_characters(child, key, is_key=True)
            result[key] = self.plain(value, child)
        return result

    def sequence(self, node: CommentedSeq, loc: Loc) -> list[Any]:
        items = []
        for index, value in enumerate(node):
            child = (*loc, index)
            line, col = node.lc.data[index]
            self.positions.values[child] = self.positions.keys[child] = (line + 1, col + 1)
            items.append(self.plain(value, child))
        return items


# --- pydantic errors -> problems -----------------------------------------------------------

_PATTERN_HINTS = {
    m.DNS_LABEL: "use lowercase letters, digits and '-', starting and ending with a letter or"
    " digit (a DNS-1123 label, at most 63 characters)",
    m.REL_PATH: "use a relative path inside the repository, like services/api: no leading '/',"
    " no segment starting with '.', no trailing '/'; only letters, digits, '.', '_', '-', '/'",
    m.SIZE: 'write a size such as "300MB" or "250MiB"',
    m.CPU: 'write a Kubernetes CPU quantity such as "250m" or 1',
    m.MEMORY: 'write a Kubernetes memory quantity such as "256Mi" or "1Gi"',
    m.ENV_NAME: "use letters, digits and '_', not starting with a digit",
    m.HOSTNAME: "write a lowercase host name such as api.example.com",
    m.HTTP_PATH: "write a path starting with '/' using letters, digits and . _ ~ / -",
    m.GITHUB_REPO: "write the GitHub repository as owner/name",
    m.GITHUB_OWNER: "write a GitHub user or team as @user or @org/team, or an e-mail address",
    m.BRANCH: "use letters, digits and . _ / - only",
    m.BYPASS_ACTOR: 'write "role:admin", "role:maintain", "role:write", "org-admin",'
    ' "deploy-keys", or "team:<id>", "app:<id>", "user:<id>" with a numeric id',
    m.REGISTRY: "write a registry such as ghcr.io/acme (lowercase, no scheme)",
    m.IMAGE_REF: "write an image as name:tag@sha256:<64 hex digits> (lowercase name)",
    m.VERSION: 'write a version such as "3.12"',
    m.ARG: "remove newlines and control characters; each argument is one list item",
    m.RUNTIME_PATH: "write a path inside the service's directory, like templates/ or"
    " data/prices.json: no leading '/', no segment starting with '.'; a trailing '/' for a"
    " directory",
    m.ABS_DIR: "write an absolute directory such as /app, with no segment starting with '.'",
    m.PACKAGE: "write a Debian package name such as ca-certificates, or name=version such as"
    " tzdata=2024a-0+deb12u1",
}

_TYPE_HINTS = {
    "int_type": "write a whole number without quotes",
    "int_parsing": "write a whole number without quotes",
    "bool_type": "write true or false without quotes",
    "string_type": "write text; quote it if YAML reads it as a number or boolean",
    "dict_type": "write a mapping (key: value lines, indented)",
    "list_type": "write a list ([a, b] or '- item' lines)",
    "model_type": "write a mapping (key: value lines, indented)",
    "literal_error": "use one of the values listed",
    "none_required": "remove the value",
    "less_than_equal": "use a smaller number",
    "greater_than_equal": "use a larger number",
    "too_short": "add at least one entry",
}


def _from_pydantic(err: Any, pos: Positions, shown: str) -> Problem:
    loc: Loc = tuple(err["loc"])
    kind: str = err["type"]
    if loc and loc[-1] == "[key]":  # a dict key failed validation: point at the key
        loc = loc[:-1]
        line, col = pos.of(loc, key=True)
        return _problem(shown, line, col, f"{_dotted(loc)}: {loc[-1]!r} is not a valid name",
                        _hint_for(err))
    if kind == "extra_forbidden":
        line, col = pos.of(loc, key=True)
        allowed = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = (f"did you mean '{close[0]}'?" if close
                else f"remove it; allowed here: {', '.join(allowed)}")
        return _problem(shown, line, col, f"{_dotted(loc)}: unknown key", hint)
    if kind == "missing":
        line, col = pos.of(loc[:-1], key=True)
        described = _description(loc)
        return _problem(shown, line, col, f"{_dotted(loc)}: required key is missing",
                        f"add '{loc[-1]}:'" + (f" ({described})" if described else ""))
    line, col = pos.of(loc)
    message = err["msg"].removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = f"{err['input']!r} is not allowed here"
    if kind in ("int_type", "bool_type", "string_type", "dict_type", "list_type", "model_type"):
        message += f", got {_kind(err.get('input'))}"
    return _problem(shown, line, col, f"{_dotted(loc) or 'top'}: {message}", _hint_for(err))


def _hint_for(err: Any) -> str:
    kind = err["type"]
    if kind == "string_pattern_mismatch":
        return _PATTERN_HINTS.get(err["ctx"]["pattern"], "see the schema for the allowed form")
    if kind == "value_error" and strictmodel.CONTROL_MEANING in err["msg"]:
        return CONTROL_HINT
    if kind == "value_error" and "${{" in err["msg"]:
        return "remove the ${{ }}: values are passed to workflows through env, never evaluated"
    if kind == "string_too_long":
        return "shorten it"
    return _TYPE_HINTS.get(kind, "see specs/services.schema.json for what is allowed here")


def _problem(shown: str, line: int, col: int, message: str, hint: str) -> Problem:
    return Problem(shown, line, col, RULE, message, hint)


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _kind(value: Any) -> str:
    for types_, name in ((bool, "a boolean"), (int | float, "a number"), (str, "a string"),
                         (dict, "a mapping"), (list, "a list"), (type(None), "nothing")):
        if isinstance(value, types_):
            return name
    return type(value).__name__.lower()


# --- walking the model to explain a location -----------------------------------------------


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional so only the meaningful type remains."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _type_at(loc: Loc) -> Any:
    current: Any = m.Model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None
            current = info.annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return None
    return _unwrap(current)


def _allowed_keys(loc: Loc) -> list[str]:
    target = _type_at(loc)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _description(loc: Loc) -> str:
    parent = _type_at(loc[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = parent.model_fields.get(str(loc[-1]))
        if info is not None and info.description:
            return info.description.rstrip(".")
    return ""
