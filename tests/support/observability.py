"""What the observability tests share: the real tools, and generated trees to run them on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pipelinegen import actions_lock, load, plan, validate
from pipelinegen.errors import Problem
from pipelinegen.inputs import Inputs
from pipelinegen.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def tool(name: str) -> str:
    """A real tool's path; fails (never skips) when it is missing: scripts/bootstrap installs it."""
    found = shutil.which(name)
    assert found, f"{name} is not installed: run scripts/bootstrap (Debian prometheus packages)"
    return found


def run(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=600)


def generate(text: str, root: Path) -> Inputs:
    """Writes every file the services text produces under root; returns its inputs."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "services.yaml").write_text(text)
    inputs = Inputs(load.loads(text.encode(), "services.yaml"), "services.yaml",
                    actions_lock.parse_or_default(None, actions_lock.LOCK))
    for path, data in plan.make(inputs).files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return inputs


def bundled() -> str:
    return (REPO / "services.yaml").read_text()


SMALL = """\
version: 1
project:
  name: shop
  repository: acme/shop
  registry: ghcr.io/acme
  test_base: python  # the helm test pod's image: any declared base
  environments: [{name: dev, namespace: shop-dev}]
  observability:
    receivers:
      pager: {pagerduty: {routing_key: {secret: am-pagerduty, key: shop}}}
      chat: {slack: {webhook: {secret: am-slack, key: shop}, channel: "#shop"}}
    oncall:
      "@acme/shop": {page: pager, ticket: chat}
bases:
  python: {PYTHON}
services:
  cart:
    path: services/cart
    stack: python
    port: 8080
    owners: ["@acme/shop"]
    slos:
      availability: {WINDOW}
"""


PYTHON = ("python:3.12-slim-bookworm@sha256:"
          "782412e85d0f0984994c290652577d4018aff08145c85b262bb63dc0c7522254")


def small(window: str = "{}") -> str:
    return SMALL.replace("{WINDOW}", window).replace("{PYTHON}", PYTHON)


def problems(root: Path, rule_id: str) -> list[Problem]:
    """What one validate rule finds in the tree `generate` wrote under root."""
    ws = Workspace.locate(root / "services.yaml", root)
    return validate.run(validate.Context(ws.root, ws.inputs, ws.plan), [rule_id])


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)
