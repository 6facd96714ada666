"""A change of deploy settings only (replicas, env, resources, egress, callers...) deploys the
image that runs now: no rebuild, rescan or push. Shown on real git repositories, with the
generated step run by bash against the recording helm stand-in, and in the review comment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from pipelinegen.affected import split
from pipelinegen.review.render_markdown import DEPLOY_ONLY
from tests.support import workflow_models
from tests.support.changes import API_FILE, PY_DIGEST, both, edit, write
from tests.support.cli import RunCli
from tests.support.gitrepo import commit_all, example_repo, git
from tests.support.paths import REPO

REDIS_DIGEST = "ff02b58f971e7d7d156a1267e283fcbbeee91773b6aa36c49dac28ecfe28eadf"

FAKES = Path(__file__).parent / "support" / "fakes"
S = "sha256:" + "5" * 64

CASES: dict[str, tuple[Callable[[Path], None], list[str], list[str]]] = {
    # name: (change, affected, deploy only)
    "replicas": (edit("services.yaml", "replicas: 4", "replicas: 5"), ["renderer"], ["renderer"]),
    "env of one environment": (edit("services.yaml", "env: {LOG_LEVEL: debug}",
                                    "env: {LOG_LEVEL: warning}"), ["api"], ["api"]),
    "resources": (edit("services.yaml", "requests: {cpu: 250m, memory: 256Mi}",
                       "requests: {cpu: 300m, memory: 256Mi}"), ["renderer"], ["renderer"]),
    "callers": (edit("services.yaml", "callers: [worker]", "callers: [worker, web]"),
                ["renderer"], ["renderer"]),
    "own values file": (write("deploy/values/web-dev.yaml", "replicas: 2\n"), ["web"], ["web"]),
    "code": (write(API_FILE, "x = 1\n"), ["api"], []),
    "port": (edit("services.yaml", "port: 8090", "port: 8091"), ["renderer"], []),
    "replicas and command": (both(edit("services.yaml", "replicas: 4", "replicas: 5"),
                                  edit("services.yaml", "command: [/app/renderer]",
                                       "command: [/app/renderer, -v]")), ["renderer"], []),
    "replicas and code": (both(edit("services.yaml", "replicas: 4", "replicas: 5"),
                               write("services/renderer/extra.go", "package main\n")),
                          ["renderer"], []),
    "base digest": (edit("services.yaml", PY_DIGEST, "1" * 64),
                    ["api", "courier", "stock", "worker"], []),
    "uses": (edit("services.yaml", "    uses: [cache]", "    uses: []"), ["api"], ["api"]),
    "the backing image's digest": (edit("services.yaml", REDIS_DIGEST, "2" * 64), ["api"],
                                   ["api"]),
    "a backing service's args": (edit("services.yaml", '--protected-mode, "no"',
                                      '--protected-mode, "no", --maxmemory, 64mb'),
                                 ["api"], ["api"]),
    "runtime files": (edit("services.yaml", "files: [templates/]", "files: [templates/, go.mod]"),
                      ["renderer"], []),
    "runtime packages": (edit("services.yaml", "    command: [python, -m, worker]\n",
                              "    command: [python, -m, worker]\n"
                              "    packages: {runtime: [tzdata]}\n"), ["worker"], []),
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = example_repo(tmp_path_factory.mktemp("deploy-only") / "repo")
    return root, git(root, "rev-parse", "HEAD")


@pytest.mark.parametrize("name", list(CASES))
def test_deploy_settings_alone_need_no_build(repo: tuple[Path, str], name: str) -> None:
    root, base = repo
    change, every, deploy_only = CASES[name]
    git(root, "checkout", "-q", "-B", f"case-{abs(hash(name))}", base)
    change(root)
    head = commit_all(root, name)
    assert split(root, "services.yaml", base, head) == (every, deploy_only)
    git(root, "checkout", "-q", "--detach", base)


def test_the_ci_builds_only_what_needs_an_image() -> None:
    ci = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/ci.yml"])
    jobs = ci["jobs"]
    for job in ("build", "publish"):
        assert jobs[job]["strategy"]["matrix"]["include"] == (
            "${{ fromJSON(needs.changes.outputs.chunk-1) }}")
        assert "needs.changes.outputs.chunk-1 != '[]'" in jobs[job]["if"]
    assert jobs["gate"]["steps"][0]["env"]["SERVICES"] == "${{ needs.changes.outputs.chunk-1 }}"
    assert jobs["deploy"]["with"]["services"] == "${{ needs.changes.outputs.services }}"
    assert jobs["deploy"]["with"]["redeploy"] == "${{ needs.changes.outputs.redeploy }}"
    script = jobs["changes"]["steps"][-1]["run"]
    assert "--only build" in script and "--only deploy-only" in script
    assert "--only build --format matrix" in script  # the chunks hold the build list only


def _resolve(tmp_path: Path, environment: str, release: dict[str, Any],
             redeploy: str) -> tuple[int, str, str]:
    deploy = YAML(typ="safe").load(workflow_models.bundled()[".github/workflows/deploy.yml"])
    [step] = [s for s in deploy["jobs"][f"deploy-{environment}"]["steps"]
              if s.get("id") == "image"]
    # Any image lookup would need docker: a stand-in that fails shows none happens.
    nodocker = tmp_path / "nodocker"
    nodocker.mkdir(exist_ok=True)
    (nodocker / "docker").write_text("#!/bin/sh\necho 'docker was called' >&2\nexit 99\n")
    (nodocker / "docker").chmod(0o755)
    (tmp_path / "state.json").write_text(json.dumps({"api": [release]}))
    output = tmp_path / "output"
    output.write_text("")
    env = {**os.environ, **step["env"], "SERVICE": "api", "REDEPLOY": redeploy,
           "GITHUB_SHA": "f" * 40, "GITHUB_OUTPUT": str(output),
           "PATH": f"{nodocker}{os.pathsep}{FAKES}{os.pathsep}{os.environ['PATH']}",
           "HELM_STATE": str(tmp_path / "state.json"), "HELM_LOG": str(tmp_path / "log")}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          env=env, capture_output=True, text=True, check=False)
    return done.returncode, output.read_text(), done.stdout + done.stderr


@pytest.mark.parametrize(("environment", "release"), [
    ("dev", {"image": {"digest": S}}),
    ("staging", {"image": {"digest": S}, "canary": {"digest": ""}}),
    ("production", {"blueGreen": {"active": "green", "blue": {"digest": "sha256:" + "0" * 64},
                                  "green": {"digest": S}}}),
])
def test_a_deploy_only_service_deploys_its_running_digest(tmp_path: Path, environment: str,
                                                          release: dict[str, Any]) -> None:
    code, output, log = _resolve(tmp_path, environment, release, '["api","web"]')
    assert code == 0, log
    assert output == f"digest={S}\n"
    assert "no rebuild" in log and "docker was called" not in log


def test_a_built_service_still_looks_its_commit_image_up(tmp_path: Path) -> None:
    code, _, log = _resolve(tmp_path, "dev", {"image": {"digest": S}}, '["web"]')
    assert code == 99 and "docker was called" in log


def test_a_deploy_only_service_without_a_running_digest_fails_clearly(tmp_path: Path) -> None:
    code, _, log = _resolve(tmp_path, "dev", {}, '["api"]')
    assert code == 1 and "runs no image by digest in printloop-dev" in log


def _review(tmp_path: Path, run_cli: RunCli, old: str, new: str) -> str:
    before, after = tmp_path / "before.yaml", tmp_path / "after.yaml"
    text = (REPO / "services.yaml").read_text()
    shutil.copy(REPO / "services.yaml", before)
    assert old in text
    after.write_text(text.replace(old, new, 1))
    result = run_cli("diff", "--old", before, "--new", after, "--format", "markdown")
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_review_says_a_replicas_change_deploys_without_a_rebuild(tmp_path: Path,
                                                                     run_cli: RunCli) -> None:
    comment = _review(tmp_path, run_cli, "replicas: 4", "replicas: 5")
    section = comment[comment.index("#### `renderer`"):]
    assert section.split("\n\n")[1] == DEPLOY_ONLY
    assert "no rebuild, rescan or push" in DEPLOY_ONLY


def test_the_review_does_not_say_so_for_a_port_change(tmp_path: Path, run_cli: RunCli) -> None:
    comment = _review(tmp_path, run_cli, "port: 8090", "port: 8091")
    assert "#### `renderer`" in comment and DEPLOY_ONLY not in comment
