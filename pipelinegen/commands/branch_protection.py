"""`pipelinegen branch-protection check` and `apply`: the model against a live repository."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote

from pipelinegen.adapters.github import (
    READ_ADMIN,
    WRITE_ADMIN,
    GitHub,
    GitHubError,
    api_url,
    token,
)
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.core.model import BRANCH, GITHUB_REPO, Model
from pipelinegen.core.redact import redact
from pipelinegen.protection import live, policy, ruleset


def _token() -> str:
    return token("check needs read access to the repository's administration settings,"
                 " apply needs write access")


def _repo(given: str | None, model: Model) -> str:
    repo = given or model.project.repository
    if not re.fullmatch(GITHUB_REPO, repo):
        raise PipelinegenError(f"--repo {repo!r} is not OWNER/NAME", "e.g. --repo acme/platform")
    return repo


def read_live(github: GitHub, repo: str, branch: str) -> live.Live:
    """The branch's classic protection, active rules and their rulesets, normalised."""
    base = f"/repos/{repo}"
    ref = quote(branch, safe="/")
    try:
        classic = github.get(f"{base}/branches/{ref}/protection", READ_ADMIN)
    except GitHubError as exc:
        if exc.status != 404 or "not protected" not in exc.github_message.lower():
            raise
        classic = None  # GitHub answers 404 "Branch not protected" for a branch without it
    rules = github.get_all(f"{base}/rules/branches/{ref}")
    ids = sorted({rule["ruleset_id"] for rule in rules if isinstance(rule.get("ruleset_id"), int)})
    rulesets = {number: github.get(f"{base}/rulesets/{number}") for number in ids}
    return live.collect(classic, rules, rulesets)


def check(model: Model, repo: str | None, branch: str | None, url: str | None,
          echo: Callable[[str], None]) -> None:
    """Print every difference between the live protection and the model; exit 1 on any."""
    repo = _repo(repo, model)
    if branch is not None and not re.fullmatch(BRANCH, branch):
        raise PipelinegenError(f"--branch {branch!r} is not a branch name")
    branches = [branch] if branch else ruleset.protected_branches(model.project)
    want = policy.expected(model.project)
    found: list[str] = []
    with GitHub(api_url(url), _token()) as github:
        for name in branches:
            have = read_live(github, repo, name)
            found.extend(f"{repo} {name}: {line}" for line in live.differences(have, want))
    for line in found:  # what the server said, never a token it may have echoed
        echo(redact(line))
    if found:
        raise FindingsError(
            f"{len(found)} difference(s) between the live branch protection and the model",
            "run `pipelinegen branch-protection apply`, and remove classic protection or rulesets"
            " that enforce what the model does not")
    echo(f"{repo} {', '.join(branches)}: live branch protection matches the model"
               f" (Scorecard Branch-Protection tier {policy.tier(model)})")


def apply_ruleset(model: Model, repo: str | None, url: str | None, dry_run: bool,
          echo: Callable[[str], None]) -> None:
    """Create or update the repository ruleset named ruleset.NAME to the model's."""
    repo = _repo(repo, model)
    body = ruleset.ruleset(model.project)
    path = f"/repos/{repo}/rulesets"
    base = api_url(url)
    if dry_run:
        echo(f"dry run, nothing sent; apply would send to {base}:")
        echo(f"POST {path}")
        echo(f"(PUT {path}/<id> instead if a ruleset named {ruleset.NAME!r} exists)")
        echo(json.dumps(body, indent=2))
        return
    with GitHub(base, _token()) as github:
        existing = [
            item for item in github.get_all(path, params={"includes_parents": "false"})
            if item.get("name") == ruleset.NAME and item.get("source_type", "Repository")
            == "Repository"
        ]
        if existing:
            number = existing[0]["id"]
            github.send("PUT", f"{path}/{number}", body, WRITE_ADMIN)
            echo(f"updated ruleset {ruleset.NAME!r} (#{number}) in {repo}")
        else:
            created = github.send("POST", path, body, WRITE_ADMIN)
            number = (created or {}).get("id", "?")
            echo(f"created ruleset {ruleset.NAME!r} (#{number}) in {repo}")
