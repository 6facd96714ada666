"""`diff --format json` validates against the schema committed in specs/, which is generated."""

from __future__ import annotations

import json

import jsonschema
import pytest

from pipelinegen.change_report import report_schema
from pipelinegen.emit import diff_schema
from tests.support.review import PROJECT_ROOT, Repo, change_strategy, rename_service

SCHEMA_FILE = PROJECT_ROOT / "specs" / "diff.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_the_generated_one() -> None:
    assert SCHEMA_FILE.read_text() == diff_schema.schema_text()
    assert json.loads(SCHEMA_FILE.read_text()) == report_schema()


def test_reviews_validate_against_the_committed_schema(
    sample_repo: Repo, validator: jsonschema.Draft202012Validator,
) -> None:
    rename_service(sample_repo)
    change_strategy(sample_repo)
    sample_repo.generate()
    (sample_repo.path / "generated/sample/api.txt").write_text("edited by hand\n")
    sample_repo.commit("rename, strategy, a hand edit")
    report = json.loads(sample_repo.review("--base", "HEAD~1", "--head", "HEAD", "--format",
                                           "json"))
    validator.validate(report)
    # The instance exercises every part of the schema: renames, inherited changes, drift.
    assert {s["status"] for s in report["services"]} == {"renamed", "affected"}
    assert report["drift"] and report["project"]["files"] and report["project"]["changes"]


def test_the_schema_rejects_what_the_report_never_holds(
    repo: Repo, validator: jsonschema.Draft202012Validator,
) -> None:
    report = json.loads(repo.review("--base", "HEAD", "--format", "json"))
    validator.validate(report)
    for broken in ({**report, "extra": 1}, {**report, "version": 2},
                   {key: value for key, value in report.items() if key != "drift"},
                   {**report, "services": [{**report["services"][0], "status": "moved"}]}):
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(broken)
