"""Incremental rendering: the per-service files whose inputs have not changed are taken from disk.

The charts are most of the rendering time, and each is a function of one service's slice of the
model (plus what it reads of the others: the services that list it among their callers, with
their ports) and of the project-wide inputs it is given (the model without its services, the
services file's name, and pipelinegen's version; chart_files is not handed the action pins or
the notes). The manifest records each
chart's key, the hash of exactly those inputs. A chart whose key is unchanged and whose files on
disk all have the digests the manifest records is not rendered again: its files are read back.

Reading 22,000 files back and hashing them is most of a one-service `generate` at 1,000
services, so a chart's files are not read back either when their stamps say they are as they
were read last time, as git's index does: each file's inode, size, mtime and ctime, and its
digest in the manifest. Any change to a file sets its ctime to the time of the change, and
nobody can set it back. A stamp is recorded only for files whose ctime is older than the lock
file of the run that read them (the file system's own clock, not this process's): a file
changed after it was read has a newer ctime, even within one tick of a coarse clock. Files
taken by their stamps are read later only if something asks for their bytes (plan.Files).
Everything else (workflows, CODEOWNERS, dashboards, docs, ...) is always rendered: cheap, and
free of any question about which services it reads. Any doubt (a manifest that this very
code did not write, by the cache's record (plan.previous_render); another manifest format or
pipelinegen version; a missing key; a missing or edited file) renders in full.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as filestat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelinegen import __version__
from pipelinegen.core import cache as caching
from pipelinegen.core import kept, layout
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit import helm

FORMAT = 2  # of the manifest; a manifest of another format has no usable keys


@dataclass(frozen=True)
class PerService:
    """An emitter that renders each service apart: its files, their directory, its inputs."""

    name: str
    emit: Callable[[Inputs], dict[str, str]]  # the emitter as registered (every service)
    files: Callable[[Inputs, str], dict[str, str]]  # one service's files, by repository path
    directory: Callable[[str], str]  # every file of the service is below this directory
    # What it reads besides the service and the project, for every service by name.
    reads: Callable[[Inputs], dict[str, Any]]


def _helm_files(inputs: Inputs, service: str) -> dict[str, str]:
    base = layout.chart_dir(service)
    return {f"{base}/{name}": text
            for name, text in helm.chart_files(inputs.model, service, inputs.source).items()}


def _helm_reads(inputs: Inputs) -> dict[str, Any]:
    # The NetworkPolicy's egress: the services each one calls, and their ports (what
    # helm.values.calls gives, for every service at once).
    calls: dict[str, list[Any]] = {name: [] for name in inputs.model.services}
    for name, other in sorted(inputs.model.services.items()):
        for caller in other.callers:
            if caller in calls:
                calls[caller].append({"service": name, "port": other.port})
    return calls


PER_SERVICE: tuple[PerService, ...] = (
    PerService("helm", helm.emit, _helm_files, layout.chart_dir, _helm_reads),
)


Stat = os.stat_result | None


@dataclass(frozen=True)
class Stamp:
    """A service's files as found: the hash of their stamps, and the newest of their ctimes."""

    value: str
    changed_ns: int


@dataclass(frozen=True)
class Previous:
    """What the last `generate` recorded, and readers of the files as they are on disk."""

    digests: Mapping[str, str]  # path -> digest, from the manifest
    keys: Mapping[str, Mapping[str, str]]  # emitter -> service -> key
    read: Callable[[list[str]], dict[str, bytes | None]]
    stat: Callable[[list[str]], dict[str, Stat]]
    stamps: Mapping[str, Mapping[str, str]]  # emitter -> service -> stamp value


@dataclass
class Rendered:
    files: dict[str, str | bytes] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # for the new manifest
    reused: dict[str, bytes] = field(default_factory=dict)  # files read back from disk
    digests: dict[str, str] = field(default_factory=dict)  # theirs, as the manifest has them
    deferred: dict[str, str] = field(default_factory=dict)  # path -> digest: taken by stamps
    stamps: dict[str, dict[str, Stamp]] = field(default_factory=dict)  # emitter -> service


def keys(inputs: Inputs, emitter: PerService) -> dict[str, str]:
    """service -> the hash of everything the emitter reads to render that service."""
    model = inputs.model
    project = json.dumps({
        "pipelinegen": __version__, "format": FORMAT, "source": inputs.source,
        "model": model.model_dump(mode="json", exclude={"services"}),
    }, sort_keys=True)
    found = {}
    reads = emitter.reads(inputs)
    for name, service in sorted(model.services.items()):
        text = json.dumps([name, service.model_dump(mode="json"), reads[name]], sort_keys=True)
        found[name] = hashlib.sha256(f"{project}\0{text}".encode()).hexdigest()
    return found


def render(inputs: Inputs, emitter: PerService, previous: Previous | None, out: Rendered) -> None:
    """The emitter's files for every service into `out`, reusing the unchanged ones."""
    wanted = keys(inputs, emitter)
    out.keys[emitter.name] = wanted
    old = previous.keys.get(emitter.name, {}) if previous is not None else {}
    unchanged = [name for name, key in wanted.items() if old.get(name) == key]
    candidates = _files_below(previous, {emitter.directory(name): name for name in unchanged})
    taken = _take(previous, emitter.name, candidates, out) if previous is not None else set()
    for name in wanted:
        if name not in taken:
            out.files.update(emitter.files(inputs, name))


def _take(previous: Previous, emitter: str, candidates: dict[str, list[str]],
          out: Rendered) -> set[str]:
    """The services whose files are on disk as the manifest records them (by their stamps,
    else read back and hashed), into `out`; their stamps too, for the next run."""
    stats = previous.stat(sorted(path for paths in candidates.values() for path in paths))
    recorded = previous.stamps.get(emitter, {})
    found = out.stamps.setdefault(emitter, {})
    taken, unread = set(), {}
    for name, paths in candidates.items():
        stamp = _stamp(paths, [stats.get(path) for path in paths], previous.digests)
        if stamp is not None:
            found[name] = stamp
        if stamp is not None and stamp.value == recorded.get(name):
            out.deferred.update((path, previous.digests[path]) for path in paths)
            taken.add(name)
        else:
            unread[name] = paths
    on_disk = previous.read(sorted(p for paths in unread.values() for p in paths)) \
        if unread else {}
    for name, paths in unread.items():
        if all(_as_recorded(previous, path, on_disk.get(path)) for path in paths):
            for path in paths:
                data = on_disk[path]
                assert data is not None
                out.files[path] = data
                out.reused[path] = data
                out.digests[path] = previous.digests[path]  # checked by _as_recorded
            taken.add(name)
        else:
            found.pop(name, None)
    return taken


def _stamp(paths: list[str], stats: list[Stat], digests: Mapping[str, str]) -> Stamp | None:
    """The stamp of a service's files (None if one is missing or not a plain file). The files
    were found by their stat before they were read: a change in between makes the next run
    read them again, never the reverse."""
    if not all(found is not None and filestat.S_ISREG(found.st_mode) for found in stats):
        return None
    text = " ".join([f"{found.st_dev}:{found.st_ino}:{found.st_size}:{found.st_mtime_ns}:"
                     f"{found.st_ctime_ns}" for found in stats if found is not None])
    text += "".join([f" {path} {digests[path]}" for path in paths])
    return Stamp(hashlib.sha256(text.encode()).hexdigest(),
                 max(found.st_ctime_ns for found in stats if found is not None))


STAMPS = "stamps"  # the cache's kind: one record per repository, replaced by every generate
_STAMPS_KEY = b"stamps 1"


def recorded_stamps(cache: caching.Cache | None) -> dict[str, dict[str, str]]:
    """emitter -> service -> stamp, as the last generate recorded them ({} on any doubt)."""
    stored = None if cache is None else cache.read(STAMPS, _STAMPS_KEY)
    try:
        found = json.loads(stored) if stored is not None else {}
    except ValueError:
        return {}
    if not isinstance(found, dict) or not all(
            isinstance(by_service, dict) and all(isinstance(v, str) for v in by_service.values())
            for by_service in found.values()):
        return {}
    return found


def remember_stamps(cache: caching.Cache | None, stamps: Mapping[str, Mapping[str, Stamp]],
                    since_ns: int) -> None:
    """Record the stamps of the files read by a run that held the lock since `since_ns` (the
    lock file's ctime): only of files older than that (stored on the cache's commit)."""
    if cache is None:
        return
    record = {emitter: {name: stamp.value for name, stamp in sorted(by_service.items())
                        if stamp.changed_ns < since_ns}
              for emitter, by_service in sorted(stamps.items())}
    content = json.dumps(record, sort_keys=True).encode()
    if cache.read(STAMPS, _STAMPS_KEY) != content:
        cache.write(STAMPS, _STAMPS_KEY, content)


def _files_below(previous: Previous | None, directories: dict[str, str]) -> dict[str, list[str]]:
    """service -> the recorded files below its directory (`directories`: directory -> service)."""
    found: dict[str, list[str]] = {}
    if previous is None or not directories:
        return found
    for path in previous.digests:
        parent = path.rpartition("/")[0]
        while parent:  # the directory itself or one of its ancestors
            if parent in directories:
                found.setdefault(directories[parent], []).append(path)
                break
            parent = parent.rpartition("/")[0]
    return found


def _as_recorded(previous: Previous | None, path: str, data: bytes | None) -> bool:
    """The file is on disk exactly as the last generate wrote it (notes and kept lines would
    make its raw hash differ from the digest: such a file is rendered again)."""
    assert previous is not None
    return (data is not None and hashlib.sha256(data).hexdigest() == previous.digests.get(path)
            and kept.NOTES_BEGIN.encode() not in data)


def previous_at(manifest: Mapping[str, Any] | None,
                read: Callable[[list[str]], dict[str, bytes | None]],
                stat: Callable[[list[str]], dict[str, Stat]],
                stamps: Mapping[str, Mapping[str, str]]) -> Previous | None:
    """The reusable record of the last generate; None when there is any doubt about it."""
    if (manifest is None or manifest.get("format") != FORMAT
            or manifest.get("version") != __version__):
        return None
    files, found = manifest.get("files"), manifest.get("inputs")
    if not isinstance(files, dict) or not isinstance(found, dict):
        return None
    keys_by_emitter: dict[str, dict[str, str]] = {}
    for emitter, by_service in found.items():
        if not isinstance(by_service, dict):
            return None
        keys_by_emitter[str(emitter)] = {str(k): str(v) for k, v in by_service.items()}
    return Previous({str(k): str(v) for k, v in files.items()}, keys_by_emitter, read, stat,
                    stamps)
