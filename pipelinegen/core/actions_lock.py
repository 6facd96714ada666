"""The action lock: which commit every GitHub Action used by generated workflows is pinned to.

The lock lives at `.github/actions.lock.json` beside the workflows it pins. It is an input to
generation (a change to it is drift), rewritten only by `pipelinegen pin-actions`:

    {"version": 1, "actions": {"actions/checkout": {"tag": "v5.0.0", "sha": "<40 hex>"}}}

Without a lock in the repository, the pins shipped with pipelinegen are used (each checked
against the action's repository when it was added).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

from pipelinegen.core import layout, load
from pipelinegen.core.errors import InputError, Problem
from pipelinegen.core.inputs import ActionPin

LOCK = layout.ACTIONS_LOCK
RULE = "actions-lock"
ACTION = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}(/[A-Za-z0-9._/-]+)?$"
)
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/+-]{0,127}$")
SHA = re.compile(r"^[0-9a-f]{40}$")


def default_text() -> str:
    return resources.files("pipelinegen").joinpath("data/actions.lock.json").read_text("utf-8")


def parse_or_default(text: str | None, shown: str) -> dict[str, ActionPin]:
    """A lock's pins; without a lock (None), the pins shipped with pipelinegen."""
    if text is None:
        return parse(default_text(), "pipelinegen/data/actions.lock.json")
    return parse(text, shown)


def parse(text: str, shown: str) -> dict[str, ActionPin]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([_problem(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}",
                                   "fix the JSON syntax, or rewrite the lock with"
                                   " `pipelinegen pin-actions`")]) from None
    found: list[tuple[tuple[str, ...], str, str]] = []
    pins = _validate(data, found)
    if found:  # located only now: a valid lock is never parsed twice
        where = load.positions(text.encode(), shown)
        raise InputError([_problem(shown, *where.of(loc, key=True), message, hint)
                          for loc, message, hint in found])
    return pins


def _validate(data: Any, found: list[tuple[tuple[str, ...], str, str]]) -> dict[str, ActionPin]:
    def fail(loc: tuple[str, ...], message: str, hint: str) -> None:
        found.append((loc, message, hint))

    if not isinstance(data, dict) or set(data) != {"version", "actions"}:
        fail((), "the lock must be an object with exactly 'version' and 'actions'",
             'write {"version": 1, "actions": {...}}')
        return {}
    if data["version"] != 1:
        fail(("version",), f"unsupported lock version {data['version']!r}", "use version 1")
    actions = data["actions"]
    if not isinstance(actions, dict):
        fail(("actions",), "'actions' must be an object keyed by action", "see the lock format")
        return {}
    pins: dict[str, ActionPin] = {}
    for action, entry in actions.items():
        loc = ("actions", action)
        if not ACTION.match(action):
            fail(loc, f"{action!r} is not an action name", "write owner/repo or owner/repo/path")
            continue
        if not isinstance(entry, dict) or set(entry) != {"tag", "sha"}:
            fail(loc, f"{action}: needs exactly 'tag' and 'sha'",
                 'write {"tag": "v1.2.3", "sha": "<40 hex>"}')
            continue
        tag, sha = entry["tag"], entry["sha"]
        if not isinstance(tag, str) or not TAG.match(tag):
            fail((*loc, "tag"), f"{action}: {tag!r} is not a tag", "write the tag, e.g. v4.2.2")
            continue
        if not isinstance(sha, str) or not SHA.match(sha):
            fail((*loc, "sha"), f"{action}: {sha!r} is not a full commit SHA",
                 f"run `pipelinegen pin-actions` to resolve {action}@{tag}")
            continue
        pins[action] = ActionPin(action, tag, sha)
    return pins


def dumps(pins: Mapping[str, ActionPin]) -> str:
    """The lock text: sorted by action, so the same pins always give the same bytes."""
    actions = {name: {"tag": pins[name].tag, "sha": pins[name].sha} for name in sorted(pins)}
    return json.dumps({"version": 1, "actions": actions}, indent=2) + "\n"


def _problem(shown: str, line: int, col: int, message: str, hint: str) -> Problem:
    return Problem(shown, line, col, RULE, message, hint)
