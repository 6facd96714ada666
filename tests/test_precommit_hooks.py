"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit (`pre-commit try-repo`) from a
commit of this working tree, on a repository of the bundled example. pre-commit installs the
hook environment from PyPI, as it does for a user: a few minutes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import RunCli
from tests.support.gitrepo import commit_all, git
from tests.support.paths import REPO

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def snapshot_of_this_tree(target: Path) -> str:
    """This working tree (tracked and new files, .gitignore honoured) committed in a throwaway
    repository: pre-commit installs hooks from a commit."""
    listed = git(REPO, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for path in filter(None, listed):
        source = REPO / path
        if source.is_file():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / path)
    git(target, "init", "-q")
    return commit_all(target, "snapshot")


CHECK = "pipelinegen check (generated files are current)"
VALIDATE = "pipelinegen validate (the rules)"


def status(output: str) -> dict[str, str]:
    """Each hook's result as pre-commit prints it: `<name>.....<Passed|Failed>`."""
    return {line.split(".")[0]: line.rstrip().rsplit(".", 1)[-1]
            for line in output.splitlines() if line.startswith((CHECK, VALIDATE))}


def try_repo(target: Path, hooks: Path, rev: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([str(PRE_COMMIT), "try-repo", str(hooks), "--ref", rev, "--all-files"],
                          cwd=target, env=env, capture_output=True, text=True, check=False,
                          timeout=900)


@pytest.mark.slow
def test_pre_commit_runs_the_hooks_from_this_repository(example_repo: Path, run_cli: RunCli,
                                                        tmp_path: Path) -> None:
    assert PRE_COMMIT.is_file(), "pre-commit is in the test extra: pip install -e '.[test]'"
    hooks = tmp_path / "pipelinegen"
    hooks.mkdir()
    rev = snapshot_of_this_tree(hooks)
    assert run_cli("generate", "--file", example_repo / "services.yaml").exit_code == 0
    git(example_repo, "init", "-q")
    commit_all(example_repo, "services and their generated files")
    home = tmp_path / "pre-commit-home"

    passed = try_repo(example_repo, hooks, rev, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert status(passed.stdout) == {CHECK: "Passed", VALIDATE: "Passed"}

    # A hand edit of a generated file: check fails and says which file, validate still runs.
    values = example_repo / "generated/helm/api/values.yaml"
    values.write_text(values.read_text().replace("port: 8080", "port: 9090"))
    commit_all(example_repo, "tune a port by hand")
    failed = try_repo(example_repo, hooks, rev, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert status(failed.stdout) == {CHECK: "Failed", VALIDATE: "Failed"}
    assert re.search(r"^generated/helm/api/values\.yaml:\d+:1: \[error\] drift-hand-edited",
                     failed.stdout, re.MULTILINE), failed.stdout
    assert "[error] consistency" in failed.stdout
