"""validate rule slo-runbooks: every alert's runbook_url leads to a runbook in the repository with
the alert's section. (With promql-parses and slo-metrics on the bundled example:
tests/observability/test_dashboards_and_rules.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.support.observability import generate, line_of, problems, small

RULES = "generated/observability/cart/rules.yaml"
ALERTS = ["CartAvailabilityBurn1h", "CartAvailabilityBurn6h", "CartAvailabilityBurn1d",
          "CartAvailabilityBurn3d"]


def test_the_generated_runbooks_have_every_alert_section(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    assert problems(tmp_path, "slo-runbooks") == []


def test_a_missing_runbook_is_reported_at_each_alert(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    (tmp_path / "docs/SRE/cart.md").unlink()
    found = problems(tmp_path, "slo-runbooks")
    rules = tmp_path / RULES
    assert [(p.rule, p.file, p.line, p.col, p.message) for p in found] == [
        ("slo-runbooks", RULES, line_of(rules, f"- alert: {alert}"), 1,
         f"alert {alert}: its runbook docs/SRE/cart.md does not exist") for alert in ALERTS]


def test_a_renamed_section_is_reported_at_its_alert(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    runbook = tmp_path / "docs/SRE/cart.md"
    runbook.write_text(runbook.read_text().replace("### CartAvailabilityBurn6h\n",
                                                   "### Burn over six hours\n"))
    [problem] = problems(tmp_path, "slo-runbooks")
    assert (problem.file, problem.line) == (RULES, line_of(tmp_path / RULES,
                                                           "- alert: CartAvailabilityBurn6h"))
    assert problem.message == ("alert CartAvailabilityBurn6h: docs/SRE/cart.md has no section"
                               " #cartavailabilityburn6h")
