"""The workflow files on disk, read for the status checks their jobs report and when they run.

A job's check run is named by its `name:` or else its id. A required check that nothing reports
stays pending and blocks every pull request; one whose job is skipped reports success and lets a
failure through. So the job behind a required check must run on every pull request: no path
filter, a branch filter that covers the protected branches, the default activity types, and no
`if:` other than `always()` (a job with `needs:` needs it, or a failed dependency skips it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from pipelinegen.core import layout

WORKFLOWS = layout.WORKFLOWS
ALWAYS = {"always()", "!cancelled()"}
DEFAULT_TYPES = {"opened", "synchronize", "reopened"}


@dataclass(frozen=True)
class Finding:
    """Why one workflow or job cannot stand behind a required check, and where."""

    file: str
    line: int
    col: int
    message: str
    level: str = "error"


@dataclass(frozen=True)
class Job:
    file: str  # repository-relative
    job_id: str
    check_name: str  # the context its check run reports
    line: int
    col: int
    node: CommentedMap
    workflow: CommentedMap


def _position(node: Any, key: Any) -> tuple[int, int]:
    if isinstance(node, CommentedMap) and key in node:
        line, col = node.lc.key(key)
        return line + 1, col + 1
    return 1, 1


def read(root: Path) -> tuple[list[Job], list[Finding]]:
    """Every job of every workflow under .github/workflows, and files that could not be read."""
    jobs: list[Job] = []
    unreadable: list[Finding] = []
    folder = root / WORKFLOWS
    files = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")]) if folder.is_dir() else []
    for path in files:
        shown = path.relative_to(root).as_posix()
        try:
            data = YAML(typ="rt", pure=True).load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, YAMLError) as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            said = [getattr(exc, "context", None), getattr(exc, "problem", None)]
            reason = " ".join(str(part) for part in said if part) or " ".join(str(exc).split())
            unreadable.append(Finding(shown, line, col, f"cannot read the workflow: {reason}"))
            continue
        if not isinstance(data, CommentedMap) or not isinstance(data.get("jobs"), CommentedMap):
            continue
        for job_id, node in data["jobs"].items():
            if not isinstance(node, CommentedMap):
                continue
            name = node.get("name", job_id)
            line, col = _position(data["jobs"], job_id)
            jobs.append(Job(shown, str(job_id), str(name), line, col, node, data))
    return jobs, unreadable


def problems(job: Job, branches: list[str]) -> Iterator[Finding]:
    """What could leave this job's check pending or skipped on a pull request."""
    yield from _trigger_problems(job, branches)
    node = job.node
    if "${{" in job.check_name:
        yield Finding(job.file, job.line, job.col,
                      f"job {job.job_id}: its name is an expression, so its check name is not"
                      " known before it runs")
    strategy = node.get("strategy")
    if isinstance(strategy, dict) and "matrix" in strategy:
        yield Finding(job.file, job.line, job.col,
                      f"job {job.job_id}: a matrix job reports one check per combination,"
                      f" '{job.check_name} (...)', never '{job.check_name}'")
    condition = node.get("if")
    if condition is not None:
        text = re.sub(r"^\$\{\{\s*(.*?)\s*\}\}$", r"\1", str(condition).strip())
        if re.sub(r"\s+", "", text) not in ALWAYS:
            line, col = _position(node, "if")
            yield Finding(job.file, line, col,
                          f"job {job.job_id}: `if: {condition}` can skip it, and a skipped job"
                          " reports success; use `if: always()` and fail inside the job")
    elif node.get("needs"):
        yield Finding(job.file, job.line, job.col,
                      f"job {job.job_id}: it has `needs:` but no `if: always()`, so a failed"
                      " dependency skips it and the skipped check reports success")


def _trigger_problems(job: Job, branches: list[str]) -> Iterator[Finding]:
    workflow = job.workflow
    on = workflow.get("on")
    line, col = _position(workflow, "on")
    events = on if isinstance(on, CommentedMap) else {str(e): None for e in _as_list(on)}
    if "pull_request" not in events:
        yield Finding(job.file, line, col, "the workflow does not run on pull_request")
        return
    if "merge_group" not in events:
        yield Finding(job.file, line, col, "the workflow does not run on merge_group, so a"
                      " merge queue would wait for its required check forever", "warning")
    spec = events["pull_request"]
    if not isinstance(spec, CommentedMap):
        return
    for key in ("paths", "paths-ignore"):
        if key in spec:
            yield Finding(job.file, *_position(spec, key),
                          f"pull_request `{key}:` leaves the required check pending on pull"
                          " requests it filters out; detect changes inside a job instead")
    if "types" in spec and not {str(t) for t in _as_list(spec["types"])} >= DEFAULT_TYPES:
        yield Finding(job.file, *_position(spec, "types"),
                      "pull_request `types:` must include opened, synchronize and reopened, or"
                      " new pushes to a pull request leave the check stale")
    for branch in branches:
        if not _runs_for(spec, branch):
            yield Finding(job.file, *_position(spec, "branches" if "branches" in spec
                                                 else "branches-ignore"),
                          f"pull_request branch filters exclude pull requests into {branch}")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _runs_for(spec: CommentedMap, branch: str) -> bool:
    """GitHub's branch filters: the last matching pattern decides; '!' negates."""
    if "branches" in spec:
        included = False
        for pattern in (str(p) for p in _as_list(spec["branches"])):
            negated = pattern.startswith("!")
            if _glob(pattern.removeprefix("!"), branch):
                included = not negated
        return included
    return not any(_glob(str(p), branch) for p in _as_list(spec.get("branches-ignore")))


def _glob(pattern: str, name: str) -> bool:
    """GitHub filter glob: '**' matches anything, '*' anything but '/', '?' one character."""
    regex = ""
    for part in re.split(r"(\*\*|\*|\?)", pattern):
        regex += {"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.fullmatch(regex, name) is not None
