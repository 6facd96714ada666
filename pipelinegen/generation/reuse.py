"""Incremental rendering: the per-service files whose inputs have not changed are taken from disk.

The charts are most of the rendering time, and each is a function of one service's slice of the
model (plus what it reads of the others: the services that list it among their callers, with
their ports) and of the project-wide inputs it is given (the model without its services, the
services file's name, and pipelinegen's version; chart_files is not handed the action pins or
the notes). The manifest records each
chart's key, the hash of exactly those inputs. A chart whose key is unchanged and whose files on
disk all have the digests the manifest records is not rendered again: its files are read back.
Everything else (workflows, CODEOWNERS, dashboards, docs, ...) is always rendered: cheap, and
free of any question about which services it reads. Any doubt (a manifest that this very
code did not write, by the cache's record (plan.previous_render); another manifest format or
pipelinegen version; a missing key; a missing or edited file) renders in full.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelinegen import __version__
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


@dataclass(frozen=True)
class Previous:
    """What the last `generate` recorded, and a reader of the files as they are on disk."""

    digests: Mapping[str, str]  # path -> digest, from the manifest
    keys: Mapping[str, Mapping[str, str]]  # emitter -> service -> key
    read: Callable[[list[str]], dict[str, bytes | None]]


@dataclass
class Rendered:
    files: dict[str, str | bytes] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # for the new manifest
    reused: dict[str, bytes] = field(default_factory=dict)  # files read back from disk
    digests: dict[str, str] = field(default_factory=dict)  # theirs, as the manifest has them


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
    on_disk = previous.read(sorted(p for paths in candidates.values() for p in paths)) \
        if previous is not None and candidates else {}
    for name in wanted:
        paths = candidates.get(name)
        if paths and all(_as_recorded(previous, path, on_disk.get(path)) for path in paths):
            for path in paths:
                data = on_disk[path]
                assert data is not None and previous is not None
                out.files[path] = data
                out.reused[path] = data
                out.digests[path] = previous.digests[path]  # checked by _as_recorded
        else:
            out.files.update(emitter.files(inputs, name))


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
                read: Callable[[list[str]], dict[str, bytes | None]]) -> Previous | None:
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
    return Previous({str(k): str(v) for k, v in files.items()}, keys_by_emitter, read)
