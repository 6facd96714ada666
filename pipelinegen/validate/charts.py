"""Chart rules: the charts under generated/helm render, lint clean and pass the Kubernetes schema.

They check the files on disk (what is committed and deployed), with the real Helm Go SDK, for
every environment and for each rollout strategy's in-between state. Without the Helm extra they
report that they did not run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from pipelinegen.core.errors import Problem
from pipelinegen.validate import crds, fixes, rendering
from pipelinegen.validate.registry import Context, rule
from pipelinegen.validate.rendering import KUBE_VERSION, Scenario

HELM = "the Helm SDK (helm-python-sdk)"
LINT_WARNING = 2  # helm lint severities: 1 info, 2 warning, 3 error


def _charts(context: Context) -> Iterator[tuple[str, list[Scenario]]]:
    """(chart, scenarios) for every service and backing service."""
    for service in sorted([*context.model.services, *context.model.backing]):
        yield service, rendering.scenarios(context.model, service)


def _missing(context: Context, rule_id: str, scenario: Scenario) -> Problem | None:
    chart = context.root / scenario.chart
    for path in (f"{scenario.chart}/Chart.yaml", scenario.values_file):
        if not (context.root / path).is_file():
            what = "chart" if not chart.is_dir() else path
            return Problem(path, 1, 1, rule_id, f"{what} is missing",
                           "run `pipelinegen generate`")
    return None


def _renders(context: Context, rule_id: str, sdk: ModuleType) -> Iterator[
        tuple[Scenario, dict[str, str] | None, Problem | None]]:
    """Each scenario's render, or the problem that stopped it."""
    seen: set[str] = set()
    for _, found in _charts(context):
        for scenario in found:
            missing = _missing(context, rule_id, scenario)
            if missing is not None:
                if missing.file not in seen:
                    seen.add(missing.file)
                    yield scenario, None, missing
                continue
            try:
                rendered = rendering.render(sdk, context.root, scenario)
            except (sdk.HelmError, OSError, UnicodeDecodeError) as exc:
                yield scenario, None, Problem(
                    scenario.values_file, 1, 1, rule_id,
                    f"the chart does not render for {scenario.title}: "
                    f"{rendering.helm_error(exc)}",
                    "fix the template or the values, or "
                    + fixes.restore(context.root, scenario.values_file))
                continue
            yield scenario, rendered, None


@rule("chart-render")
def chart_render(context: Context) -> Iterator[Problem]:
    """Every chart renders with Helm for every environment and rollout state.

    Passes: generated/helm/api renders with values-dev.yaml, values-staging.yaml (with and
    without a canary) and values-production.yaml (with both colours).
    Fails: values-dev.yaml says `replicas: "two"` (values.schema.json wants an integer), or a
    template calls an undefined function.
    """
    sdk = rendering.helm_sdk()
    if sdk is None:
        yield rendering.not_run("chart-render", HELM)
        return
    for _, _, problem in _renders(context, "chart-render", sdk):
        if problem is not None:
            yield problem


@rule("chart-lint")
def chart_lint(context: Context) -> Iterator[Problem]:
    """`helm lint --strict` reports no error and no warning for any chart and environment.

    Passes: Chart.yaml has apiVersion v2, a quoted semver version and appVersion.
    Fails: Chart.yaml says `version: latest` (not semver), or a template is not valid YAML.
    """
    sdk = rendering.helm_sdk()
    if sdk is None:
        yield rendering.not_run("chart-lint", HELM)
        return
    for _, found in _charts(context):
        for scenario in (s for s in found if not s.overrides):
            missing = _missing(context, "chart-lint", scenario)
            if missing is not None:
                yield missing
                continue
            try:
                values = rendering.scenario_values(sdk, context.root, scenario)
                report = sdk.lint(str(context.root / scenario.chart), values, strict=True,
                                  namespace=scenario.environment.namespace,
                                  kube_version=f"v{KUBE_VERSION}")
            except (sdk.HelmError, OSError, UnicodeDecodeError) as exc:
                yield Problem(scenario.values_file, 1, 1, "chart-lint",
                              f"helm lint ({scenario.title}) could not run: "
                              f"{rendering.helm_error(exc)}",
                              "fix the values file, or "
                              + fixes.restore(context.root, scenario.values_file))
                continue
            for message in report.get("messages", []):
                if int(message.get("severity", 0)) >= LINT_WARNING:
                    level = "error" if message["severity"] > LINT_WARNING else "warning"
                    where = f"{scenario.chart}/{message.get('path') or 'Chart.yaml'}"
                    yield Problem(
                        where.rstrip("/"), 1, 1, "chart-lint",
                        f"helm lint ({scenario.title}, {level}): "
                        f"{' '.join(str(message.get('error', '')).split())}",
                        "fix the chart, or " + fixes.restore(context.root, where.rstrip("/")))


@rule("chart-schema")
def chart_schema(context: Context) -> Iterator[Problem]:
    """Every rendered object validates strictly (no unknown field) against the Kubernetes schema.

    External Secrets Operator objects are checked against its vendored CRD schemas (v2.9.0).

    Passes: a Deployment whose container has `ports: [{name: http, containerPort: 8080}]`.
    Fails: a hand-edited template writes `containerPorts:` or `replicas: "2"`.
    """
    sdk = rendering.helm_sdk()
    validator = rendering.kube_validator()
    if sdk is None or validator is None:
        yield rendering.not_run("chart-schema", HELM if sdk is None else "kubernetes-validate")
        return
    seen: set[str] = set()  # an object rendered the same way in several scenarios: once
    for scenario, rendered, _ in _renders(context, "chart-schema", sdk):
        if rendered is None:
            continue  # chart-render reports it
        try:
            found = rendering.objects(rendered, scenario.chart)
        except rendering.BadManifest as exc:
            yield Problem(exc.template, 1, 1, "chart-schema", f"{scenario.title}: {exc.message}",
                          "fix the template, or " + fixes.restore(context.root, exc.template))
            continue
        for obj in found:
            key = json.dumps(obj.body, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                yield from _validate_object(validator, scenario, obj, context.root)


def _validate_object(validator: ModuleType, scenario: Scenario,
                     obj: rendering.Rendered, root: Path) -> Iterator[Problem]:
    where = f"{obj.kind or '?'}/{obj.name or '?'} ({scenario.title})"
    if crds.vendored(obj.body):
        for path, message in crds.errors(obj.body):
            yield Problem(obj.template, 1, 1, "chart-schema",
                          f"{where}: {path}: {message} ({obj.body['apiVersion']} CRD, strict)",
                          "fix the template, or run `pipelinegen generate` to restore it")
        return
    try:
        validator.validate(obj.body, KUBE_VERSION, strict=True)
    except validator.ValidationError as exc:
        path = ".".join(str(part) for part in exc.absolute_path) or "(object)"
        yield Problem(obj.template, 1, 1, "chart-schema",
                      f"{where}: {path}: {exc.message} (Kubernetes {KUBE_VERSION}, strict)",
                      "fix the template, or " + fixes.restore(root, obj.template))
    except validator.SchemaNotFoundError as exc:
        yield Problem(obj.template, 1, 1, "chart-schema", f"{where}: {exc.message}",
                      "use an API version that Kubernetes still serves")
    except (KeyError, TypeError):
        yield Problem(obj.template, 1, 1, "chart-schema",
                      f"{where}: not a Kubernetes object (apiVersion and kind are required)",
                      "fix the template")
