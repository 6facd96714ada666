"""Models whose generated workflows the tests lint and snapshot."""

from __future__ import annotations

from pathlib import Path

from benchmarks import synthetic
from pipelinegen import __version__, load, yamlio
from pipelinegen.model import HELM_TEST_IMAGE
from pipelinegen.workspace import Workspace
from tests.support.gitrepo import REPO_ROOT

# A second shape: another registry (secrets, so an environment), a service with its own
# Dockerfile, a renamed gate job, a services file below the root, rolling only, and services
# of different app versions, trivy as the scanner and a stricter gate in live.
VARIANT = """\
version: 1
project:
  name: acme
  repository: acme/shop
  default_branch: trunk
  registry: registry.example.com/acme
  gate_job: required
  environments:
    - name: qa
      namespace: acme-qa
    - name: live
      namespace: acme-live
      approval: true
      fail_on: high
  vulnerabilities:
    scanner: trivy
  ci:
    runner: ubuntu-22.04
    pipelinegen: "PGVERSION"
  cloud:
    role_variable: ACME_ROLE
    region_variable: ACME_REGION
    cluster_variable: ACME_CLUSTER
bases:
  helm-test: HELMTEST
  go: golang:1.25-bookworm@sha256:3b4a11519ad929d1e1d261a12cff056f0c85b735253d7d861346b9c6f8b36437
  static: STATIC
services:
  shop:
    path: apps/shop
    stack: go
    port: 8080
    test: [go, test, -run, "Test.*", ./...]
  legacy:
    path: apps/legacy
    stack: dockerfile
    dockerfile: apps/legacy/Dockerfile
    port: 9000
    app_version: 2.3.1
""".replace("HELMTEST", HELM_TEST_IMAGE).replace("PGVERSION", __version__).replace(
    "STATIC", "gcr.io/distroless/static-debian12:nonroot@sha256:"
    "d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639")


def bundled() -> dict[str, str]:
    return workflows(Workspace.locate(REPO_ROOT / "services.yaml", REPO_ROOT))


def variant(tmp: Path) -> dict[str, str]:
    (tmp / "config").mkdir(parents=True, exist_ok=True)
    (tmp / "config" / "services.yaml").write_text(VARIANT)
    return workflows(Workspace.locate(tmp / "config" / "services.yaml", tmp))


def workflows(ws: Workspace) -> dict[str, str]:
    return {path: data.decode() for path, data in ws.plan.files.items()
            if path.startswith(".github/workflows/")}


def write(files: dict[str, str], root: Path) -> list[Path]:
    written = []
    for path, text in sorted(files.items()):
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written.append(target)
    return written


def synthetic_repo(root: Path, count: int) -> Workspace:
    bases = load.load(REPO_ROOT / "services.yaml", "services.yaml").bases
    data = synthetic.synthetic_model(count, bases)
    root.mkdir(parents=True)
    (root / "services.yaml").write_text(yamlio.dump(data))
    synthetic.write_sources(root, data)
    return Workspace.locate(root / "services.yaml", root)
