"""The `consistency` rule: the files on disk agree about each service's container.

Port (Dockerfile EXPOSE, HEALTHCHECK URL, chart values, rendered containerPort and Service
targetPort), health path (HEALTHCHECK, values, rendered probes), image repository (values and
rendered image = `Model.image(svc)`, the repository the workflows push) and uid:gid (Dockerfile
USER, values, rendered securityContext). services.yaml is the reference: each file that
disagrees with it is reported at its own line, so a hand edit is found where it was made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipelinegen.core import layout
from pipelinegen.core.errors import Problem
from pipelinegen.core.model import Model
from pipelinegen.validate import dockerfacts, fixes, rendering
from pipelinegen.validate.registry import Context, rule

RULE = "consistency"


@dataclass(frozen=True)
class Expected:
    """What services.yaml says, as text (the form every file is compared in)."""

    port: str  # "" for a service without a port
    health: str
    repository: str
    uid: str
    gid: str
    protocol: str = "http"
    health_service: str = ""
    health_command: tuple[str, ...] = ()

    @classmethod
    def of(cls, model: Model, service: str) -> Expected:
        svc = model.services[service]
        defaults = model.project.defaults
        return cls(str(svc.port or ""), svc.health, model.image(service), str(defaults.uid),
                   str(defaults.gid), svc.protocol, svc.health_service,
                   tuple(svc.health_command))

    @property
    def http(self) -> bool:
        return bool(self.port) and self.protocol == "http"


@rule(RULE)
def consistency(context: Context) -> Iterator[Problem]:
    """Dockerfile, chart and rendered objects agree on port, health path, image and uid/gid.

    Passes: services.yaml says port 8080 and /healthz; the Dockerfile has `EXPOSE 8080`,
    `USER 10001:10001` and a HEALTHCHECK on http://127.0.0.1:8080/healthz; values.yaml has
    `port: 8080` and `health: /healthz`; the Service's targetPort `http` is containerPort 8080.
    Fails: values.yaml edited to `port: 9090`, or the Dockerfile to `USER 0:0`.
    """
    sdk = rendering.helm_sdk()
    for service in sorted(context.model.services):
        expected = Expected.of(context.model, service)
        yield from _dockerfile(context, service, expected)
        yield from _values(context, service, expected)
        if sdk is not None:
            yield from _rendered(context, sdk, service, expected)
    if sdk is None:
        yield rendering.not_run(RULE, "the Helm SDK (for the rendered-object checks)")


# --- Dockerfile ------------------------------------------------------------------------------


def _dockerfile(context: Context, service: str, expected: Expected) -> Iterator[Problem]:
    spec = layout.image_source(context.model, service)
    path = spec.dockerfile
    own = not spec.generated
    try:
        text = (context.root / path).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        yield Problem(path, 1, 1, RULE, f"no Dockerfile for service {service!r}",
                      "run `pipelinegen generate`" if spec.generated else
                      f"add the service's own Dockerfile at {path}, or change `dockerfile:`")
        return
    except (OSError, UnicodeDecodeError) as exc:
        yield Problem(path, 1, 1, RULE, f"cannot read the Dockerfile: {exc}",
                      f"save {path} as UTF-8" if own else fixes.restore(context.root, path))
        return
    facts = dockerfacts.facts(text)
    for what, fact, want, form in _dockerfile_checks(facts, expected, own):
        # The user's own Dockerfile is fixed by editing it; `generate` never writes it.
        fix = (f"edit {path}: its runtime stage needs {form} (or change services.yaml to match)"
               if own else fixes.restore(context.root, path))
        if fact is None:
            yield Problem(path, 1, 1, RULE,
                          f"the runtime stage has no {form.removeprefix('a ')}"
                          f" (the chart expects {want})", fix)
        elif fact.value != want:
            yield Problem(path, fact.line, 1, RULE,
                          f"{what} is {fact.value}, but the chart and services.yaml say {want}",
                          fix)


_Check = tuple[str, "dockerfacts.Fact | None", str, str]


def _dockerfile_checks(facts: dockerfacts.DockerFacts, expected: Expected,
                       own: bool) -> list[_Check]:
    """(what, fact, wanted value, the instruction that gives it) for one Dockerfile.

    A HEALTHCHECK is demanded only in its HTTP form, of a generated Dockerfile or an own one
    that has an HTTP check: a gRPC image, a shell-less one or a worker checks itself as it can
    (the chart's grpc or exec probes do not depend on it).
    """
    user = f"{expected.uid}:{expected.gid}"
    checks: list[_Check] = [("USER", facts.user, user, f"USER {user}")]
    if expected.port:
        checks.append(("EXPOSE", facts.expose, expected.port, f"EXPOSE {expected.port}"))
    if expected.http and (not own or facts.health_port is not None):
        form = f"a HEALTHCHECK on http://127.0.0.1:{expected.port}{expected.health}"
        checks += [("HEALTHCHECK port", facts.health_port, expected.port, form),
                   ("HEALTHCHECK path", facts.health_path, expected.health, form)]
    if not own and not expected.http:
        wanted = (" ".join(expected.health_command) if not expected.port
                  else f"127.0.0.1:{expected.port}")
        checks.append(("HEALTHCHECK", facts.health_command, wanted,
                       f"a HEALTHCHECK running {wanted}"))
    return checks


# --- values files ----------------------------------------------------------------------------

_VALUE_KEYS = (
    (("port",), "port"),
    (("health",), "health"),
    (("image", "repository"), "repository"),
    (("podSecurity", "runAsUser"), "uid"),
    (("podSecurity", "runAsGroup"), "gid"),
)
_MEANING = {"port": "the container port", "health": "the probe path",
            "repository": "the image repository", "uid": "runAsUser", "gid": "runAsGroup"}
_ELSEWHERE = {"port": "Dockerfile EXPOSE and services.yaml",
              "health": "the Dockerfile HEALTHCHECK and services.yaml",
              "repository": "the repository the workflows push (services.yaml registry)",
              "uid": "the Dockerfile USER and project.defaults.uid",
              "gid": "the Dockerfile USER and project.defaults.gid"}


def _values(context: Context, service: str, expected: Expected) -> Iterator[Problem]:
    chart = layout.chart_dir(service)
    names = ["values.yaml", *(f"values-{env}.yaml"
                              for env in context.model.project.environment_names())]
    for name in names:
        path = f"{chart}/{name}"
        try:
            data = YAML(typ="rt", pure=True).load((context.root / path).read_text("utf-8"))
        except FileNotFoundError:
            yield Problem(path, 1, 1, RULE, "chart values file is missing",
                          "run `pipelinegen generate`")
            continue
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            yield Problem(path, line, col, RULE,
                          f"the values file is not valid YAML: {rendering.yaml_error(exc)}",
                          fixes.restore(context.root, path))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            yield Problem(path, 1, 1, RULE, f"cannot read the values file: {exc}",
                          fixes.restore(context.root, path))
            continue
        for keys, field in _VALUE_KEYS:
            found = _locate(data, keys)
            want = getattr(expected, field)
            if field == "port" and not want:
                want = "0"  # the values' way of saying "no port"
            if found is not None and str(found[0]) != want:
                yield Problem(path, found[1], found[2], RULE,
                              f"{'.'.join(keys)} ({_MEANING[field]}) is {found[0]}, but "
                              f"{_ELSEWHERE[field]} say {want}",
                              fixes.restore(context.root, path))


def _locate(data: Any, keys: tuple[str, ...]) -> tuple[Any, int, int] | None:
    """(value, line, column) of a nested key in a ruamel mapping, 1-based; None if absent."""
    node = data
    for key in keys[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(key), dict):
            return None
        node = node[key]
    last = keys[-1]
    if not isinstance(node, dict) or last not in node:
        return None
    line, col = node.lc.value(last) if hasattr(node, "lc") else (0, 0)
    return node[last], line + 1, col + 1


# --- rendered objects ------------------------------------------------------------------------


def _rendered(context: Context, sdk: ModuleType, service: str,
              expected: Expected) -> Iterator[Problem]:
    for scenario in rendering.scenarios(context.model, service):
        if scenario.overrides or not (context.root / scenario.values_file).is_file():
            continue
        try:
            objs = rendering.objects(rendering.render(sdk, context.root, scenario),
                                     scenario.chart)
        except (sdk.HelmError, OSError, UnicodeDecodeError, rendering.BadManifest):
            continue  # chart-render and chart-schema report it
        ports: dict[str, Any] = {}
        for obj in (o for o in objs if o.kind == "Deployment"):
            yield from _deployment(context, obj, scenario.title, expected, ports)
        for obj in (o for o in objs if o.kind == "Service"):
            yield from _service(context, obj, scenario.title, expected, ports)


def _problem(context: Context, template: str, needle: str, message: str) -> Problem:
    """A problem at the first line of the template that holds `needle`."""
    line = 1
    try:
        lines = (context.root / template).read_text(encoding="utf-8").splitlines()
        line = next((n for n, text in enumerate(lines, 1) if needle in text), 1)
    except OSError:
        pass
    return Problem(template, line, 1, RULE, message, fixes.restore(context.root, template))


def _at(node: Any, *keys: str) -> Any:
    """node[k1][k2]...; None where the shape is not what a template should render."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _items(node: Any) -> list[dict[str, Any]]:
    return [item for item in node if isinstance(item, dict)] if isinstance(node, list) else []


def _deployment(context: Context, obj: rendering.Rendered, title: str, expected: Expected,
                ports: dict[str, Any]) -> Iterator[Problem]:
    pod = _at(obj.body, "spec", "template", "spec")
    where = f"Deployment {obj.name} ({title})"
    for container in _items(_at(pod, "containers")):
        for port in _items(container.get("ports")):
            ports[str(port.get("name"))] = port.get("containerPort")
        if expected.port:
            named = ports.get(expected.protocol)
            if str(named) != expected.port:
                yield _problem(context, obj.template, "containerPort:",
                               f"{where}: container port {expected.protocol} is {named}, but"
                               f" the Dockerfile EXPOSE and services.yaml say {expected.port}")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            got, want, needle = _probe(_at(container, probe), expected)
            if got != want:
                yield _problem(context, obj.template, needle,
                               f"{where}: {probe} checks {got}, but the Dockerfile "
                               f"HEALTHCHECK and services.yaml say {want}")
        image = str(container.get("image", ""))
        if repository_of(image) != expected.repository:
            yield _problem(context, obj.template, "image:",
                           f"{where}: image {image} is not from {expected.repository}, the "
                           "repository the workflows push")
        for key, want in (("runAsUser", expected.uid), ("runAsGroup", expected.gid)):
            got = _at(container, "securityContext", key)
            got = _at(pod, "securityContext", key) if got is None else got
            if str(got) != want:
                yield _problem(context, obj.template, f"{key}:",
                               f"{where}: {key} is {got}, but the Dockerfile USER and "
                               f"services.yaml say {want}")


def _probe(probe: Any, expected: Expected) -> tuple[str, str, str]:
    """(what the probe checks, what services.yaml says, the template line to point at)."""
    if not expected.port:
        command = _at(probe, "exec", "command")
        got = " ".join(map(str, command)) if isinstance(command, list) else str(command)
        return got, " ".join(expected.health_command), "command:"
    if expected.protocol == "grpc":
        port, name = _at(probe, "grpc", "port"), _at(probe, "grpc", "service")
        return (f"grpc port {port} service {name!r}",
                f"grpc port {expected.port} service {expected.health_service!r}", "grpc:")
    return str(_at(probe, "httpGet", "path")), expected.health, "path:"


def repository_of(image: str) -> str:
    """'reg:5000/a/b:tag@sha256:..' -> 'reg:5000/a/b' (a tag is a ':' in the last segment)."""
    name = image.split("@", 1)[0]
    head, _, last = name.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]


def _service(context: Context, obj: rendering.Rendered, title: str, expected: Expected,
             ports: dict[str, Any]) -> Iterator[Problem]:
    for port in _items(_at(obj.body, "spec", "ports")):
        target = port.get("targetPort", port.get("port"))
        resolved = ports.get(target) if isinstance(target, str) else target
        if str(resolved) != expected.port:
            yield _problem(context, obj.template, "targetPort:",
                           f"Service {obj.name} ({title}): targetPort {target} is "
                           f"{resolved}, but the container port and Dockerfile EXPOSE say "
                           f"{expected.port}")
