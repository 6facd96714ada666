"""Helpers of the chart tests: the bundled example, rendering with the real Helm SDK, and
Dockerfiles that follow the Dockerfile contract.

helm_python and kubernetes_validate are imported plainly: without them these tests fail, they
never skip.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import helm_python

from pipelinegen import load, writer
from pipelinegen.validate import rendering
from pipelinegen.validate.registry import Context
from pipelinegen.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
MODEL = load.load(ROOT / "services.yaml", "services.yaml")
SERVICES = sorted(MODEL.services)
ENVIRONMENTS = MODEL.project.environment_names()
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def render(service: str, environment: str, root: Path = ROOT,
           **overrides: Any) -> list[rendering.Rendered]:
    """The objects of generated/helm/<service> rendered by Helm with values-<environment>.yaml
    and `--set`-like overrides on top."""
    env = next(e for e in MODEL.project.environments if e.name == environment)
    scenario = rendering.Scenario(service, env, overrides)
    return rendering.objects(rendering.render(helm_python, root, scenario), scenario.chart)


def dockerfile(port: int, health: str, user: str = "10001:10001") -> str:
    """A Dockerfile whose runtime stage follows the contract the Dockerfile emitter keeps."""
    base = ("python:3.12-slim-bookworm@sha256:"
            "782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254")
    return (
        f"FROM {base} AS build\n"
        "WORKDIR /src\n"
        f"FROM {base}\n"
        "WORKDIR /app\n"
        f"EXPOSE {port}\n"
        f"USER {user}\n"
        "HEALTHCHECK --interval=30s --timeout=3s \\\n"
        '  CMD ["python", "-c", "import urllib.request; '
        f"urllib.request.urlopen('http://127.0.0.1:{port}{health}')\"]\n"
        'CMD ["python", "-m", "app"]\n'
    )


def make_repo(tmp_path: Path) -> Path:
    """A copy of the example repository: services.yaml, everything `generate` writes, and a
    contract-following Dockerfile for every service."""
    shutil.copy(ROOT / "services.yaml", tmp_path / "services.yaml")
    ws = Workspace.locate(tmp_path / "services.yaml", tmp_path)
    writer.write_changes(ws.compare(), tmp_path, force=False)
    docker = tmp_path / "generated" / "docker"
    docker.mkdir(parents=True, exist_ok=True)
    for name, svc in MODEL.services.items():
        if svc.port is not None and not svc.grpc:  # the others keep their generated ones
            (docker / f"{name}.Dockerfile").write_text(dockerfile(svc.port, svc.health))
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    """A hand edit of one file: `old`, which must be there, replaced once."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def context(root: Path) -> Context:
    ws = Workspace.locate(root / "services.yaml", root)
    return Context(ws.root, ws.inputs, ws.plan)


def sdk_scenarios_objects(root: Path) -> list[tuple[rendering.Scenario, list[rendering.Rendered]]]:
    """Every scenario of every service with the objects it renders."""
    return [(scenario, rendering.objects(rendering.render(helm_python, root, scenario),
                                         scenario.chart))
            for service in SERVICES for scenario in rendering.scenarios(MODEL, service)]
