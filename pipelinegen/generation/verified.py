"""A tree known to be current: `check` of an unchanged repository without rendering anything.

After `generate` has written, it works out in memory what the next `check` would find: if every
generated file then compares as unchanged and the notes it would read back are the notes it
rendered from, it records that state in the cache. The record is keyed on everything a plan is
a function of: pipelinegen's own files, the installed distributions and the Python version
(cache.environment), the services file's name and bytes, and the action lock's bytes; the
notes come from generated files, which are covered next. It holds the SHA-256 of the
manifest, the SHA-256 of every file whose bytes the manifest's digest does not cover as they
are (kept lines, notes), and the model's paths.

`check` looks the record up for the bytes it reads now and, if there is one, reads the manifest
and every file it lists, exactly as a full check reads them (no symbolic link on the way), and
re-checks the model's paths on the disk. Every file as recorded is the state the full check was
shown to find current, so the plan is not rendered. Any doubt (no cache, no record, a file that
differs, a link, an unreadable file, a path problem) gives no verdict: the full check runs and
reports whatever it finds, as it always did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pipelinegen.core import cache as caching
from pipelinegen.core import kept, layout, service_paths
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation import plan

if TYPE_CHECKING:
    from pipelinegen.generation.workspace import Workspace

KIND = "current"
MANIFEST = layout.MANIFEST


def up_to_date(ws: Workspace) -> int | None:
    """The number of generated files (the manifest included), when the cache records this very
    state as current; None for no verdict (then only a full check can tell)."""
    if ws.cache is None:
        return None
    try:
        return _recorded_count(ws, ws.cache)
    except (OSError, PipelinegenError, ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable file, a link, a damaged record: the full check says


def _recorded_count(ws: Workspace, store: caching.Cache) -> int | None:
    # Read here, not through ws.source_bytes, which would import the loader (and pydantic).
    source = ws.source_path.read_bytes()
    stored = store.read(KIND, _key(ws.source, source, ws.lock_bytes))
    if stored is None:
        return None
    record = json.loads(stored)
    raw = plan.read_all(ws.root, [MANIFEST])[MANIFEST]
    if raw is None or _sha256(raw) != record["manifest"]:
        return None
    files: dict[str, str] = json.loads(raw)["files"]
    own: Mapping[str, str] = record["own"]
    on_disk = plan.read_all(ws.root, sorted(files))
    current = all(data is not None and _sha256(data) == own.get(path, files[path])
                  for path, data in on_disk.items())
    return len(files) + 1 if current and service_paths.all_fine(record["paths"], ws.root) \
        else None


def remember(ws: Workspace, comparison: plan.Comparison, written: Mapping[str, bytes]) -> None:
    """After `generate` wrote `written` (path -> bytes) over what `comparison` found: record the
    state if the next check would find every file current (stored on the cache's commit)."""
    if ws.cache is None:
        return
    from pipelinegen.emit.observability import runbooks

    planned = comparison.plan.files
    reused = comparison.plan.reused
    # Reused files are on disk as planned, digests and all: their bytes are not asked for.
    after = {**{path: comparison.current[path] for path in comparison.unchanged
                if path not in reused}, **written}
    if set(after) | reused != set(planned):
        return
    # What compare does with each file: only written ones can differ from what it found.
    if any(kept.managed(after[path], planned[path]) != planned[path] for path in written):
        return
    # The next run reads the runbooks' notes back (a new runbook's placeholder, say), and only
    # the runbooks are rendered from them: they must come out as planned.
    found = {path: kept.extract_notes(after.get(path)) for path in runbooks.paths(ws.model)}
    back = {path: text for path, text in found.items() if text is not None}
    if back != dict(ws.inputs.notes) and any(
            planned.get(path) != text.encode()
            for path, text in runbooks.emit(ws.model, ws.source, back).items()):
        return
    own = {}
    for path, data in after.items():
        assert data is not None
        # The manifest's digest is the file's own SHA-256 when the file is the plan's bytes
        # without a notes section.
        if path != MANIFEST and not (data == planned[path]
                                     and kept.NOTES_BEGIN.encode() not in data):
            own[path] = _sha256(data)
    record = {"manifest": _sha256(planned[MANIFEST]), "own": dict(sorted(own.items())),
              "paths": sorted({path for _, path in service_paths.paths(ws.model)})}
    key = _key(ws.source, ws.source_bytes, ws.lock_bytes)
    content = json.dumps(record, sort_keys=True).encode()
    if ws.cache.read(KIND, key) != content:  # a no-op generate leaves the cache as it is
        ws.cache.write(KIND, key, content)


def _key(source: str, services: bytes, lock: bytes | None) -> bytes:
    parts = [caching.code_digest(), caching.environment(), source, _sha256(services),
             "-" if lock is None else _sha256(lock)]
    return "\n".join(parts).encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

