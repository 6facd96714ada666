"""The command that restores a generated file, as the hint of a rule that found it wrong.

`pipelinegen generate` refuses to overwrite a file edited by hand (its content no longer
matches the manifest), so telling the user to run it would only earn a second refusal: a
hand-edited file needs `--force` (or a revert), a stale one plain `generate`.
"""

from __future__ import annotations

from pathlib import Path

from pipelinegen.core.errors import PipelinegenError
from pipelinegen.generation.plan import read_manifest, sha256


def hand_edited(root: Path, path: str) -> bool:
    """Whether the file on disk is not what the last `generate` wrote there."""
    try:
        recorded = read_manifest(root).get(path)
        return recorded != sha256((root / path).read_bytes())
    except (OSError, PipelinegenError):
        return False  # missing, unreadable, or no usable manifest: plain generate recreates it


def restore(root: Path, path: str) -> str:
    """How to bring one generated file back to what services.yaml produces."""
    if hand_edited(root, path):
        return (f"discard the hand edit with `pipelinegen generate --force` (or `git checkout --"
                f" {path}`); to change it, change services.yaml and run `pipelinegen generate`")
    return "run `pipelinegen generate`"
