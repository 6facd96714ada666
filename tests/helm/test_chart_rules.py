"""`pipelinegen validate` chart rules, run with the real Helm SDK on the charts on disk."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelinegen import validate
from pipelinegen.cli import cli
from tests.support.charts import ROOT, context, edit

CHART_RULES = ["chart-render", "chart-lint", "chart-schema"]


@pytest.mark.helm
def test_the_committed_charts_pass_every_chart_rule() -> None:
    assert validate.run(context(ROOT), CHART_RULES) == []


@pytest.mark.helm
def test_validate_command_runs_the_chart_rules(repo: Path) -> None:
    args = ["validate", "--file", str(repo / "services.yaml"), "--format", "text"]
    for rule_id in [*CHART_RULES, "consistency"]:
        args += ["--rule", rule_id]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "4 of 4 rule(s) passed cleanly" in result.output


@pytest.mark.helm
def test_a_deleted_chart_is_reported_not_a_crash(repo: Path) -> None:
    for path in sorted((repo / "generated/helm/web").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    found = validate.run(context(repo), CHART_RULES)
    assert {p.file for p in found} == {"generated/helm/web/Chart.yaml"}
    assert all("missing" in p.message for p in found)


def test_without_the_helm_sdk_the_rules_say_they_did_not_run(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "helm_python", None)  # `import helm_python` now fails
    found = validate.run(context(repo), [*CHART_RULES, "consistency"])
    not_run = [p for p in found if p.level == "warning"]
    assert sorted(p.rule for p in not_run) == sorted([*CHART_RULES, "consistency"])
    assert all("not installed" in p.message and "pipelinegen[helm]" in p.hint for p in not_run)
    assert [p for p in found if p.level == "error"] == []  # the Dockerfile checks still ran
    result = CliRunner().invoke(cli, ["validate", "--file", str(repo / "services.yaml"),
                                      "--format", "text", "--rule", "chart-lint"])
    assert "[warning] chart-lint: not run" in result.output
    assert "0 of 1 rule(s) passed cleanly" in result.output


def test_the_command_line_does_not_import_helm() -> None:
    import subprocess

    code = ("import sys, pipelinegen.cli; "
            "print(sorted(m for m in ('helm_python', 'kubernetes_validate', 'jsonschema') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.helm
def test_broken_yaml_is_reported_by_every_rule_without_a_crash(repo: Path) -> None:
    (repo / "generated/helm/docs/values-staging.yaml").write_text("replicas: [1\n")
    edit(repo / "generated/helm/docs/templates/pdb.yaml", "spec:\n", "spec: [\n")
    found = validate.run(context(repo), [*CHART_RULES, "consistency"])
    by_rule = {rule_id: {p.file for p in found if p.rule == rule_id}
               for rule_id in [*CHART_RULES, "consistency"]}
    assert by_rule["chart-render"] == {"generated/helm/docs/values-staging.yaml"}
    assert by_rule["chart-lint"] >= {"generated/helm/docs/values-staging.yaml"}
    assert by_rule["chart-schema"] == {"generated/helm/docs/templates/pdb.yaml"}
    assert by_rule["consistency"] == {"generated/helm/docs/values-staging.yaml"}
    assert all(p.level == "error" for p in found)
