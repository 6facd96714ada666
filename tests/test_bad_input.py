"""Every bad services.yaml in tests/cases/bad exits 2 with file:line:col, the key and a hint,
shows no traceback, and leaves the output tree as it was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import RunCli
from tests.support.paths import CASES, MINIMAL
from tests.support.trees import read_tree

BAD = sorted((CASES / "bad").glob("*.yaml"))
EXPECT = re.compile(r"# expect: (?P<line>\d+):(?P<col>\d+) (?P<text>.+)")


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD) >= 25


@pytest.fixture
def generated_repo(tmp_path: Path, run_cli: RunCli) -> Path:
    """A repository whose generated files are current, so any write would show."""
    shutil.copy(MINIMAL, tmp_path / "services.yaml")
    assert run_cli("generate", "--file", tmp_path / "services.yaml").exit_code == 0
    return tmp_path


@pytest.mark.parametrize("case", BAD, ids=[p.stem for p in BAD])
def test_bad_input_is_reported_and_nothing_is_written(
    case: Path, generated_repo: Path, run_cli: RunCli
) -> None:
    expect = EXPECT.match(case.read_text().splitlines()[0] if case.read_text() else "")
    if case.stem == "empty":  # an empty file has no room for the expectation line
        expect = EXPECT.match("# expect: 1:1 empty")
    assert expect, f"{case} must start with '# expect: LINE:COL text'"
    shutil.copy(case, generated_repo / "services.yaml")
    before = read_tree(generated_repo)

    for command in ("generate", "check", "diff"):
        result = run_cli(command, "--file", generated_repo / "services.yaml")
        assert result.exit_code == 2, result.output
        where = f"services.yaml:{expect['line']}:{expect['col']}: [error] input:"
        # A problem is its line plus the indented hint line under it.
        problems = re.split(r"\n(?! )", result.stderr)
        located = [problem for problem in problems if problem.startswith(where)]
        assert located, f"no problem at {where} in:\n{result.stderr}"
        assert any(expect["text"] in problem for problem in located), result.stderr
        assert "hint: " in result.stderr
        assert "Traceback" not in result.output + result.stderr
        # Only a command that writes says that it wrote nothing; on check and diff it is noise.
        assert ("nothing was written" in result.stderr) == (command == "generate")

    assert read_tree(generated_repo) == {**before, "services.yaml": case.read_bytes()}


def test_every_problem_is_reported_at_once(tmp_path: Path, run_cli: RunCli) -> None:
    text = MINIMAL.read_text().replace("port: 8080", "port: 0").replace("port: 8081", "prot: 1")
    text = text.replace("    path: services/worker\n", "")
    (tmp_path / "services.yaml").write_text(text)
    result = run_cli("check", "--file", tmp_path / "services.yaml")
    assert result.exit_code == 2
    assert "services.api.port: Input should be greater than or equal to 1" in result.stderr
    assert "services.worker.prot: unknown key" in result.stderr
    assert "did you mean 'port'?" in result.stderr
    assert "services.worker.path: required key is missing" in result.stderr


def test_oversized_file_is_rejected(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "services.yaml").write_text(MINIMAL.read_text() + "#" * (1024 * 1024) + "\n")
    result = run_cli("generate", "--file", tmp_path / "services.yaml")
    assert result.exit_code == 2
    assert "services.yaml:1:1: [error] input: the file is" in result.stderr
    assert "limit" in result.stderr
    assert not (tmp_path / "generated").exists()


def test_invalid_utf8_is_rejected_with_its_line(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "services.yaml").write_bytes(b"version: 1\nproject:\n  name: \xff\n")
    result = run_cli("generate", "--file", tmp_path / "services.yaml")
    assert result.exit_code == 2
    assert "services.yaml:3:1: [error] input: the file is not valid UTF-8" in result.stderr


def test_missing_file_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("check", "--file", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert "cannot read the file" in result.stderr
