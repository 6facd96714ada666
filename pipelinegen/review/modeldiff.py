"""Field-by-field difference of two models, per service, with renames recognised.

Values are compared as the model sees them (defaults filled in), so writing out a default is no
change. Mappings are compared key by key, lists of named items (environments) item by item, other
lists as a whole. A removed and an added service are a rename when their bodies as written
(defaults left out) are identical or differ in at most two values and at most a fifth of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipelinegen.core.change_report import FieldChange, ServiceStatus
from pipelinegen.core.model import Model, Service

_MISSING: Any = object()  # a value one side does not have
_RENAME_MAX_DIFFERENT = 2
_RENAME_MAX_SHARE = 0.2
_IMAGE = re.compile(r"^(?P<name>[^@]+)@sha256:(?P<digest>[0-9a-f]{64})$")


@dataclass
class ServiceDelta:
    name: str  # after the change; before it for a removed service
    status: ServiceStatus  # added, removed, renamed, changed or unchanged here
    renamed_from: str | None = None
    changes: list[FieldChange] = field(default_factory=list)
    bases: set[str] = field(default_factory=set)  # base names it uses on either side


@dataclass
class ModelDiff:
    project: list[FieldChange]  # version and project.*
    bases: dict[str, FieldChange]  # by base name
    services: dict[str, ServiceDelta]  # by name, sorted

    def old_names(self) -> dict[str, str]:
        """Every service name before the change -> its entry's name."""
        names = {n: n for n, d in self.services.items() if d.status != "added"}
        names.update({d.renamed_from: n for n, d in self.services.items() if d.renamed_from})
        return names


def compare(old: Model | None, new: Model | None) -> ModelDiff:
    """How `new` differs from `old`; None stands for a side without a services file."""
    old_data = _dump(old)
    new_data = _dump(new)
    project = [
        *diff_values(old_data.get("version", _MISSING), new_data.get("version", _MISSING),
                     "version"),
        *diff_values(old_data.get("project", _MISSING), new_data.get("project", _MISSING),
                     "project"),
        # Backing services belong to no service: their charts are the project's files.
        *diff_values(old_data.get("backing", _MISSING), new_data.get("backing", _MISSING),
                     "backing"),
    ]
    old_bases, new_bases = old_data.get("bases", {}), new_data.get("bases", {})
    bases = {
        name: change
        for name in _keys(old_bases, new_bases)
        for change in diff_values(old_bases.get(name, _MISSING), new_bases.get(name, _MISSING),
                                  f"bases.{name}")
    }
    return ModelDiff(project, bases, _services(old, new))


def _dump(model: Model | None) -> dict[str, Any]:
    return {} if model is None else model.model_dump(mode="json", exclude_none=True)


def _services(old: Model | None, new: Model | None) -> dict[str, ServiceDelta]:
    before = dict(old.services) if old else {}
    after = dict(new.services) if new else {}
    removed = sorted(set(before) - set(after))
    added = sorted(set(after) - set(before))
    deltas: dict[str, ServiceDelta] = {}
    for old_name, new_name in _renames(before, after, removed, added):
        removed.remove(old_name)
        added.remove(new_name)
        deltas[new_name] = ServiceDelta(
            new_name, "renamed", old_name,
            _service_changes(before[old_name], after[new_name], new_name),
        )
    for name in removed:
        deltas[name] = ServiceDelta(name, "removed", None, [_whole(name, before[name], "removed")])
    for name in added:
        deltas[name] = ServiceDelta(name, "added", None, [_whole(name, after[name], "added")])
    for name in sorted(set(before) & set(after)):
        changes = _service_changes(before[name], after[name], name)
        deltas[name] = ServiceDelta(name, "changed" if changes else "unchanged", None, changes)
    for name, delta in deltas.items():
        for service in (before.get(delta.renamed_from or name), after.get(name)):
            if service is not None:
                delta.bases.update(service.image_bases())
    return dict(sorted(deltas.items()))


def _whole(name: str, service: Service, what: str) -> FieldChange:
    """A service added or removed as one change: its body as written, named in short."""
    body = service.model_dump(mode="json", exclude_defaults=True)
    old, new = (None, body) if what == "added" else (body, None)
    return FieldChange(field=name, old=old, new=new,
                       summary=f"{name}: {what} ({service.stack}, "
                       f"{f'port {service.port}' if service.port else 'no port'}, "
                       f"path {service.path})")


def _service_changes(old: Service, new: Service, name: str) -> list[FieldChange]:
    return diff_values(old.model_dump(mode="json", exclude_none=True),
                       new.model_dump(mode="json", exclude_none=True), name)


def _renames(before: Mapping[str, Service], after: Mapping[str, Service],
             removed: list[str], added: list[str]) -> list[tuple[str, str]]:
    """(old, new) pairs, closest bodies first; each service in at most one pair."""
    candidates = []
    for old_name in removed:
        old_leaves = _leaves(before[old_name].model_dump(mode="json", exclude_defaults=True))
        for new_name in added:
            new_leaves = _leaves(after[new_name].model_dump(mode="json", exclude_defaults=True))
            different = sum(
                1 for key in old_leaves.keys() | new_leaves.keys()
                if old_leaves.get(key, _MISSING) != new_leaves.get(key, _MISSING)
            )
            size = max(len(old_leaves), len(new_leaves), 1)
            if different <= _RENAME_MAX_DIFFERENT and different <= _RENAME_MAX_SHARE * size:
                candidates.append((different, old_name, new_name))
    pairs: list[tuple[str, str]] = []
    for _, old_name, new_name in sorted(candidates):
        if all(old_name != o and new_name != n for o, n in pairs):
            pairs.append((old_name, new_name))
    return pairs


def _leaves(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    if isinstance(value, dict) and value:
        found: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            found.update(_leaves(item, (*prefix, str(key))))
        return found
    return {prefix: value}


# --- comparing values ----------------------------------------------------------------------


def diff_values(old: Any, new: Any, path: str) -> list[FieldChange]:
    """The changes from `old` to `new` at dotted `path`, in the order the fields appear."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        return [change for key in _keys(old, new)
                for change in diff_values(old.get(key, _MISSING), new.get(key, _MISSING),
                                          f"{path}.{key}")]
    old_named, new_named = _by_name(old), _by_name(new)
    if old_named is not None and new_named is not None:
        changes = diff_values(old_named, new_named, path)
        common = [name for name in old_named if name in new_named]
        if common != [name for name in new_named if name in old_named]:
            changes.append(_change(f"{path}[order]", list(old_named), list(new_named)))
        return changes
    return [_change(path, old, new)]


def _keys(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    return [*old, *(key for key in new if key not in old)]


def _by_name(value: Any) -> dict[str, Any] | None:
    """A list of mappings with unique "name" keys, as a mapping by name; else None."""
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and isinstance(item.get("name"), str) for item in value
    ):
        return None
    named = {item["name"]: item for item in value}
    return named if len(named) == len(value) else None


def _change(path: str, old: Any, new: Any) -> FieldChange:
    return FieldChange(
        field=path,
        old=None if old is _MISSING else old,
        new=None if new is _MISSING else new,
        summary=f"{path}: {_change_text(old, new)}",
    )


def _change_text(old: Any, new: Any) -> str:
    old_image = _IMAGE.match(old) if isinstance(old, str) else None
    new_image = _IMAGE.match(new) if isinstance(new, str) else None
    if old_image and new_image and old_image["name"] == new_image["name"]:
        return f"digest {old_image['digest'][:7]} -> {new_image['digest'][:7]}"
    return f"{show(old)} -> {show(new)}"


def show(value: Any) -> str:
    """A value in one short line, YAML flow style; "unset" for a value that is not there."""
    if value is _MISSING or value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        image = _IMAGE.match(value)
        return f"{image['name']}@{image['digest'][:7]}" if image else value or '""'
    if isinstance(value, list):
        return "[" + ", ".join(show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {show(item)}" for key, item in value.items()) + "}"
    return str(value)
