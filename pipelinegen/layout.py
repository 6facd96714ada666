"""Where pipelinegen may write and delete: its own output locations, and what is never its own.

A manifest is input that anyone can edit, so the paths it lists are not trusted: `generate`
deletes an orphan only if this version of pipelinegen could itself have generated that path and
it is not a source (the services file, anything under .git/, a service's or a shared package's
files). `plan.build` refuses an emitter whose path falls outside these locations, so the list
below cannot fall behind the emitters.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipelinegen.model import Model

# pipelinegen's own directory: everything in it is generated (the manifest and the lock too).
DIRECTORY = "generated/"
# Directories whose every file pipelinegen generates (a module per service and environment).
DIRECTORIES = (DIRECTORY, "infra/terraform/", "docs/SRE/")
# Generated files outside generated/, by exact path.
FILES = frozenset({
    ".github/CODEOWNERS",
    ".github/dependabot.yml",
    ".github/rulesets/pipelinegen-branch-protection.json",
    ".github/workflows/ci.yml",
    ".github/workflows/codeql.yml",
    ".github/workflows/deploy.yml",
    ".github/workflows/pipelinegen.yml",
    ".github/workflows/rescan.yml",
    "SECURITY.md",
    "docs/devops/deployment.md",
    "docs/devops/emergency.md",
    "docs/devops/environments.md",
    "specs/diff.schema.json",
    "specs/services.schema.json",
})
LOCK = "generated/.pipelinegen.lock"


def is_output_location(path: str) -> bool:
    """Whether this version of pipelinegen can generate `path` (a normalised relative path)."""
    return path in FILES or (path.startswith(DIRECTORIES) and ".git" not in path.split("/"))


def sources(model: Model, source: str) -> list[str]:
    """Paths that are never pipelinegen's to delete: the services file, .git, service sources."""
    paths = {source, ".git"}
    for service in model.services.values():
        paths.add(service.path)
        paths.update(service.depends_on)
        if service.dockerfile is not None:
            paths.add(service.dockerfile)
    return sorted(paths)


def why_not_deletable(path: str, protected: Iterable[str]) -> str | None:
    """None if `generate` may delete this orphan; else the reason it may not."""
    if path == LOCK:
        return "it is pipelinegen's lock file"
    for kept in protected:
        if path == kept:
            return f"it is {kept}, a source pipelinegen never deletes"
        if path.startswith(f"{kept}/"):
            return f"it is inside {kept}, a source pipelinegen never deletes"
    if ".git" in path.split("/"):
        return "it is inside .git"
    if not is_output_location(path):
        return "pipelinegen never generates a file there"
    return None
