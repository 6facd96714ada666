"""`pipelinegen pin-actions`: resolve each locked action's tag to a commit SHA with git.

`git ls-remote` works against any git server (GitHub, a mirror, a local bare repository), so
no API token is needed. An annotated tag points at a tag object, not a commit: the peeled
`refs/tags/<tag>^{}` line names the commit, and wins over the tag object's own SHA.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipelinegen.adapters import git
from pipelinegen.core import actions_lock
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.core.inputs import ActionPin
from pipelinegen.generation import workspace

DEFAULT_BASE_URL = "https://github.com"


@dataclass(frozen=True)
class Change:
    action: str
    old: ActionPin | None
    new: ActionPin

    def line(self) -> str:
        before = f"{self.old.tag} {self.old.sha[:12]}" if self.old else "(new)"
        return f"{self.action}: {before} -> {self.new.tag} {self.new.sha[:12]}"


def repository_url(base_url: str, action: str) -> str:
    """owner/repo[/path] -> <base>/owner/repo: an action in a subdirectory lives in its repo."""
    owner, repo = action.split("/")[:2]
    return f"{base_url.rstrip('/')}/{owner}/{repo}"


def resolve(base_url: str, action: str, tag: str) -> str:
    """The commit SHA the tag names, annotated tags dereferenced."""
    url = repository_url(base_url, action)
    ref = f"refs/tags/{tag}"
    out = git.run(["ls-remote", "--tags", url, ref, f"{ref}^{{}}"])
    found: dict[str, str] = {}
    for line in out.splitlines():
        sha, _, name = line.partition("\t")
        found[name] = sha
    peeled = found.get(f"{ref}^{{}}") or found.get(ref)
    if peeled is None:
        raise PipelinegenError(f"{action}: no tag {tag!r} in {url}",
                               "check the tag on the action's releases page")
    return peeled


def parse_requests(requests: tuple[str, ...]) -> dict[str, str]:
    """ACTION@TAG arguments -> {action: tag}."""
    wanted: dict[str, str] = {}
    for request in requests:
        action, sep, tag = request.partition("@")
        if not sep or not actions_lock.ACTION.match(action) or not actions_lock.TAG.match(tag):
            raise PipelinegenError(f"{request!r} is not ACTION@TAG",
                                   "write e.g. actions/checkout@v5.0.0")
        wanted[action] = tag
    return wanted


def pin(root: Path, requests: tuple[str, ...], base_url: str, *, check: bool) -> list[Change]:
    """Resolve every locked action (plus the requested ones) and rewrite the lock.

    With `check`, write nothing and raise FindingsError (exit 1) if the lock is not current.
    """
    current = workspace.actions_at(workspace.disk_reader(root), "")
    tags = {name: pin.tag for name, pin in current.items()} | parse_requests(requests)
    resolved = {name: ActionPin(name, tag, resolve(base_url, name, tag))
                for name, tag in sorted(tags.items())}
    changes = [Change(name, current.get(name), new) for name, new in resolved.items()
               if current.get(name) != new]
    text = actions_lock.dumps(resolved)
    lock = root / actions_lock.LOCK
    on_disk = lock.read_text(encoding="utf-8") if lock.is_file() else None
    if check:
        if changes or on_disk != text:
            detail = "; ".join(c.line() for c in changes) or f"{actions_lock.LOCK} is missing"
            raise FindingsError(f"the action lock is not current: {detail}",
                                "run `pipelinegen pin-actions`, then `pipelinegen generate`")
        return changes
    if on_disk != text:
        from pipelinegen.generation.writer import write_atomic

        write_atomic(lock, text.encode())
    return changes
