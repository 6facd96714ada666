from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import cli
from tests.support import github as loopback
from tests.support.cli import RunCli
from tests.support.github import GitHubServer
from tests.support.paths import REPO


@pytest.fixture
def run_cli() -> RunCli:
    """Run pipelinegen in-process; exceptions that escape the handler fail the test."""
    return cli.run_cli


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A scratch repository holding a copy of the bundled services.yaml and demo sources."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "services.yaml", repo / "services.yaml")
    for folder in ("services", "packages"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return repo


@pytest.fixture
def github() -> Iterator[GitHubServer]:
    """A loopback GitHub on 127.0.0.1 (tests/support/github.py)."""
    with loopback.serving() as server:
        yield server
