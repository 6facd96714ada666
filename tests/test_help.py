"""Every command's --help has an example, and `explain` gives each rule's why and examples."""

from __future__ import annotations

import click
import pytest

from pipelinegen import validate
from pipelinegen.cli import cli
from tests.support.cli import RunCli


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += commands(command, (*prefix, name))
    return found


@pytest.mark.parametrize("path", commands(cli), ids=" ".join)
def test_every_command_help_has_an_example(run_cli: RunCli, path: tuple[str, ...]) -> None:
    result = run_cli(*path, "--help")
    assert result.exit_code == 0
    examples = result.output.split("\n  Examples:\n")[1].splitlines()
    assert examples and all(line.startswith("    ") and "pipelinegen " in line
                            for line in examples)
    assert any(f"pipelinegen {' '.join(path)}" in line for line in examples), examples


@pytest.mark.parametrize("rule_id", list(validate.RULES))
def test_explain_gives_the_why_and_both_examples(run_cli: RunCli, rule_id: str) -> None:
    result = run_cli("explain", rule_id)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == rule_id
    assert validate.RULES[rule_id].summary.startswith(lines[2])
    assert any(line.startswith("Passes:") for line in lines)
    assert any(line.startswith("Fails:") for line in lines)


def test_explain_an_unknown_rule(run_cli: RunCli) -> None:
    result = run_cli("explain", "pinned-bases")
    assert result.exit_code == 2
    assert "unknown rule: pinned-bases" in result.output and "pinned-base," in result.output
