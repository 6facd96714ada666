"""A deploy job's steps from noting the release to the summary, run in real bash in order, as
GitHub runs them: a failed smoke check rolls back to the revision that ran before, whatever
the strategy; the summary records service, environment, digest and revision. `helm` is the
recording stand-in of tests/support/fakes (no cluster here); bash and jq are real."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models

FAKES = Path(__file__).parent / "support" / "fakes"
D = "sha256:" + "d" * 64
S = "sha256:" + "5" * 64
LIVE = {  # what runs before the deploy, per strategy of the bundled environments
    "dev": [{"image": {"digest": S}}],
    "staging": [{"image": {"digest": S}}],
    "production": [{"blueGreen": {"active": "blue", "blue": {"digest": S}}}],
}
STRATEGY = {"dev": "rolling", "staging": "canary", "production": "blue-green"}


def job_steps(environment: str) -> dict[str, dict[str, Any]]:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    return {s["name"]: s for s in deploy["jobs"][f"deploy-{environment}"]["steps"]}


def run_job(tmp_path: Path, environment: str, live: list[dict[str, Any]] | None,
            smoke_fails: bool = False) -> tuple[list[str], dict[str, Any], str]:
    """Run the steps from 'Note the release' on; returns which failed, the state, summary."""
    steps = job_steps(environment)
    names = list(steps)
    state = tmp_path / "state.json"
    if live is not None:
        state.write_text(json.dumps({"api": live}))
    outputs: dict[str, str] = {"steps.image.outputs.digest": D}
    summary = tmp_path / "summary.md"
    failed: list[str] = []
    for name in names[names.index("Note the release running now"):]:
        step = steps[name]
        if failed and step.get("if") != "always()":
            continue
        env = {key: outputs.get(value.removeprefix("${{ ").removesuffix(" }}"), value)
               for key, value in step["env"].items()}
        env |= {"SERVICE": "api", "RESULT": "failure" if failed else "success"}
        out = tmp_path / "output"
        out.write_text("")
        script = tmp_path / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            env={**os.environ, **env, "PATH": f"{FAKES}{os.pathsep}{os.environ['PATH']}",
                 "HELM_STATE": str(state), "HELM_LOG": str(tmp_path / "helm.log"),
                 "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
                 **({"HELM_TEST_FAIL": "1"} if smoke_fails else {})},
            capture_output=True, text=True, check=False)
        for line in out.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[f"steps.{step.get('id')}.outputs.{key}"] = value
        if done.returncode:
            failed.append(name)
    final = json.loads(state.read_text()) if state.exists() else {}
    return failed, final, summary.read_text() if summary.exists() else ""


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_a_good_deploy_passes_its_smoke_check_and_is_recorded(tmp_path: Path,
                                                              environment: str) -> None:
    failed, state, summary = run_job(tmp_path, environment, LIVE[environment])
    assert failed == []
    revision = len(state["api"])
    assert f"| api | {environment} | `{D}` | {revision} | success |" in summary
    assert revision > 1  # the deploy added revisions on top of the live one


@pytest.mark.parametrize("environment", ["dev", "staging", "production"])
def test_a_failed_smoke_check_rolls_back_to_what_ran_before(tmp_path: Path,
                                                            environment: str) -> None:
    failed, state, summary = run_job(tmp_path, environment, LIVE[environment], smoke_fails=True)
    assert failed == ["Smoke check through the Service"], STRATEGY[environment]
    assert state["api"][-1] == LIVE[environment][0]  # revision 1 again, in every strategy
    calls = [json.loads(line) for line in (tmp_path / "helm.log").read_text().splitlines()]
    assert calls[-2][:3] == ["rollback", "api", "1"]  # then the summary's history
    assert f"| api | {environment} | `{D}` |" in summary and "| failure |" in summary


def test_a_failed_first_deploy_is_uninstalled(tmp_path: Path) -> None:
    failed, state, summary = run_job(tmp_path, "dev", None, smoke_fails=True)
    assert failed == ["Smoke check through the Service"]
    assert state == {}
    assert "| none | failure |" in summary


def test_the_steps_come_in_lifecycle_order() -> None:
    for environment in ("dev", "staging", "production"):
        names = list(job_steps(environment))
        roll = next(i for i, n in enumerate(names) if n.startswith("Roll out"))
        assert names[roll - 1] == "Note the release running now"
        assert names[roll + 1:] == ["Smoke check through the Service",
                                    "Record what was deployed"]
        assert job_steps(environment)["Record what was deployed"]["if"] == "always()"
