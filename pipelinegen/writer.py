"""The only code that writes generated files.

Every file is written to a temporary file beside it and renamed into place, so an interrupted
run leaves each file either as it was or complete. The manifest is written after the files it
lists, and orphans (files the previous manifest lists that the plan no longer has) are removed
last. Nothing that is not in a manifest is ever deleted.

Files are not fsync'ed: that guards only against the machine itself crashing, after which
`generate` can simply run again (every file is reproducible from the model), and it cost about
2 ms a file, half a minute for the 14,000 files of a thousand services.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipelinegen import kept
from pipelinegen.errors import FindingsError, PipelinegenError
from pipelinegen.plan import MANIFEST, Comparison, resolve_all


@dataclass(frozen=True)
class Summary:
    created: list[str]
    updated: list[str]
    deleted: list[str]
    unchanged: list[str]


def apply(comparison: Comparison, root: Path, *, force: bool = False,
          adopt: frozenset[str] = frozenset()) -> Summary:
    """Make the disk equal the plan; refuses to replace hand edits unless forced, and files
    pipelinegen did not write unless adopted (or forced)."""
    if comparison.hand_edited and not force:
        listed = "\n".join(f"  {path}" for path in comparison.hand_edited)
        raise FindingsError(
            f"refusing to overwrite files edited by hand:\n{listed}",
            "move the change into services.yaml, or run `pipelinegen generate --force`"
            " to discard it",
        )
    files = adopted_files(comparison, adopt, force)
    targets = resolve_all(root, [*comparison.create, *comparison.update, *comparison.delete])
    made: set[Path] = set()  # directories known to exist: one mkdir each, not one per file
    # Targets first, manifest last: a run cut short leaves the old manifest describing the disk.
    for path in [*comparison.create, *comparison.update]:
        if path != MANIFEST:
            write_atomic(targets[path], files[path], made)
    if MANIFEST in comparison.create or MANIFEST in comparison.update:
        write_atomic(targets[MANIFEST], files[MANIFEST], made)
    for path in comparison.delete:
        target = targets[path]
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, root)
    return Summary(
        created=comparison.create,
        updated=comparison.update,
        deleted=comparison.delete,
        unchanged=comparison.unchanged,
    )


def adopted_files(comparison: Comparison, adopt: frozenset[str], force: bool) -> dict[str, bytes]:
    """What to write at each path: the plan, with kept lines, and adopted files taken over."""
    if unknown := sorted(adopt - set(comparison.not_generated)):
        raise PipelinegenError(
            f"nothing to adopt at {', '.join(unknown)}",
            "--adopt takes a file that exists at a path pipelinegen generates but did not write"
            + (f": {', '.join(comparison.not_generated)}" if comparison.not_generated else ""))
    if (waiting := [p for p in comparison.not_generated if p not in adopt]) and not force:
        listed = "\n".join(f"  {path}" for path in waiting)
        raise FindingsError(
            f"exists, not generated (pipelinegen did not write it):\n{listed}",
            "take it over with `pipelinegen generate " + " ".join(f"--adopt {p}" for p in waiting)
            + "` (a CODEOWNERS keeps its lines in a kept section; other files are replaced)")
    files = {path: data for path in comparison.plan.files
             if (data := comparison.wanted(path)) is not None}
    # --force adopts too: it replaces what it must, but a CODEOWNERS still keeps its lines.
    for path in comparison.not_generated if force else adopt:
        existing = comparison.current[path]
        files[path] = kept.adopted(comparison.plan.files[path], existing or b"")
    return files


def write_atomic(target: Path, data: bytes, made: set[Path] | None = None) -> None:
    """Write beside the target, then rename over it: readers see the old file or the new one."""
    if made is None or target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(target.parent)
    # One fixed temporary name per target: a leftover of an interrupted run is simply reused.
    temp = target.with_name(f".{target.name}.pipelinegen-tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def _remove_empty_parents(directory: Path, root: Path) -> None:
    root = root.resolve()
    directory = directory.resolve()
    while directory != root and root in directory.parents:
        try:
            directory.rmdir()
        except OSError:
            return  # not empty (or not ours to remove)
        directory = directory.parent
