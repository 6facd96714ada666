"""Where a service listens, what its health path is, and whether it speaks gRPC.

The port comes from the most deliberate statement found: an existing Dockerfile's EXPOSE, then
a Kubernetes manifest's containerPort, then a Helm chart's values, then a plain listen call or
PORT default in the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pipelinegen import stacks
from pipelinegen.init.detect import Guess, Project
from pipelinegen.init.tree import Tree, parent
from pipelinegen.validate import dockerfacts

# Every stack's source files, and the libraries that make a gRPC server, from the registry.
CODE = tuple(suffix for detector in stacks.detectors().values() for suffix in detector.code)
GRPC_DEPENDENCIES = tuple(name for detector in stacks.detectors().values()
                          for name in detector.grpc)
# `listen(3000`, `ListenAndServe(":8080"`, `port=8000`, `("0.0.0.0", 8000)`, `PORT || 3000`,
# `getenv("PORT", "8080")`, `GetEnvironmentVariable("PORT") ?? "8050"`, `port = "8090"` (a Go
# default): the number must be a literal.
LISTEN = (
    re.compile(r"""\.listen\(\s*([0-9]{2,5})\b"""),
    re.compile(r"""ListenAndServe(?:TLS)?\(\s*["'][^"':]*:([0-9]{2,5})["']"""),
    re.compile(r"""\bPORT["']?\)?\s*(?:\|\||\?\?|,|:-)\s*["']?([0-9]{2,5})\b"""),
    # Rust: `var("PORT").unwrap_or_else(|_| "8060".to_string())`.
    re.compile(r"""\bPORT["']\)\s*\.unwrap_or(?:_else)?\(\s*(?:\|_\|\s*)?["']([0-9]{2,5})["']"""),
    re.compile(r"""\bport\s*[:=]+\s*["']?([0-9]{2,5})\b""", re.IGNORECASE),
    re.compile(r"""\(\s*["'](?:0\.0\.0\.0|127\.0\.0\.1|localhost|)["']\s*,\s*([0-9]{2,5})\s*\)"""),
    re.compile(r"""server\.port\s*=\s*([0-9]{2,5})\b"""),
    re.compile(r"""\bserve\([^()\n]*,\s*([0-9]{2,5})\s*\)"""),
)
HEALTH_PATHS = ("/healthz", "/health", "/livez", "/readyz", "/ping")
WORKLOADS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Pod"})


def deployed(tree: Tree) -> list[tuple[str, int, str]]:
    """(workload, chart or image name, port, why) from the repository's Kubernetes manifests,
    then its Helm charts' values: read once for every service."""
    found = [(workload, value, f"containerPort of {workload} in {file}")
             for file, workload, value in _workload_ports(tree)]
    return found + [(chart, value, f"the port in {file}") for file, chart, value in
                    _chart_ports(tree)]


def port(tree: Tree, project: Project, name: str,
         known: list[tuple[str, int, str]]) -> Guess | None:
    """The service's port and where it was read; None when nothing says. `known`: deployed()."""
    if project.dockerfile:
        expose = dockerfacts.facts(tree.read(project.dockerfile) or "").expose
        if expose is not None and expose.value.isdigit():
            return Guess(int(expose.value), f"EXPOSE in {project.dockerfile}")
    for workload, value, why in known:
        if workload == name or workload.endswith(f"/{name}"):
            return Guess(value, why)
    for path in tree.code(project.path, *CODE):
        text = tree.read(path) or ""
        for pattern in LISTEN:
            for match in pattern.finditer(text):
                value = int(match.group(1))
                if 0 < value <= 65535:
                    line = text.count("\n", 0, match.start()) + 1
                    return Guess(value, f"{path}:{line} listens on it")
    return None


def health(tree: Tree, project: Project) -> Guess | None:
    """A health path the code or the Dockerfile's HEALTHCHECK names."""
    if project.dockerfile:
        found = dockerfacts.facts(tree.read(project.dockerfile) or "").health_path
        if found is not None:
            return Guess(found.value, f"HEALTHCHECK in {project.dockerfile}")
    for path in tree.code(project.path, *CODE):
        text = tree.read(path) or ""
        for candidate in HEALTH_PATHS:
            if re.search(rf"""["']{re.escape(candidate)}["']""", text):
                return Guess(candidate, f"{path} serves it")
    return None


def grpc(tree: Tree, project: Project) -> str | None:
    """Why the service looks like a gRPC server, or None."""
    protos = tree.under(project.path, ".proto")
    if protos:
        return f"{protos[0]} defines its API"
    for dependency in GRPC_DEPENDENCIES:
        if dependency.lower() in {required.lower() for required in project.requires}:
            return f"it depends on {dependency}"
    return None


def uid_gid(tree: Tree, project: Project) -> Guess | None:
    """A numeric `USER uid:gid` of an existing Dockerfile (what a dockerfile service runs as)."""
    if not project.dockerfile:
        return None
    user = dockerfacts.facts(tree.read(project.dockerfile) or "").user
    if user is None or not re.fullmatch(r"[0-9]+:[0-9]+", user.value):
        return None
    uid, gid = (int(part) for part in user.value.split(":"))
    return Guess((uid, gid), f"USER in {project.dockerfile}")


# --- deploy files already in the repository ------------------------------------------------


def _workload_ports(tree: Tree) -> Iterator[tuple[str, str, int]]:
    """(file, workload name or container image, containerPort) from Kubernetes manifests."""
    for path in tree.files:
        if not path.endswith((".yaml", ".yml")) or "/templates/" in f"/{path}":
            continue
        for document in _documents(tree, path):
            if document.get("kind") not in WORKLOADS:
                continue
            name = str((document.get("metadata") or {}).get("name", ""))
            spec = document.get("spec") or {}
            pod = (spec.get("template") or {}).get("spec") or spec
            for container in pod.get("containers") or []:
                for exposed in container.get("ports") or []:
                    value = exposed.get("containerPort") if isinstance(exposed, dict) else None
                    if isinstance(value, int):
                        image = str(container.get("image", "")).split("@")[0].split(":")[0]
                        yield path, name, value
                        yield path, image, value


def _chart_ports(tree: Tree) -> Iterator[tuple[str, str, int]]:
    """(values file, chart name, port) from Helm charts' values.yaml."""
    for chart_file in (path for path in tree.files if path.endswith("/Chart.yaml")):
        documents = _documents(tree, chart_file)
        chart = str(documents[0].get("name", "")) if documents else ""
        values = f"{parent(chart_file)}/values.yaml"
        for data in _documents(tree, values)[:1]:
            for keys in (("service", "targetPort"), ("containerPort",), ("service", "port"),
                         ("port",)):
                value = _dig(data, keys)
                if isinstance(value, int):
                    yield values, chart, value
                    break


def _documents(tree: Tree, path: str) -> list[dict[str, Any]]:
    text = tree.read(path)
    if not text:
        return []
    try:
        return [doc for doc in YAML(typ="safe", pure=True).load_all(text) if isinstance(doc, dict)]
    except (YAMLError, ValueError):
        return []  # not YAML we can read (a template, say): no evidence


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data
