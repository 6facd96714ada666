"""Read a repository's CI runs and deployments from the GitHub REST API.

Through the branch-protection commands' client (pipelinegen.adapters.github): paginated by
the Link header, rate limits waited out (or failed at once when the wait is long), the token
only in the Authorization header. Deployments are GitHub's deployment objects (one per
environment job of the deploy workflow), with their statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pipelinegen.adapters.github import Access, GitHub, GitHubError
from pipelinegen.adapters.github import token as github_token
from pipelinegen.kpis.figures import Deployment, Run, Status

READ_ACTIONS = Access('repository permission "Actions" (read)')
READ_DEPLOYMENTS = Access('repository permission "Deployments" (read)')


def token() -> str:
    return github_token("kpis needs read access to the repository's Actions and Deployments")


@dataclass(frozen=True)
class History:
    branch: str
    runs: list[Run]
    deployments: list[Deployment]


def read(github: GitHub, repo: str, workflow: str, branch: str | None,
         since: date | None) -> History:
    base = f"/repos/{repo}"
    if branch is None:
        branch = str(_field(github.get(base), "default_branch", f"GET {base}"))
    params = {"branch": branch, "event": "push", "status": "completed"}
    if since is not None:
        params["created"] = f">={since.isoformat()}"
    runs_path = f"{base}/actions/workflows/{workflow}/runs"
    runs = [_run(item, runs_path) for item in
            github.get_all(runs_path, READ_ACTIONS, params=params, key="workflow_runs")]
    deployments: list[Deployment] = []
    for item in github.get_all(f"{base}/deployments", READ_DEPLOYMENTS):
        created = _time(item, "created_at", f"{base}/deployments")
        if since is not None and created.date() < since:
            continue  # GitHub cannot filter deployments by date
        number = int(_field(item, "id", f"{base}/deployments"))
        statuses_path = f"{base}/deployments/{number}/statuses"
        statuses = [_status(status, statuses_path)
                    for status in github.get_all(statuses_path, READ_DEPLOYMENTS)]
        deployments.append(Deployment(
            number, str(_field(item, "environment", statuses_path)),
            str(_field(item, "sha", statuses_path)), created,
            tuple(sorted(statuses, key=lambda s: s.at))))  # GitHub lists the newest first
    return History(branch, runs, deployments)


def _run(item: Any, path: str) -> Run:
    return Run(int(_field(item, "id", path)), str(item.get("conclusion") or ""),
               _time(item, "run_started_at", path), _time(item, "updated_at", path))


def _status(item: Any, path: str) -> Status:
    return Status(str(_field(item, "state", path)), _time(item, "created_at", path),
                  str(item.get("description") or ""))


def _field(item: Any, name: str, path: str) -> Any:
    if not isinstance(item, dict) or item.get(name) is None:
        raise GitHubError(f"GET {path}: an answer from GitHub has no {name!r}",
                          "check --api-url: it must be the REST API root")
    return item[name]


def _time(item: Any, name: str, path: str) -> datetime:
    text = _field(item, name, path)
    try:
        when = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise GitHubError(f"GET {path}: {name} {text!r} is not a time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
