"""`pipelinegen affected`: the services a git change affects, so CI builds only those.

A service is affected when, between the base and head commits:
- a file changes under its path, one of its `depends_on` paths, its own Dockerfile (stack
  dockerfile), its generated Dockerfile or chart (a new pipelinegen version can change those
  without a model change), or its own values files (deploy/values/<svc>-<env>.yaml); a rename
  counts for its old and its new path;
- its entry under `services` changes, or it is new;
- a base image it builds from or runs on (after stack defaults) is added, removed or changed;
- anything in `project` except `branch_protection` and `cost`, or the `version`, changes: every
  service (registry, environments and defaults shape every service's build and deploy).
Cost settings (budgets, utilisation, the pricing profile) change no file and rebuild nothing.
A service that no longer exists at head is never listed (there is nothing to build). Without a
usable base (the all-zero SHA of a new branch, or no valid services file at base) every service
is affected.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipelinegen.adapters import git
from pipelinegen.core import layout, load
from pipelinegen.core.errors import InputError, PipelinegenError
from pipelinegen.core.model import Model
from pipelinegen.impact import redeploy

NO_COMMIT = re.compile(r"^0{40}$")


def affected(root: Path, source: str, base: str, head: str = "HEAD") -> list[str]:
    """Sorted names of the services at `head` that the change base..head affects."""
    return split(root, source, base, head)[0]


def split(root: Path, source: str, base: str, head: str = "HEAD") -> tuple[list[str], list[str]]:
    """(affected, deploy only): the affected services, and those of them whose change shapes
    no image (deploy settings, callers, owners, own values files, their charts) so that the
    image running now is deployed again, without a rebuild."""
    head_model = load.loads(_show(root, head, source, required=True) or b"", source)
    if NO_COMMIT.match(base):
        return sorted(head_model.services), []
    base_model = _model_at(root, base, source)
    if base_model is None:
        return sorted(head_model.services), []
    changed = changed_paths(root, base, head)
    names = set(by_paths(head_model, changed))
    rebuild = set(by_paths(head_model, changed, image_only=True))
    if source in changed:
        by_entry = by_model(base_model, head_model)
        names |= by_entry
        rebuild |= {name for name in by_entry if name not in base_model.services
                    or not redeploy.deploy_only(base_model.services[name],
                                                head_model.services[name])
                    or by_model_inherited(base_model, head_model, name)}
    return sorted(names), sorted(names - rebuild)


def by_model_inherited(base: Model, head: Model, name: str) -> bool:
    """Whether the service is affected through the project or a base it uses."""
    if base.version != head.version or base.project.model_dump(
        exclude={"branch_protection"}
    ) != head.project.model_dump(exclude={"branch_protection"}):
        return True
    changed_bases = {b for b in set(base.bases) | set(head.bases)
                     if base.bases.get(b) != head.bases.get(b)}
    return bool(changed_bases & head.services[name].image_bases())


def removed(root: Path, source: str, base: str, head: str = "HEAD") -> list[str]:
    """Sorted names of the services at `base` that `head` no longer has (removed or renamed):
    their releases are the ones deploys uninstall. Without a usable base, none."""
    head_model = load.loads(_show(root, head, source, required=True) or b"", source)
    base_model = None if NO_COMMIT.match(base) else _model_at(root, base, source)
    if base_model is None:
        return []
    return sorted(set(base_model.services) - set(head_model.services))


def changed_paths(root: Path, base: str, head: str) -> set[str]:
    """Paths (relative to root) that differ between the commits; both sides of a rename."""
    out = git.run(["diff", "--name-status", "-z", "-M", "--relative", base, head, "--"], root)
    fields = out.split("\0")
    paths: set[str] = set()
    index = 0
    while index < len(fields) and fields[index]:
        status = fields[index]
        count = 2 if status[0] in "RC" else 1
        paths.update(fields[index + 1 : index + 1 + count])
        index += 1 + count
    return paths


def by_paths(model: Model, changed: set[str], *, image_only: bool = False) -> set[str]:
    """Services owning a changed path; with image_only, only the paths their image is built
    from (not the chart or the own values files)."""
    names: set[str] = set()
    for name, service in model.services.items():
        spec = layout.image_source(model, name)
        # A Dockerfile's own .dockerignore (BuildKit reads it beside the Dockerfile) counts too.
        owned = [service.path, *service.depends_on, spec.dockerfile,
                 f"{spec.dockerfile}.dockerignore", *service.generated_sources()]
        if not image_only:
            # The chart of a backing service it uses too: deploying the user (its image as it
            # runs) runs the deploy workflow, whose first job upgrades the backing services.
            owned += [layout.chart_dir(name), *(layout.chart_dir(used) for used in service.uses),
                      *(layout.own_values(name, env) for env in model.project.environment_names())]
        if any(_under(path, prefix) for path in changed for prefix in owned):
            names.add(name)
    return names


def by_model(base: Model, head: Model) -> set[str]:
    """Services at head whose model (own entry, bases used, project) differs from base's."""
    ignored = {"branch_protection", "cost"}
    if base.version != head.version or base.project.model_dump(
        exclude=ignored
    ) != head.project.model_dump(exclude=ignored):
        return set(head.services)
    changed_bases = {name for name in set(base.bases) | set(head.bases)
                     if base.bases.get(name) != head.bases.get(name)}
    # A backing service's entry or image changed: its users deploy (and with them the backing
    # services' job of the deploy workflow).
    changed_backing = {name for name in set(base.backing) | set(head.backing)
                       if base.backing.get(name) != head.backing.get(name)
                       or (name in head.backing and head.backing[name].image in changed_bases)}
    names: set[str] = set()
    for name, service in head.services.items():
        before = base.services.get(name)
        if (before is None or before.model_copy(update={"cost": service.cost}) != service
                or changed_bases & service.image_bases()
                or changed_backing & set(service.uses)):
            names.add(name)
    return names


def render(names: list[str], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(names, separators=(",", ":")) + "\n"
    return "".join(f"{name}\n" for name in names)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _model_at(root: Path, ref: str, source: str) -> Model | None:
    raw = _show(root, ref, source, required=False)
    if raw is None:
        return None
    try:
        return load.loads(raw, f"{ref}:{source}")
    except InputError:
        return None  # an invalid model at base: nothing to compare with, rebuild everything


def _show(root: Path, ref: str, source: str, *, required: bool) -> bytes | None:
    """The services file as committed at ref; None if it did not exist there."""
    try:
        tree = git.GitTree.at(root, ref)
    except git.GitFailed:
        raise PipelinegenError(
            f"{ref!r} is not a commit of the repository at {root.name or root}",
            "fetch the history (actions/checkout with fetch-depth: 0) or pass an existing ref",
        ) from None
    raw = tree.read([source])[source]
    if raw is None and required:
        raise PipelinegenError(f"{source} does not exist at {ref}",
                               "pass --file with the services file's path at that commit")
    return raw
