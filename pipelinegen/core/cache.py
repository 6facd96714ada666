"""The cache of derived data: `.pipelinegen_cache/` at the repository root, as ruff, mypy and
pytest keep theirs beside the project they read.

An entry is named by a hash of everything its content is a function of, so a changed input or
another pipelinegen never meets a stale entry, and each entry carries the hash of its own
content, so a damaged one is a miss: the cache can make a run faster, never different. Only
the commands that write files store entries, and only once they have written (`commit`, under
the generate lock): `check` writes nothing, nor does a refused or failed run. Every command may
read them. The directory ignores itself (a `.gitignore` of `*`) and carries a CACHEDIR.TAG. Nothing
is read or written through a symbolic link, so the cache never reaches outside the repository.
Any failure to read or write is silent: the run goes on without the cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DIRECTORY = ".pipelinegen_cache"
DISABLE = "PIPELINEGEN_NO_CACHE"  # set (to anything but "" or "0") to run without the cache
KEPT = 4  # entries of one kind kept: the newest, by the time they were written
_MARKERS = {
    ".gitignore": b"# Written by pipelinegen: this directory is a cache, never committed.\n*\n",
    "CACHEDIR.TAG": b"Signature: 8a477f597d28d172789f06886806bc55\n"
                    b"# This directory is a cache written by pipelinegen.\n",
}
_NOFOLLOW = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Cache:
    directory: Path
    writable: bool  # False: entries are read, never stored
    # Entries to store on `commit`: (kind, key, content).
    pending: list[tuple[str, bytes, bytes]] = field(default_factory=list, compare=False)

    def read(self, kind: str, key: bytes) -> bytes | None:
        """The content stored for `key`, or None (no entry, or a damaged one)."""
        with self._opened(create=False) as folder:
            if folder is None:
                return None
            try:
                fd = os.open(_name(kind, key), os.O_RDONLY | _NOFOLLOW, dir_fd=folder)
            except OSError:
                return None
            try:
                with os.fdopen(fd, "rb") as stream:
                    stored = stream.read()
            except OSError:
                return None
        digest, _, content = stored.partition(b"\n")
        return content if digest == hashlib.sha256(content).hexdigest().encode() else None

    def write(self, kind: str, key: bytes, content: bytes) -> None:
        """Store `content` for `key` at the next `commit` (nothing, if not writable)."""
        if self.writable:
            self.pending.append((kind, key, content))

    def commit(self) -> None:
        """Store the pending entries (each atomically), keeping the KEPT newest of each kind."""
        entries, self.pending[:] = list(self.pending), []
        for kind, key, content in entries:
            self._store(kind, key, content)

    def _store(self, kind: str, key: bytes, content: bytes) -> None:
        with self._opened(create=True) as folder:
            if folder is None:
                return
            name = _name(kind, key)
            temporary = f".{name}.{os.getpid()}.tmp"
            data = hashlib.sha256(content).hexdigest().encode() + b"\n" + content
            try:
                _write_new(folder, temporary, data)
                os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
                _prune(folder, kind)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)

    @contextlib.contextmanager
    def _opened(self, *, create: bool) -> Iterator[int | None]:
        """A descriptor of the directory (never a link to one); None if there is none."""
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(self.directory)
            fd = os.open(self.directory, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW)
        except OSError:
            yield None
            return
        try:
            if create:
                _mark(fd)
            yield fd
        finally:
            os.close(fd)


def at(root: Path, *, writable: bool) -> Cache | None:
    """The repository's cache; None when it is turned off ($PIPELINEGEN_NO_CACHE)."""
    if os.environ.get(DISABLE, "") not in ("", "0"):
        return None
    return Cache(root / DIRECTORY, writable)


@functools.cache
def code_digest() -> str:
    """The sha256 of pipelinegen's own files (code, templates, data): what every entry derived
    by this code is keyed on. The version alone would not do: an editable or git install
    changes its code without changing its version."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def environment() -> str:
    """What else rendering is a function of: the Python version and the installed
    distributions (name and version, from the names of their metadata directories on the
    import path), since a dependency upgraded can change what is rendered."""
    found: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found.extend(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return f"{sys.version}\n" + ",".join(sorted(found))


def _name(kind: str, key: bytes) -> str:
    return f"{kind}-{hashlib.sha256(key).hexdigest()}"


def _mark(folder: int) -> None:
    for name, text in _MARKERS.items():
        try:
            _write_new(folder, name, text)
        except FileExistsError:
            pass
        except OSError:
            return


def _write_new(folder: int, name: str, data: bytes) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666, dir_fd=folder)
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)


def _prune(folder: int, kind: str) -> None:
    entries = []
    for name in os.listdir(folder):
        if name.startswith(f"{kind}-"):
            with contextlib.suppress(OSError):
                entries.append((os.stat(name, dir_fd=folder, follow_symlinks=False).st_mtime_ns,
                                name))
    for _, name in sorted(entries, reverse=True)[KEPT:]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=folder)
