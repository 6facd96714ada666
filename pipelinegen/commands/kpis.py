"""`pipelinegen kpis`: read the history, compute the figures, print them; exit 1 on a miss."""

from __future__ import annotations

import re
from datetime import date

from pipelinegen.adapters.github import GitHub, api_url
from pipelinegen.commands import Echo
from pipelinegen.core.errors import FindingsError, PipelinegenError
from pipelinegen.core.model import BRANCH, DNS_LABEL, GITHUB_REPO
from pipelinegen.kpis import fetch, figures, render

WORKFLOW_FILE = r"^[A-Za-z0-9_.-]+\.ya?ml$"


def parse_since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PipelinegenError(f"--since {text!r} is not a date", "e.g. --since 2026-11-01")\
            from None


def _check(value: str | None, pattern: str, option: str, example: str) -> None:
    if value is not None and not re.fullmatch(pattern, value):
        raise PipelinegenError(f"{option} {value!r} is not valid", f"e.g. {option} {example}")


def run(repo: str, since: str | None, branch: str | None, workflow: str, production: str,
        fmt: str, url: str | None, echo: Echo) -> None:
    _check(repo, GITHUB_REPO, "--repo", "acme/platform")
    _check(branch, BRANCH, "--branch", "main")
    _check(workflow, WORKFLOW_FILE, "--workflow", "ci.yml")
    _check(production, DNS_LABEL, "--production", "production")
    start = parse_since(since)
    with GitHub(api_url(url), fetch.token()) as github:
        history = fetch.read(github, repo, workflow, branch, start)
    report = render.Report(repo, history.branch, workflow, start.isoformat() if start else None,
                           len(history.runs), len(history.deployments),
                           figures.figures(history.runs, history.deployments, production))
    echo(render.FORMATS[fmt](report), nl=False)
    missed = report.missed()
    if missed:
        raise FindingsError(f"{len(missed)} of the charter's targets missed: "
                            + ", ".join(f.name for f in missed))
