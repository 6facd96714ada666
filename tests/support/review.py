"""Helpers of the review tests: a real git repository with the bundled example, golden files,
and the model edits the tests make (each a real edit of services.yaml)."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelinegen.cli import cli
from pipelinegen.inputs import Inputs

PROJECT_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parents[1] / "review" / "golden"
REFRESH = "PIPELINEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/review"


class Repo:
    """A temporary repository: edit services.yaml, regenerate, commit, review."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.services = path / "services.yaml"

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
        return done.stdout

    def replace(self, old: str, new: str) -> None:
        text = self.services.read_text()
        assert text.count(old) == 1, f"expected {old!r} once in services.yaml"
        self.services.write_text(text.replace(old, new))

    def pipelinegen(self, *args: str) -> str:
        result = CliRunner().invoke(cli, [*args, "--file", str(self.services)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    def generate(self) -> None:
        self.pipelinegen("generate", "--force")

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def review(self, *args: str) -> str:
        return self.pipelinegen("diff", *args)


def make_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """The bundled services.yaml, generated and committed as the first commit on main."""
    for name, value in (("GIT_AUTHOR_NAME", "Reviewer"), ("GIT_AUTHOR_EMAIL", "r@example.com"),
                        ("GIT_COMMITTER_NAME", "Reviewer"),
                        ("GIT_COMMITTER_EMAIL", "r@example.com"),
                        ("GIT_CONFIG_GLOBAL", os.devnull), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(name, value)
    path = tmp_path / "monorepo"
    path.mkdir()
    shutil.copy(PROJECT_ROOT / "services.yaml", path / "services.yaml")
    created = Repo(path)
    created.git("init", "-q", "-b", "main")
    created.generate()
    created.commit("Printloop services")
    return created


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/review/golden/<name>.md; refresh them all with REFRESH."""
    path = GOLDEN / f"{name}.md"
    if os.environ.get("PIPELINEGEN_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
        return
    expected = path.read_text() if path.exists() else ""
    if text != expected:
        delta = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                             f"{path.name} (golden)", f"{path.name} (now)"))
        pytest.fail(f"{path} differs from the output:\n{delta}\nIf the new output is right, "
                    f"refresh the golden files: {REFRESH}", pytrace=False)


# The Go toolchain image at an older, also published digest (Go 1.25.1; see /work/pins).
GO_BEFORE = "3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437"
GO_AFTER = "c4bc0741e3c79c0e2d47ca2505a06f5f2a44682ada94e1dba251a3854e60c2bd"

NOTIFIER = """
  notifier:
    path: services/notifier
    stack: python
    version: "3.12"
    port: 8085
    command: [python, -m, notifier]
    owners: ["@printloop/backend"]
"""

DOCS = """
  docs:
    path: services/docs
    stack: static
    port: 8080
    health: /healthz
    image_size_budget: 30MB
    owners: ["@printloop/docs"]
    slos:
      availability: {}
    deploy:
      replicas: 2
      resources:
        requests: {cpu: 10m, memory: 16Mi}
        limits: {cpu: 100m, memory: 64Mi}
      ingress:
        host: help.printloop.example
"""


def add_service(repo: Repo) -> None:
    repo.services.write_text(repo.services.read_text() + NOTIFIER)


def remove_service(repo: Repo) -> None:
    repo.replace(DOCS, "")


def rename_service(repo: Repo) -> None:
    repo.replace(DOCS, DOCS.replace("  docs:", "  help:").replace("services/docs", "services/help"))


def change_replicas(repo: Repo) -> None:
    repo.replace("    deploy:\n      replicas: 2\n      resources:\n        requests: {cpu: 100m",
                 "    deploy:\n      replicas: 3\n      resources:\n        requests: {cpu: 100m")


def change_base_digest(repo: Repo) -> None:
    repo.replace(GO_BEFORE, GO_AFTER)


def change_strategy(repo: Repo) -> None:
    repo.replace("      namespace: printloop-staging\n      strategy: canary",
                 "      namespace: printloop-staging\n      strategy: blue-green")


def change_nothing(repo: Repo) -> None:
    del repo


Edit = Callable[[Repo], None]


def sample_emitter(inputs: Inputs) -> dict[str, str]:
    """Files per service, the way the Dockerfile and chart emitters lay them out: proves that
    any emitter's output is attributed to its service and reviewed without the review knowing it."""
    model = inputs.model
    files = {}
    for name, service in model.services.items():
        _builder, runtime = service.base_names()
        image = model.bases.get(runtime or "", "own Dockerfile")
        files[f"generated/sample/{name}.txt"] = (
            f"service {name}\nimage {image}\nreplicas {service.deploy.replicas}\n"
        )
        for env in model.project.environments:
            files[f"generated/sample/{name}/values-{env.name}.txt"] = (
                f"namespace {env.namespace}\nstrategy {env.strategy}\n"
                f"replicas {service.deploy_for(env.name).replicas}\n"
            )
    files["generated/sample/environments.txt"] = "".join(
        f"{env.name} {env.strategy}\n" for env in model.project.environments
    )
    return files
