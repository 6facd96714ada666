"""Pieces every generated workflow shares: pinned `uses:`, checkout, installing pipelinegen.

Values from the model are embedded as they are (the model's patterns keep them inert in YAML
and `${{ }}`); anything a shell reads arrives through `env:` and is quoted where it is used.
"""

from __future__ import annotations

from typing import Any

from pipelinegen.core import actions_lock, toolsource
from pipelinegen.core.errors import InputError, Problem
from pipelinegen.core.inputs import Inputs
from pipelinegen.core.yamlio import ON, dump, with_comment, with_comments
from pipelinegen.emit.header import header

Step = dict[str, Any]
Job = dict[str, Any]

# `needs.changes.outputs.services` when no service is affected.
NONE_AFFECTED = "'[]'"


def uses(inputs: Inputs, action: str) -> str:
    """`action@<sha>` from the lock."""
    pin = inputs.actions.get(action)
    if pin is None:
        raise InputError([Problem(
            actions_lock.LOCK, 1, 1, actions_lock.RULE,
            f"the generated workflows use {action}, which is not in the action lock",
            f"run `pipelinegen pin-actions {action}@<tag>`",
        )])
    return f"{action}@{pin.sha}"


# Why a job holds each permission, written beside it (zizmor's undocumented-permissions).
WHY = {
    ("contents", "read"): "check out the repository",
    ("packages", "write"): "push images to the registry",
    ("packages", "read"): "read image digests from the registry",
    ("id-token", "write"): "get cloud credentials through OIDC",
    ("pull-requests", "write"): "post the review comment",
    ("actions", "read"): "list this run's jobs and their durations",
    ("issues", "write"): "open an issue for vulnerabilities found in what is deployed",
}


def permissions(**scopes: str) -> dict[str, str]:
    """Job permissions (keyword `_` stands for `-`), each with a comment saying why."""
    named = {scope.replace("_", "-"): level for scope, level in scopes.items()}
    return with_comments(named, {scope: WHY[(scope, level)] for scope, level in named.items()})


def step(name: str, **fields: Any) -> Step:
    return {"name": name, **fields}


def action(inputs: Inputs, name: str, uses_: str, with_: dict[str, Any] | None = None,
           **fields: Any) -> Step:
    """A `uses:` step pinned by SHA, its tag in a comment (read by zizmor and Dependabot)."""
    out: Step = {"name": name, **{k: v for k, v in fields.items() if k in ("id", "if")}}
    out["uses"] = uses(inputs, uses_)
    if with_:
        out["with"] = with_
    out |= {k: v for k, v in fields.items() if k not in ("id", "if")}
    return with_comment(out, "uses", inputs.actions[uses_].tag)


def checkout(inputs: Inputs, **with_: Any) -> Step:
    """Check out without leaving the token in .git/config (zizmor artipacked)."""
    return action(inputs, "Check out", "actions/checkout",
                  {**with_, "persist-credentials": False})


def install_pipelinegen(inputs: Inputs) -> list[Step]:
    ci = inputs.model.project.ci
    return [
        action(inputs, "Set up Python for pipelinegen", "actions/setup-python",
               {"python-version": ci.python}),
        # Exactly the pipelinegen that wrote the generated files (toolsource), so `check` agrees.
        step("Install pipelinegen", env={"REQUIREMENT": toolsource.requirement(ci.pipelinegen)},
             run='python -m pip install "${REQUIREMENT}"'),
    ]


def file_option(inputs: Inputs) -> str:
    """` --file <services file>` unless it is the default services.yaml."""
    return "" if inputs.source == "services.yaml" else f" --file {inputs.source}"


def document(inputs: Inputs, name: str, on: dict[str, Any], jobs: dict[str, Job],
             concurrency: dict[str, Any] | None = None) -> str:
    """The workflow text: header, name, triggers, `permissions: {}`, concurrency, jobs."""
    data: dict[str, Any] = {"name": name, ON: on, "permissions": {}}
    if concurrency:
        data["concurrency"] = concurrency
    data["jobs"] = jobs
    return header(inputs.source) + dump(data)
