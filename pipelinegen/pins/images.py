"""`pipelinegen pin`: refresh the digests of `bases` in services.yaml from their registries.

The loader's positions say where each base's value starts; only that scalar is replaced, in the
original text, keeping its quoting. Re-dumping the whole document would re-flow lines and
quoting elsewhere, so splicing is what guarantees that comments, order and formatting stay byte
for byte and only the digests change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from pipelinegen.adapters import oci
from pipelinegen.core import imageref, load
from pipelinegen.core.errors import FindingsError, PipelinegenError, Problem
from pipelinegen.generation import report
from pipelinegen.generation.writer import write_atomic

RULE = "pinned-base"


@dataclass(frozen=True)
class Change:
    base: str
    line: int  # 1-based position of the value in services.yaml
    col: int
    old: str
    new: str


def plan(text: str, shown: str, insecure: Collection[str] = (),
         echo: Callable[[str], None] = lambda _: None) -> list[Change]:
    """The bases whose written reference differs from tag@<current digest>."""
    model = load.loads(text.encode(), shown)
    positions = load.positions(text.encode(), shown)
    changes = []
    for name, written in model.bases.items():
        ref = imageref.parse(written)
        digest = oci.resolve(ref, insecure)
        wanted = ref.with_digest(digest)
        if not ref.tag:
            wanted = imageref.ImageRef(ref.name, "latest", None).with_digest(digest)
        echo(f"{name}: {wanted}" + ("" if wanted != written else " (up to date)"))
        if wanted != written:
            changes.append(Change(name, *positions.of(("bases", name)), written, wanted))
    return changes


def splice(text: str, changes: list[Change]) -> str:
    """text with each change's scalar replaced where it stands."""
    lines = text.splitlines(keepends=True)
    for change in changes:
        line = lines[change.line - 1]
        start = change.col - 1
        quote = line[start] if line[start] in "'\"" else ""
        if line[start + len(quote): start + len(quote) + len(change.old)] != change.old:
            raise PipelinegenError(
                f"cannot rewrite base {change.base!r} at line {change.line}: its value is not"
                " written on one line", "write the image reference on one line, then pin again")
        end = start + len(quote) + len(change.old) + len(quote)
        lines[change.line - 1] = f"{line[:start]}{quote}{change.new}{quote}{line[end:]}"
    return "".join(lines)


def pin(path: Path, shown: str, *, check: bool, insecure: Collection[str],
        echo: Callable[[str], None]) -> list[Change]:
    """Rewrite path's bases to their current digests; with check, change nothing and raise
    FindingsError (exit 1) when any is unpinned or stale."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PipelinegenError(f"cannot read {shown}: {exc.strerror}") from None
    changes = plan(text, shown, insecure, echo)
    if check:
        if changes:
            echo(report.problems(problems(changes, shown), "auto").rstrip("\n"))
            raise FindingsError(f"{len(changes)} base(s) unpinned or stale in {shown}",
                                "run `pipelinegen pin` to update the digests")
        return changes
    if changes:
        new_text = splice(text, changes)
        load.loads(new_text.encode(), shown)  # the result must still be a valid model
        write_atomic(path, new_text.encode("utf-8"))
    return changes


def problems(changes: list[Change], shown: str) -> list[Problem]:
    return [Problem(shown, c.line, c.col, RULE,
                    f"base {c.base!r} is {'stale' if imageref.pinned(c.old) else 'unpinned'}:"
                    f" {c.old} should be {c.new}", "run `pipelinegen pin`")
            for c in changes]
