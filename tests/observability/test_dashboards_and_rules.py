"""Dashboards against the Grafana Foundation SDK's schema, and the observability rules of
`validate` (promql-parses, slo-metrics, slo-runbooks) on the generated files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import Dashboard

from pipelinegen.validate import promql
from tests.support.cli import RunCli
from tests.support.observability import bundled, generate

SERVICES = ("api", "docs", "renderer", "web", "worker")
BOARDS = (*(f"{service}/dashboard.yaml" for service in SERVICES), "overview-dashboard.yaml")


def _boards(root: Path) -> list[dict[str, Any]]:
    found = []
    for name in BOARDS:
        config_map = yaml.safe_load((root / "generated/observability" / name).read_text())
        assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert config_map["metadata"]["namespace"] == "monitoring"
        found += [json.loads(text) for text in config_map["data"].values()]
    return found


def test_dashboards_round_trip_through_the_sdk_model_and_every_query_parses(
        tmp_path: Path) -> None:
    generate(bundled(), tmp_path)
    boards = _boards(tmp_path)
    titles = [board["title"] for board in boards]
    assert titles == [*(f"printloop / {service}" for service in SERVICES),
                      "printloop / SLO overview"]
    for board in boards:
        # The SDK's typed model reads it back whole: nothing it does not know, nothing lost.
        again = json.loads(json.dumps(Dashboard.from_json(board), cls=JSONEncoder))
        assert again == board
        for panel in board["panels"]:
            assert panel["type"] in {"timeseries", "stat"}
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            for target in panel["targets"]:
                assert promql.error(target["expr"]) is None, target["expr"]
    api = [panel["title"] for panel in boards[0]["panels"]]
    assert api[:4] == ["Request rate", "Errors (share of requests, 5m)", "Latency percentiles",
                       "Saturation (CPU seconds per second)"]
    assert "Error budget remaining: availability (30d)" in api
    assert "Burn rate: latency" in api


def test_the_rules_pass_on_generated_files(example_repo: Path, run_cli: RunCli) -> None:
    services = example_repo / "services.yaml"
    assert run_cli("generate", "--file", services).exit_code == 0
    done = run_cli("validate", "--file", services, "--rule", "promql-parses", "--rule",
                   "slo-metrics", "--rule", "slo-runbooks")
    assert done.exit_code == 0, done.output


def test_the_rules_find_a_broken_query_an_undeclared_metric_and_a_missing_runbook(
        example_repo: Path, run_cli: RunCli) -> None:
    services = example_repo / "services.yaml"
    assert run_cli("generate", "--file", services).exit_code == 0
    rules = example_repo / "generated/observability/api/rules.yaml"
    text = rules.read_text()
    rules.write_text(text.replace("sum by (namespace) (rate(http_requests_total",
                                  "sum by (namespace (rate(http_requests_total", 1)
                     .replace("http_request_duration_seconds_count", "http_latency_count", 1))
    (example_repo / "docs/SRE/worker.md").unlink()
    done = run_cli("validate", "--file", services, "--rule", "promql-parses", "--rule",
                   "slo-metrics", "--rule", "slo-runbooks")
    assert done.exit_code == 1
    lines = [line for line in done.output.splitlines() if ": [error] " in line]
    assert any("generated/observability/api/rules.yaml:6:1: [error] promql-parses: PromQL does"
               " not parse" in line for line in lines), done.output
    assert any("slo-metrics: api does not declare the metric http_latency_count" in line
               for line in lines), done.output
    missing = [line for line in lines if "slo-runbooks" in line]
    assert len(missing) == 4  # the worker's four alerts
    assert all("its runbook docs/SRE/worker.md does not exist" in line for line in missing)
