"""The peer measured beside pipelinegen: cdk8s synthesizing the same services' Kubernetes objects.

For every service and environment of a model, benchmarks/peer_synth.js has cdk8s (the npm
package, with constructs) synthesize a Deployment, a Service, a HorizontalPodAutoscaler where
the service autoscales, a PodDisruptionBudget and a NetworkPolicy (callers in, callees out):
what pipelinegen's charts render. Its input is the model as JSON, written here from
pipelinegen's own reading of the services file (not timed, like the services file itself).
cdk8s is installed with npm into a cache outside the repository, once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.measure import HarnessError
from pipelinegen.core.model import Model
from pipelinegen.emit.helm import values

# Exact versions, so every run measures the same peer.
PACKAGES = ("cdk8s@2.70.106", "constructs@10.8.1")
CACHE = Path(os.environ.get("PIPELINEGEN_PEER_CACHE", "/var/lib/pipelinegen-test/cdk8s-peer"))
SCRIPT = Path(__file__).with_name("peer_synth.js")
LABEL = "cdk8s synth (Deployment, Service, HPA, PDB, NetworkPolicy per service and environment)"


def node() -> str:
    found = shutil.which("node")
    if found is None:
        raise HarnessError("node is not installed: the cdk8s peer needs Node.js (apt-get install"
                           " nodejs npm)")
    return found


def installed() -> Path:
    """The node_modules holding cdk8s, installed into CACHE first if it is not there."""
    modules = CACHE / "node_modules"
    if not all((modules / spec.rsplit("@", 1)[0] / "package.json").is_file()
               and _version(modules, spec) for spec in PACKAGES):
        npm = shutil.which("npm")
        if npm is None:
            raise HarnessError("npm is not installed: it installs the cdk8s peer")
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
                               *PACKAGES], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise HarnessError(f"npm install {' '.join(PACKAGES)} failed:\n{done.stderr[-2000:]}")
    return modules


def _version(modules: Path, spec: str) -> bool:
    name, version = spec.rsplit("@", 1)
    data = json.loads((modules / name / "package.json").read_text(encoding="utf-8"))
    return bool(data.get("version") == version)


def peer_input(model: Model) -> dict[str, Any]:
    """The model as the peer script reads it: per service, per environment, what it renders."""
    services = []
    for name, svc in sorted(model.services.items()):
        environments = []
        for env in model.project.environments:
            deploy = svc.deploy_for(env.name)
            scale = deploy.autoscaling
            environments.append({
                "name": env.name, "namespace": env.namespace, "replicas": deploy.replicas,
                "env": dict(sorted(deploy.env.items())),
                "resources": deploy.resources.model_dump(mode="json", exclude_none=True)
                if deploy.resources else {},
                "autoscaling": {"min": scale.min_replicas, "max": scale.max_replicas,
                                "cpu": scale.target_cpu} if scale else None,
            })
        services.append({
            "name": name, "port": svc.port, "health": svc.health, "version": svc.app_version,
            "callers": sorted(svc.callers),
            "calls": [{"name": c.service, "port": c.port} for c in values.calls(model, name)],
            "environments": environments,
        })
    return {"registry": model.project.registry, "services": services}


def command(model: Model, work: Path) -> tuple[list[str], dict[str, str]]:
    """The peer's command line (writing into work/peer-out) and the environment it needs."""
    modules = installed()
    source = work / "peer-input.json"
    source.write_text(json.dumps(peer_input(model)), encoding="utf-8")
    return ([node(), str(SCRIPT), str(source), str(work / "peer-out")],
            {"NODE_PATH": str(modules)})
