"""The only code that writes generated files.

Every file is written to a temporary file beside it and renamed into place, so an interrupted
run leaves each file either as it was or complete. Orphans (files the previous manifest lists
that the plan no longer has) are removed next, and the manifest is written last: a run cut short
leaves the old manifest, which still describes every file it lists.

Nothing is opened through a symbolic link: directories are opened one component at a time from
the repository root with O_NOFOLLOW, and files relative to them. A temporary name is new for
every run and created with O_EXCL, so a link or file planted under a name like it is never
followed or overwritten. Temporary files an interrupted run left behind are removed by the next.

Files are not fsync'ed: that guards only against the machine itself crashing, after which
`generate` can simply run again (every file is reproducible from the model), and it cost about
2 ms a file, half a minute for the 14,000 files of a thousand services.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pipelinegen.core import kept
from pipelinegen.core.errors import FindingsError, PipelinegenError, os_failure
from pipelinegen.generation.plan import MANIFEST, Comparison, digest

# .<name>.<16 hex digits>.pipelinegen-tmp; earlier versions used .<name>.pipelinegen-tmp.
TEMP = re.compile(r"\..+?(\.[0-9a-f]{16})?\.pipelinegen-tmp")
_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Summary:
    created: list[str]
    updated: list[str]
    deleted: list[str]
    unchanged: list[str]
    cleaned: list[str] = field(default_factory=list)  # temporary files of interrupted runs
    written: Mapping[str, bytes] = field(default_factory=dict)  # what each written file holds


def write_changes(comparison: Comparison, root: Path, *, force: bool = False,
          adopt: frozenset[str] = frozenset(), interrupted: bool = True) -> Summary:
    """Make the disk equal the plan; refuses to replace hand edits unless forced, and files
    pipelinegen did not write unless adopted (or forced).

    Leftover temporary files are looked for in every directory of the plan and the old manifest
    after an `interrupted` run (the lock file was left behind), else only where this run writes.
    """
    if comparison.hand_edited and not force:
        listed = "\n".join(f"  {path}" for path in comparison.hand_edited)
        raise FindingsError(
            f"refusing to overwrite files edited by hand:\n{listed}",
            "move the change into services.yaml, or run `pipelinegen generate --force`"
            " to discard it",
        )
    changed = [path for path in comparison.delete if path in comparison.hand_edited]
    if changed:  # even when forced: a file the manifest did not write is never deleted
        raise PipelinegenError(
            f"refusing to delete {changed[0]}: it is no longer generated, but its content is"
            " not what pipelinegen wrote", "delete it yourself if it is no longer needed")
    files = adopted_files(comparison, adopt, force)
    with Tree(root) as tree:
        touched = (comparison.current if interrupted
                   else [*comparison.create, *comparison.update, *comparison.delete])
        cleaned = tree.clean_temporaries(sorted({_parent(path) for path in touched}))
        for path in [*comparison.create, *comparison.update]:
            if path != MANIFEST:
                tree.write(path, files[path])
        for path in comparison.delete:
            data = comparison.current[path]
            tree.delete(path, digest(data or b""))
        if MANIFEST in comparison.create or MANIFEST in comparison.update:
            tree.write(MANIFEST, files[MANIFEST])
    return Summary(
        created=comparison.create,
        updated=comparison.update,
        deleted=comparison.delete,
        unchanged=comparison.unchanged,
        cleaned=cleaned,
        written={path: files[path] for path in [*comparison.create, *comparison.update]},
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
    # Only what is written: the unchanged files' bytes may not even have been read (plan.Files).
    files = {path: data for path in [*comparison.create, *comparison.update]
             if (data := comparison.wanted(path)) is not None}
    # --force adopts too: it replaces what it must, but a CODEOWNERS still keeps its lines.
    for path in comparison.not_generated if force else adopt:
        existing = comparison.current[path]
        files[path] = kept.adopted(comparison.plan.files[path], existing or b"")
    return files


def write_atomic(target: Path, data: bytes) -> None:
    """Write one file (given by the user, e.g. services.yaml) through a temporary beside it."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure("create the directory", str(target.parent), exc) from None
    with Tree(target.parent) as tree:
        tree.write(target.name, data, shown=str(target))


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


class Tree:
    """Files below a root, reached without following symbolic links."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.token = secrets.token_hex(8)  # this run's temporary names cannot be guessed
        try:
            self.root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise os_failure("open the directory", str(root), exc) from None
        self.chain: list[tuple[str, int]] = []  # the directory open last, from the root down

    def __enter__(self) -> Tree:
        return self

    def __exit__(self, *exc: object) -> None:
        self._trim(0)
        os.close(self.root_fd)

    # --- directories -----------------------------------------------------------------------

    def directory(self, relative: str, *, create: bool) -> int | None:
        """The directory's fd (None if absent and not created); refuses a link on the way."""
        parts = relative.split("/") if relative else []
        keep = 0
        while (keep < len(self.chain) and keep < len(parts)
               and self.chain[keep][0] == parts[keep]):
            keep += 1
        self._trim(keep)
        for depth in range(keep, len(parts)):
            parent = self.chain[-1][1] if self.chain else self.root_fd
            shown = "/".join(parts[: depth + 1])
            try:
                fd = self._open_directory(parts[depth], parent, create=create)
            except OSError as exc:
                raise self._failure("open the directory", shown, exc, parent,
                                    parts[depth]) from None
            if fd is None:
                return None
            self.chain.append((parts[depth], fd))
        return self.chain[-1][1] if self.chain else self.root_fd

    def _open_directory(self, name: str, parent: int, *, create: bool) -> int | None:
        try:
            return os.open(name, _DIRECTORY, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o777, dir_fd=parent)
        return os.open(name, _DIRECTORY, dir_fd=parent)

    def _trim(self, keep: int) -> None:
        for _, fd in self.chain[keep:]:
            os.close(fd)
        del self.chain[keep:]

    def _failure(self, action: str, shown: str, exc: OSError, parent: int,
                 name: str) -> PipelinegenError:
        """ELOOP or ENOTDIR from O_NOFOLLOW means a link (or file) where a directory belongs."""
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            with contextlib.suppress(OSError):
                if _is_link(name, parent):
                    return _link_refused(self.root, shown, "directory")
        return os_failure(action, shown, exc)

    # --- files -----------------------------------------------------------------------------

    def write(self, path: str, data: bytes, shown: str | None = None) -> None:
        """Write through a temporary file of this run, then rename it over the target."""
        folder, _, name = path.rpartition("/")
        shown = shown or path
        directory = self.directory(folder, create=True)
        assert directory is not None
        temp = f".{name}.{self.token}.pipelinegen-tmp"
        try:
            fd = os.open(temp, _NEW_FILE, 0o644, dir_fd=directory)
            try:
                with os.fdopen(fd, "wb") as stream:
                    stream.write(data)
                os.replace(temp, name, src_dir_fd=directory, dst_dir_fd=directory)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=directory)
                raise
        except IsADirectoryError:
            raise PipelinegenError(
                f"{shown} is a directory where a generated file belongs",
                "move the directory elsewhere (or remove it), then run again") from None
        except OSError as exc:
            raise os_failure("write", shown, exc) from None

    def delete(self, path: str, expected: str) -> None:
        """Remove a file if it still holds what was expected, then its emptied directories."""
        folder, _, name = path.rpartition("/")
        directory = self.directory(folder, create=False)
        if directory is None:
            return
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
            with os.fdopen(fd, "rb") as stream:
                data = stream.read()
            if digest(data) != expected:
                raise PipelinegenError(f"refusing to delete {path}: it changed while"
                                       " pipelinegen ran", "run generate again")
            os.unlink(name, dir_fd=directory)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise os_failure("delete", path, exc) from None
        self._remove_empty(folder)

    def _remove_empty(self, folder: str) -> None:
        while folder:
            parent, _, name = folder.rpartition("/")
            directory = self.directory(parent, create=False)
            if directory is None:
                return
            try:
                os.rmdir(name, dir_fd=directory)
            except OSError:
                return  # not empty (or not ours to remove)
            folder = parent

    def clean_temporaries(self, folders: list[str]) -> list[str]:
        """Remove what interrupted runs left: files named like pipelinegen's temporaries."""
        removed: list[str] = []
        for folder in folders:
            directory = self.directory(folder, create=False)
            if directory is None:
                continue
            try:
                with os.scandir(directory) as entries:
                    names = [entry.name for entry in entries if TEMP.fullmatch(entry.name)
                             and not entry.is_dir(follow_symlinks=False)]
                for name in sorted(names):
                    os.unlink(name, dir_fd=directory)  # a link itself, never what it points to
                    removed.append(f"{folder}/{name}" if folder else name)
            except OSError as exc:
                raise os_failure("clean up in", folder or ".", exc) from None
        return removed


def _link_refused(root: Path, shown: str, kind: str) -> PipelinegenError:
    real, real_root = os.path.realpath(root / shown), os.path.realpath(root)
    leads = ("resolves outside the repository" if os.path.commonpath([real, real_root])
             != real_root else "is a symbolic link")
    return PipelinegenError(f"{shown} {leads} ({real}), and pipelinegen does not write"
                            " through links", f"replace {shown} with a real {kind}, or remove it")


def _is_link(name: str, parent: int) -> bool:
    return stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
