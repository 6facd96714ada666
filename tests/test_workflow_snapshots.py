"""Golden snapshots (syrupy) of the generated workflows; refresh them with
`python -m pytest tests/test_workflow_snapshots.py --snapshot-update` after a deliberate change."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from tests.support import workflow_models
from tests.support.gitrepo import REPO_ROOT


class YamlSnapshot(SingleFileSnapshotExtension):
    """One readable .yml file per workflow under tests/__snapshots__/."""

    _write_mode = WriteMode.TEXT
    file_extension = "yml"


@pytest.fixture
def yaml_snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return snapshot.use_extension(YamlSnapshot)


@pytest.mark.parametrize("name", ["ci.yml", "codeql.yml", "deploy.yml", "pipelinegen.yml",
                                  "rescan.yml"])
def test_bundled_example(name: str, yaml_snapshot: SnapshotAssertion) -> None:
    assert workflow_models.bundled()[f".github/workflows/{name}"] == yaml_snapshot


@pytest.mark.parametrize("name", ["ci.yml", "codeql.yml", "deploy.yml", "pipelinegen.yml",
                                  "rescan.yml"])
def test_variant(name: str, yaml_snapshot: SnapshotAssertion, tmp_path: Path) -> None:
    assert workflow_models.variant(tmp_path)[f".github/workflows/{name}"] == yaml_snapshot


def test_committed_workflows_are_the_generated_ones() -> None:
    for path, text in workflow_models.bundled().items():
        assert (REPO_ROOT / path).read_text() == text, f"{path}: run `pipelinegen generate`"


def test_same_bytes_under_different_hash_seeds() -> None:
    code = ("import sys; from tests.support import workflow_models as w;"
            "sys.stdout.write(''.join(k + v for k, v in sorted(w.bundled().items())))")
    outputs = {seed: subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT,
                                    env={**os.environ, "PYTHONHASHSEED": seed},
                                    capture_output=True, text=True, check=True).stdout
               for seed in ("0", "1")}
    assert outputs["0"] == outputs["1"] and outputs["0"]
