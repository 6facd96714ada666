"""The generated workflows pass the real linters: actionlint (with shellcheck), zizmor,
GitHub's workflow JSON schema (check-jsonschema's vendored copy) and act's parser."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.support import workflow_models
from tests.support.tools import tool


@pytest.fixture(scope="module", params=["bundled", "variant"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> list[Path]:
    root = tmp_path_factory.mktemp(request.param)
    files = (workflow_models.bundled() if request.param == "bundled"
             else workflow_models.variant(root / "src"))
    assert sorted(Path(p).name for p in files) == ["ci.yml", "codeql.yml", "deploy.yml",
                                                   "pipelinegen.yml", "rescan.yml"]
    return workflow_models.write(files, root)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, check=False, cwd=cwd)


def test_actionlint_reports_nothing(generated: list[Path]) -> None:
    done = run(tool("actionlint"), "-shellcheck", tool("shellcheck"), "-no-color",
               *map(str, generated))
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_shellcheck_is_really_consulted(tmp_path: Path) -> None:
    """Guards the test above: an unquoted variable must be reported (SC2086)."""
    bad = tmp_path / "bad.yml"
    bad.write_text("name: bad\non: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
                   "    steps:\n      - run: echo $HOME\n")
    done = run(tool("actionlint"), "-shellcheck", tool("shellcheck"), "-no-color", str(bad))
    assert done.returncode == 1 and "SC2086" in done.stdout


@pytest.mark.parametrize("persona", ["regular", "pedantic"])  # regular is the default
def test_zizmor_reports_nothing(generated: list[Path], persona: str) -> None:
    workflows = generated[0].parent
    done = run(tool("zizmor"), "--offline", "--persona", persona, "--format", "plain",
               str(workflows))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout, done.stdout


def test_zizmor_is_really_auditing(tmp_path: Path) -> None:
    """Guards the test above: an unpinned, template-injecting workflow is reported."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text("name: bad\non: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
                   "    steps:\n      - uses: actions/checkout@v4\n"
                   "      - run: echo ${{ github.event.pull_request.title }}\n")
    done = run(tool("zizmor"), "--offline", "--format", "plain", str(bad.parent))
    assert done.returncode != 0
    assert "dangerous-triggers" in done.stdout and "template-injection" in done.stdout


def test_github_workflow_schema_accepts_every_workflow(generated: list[Path]) -> None:
    done = run(tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
               *map(str, generated))
    assert done.returncode == 0, done.stdout + done.stderr


def test_act_lists_every_job(generated: list[Path]) -> None:
    for path in generated:
        done = run(tool("act"), "-l", "-W", str(path), cwd=path.parent.parent.parent)
        assert done.returncode == 0, done.stdout + done.stderr
        jobs = YAML(typ="safe").load(path.read_text())["jobs"]
        listed = {line.split()[1] for line in done.stdout.splitlines()[1:] if line.strip()}
        assert listed == set(jobs), (path.name, done.stdout)
