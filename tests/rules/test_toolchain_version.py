"""CI's toolchain version and the image's come from one model value (issue 12, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from pipelinegen import toolchain
from tests.support.cli import RunCli
from tests.support.paths import MINIMAL

PY311 = "registry.example.invalid/python:3.11-slim-bookworm@sha256:" + "5" * 64


def model(tmp_path: Path, version: str | None) -> Path:
    text = MINIMAL.read_text()
    text = text.replace("  python: registry.example.invalid/python:3.12@", "  python-old: "
                        f"{PY311}\n  python: registry.example.invalid/python:3.12@")
    text = text.replace("    stack: python\n", "    stack: python\n    base: python-old\n"
                        "    builder: python-old\n" + (f'    version: "{version}"\n'
                                                       if version else ""), 1)
    (tmp_path / "services.yaml").write_text(text)
    return tmp_path / "services.yaml"


def python_versions(root: Path) -> dict[str, str]:
    """service -> the python version its matrix leg sets up, as `affected --format matrix` says."""
    from pipelinegen.emit.workflows import matrix
    from pipelinegen.workspace import Workspace

    ci = YAML(typ="safe").load((root / ".github/workflows/ci.yml").read_text())
    (setup,) = [s for s in ci["jobs"]["build"]["steps"] if s["name"] == "Set up python"]
    assert setup["if"] == "matrix.toolchain == 'python'"
    assert setup["with"]["python-version"] == "${{ matrix.version }}"
    model = Workspace.locate(root / "services.yaml", root).model
    legs = [matrix.entry(model, name) for name in sorted(model.services)]
    return {leg["service"]: leg["version"] for leg in legs if leg["toolchain"] == "python"}


def test_without_a_version_ci_tests_on_the_version_the_base_runs(
        tmp_path: Path, run_cli: RunCli) -> None:
    done = run_cli("generate", "--file", model(tmp_path, None))
    assert done.exit_code == 0, done.stderr
    assert python_versions(tmp_path) == {"api": "3.11", "worker": "3.12"}


def test_validate_reports_a_version_that_disagrees_with_the_base_tag(
        tmp_path: Path, run_cli: RunCli) -> None:
    file = model(tmp_path, "3.12")
    assert run_cli("generate", "--file", file).exit_code == 0
    done = run_cli("validate", "--file", file, "--rule", "toolchain-version")
    assert done.exit_code == 1
    line = next(n for n, text in enumerate(file.read_text().splitlines(), 1)
                if text == '    version: "3.12"')
    assert (f"services.yaml:{line}:14: [error] toolchain-version: services.api: version 3.12"
            " (CI) disagrees with base python-old (registry.example.invalid/python:"
            "3.11-slim-bookworm), which is 3.11") in done.output
    assert 'set version to "3.11"' in done.output


def test_an_agreeing_version_passes(tmp_path: Path, run_cli: RunCli) -> None:
    file = model(tmp_path, "3.11")
    assert run_cli("generate", "--file", file).exit_code == 0
    assert run_cli("validate", "--file", file, "--rule", "toolchain-version").exit_code == 0


@pytest.mark.parametrize(("ref", "version"), [
    ("python:3.12-slim-bookworm@sha256:" + "1" * 64, "3.12"),
    ("golang:1.25-bookworm", "1.25"), ("node:22", "22"),
    ("127.0.0.1:5000/x/python:3.11.9", "3.11.9"),
    ("gcr.io/distroless/static-debian12:nonroot", None), ("python:3f2a9b1c0d4e", None),
    ("python", None),
])
def test_tag_versions(ref: str, version: str | None) -> None:
    assert toolchain.tag_version(ref) == version
