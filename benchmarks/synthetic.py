"""Synthetic monorepos of any size, built as data, deterministically.

Every service varies by its index, so a model of N services mixes the four built-in stacks
(python, node, go, static), shares packages between services, and exercises what the emitters
read: three environments with their strategies, per-environment overrides, ingress, secrets,
callers, autoscaling and own resources. The same size always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipelinegen import stacks

# The stacks this module describes services of, with their budgets: the models stay the same
# as stacks are added, so results stay comparable between runs.
_BUDGETS = {"python": "200MB", "node": "300MB", "go": "50MB", "static": "30MB"}
STACKS = tuple(name for name in stacks.STACKS if name in _BUDGETS)
# Their default toolchain versions.
_VERSIONS = {name: stack.toolchain.default_version
             for name, stack in stacks.STACKS.items() if stack.toolchain is not None}
_TESTS = {
    "python": ["python", "-m", "unittest", "discover", "-s", "tests"],
    "node": ["node", "--test"],
    "go": ["go", "test", "./..."],
}

ENVIRONMENTS = [
    {"name": "dev", "namespace": "acme-dev"},
    {"name": "staging", "namespace": "acme-staging", "strategy": "canary"},
    {"name": "production", "namespace": "acme-prod", "approval": True, "strategy": "blue-green"},
]


def service_name(index: int) -> str:
    return f"svc-{index:04d}"


def package_paths(count: int) -> dict[str, list[str]]:
    """Shared packages by stack: one Python and one Go package per 25 services (at least one)."""
    shared = max(1, count // 25)
    return {
        "python": [f"packages/pylib-{j:02d}" for j in range(shared)],
        "go": [f"packages/golib-{j:02d}" for j in range(shared)],
    }


def synthetic_model(count: int, bases: Mapping[str, str]) -> dict[str, Any]:
    """services.yaml data for `count` services; `bases` are real pinned images by name."""
    if count < 1:
        raise ValueError("a model needs at least one service")
    packages = package_paths(count)
    return {
        "version": 1,
        "project": {
            "name": "acme",
            "repository": "acme/monorepo",
            "registry": "ghcr.io/acme",
            "environments": ENVIRONMENTS,
            "defaults": {"image_size_budget": "300MB"},
        },
        "bases": dict(sorted(bases.items())),
        "services": {service_name(i): _service(i, packages) for i in range(count)},
    }


def _service(index: int, packages: Mapping[str, list[str]]) -> dict[str, Any]:
    name = service_name(index)
    stack = STACKS[index % len(STACKS)]
    service: dict[str, Any] = {"path": f"services/{name}", "stack": stack}
    if stack in _VERSIONS:
        service["version"] = _VERSIONS[stack]
    service["port"] = 8000 + index % 1000
    if stack == "python":
        service["command"] = ["python", "-m", name.replace("-", "_")]
    elif stack == "node":
        service["command"] = ["node", "server.js"]
    elif stack == "go":
        service["command"] = [f"/app/{name}"]
    if stack in _TESTS:
        service["test"] = _TESTS[stack]
    service["image_size_budget"] = _BUDGETS[stack]
    shared = packages.get(stack)
    if shared:
        service["depends_on"] = sorted({shared[index % len(shared)],
                                        shared[(index // 3) % len(shared)]})
    if index % 3 == 1:
        service["callers"] = [service_name(index - 1)]
    service["owners"] = [f"@acme/team-{index % 20:02d}"]
    service["deploy"] = _deploy(index, name)
    service["environments"] = _overrides(index, name)
    return service


def _deploy(index: int, name: str) -> dict[str, Any]:
    deploy: dict[str, Any] = {"replicas": 2}
    if index % 5 == 0:
        deploy["resources"] = {"requests": {"cpu": "250m", "memory": "256Mi"},
                               "limits": {"cpu": "1", "memory": "512Mi"}}
    if index % 3 == 0:
        deploy["ingress"] = {"host": f"{name}.acme.example"}
    deploy["env"] = {"LOG_LEVEL": "info", "SERVICE_NAME": name}
    if index % 2 == 0:
        deploy["secrets"] = {"DATABASE_URL": {"secret": f"{name}-db", "key": "url"}}
    return deploy


def _overrides(index: int, name: str) -> dict[str, Any]:
    overrides: dict[str, Any] = {"dev": {"replicas": 1, "env": {"LOG_LEVEL": "debug"}}}
    if index % 3 == 0:
        overrides["dev"]["ingress"] = {"host": f"{name}.dev.acme.example"}
    if index % 4 == 1:
        overrides["staging"] = {"replicas": 2}
    if index % 5 == 0:
        overrides["production"] = {
            "autoscaling": {"min_replicas": 3, "max_replicas": 10, "target_cpu": 70},
            "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
        }
    else:
        overrides["production"] = {"replicas": 3}
    return overrides


def with_one_service_changed(data: Mapping[str, Any]) -> dict[str, Any]:
    """The same model with one service (the middle one by name) listening on another port."""
    services = dict(data["services"])
    name = sorted(services)[len(services) // 2]
    services[name] = {**services[name], "port": services[name]["port"] % 65535 + 1}
    return {**data, "services": services}


# --- source trees --------------------------------------------------------------------------

_SOURCES: dict[str, dict[str, str]] = {
    "python": {
        "requirements.txt": "# standard library only\n",
        "{module}/__init__.py": "",
        "{module}/__main__.py": "print('{name}')\n",
        "tests/__init__.py": "",
    },
    "node": {
        "package.json": '{{"name": "{name}", "version": "1.0.0", "private": true}}\n',
        "package-lock.json": '{{"name": "{name}", "lockfileVersion": 3, "packages": {{}}}}\n',
        "server.js": "console.log('{name}');\n",
    },
    "go": {
        "go.mod": "module example.com/{name}\n\ngo 1.25\n",
        "main.go": "package main\n\nfunc main() {{}}\n",
    },
    "static": {"public/index.html": "<!doctype html><title>{name}</title>\n"},
}


def write_sources(root: Path, data: Mapping[str, Any]) -> None:
    """Small stand-in sources for each service and shared package, for emitters that read them."""
    for name, service in data["services"].items():
        module = name.replace("-", "_")
        for relative, text in _SOURCES[service["stack"]].items():
            _write(root / service["path"] / relative.format(module=module),
                   text.format(name=name))
    shared = sorted({p for s in data["services"].values() for p in s.get("depends_on", [])})
    for path in shared:
        module = Path(path).name.replace("-", "_")
        if "golib" in path:
            _write(root / path / "go.mod", f"module example.com/{module}\n\ngo 1.25\n")
        else:
            _write(root / path / module / "__init__.py", "")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
