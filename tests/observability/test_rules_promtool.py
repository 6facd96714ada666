"""The generated Prometheus rules and their unit tests, run by the real promtool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from pipelinegen import load
from pipelinegen.emit.observability import observed, slo
from pipelinegen.model import Model
from tests.support.observability import bundled, generate, run, small, tool


def _model(text: str) -> Model:
    return load.loads(text.encode(), "services.yaml")


@pytest.mark.parametrize(("window", "factors"), [
    ("30d", ["14.4", "6", "3", "1"]),  # the SRE workbook's table
    ("28d", ["13.44", "5.6", "2.8", "0.9333"]),
    ("7d", ["3.36", "1.4", "0.7", "0.2333"]),
])
def test_burn_factors_scale_with_the_window(window: str, factors: list[str]) -> None:
    model = _model(small(f"{{window: {window}}}"))
    alerts = slo.objectives(model, "cart")[0].alerts()
    assert [slo.number(alert.factor) for alert in alerts] == factors
    assert [(a.policy.severity, a.policy.long, a.policy.short) for a in alerts] == [
        ("page", "1h", "5m"), ("page", "6h", "30m"), ("ticket", "1d", "2h"), ("ticket", "3d", "6h")]
    # Each alert spends the same share of the budget whatever the window: factor x long / window.
    shares = [a.factor * slo.minutes(a.policy.long) / slo.minutes(window) for a in alerts]
    assert shares == [Decimal("0.02"), Decimal("0.05"), Decimal("0.1"), Decimal("0.1")]


def test_objective_sets_the_threshold() -> None:
    model = _model(small("{objective: 99.5}"))
    (alert, *_) = slo.objectives(model, "cart")[0].alerts()
    assert alert.threshold == "(14.4 * 0.005)"


def _promtool(directory: Path) -> list[str]:
    """Failures of check rules and test rules in one service's directory."""
    promtool = tool("promtool")
    failures = []
    checked = run(promtool, "check", "rules", "rules.yaml", "prometheusrule.yaml", cwd=directory)
    # The PrometheusRule object is not a rules file: promtool must reject it, the plain one pass.
    if "SUCCESS" not in checked.stdout.split("prometheusrule.yaml")[0]:
        failures.append(checked.stdout + checked.stderr)
    tested = run(promtool, "test", "rules", "page.test.yaml", "ticket.test.yaml", cwd=directory)
    if tested.returncode != 0:
        failures.append(tested.stdout + tested.stderr)
    return failures


def test_promtool_passes_every_rules_file_and_unit_test_of_the_bundled_services(
        tmp_path: Path) -> None:
    inputs = generate(bundled(), tmp_path)
    services = observed(inputs)
    assert services, "the bundled services.yaml declares slos"
    root = tmp_path / "generated" / "observability"
    with ThreadPoolExecutor(2) as pool:
        failures = dict(zip(services, pool.map(_promtool, [root / s for s in services]),
                                 strict=True))
    assert failures == {service: [] for service in services}


def test_promtool_unit_tests_catch_a_wrong_burn_rate(tmp_path: Path) -> None:
    """The generated tests fail when an alert's threshold is not the intended one."""
    generate(small(), tmp_path)
    directory = tmp_path / "generated" / "observability" / "cart"
    promtool = tool("promtool")
    assert run(promtool, "test", "rules", "page.test.yaml", cwd=directory).returncode == 0
    rules = directory / "rules.yaml"
    text = rules.read_text()
    assert text.count("> (14.4 * 0.001)") == 2
    rules.write_text(text.replace("> (14.4 * 0.001)", "> (28.8 * 0.001)"))
    broken = run(promtool, "test", "rules", "page.test.yaml", cwd=directory)
    assert broken.returncode != 0
    assert "CartAvailabilityBurn1h fires at 1.1x" in broken.stdout + broken.stderr
    # Without the short window the alert would not reset after the errors stop.
    rules.write_text(text.replace(
        '          and\n          slo:sli_error:ratio_rate5m{service="cart",slo="availability"}'
        " > (14.4 * 0.001)\n", ""))
    unguarded = run(promtool, "test", "rules", "page.test.yaml", cwd=directory)
    assert unguarded.returncode != 0
    assert "CartAvailabilityBurn1h resets" in unguarded.stdout + unguarded.stderr


def test_promtool_rejects_a_rules_file_that_does_not_parse(tmp_path: Path) -> None:
    generate(small(), tmp_path)
    rules = tmp_path / "generated" / "observability" / "cart" / "rules.yaml"
    broken = rules.read_text().replace("sum by (namespace) (rate(", "sum by (namespace (rate(", 1)
    rules.write_text(broken)
    checked = run(tool("promtool"), "check", "rules", str(rules))
    assert checked.returncode != 0
