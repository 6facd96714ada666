"""The generated `Test <service>` steps, run as GitHub runs them (bash -e -o pipefail, from the
service's directory, with the step's env, RUNNER_TEMP and GITHUB_STEP_SUMMARY), on the bundled
demo services with the real toolchains: coverage.py (python), Node's test coverage (node),
`go test -coverprofile` (go) and `-C instrument-coverage` with llvm-cov (rust: in a container of
Debian's rustc-web and its LLVM tools, laid out as rustup's llvm-tools component lays them out).
Each passes at the bundled minimum and fails, with the same figure in the job summary, once the
minimum is set above what its tests reach."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipelinegen.emit.workflows import matrix
from pipelinegen.workspace import Workspace
from tests.support import bases, workflow_models
from tests.support.gitrepo import REPO_ROOT

# What the demo tests reach, measured with each tool (the figure each step prints).
REACHED = {"api": 88.2, "worker": 50.0, "web": 98.0, "renderer": 91.9, "imposer": 83.1}
# Services whose toolchain this machine lacks: their step runs in a test base that has it.
IN_CONTAINER = {"imposer": "rust-coverage"}


def holds(condition: str, leg: dict[str, str]) -> bool:
    """A step's `if:` of `matrix.X == 'v'` / `!= 'v'` terms joined by &&, for one matrix leg."""
    results = []
    for term in condition.split(" && "):
        found = re.fullmatch(r"matrix\.(\w+) (==|!=) '(.*)'", term)
        assert found, condition
        key, operator, value = found.groups()
        results.append((leg[key] == value) == (operator == "=="))
    return all(results)


def leg_values(text: str, leg: dict[str, str]) -> str:
    return re.sub(r"\$\{\{ matrix\.(\w+) \}\}", lambda m: leg[m.group(1)], text)


def generated_test_step(ci_yml: str, ws: Workspace, service: str) -> dict[str, Any]:
    """The one test step the service's matrix leg runs, with the leg's values filled in."""
    ci = YAML(typ="safe").load(ci_yml)
    leg = matrix.entry(ws.model, service)
    (step,) = [s for s in ci["jobs"]["build"]["steps"]
               if s["name"].startswith("Test (") and holds(s["if"], leg)]
    env = {key: leg_values(value, leg) for key, value in step["env"].items()}
    return {**step, "env": {**env, "SERVICE": service},
            "working-directory": leg_values(step["working-directory"], leg)}


def bundled_step(service: str) -> dict[str, Any]:
    return generated_test_step(workflow_models.bundled()[".github/workflows/ci.yml"],
                               Workspace.locate(REPO_ROOT / "services.yaml", REPO_ROOT), service)


def step_with_minimum(service: str, minimum: float, tmp: Path) -> dict[str, str]:
    """The step generated from the bundled model with this service's min_coverage changed."""
    text = (REPO_ROOT / "services.yaml").read_text()
    text = re.sub(rf"(\n  {service}:\n(?:    .*\n)*?)    min_coverage: .*\n",
                  r"\1", text)  # the bundled override, if any, gives way
    block = re.search(rf"\n  {service}:\n    path: .*\n", text)
    assert block is not None
    text = text[:block.end()] + f"    min_coverage: {minimum}\n" + text[block.end():]
    (tmp / "services.yaml").write_text(text)
    shutil.copytree(REPO_ROOT / ".github", tmp / ".github", dirs_exist_ok=True)
    ws = Workspace.locate(tmp / "services.yaml", tmp)
    return generated_test_step(workflow_models.workflows(ws)[".github/workflows/ci.yml"], ws,
                               service)


@dataclass
class Ran:
    code: int
    output: str
    summary: str


def run_step(step: dict[str, Any], tmp: Path) -> Ran:
    if step["env"]["SERVICE"] in IN_CONTAINER:
        return run_step_in_container(step, tmp, IN_CONTAINER[step["env"]["SERVICE"]])
    env = {key: value.replace("${{ github.workspace }}", str(REPO_ROOT))
           for key, value in step.get("env", {}).items()}
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir()
    summary = tmp / "summary.md"
    summary.touch()
    bin_dir = Path(sys.executable).parent  # `python` is the venv's, as setup-python provides
    done = subprocess.run(
        # GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=REPO_ROOT / step["working-directory"],
        env={**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
             "RUNNER_TEMP": str(runner_temp), "GITHUB_STEP_SUMMARY": str(summary),
             "GITHUB_WORKSPACE": str(REPO_ROOT),
             "npm_config_cache": str(tmp / "npm"), "PYTHONDONTWRITEBYTECODE": "1",
             "GOCACHE": str(tmp / "go-build"), "GOFLAGS": "-modcacherw",
             "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        capture_output=True, text=True, check=False, timeout=300,
    )
    return Ran(done.returncode, done.stdout + done.stderr, summary.read_text())


def run_step_in_container(step: dict[str, Any], tmp: Path, base: str) -> Ran:
    """The step in a test base, on a copy of the service's directory (the build writes in it),
    with no network: the service's locked dependencies are all it may use."""
    workspace = tmp / "workspace"
    shutil.copytree(REPO_ROOT / step["working-directory"], workspace / step["working-directory"],
                    ignore=shutil.ignore_patterns("target"))
    (tmp / "runner-temp").mkdir()
    (tmp / "summary.md").touch()
    env = {**step["env"], "RUNNER_TEMP": "/w/runner-temp", "GITHUB_STEP_SUMMARY": "/w/summary.md",
           "GITHUB_WORKSPACE": "/w/workspace"}
    done = subprocess.run(
        [bases.docker_cli(), "run", "--rm", "--network", "none", "-v", f"{tmp}:/w",
         "-w", f"/w/workspace/{step['working-directory']}",
         *(f"--env={key}={value}" for key, value in env.items()), bases.ensure(base),
         "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        capture_output=True, text=True, check=False, timeout=300)
    return Ran(done.returncode, done.stdout + done.stderr, (tmp / "summary.md").read_text())


@pytest.mark.parametrize("service", sorted(REACHED))
def test_generated_test_step_passes_at_the_bundled_minimum(service: str, tmp_path: Path) -> None:
    step = bundled_step(service)
    minimum = float(step["env"]["MIN_COVERAGE"])
    assert minimum <= REACHED[service]
    ran = run_step(step, tmp_path)
    assert ran.code == 0, ran.output
    assert ran.summary == (f"Line coverage of {service}: {REACHED[service]}%"
                           f" (minimum {step['env']['MIN_COVERAGE']}%): passed\n")
    assert f"meets the minimum of {step['env']['MIN_COVERAGE']}%" in ran.output


@pytest.mark.parametrize("service", sorted(REACHED))
def test_generated_test_step_fails_below_the_minimum(service: str, tmp_path: Path) -> None:
    minimum = round(REACHED[service] + 0.1, 1)  # just above what the tests reach
    step = step_with_minimum(service, minimum, tmp_path)
    assert step["env"]["MIN_COVERAGE"] == f"{minimum:g}"
    ran = run_step(step, tmp_path)
    assert ran.code == 1, ran.output
    assert ran.summary == (f"Line coverage of {service}: {REACHED[service]}%"
                           f" (minimum {minimum:g}%): failed\n")
    assert (f"::error::line coverage {REACHED[service]}% is below the minimum of {minimum:g}%"
            in ran.output)


def test_a_failing_test_fails_the_step_before_the_gate(tmp_path: Path) -> None:
    """A broken test, not only low coverage, fails the step (and writes no coverage figure)."""
    shutil.copytree(REPO_ROOT / "services" / "web", tmp_path / "web")
    (tmp_path / "web" / "test" / "broken.test.js").write_text(
        "const test = require('node:test');\nconst assert = require('node:assert');\n"
        "test('broken', () => assert.strictEqual(1, 2));\n")
    step = {**bundled_step("web"), "working-directory": str(tmp_path / "web")}
    ran = run_step(step, tmp_path)
    assert ran.code != 0
    assert ran.summary == ""
    assert "broken" in ran.output


def test_minimum_zero_runs_the_tests_without_coverage(tmp_path: Path) -> None:
    step = step_with_minimum("web", 0, tmp_path)
    assert step["env"]["MIN_COVERAGE"] == ""
    assert step["env"]["TEST"] == "node --test"
    ran = run_step(step, tmp_path)
    assert ran.code == 0, ran.output
    assert ran.summary == ""


def test_python_services_get_their_shared_packages_on_pythonpath() -> None:
    for service in ("api", "worker"):
        assert bundled_step(service)["env"]["SHARED"] == "packages/printcore"
    assert "SHARED" not in bundled_step("web")["env"]
