"""Golden trees: for each tests/cases/<case>/services.yaml, the whole generated tree equals
tests/cases/<case>/expected/, both ways (no file missing, none extra, none different).

A change to any emitter shows here as a reviewable diff of the expected files. After checking
it, refresh them with the command in REFRESH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.cli import RunCli
from tests.support.paths import CASES
from tests.support.trees import read_tree, tree_differences

GOLDEN = sorted(path.parent for path in CASES.glob("*/services.yaml"))
REFRESH = "PIPELINEGEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_trees.py"


def test_there_are_golden_cases() -> None:
    assert [case.name for case in GOLDEN] == ["all-stacks", "minimal"]


@pytest.mark.parametrize("case", GOLDEN, ids=[case.name for case in GOLDEN])
def test_generated_tree_equals_the_golden_tree(
    case: Path, tmp_path: Path, run_cli: RunCli
) -> None:
    shutil.copy(case / "services.yaml", tmp_path / "services.yaml")
    result = run_cli("generate", "--file", tmp_path / "services.yaml")
    assert result.exit_code == 0, result.stderr
    produced = {path: data for path, data in read_tree(tmp_path).items()
                if path != "services.yaml"}
    expected_dir = case / "expected"
    if os.environ.get("PIPELINEGEN_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, data in produced.items():
            (expected_dir / path).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / path).write_bytes(data)
    expected = read_tree(expected_dir) if expected_dir.is_dir() else {}
    differences = tree_differences(expected, produced)
    assert not differences, "\n".join([*differences, f"refresh after review: {REFRESH}"])
