"""The checks of a model's paths that need the disk: none may lead out of the repository.

The model's pattern already refuses `..` and absolute paths; a symbolic link inside the
repository can still lead out of it, and is refused here the same way, for every command that
reads the repository. Paths inside generated/ are refused too: that directory is pipelinegen's
own, and what it holds may be replaced or deleted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pipelinegen.core.errors import InputError, Problem
from pipelinegen.core.layout import DIRECTORIES

if TYPE_CHECKING:
    from pipelinegen.core.model import Loc, Model


def check(model: Model, root: Path, source_path: Path, shown: str) -> None:
    """Raise InputError (with file:line:col) for every service path that leaves the root."""
    found = list(_problems(paths(model), root))
    if not found:
        return
    from pipelinegen.core import load  # only to point at the problems

    positions = load.positions(source_path.read_bytes(), shown)
    raise InputError([Problem(shown, *positions.of(loc), load.RULE, f"{_dotted(loc)}:"
                              f" {message}", hint) for loc, message, hint in found])


def _dotted(loc: Loc) -> str:
    return ".".join(map(str, loc[:-1])) + (f"[{loc[-1]}]" if isinstance(loc[-1], int)
                                           else f".{loc[-1]}")


def all_fine(found: Iterable[str], root: Path) -> bool:
    """True when none of these model paths would be a problem (what `check` raises for)."""
    return next(_problems(((("path",), path) for path in found), root), None) is None


def paths(model: Model) -> list[tuple[Loc, str]]:
    """Every path of the model that names something in the repository, where it is written."""
    return list(_paths(model))


def _paths(model: Model) -> Iterator[tuple[Loc, str]]:
    for name, service in model.services.items():
        yield ("services", name, "path"), service.path
        if service.dockerfile is not None:
            yield ("services", name, "dockerfile"), service.dockerfile
        for index, shared in enumerate(service.depends_on):
            yield ("services", name, "depends_on", index), shared


def _problems(found: Iterable[tuple[Loc, str]], root: Path) -> Iterator[tuple[Loc, str, str]]:
    real_root = os.path.realpath(root)
    known: dict[str, str] = {}
    for loc, path in found:
        if owned := next((d for d in DIRECTORIES if f"{path}/".startswith(d)), None):
            yield (loc, f"{owned} is pipelinegen's own output directory, where files are"
                   " replaced and deleted", f"move {path} out of {owned}")
            continue
        real = _realpath(root, real_root, path, known)
        if os.path.commonpath([real_root, real]) != real_root:
            yield (loc, f"{path} leads outside the repository through a symbolic link"
                   f" (to {real})", "use a path inside the repository: a link in it may not"
                   " lead out of it")


def _realpath(root: Path, real_root: str, path: str, known: dict[str, str]) -> str:
    """os.path.realpath(root / path), with one lstat per directory that paths share (a
    thousand services live in a few): `known` maps each prefix seen, not a link, to its real
    path. A link, or an unusual segment, is left to realpath itself."""
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return os.path.realpath(root / path)
    real = real_root
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        found = known.get(prefix)
        if found is None:
            found = os.path.join(real, parts[depth - 1])
            try:
                if stat.S_ISLNK(os.lstat(found).st_mode):
                    return os.path.realpath(root / path)
            except OSError:
                pass  # missing (or unreadable): realpath takes the name as it is
            known[prefix] = found
        real = found
    return real
