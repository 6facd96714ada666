"""`project.ci.pipelinegen`: CI installs exactly the pipelinegen that writes the files."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import __version__
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL


def install_line(root: Path) -> str:
    ci = YAML(typ="safe").load((root / ".github/workflows/ci.yml").read_text())
    steps = ci["jobs"]["changes"]["steps"]
    return str(next(s for s in steps if s["name"] == "Install pipelinegen")["env"]["REQUIREMENT"])


def with_ci(tmp_path: Path, value: str | None) -> Path:
    text = MINIMAL.read_text()
    if value is not None:
        text = text.replace("\nbases:", f"\n  ci: {{pipelinegen: '{value}'}}\nbases:")
    (tmp_path / "services.yaml").write_text(text)
    return tmp_path / "services.yaml"


@pytest.mark.parametrize(("value", "requirement"), [
    (None, f"pipelinegen[docker]=={__version__}"),  # the index, at the running version
    (__version__, f"pipelinegen[docker]=={__version__}"),
    (".", ".[docker]"),  # the checkout: the repository is pipelinegen
    ("./tools/pipelinegen", "./tools/pipelinegen[docker]"),
])
def test_ci_installs_the_version_that_writes_the_manifest(
        tmp_path: Path, run_cli: RunCli, value: str | None, requirement: str) -> None:
    file = with_ci(tmp_path, value)
    done = run_cli("generate", "--file", file)
    assert done.exit_code == 0, done.stderr
    assert install_line(tmp_path) == requirement
    assert f'"version": "{__version__}"' in (
        tmp_path / "generated/.pipelinegen-manifest.json").read_text()


def test_another_version_is_refused_before_anything_is_written(
        tmp_path: Path, run_cli: RunCli) -> None:
    file = with_ci(tmp_path, "9.9.9")
    done = run_cli("generate", "--file", file)
    assert done.exit_code == 2
    assert f"CI installs pipelinegen 9.9.9, but this is pipelinegen {__version__}" in done.stderr
    assert "install pipelinegen==9.9.9 to generate" in done.stderr
    assert not (tmp_path / "generated").exists()


@pytest.mark.parametrize("value", ["pipelinegen[docker]==0.1.0",
                                   "git+https://github.com/acme/pipelinegen@main", "../up"])
def test_other_forms_are_input_errors(tmp_path: Path, run_cli: RunCli, value: str) -> None:
    done = run_cli("generate", "--file", with_ci(tmp_path, value))
    assert done.exit_code == 2 and "project.ci.pipelinegen" in done.stderr, done.stderr
