"""validate rule pinned-actions: any unpinned `uses:` in the repository, located."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.gitrepo import REPO_ROOT

SHA = "08c6903cd8c0fde910a37f88322edcfb5dd907a8"

HAND_WRITTEN = f"""\
name: release
on: push
permissions: {{}}
jobs:
  one:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@{SHA} # v5.0.0
      - name: tagged
        uses: actions/checkout@v4
      - uses: ./local/action
      - uses: docker://alpine@sha256:{"a" * 64}
      - uses: docker://alpine:3.20
  two:
    uses: acme/workflows/.github/workflows/build.yml@main
"""

COMPOSITE = """\
name: composite
runs:
  using: composite
  steps:
    - uses: "actions/setup-node@v4.4.0"
"""


def validate(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipelinegen", "validate", "--rule",
                           "pinned-actions", "--format", "text", "--file",
                           str(root / "services.yaml")], capture_output=True, text=True,
                          check=False)


def test_unpinned_uses_are_reported_at_their_line_and_column(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "services.yaml", tmp_path / "services.yaml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "release.yaml").write_text(HAND_WRITTEN)
    action = tmp_path / "tools" / "setup"
    action.mkdir(parents=True)
    (action / "action.yml").write_text(COMPOSITE)
    (tmp_path / "node_modules" / "x").mkdir(parents=True)  # third-party code is not ours
    (tmp_path / "node_modules" / "x" / "action.yml").write_text(COMPOSITE)
    done = validate(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    found = [line.split(": [error] pinned-actions:")[0] for line in done.stdout.splitlines()
             if "[error] pinned-actions" in line]
    assert found == [
        ".github/workflows/release.yaml:10:15",
        ".github/workflows/release.yaml:13:15",
        ".github/workflows/release.yaml:15:11",
        "tools/setup/action.yml:5:13",
    ]
    assert "`uses: actions/checkout@v4` is not pinned to a commit SHA" in done.stdout
    assert "pipelinegen pin-actions actions/checkout@<tag>" in done.stdout


def test_the_generated_workflows_pass(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "services.yaml", tmp_path / "services.yaml")
    generate = subprocess.run([sys.executable, "-m", "pipelinegen", "generate", "--file",
                               str(tmp_path / "services.yaml")], capture_output=True, text=True,
                              check=False)
    assert generate.returncode == 0, generate.stderr
    assert (tmp_path / ".github" / "workflows" / "ci.yml").is_file()
    done = validate(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_unparseable_workflow_is_a_located_problem(tmp_path: Path) -> None:
    shutil.copy(REPO_ROOT / "services.yaml", tmp_path / "services.yaml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "broken.yml").write_text("jobs:\n  a: [\n")
    done = validate(tmp_path)
    assert done.returncode == 1
    assert ".github/workflows/broken.yml:3:1: [error] pinned-actions: cannot parse" in done.stdout
