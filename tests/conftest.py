from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipelinegen.cli import cli

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
MINIMAL = CASES / "minimal" / "services.yaml"

RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Run pipelinegen in-process; exceptions that escape the handler fail the test."""

    def run(*args: str | Path) -> Result:
        return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def example_repo(tmp_path: Path) -> Path:
    """A scratch repository holding a copy of the bundled services.yaml and demo sources."""
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(REPO / "services.yaml", repo / "services.yaml")
    for folder in ("services", "packages"):
        shutil.copytree(REPO / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return repo
