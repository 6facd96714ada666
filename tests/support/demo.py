"""A copy of the bundled demo services whose services.yaml points at the test bases.

The bundled services.yaml names public images that cannot be pulled on the test machines, so
the container tests copy the demo sources into a temporary repository and describe them with a
model whose `bases` are the locally built, locally pushed test images (tests/support/bases.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import bases

REPO = Path(__file__).resolve().parents[2]
PIPELINEGEN = [sys.executable, "-m", "pipelinegen"]

# Each demo service with the test bases it builds on: (builder, runtime).
SERVICES = {
    "api": ("python-build", "python"),
    "worker": ("python-build", "python"),
    "web": ("node-build", "node"),
    "renderer": ("go", "static"),
    "docs": ("go", "static"),
    "stock": ("python-build-pypi", "python"),  # grpcio comes from PyPI
    "courier": ("python-build", "python"),
    "ledger": ("java-build", "java"),
    "imposer": ("rust-build", "cc"),
}
STACK_OF = {"api": "python", "worker": "python", "web": "node", "renderer": "go",
            "docs": "static", "stock": "python", "courier": "python", "ledger": "java",
            "imposer": "rust"}
# Demo services whose toolchain cannot be had here (the .NET SDK is not packaged offline): the
# test model leaves them out; their Dockerfiles are proven by hadolint, the rules and goldens.
NOT_BUILT_HERE = ("invoices",)


def model_text(refs: dict[str, str], registry: str, budgets: dict[str, str] | None = None) -> str:
    """The bundled services.yaml with test bases, builders and (optionally) other budgets."""
    text = (REPO / "services.yaml").read_text()
    text = text.replace("registry: ghcr.io/printloop", f"registry: {registry}")
    start = text.index("\nbases:\n")
    end = text.index("\n\n", start + 1)  # the bases block ends at the first blank line
    # No cluster runs `helm test` or the backing redis here: any pinned test base stands in for
    # their images (tests/containers/test_docker_runtime.py runs a redis of its own).
    named = {**refs, "helm-test": refs["static"], "redis": refs["static"]}
    listed = "".join(f"  {name}: {ref}\n" for name, ref in sorted(named.items()))
    text = text[:start] + "\nbases:\n" + listed.rstrip("\n") + text[end:]
    for service in NOT_BUILT_HERE:
        text = re.sub(rf"\n(?:  #[^\n]*\n)*  {service}:\n(?:    [^\n]*\n|\n(?=    ))*", "\n", text)
    for service, (builder, runtime) in SERVICES.items():
        text = re.sub(rf"(\n  {service}:\n    path: [^\n]+\n    stack: [^\n]+\n)",
                      rf"\1    builder: {builder}\n    base: {runtime}\n", text)
        budget = (budgets or {}).get(service)
        if budget:  # every demo service states its own budget: replace it
            text = re.sub(rf"(\n  {service}:\n(?:    [^\n]*\n)*?    image_size_budget: )[^\n]+",
                          rf"\g<1>{budget}", text)
    return text


def make_repo(target: Path, refs: dict[str, str], registry: str,
              budgets: dict[str, str] | None = None) -> Path:
    """A repository with the demo sources and a test model, generated."""
    target.mkdir(parents=True, exist_ok=True)
    for part in ("services", "packages"):
        shutil.copytree(REPO / part, target / part, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
    (target / "services.yaml").write_text(model_text(refs, registry, budgets))
    run_pipelinegen(target, "generate", check=True)
    return target


def run_pipelinegen(root: Path, *args: str, check: bool = False,
                    env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a subprocess, from root."""
    done = subprocess.run([*PIPELINEGEN, *args], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"pipelinegen {' '.join(args)} exited {done.returncode}:\n"
                             f"{done.stdout}\n{done.stderr}")
    return done


def docker(*args: str, check: bool = True) -> str:
    return bases.run(bases.docker_cli(), *args) if check else subprocess.run(
        [bases.docker_cli(), *args], capture_output=True, text=True, check=False).stdout


# The generated HEALTHCHECK probes every 10 s; a JVM or a cold Go binary may need a few rounds.
HEALTH_TIMEOUT = 90  # seconds


def healthy(container: str, timeout: float = HEALTH_TIMEOUT) -> dict[str, object]:
    """The container's State once its HEALTHCHECK reports healthy; fails if it stops first or
    the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        state = json.loads(docker("inspect", container))[0]["State"]
        assert state["Running"], f"{container} stopped: {docker('logs', container)}"
        if state["Health"]["Status"] == "healthy" or time.monotonic() > deadline:
            assert state["Health"]["Status"] == "healthy", json.dumps(state["Health"], indent=1)
            return dict(state)
        time.sleep(1)


def steps(build_output: str) -> dict[str, str]:
    """BuildKit plain progress -> {step title: final state (CACHED, DONE or ERROR)}."""
    titles: dict[str, str] = {}
    states: dict[str, str] = {}
    for line in build_output.splitlines():
        match = re.match(r"^#(\d+) (\[.*)$", line)
        if match:
            titles.setdefault(match.group(1), match.group(2))
            continue
        match = re.match(r"^#(\d+) (CACHED|DONE|ERROR)\b", line)
        if match:
            states[match.group(1)] = match.group(2)
    return {titles[key]: state for key, state in states.items() if key in titles}


@dataclass(frozen=True)
class Built:
    root: Path
    output: str  # what `pipelinegen build` printed
    images: dict[str, str]  # service -> image reference
