"""The generated `Test <service>` steps, run as GitHub would (bash -e, from the service's
directory, with the step's env), pass on the bundled demo services. Go is not installed on this
machine, so the Python and Node services are the ones run here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests import workflow_models
from tests.gitrepo import REPO_ROOT


def generated_test_step(service: str) -> dict[str, str]:
    ci = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/ci.yml"])
    (step,) = [s for s in ci["jobs"]["build"]["steps"] if s["name"] == f"Test {service}"]
    assert step["if"] == f"matrix.service == '{service}'"
    return dict(step)


@pytest.mark.parametrize("service", ["api", "worker", "web"])
def test_generated_test_step_passes(service: str, tmp_path: Path) -> None:
    step = generated_test_step(service)
    env = {key: value.replace("${{ github.workspace }}", str(REPO_ROOT))
           for key, value in step.get("env", {}).items()}
    bin_dir = Path(sys.executable).parent  # `python` is the venv's, as setup-python provides
    done = subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=REPO_ROOT / step["working-directory"],
        env={**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
             "npm_config_cache": str(tmp_path / "npm"), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_python_services_get_their_shared_packages_on_pythonpath() -> None:
    for service in ("api", "worker"):
        assert generated_test_step(service)["env"] == {
            "PYTHONPATH": "${{ github.workspace }}/packages/printcore"}
    assert "env" not in generated_test_step("web")
