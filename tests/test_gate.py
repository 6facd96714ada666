"""The required status check is a job that runs on every pull request, whatever changes,
and passes only when every job before it succeeded or was skipped on purpose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipelinegen.workspace import Workspace
from tests.support import workflow_models
from tests.support.gitrepo import REPO_ROOT

PATH_FILTERS = ("paths", "paths-ignore", "branches", "branches-ignore", "types")


def load(text: str) -> Any:
    return YAML(typ="safe").load(text)


Case = tuple[str, dict[str, Any], list[str]]  # gate job, workflows by path, required checks


@pytest.fixture(params=["bundled", "variant"])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Case:
    if request.param == "bundled":
        ws = Workspace.locate(REPO_ROOT / "services.yaml", REPO_ROOT)
    else:
        workflow_models.variant(tmp_path)
        ws = Workspace.locate(tmp_path / "config" / "services.yaml", tmp_path)
    gate = ws.model.project.gate_job
    workflows = {path: load(data.decode()) for path, data in ws.plan.files.items()
                 if path.startswith(".github/workflows/")}
    return gate, workflows, required_checks(ws.plan.files, gate)


def required_checks(files: dict[str, bytes], gate: str) -> list[str]:
    """The checks the generated rulesets require."""
    return [check["context"] for path, data in sorted(files.items())
            if path.startswith(".github/rulesets/") and path.endswith(".json")
            for rule in json.loads(data).get("rules", [])
            if rule.get("type") == "required_status_checks"
            for check in rule["parameters"]["required_status_checks"]]


def test_the_ruleset_requires_exactly_the_gate_the_workflows_produce(case: Case) -> None:
    gate, _workflows, checks = case
    assert checks == [gate]  # the variant renames the gate: ruleset and workflow follow together


def test_every_required_check_is_a_job_that_always_runs_on_pull_requests(case: Case) -> None:
    gate, workflows, checks = case
    for check in checks:
        producers = [(path, job_id, job) for path, flow in workflows.items()
                     for job_id, job in flow["jobs"].items() if job.get("name", job_id) == check]
        assert len(producers) == 1, f"{check} must be produced by exactly one job"
        path, job_id, job = producers[0]
        triggers = workflows[path]["on"]
        assert {"pull_request", "merge_group"} <= set(triggers)
        # A workflow-level filter would leave the check pending forever on other changes.
        for event in ("pull_request", "merge_group"):
            assert not set(triggers[event] or {}) & set(PATH_FILTERS), triggers[event]
        assert job_id == job["name"] == gate
        assert job["if"] == "always()"
        others = set(workflows[path]["jobs"]) - {job_id}
        after_gate = {other for other in others
                      if job_id in workflows[path]["jobs"][other].get("needs", [])}
        assert set(job["needs"]) == others - after_gate, "the gate must need every job"


def gate_script(workflows: dict[str, Any], gate: str) -> tuple[str, dict[str, str]]:
    step = workflows[".github/workflows/ci.yml"]["jobs"][gate]["steps"][0]
    return step["run"], step["env"]


# (event, ref, services, changes, build, publish) -> passes?
OUTCOMES = [
    ("pull_request", "refs/pull/1/merge", '["api"]', "success", "success", "skipped", True),
    ("pull_request", "refs/pull/1/merge", "[]", "success", "skipped", "skipped", True),
    ("pull_request", "refs/pull/1/merge", '["api"]', "success", "failure", "skipped", False),
    ("pull_request", "refs/pull/1/merge", '["api"]', "success", "skipped", "skipped", False),
    ("pull_request", "refs/pull/1/merge", '["api"]', "success", "cancelled", "skipped", False),
    ("pull_request", "refs/pull/1/merge", "", "failure", "skipped", "skipped", False),
    ("merge_group", "refs/heads/gh-readonly-queue/main/x", '["web"]', "success", "success",
     "skipped", True),
    ("push", "refs/heads/{branch}", '["api"]', "success", "success", "success", True),
    ("push", "refs/heads/{branch}", '["api"]', "success", "success", "skipped", False),
    ("push", "refs/heads/{branch}", '["api"]', "success", "success", "failure", False),
    ("push", "refs/heads/{branch}", "[]", "success", "skipped", "skipped", True),
]


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_gate_script_accepts_only_success_or_intended_skips(
    case: Case, outcome: tuple[Any, ...]
) -> None:
    gate, workflows, _ = case
    script, env = gate_script(workflows, gate)
    event, ref, services, changes, build, publish, passes = outcome
    values = {"SERVICES": services, "EVENT": event,
              "REF": ref.format(branch=env["DEFAULT_BRANCH"]),
              "DEFAULT_BRANCH": env["DEFAULT_BRANCH"], "CHANGES": changes, "BUILD": build,
              "PUBLISH": publish}
    assert set(values) == set(env)
    done = subprocess.run(["bash", "-e", "-c", script], env={**os.environ, **values},
                          capture_output=True, text=True, check=False)
    assert (done.returncode == 0) is passes, done.stdout + done.stderr


def test_gate_name_that_collides_with_a_ci_job_is_a_located_input_error(tmp_path: Path) -> None:
    text = (REPO_ROOT / "services.yaml").read_text().replace(
        "  default_branch: main\n", "  default_branch: main\n  gate_job: publish\n")
    (tmp_path / "services.yaml").write_text(text)
    line = text.splitlines().index("  gate_job: publish") + 1
    done = subprocess.run([sys.executable, "-m", "pipelinegen", "generate", "--file",
                           str(tmp_path / "services.yaml")], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 2
    assert f"services.yaml:{line}:13: [error] input: project.gate_job:" in done.stderr
    assert not (tmp_path / ".github").exists()
