"""validate rule slo-metrics: every generated query reads only metrics its service declares or
recorded series. (With promql-parses and slo-runbooks on the bundled example:
tests/observability/test_dashboards_and_rules.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.support.observability import generate, line_of, problems, small

RULES = "generated/observability/cart/rules.yaml"


def test_the_generated_queries_read_declared_metrics(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    assert problems(tmp_path, "slo-metrics") == []


def test_an_undeclared_metric_is_reported_at_its_rule(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    rules = tmp_path / RULES
    errors = 'rate(http_requests_total{job="cart",code=~"5.."}[5m])'
    rules.write_text(rules.read_text().replace(
        errors, errors.replace("http_requests_total", "http_requests_count"), 1))
    [problem] = problems(tmp_path, "slo-metrics")
    assert (problem.rule, problem.file, problem.line, problem.col) == (
        "slo-metrics", RULES, line_of(rules, "- record: slo:sli_error:ratio_rate5m"), 1)
    assert problem.message == "cart does not declare the metric http_requests_count"
    assert problem.hint.startswith("add it to services.cart.metrics.exposes, or use one of: ")
    assert "http_requests_total" in problem.hint
