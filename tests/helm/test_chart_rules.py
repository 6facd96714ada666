"""`pipelinegen validate` chart rules, run with the real Helm SDK on the charts on disk."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipelinegen import validate
from pipelinegen.cli import cli
from tests.support.charts import ROOT, context

CHART_RULES = ["chart-render", "chart-lint", "chart-schema"]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


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
def test_a_bad_values_file_fails_render_and_lint(repo: Path) -> None:
    _edit(repo / "generated/helm/worker/values-dev.yaml", "replicas: 1", "replicas: two")
    found = validate.run(context(repo), ["chart-render", "chart-lint"])
    render = [p for p in found if p.rule == "chart-render"]
    assert render and all(p.file == "generated/helm/worker/values-dev.yaml" for p in render)
    assert "at '/replicas': got string, want integer" in render[0].message
    assert any(p.rule == "chart-lint" and p.level == "error" for p in found)


@pytest.mark.helm
def test_an_unknown_field_in_a_template_fails_the_kubernetes_schema(repo: Path) -> None:
    _edit(repo / "generated/helm/docs/templates/service.yaml", "  type: ClusterIP\n",
          "  type: ClusterIP\n  sessionAffinty: None\n")
    found = validate.run(context(repo), ["chart-schema"])
    assert found, "the misspelt field was accepted"
    assert {p.file for p in found} == {"generated/helm/docs/templates/service.yaml"}
    assert all("sessionAffinty" in p.message and "Service/docs" in p.message for p in found)
    # One problem per environment (each renders its own namespace); a Service rendered the
    # same way in a second rollout state of that environment is validated once.
    assert sorted(p.message.split("(")[1].split(")")[0] for p in found) == [
        "dev", "production", "staging"]


@pytest.mark.helm
def test_a_chart_version_that_is_not_semver_fails_lint(repo: Path) -> None:
    chart_yaml = repo / "generated/helm/renderer/Chart.yaml"
    chart_yaml.write_text(re.sub(r'version: "[^"]+"', "version: latest", chart_yaml.read_text(),
                                 count=1))
    found = validate.run(context(repo), ["chart-lint"])
    assert found and all(p.level == "error" for p in found)
    assert any("semver" in p.message.lower() or "version" in p.message for p in found)


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
    _edit(repo / "generated/helm/docs/templates/pdb.yaml", "spec:\n", "spec: [\n")
    found = validate.run(context(repo), [*CHART_RULES, "consistency"])
    by_rule = {rule_id: {p.file for p in found if p.rule == rule_id}
               for rule_id in [*CHART_RULES, "consistency"]}
    assert by_rule["chart-render"] == {"generated/helm/docs/values-staging.yaml"}
    assert by_rule["chart-lint"] >= {"generated/helm/docs/values-staging.yaml"}
    assert by_rule["chart-schema"] == {"generated/helm/docs/templates/pdb.yaml"}
    assert by_rule["consistency"] == {"generated/helm/docs/values-staging.yaml"}
    assert all(p.level == "error" for p in found)
