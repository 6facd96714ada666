"""The plan: every file a model produces, plus the manifest; and how it compares with the disk.

`generate` writes a plan, `check` compares it and `diff` shows it, all through `compare`, so the
three can never disagree about what is out of date.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelinegen import __version__
from pipelinegen.core import cache as caching
from pipelinegen.core import kept, layout
from pipelinegen.core.errors import PipelinegenError

if TYPE_CHECKING:
    from pipelinegen.core.inputs import Inputs
    from pipelinegen.generation import reuse

# The emitters (and the model they read) are imported only where a plan is rendered: a `check`
# of a tree known to be current (verified.py) reads and hashes files, and needs none of them.
MANIFEST = layout.MANIFEST


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest(data: bytes) -> str:
    """A generated file's digest in the manifest: its hand-written notes left out."""
    return sha256(kept.without_notes(data))


class Files(Mapping[str, bytes]):
    """Planned files by path, in the order given. Files taken from disk on the strength of
    their stamps (reuse.py) are `deferred`: read only when one of them is first asked for, all
    at once, and then they must still have the digests they were taken for. `generate` never
    asks: what it compares and writes is the rest."""

    def __init__(self, order: list[str], ready: dict[str, bytes],
                 deferred: Mapping[str, str] | None = None,
                 read: Callable[[list[str]], dict[str, bytes | None]] | None = None) -> None:
        self._order, self._ready, self._read = order, ready, read
        self._deferred = dict(deferred or {})  # path -> its digest in the manifest

    def __getitem__(self, path: str) -> bytes:
        data = self._ready.get(path)
        if data is None and path in self._deferred:
            self._load()
            data = self._ready[path]
        if data is None:
            raise KeyError(path)
        return data

    def __contains__(self, path: object) -> bool:
        return path in self._ready or path in self._deferred

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def _load(self) -> None:
        assert self._read is not None
        found = self._read(sorted(self._deferred))
        for path, expected in self._deferred.items():
            data = found.get(path)
            if data is None or sha256(data) != expected or kept.NOTES_BEGIN.encode() in data:
                raise PipelinegenError(f"{path} changed while pipelinegen read it",
                                       "run pipelinegen again")
            self._ready[path] = data
        self._deferred = {}


@dataclass(frozen=True)
class Plan:
    """Generated files by repository-relative POSIX path, sorted; the manifest included."""

    files: Mapping[str, bytes]
    # Sources (the services file, service and package paths): never deleted as orphans.
    protected: tuple[str, ...] = (".git",)
    # Files taken as they are on disk (reuse.py): their planned bytes are the disk's, so
    # `compare` need not read them again.
    reused: frozenset[str] = field(default=frozenset(), compare=False)
    # What reuse may record of the files it took, for the next run (reuse.remember_stamps).
    stamps: Mapping[str, Mapping[str, reuse.Stamp]] = field(default_factory=dict,
                                                           compare=False)

    @property
    def outputs(self) -> dict[str, bytes]:
        """The generated files without the manifest."""
        return {path: data for path, data in self.files.items() if path != MANIFEST}


def make(inputs: Inputs, previous: reuse.Previous | None = None,
         cache: caching.Cache | None = None) -> Plan:
    """The plan for the inputs: every generated file, then the manifest listing them. With
    `previous` (the last generate's record), unchanged per-service files are not rendered;
    with a cache, neither are the files that only pipelinegen's code decides."""
    rendered = render(inputs, previous, cache)
    outputs = _encoded(rendered.files)
    order = sorted([*outputs, *rendered.deferred])
    for path in order:
        check_relative(path)
        if not layout.is_output_location(path):
            raise AssertionError(f"an emitter writes {path}, outside pipelinegen's output"
                                 " locations: add it to pipelinegen/core/layout.py")
    known = {**rendered.digests, **rendered.deferred}
    outputs[MANIFEST] = manifest_bytes(outputs, inputs.source, rendered.keys, known)
    files = Files([*order, MANIFEST], outputs, rendered.deferred,
                  previous.read if previous is not None else None)
    return Plan(files, tuple(layout.sources(inputs.model, inputs.source)),
                frozenset([*rendered.reused, *rendered.deferred]), rendered.stamps)


def _encoded(files: dict[str, str | bytes]) -> dict[str, bytes]:
    """The files as bytes. A text many files share (a chart template) is one string, and is
    one bytes object too: a thousand charts hold their templates once, not a thousand times."""
    shared: dict[str, bytes] = {}
    encoded = {}
    for path, data in files.items():
        if isinstance(data, bytes):
            encoded[path] = data
            continue
        found = shared.get(data)
        if found is None:
            found = shared[data] = data.encode()
        encoded[path] = found
    return encoded


def render(inputs: Inputs, previous: reuse.Previous | None,
           cache: caching.Cache | None = None) -> reuse.Rendered:
    """Every generated file, by path; two emitters claiming one path is a bug."""
    from pipelinegen import emit
    from pipelinegen.generation import reuse

    per_service = {emitter.emit: emitter for emitter in reuse.PER_SERVICE}
    out = reuse.Rendered()
    for emitter in emit.EMITTERS:
        incremental = per_service.get(emitter)
        if emitter in emit.CONSTANT and cache is not None:
            produced: Mapping[str, str | bytes] = _constant(emitter, inputs, cache)
        elif incremental is None:
            produced = emitter(inputs)
        else:
            part = reuse.Rendered()
            reuse.render(inputs, incremental, previous, part)
            produced = part.files
            out.keys.update(part.keys)
            out.reused.update(part.reused)
            out.digests.update(part.digests)
            out.deferred.update(part.deferred)
            out.stamps.update(part.stamps)
        for path, data in produced.items():
            if path in out.files:
                raise AssertionError(f"two emitters produce {path}")
            out.files[path] = data
    return out


CONSTANT = "constant"  # the cache's kind of the files of emit.CONSTANT


def _constant(emitter: Callable[[Inputs], dict[str, str]], inputs: Inputs,
              cache: caching.Cache) -> dict[str, str]:
    """The emitter's files, from the cache when this code and environment rendered them."""
    key = "\n".join([caching.code_digest(), caching.environment(),
                     f"{emitter.__module__}.{emitter.__qualname__}"]).encode()
    try:
        stored = cache.read(CONSTANT, key)
        found = None if stored is None else json.loads(stored)
    except (OSError, ValueError):
        found = None
    if isinstance(found, dict) and all(isinstance(k, str) and isinstance(v, str)
                                       for k, v in found.items()):
        return found
    produced = emitter(inputs)
    cache.write(CONSTANT, key, json.dumps(produced, sort_keys=True).encode())
    return produced


def manifest_bytes(outputs: Mapping[str, bytes], source: str,
                   keys: Mapping[str, Mapping[str, str]] | None = None,
                   known: Mapping[str, str] | None = None) -> bytes:
    """The manifest of the files in `outputs` and in `known` (the digests of files taken as
    they are on disk, by path: some of them are not read)."""
    from pipelinegen.generation import reuse

    known = known or {}
    manifest: dict[str, Any] = {
        "tool": "pipelinegen",
        "version": __version__,
        "format": reuse.FORMAT,
        "source": source,
        "files": {path: known.get(path) or digest(outputs[path])
                  for path in sorted({*outputs, *known})},
        # Per emitter and service, the hash of the inputs its files were rendered from.
        "inputs": {name: dict(sorted(by_service.items()))
                   for name, by_service in sorted((keys or {}).items())},
    }
    return (json.dumps(manifest, indent=2) + "\n").encode()


# An empty, "." or ".." segment (a leading "/" makes an empty first one).
_UNSAFE_SEGMENT = re.compile(r"(?:^|/)\.{0,2}(?:/|$)")


def check_relative(path: str) -> None:
    """A generated path must be relative, normalised and free of '..'."""
    # An empty, "." or ".." segment needs one of these (asked for every file of every run).
    suspect = (not path or path[0] in "/." or path[-1] == "/" or "//" in path
               or "/." in path)
    if suspect and _UNSAFE_SEGMENT.search(path):
        raise PipelinegenError(f"refusing unsafe output path {path!r}")


def resolve_inside(root: Path, path: str) -> Path:
    """The file for a generated path; refuses one that resolves (e.g. by a symlink) outside root."""
    return _inside(root, path, os.path.realpath(root), {})


def resolve_all(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The files (as strings: thousands of them) for generated paths. Stricter than
    resolve_inside: no component of a generated path may be a symbolic link, wherever it leads
    (the writer never writes through one)."""
    real_root = os.path.realpath(root)
    base = os.path.join(os.fspath(root), "")
    checked: set[str] = set()  # directories already seen not to be links (thousands share a few)
    return {path: _no_links(base, path, real_root, checked) for path in paths}


def read_all(root: Path, paths: Iterable[str]) -> dict[str, bytes | None]:
    """The content of each generated path (None: no file), refusing symbolic links as
    resolve_all does. The first link (in the order given) is the error, else the first file
    that cannot be read. A file is opened without following a link: no lstat of its own."""
    real_root = os.path.realpath(root)
    base = os.path.join(os.fspath(root), "")
    checked: set[str] = set()
    found: dict[str, bytes | None] = {}
    unreadable: PipelinegenError | None = None
    for path in paths:
        target = _no_links(base, path, real_root, checked, final=False)
        try:
            try:
                found[path] = _read_no_link(target, path)
            except _IsLink:
                _no_links(base, path, real_root, checked)  # raises, naming the link
                found[path] = _read_no_link(target, path)  # it was replaced meanwhile
        except _IsLink:
            raise PipelinegenError(f"{path} changed while pipelinegen read it",
                                   "run pipelinegen again") from None
        except PipelinegenError as exc:
            unreadable = unreadable or exc
    if unreadable is not None:
        raise unreadable
    return found


def stat_all(root: Path, paths: Iterable[str]) -> dict[str, os.stat_result | None]:
    """The status of each generated path itself (lstat: a link is a link; None: no file, or
    one that cannot be looked at, which reading it will explain), refusing links among its
    directories as read_all does."""
    real_root = os.path.realpath(root)
    base = os.path.join(os.fspath(root), "")
    checked: set[str] = set()
    found: dict[str, os.stat_result | None] = {}
    for path in paths:
        try:
            found[path] = os.lstat(_no_links(base, path, real_root, checked, final=False))
        except OSError:
            found[path] = None
    return found


def _no_links(base: str, path: str, real_root: str, checked: set[str], *,
              final: bool = True) -> str:
    """`final`: the last component too (else only the directories leading to it)."""
    check_relative(path)
    if not final and path.rpartition("/")[0] in checked:
        return base + path  # its directory, and so every one above it, is known not a link
    parts = path.split("/")
    for depth in range(1, len(parts) + (1 if final else 0)):
        prefix = "/".join(parts[:depth])
        if prefix in checked:
            continue
        if os.path.islink(base + prefix):
            real = os.path.realpath(base + prefix)
            if os.path.commonpath([real_root, real]) != real_root:
                _outside(path, real)
            kind = "file" if depth == len(parts) else "directory"
            raise PipelinegenError(
                f"{path}: {prefix} is a symbolic link, and pipelinegen does not write through"
                " links", f"replace {prefix} with a real {kind}, or remove it")
        if depth < len(parts):
            checked.add(prefix)
    return base + path


def _inside(root: Path, path: str, real_root: str, checked: dict[Path, str]) -> Path:
    """`checked` maps each directory already found inside the root to its real path."""
    check_relative(path)
    target = root / path
    real_parent = checked.get(target.parent)
    if real_parent is None:
        real_parent = os.path.realpath(target.parent)
        if os.path.commonpath([real_root, real_parent]) != real_root:
            _outside(path, real_parent)
        checked[target.parent] = real_parent
    if target.is_symlink() and not os.path.realpath(target).startswith(real_root + os.sep):
        _outside(path, os.path.realpath(target))
    return target


def _outside(path: str, real: str) -> None:
    raise PipelinegenError(
        f"{path} resolves outside the repository ({real})",
        "remove the symbolic link that leads out of the repository",
    )


def read_manifest(root: Path) -> dict[str, str]:
    """path -> sha256 of what the previous `generate` wrote; empty when there is none."""
    data = manifest_data(root)
    if data is None:
        return {}
    return {str(path): str(digest) for path, digest in data["files"].items()}


def manifest_data(root: Path) -> dict[str, Any] | None:
    """The manifest as JSON (its files checked to be a mapping); None when there is none."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        raise _not_a_manifest() from None
    return _parsed_manifest(raw)


@functools.lru_cache(maxsize=1)
def _parsed_manifest(raw: bytes) -> dict[str, Any]:
    """The manifest's JSON; the last one is kept, as a run reads the same manifest twice (the
    reuse of charts, then compare). Callers copy what they keep and never change it."""
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or not isinstance(data["files"], dict):
            raise TypeError
        return data
    except (ValueError, KeyError, TypeError):
        raise _not_a_manifest() from None


def _not_a_manifest() -> PipelinegenError:
    return PipelinegenError(
        f"{MANIFEST} is not a pipelinegen manifest",
        "restore it from version control, or delete it and run `pipelinegen generate --force`",
    )


# The cache's record that this very code wrote a manifest: reuse trusts no other (a manifest
# from another checkout, or from code since edited, without a version change, renders in full).
RENDERED = "rendered"


def previous_render(root: Path, cache: caching.Cache | None) -> reuse.Previous | None:
    """The last generate's record, with a reader of its files (refusing symbolic links); None
    unless the cache says this code wrote the manifest."""
    try:
        raw = (root / MANIFEST).read_bytes()
    except OSError:
        return None  # none, or unreadable: compare reports it
    if cache is None or cache.read(RENDERED, _rendered_key(raw)) is None:
        return None

    def read(paths: list[str]) -> dict[str, bytes | None]:
        return read_all(root, paths)

    def stat(paths: list[str]) -> dict[str, os.stat_result | None]:
        return stat_all(root, paths)

    from pipelinegen.generation import reuse

    return reuse.previous_at(_parsed_manifest(raw), read, stat, reuse.recorded_stamps(cache))


def remember_render(cache: caching.Cache | None, plan: Plan) -> None:
    """Record that this code wrote the plan's manifest (stored on the cache's commit)."""
    if cache is None:
        return
    key = _rendered_key(plan.files[MANIFEST])
    if cache.read(RENDERED, key) is None:  # a no-op generate leaves the cache as it is
        cache.write(RENDERED, key, b"")


def _rendered_key(manifest: bytes) -> bytes:
    return caching.code_digest().encode() + b"\0" + manifest


@dataclass
class Comparison:
    """How the disk differs from a plan. Paths in each list are sorted."""

    plan: Plan
    current: Mapping[str, bytes | None]  # on disk, for every path involved (None: absent)
    create: list[str] = field(default_factory=list)  # planned, missing on disk
    update: list[str] = field(default_factory=list)  # planned, on disk with other content
    unchanged: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)  # in the old manifest, no longer planned
    # Changed on disk since pipelinegen wrote it.
    hand_edited: list[str] = field(default_factory=list)
    # At a generated path but never written by pipelinegen (not in its manifest): adopting it
    # (`generate --adopt PATH`) is the user's choice.
    not_generated: list[str] = field(default_factory=list)
    # Planned files whose disk copy has kept lines: the bytes to write, those lines included.
    kept: dict[str, bytes] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.create or self.update or self.delete)

    def wanted(self, path: str) -> bytes | None:
        """What the file should hold: the plan's content with the disk's kept lines."""
        return self.kept.get(path, self.plan.files.get(path))


def compare(plan: Plan, root: Path) -> Comparison:
    previous = read_manifest(root)
    paths = sorted(set(plan.files) | set(previous))
    # Reused files are on disk as planned: their disk bytes are the plan's (read only if asked).
    read = read_all(root, [p for p in paths if p not in plan.reused])
    current = ChainMap[str, "bytes | None"](read, plan.files)  # type: ignore[arg-type]
    result = Comparison(plan, current)
    for path in paths:
        if path in plan.reused:  # the plan holds the disk's own bytes: unchanged by definition
            result.unchanged.append(path)
            continue
        wanted = plan.files.get(path)
        on_disk = kept.managed(current[path], wanted)
        if on_disk is not current[path] and wanted is not None:
            result.kept[path] = kept.merged(wanted, current[path])
        if wanted is None:
            if on_disk is None:
                continue
            _deletable(plan, path)
            result.delete.append(path)
        elif on_disk is None:
            result.create.append(path)
            continue
        elif on_disk == wanted:
            result.unchanged.append(path)
            if on_disk is read.get(path):
                read[path] = wanted  # the same bytes: one copy in memory, the plan's, not two
            continue
        else:
            result.update.append(path)
        # The disk differs from the plan: it is ours to replace only if it is what we wrote.
        state = classify(path, previous, on_disk)
        if state == "hand-edited":
            result.hand_edited.append(path)
        elif state == "not-generated":
            result.not_generated.append(path)
    return result


def classify(path: str, previous: dict[str, str], on_disk: bytes) -> str | None:
    """Whose a file on disk is when it differs from the plan: None (pipelinegen's, as it wrote
    it), "hand-edited" (listed in the manifest, changed since) or "not-generated" (never written
    by pipelinegen: a file that was there before it, such as an existing CODEOWNERS)."""
    if path == MANIFEST:
        return None
    if path not in previous:
        return "not-generated"
    return None if previous[path] == digest(on_disk) else "hand-edited"


def _deletable(plan: Plan, path: str) -> None:
    """Refuses an orphan that this version of pipelinegen could not have generated."""
    reason = layout.why_not_deletable(path, plan.protected)
    if reason is not None:
        raise PipelinegenError(
            f"{MANIFEST} lists {path} as a file pipelinegen wrote, but {reason}: refusing to"
            " delete it", f"restore {MANIFEST} from version control, or remove the entry for"
            f" {path} from it")


class _IsLink(Exception):
    """The file to read is a symbolic link."""


_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FIRST_READ = 1 << 16  # bytes; a larger file is read on in larger chunks


def _read_no_link(target: str, path: str) -> bytes | None:
    """The file's bytes (None if there is none); _IsLink if it is a symbolic link. Plain
    descriptors: about twice as fast as open() over thousands of small files, and one read
    without asking the size first for the small ones, nearly all of them."""
    try:
        fd = os.open(target, _READ_FLAGS)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _IsLink from None
        raise _unreadable(path, exc) from None
    try:
        data = os.read(fd, _FIRST_READ)
        if len(data) < _FIRST_READ:  # a regular file's short read is its end
            return data
        chunks = [data]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)


def _unreadable(path: str, exc: OSError) -> PipelinegenError:
    if isinstance(exc, IsADirectoryError):
        return PipelinegenError(
            f"{path} is a directory where a generated file belongs",
            "move the directory elsewhere (or remove it), then run pipelinegen again")
    return PipelinegenError(f"cannot read {path}: {exc.strerror}", "check the file's permissions")
