"""generated/observability/: what makes the services with `slos` observable.

Per service, in generated/observability/<service>/: `rules.yaml` (plain Prometheus rules, for
promtool), `page.test.yaml` and `ticket.test.yaml` (unit tests of the alerts),
`prometheusrule.yaml` (the same groups as a Prometheus Operator object) and `dashboard.yaml`
(its Grafana dashboard, in a ConfigMap). The ServiceMonitor lives in the service's chart.
Once for all of them: `alertmanager.yaml` (the routing of their alerts) and
`overview-dashboard.yaml`. And the runbooks, docs/SRE/<service>.md, whose notes sections come
from the disk through `inputs.notes`.
"""

from __future__ import annotations

from pipelinegen.core import layout, yamlio
from pipelinegen.core.inputs import Inputs
from pipelinegen.emit.header import header
from pipelinegen.emit.observability import (
    alertmanager,
    rules,
    ruletests,
    runbooks,
    slo,
)

ROOT = layout.OBSERVABILITY


def service_dir(service: str) -> str:
    return f"{ROOT}/{service}"


def observed(inputs: Inputs) -> list[str]:
    """The services with SLOs, sorted."""
    return sorted(name for name, svc in inputs.model.services.items() if svc.slos is not None)


def emit(inputs: Inputs) -> dict[str, str]:
    model = inputs.model
    head = header(inputs.source)
    files: dict[str, str] = {}
    if observed(inputs):
        # The Grafana SDK takes a while to import: only models with SLOs need it.
        from pipelinegen.emit.observability import dashboards
    for service in observed(inputs):
        objectives = slo.objectives(model, service)
        groups = rules.groups(model, service, objectives)
        base = service_dir(service)
        files[f"{base}/rules.yaml"] = head + yamlio.dump({"groups": groups})
        for severity in ("page", "ticket"):
            files[f"{base}/{severity}.test.yaml"] = head + yamlio.dump(
                ruletests.test_file(model, objectives, severity))
        files[f"{base}/prometheusrule.yaml"] = head + yamlio.dump(
            rules.prometheus_rule(model, service, groups))
        files[f"{base}/dashboard.yaml"] = head + yamlio.dump(dashboards.config_map(
            model, f"{model.project.name}-{service}", dashboards.service_dashboard(model, service)))
    if files:
        files[f"{ROOT}/alertmanager.yaml"] = head + yamlio.dump(alertmanager.config(model))
        files[f"{ROOT}/overview-dashboard.yaml"] = head + yamlio.dump(dashboards.config_map(
            model, f"{model.project.name}-slo-overview",
            dashboards.overview_dashboard(model, observed(inputs))))
    files.update(runbooks.emit(model, inputs.source, dict(inputs.notes)))
    return files
