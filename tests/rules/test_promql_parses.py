"""validate rule promql-parses: every PromQL expression of the generated rules and dashboards
parses; a hand edit that breaks one is reported at its rule. (With slo-metrics and slo-runbooks on
the bundled example: tests/observability/test_dashboards_and_rules.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.support.observability import generate, line_of, problems, small

RULES = "generated/observability/cart/rules.yaml"


def test_the_generated_queries_parse(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    assert problems(tmp_path, "promql-parses") == []


def test_a_query_that_does_not_parse_is_reported_at_its_rule(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    rules = tmp_path / RULES
    rules.write_text(rules.read_text().replace("sum by (namespace) (rate(",
                                               "sum by (namespace (rate(", 1))
    [problem] = problems(tmp_path, "promql-parses")
    assert (problem.rule, problem.file, problem.line, problem.col) == (
        "promql-parses", RULES, line_of(rules, "- record: slo:sli_error:ratio_rate5m"), 1)
    assert problem.message.startswith("PromQL does not parse: ")
    assert "pipelinegen generate" in problem.hint
