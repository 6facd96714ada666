"""`pipelinegen init`: scan, render, check that the result loads, then write it (never over a
file that exists) or print it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipelinegen.core import load
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.init.render import render
from pipelinegen.init.scan import BASES, Scan, scan


def init(root: Path, output: Path | None, bases: dict[str, str], dry_run: bool,
         echo: Callable[[str], None]) -> Scan:
    """Write (or with dry_run print) a services.yaml for the repository at root."""
    if not root.is_dir():
        raise PipelinegenError(f"{root} is not a directory", "pass the repository to scan")
    if unknown := sorted(set(bases) - set(BASES)):
        raise PipelinegenError(f"no base named {', '.join(unknown)}",
                               f"--base takes one of: {', '.join(sorted(BASES))}")
    target = output if output is not None else root / "services.yaml"
    if not dry_run and target.exists():
        raise PipelinegenError(f"{target} already exists; init never overwrites a file",
                               "remove it, pass --output OTHER.yaml, or --dry-run to print")
    found = scan(root, bases)
    if not found.services:
        raise PipelinegenError(
            f"no service found under {root}",
            "a service is a directory below the root with a manifest and an entry point"
            " (requirements.txt/pyproject.toml, package.json, go.mod, public/index.html or a"
            " Dockerfile)" + "".join(f"; skipped {path}: {why}" for path, why in found.skipped))
    text = render(found)
    load.loads(text.encode(), target.name)  # a bug here is ours: fail before writing
    if dry_run:
        echo(text.rstrip("\n"))
        return found
    _write_new(target, text.encode())
    for draft in found.services:
        echo(f"service  {draft.name:20} {draft.fields['stack']:10} {draft.fields['path']}")
    for path, why in found.skipped:
        echo(f"skipped  {path}: {why}")
    echo(f"wrote {target} ({len(found.services)} services); check the guesses, then run"
         " `pipelinegen pin` and `pipelinegen generate`")
    return found


def _write_new(target: Path, data: bytes) -> None:
    """Create the file; fail if anything appeared there meanwhile (O_EXCL)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise PipelinegenError(f"{target} already exists; init never overwrites a file") from None
    with os.fdopen(fd, "wb") as stream:
        stream.write(data)
