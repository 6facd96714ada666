"""Cross-references a schema cannot express: callers that name no service, bases that are not
declared, overrides of undeclared environments, a gate job that clashes with a CI job.

They are read from plain data, not from a validated model, so a file with schema errors gets
its cross-reference errors in the same report (a second run would otherwise reveal them one
layer at a time). Parts too malformed to read are skipped: the schema errors cover them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipelinegen import stacks
from pipelinegen.core import cloud
from pipelinegen.core.model import CI_JOBS, Loc, Model, model_problems

Reference = tuple[Loc, str, str]  # (location, problem, hint)

@dataclass(frozen=True)
class _Service:
    stack: str | None
    version: str | None
    builder: str | None
    base: str | None
    environments: list[str]
    callers: list[tuple[int, Any]]


@dataclass(frozen=True)
class _Facts:
    environments: list[Any]
    gate_job: Any
    bases: set[str]
    bases_written: bool
    services: dict[str, _Service]


def reference_problems(model: Model) -> list[Reference]:
    """The cross-reference problems of a valid model."""
    project = model.project
    return _check(_Facts(
        environments=project.environment_names(),
        gate_job=project.gate_job,
        bases=set(model.bases),
        bases_written=bool(model.bases),
        services={name: _Service(svc.stack, svc.version, svc.builder, svc.base,
                                 list(svc.environments), list(enumerate(svc.callers)))
                  for name, svc in model.services.items()},
    )) + model_problems(model) + cloud.problems(model)


def raw_reference_problems(data: Any) -> list[Reference]:
    """The same checks on plain data that failed the schema, as far as it can be read."""
    data = _mapping(data)
    project = _mapping(data.get("project"))
    environments = project.get("environments")
    names = [_mapping(env).get("name") for env in environments] \
        if isinstance(environments, list) else []
    bases = _mapping(data.get("bases"))
    services = {}
    for name, raw in _mapping(data.get("services")).items():
        svc = _mapping(raw)
        callers = svc.get("callers")
        services[str(name)] = _Service(
            _text(svc.get("stack")), _text(svc.get("version")), _text(svc.get("builder")),
            _text(svc.get("base")), [str(env) for env in _mapping(svc.get("environments"))],
            list(enumerate(callers)) if isinstance(callers, list) else [])
    return _check(_Facts(names, project.get("gate_job", "gate"), {str(b) for b in bases},
                         bool(bases), services))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _check(facts: _Facts) -> list[Reference]:
    problems: list[Reference] = []
    envs = facts.environments
    for index, env in enumerate(envs):
        if env is not None and env in envs[:index]:
            problems.append((("project", "environments", index, "name"),
                             f"environment {env!r} is declared twice",
                             "give each environment a unique name"))
    # build-N and publish-N: the chunked build of more than 256 services (matrix.py).
    if facts.gate_job in CI_JOBS or re.fullmatch(r"(?:build|publish)-[0-9]+",
                                                 str(facts.gate_job)):
        problems.append((("project", "gate_job"),
                         f"gate_job {facts.gate_job!r} is already a job of the CI workflow",
                         f"choose another name than: {', '.join(CI_JOBS)}, build-N, publish-N"))
    declared_envs = ", ".join(str(env) for env in envs)
    for name, service in facts.services.items():
        for env in service.environments:
            if env not in envs:
                problems.append((("services", name, "environments", env),
                                 f"no environment {env!r} in project.environments",
                                 f"use one of: {declared_envs}"))
        problems += _bases(facts, name, service)
        for index, caller in service.callers:
            if isinstance(caller, str) and caller not in facts.services:
                problems.append((("services", name, "callers", index),
                                 f"no service named {caller!r}",
                                 f"use one of: {', '.join(sorted(facts.services))}"))
    return problems


def _bases(facts: _Facts, name: str, service: _Service) -> list[Reference]:
    """Bases a service names that are not declared: its own choices one by one, the stack's
    defaults together, with the `bases:` lines that declare them."""
    stack = stacks.STACKS.get(service.stack or "")
    if stack is None or stack.bases is None:
        return []  # an own-Dockerfile stack (no bases) or an unknown stack (a schema error)
    default_builder, default_runtime = stack.bases
    declared = ", ".join(sorted(facts.bases)) or "none"
    problems: list[Reference] = []
    needed: list[str] = []
    for field, own, default in (("builder", service.builder, default_builder),
                                ("base", service.base, default_runtime)):
        if own is not None and own not in facts.bases:
            problems.append((("services", name, field),
                             f"{field} image {own!r} is not declared in bases",
                             f"add '{own}: <image>:<tag>' under bases (then `pipelinegen pin`"
                             f" adds its digest), or set {field} to one of: {declared}"))
        elif own is None and default not in facts.bases and default not in needed:
            needed.append(default)
    if needed:
        roles = {default_builder: "build stage", default_runtime: "runtime"}
        if default_builder == default_runtime:
            roles = {default_builder: "build stage and runtime"}
        wanted = " and ".join(f"{base!r} ({roles[base]})" for base in needed)
        problems.append((("services", name, "stack"),
                         f"stack {service.stack!r} needs the base image{'s' * (len(needed) > 1)}"
                         f" {wanted}, not declared in bases",
                         _bases_lines(needed, service, facts.bases_written)))
    return problems


def _bases_lines(names: list[str], service: _Service, merge: bool) -> str:
    lines = "".join(
        f"\n  {base}: " + stacks.base_image(base).image(service.version)
        for base in names)
    where = "add under your `bases:`" if merge else "add"
    return (f"{where} (then run `pipelinegen pin` to pin the digests):\nbases:{lines}")
