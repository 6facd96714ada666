"""The package's layers hold (the import-linter contracts of pyproject.toml), and an upward
import breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO as PROJECT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, capture_output=True,
                          text=True, check=False)


def test_every_contract_is_kept() -> None:
    done = lint_imports(PROJECT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The layers of pipelinegen KEPT" in done.stdout
    assert "0 broken" in done.stdout


def test_an_upward_import_breaks_the_layers(tmp_path: Path) -> None:
    shutil.copytree(PROJECT / "pipelinegen", tmp_path / "pipelinegen",
                    ignore=shutil.ignore_patterns("__pycache__", "data"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    errors = tmp_path / "pipelinegen/core/errors.py"
    errors.write_text(errors.read_text() + "\nfrom pipelinegen.generation import plan\n")
    done = lint_imports(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "The layers of pipelinegen BROKEN" in done.stdout
    assert "pipelinegen.core.errors -> pipelinegen.generation.plan" in done.stdout
