"""validate rule required-checks-run: each required status check is reported by a workflow job
that always runs on pull requests into the protected branches (a skipped job reports success)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.protection import run_rule, services_yaml

GOOD_WORKFLOW = """\
name: ci
on:
  pull_request:
  merge_group:
  push:
    branches: [main]
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo test
  gate:
    name: gate
    needs: [test]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo gate
"""


def with_workflow(root: Path, text: str, name: str = "ci.yml") -> None:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def checks_problems(root: Path, text: str = "", gate: str = "gate") -> list[tuple[str, int, str]]:
    found = run_rule(root, services_yaml(text, gate=gate), "required-checks-run")
    return [(f"{p.file}:{p.line}:{p.col}", p.level == "error", p.message) for p in found]


def test_required_check_from_a_job_that_always_runs_passes(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW)
    assert checks_problems(tmp_path) == []
    # ${{ }} around always() and an id differing from the name are fine too.
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  gate:\n", "  final:\n")
                  .replace("if: always()", "if: ${{ always() }}"))
    assert checks_problems(tmp_path) == []


def test_required_check_without_a_job_points_at_the_model(tmp_path: Path) -> None:
    assert checks_problems(tmp_path) == [(
        "services.yaml:6:3", True,
        "required status check 'gate' is reported by no job in .github/workflows")]
    with_workflow(tmp_path, GOOD_WORKFLOW)
    # Renaming the gate in the model leaves the workflow's job behind.
    assert checks_problems(tmp_path, gate="ci-gate") == [(
        "services.yaml:6:3", True,
        "required status check 'ci-gate' is reported by no job in .github/workflows")]
    assert checks_problems(tmp_path, "require_status_checks: false", gate="ci-gate") == []


@pytest.mark.parametrize(("change", "where", "message"), [
    (("  pull_request:\n", "  pull_request:\n    paths: [services/**]\n"), "4:5",
     "pull_request `paths:` leaves the required check pending on pull requests it filters out;"
     " detect changes inside a job instead"),
    (("  pull_request:\n", "  pull_request:\n    paths-ignore: [docs/**]\n"), "4:5",
     "pull_request `paths-ignore:` leaves the required check pending on pull requests it"
     " filters out; detect changes inside a job instead"),
    (("    if: always()\n", ""), "13:3",
     "job gate: it has `needs:` but no `if: always()`, so a failed dependency skips it and the"
     " skipped check reports success"),
    (("if: always()", "if: github.event_name == 'pull_request'"), "16:5",
     "job gate: `if: github.event_name == 'pull_request'` can skip it, and a skipped job"
     " reports success; use `if: always()` and fail inside the job"),
    (("  pull_request:\n", "  pull_request:\n    branches: ['release/**']\n"), "4:5",
     "pull_request branch filters exclude pull requests into main"),
    (("  pull_request:\n", "  pull_request:\n    branches-ignore: [ma*]\n"), "4:5",
     "pull_request branch filters exclude pull requests into main"),
    (("  pull_request:\n", "  pull_request:\n    types: [opened, labeled]\n"), "4:5",
     "pull_request `types:` must include opened, synchronize and reopened, or new pushes to a"
     " pull request leave the check stale"),
    (("    needs: [test]\n", "    strategy: {matrix: {os: [a, b]}}\n    needs: [test]\n"),
     "13:3", "job gate: a matrix job reports one check per combination, 'gate (...)', never"
     " 'gate'"),
    (("  pull_request:\n  merge_group:\n", "  merge_group:\n"), "2:1",
     "the workflow does not run on pull_request"),
])
def test_required_check_job_that_can_be_skipped_fails(tmp_path: Path,
                                                      change: tuple[str, str], where: str,
                                                      message: str) -> None:
    text = GOOD_WORKFLOW.replace(*change)
    assert text != GOOD_WORKFLOW
    with_workflow(tmp_path, text)
    assert checks_problems(tmp_path) == [(f".github/workflows/ci.yml:{where}", True, message)]


def test_branch_filters_that_cover_the_protected_branches_pass(tmp_path: Path) -> None:
    for branches in ("[main]", "['**']", "['*', '!release']", "['m*']"):
        with_workflow(tmp_path, GOOD_WORKFLOW.replace(
            "  pull_request:\n", f"  pull_request:\n    branches: {branches}\n"))
        assert checks_problems(tmp_path) == [], branches
    with_workflow(tmp_path, GOOD_WORKFLOW.replace(
        "  pull_request:\n", "  pull_request:\n    branches: ['*', '!main']\n"))
    assert checks_problems(tmp_path)[0][2] == (
        "pull_request branch filters exclude pull requests into main")
    # Every protected branch must be covered.
    assert checks_problems(tmp_path, "branches: [develop, main]") != []


def test_missing_merge_group_is_a_warning(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  merge_group:\n", ""))
    assert checks_problems(tmp_path) == [(
        ".github/workflows/ci.yml:2:1", False,
        "the workflow does not run on merge_group, so a merge queue would wait for its required"
        " check forever")]


def test_one_clean_job_is_enough_and_broken_files_are_reported(tmp_path: Path) -> None:
    with_workflow(tmp_path, GOOD_WORKFLOW.replace("  pull_request:\n",
                                                  "  pull_request:\n    paths: [x]\n"), "a.yml")
    with_workflow(tmp_path, GOOD_WORKFLOW, "b.yaml")
    assert checks_problems(tmp_path) == []
    with_workflow(tmp_path, "on: [pull_request\njobs: {}\n", "c.yml")
    found = checks_problems(tmp_path)
    assert found == [(".github/workflows/c.yml:2:5", True, "cannot read the workflow: while"
                      " parsing a flow sequence expected ',' or ']', but got ':'")]
