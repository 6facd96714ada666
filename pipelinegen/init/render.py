"""The scan as services.yaml text: every guessed value's line ends with the reason for it."""

from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from pipelinegen.core import yamlio
from pipelinegen.init.scan import Draft, Scan

HEADER = """\
yaml-language-server: $schema=specs/services.schema.json

Written by `pipelinegen init` from this repository's files; each guess says where it came from.
Check them, then: pipelinegen pin && pipelinegen generate && pipelinegen validate"""


def render(found: Scan) -> str:
    document = CommentedMap()
    document["version"] = 1
    document["project"] = _mapping(found.project)
    if found.bases.fields:
        document["bases"] = _mapping(found.bases)
        document.yaml_set_comment_before_after_key(
            "bases", before="\nEvery Dockerfile names its base here; the pin lives here only.")
    services = CommentedMap()
    for draft in found.services:
        services[draft.name] = _mapping(draft)
        if draft.notes:
            services.yaml_set_comment_before_after_key(
                draft.name, before="\n".join(f"Note: {note}." for note in draft.notes), indent=2)
    document["services"] = services
    summary = [*(f"  {path}/: {why}" for path, why in found.shared)]
    lines = [HEADER]
    if summary:
        lines += ["", "Shared packages (services list them in depends_on):", *summary]
    if found.skipped:
        lines += ["", "Not listed as services:",
                  *(f"  {path}/: {why}" for path, why in found.skipped)]
    document.yaml_set_start_comment("\n".join(lines))
    return yamlio.dump(document)


def _mapping(draft: Draft) -> CommentedMap:
    out = CommentedMap()
    for key, value in draft.fields.items():
        out[key] = _value(value)
        if key in draft.why:
            out.yaml_add_eol_comment(f"# {draft.why[key]}", key, column=0)
    return out


def _value(value: Any) -> Any:
    """Short lists of scalars and small mappings in flow style, as a person writes them."""
    if isinstance(value, list):
        seq = CommentedSeq(_value(item) for item in value)
        if all(not isinstance(item, dict | list) for item in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        mapping = CommentedMap((key, _value(item)) for key, item in value.items())
        mapping.fa.set_flow_style()
        return mapping
    return value
