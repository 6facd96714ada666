"""Grafana dashboards, one per service with SLOs and one overview, built with Grafana's typed
builder (the Grafana Foundation SDK) and shipped as ConfigMaps labelled for Grafana's sidecar
(`grafana_dashboard: "1"`, kube-prometheus-stack's default).

Every query reads the service's declared metrics or the generated recording rules, from the
datasource with uid `prometheus` (the one kube-prometheus-stack provisions).
"""

from __future__ import annotations

import json
from typing import Any

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

from pipelinegen.core.model import Model
from pipelinegen.emit.observability.slo import (
    BUDGET_REMAINING,
    ERROR_RATIO,
    Objective,
    matchers,
    number,
    objectives,
)

DATASOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
TAGS = ["pipelinegen", "slo"]


def _query(expr: str, legend: str, ref: str = "A") -> prometheus.Dataquery:
    return prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(ref)


def _series(title: str, unit: str, queries: list[prometheus.Dataquery]) -> timeseries.Panel:
    panel = timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE).height(8).span(12)
    for query in queries:
        panel = panel.with_target(query)
    return panel


def _refs(pairs: list[tuple[str, str]]) -> list[prometheus.Dataquery]:
    return [_query(expr, legend, chr(ord("A") + i)) for i, (expr, legend) in enumerate(pairs)]


def service_panels(model: Model, service: str) -> list[Any]:
    svc = model.services[service]
    metrics = svc.metrics
    selector = matchers(svc, service)
    found = objectives(model, service)
    bucket = f"sum by (le) (rate({metrics.duration}_bucket{selector}[5m]))"
    panels: list[Any] = [
        _series("Request rate", "reqps", _refs([
            (f"sum by (code) (rate({metrics.requests}{selector}[5m]))", "{{code}}")])),
        _series("Errors (share of requests, 5m)", "percentunit", _refs([
            (f"{ERROR_RATIO}5m{o.selector()}", o.name) for o in found])),
        _series("Latency percentiles", "s", _refs([
            (f"histogram_quantile({q}, {bucket})", f"p{number(q * 100)}")
            for q in (0.5, 0.9, 0.99)])),
        _series("Saturation (CPU seconds per second)", "short", _refs([
            (f"sum by (instance) (rate({metrics.saturation}{selector}[5m]))",
             "{{instance}}")])),
    ]
    for objective in found:
        panels.append(_budget(objective))
        panels.append(_series(f"Burn rate: {objective.name}", "x", _refs([
            (f"{ERROR_RATIO}{w}{objective.selector()} / {number(objective.budget)}", w)
            for w in ("5m", "1h", "6h", "1d")])))
    return panels


def _budget(objective: Objective) -> stat.Panel:
    return (stat.Panel()
            .title(f"Error budget remaining: {objective.name} ({objective.slo.window})")
            .unit("percentunit").datasource(DATASOURCE).height(8).span(12)
            .with_target(_query(f"{BUDGET_REMAINING}{objective.selector()}",
                                "{{namespace}}")))


def _as_json(title: str, uid: str, panels: list[Any]) -> dict[str, Any]:
    board = (dashboard.Dashboard(title).uid(uid[:40]).tags(TAGS).time("now-6h", "now")
             .refresh("1m").timezone("utc"))
    for panel in panels:
        board = board.with_panel(panel)
    data: dict[str, Any] = json.loads(json.dumps(board.build(), cls=JSONEncoder))
    return data


def service_dashboard(model: Model, service: str) -> dict[str, Any]:
    project = model.project.name
    return _as_json(f"{project} / {service}", f"{project}-{service}",
                 service_panels(model, service))


def overview_dashboard(model: Model, services: list[str]) -> dict[str, Any]:
    panels: list[Any] = []
    for service in services:
        for objective in objectives(model, service):
            panels.append(_budget(objective).title(
                f"{service} {objective.name}: error budget remaining"))
    return _as_json(f"{model.project.name} / SLO overview", f"{model.project.name}-slo-overview",
                 panels)


def config_map(model: Model, name: str, board: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{name}-dashboard",
            "namespace": model.project.observability.namespace,
            "labels": {"grafana_dashboard": "1", "app.kubernetes.io/managed-by": "pipelinegen",
                       "app.kubernetes.io/part-of": model.project.name},
        },
        "data": {f"{name}.json": json.dumps(board, indent=2, sort_keys=True) + "\n"},
    }
