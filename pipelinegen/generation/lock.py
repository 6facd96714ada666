"""One `generate` at a time per repository: an flock on generated/.pipelinegen.lock.

The kernel releases an flock when its holder exits, however it exits (kill -9 included), so a
lock can never be left held by a run that is gone. The file is removed when the lock is
released; a run that opened it just before then finds it no longer the file at that path and
tries again, so two runs can never both hold a lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.core.errors import PipelinegenError, os_failure
from pipelinegen.core.layout import LOCK
from pipelinegen.generation.writer import Tree

_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


@dataclass(frozen=True)
class Held:
    stale: bool  # the lock file was already there: a run before this one was killed
    # The lock file's ctime once taken, by the file system's clock: every file this run looks
    # at afterwards and finds older than this was last changed before it looked (reuse.py).
    since_ns: int


@contextlib.contextmanager
def held(root: Path) -> Iterator[Held]:
    """Hold the repository's generate lock for the block; another holder is an error (exit 2)."""
    folder, _, name = LOCK.rpartition("/")
    with Tree(root) as tree:
        existed = tree.directory(folder, create=False) is not None
        directory = tree.directory(folder, create=True)
        assert directory is not None
        stale, fd = _acquire(directory, name)
        try:
            with contextlib.suppress(OSError):  # who holds it, for a person looking; no space: ok
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
            # Unwritten, a stale file's ctime is older still: fewer files are found older.
            yield Held(stale, os.fstat(fd).st_ctime_ns)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=directory)
            os.close(fd)
            if not existed:
                with contextlib.suppress(OSError):
                    os.rmdir(folder, dir_fd=tree.root_fd)  # only if the run left it empty


def _acquire(directory: int, name: str) -> tuple[bool, int]:
    for _ in range(100):
        try:
            try:
                fd, stale = os.open(name, _FLAGS | os.O_EXCL, 0o644, dir_fd=directory), False
            except FileExistsError:
                fd, stale = os.open(name, _FLAGS, 0o644, dir_fd=directory), True
        except OSError as exc:
            raise os_failure("create the lock file", LOCK, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise PipelinegenError(
                f"another `pipelinegen generate` is running in this repository (it holds"
                f" {LOCK})", "wait for it to finish, then run generate again") from None
        except OSError as exc:
            os.close(fd)
            raise os_failure("lock", LOCK, exc) from None
        if _still_there(fd, directory, name):
            return stale, fd
        os.close(fd)  # the holder removed it as it finished: take the new one
    raise PipelinegenError(f"could not take {LOCK}: other runs keep replacing it",
                           "run generate again")


def _still_there(fd: int, directory: int, name: str) -> bool:
    try:
        on_disk = os.stat(name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)
