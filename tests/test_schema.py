"""specs/services.schema.json: exported from the model, complete, and in agreement with it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from tests.support.cli import RunCli
from tests.support.paths import CASES, REPO

SCHEMA = json.loads((REPO / "specs" / "services.schema.json").read_text())
# Bad inputs a JSON Schema can express (cross-references and YAML-level faults it cannot).
SCHEMA_REJECTS = [
    "unknown-top-key", "unknown-service-key", "port-as-string", "port-out-of-range",
    "service-name-uppercase", "service-name-underscore", "path-absolute", "path-escapes-repo",
    "depends-on-escapes", "size-unparseable", "cpu-not-a-quantity", "memory-wrong-unit",
    "expression-in-env-value", "expression-in-command", "newline-in-command", "unknown-stack",
    "version-missing", "version-two", "registry-with-scheme", "ingress-host-injection",
    "secret-value-inline", "base-image-shell-injection",
]


def _yaml(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text())


def test_bundled_example_validates_against_the_schema() -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(_yaml(REPO / "services.yaml"))


def test_bundled_example_names_the_schema_for_editors() -> None:
    first = (REPO / "services.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=specs/services.schema.json"


@pytest.mark.parametrize("case", SCHEMA_REJECTS)
def test_schema_rejects_bad_input(case: str) -> None:
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(
        _yaml(CASES / "bad" / f"{case}.yaml")))
    assert errors, f"the schema accepts {case}"


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            yield from _properties(sub, f"{where}[{index}]")


def test_every_field_has_a_description() -> None:
    fields = list(_properties(SCHEMA))
    assert len(fields) > 50
    missing = [where for where, sub in fields if not sub.get("description")]
    assert not missing


def test_schema_command_prints_the_committed_schema(run_cli: RunCli) -> None:
    result = run_cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.output) == SCHEMA
