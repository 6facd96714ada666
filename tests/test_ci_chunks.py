"""ci.yml past GitHub's 256 jobs per matrix: the build is split into chunks, each leg carries its
service's settings, and the workflow's size does not depend on the number of services."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import load
from pipelinegen.emit.workflows import matrix
from pipelinegen.workspace import Workspace
from tests.support.gitrepo import REPO_ROOT
from tests.support.tools import tool
from tests.support.workflow_models import synthetic_repo


def ci_text(ws: Workspace) -> str:
    return ws.plan.files[".github/workflows/ci.yml"].decode()


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return synthetic_repo(tmp_path_factory.mktemp("large") / "repo", 300)


def test_more_than_256_services_build_in_chunks(large: Workspace) -> None:
    jobs = YAML(typ="safe").load(ci_text(large))["jobs"]
    assert [job for job in jobs if job.startswith(("build", "publish"))] == [
        "build-1", "build-2", "publish-1", "publish-2"]
    for index in (1, 2):
        output = f"needs.changes.outputs.chunk-{index}"
        assert jobs[f"build-{index}"]["strategy"]["matrix"] == {
            "include": f"${{{{ fromJSON({output}) }}}}"}
        assert jobs[f"build-{index}"]["if"] == f"{output} != '[]'"
        assert jobs[f"publish-{index}"]["needs"] == ["changes", f"build-{index}"]
        assert jobs["changes"]["outputs"][f"chunk-{index}"] == (
            f"${{{{ steps.affected.outputs.chunk-{index} }}}}")
    assert jobs["gate"]["needs"] == ["changes", "build-1", "publish-1", "build-2", "publish-2"]


def test_the_chunked_workflow_passes_actionlint(large: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "ci.yml"
    path.write_text(ci_text(large))
    done = subprocess.run([tool("actionlint"), "-shellcheck", tool("shellcheck"), "-no-color",
                           str(path)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "")


def test_the_workflow_grows_with_the_chunks_not_the_services(large: Workspace,
                                                             tmp_path: Path) -> None:
    fewer = synthetic_repo(tmp_path / "fewer", 260)
    assert len(ci_text(fewer)) == len(ci_text(large))  # two chunks each
    one = synthetic_repo(tmp_path / "one", 40)
    per_chunk = len(ci_text(large)) - len(ci_text(one))
    assert 0 < per_chunk < 15_000


def test_the_entries_of_a_change_fill_every_chunk_in_order(large: Workspace) -> None:
    model = large.model
    names = sorted(model.services)
    lines = matrix.github_output(model, names[::-1]).splitlines()
    assert [line.split("=", 1)[0] for line in lines] == ["chunk-1", "chunk-2"]
    chunks = [json.loads(line.split("=", 1)[1]) for line in lines]
    assert [len(chunk) for chunk in chunks] == [256, 44]
    assert [entry["service"] for chunk in chunks for entry in chunk] == names
    few = matrix.github_output(model, names[:3]).splitlines()
    assert few[1] == "chunk-2=[]"  # its jobs are skipped


def test_an_entry_carries_what_the_leg_needs(large: Workspace) -> None:
    model = large.model
    python = matrix.entry(model, "svc-0000")
    assert python["toolchain"] == "python" and python["version"] == "3.12"
    assert python["path"] == "services/svc-0000"
    assert python["dockerfile"] == "generated/docker/svc-0000.Dockerfile"
    assert python["context"] == "."
    assert python["shared"] == ":".join(model.services["svc-0000"].depends_on)
    assert "python -m coverage run --source=. -m unittest discover -s tests" in python["test"]
    static = matrix.entry(model, "svc-0003")
    assert (static["toolchain"], static["test"], static["min_coverage"]) == ("", "", "")


def gate(ws: Workspace) -> tuple[str, dict[str, str]]:
    jobs = YAML(typ="safe").load(ci_text(ws))["jobs"]
    step = jobs["gate"]["steps"][0]
    return step["run"], step["env"]


@pytest.mark.parametrize(("second", "build_2", "passes"), [
    ("[]", "skipped", True),  # an empty chunk's jobs skip, as intended
    ('[{"service": "svc-0299"}]', "skipped", False),  # a chunk with services must build
    ('[{"service": "svc-0299"}]', "success", True),
    ("[]", "failure", False),
])
def test_the_gate_judges_each_chunk(large: Workspace, second: str, build_2: str,
                                    passes: bool) -> None:
    script, env = gate(large)
    values = {"EVENT": "pull_request", "REF": "refs/pull/1/merge", "DEFAULT_BRANCH": "main",
              "CHANGES": "success", "SERVICES_1": '[{"service": "svc-0000"}]',
              "BUILD_1": "success", "PUBLISH_1": "skipped", "SERVICES_2": second,
              "BUILD_2": build_2, "PUBLISH_2": "skipped"}
    assert set(values) == set(env)
    done = subprocess.run(["bash", "-e", "-c", script], env={**os.environ, **values},
                          capture_output=True, text=True, check=False)
    assert (done.returncode == 0) is passes, done.stdout + done.stderr


def test_a_gate_named_like_a_chunk_job_is_a_located_input_error() -> None:
    from pipelinegen.errors import InputError

    text = (REPO_ROOT / "services.yaml").read_text().replace(
        "  default_branch: main\n", "  default_branch: main\n  gate_job: build-2\n")
    with pytest.raises(InputError) as raised:
        load.loads(text.encode(), "services.yaml")
    assert any("gate_job 'build-2' is already a job" in p.message for p in raised.value.problems)
