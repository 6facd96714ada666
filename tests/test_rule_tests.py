"""Each validate rule has its own test module, tests/rules/test_<rule id>.py (dashes as
underscores), and every module there belongs to a registered rule: a new rule without its tests
fails here."""

from __future__ import annotations

from pathlib import Path

from pipelinegen import validate

RULE_TESTS = Path(__file__).resolve().parent / "rules"


def test_the_rule_test_modules_are_the_registered_rules() -> None:
    modules = {path.stem.removeprefix("test_") for path in RULE_TESTS.glob("test_*.py")}
    assert modules == {rule_id.replace("-", "_") for rule_id in validate.RULES}
