"""From the projects found to a first model: services, project settings and bases, every value
with the reason it was chosen (the comments `render` writes).

A directory with only a Dockerfile becomes a `stack: dockerfile` service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelinegen import stacks
from pipelinegen.adapters import git
from pipelinegen.core.errors import PipelinegenError
from pipelinegen.core.model import GITHUB_OWNER, REL_PATH
from pipelinegen.init import detect, links, ports
from pipelinegen.init.detect import Guess, Project
from pipelinegen.init.tree import Tree

# The `helm test` pod's image (project.test_base): non-root, with busybox wget.
HELM_TEST_BASE = "docker.io/nginxinc/nginx-unprivileged:1.27-alpine"
# Base names init can write: the stacks' default bases (their official images, pinned with
# `pipelinegen pin`) and the helm test pod's.
BASES = sorted({base for stack in stacks.STACKS.values() for base in stack.bases or ()}
               | {"helm-test"})
ENVIRONMENTS: list[dict[str, Any]] = [
    {"name": "dev", "namespace": "{name}-dev"},
    {"name": "staging", "namespace": "{name}-staging"},
    {"name": "production", "namespace": "{name}-prod", "approval": True},
]


@dataclass
class Draft:
    """One service as init writes it: its fields in the model's order, and a reason for each."""

    name: str
    fields: dict[str, Any] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # comment lines above the service

    def set(self, key: str, value: Any, why: str) -> None:
        self.fields[key] = value
        self.why[key] = why


@dataclass
class Scan:
    project: Draft
    bases: Draft
    services: list[Draft]
    skipped: list[tuple[str, str]]  # (directory, why it is not a service)
    shared: list[tuple[str, str]]  # (library directory, why it is one)


def scan(root: Path, base_overrides: dict[str, str] | None = None) -> Scan:
    tree = Tree(root)
    projects = detect.detect(tree)
    skipped: list[tuple[str, str]] = []
    chosen: list[tuple[Project, str]] = []
    for project in projects:
        stack, reason = _stack(project, [p for p, _ in chosen], len(projects))
        if stack is None:
            if reason:
                skipped.append((project.path or ".", reason))
        else:
            chosen.append((project, stack))
    service_dirs = {project.path for project, _ in chosen}
    libs = links.libraries(tree, projects, service_dirs)
    by_path = {project.path: project for project in projects}
    owners = links.codeowners(tree)
    known_ports = ports.deployed(tree)
    names = _names([project.path for project, _ in chosen])
    services = [_service(tree, project, stack, names[project.path], libs, by_path, owners,
                         known_ports) for project, stack in chosen]
    used = {path for draft in services for path in draft.fields.get("depends_on", [])}
    shared = [(lib.path, lib.why) for lib in libs if lib.path in used]
    skipped += [(lib.path, f"a library ({lib.why}) that no service uses") for lib in libs
                if lib.path not in used and lib.path in by_path]
    project_draft = _project(root, owners, services)
    users = {guess.value: guess.why for project, stack in chosen
             if stacks.get(stack).own_dockerfile
             and (guess := ports.uid_gid(tree, project)) is not None}
    if len(users) == 1 and (user := next(iter(users))) != (10001, 10001) and min(user) >= 10000:
        # The images pipelinegen generates must run as the same user as the ones it keeps.
        project_draft.set("defaults", {"uid": user[0], "gid": user[1]}, users[user])
    return Scan(project_draft, _bases(services, base_overrides or {}), services,
                sorted(skipped), shared)


def _stack(project: Project, chosen: list[Project], count: int) -> tuple[str | None, str]:
    """The stack a project is built with, or None and why it is not a service ("" to be
    silent: a monorepo's root manifest, tooling in hidden directories, a library)."""
    inside = [p.path for p in chosen if project.path.startswith(f"{p.path}/")]
    reason = ""
    if not project.path:
        if not (project.workspace or count > 1):
            reason = ("a service at the repository root: service paths are directories below"
                      " it; move it into one (e.g. app/) and run init again")
    elif not re.fullmatch(REL_PATH, project.path):
        pass
    elif inside:
        reason = f"inside the service directory {inside[0]}/ (part of its build)"
    elif project.entry is None:
        pass
    else:  # its manifest's stack (a directory with only a Dockerfile: stack: dockerfile)
        return project.kind, ""
    return None, reason


def _service(tree: Tree, project: Project, stack: str, name: str, libs: list[links.Library],
             by_path: dict[str, Project], owners: tuple[str, list[links.OwnerRule]] | None,
             known_ports: list[tuple[str, int, str]]) -> Draft:
    draft = Draft(name)
    draft.set("path", project.path, f"{project.manifest}: {project.entry}")
    _set_stack(draft, project, stack)
    found = ports.port(tree, project, name, known_ports) or Guess(
        stacks.get(stack).port, "no port found: the stack's usual one")
    draft.set("port", found.value, found.why)
    if project.command is not None:
        draft.set("command", project.command.value, project.command.why)
    if project.test is not None:
        draft.set("test", project.test.value, project.test.why)
        chain = stacks.get(stack).toolchain
        prefix = chain.test_prefix if chain is not None and chain.measures_coverage else ()
        if prefix and tuple(project.test.value[:len(prefix)]) != prefix:
            draft.set("min_coverage", 0, "CI's coverage gate wraps only"
                      f" `{' '.join(prefix)} ...` test commands")
    checked = ports.health(tree, project) or Guess("/healthz", "none found: serve 200 here")
    if speaks_grpc := ports.grpc(tree, project):
        # Probed by the standard gRPC health service, not an HTTP path.
        draft.set("protocol", "grpc", speaks_grpc)
    else:
        draft.set("health", checked.value, checked.why)
    needed = links.depends_on(tree, project, libs, by_path)
    if needed:
        draft.set("depends_on", list(needed), "; ".join(needed.values()))
    if owners is not None and (rule := links.owners_of(owners[1], project.path)):
        valid = [owner for owner in rule.owners if re.fullmatch(GITHUB_OWNER, owner)]
        if valid:
            draft.set("owners", valid, f"{owners[0]} line {rule.line}")
    draft.notes += _notes(tree, project, stack, str(checked.value))
    return draft


def _set_stack(draft: Draft, project: Project, stack: str) -> None:
    """The stack, its build tool and toolchain version (or the service's own Dockerfile)."""
    if stacks.get(stack).own_dockerfile:
        draft.set("stack", stack, "its own Dockerfile, nothing else to build from")
        draft.set("dockerfile", project.dockerfile or project.manifest, "kept as it is")
        return
    draft.set("stack", stack, f"from {project.manifest}")
    if project.build_tool is not None:
        draft.set("build_tool", project.build_tool.value, project.build_tool.why)
    if (chain := stacks.get(stack).toolchain) is not None:
        version = project.version or Guess(chain.default_version, "nothing says: the"
                                           " default of this version of pipelinegen")
        draft.set("version", str(version.value), version.why)
    if project.dockerfile:
        draft.notes.append(f"{project.dockerfile} was read for hints; pipelinegen generates"
                           f" generated/docker/{draft.name}.Dockerfile (stack: dockerfile keeps"
                           " yours)")


def _notes(tree: Tree, project: Project, stack: str, health: str) -> list[str]:
    """What the user must know or do that no field can say."""
    notes = []
    if reason := ports.grpc(tree, project):
        notes.append(f"gRPC: {reason}. The probes call the standard grpc.health.v1 Health"
                     " service: register it in the server (and set health_service to check"
                     " one service)")
    for missing in stacks.missing_in(tree.root, stack, project.path):
        notes.append(f"the {stack} stack's image needs {missing.path}: {missing.hint}")
    if uid := ports.uid_gid(tree, project) if stacks.get(stack).own_dockerfile else None:
        notes.append(f"runs as {uid.value[0]}:{uid.value[1]} ({uid.why})")
    return notes


def _names(paths: list[str]) -> dict[str, str]:
    """A DNS-1123 name per service directory: its last part, or more of the path when two
    directories share one."""
    names = {path: _label(path.rpartition("/")[2]) for path in paths}
    for path, name in list(names.items()):
        if sum(1 for other in names.values() if other == name) > 1:
            names[path] = _label(path.replace("/", "-"))
    return names


def _label(text: str) -> str:
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return re.sub(r"-+", "-", label)[:63].strip("-") or "service"


def _project(root: Path, owners: tuple[str, list[links.OwnerRule]] | None,
             services: list[Draft]) -> Draft:
    draft = Draft("project")
    repository = remote = _git_repository(root)
    if repository is None:
        name = _label(root.resolve().name)
        repository = Guess(f"{name}/{name}", "no GitHub remote found: set owner/name")
    owner, _, repo_name = str(repository.value).partition("/")
    name = _label(repo_name)
    draft.set("name", name, "the directory's name" if remote is None else f"from {remote.why}")
    draft.set("repository", repository.value, repository.why)
    branch = _git_branch(root)
    draft.set("default_branch", branch.value, branch.why)
    draft.set("registry", f"ghcr.io/{owner.lower()}", "GitHub's registry for the repository owner")
    draft.set("environments", [{key: value.format(name=name) if isinstance(value, str) else value
                                for key, value in env.items()} for env in ENVIRONMENTS],
              "a usual promotion order: rename, remove or add")
    everyone = {o for service in services for o in service.fields.get("owners", [])}
    if owners is not None and (rule := links.owners_of(owners[1], "")):
        valid = [o for o in rule.owners if re.fullmatch(GITHUB_OWNER, o)]
        if valid:
            draft.set("owners", valid, f"the default owners, {owners[0]} line {rule.line}")
            everyone.update(valid)
    if not everyone:
        draft.set("branch_protection", {"minimum_tier": 3},
                  "no CODEOWNERS found: name owners, then raise to 4 (code-owner review)")
    return draft


def _bases(services: list[Draft], overrides: dict[str, str]) -> Draft:
    draft = Draft("bases")
    used = {service.fields["stack"] for service in services}
    needed = {base for name in used for base in stacks.get(name).bases or ()}
    if services:
        needed.add("helm-test")  # every chart's test pod
    for base in sorted(needed):
        if base in overrides:
            draft.set(base, overrides[base], "given with --base")
        elif base == "helm-test":
            draft.set(base, HELM_TEST_BASE, "the helm test pod's image")
        else:
            draft.set(base, _base_image(base, services), f"the official {base} image")
    return draft


def _base_image(base: str, services: list[Draft]) -> str:
    """The stack's official image at the highest version its services name."""
    suggested = stacks.base_image(base)
    version = max((str(s.fields["version"]) for s in services
                   if s.fields["stack"] == suggested.stack), key=_version_key,
                  default=suggested.default_version)
    return suggested.image(version)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", version))


def _git_repository(root: Path) -> Guess | None:
    try:
        url = git.run(["remote", "get-url", "origin"], root).strip()
    except PipelinegenError:
        return None
    found = re.search(r"github\.com[:/]([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$", url)
    return Guess(f"{found.group(1)}/{found.group(2)}", "the git remote origin") if found else None


def _git_branch(root: Path) -> Guess:
    for args, why in ((["symbolic-ref", "--short", "refs/remotes/origin/HEAD"], "origin's HEAD"),
                      (["symbolic-ref", "--short", "HEAD"], "the branch checked out")):
        try:
            branch = git.run(args, root).strip().removeprefix("origin/")
        except PipelinegenError:
            continue
        if branch:
            return Guess(branch, why)
    return Guess("main", "no git branch found")
